import type { Redis } from 'ioredis';
import { SLACK_COMMANDS_QUEUE, SLACK_QUEUE } from '../channels/slack/outbox.ts';
import type { Config } from '../config.ts';
import { ownActOf } from '../dialogue/act-reader.ts';
import { loadDialogueOrThrow } from '../dialogue/load.ts';
import { LEXICON_ACTS } from '../dialogue/schema.ts';
import { HANDOFF_SYNC_QUEUE } from '../escalations/handoff-sync.ts';
import { ESCALATION_QUEUE } from '../escalations/queue.ts';
import type { IntentDefinition } from '../intents/load.ts';
import { CHECK_NAMES, OUT_OF_SCOPE } from '../intents/schema.ts';
import type { Logger } from '../logger.ts';
import { CHECK_QUEUE } from '../queue/check-queue.ts';
import { TURN_QUEUE } from '../queue/turn-queue.ts';
import { TRIAGE_QUEUE } from '../triage/queue.ts';
import { CHANNELS, ClosedLabels, ESCALATION_REASONS, HANDED_OFF } from './labels.ts';
import { type MetricsLabelSets, ServiceMetrics } from './service-metrics.ts';

/** The label sets of a service with these intents and the dialogue of `intentsDir`. */
export function metricsLabelSets(intentsDir: string, intents: readonly IntentDefinition[]): MetricsLabelSets {
  const dialogue = loadDialogueOrThrow(intentsDir, intents);
  const ownActs = dialogue.followups.filter((f) => f.examples !== undefined).map((f) => ownActOf(f.id));
  return {
    intents: new ClosedLabels([...intents.map((intent) => intent.id), OUT_OF_SCOPE, HANDED_OFF]),
    channels: new ClosedLabels(CHANNELS),
    checks: new ClosedLabels(CHECK_NAMES),
    escalationReasons: new ClosedLabels(ESCALATION_REASONS),
    followups: new ClosedLabels(dialogue.followups.map((followup) => followup.id)),
    acts: new ClosedLabels([...Object.keys(dialogue.acts), ...LEXICON_ACTS, ...ownActs]),
  };
}

/** Every BullMQ queue of the service (those of Slack and triage count zero when unused). */
export const QUEUE_NAMES: readonly string[] = [
  CHECK_QUEUE,
  TURN_QUEUE,
  ESCALATION_QUEUE,
  HANDOFF_SYNC_QUEUE,
  TRIAGE_QUEUE,
  SLACK_QUEUE,
  SLACK_COMMANDS_QUEUE,
];

/**
 * The service's metrics when they are served (METRICS_TOKEN or METRICS_PORT set), else none; the
 * queues are counted on `queueConnection` (BullMQ's connection).
 */
export function serviceMetricsOf(
  config: Config,
  intents: readonly IntentDefinition[],
  logger: Logger,
  queueConnection: Redis,
): ServiceMetrics | undefined {
  if (config.METRICS_TOKEN === undefined && config.METRICS_PORT === undefined) return undefined;
  const metrics = new ServiceMetrics(metricsLabelSets(config.INTENTS_DIR, intents), logger);
  metrics.watchQueues({ connection: queueConnection, prefix: config.QUEUE_PREFIX, names: QUEUE_NAMES });
  return metrics;
}
