import { REGISTRATION_ERRORS, SUSPENSION_REASONS } from '../accounts/model.ts';
import type { IntentProblem } from '../errors.ts';
import type { IntentDefinition } from '../intents/load.ts';
import { renderTemplate } from '../intents/render.ts';
import { type IntentId, isAccountQuestion } from '../intents/schema.ts';
import type { Diagnosis } from './diagnosis.ts';
import type { Topic } from './topics.ts';

/** One answer of `intents/`: an intent's variant. */
export interface AnswerRef {
  intent: IntentId;
  variant: string;
}

/**
 * What a triage note says to do, and the reply it suggests: names of answers in `intents/`, the
 * same data the chat answers from. `agent` is a `triage_*` answer (for the agent, in the note);
 * `reply` are answers the customer can be sent as they stand (`triage_reply_*` ones where the chat's
 * own would speak as the bot or of the chat).
 */
export interface Resolution {
  agent: AnswerRef;
  reply: readonly AnswerRef[];
}

const ref = (intent: IntentId, variant: string): AnswerRef => ({ intent, variant });

/** The suggested reply of each suspension reason: the chat's own answer where it fits an email. */
const SUSPENSION_REPLY: Readonly<Record<string, readonly AnswerRef[]>> = {
  password_changed: [
    ref('explain_suspension', 'triage_reply_password_changed'),
    ref('reset_stamps_password', 'default'),
  ],
  payment_declined: [ref('explain_suspension', 'payment_declined')],
  compliance_review: [ref('explain_suspension', 'triage_reply_compliance_review')],
  temporary_hold: [ref('explain_suspension', 'triage_reply_temporary_hold')],
  unpaid_balance: [ref('explain_suspension', 'unpaid_balance')],
};

const REGISTRATION_REPLY: Readonly<Record<string, AnswerRef>> = {
  phone_verification_failed: ref('registration_error', 'tips_phone'),
  card_declined: ref('registration_error', 'tips_card'),
  invalid_address: ref('registration_error', 'tips_address'),
  duplicate_account: ref('registration_error', 'triage_reply_duplicate_account'),
};

/**
 * The resolution of a diagnosis. The state decides when something is wrong with the account;
 * when nothing is, the first account question asked (`replyTopic`) does: its `triage_reply_healthy`
 * answer if it has one, else its general answer.
 */
export function resolutionOf(
  diagnosis: Diagnosis,
  replyTopic: Topic['intent'] | undefined,
  has: (answer: AnswerRef) => boolean,
): Resolution {
  const { state, reason } = diagnosis;
  switch (state) {
    case 'suspended': {
      const known = reason !== null && SUSPENSION_REPLY[reason] !== undefined;
      return {
        agent: ref('explain_suspension', known ? `triage_${reason}` : 'triage_suspended'),
        reply: (known && reason !== null && SUSPENSION_REPLY[reason]) || [
          ref('explain_suspension', 'default'),
        ],
      };
    }
    case 'disconnected':
      return {
        agent: ref('reconnect_account', 'triage_disconnected'),
        reply: [ref('reconnect_account', 'triage_reply_disconnected')],
      };
    case 'closed':
      return {
        agent: ref('open_account', 'triage_closed'),
        reply: [ref('open_account', 'closed'), ref('open_account', 'default')],
      };
    case 'no_account':
      return {
        agent: ref('open_account', 'triage_not_found'),
        reply: [ref('open_account', 'triage_reply_not_found'), ref('open_account', 'default')],
      };
    case 'registration_pending': {
      const reply = reason === null ? undefined : REGISTRATION_REPLY[reason];
      return {
        agent: ref('registration_error', reply ? `triage_${reason}` : 'triage_pending'),
        reply: [reply ?? ref('registration_error', 'default')],
      };
    }
    case 'active':
      if (reason === 'no_first_class')
        return {
          agent: ref('first_class_plan', 'triage_not_allowed'),
          reply: [ref('first_class_plan', 'triage_reply_not_allowed')],
        };
      return { agent: ref('explain_suspension', 'triage_healthy'), reply: [topicReply(replyTopic, has)] };
    case 'unknown':
      return {
        agent: ref('explain_suspension', 'triage_unknown'),
        reply: [
          replyTopic === undefined ? ref('out_of_scope', 'triage_reply_unclear') : ref(replyTopic, 'default'),
        ],
      };
  }
}

function topicReply(topic: Topic['intent'] | undefined, has: (answer: AnswerRef) => boolean): AnswerRef {
  if (topic === undefined) return ref('out_of_scope', 'triage_reply_unclear');
  const healthy = ref(topic, 'triage_reply_healthy');
  return has(healthy) ? healthy : ref(topic, 'default');
}

/** The topic whose answer a healthy account's reply is: the first account question (not "a person"). */
export function replyTopicOf(topics: readonly Topic[]): Topic['intent'] | undefined {
  return topics.find((topic) => isAccountQuestion(topic.intent))?.intent;
}

/** The placeholders a triage answer may use (what the note knows of the account). */
export const TRIAGE_PLACEHOLDERS = ['accountLast4', 'planName'] as const;

/** Renders an answer; a missing variant falls back to the intent's default (the lint reports it). */
export function renderAnswer(
  intents: readonly IntentDefinition[],
  answer: AnswerRef,
  vars: Readonly<Record<string, string>>,
): string {
  const answers = intents.find((intent) => intent.id === answer.intent)?.answers;
  return renderTemplate(answers?.[answer.variant] ?? answers?.default ?? '', vars);
}

/** Every answer some diagnosis can name (with each healthy topic's own, which may be absent). */
function everyResolution(): AnswerRef[] {
  const diagnoses: Diagnosis[] = [
    ...[...SUSPENSION_REASONS, null].map((reason) => ({ state: 'suspended' as const, reason })),
    ...[...REGISTRATION_ERRORS, null].map((reason) => ({ state: 'registration_pending' as const, reason })),
    { state: 'disconnected', reason: null },
    { state: 'closed', reason: null },
    { state: 'no_account', reason: null },
    { state: 'active', reason: 'no_first_class' },
    { state: 'active', reason: null },
    { state: 'unknown', reason: null },
  ];
  return diagnoses.flatMap((diagnosis) => {
    const { agent, reply } = resolutionOf(diagnosis, undefined, () => false);
    return [agent, ...reply];
  });
}

/**
 * What is wrong with `intents/` for triage: an answer a resolution names that no intent has, or a
 * `triage_` answer with a placeholder the note cannot fill. For `intents lint` and for
 * the start of the triage worker.
 */
export function triageAnswerProblems(intents: readonly IntentDefinition[]): IntentProblem[] {
  const problems: IntentProblem[] = [];
  const fileOf = (intent: string) => intents.find((candidate) => candidate.id === intent);
  const seen = new Set<string>();
  for (const answer of everyResolution()) {
    const key = `${answer.intent}.${answer.variant}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const file = fileOf(answer.intent);
    if (file !== undefined && file.answers[answer.variant] === undefined)
      problems.push({ file: file.file, line: 1, column: 1, message: `triage needs the answer ${key}` });
  }
  for (const intent of intents) {
    for (const [variant, text] of Object.entries(intent.answers)) {
      if (!variant.startsWith('triage_')) continue;
      for (const [, name = ''] of text.matchAll(/\{\{\s*([^}]*?)\s*\}\}/g)) {
        if (!(TRIAGE_PLACEHOLDERS as readonly string[]).includes(name))
          problems.push({
            file: intent.file,
            line: 1,
            column: 1,
            message: `${intent.id}.${variant}: unknown placeholder {{${name}}}; known: ${TRIAGE_PLACEHOLDERS.join(', ')}`,
          });
      }
    }
  }
  return problems;
}
