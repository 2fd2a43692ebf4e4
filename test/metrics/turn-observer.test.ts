import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import type { TurnEvent } from '../../src/conversations/turn-events.ts';
import { loadIntentsOrThrow } from '../../src/intents/load.ts';
import { ServiceMetrics } from '../../src/metrics/service-metrics.ts';
import { metricsLabelSets } from '../../src/metrics/setup.ts';
import { understanderFor } from '../../src/nlu/understand.ts';
import {
  type CheckRuntime,
  type ConversationRuntime,
  createEngine,
  openConversations,
  startCheckRuntime,
} from '../../src/runtime.ts';
import { capturingLogger } from '../helpers/logs.ts';
import { deleteKeysUnder, REDIS_URL, uniquePrefix } from '../helpers/redis.ts';
import { turnEvent } from '../helpers/turn-event.ts';

const config = loadConfig({ REDIS_URL, QUEUE_PREFIX: uniquePrefix('metrics-observer'), LOG_LEVEL: 'silent' });
const intents = loadIntentsOrThrow(config.INTENTS_DIR);

function metricsFor(logger = capturingLogger().logger): ServiceMetrics {
  return new ServiceMetrics(metricsLabelSets(config.INTENTS_DIR, intents), logger);
}

describe('the metrics turn observer', () => {
  it('logs an event it cannot count instead of throwing', async () => {
    const { logger, lines } = capturingLogger();
    const metrics = metricsFor(logger);
    const broken = { channel: 'web', intent: 'greeting', reader: 'local', turnMs: 5 } as unknown as TurnEvent;
    expect(() => metrics.observer.turnEnded(broken)).not.toThrow();
    expect(lines()).toContain('turn not counted in metrics');
  });

  it('counts labels outside their closed sets as other', async () => {
    const metrics = metricsFor();
    metrics.observer.turnEnded(
      turnEvent({
        conversationId: 'c1',
        turnId: 't1',
        channel: 'carrier-pigeon',
        first: true,
        text: 'secret words',
        intent: 'made_up_intent',
        confidence: 0.4,
        escalation: { kind: 'ticket', reason: 'a reason nobody knows' },
        answeredBy: { followup: 'no.such.followup', act: 'no_such_act' },
        turnMs: 12,
        checks: [{ name: 'account.unheard_of', status: 'ok', ms: 3 }],
      }),
    );
    const text = (await metrics.exposition()).text;
    expect(text).toContain('onebalance_turns_total{channel="other",intent="other",reader="local"} 1');
    expect(text).toContain('onebalance_escalations_total{kind="ticket",reason="other"} 1');
    expect(text).toContain('onebalance_followups_total{followup="other"} 1');
    expect(text).toContain('onebalance_acts_total{act="other"} 1');
    expect(text).toContain('onebalance_checks_total{check="other",status="ok"} 1');
    expect(text).not.toContain('secret');
  });
});

describe('an observer that throws, in the real engine', () => {
  let runtime: CheckRuntime;
  let conversations: ConversationRuntime;
  const { logger, lines } = capturingLogger();

  beforeAll(async () => {
    runtime = await startCheckRuntime(config, logger, true);
    conversations = openConversations(config, logger, runtime, false, { intents });
  });
  afterAll(async () => {
    await conversations.close(0);
    await runtime.close(0);
    await deleteKeysUnder(config.QUEUE_PREFIX);
  });

  it('never fails the turn, and the observers after it are still told', async () => {
    const metrics = metricsFor();
    const engine = createEngine(config, logger, {
      understander: understanderFor(config, intents),
      intents,
      store: conversations.store,
      checks: runtime.queue,
      escalations: conversations.escalations.queue,
      observers: [
        {
          turnEnded() {
            throw new Error('observer bug');
          },
        },
        metrics.observer,
      ],
    });
    const { state } = await engine.start({ email: 'active@demo.test' });
    const turn = await engine.handle({ conversationId: state.id, text: 'what plan am I on?' });
    expect(turn.intent).toBe('first_class_plan');
    expect(turn.messages.length).toBeGreaterThan(0);
    expect(lines()).toContain('turn observer failed');
    const text = (await metrics.exposition()).text;
    expect(text).toContain(
      'onebalance_turns_total{channel="web",intent="first_class_plan",reader="local"} 1',
    );
    await engine.drain();
  });
});
