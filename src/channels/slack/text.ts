/**
 * Text from outside (a customer's words, a reason an agent typed) made safe for Slack's mrkdwn:
 * `&`, `<` and `>` escaped, so `<!channel>` or `<@U123>` cannot ping anyone and `<url|label>` cannot
 * disguise a link. Slack asks for exactly these three.
 */
export function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** At most `max` characters, with an ellipsis when cut: Slack limits a section's text to 3,000. */
export function clip(text: string, max = 2_900): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
