import type { CheckSummary, Escalation } from '../core/types.ts';
import { isAccountQuestion, OUT_OF_SCOPE } from '../intents/schema.ts';
import type { ConversationState } from './store.ts';

/**
 * What happened in one turn, for those who watch the bot work (metrics, the dashboard's counters,
 * the review inbox): told once the turn is saved. `text` is the customer's words as stored
 * (masked); only the review inbox keeps it, never a metric.
 */
export interface TurnEvent {
  conversationId: string;
  turnId: string;
  /** `web` unless the channel said otherwise. */
  channel: string;
  at: string;
  /** The conversation's first turn: a new conversation, for the daily counts. */
  first: boolean;
  text: string;
  intent: string;
  confidence: number;
  reader: 'local' | 'model';
  /** The bot did not understand (a miss, counted toward offering a person). */
  miss: boolean;
  /** The bot asked which of two topics was meant. */
  clarificationAsked: boolean;
  /** The customer answered such a question in this turn. */
  clarificationAnswered: boolean;
  escalation: { kind: Escalation['kind']; reason: string } | null;
  /** A person took the conversation over in this turn. */
  handedOff: boolean;
  /** The message came while a person had the conversation (the bot did not answer it itself). */
  duringHandoff: boolean;
  /** The answer resolves the customer's topic as the bot sees it: worth asking whether it did. */
  resolved: boolean;
  /** The follow-up of intents/dialogue/ that answered the turn, and the act it read, if one did. */
  answeredBy?: { followup: string; act?: string };
  turnMs: number;
  checks: { name: string; status: CheckSummary['status']; ms?: number }[];
}

/** Anything that watches turns; it must return at once and never throw (its own work goes on later). */
export interface TurnObserver {
  turnEnded(event: TurnEvent): void;
}

/**
 * Whether a finished turn's answer resolves its topic: an account answer that escalated nothing,
 * leaves nothing waiting (an offer, a choice between topics), and whose checks all answered.
 */
export function resolvesTopic(
  intent: string,
  escalation: Escalation | undefined,
  next: Pick<ConversationState, 'offer' | 'clarification'>,
  checks: readonly CheckSummary[],
): boolean {
  if (intent === OUT_OF_SCOPE || !isAccountQuestion(intent)) return false;
  if (escalation !== undefined || next.offer !== undefined || next.clarification !== undefined) return false;
  return checks.every((check) => check.status === 'ok');
}

/** Tells every observer; one that throws is the observer's bug, and must not fail the turn. */
export function tellObservers(
  observers: readonly TurnObserver[],
  event: TurnEvent,
  onError: (error: unknown) => void,
): void {
  for (const observer of observers) {
    try {
      observer.turnEnded(event);
    } catch (error) {
      onError(error);
    }
  }
}
