import type { TurnEvent } from '../../src/conversations/turn-events.ts';

/** A turn event as the engine tells it, for observers' tests: a plain answered turn, with `more` on top. */
export function turnEvent(more: Partial<TurnEvent> & Pick<TurnEvent, 'conversationId'>): TurnEvent {
  return {
    turnId: 't_1',
    channel: 'web',
    at: new Date().toISOString(),
    first: false,
    text: '',
    intent: 'pricing',
    confidence: 0.9,
    reader: 'local',
    miss: false,
    clarificationAsked: false,
    clarificationAnswered: false,
    escalation: null,
    handedOff: false,
    duringHandoff: false,
    resolved: false,
    turnMs: 5,
    checks: [],
    ...more,
  };
}
