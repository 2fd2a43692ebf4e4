import type { IntentDefinition } from '../../intents/load.ts';
import type { AccountFindings } from '../../triage/account-checks.ts';
import { diagnose } from '../../triage/diagnosis.ts';
import { findingLines } from '../../triage/note.ts';
import { type AnswerRef, renderAnswer, resolutionOf } from '../../triage/resolutions.ts';
import { type SlackMessage, section } from './blocks.ts';
import { clip, escapeSlack } from './text.ts';

/**
 * What `/onebalance check` answers: the account's state and the facts behind it (masked), the next
 * step for the agent, and what the customer would be told. The same diagnosis and answers as a
 * ticket's triage note, from the same data.
 */
export function accountReport(
  email: string,
  findings: AccountFindings,
  intents: readonly IntentDefinition[],
): SlackMessage {
  const diagnosis = diagnose(findings);
  const has = (answer: AnswerRef) =>
    intents.find((intent) => intent.id === answer.intent)?.answers[answer.variant] !== undefined;
  const resolution = resolutionOf(diagnosis, undefined, has);
  const vars = {
    accountLast4: findings.account?.accountNumberLast4 ?? '',
    planName: findings.plan?.planName ?? '',
  };
  const { account } = findings;
  const heading =
    account === null
      ? `No One Balance account for ${escapeSlack(email)}.`
      : account === undefined
        ? `The lookup for ${escapeSlack(email)} did not answer; try again in a minute.`
        : `*${escapeSlack(email)}*: ${account.accountId}, account ending in ${account.accountNumberLast4}. State: *${diagnosis.state}*${diagnosis.reason ? ` (${diagnosis.reason})` : ''}.`;
  const facts = findingLines(findings);
  const unanswered = findings.outcomes.filter((outcome) => outcome.status !== 'ok').map((o) => o.check);
  const reply = resolution.reply.map((answer) => renderAnswer(intents, answer, vars)).join('\n\n');
  const parts = [
    heading,
    ...(facts.length > 0 ? [facts.join('\n')] : []),
    ...(unanswered.length > 0 ? [`No answer from: ${unanswered.join(', ')}.`] : []),
    `*Next step*\n${renderAnswer(intents, resolution.agent, vars)}`,
    `*What the customer is told*\n${reply}`,
  ];
  return {
    text: heading,
    blocks: parts.map((part) => section(clip(part))),
  };
}
