import { clip } from './text.ts';

/** A Slack message as the bot sends it: Block Kit, and plain text for notifications and old clients. */
export interface SlackMessage {
  text: string;
  blocks: Record<string, unknown>[];
}

/** A mrkdwn section; the caller has escaped what came from outside. */
export function section(text: string): Record<string, unknown> {
  return { type: 'section', text: { type: 'mrkdwn', text: clip(text) } };
}

export function context(text: string): Record<string, unknown> {
  return { type: 'context', elements: [{ type: 'mrkdwn', text: clip(text) }] };
}

export interface Button {
  actionId: string;
  text: string;
  value: string;
  style?: 'primary' | 'danger';
}

export function actions(blockId: string, buttons: readonly Button[]): Record<string, unknown> {
  return {
    type: 'actions',
    block_id: blockId,
    elements: buttons.map((button) => ({
      type: 'button',
      action_id: button.actionId,
      text: { type: 'plain_text', text: button.text },
      value: button.value,
      ...(button.style ? { style: button.style } : {}),
    })),
  };
}

/** A message of plain sections, one per paragraph. */
export function plainMessage(...paragraphs: string[]): SlackMessage {
  return { text: paragraphs[0] ?? '', blocks: paragraphs.map((paragraph) => section(paragraph)) };
}

/** Slack's user mention and date formatting, which every client shows in its own time zone. */
export const mention = (userId: string): string => `<@${userId}>`;
export function slackTime(iso: string): string {
  const seconds = Math.floor(Date.parse(iso) / 1000);
  return `<!date^${seconds}^{date_short_pretty} at {time}|${iso}>`;
}
