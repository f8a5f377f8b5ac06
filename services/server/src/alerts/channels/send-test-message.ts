import { randomUUID } from 'node:crypto';
import { renderTestMessage } from '../messages/render-test-message.js';
import type { AlertChannel } from './alert-channel.js';
import { deliverMessage, type DeliverOptions, type DeliveryOutcome } from './deliver-message.js';

/**
 * The test-send endpoint's work: one "Costscope test message" to one channel, answered with the
 * outcome. One attempt by default, so a wrong token is reported in a second rather than after a
 * minute of backoff; a fresh key each time, so a second test is really sent.
 */
export async function sendTestMessage(
  channel: AlertChannel,
  input: { projectId: string; projectName: string; dashboardUrl: string },
  options: Omit<DeliverOptions, 'previousOutcomes'> = {},
): Promise<DeliveryOutcome> {
  const now = (options.clock?.now ?? (() => new Date()))();
  const message = renderTestMessage(
    { projectId: input.projectId, projectName: input.projectName, sentAt: now },
    { dashboardUrl: input.dashboardUrl },
  );
  const outcomes = await deliverMessage(message, [channel], `test:${randomUUID()}`, { retry: { maxAttempts: 1 }, ...options });
  // One channel in, one outcome out.
  return outcomes[0] as DeliveryOutcome;
}
