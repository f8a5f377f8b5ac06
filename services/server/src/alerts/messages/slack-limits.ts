import type { SlackBlock, SlackMarkdown } from './outgoing-message.js';

/** Block Kit limits (Slack's reference): a section's text, each of its fields, a header. */
export const SLACK_SECTION_TEXT_MAX = 3000;
export const SLACK_FIELD_TEXT_MAX = 2000;
export const SLACK_CONTEXT_TEXT_MAX = 2000;

/**
 * Cuts escaped mrkdwn to `max` characters: whole lines first (an entity or a link never spans a
 * line), and a single overlong line short of a half-cut entity such as `&am`. Names are already
 * capped, but escaping can grow them fivefold (`&` → `&amp;`), and Slack rejects the whole
 * message (`invalid_blocks`) rather than trimming one text.
 */
export function fitSlackText(text: string, max: number): string {
  if (text.length <= max) return text;
  const lines = text.split('\n');
  const kept: string[] = [];
  let length = 0;
  for (const line of lines) {
    if (length + line.length + 2 > max) break;
    kept.push(line);
    length += line.length + 1;
  }
  if (kept.length > 0) return `${kept.join('\n')}\n…`;
  return `${(lines[0] ?? '').slice(0, max - 1).replace(/&[a-z]*$/, '')}…`;
}

function fit(text: SlackMarkdown, max: number): SlackMarkdown {
  return { ...text, text: fitSlackText(text.text, max) };
}

/** Applies the limits to every mrkdwn text of a message's blocks. */
export function fitSlackBlocks(blocks: readonly SlackBlock[]): SlackBlock[] {
  return blocks.map((block) => {
    switch (block.type) {
      case 'section':
        return {
          ...block,
          ...(block.text ? { text: fit(block.text, SLACK_SECTION_TEXT_MAX) } : {}),
          ...(block.fields ? { fields: block.fields.map((field) => fit(field, SLACK_FIELD_TEXT_MAX)) } : {}),
        };
      case 'context':
        return { ...block, elements: block.elements.map((element) => fit(element, SLACK_CONTEXT_TEXT_MAX)) };
      default:
        return block;
    }
  });
}
