import type { TurnEvent, TurnObserver } from '../conversations/turn-events.ts';
import type { Logger } from '../logger.ts';
import type { MetricsLabelSets, TurnMetrics } from './service-metrics.ts';

/**
 * Counts a finished turn: every label from a closed set (`other` outside it), and nothing of the
 * customer's words (the event's `text` is never read here).
 */
export function countTurn(metrics: TurnMetrics, labels: MetricsLabelSets, event: TurnEvent): void {
  const channel = labels.channels.of(event.channel);
  const intent = labels.intents.of(event.intent);
  metrics.turns.inc({ channel, intent, reader: event.reader === 'model' ? 'model' : 'local' });
  metrics.turnSeconds.observe({ channel }, event.turnMs / 1000);
  if (event.miss) metrics.misses.inc({ channel });
  if (event.clarificationAsked) metrics.clarifications.inc({ event: 'asked' });
  if (event.clarificationAnswered) metrics.clarifications.inc({ event: 'answered' });
  if (event.escalation !== null) {
    const kind = event.escalation.kind === 'phone' ? 'phone' : 'ticket';
    metrics.escalations.inc({ kind, reason: labels.escalationReasons.of(event.escalation.reason) });
  }
  if (event.handedOff) metrics.handoffs.inc({ channel });
  if (event.resolved) metrics.resolved.inc({ intent });
  if (event.answeredBy !== undefined) {
    metrics.followups.inc({ followup: labels.followups.of(event.answeredBy.followup) });
    if (event.answeredBy.act !== undefined) metrics.acts.inc({ act: labels.acts.of(event.answeredBy.act) });
  }
  for (const check of event.checks) {
    const name = labels.checks.of(check.name);
    metrics.checks.inc({ check: name, status: check.status });
    if (check.ms !== undefined) metrics.checkSeconds.observe({ check: name }, check.ms / 1000);
  }
}

/** The metrics' turn observer: counts at once, and a failure to count is logged, never thrown. */
export function turnObserver(metrics: TurnMetrics, labels: MetricsLabelSets, logger: Logger): TurnObserver {
  return {
    turnEnded(event) {
      try {
        countTurn(metrics, labels, event);
      } catch (error) {
        logger.error({ err: { message: String(error) } }, 'turn not counted in metrics');
      }
    },
  };
}
