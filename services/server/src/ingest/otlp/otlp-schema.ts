import { readFileSync } from 'node:fs';
import protobuf from 'protobufjs';

const PROTO_FILE = new URL('./proto/otlp-trace.proto', import.meta.url);

let root: protobuf.Root | undefined;

/** The parsed OTLP schema, loaded once from the `.proto` file kept beside this module. */
function otlpRoot(): protobuf.Root {
  root ??= protobuf.parse(readFileSync(PROTO_FILE, 'utf8'), { keepCase: false }).root;
  return root;
}

/** A message type of `proto/otlp-trace.proto` by its short name (`ExportTraceServiceRequest`…). */
export function otlpType(name: string): protobuf.Type {
  return otlpRoot().lookupType(`costscope.otlp.${name}`);
}
