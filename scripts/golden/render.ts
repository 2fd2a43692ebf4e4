/**
 * A recorded turn as lines of text, and a line diff of two of them: what `golden:diff` prints, so
 * a reviewer reads what the bot said before and now rather than two lines of JSON.
 */
import type { GoldenAnswer } from '../../test/helpers/golden.ts';

/** One line per fact of the turn, in a fixed order; a message's own line breaks are kept. */
export function renderAnswer(answer: GoldenAnswer): string[] {
  const lines: string[] = [];
  if (answer.error !== undefined) lines.push(`error: ${answer.error}`);
  if (answer.intent !== undefined) lines.push(`intent: ${answer.intent} (${answer.confidence})`);
  if (answer.checks !== undefined)
    lines.push(`checks: ${answer.checks.map((check) => `${check.name} ${check.status}`).join(', ') || '-'}`);
  if (answer.escalation !== undefined)
    lines.push(
      `escalation: ${answer.escalation ? `${answer.escalation.kind} ${answer.escalation.reason}` : '-'}`,
    );
  if (answer.pending !== undefined) lines.push(`pending: ${answer.pending}`);
  for (const message of answer.messages) {
    const [first, ...rest] = message.text.split('\n');
    lines.push(`bot: ${first}`, ...rest.map((line) => `     ${line}`));
    if (message.phone !== undefined) lines.push(`  phone: ${message.phone}`);
    for (const choice of message.choices ?? []) lines.push(`  choice: ${choice.label} -> ${choice.reply}`);
  }
  return lines;
}

/**
 * `before` and `now` merged into one list of lines marked ' ', '-' or '+', by their longest common
 * subsequence. Turns are a few lines long, so the quadratic table costs nothing.
 */
export function lineDiff(before: string[], now: string[]): string[] {
  const common: number[][] = Array.from({ length: before.length + 1 }, () =>
    new Array<number>(now.length + 1).fill(0),
  );
  const at = (i: number, j: number) => common[i]?.[j] ?? 0;
  for (let i = before.length - 1; i >= 0; i--)
    for (let j = now.length - 1; j >= 0; j--) {
      const row = common[i] as number[];
      row[j] = before[i] === now[j] ? at(i + 1, j + 1) + 1 : Math.max(at(i + 1, j), at(i, j + 1));
    }
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < before.length || j < now.length) {
    if (i < before.length && j < now.length && before[i] === now[j]) {
      out.push(`  ${before[i++]}`);
      j++;
    } else if (i < before.length && (j === now.length || at(i + 1, j) >= at(i, j + 1)))
      // Removed lines before added ones, as in a unified diff: the old sentence, then the new.
      out.push(`- ${before[i++]}`);
    else out.push(`+ ${now[j++]}`);
  }
  return out;
}
