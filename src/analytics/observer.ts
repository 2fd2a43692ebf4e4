import type { TurnEvent, TurnObserver } from '../conversations/turn-events.ts';
import type { Logger } from '../logger.ts';
import type { DayCounters } from './day-counters.ts';

/**
 * Keeps the dashboard's day counters as turns end. The write goes on after the turn returns; a
 * failed one is logged (a lost count, never a failed turn).
 */
export function analyticsObserver(counters: DayCounters, logger: Logger): TurnObserver {
  return {
    turnEnded(event: TurnEvent): void {
      counters.recordTurn(event).catch((error: unknown) => {
        logger.warn({ err: { message: String(error) } }, 'day counters not updated');
      });
    },
  };
}
