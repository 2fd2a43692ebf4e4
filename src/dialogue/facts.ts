import { type ConversationState, handoffTicketId } from '../conversations/store.ts';
import type { Facts } from './conditions.ts';
import type { Scope } from './schema.ts';

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

/** The facts every `when:` of the dialogue data reads (DIALOGUE_FACTS declares their types). */
export function factsOf(state: ConversationState, text: string, supportOpen: boolean): Facts {
  return {
    'customer.signed_in': state.customer !== null,
    'account.status':
      state.account === undefined ? 'unknown' : state.account === null ? 'none' : state.account.status,
    topic: state.recap?.intent ?? '',
    'facts.stamps_line': state.escalations.some((escalation) => escalation.kind === 'phone'),
    'facts.lifted': state.liftedSuspension !== undefined,
    'facts.ticket_open': state.tickets.some((ticket) => !ticket.handoff),
    awaiting: awaitingOf(state),
    'handoff.ticket_id': handoffTicketId(state) ?? '',
    'handoff.notified': state.handoff?.notified === true,
    'message.question': isQuestion(text),
    'support.open': supportOpen,
  };
}

/**
 * The scopes a turn can be answered in: only `handoff` while a person has the conversation.
 * `repair` is left out when the turn is read before the topic's own answer (`withRepair` false).
 */
export function scopesOf(state: ConversationState, withRepair = true): ReadonlySet<Scope> {
  if (state.handoff !== undefined) return new Set<Scope>(['handoff']);
  const scopes = new Set<Scope>(['global', 'repair']);
  if (state.recap !== undefined) scopes.add('topic');
  if (state.customer !== null) scopes.add('account');
  if (!withRepair) scopes.delete('repair');
  return scopes;
}
