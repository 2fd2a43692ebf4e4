import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DayCounters, dayOf, daysEndingAt } from '../../src/analytics/day-counters.ts';
import { readStats, type Stats, statsOf } from '../../src/analytics/stats.ts';
import type { TurnEvent } from '../../src/conversations/turn-events.ts';
import type { Service } from '../../src/http/server.ts';
import { identityOf } from '../helpers/identity.ts';
import { deleteKeysUnder, REDIS_URL, uniquePrefix } from '../helpers/redis.ts';
import { startTestService } from '../helpers/service.ts';
import { turnEvent } from '../helpers/turn-event.ts';

const prefix = uniquePrefix('day-counters');
let service: Service;
let redis: Redis;
let counters: DayCounters;

beforeAll(async () => {
  service = await startTestService(prefix);
  redis = new Redis(REDIS_URL);
  counters = new DayCounters(redis, prefix);
});
afterAll(async () => {
  await service.close();
  redis.disconnect();
  await deleteKeysUnder(prefix);
});

async function post(path: string, body: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${service.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status).toBeLessThan(300);
  return (await response.json()) as Record<string, unknown>;
}

/** A conversation (signed in as `email` when given) and its messages, one turn each. */
async function converse(email: string | null, texts: readonly string[]): Promise<void> {
  const start = await post('/api/conversations', email ? { email, identity: identityOf(email) } : {});
  for (const text of texts) await post(`/api/conversations/${start.id}/messages`, { text });
}

/** The counters are written after each turn returns: today's figures once `turns` have landed. */
async function statsAfter(turns: number): Promise<Stats> {
  for (let tries = 0; ; tries++) {
    const stats = await readStats(counters, 1);
    if (stats.totals.turns >= turns || tries > 50) return stats;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('the day counters, kept as turns happen', () => {
  it('count conversations, turns, intents, escalations, a person once per conversation, misses and check times', async () => {
    await converse('active@demo.test', ['what plan am I on?', 'is my account connected?']);
    await converse('disconnected@demo.test', [
      'my one balance account is not showing on the carriers page',
      'yes',
      'I want to talk to a human',
    ]);
    await converse('review@demo.test', ['my account is suspended']);
    await converse(null, ['qwzx vbnm plkj']);
    const stats = await statsAfter(7);

    expect(stats.days).toBe(1);
    expect(stats.to).toBe(dayOf(new Date()));
    expect(stats.totals).toMatchObject({ started: 4, turns: 7, reachedPerson: 1, contained: 3 });
    expect(stats.totals.containment).toBeCloseTo(0.75);
    expect(stats.totals.misses).toBeGreaterThanOrEqual(1);
    const intents = Object.fromEntries(stats.intents.map((each) => [each.intent, each.count]));
    expect(intents).toMatchObject({ first_class_plan: 1, reconnect_account: 3, explain_suspension: 1 });
    expect(stats.escalations).toEqual(
      expect.arrayContaining([
        { kind: 'ticket', reason: 'reconnect_request', count: 1 },
        { kind: 'phone', reason: 'compliance_review', count: 1 },
      ]),
    );
    const plan = stats.checks.find((check) => check.name === 'account.plan');
    expect(plan?.count).toBe(1);
    expect(plan?.maxMs).toBeGreaterThanOrEqual(plan?.meanMs ?? 0);
    // Slowest first.
    const means = stats.checks.map((check) => check.meanMs);
    expect(means).toEqual([...means].sort((a, b) => b - a));
    expect(stats.perDay).toEqual([{ day: dayOf(new Date()), started: 4, turns: 7, reachedPerson: 1 }]);
  });

  it('keep no customer words: every field is a counter name from a bounded set', async () => {
    const fields = Object.keys(await redis.hgetall(counters.keyOf(dayOf(new Date()))));
    for (const field of fields)
      expect(field).toMatch(
        /^(started|turns|person|misses|rating:(yes|no)|esc:\w+:[\w:.]+|intent:\w+|check_(ms|n|max):[\w.]+)$/,
      );
    expect(fields.join(' ')).not.toMatch(/qwzx|demo\.test/);
  });

  it('keep each day for 400 days, and read a period as one hash per day', async () => {
    const ttl = await redis.ttl(counters.keyOf(dayOf(new Date())));
    expect(ttl).toBeGreaterThan(399 * 86_400);
    expect(daysEndingAt(new Date('2024-03-02T10:00:00Z'), 3)).toEqual([
      '2024-02-29',
      '2024-03-01',
      '2024-03-02',
    ]);
    const week = await readStats(counters, 7);
    expect(week.perDay).toHaveLength(7);
    expect(week.totals.started).toBe(4);
  });
});

describe('DayCounters.recordTurn', () => {
  const event = (conversationId: string, at: string, more: Partial<TurnEvent> = {}): TurnEvent =>
    turnEvent({ conversationId, at, intent: 'talk_to_human', confidence: 1, ...more });

  it('counts a conversation that reached a person once per UTC day, whatever the turns', async () => {
    const own = new DayCounters(redis, `${prefix}:once`);
    const handoff = { handedOff: true, escalation: { kind: 'ticket' as const, reason: 'customer_asked' } };
    await own.recordTurn(event('c_a', '2024-01-01T10:00:00Z', handoff));
    await own.recordTurn(event('c_a', '2024-01-01T23:59:00Z', handoff));
    await own.recordTurn(event('c_b', '2024-01-01T12:00:00Z', { escalation: handoff.escalation }));
    await own.recordTurn(event('c_a', '2024-01-02T00:01:00Z', handoff));
    // A phone number to call is not a person of ours.
    await own.recordTurn(
      event('c_c', '2024-01-02T00:02:00Z', { escalation: { kind: 'phone', reason: 'x' } }),
    );
    const [first, second] = await own.read(['2024-01-01', '2024-01-02']);
    expect(first?.counts).toMatchObject({ person: 2, turns: 3, 'esc:ticket:customer_asked': 3 });
    expect(second?.counts).toMatchObject({ person: 1, turns: 2 });
  });

  it('keeps a mean and the largest time per check', async () => {
    const own = new DayCounters(redis, `${prefix}:max`);
    const at = '2024-01-03T10:00:00Z';
    await own.recordTurn(event('c_a', at, { checks: [{ name: 'account.plan', status: 'ok', ms: 30 }] }));
    await own.recordTurn(event('c_a', at, { checks: [{ name: 'account.plan', status: 'ok', ms: 90 }] }));
    await own.recordTurn(event('c_a', at, { checks: [{ name: 'account.plan', status: 'ok', ms: 60.4 }] }));
    const stats = statsOf(await own.read(['2024-01-03']));
    expect(stats.checks).toEqual([{ name: 'account.plan', count: 3, meanMs: 60, maxMs: 90 }]);
  });
});
