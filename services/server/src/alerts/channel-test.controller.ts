import { Body, Controller, HttpCode, Inject, Post } from '@nestjs/common';
import { z } from 'zod';
import { RequiresScope } from '../auth/requires-scope.js';
import { CostscopeBadRequestError, parseBody } from '../http/parse-body.js';
import { ProjectId } from '../http/project-request.js';
import type { ChannelTestResponse } from '../query/response-schemas.js';
import { ALERT_DELIVERY_CONFIG, type AlertDeliveryConfig } from './channels/alert-delivery-config.js';
import { CostscopeChannelConfigError } from './channels/channel-settings.js';
import { ProjectChannels } from './channels/project-channels.js';
import { sendTestMessage } from './channels/send-test-message.js';

export const testSendSchema = z.object({ channel: z.enum(['slack', 'webhook', 'email']) }).strict();

/**
 * `POST /api/v1/settings/channels/test` `{ "channel": "slack" | "webhook" | "email" }`: sends a
 * test message through the project's channel as it is configured now (stored settings, else the
 * environment) and answers the outcome, so a wrong token shows on the settings page at once.
 */
@Controller('api/v1/settings/channels')
@RequiresScope('admin')
export class ChannelTestController {
  constructor(
    @Inject(ProjectChannels) private readonly projectChannels: ProjectChannels,
    @Inject(ALERT_DELIVERY_CONFIG) private readonly delivery: AlertDeliveryConfig,
  ) {}

  @Post('test')
  @HttpCode(200)
  async test(@ProjectId() projectId: string, @Body() body: unknown): Promise<ChannelTestResponse> {
    const { channel: name } = parseBody(testSendSchema, body);
    let channels;
    try {
      channels = await this.projectChannels.channelsOf(projectId);
    } catch (error) {
      if (CostscopeChannelConfigError.isInstance(error)) throw new CostscopeBadRequestError('channel', error.message);
      throw error;
    }
    const channel = channels.find((candidate) => candidate.name === name);
    if (!channel) throw new CostscopeBadRequestError('body.channel', `${name} is not configured for this project (settings or environment)`);
    try {
      const outcome = await sendTestMessage(channel, { projectId, projectName: projectId, dashboardUrl: this.delivery.dashboardUrl });
      return {
        channel: outcome.channel,
        status: outcome.status,
        attempts: outcome.attempts,
        error: outcome.lastError && { code: outcome.lastError.code, message: outcome.lastError.message, retryable: outcome.lastError.retryable },
        providerMessageId: outcome.providerMessageId,
      };
    } finally {
      await Promise.all(channels.map((candidate) => candidate.close?.()));
    }
  }
}
