import { type ConversationState, handoffTicketId } from '../conversations/store.ts';
import { STAMPS_PHONE } from '../core/types.ts';
import type { Facts } from './conditions.ts';
import { SCOPES, type Scope } from './schema.ts';

/**
 * Words that open a question when the customer leaves out the question mark ("how long will it
 * take"): a closed class of English, like the yes/no lexicon.
 */
const QUESTION_WORDS = new Set([
  'how',
  'what',
  'whats',
  "what's",
  'when',
  'where',
  'why',
  'who',
  'which',
  'is',
  'are',
  'can',
  'could',
  'will',
  'would',
  'do',
  'does',
  'did',
  'should',
  'any',
  'anyone',
  'hello',
]);

export function isQuestion(text: string): boolean {
  const trimmed = text.trim().toLowerCase();
  if (trimmed.endsWith('?')) return true;
  const first = trimmed.split(/\s+/, 1)[0] ?? '';
  return QUESTION_WORDS.has(first.replace(/[^a-z']/g, ''));
}

/** Words that may open a yes-or-no question before its auxiliary ("so do I...", "ok is it..."). */
const YES_NO_LEAD = new Set(['and', 'so', 'but', 'ok', 'okay', 'also']);
/** The auxiliaries that open a yes-or-no question, and the words that follow them there. */
const YES_NO_AUXILIARIES = new Set([
  'do',
  'does',
  'did',
  'is',
  'are',
  'was',
  'can',
  'could',
  'will',
  'would',
  'should',
  'must',
  'have',
  'has',
]);
const YES_NO_SUBJECTS = new Set(['i', 'it', 'that', 'this', 'they', 'there', 'we', 'my', 'the']);

/** "Do I need a phone number?", "so is it free": an auxiliary and its subject open the message. */
export function isYesNoQuestion(text: string): boolean {
  const words = text
    .toLowerCase()
    .split(/[^a-z]+/)
    .filter((word) => word !== '');
  const start = YES_NO_LEAD.has(words[0] ?? '') ? 1 : 0;
  return YES_NO_AUXILIARIES.has(words[start] ?? '') && YES_NO_SUBJECTS.has(words[start + 1] ?? '');
}

/** The wh-words a question may open with: a closed class. */
const WH_WORDS = new Set(['how', 'what', 'when', 'where', 'why', 'who', 'which']);

/** The wh-word that opens the message ("so when will...": when), or none. */
export function questionWordOf(text: string): string {
  const words = text
    .toLowerCase()
    .split(/[^a-z]+/)
    .filter((word) => word !== '');
  const first = YES_NO_LEAD.has(words[0] ?? '') ? words[1] : words[0];
  return first !== undefined && WH_WORDS.has(first) ? first : 'none';
}

/** The last ticket support has from this conversation (a hand-off aside), by what it is for. */
function lastTicketOf(state: ConversationState): string {
  const reason = state.tickets.filter((ticket) => !ticket.handoff).at(-1)?.reason;
  if (reason === undefined) return 'none';
  if (reason === 'reconnect_request') return 'reconnect_request';
  return reason.startsWith('phone:') ? 'stamps_line' : 'other';
}

function awaitingOf(state: ConversationState): string {
  if (state.offer?.kind === 'reconnect') return 'reconnect_yes';
  if (state.offer?.kind === 'unsuspend_retry') return 'fix_done';
  if (state.personOffered === true) return 'person_yes';
  if (state.clarification !== undefined) return 'choice';
  return 'none';
}

/** How the answers spell the page that keeps the account (DOMAIN.md names it both ways). */
const CARRIERS_PAGE_NAMES = ['ONE BALANCE & CARRIERS', 'ONE BALANCE AND CARRIERS'];

/** How this turn's message was read by the topic classifier. */
export interface TurnReading {
  intent: string;
  confidence: number;
  /** What the code lexicon read in it: yes, no, done (closed-class words with their negations). */
  lexicon?: ReadonlySet<string>;
  /** The message names an email or account id that is not the customer's own. */
  namesOtherAccount?: boolean;
  /** The message names a keyword of the topic read, beyond failure words. */
  namesItsTopic?: boolean;
  /** The classifier found more than one request in the message. */
  several?: boolean;
  /** The word lists found frustration, or hurry, in the message. */
  frustrated?: boolean;
  hurried?: boolean;
}

/** The facts every `when:` of the dialogue data reads (DIALOGUE_FACTS declares their types). */
export function factsOf(
  state: ConversationState,
  text: string,
  supportOpen: boolean,
  reading: TurnReading = { intent: '', confidence: 0 },
  openingSteps = '',
  /** What the turn knows beside: the last answer as `<intent>.<variant>` of intents/ when it is one
   * of them word for word, and an intent's answer variant with its placeholders filled. */
  known: { recapAnswer?: string; answerOf?: (intent: string, variant: string) => string } = {},
): Facts {
  const { recapAnswer = '', answerOf = () => '' } = known;
  return {
    'customer.signed_in': state.customer !== null,
    'account.status':
      state.account === undefined ? 'unknown' : state.account === null ? 'none' : state.account.status,
    topic: state.recap?.intent ?? '',
    'facts.stamps_line': state.escalations.some((escalation) => escalation.kind === 'phone'),
    'facts.lifted': state.liftedSuspension !== undefined,
    'facts.ticket_open': state.tickets.some((ticket) => !ticket.handoff),
    awaiting: awaitingOf(state),
    'awaiting.declined':
      state.declinedOffer === undefined
        ? 'none'
        : state.declinedOffer.kind === 'reconnect'
          ? 'reconnect_yes'
          : 'fix_done',
    'awaiting.fix': state.offer?.kind === 'unsuspend_retry' ? (state.offer.after ?? 'password') : 'none',
    intent: reading.intent,
    confidence: reading.confidence,
    last_intent: state.lastIntent ?? '',
    'facts.steps_given': openingSteps !== '' && state.recap?.texts.includes(openingSteps) === true,
    // -- facts of the wait (offers, a person offered, a choice) --
    'message.yes': reading.lexicon?.has('yes') === true,
    'message.no': reading.lexicon?.has('no') === true,
    'message.done': reading.lexicon?.has('done') === true,
    'facts.stamps_number_said': state.recap?.texts.some((answer) => answer.includes(STAMPS_PHONE)) === true,
    // -- facts of the account's state (still failing, signed in, closed, closing) --
    'facts.promised_ticket': state.stillFailingTicket ?? 'none',
    // -- facts of suspensions and the Stamps line --
    // -- facts of the topics' own questions (details, password, opening, registration) --
    'facts.page_named':
      state.recap?.texts.some((said) => CARRIERS_PAGE_NAMES.some((name) => said.includes(name))) === true,
    'facts.told_account_exists':
      state.recap?.intent === 'registration_error' &&
      state.recap.texts.includes(answerOf('registration_error', 'tips_duplicate')),
    // -- facts of repair (frustration, hurry, several requests) --
    'message.frustrated': reading.frustrated === true,
    'message.hurried': reading.hurried === true,
    'message.several_requests': reading.several === true,
    // -- facts of the late answers (carriers, stores, prices, what was said) --
    'recap.answer': recapAnswer,
    'tickets.last': lastTicketOf(state),
    'tickets.reconnect_requested': state.tickets.some((ticket) => ticket.reason === 'reconnect_request'),
    'recap.names_customer_success':
      state.recap?.texts.some((said) => said.includes('Customer Success')) === true,
    'facts.still_failing_promised': state.stillFailingTicket !== undefined,
    'message.yes_no_question': isYesNoQuestion(text),
    'message.question_word': questionWordOf(text),
    'message.names_its_topic': reading.namesItsTopic === true,
    'message.names_other_account': reading.namesOtherAccount === true,
    // -- facts of the policies --
    'handoff.ticket_id': handoffTicketId(state) ?? '',
    'handoff.notified': state.handoff?.notified === true,
    'message.question': isQuestion(text),
    'support.open': supportOpen,
  };
}

/**
 * The scopes a turn can be answered in, among `only`: `handoff` alone while a person has the
 * conversation; `wait` while the bot waits for an answer (an offer, one just declined, a person
 * offered, a choice between two topics); `topic` after an account answer; `account` for a
 * signed-in customer; `global` and `repair` always.
 */
export function scopesOf(state: ConversationState, only: readonly Scope[] = SCOPES): ReadonlySet<Scope> {
  if (state.handoff !== undefined) return new Set<Scope>(only.includes('handoff') ? ['handoff'] : []);
  const scopes = new Set<Scope>(['global', 'repair']);
  if (awaitingOf(state) !== 'none' || state.declinedOffer !== undefined) scopes.add('wait');
  if (state.recap !== undefined) scopes.add('topic');
  if (state.customer !== null) scopes.add('account');
  return new Set(only.filter((scope) => scopes.has(scope)));
}
