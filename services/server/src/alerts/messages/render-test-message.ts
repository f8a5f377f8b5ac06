import { formatUtcTime } from './alert-wording.js';
import { dashboardLinks } from './dashboard-links.js';
import { escapeHtml, htmlName, oneLine, slackLink, slackName } from './escape-text.js';
import type { OutgoingMessage } from './outgoing-message.js';
import type { RenderOptions } from './render-alert-group.js';

/** What the test-send endpoint delivers: proof that a channel is set up, and where it is configured. */
export function renderTestMessage(
  input: { projectId: string; projectName: string; sentAt: Date },
  options: RenderOptions,
): OutgoingMessage {
  const project = oneLine(input.projectName, 100);
  const link = dashboardLinks.settingsChannels(options.dashboardUrl, input.projectId);
  const sentence = `Alerts and weekly reviews for project ${project} will arrive here.`;
  const sent = formatUtcTime(input.sentAt);
  return {
    kind: 'test',
    subject: `[Costscope] Costscope test message for project ${project}`,
    slack: {
      text: `Costscope test message for project ${slackName(input.projectName)}`,
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: 'Costscope test message' } },
        {
          type: 'section',
          text: {
            type: 'mrkdwn',
            text: `Alerts and weekly reviews for project ${slackName(input.projectName)} will arrive here. ${slackLink(link, 'Channel settings')}`,
          },
        },
        { type: 'context', elements: [{ type: 'mrkdwn', text: `Sent ${sent}` }] },
      ],
    },
    email: {
      text: `Costscope test message\n\n${sentence}\nSent ${sent}.\n\nChannel settings: ${link}\n`,
      html: `<!doctype html>\n<html><body style="font-family:sans-serif"><h2>Costscope test message</h2><p>Alerts and weekly reviews for project ${htmlName(input.projectName)} will arrive here.</p><p>Sent ${escapeHtml(sent)}.</p><p><a href="${escapeHtml(link)}">Channel settings</a></p></body></html>`,
    },
  };
}
