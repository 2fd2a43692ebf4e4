import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import type { ReconnectDecisionOutcome } from '../channels/slack/jobs/deps.ts';
import type { TurnObserver } from '../conversations/turn-events.ts';
import type { SecondReaderCounts, SecondReadingFailure } from '../llm/second-reader.ts';
import type { Logger } from '../logger.ts';
import type { ClosedLabels } from './labels.ts';
import { QueueGauges, type QueueSource } from './queues.ts';
import { turnObserver } from './turn-observer.ts';

/** The closed label sets of the service's metrics, from its intents and dialogue data. */
export interface MetricsLabelSets {
  intents: ClosedLabels;
  channels: ClosedLabels;
  checks: ClosedLabels;
  escalationReasons: ClosedLabels;
  followups: ClosedLabels;
  acts: ClosedLabels;
}

/** Seconds: a turn waits up to CHECK_WAIT_MS (5 s by default) before it answers late. */
const TURN_BUCKETS = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const CHECK_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** The counters and histograms a turn moves. */
function turnMetrics(registry: Registry) {
  const registers = [registry];
  return {
    turns: new Counter({
      name: 'onebalance_turns_total',
      help: 'Customer messages answered (or kept during a hand-off), by channel, intent and reader.',
      labelNames: ['channel', 'intent', 'reader'] as const,
      registers,
    }),
    misses: new Counter({
      name: 'onebalance_misses_total',
      help: 'Turns the bot did not understand.',
      labelNames: ['channel'] as const,
      registers,
    }),
    clarifications: new Counter({
      name: 'onebalance_clarifications_total',
      help: 'Questions which of two topics was meant: asked, and answered by the customer.',
      labelNames: ['event'] as const,
      registers,
    }),
    escalations: new Counter({
      name: 'onebalance_escalations_total',
      help: 'Escalations (a ticket, or the Stamps phone line) by kind and reason.',
      labelNames: ['kind', 'reason'] as const,
      registers,
    }),
    handoffs: new Counter({
      name: 'onebalance_handoffs_total',
      help: 'Conversations a person took over.',
      labelNames: ['channel'] as const,
      registers,
    }),
    resolved: new Counter({
      name: 'onebalance_resolved_answers_total',
      help: "Answers that resolve the customer's topic as the bot sees it, by intent.",
      labelNames: ['intent'] as const,
      registers,
    }),
    followups: new Counter({
      name: 'onebalance_followups_total',
      help: 'Turns answered by a follow-up of intents/dialogue/, by follow-up id.',
      labelNames: ['followup'] as const,
      registers,
    }),
    acts: new Counter({
      name: 'onebalance_acts_total',
      help: 'Dialogue acts read in turns a follow-up answered.',
      labelNames: ['act'] as const,
      registers,
    }),
    turnSeconds: new Histogram({
      name: 'onebalance_turn_duration_seconds',
      help: 'Time from a message to its saved answer.',
      labelNames: ['channel'] as const,
      buckets: TURN_BUCKETS,
      registers,
    }),
    checks: new Counter({
      name: 'onebalance_checks_total',
      help: 'Account checks run by turns, by check and status.',
      labelNames: ['check', 'status'] as const,
      registers,
    }),
    checkSeconds: new Histogram({
      name: 'onebalance_check_duration_seconds',
      help: 'Time of the account checks that answered, by check.',
      labelNames: ['check'] as const,
      buckets: CHECK_BUCKETS,
      registers,
    }),
  };
}

export type TurnMetrics = ReturnType<typeof turnMetrics>;

const MODEL_OUTCOMES = ['answered', 'timeout', 'unavailable', 'invalid', 'circuit_open'] as const;

/**
 * The service's Prometheus metrics, in a registry of their own (not prom-client's global one):
 * Node's default metrics, and ours (`onebalance_*`), every label from a closed set and none
 * carrying customer data. Counts kept elsewhere (BullMQ's queues, the model reader) are read when
 * scraped.
 */
export class ServiceMetrics {
  readonly registry = new Registry();
  /** Told of every finished turn; it only increments counters. */
  readonly observer: TurnObserver;
  private readonly webhooks: Counter<'source' | 'status'>;
  private readonly reconnects: Counter<'decision' | 'outcome'>;
  private queueGauges: QueueGauges | undefined;

  constructor(labels: MetricsLabelSets, logger: Logger) {
    collectDefaultMetrics({ register: this.registry });
    this.observer = turnObserver(turnMetrics(this.registry), labels, logger);
    const registers = [this.registry];
    this.webhooks = new Counter({
      name: 'onebalance_webhook_requests_total',
      help: 'Requests to the Slack and Zendesk webhooks, by source and HTTP status class.',
      labelNames: ['source', 'status'] as const,
      registers,
    });
    this.reconnects = new Counter({
      name: 'onebalance_reconnect_decisions_total',
      help: "Agents' reconnect decisions in Slack, by decision and how they ended.",
      labelNames: ['decision', 'outcome'] as const,
      registers,
    });
  }

  /** A webhook request answered with `status` (Slack's or Zendesk's). */
  webhookAnswered(source: 'slack' | 'zendesk', status: number): void {
    this.webhooks.inc({ source, status: `${Math.floor(status / 100)}xx` });
  }

  /** An agent's reconnect decision ended (src/channels/slack/jobs/decide-job.ts); bound, to pass as is. */
  readonly reconnectDecided = (decision: 'approve' | 'deny', outcome: ReconnectDecisionOutcome): void => {
    this.reconnects.inc({ decision, outcome });
  };

  /** Job counts of these queues, read from BullMQ at each scrape (bounded in time). */
  watchQueues(source: QueueSource): void {
    this.queueGauges = new QueueGauges(this.registry, source);
  }

  /** The model reader's calls by outcome, read from its counts at each scrape. */
  watchModel(counts: () => SecondReaderCounts): void {
    const seen = { answered: 0, timeout: 0, unavailable: 0, invalid: 0, circuit_open: 0 };
    const requests = new Counter({
      name: 'onebalance_model_requests_total',
      help: 'Second readings asked of the language model, by outcome (all but answered fall back to the local reading).',
      labelNames: ['outcome'] as const,
      registers: [this.registry],
      collect() {
        const now = counts();
        for (const outcome of MODEL_OUTCOMES) {
          const total = outcome === 'answered' ? now.answered : now.failures[outcome as SecondReadingFailure];
          if (total > seen[outcome]) this.inc({ outcome }, total - seen[outcome]);
          seen[outcome] = total;
        }
      },
    });
    // Every outcome present from the start: an alert on a rate needs the series before it moves.
    for (const outcome of MODEL_OUTCOMES) requests.inc({ outcome }, 0);
  }

  /** The exposition text and its content type. */
  async exposition(): Promise<{ contentType: string; text: string }> {
    return { contentType: this.registry.contentType, text: await this.registry.metrics() };
  }

  async close(): Promise<void> {
    await this.queueGauges?.close();
  }
}
