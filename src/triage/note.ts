import type { IntentDefinition } from '../intents/load.ts';
import type { CheckName } from '../intents/schema.ts';
import { type AccountFindings, MUTATING_CHECKS, READ_ONLY_CHECKS } from './account-checks.ts';
import type { Diagnosis } from './diagnosis.ts';
import { type AnswerRef, renderAnswer, replyTopicOf, resolutionOf } from './resolutions.ts';
import type { ReadTicket } from './topics.ts';

/** Who asked, as the desk knows them. */
export interface NoteRequester {
  email: string | null;
  verified: boolean;
}

export interface NoteInput {
  ticketId: string;
  /** The triage rules' version: in the marker, so a new version may write a note of its own. */
  version: string;
  read: ReadTicket;
  requester: NoteRequester | null;
  /** How the account was chosen: the requester's email, or the chat the bot filed this ticket from. */
  accountSource: 'requester_email' | 'bot_conversation';
  /** Null when nothing was looked up (no email address). */
  findings: AccountFindings | null;
  diagnosis: Diagnosis;
  intents: readonly IntentDefinition[];
}

/** What one triage writes: the note's text, the tags it adds, and a priority when it raises one. */
export interface TriageNote {
  text: string;
  tags: string[];
  /** `high` for a suspended account: no postage can be bought until it is resolved. */
  priority?: 'high';
}

/**
 * The line a note ends with, by which a later run (a retry, another worker, a replayed webhook)
 * knows that this ticket already has this version's note. Only internal notes count, which
 * customers cannot write.
 */
export function triageMarker(ticketId: string, version: string): string {
  return `Triage ref: ob-triage/${ticketId}/${version}`;
}

const percent = (confidence: number) => `${Math.round(confidence * 100)}%`;

/** "2024-06-04 10:02 UTC" of an ISO time, as agents read it; null when the backend has none. */
function when(iso: string | null, none: string): string {
  if (iso === null) return none;
  const utc = new Date(iso).toISOString();
  return `${utc.slice(0, 10)} ${utc.slice(11, 16)} UTC`;
}

/** Zendesk tags are lower-case words joined by underscores. */
const tag = (...parts: string[]) =>
  parts
    .join('_')
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_');

/**
 * The internal note of a triage, made only of the bot's own data: the topics it understood (their
 * descriptions from `intents/`), what the checks returned (schema-cut: masked username, last four
 * digits), and answers from `intents/`. No sentence of the ticket is repeated in it, so nothing a
 * customer wrote (an instruction, a canary, a number) can reach the note through it.
 */
export function composeNote(input: NoteInput): TriageNote {
  const { diagnosis, findings, intents } = input;
  const has = (answer: AnswerRef) =>
    intents.find((intent) => intent.id === answer.intent)?.answers[answer.variant] !== undefined;
  const resolution = resolutionOf(diagnosis, replyTopicOf(input.read.topics), has);
  const vars = {
    accountLast4: findings?.account?.accountNumberLast4 ?? '',
    planName: findings?.plan?.planName ?? '',
  };
  const sections = [
    'One Balance triage by the bot (internal note). The bot only read the account; it changed nothing.',
    ['What the customer asks:', ...topicLines(input)].join('\n'),
    ['Account:', ...accountLines(input)].join('\n'),
    `Resolution:\n${renderAnswer(intents, resolution.agent, vars)}`,
    `Suggested public reply:\n${resolution.reply.map((answer) => renderAnswer(intents, answer, vars)).join('\n\n')}`,
    ['Not checked, or could not tell:', ...limitLines(input)].join('\n'),
    triageMarker(input.ticketId, input.version),
  ];
  const intentTags =
    input.read.topics.length === 0 ? ['out_of_scope'] : input.read.topics.map((t) => t.intent);
  return {
    text: sections.join('\n\n'),
    tags: [
      'ob_triaged',
      ...intentTags.map((intent) => tag('ob_intent', intent)),
      tag('ob_state', diagnosis.state),
      ...(diagnosis.reason === null ? [] : [tag('ob_reason', diagnosis.reason)]),
    ],
    ...(diagnosis.state === 'suspended' ? { priority: 'high' as const } : {}),
  };
}

function topicLines({ read, intents }: NoteInput): string[] {
  if (read.topics.length === 0)
    return [`- No One Balance question recognised in ${read.sentences} sentence(s) read.`];
  return read.topics.map((topic) => {
    const description = intents.find((intent) => intent.id === topic.intent)?.description ?? '';
    return `- ${topic.intent} (${percent(topic.confidence)} confident): ${description}`;
  });
}

function accountLines({ requester, findings, accountSource, diagnosis }: NoteInput): string[] {
  if (findings === null) return ['- The requester has no usable email address, so no account was looked up.'];
  const { account } = findings;
  if (account === null)
    return accountSource === 'bot_conversation'
      ? ['- No One Balance account for the customer of the chat this ticket was filed from.']
      : [`- No One Balance account under ${requester?.email ?? "the requester's email address"}.`];
  if (account === undefined) return ['- The account lookup did not answer.', ...checkLine(findings)];
  const source =
    accountSource === 'bot_conversation'
      ? 'the account of the chat this ticket was filed from'
      : "found by the requester's email";
  const lines = [
    `- ${account.accountId}, account number ending in ${account.accountNumberLast4} (${source}).`,
    `- State: ${diagnosis.state}${diagnosis.reason === null ? '' : ` (${diagnosis.reason})`}.`,
  ];
  lines.push(...findingLines(findings));
  return [...lines, ...checkLine(findings)];
}

/** What the read-only checks found, a line each: the account's facts, masked (the note's and Slack's). */
export function findingLines(findings: AccountFindings): string[] {
  const lines: string[] = [];
  const { suspension, connection, credentials, registration, plan } = findings;
  if (suspension?.suspended)
    lines.push(
      `- Suspended since ${when(suspension.since, 'an unknown time')}; an unsuspend is ${suspension.unsuspendAllowed ? 'allowed' : 'not allowed'}.`,
    );
  if (connection) lines.push(`- ${connection.connected ? 'Connected' : 'Not connected'} to the store.`);
  if (credentials)
    lines.push(
      `- Username ${credentials.maskedUsername}; Stamps.com password last changed ${when(credentials.passwordChangedAt, 'never')}.`,
    );
  if (registration)
    lines.push(
      `- Registration ${registration.state}${registration.errorCode ? ` (${registration.errorCode})` : ''}.`,
    );
  if (plan)
    lines.push(`- Plan ${plan.planName}: First Class ${plan.firstClassAllowed ? 'allowed' : 'not allowed'}.`);
  return lines;
}

function checkLine(findings: AccountFindings): string[] {
  const named = findings.outcomes.map((outcome) => `${outcome.check} ${outcome.status}`);
  return [`- Checks (read-only): ${named.join(', ')}.`];
}

function limitLines({ findings, requester, read }: NoteInput): string[] {
  const ran = new Set<CheckName>(findings?.outcomes.map((outcome) => outcome.check) ?? []);
  const lines = [
    `- Not tried: ${MUTATING_CHECKS.join(', ')}. Triage never changes an account; an agent decides.`,
  ];
  const notRun = READ_ONLY_CHECKS.filter((name) => !ran.has(name));
  if (notRun.length > 0) lines.push(`- Not checked: ${notRun.join(', ')}.`);
  const open = findings?.outcomes.filter((outcome) => outcome.status !== 'ok') ?? [];
  for (const outcome of open)
    lines.push(
      `- ${outcome.check} gave no answer (${outcome.status === 'failed' ? outcome.error.code : 'still running'}).`,
    );
  if (requester?.email && !requester.verified)
    lines.push(
      "- The requester's email address is not verified: confirm who they are before sharing account details.",
    );
  if (read.namesAccountId)
    lines.push("- The message names an account id: only the requester's own account was checked.");
  lines.push('- Whether a purchase still fails, and its exact error: only the customer can say.');
  return lines;
}
