import type { ChainableCommander, Redis } from 'ioredis';
import type { TurnEvent } from '../conversations/turn-events.ts';

/**
 * The dashboard's figures, kept as turns happen: one Redis hash per UTC day
 * (`<prefix>:analytics:day:YYYY-MM-DD`) of plain counters, so that reading a period costs one
 * HGETALL per day, however many conversations there were. Field names come from bounded sets
 * (intent ids, escalation reasons, check names): never a customer's words.
 */
export const FIELD = {
  started: 'started',
  turns: 'turns',
  /** Conversations that reached a person this day (a hand-off or a ticket), each counted once. */
  person: 'person',
  misses: 'misses',
  ratingYes: 'rating:yes',
  ratingNo: 'rating:no',
  escalation: (kind: string, reason: string) => `esc:${kind}:${reason}`,
  intent: (intent: string) => `intent:${intent}`,
  checkMs: (name: string) => `check_ms:${name}`,
  checkCount: (name: string) => `check_n:${name}`,
  checkMax: (name: string) => `check_max:${name}`,
} as const;

/** Sets a hash field to a number when it is larger than the one there (a day's slowest check). */
const MAX_FIELD = `
local current = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '-1')
if tonumber(ARGV[2]) > current then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end
return 0`;

/** Counts a field once per marker: the marker is set (NX, with its TTL) and, if new, the field rises. */
const COUNT_ONCE = `
if redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[2]) then
  return redis.call('HINCRBY', KEYS[2], ARGV[1], 1)
end
return 0`;

type CountingPipeline = ChainableCommander & {
  analyticsMax(key: string, field: string, value: number): ChainableCommander;
  analyticsOnce(marker: string, day: string, field: string, ttlSeconds: number): ChainableCommander;
};

/** A day's counters as stored: field to count. */
export type DayCounts = Record<string, number>;

/** The UTC day of a moment, `YYYY-MM-DD`. */
export function dayOf(at: Date | string): string {
  return (typeof at === 'string' ? new Date(at) : at).toISOString().slice(0, 10);
}

/** The `days` UTC days that end with `today`, oldest first. */
export function daysEndingAt(today: Date, days: number): string[] {
  const end = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate());
  return Array.from({ length: days }, (_, index) => dayOf(new Date(end - (days - 1 - index) * 86_400_000)));
}

/** Whether a turn brought a person in: a hand-off, or a ticket for the support team. */
export function reachedPerson(event: Pick<TurnEvent, 'handedOff' | 'escalation'>): boolean {
  return event.handedOff || event.escalation?.kind === 'ticket';
}

export class DayCounters {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    /** How long a day's counters are kept: longer than the longest period the page shows. */
    private readonly ttlSeconds = 400 * 86_400,
  ) {
    if (!('analyticsMax' in redis)) {
      redis.defineCommand('analyticsMax', { numberOfKeys: 1, lua: MAX_FIELD });
      redis.defineCommand('analyticsOnce', { numberOfKeys: 2, lua: COUNT_ONCE });
    }
  }

  /** The hash of one UTC day. */
  keyOf(day: string): string {
    return `${this.prefix}:analytics:day:${day}`;
  }

  /** Counts one finished turn, in one pipelined round trip. */
  async recordTurn(event: TurnEvent): Promise<void> {
    const day = dayOf(event.at);
    const key = this.keyOf(day);
    const pipeline = this.redis.pipeline() as CountingPipeline;
    pipeline.hincrby(key, FIELD.turns, 1);
    if (event.first) pipeline.hincrby(key, FIELD.started, 1);
    if (event.miss) pipeline.hincrby(key, FIELD.misses, 1);
    // A message typed while a person has the conversation was not read by the bot: no intent.
    if (!event.duringHandoff) pipeline.hincrby(key, FIELD.intent(event.intent), 1);
    if (event.escalation)
      pipeline.hincrby(key, FIELD.escalation(event.escalation.kind, event.escalation.reason), 1);
    if (reachedPerson(event)) {
      const marker = `${this.prefix}:analytics:person:${day}:${event.conversationId}`;
      // Two days: the marker outlives the day it guards, then goes.
      pipeline.analyticsOnce(marker, key, FIELD.person, 2 * 86_400);
    }
    for (const check of event.checks) {
      if (check.ms === undefined) continue;
      const ms = Math.round(check.ms);
      pipeline.hincrby(key, FIELD.checkMs(check.name), ms);
      pipeline.hincrby(key, FIELD.checkCount(check.name), 1);
      pipeline.analyticsMax(key, FIELD.checkMax(check.name), ms);
    }
    pipeline.expire(key, this.ttlSeconds);
    await execOrThrow(pipeline);
  }

  /** Counts a customer's answer to "Did this solve it?". */
  async recordRating(solved: boolean, at: Date = new Date()): Promise<void> {
    const key = this.keyOf(dayOf(at));
    const pipeline = this.redis.pipeline();
    pipeline.hincrby(key, solved ? FIELD.ratingYes : FIELD.ratingNo, 1);
    pipeline.expire(key, this.ttlSeconds);
    await execOrThrow(pipeline);
  }

  /** The counters of each day, oldest first: one HGETALL per day, in one pipeline. */
  async read(days: readonly string[]): Promise<{ day: string; counts: DayCounts }[]> {
    const pipeline = this.redis.pipeline();
    for (const day of days) pipeline.hgetall(this.keyOf(day));
    const replies = (await execOrThrow(pipeline)) as Record<string, string>[];
    return days.map((day, index) => ({ day, counts: numbersOf(replies[index] ?? {}) }));
  }
}

function numbersOf(raw: Record<string, string>): DayCounts {
  const counts: DayCounts = {};
  for (const [field, value] of Object.entries(raw)) counts[field] = Number(value);
  return counts;
}

/** A pipeline's replies; the first failed command's error is thrown (a pipeline does not throw by itself). */
async function execOrThrow(pipeline: ChainableCommander): Promise<unknown[]> {
  const results = (await pipeline.exec()) ?? [];
  const failed = results.find(([error]) => error !== null);
  if (failed) throw failed[0];
  return results.map(([, value]) => value);
}
