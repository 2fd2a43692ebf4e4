import { type ConversationState, handoffTicketId } from '../conversations/store.ts';
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
  answerOf: (intent: string, variant: string) => string = () => '',
): Facts {
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
    // -- facts of the account's state (still failing, signed in, closed, closing) --
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
