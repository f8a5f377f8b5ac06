/**
 * The benchmark's OTLP receiver, in a process of its own: decoding spans costs CPU that must not
 * slow the provider stand-in answering the calls being timed. Prints its URL, then, on SIGTERM,
 * the number of spans it decoded.
 */
import { OtlpReceiver } from '../test/support/otlp-receiver.js';

const receiver = new OtlpReceiver();
console.log(await receiver.start());
process.on('SIGTERM', () => {
  console.log(receiver.spans.length);
  void receiver.stop().then(() => process.exit(0));
});
