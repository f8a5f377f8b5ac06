/**
 * Slack reads `<…>` as links and mentions (`<!channel>` pings everyone) and `&` as an entity, so
 * every user-controlled string (feature, endpoint, model, user id, project name) goes through
 * this before it enters `text` or a text object. Slack asks for exactly these three.
 */
export function escapeSlackText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** For email HTML bodies and attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/**
 * One line for a subject or a header: control characters (CR/LF above all, which would start a
 * new mail header) become spaces, and the result is cut to `max` characters with an ellipsis.
 */
export function oneLine(text: string, max: number): string {
  // eslint-disable-next-line no-control-regex
  const flat = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

/** Longest name (feature, endpoint, model, user, project) shown whole in a message. */
export const MAX_NAME_LENGTH = 100;

/**
 * A user-controlled name inside Slack mrkdwn: cut, escaped, and set in code style so `*` or `_`
 * in the name cannot turn the rest of the line bold or italic. A backtick would close the code
 * span early, so it is shown as a plain quote.
 */
export function slackName(name: string): string {
  return `\`${escapeSlackText(oneLine(name, MAX_NAME_LENGTH)).replace(/`/g, "'")}\``;
}

/** A user-controlled name inside email HTML. */
export function htmlName(name: string): string {
  return `<code>${escapeHtml(oneLine(name, MAX_NAME_LENGTH))}</code>`;
}

/** A Slack mrkdwn link; the label is escaped here, so pass it raw. */
export function slackLink(url: string, label: string): string {
  return `<${escapeSlackText(url)}|${escapeSlackText(label).replace(/\|/g, '/')}>`;
}
