/**
 * A message rendered once and handed to every channel: each channel takes the form it speaks
 * (Block Kit for Slack, HTML and plain text for email). Rendering happens before delivery, so a
 * retry resends exactly the same words and figures.
 */
export type OutgoingMessage = {
  kind: MessageKind;
  /** The email subject; also the one-line summary a channel may show. */
  subject: string;
  slack: SlackMessageBody;
  email: { html: string; text: string };
};

export type MessageKind = 'alert' | 'resolved' | 'weekly_review' | 'test';

/**
 * What `chat.postMessage` and incoming webhooks both accept. `text` is the fallback shown in
 * notifications and by clients that cannot draw blocks, so it carries the same facts.
 */
export type SlackMessageBody = { text: string; blocks: SlackBlock[] };

/** The Block Kit subset Costscope sends (see docs/alerts.md, "Message formats"). */
export type SlackBlock =
  | { type: 'header'; text: SlackPlainText }
  | { type: 'section'; text?: SlackMarkdown; fields?: SlackMarkdown[] }
  | { type: 'context'; elements: SlackMarkdown[] }
  | { type: 'divider' }
  | { type: 'actions'; elements: SlackLinkButton[] };

export type SlackPlainText = { type: 'plain_text'; text: string; emoji?: boolean };
export type SlackMarkdown = { type: 'mrkdwn'; text: string };
export type SlackLinkButton = {
  type: 'button';
  text: SlackPlainText;
  url: string;
  /** A link button still posts an interaction to the app; the id keeps it distinct per message. */
  action_id: string;
  style?: 'primary' | 'danger';
};
