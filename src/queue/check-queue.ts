import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { Job, Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import { CHECKS } from '../checks/index.ts';
import type { ReconnectDecisionTarget } from '../checks/reconnect-decision.ts';
import type { CheckName } from '../intents/schema.ts';
import { raceTimeout } from '../timeout.ts';
import { blockingDuplicate } from './redis.ts';

/** The queue's name; its keys live under the configured prefix. */
export const CHECK_QUEUE = 'checks';

/** What a check runs on: its input (an account, an email, or an agent's decision on a request). */
export type CheckTarget = { accountId: string } | { email: string } | ReconnectDecisionTarget;

/**
 * A job's data: the asking request, and the check's input apart from it (an input may have a
 * `requestId` of its own: a reconnect request's). Jobs of earlier versions carry the input's fields
 * beside `requestId` instead; workers read both.
 */
export interface CheckJobData {
  requestId: string;
  input: CheckTarget;
}

export interface CheckRequest {
  check: CheckName;
  target: CheckTarget;
  /** The conversation turn or command run; a repeated request within it runs once. */
  requestId: string;
}

export interface CheckFailure {
  code: string;
  message: string;
}

export type CheckOutcome =
  | { check: CheckName; jobId: string; status: 'ok'; result: unknown }
  | { check: CheckName; jobId: string; status: 'failed'; error: CheckFailure }
  | { check: CheckName; jobId: string; status: 'pending' };

export interface CheckQueueOptions {
  /** Redis key prefix; `{name}` (a hash tag) keeps a queue's keys in one Redis Cluster slot. */
  prefix: string;
  /**
   * How long `run` waits before answering `pending`.
   * @defaultValue 5000
   */
  waitMs: number;
  /**
   * How long a pending check is still followed for late delivery.
   * @defaultValue 600000
   */
  lateDeliveryMs: number;
  /**
   * Attempts per job (transient failures retry with exponential backoff).
   * @defaultValue 4
   */
  attempts: number;
  /**
   * First retry delay; it doubles with each attempt.
   * @defaultValue 250
   */
  backoffMs: number;
}

/** Worker failures arrive as "code: message" (see check-worker.ts). */
export function parseFailure(reason: string): CheckFailure {
  const match = /^([a-z_]+): ([\s\S]*)$/.exec(reason);
  return match
    ? { code: match[1] as string, message: match[2] as string }
    : { code: 'internal_error', message: reason };
}

const digest = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 16);

/** An id as a part of a job id: as it is when plain and short, else its digest (no ":", bounded length). */
function jobIdPart(id: string): string {
  return /^[A-Za-z0-9_.-]{1,64}$/.test(id) ? id : `h${digest(id)}`;
}

/**
 * What the check is on, for its job id: the account; an email's digest; for a decision, the
 * account, the reconnect request and the decision (approve and deny in one request are two jobs:
 * the second must meet the first's outcome, not be merged into it).
 */
function subjectOf(target: CheckTarget): string {
  if ('decision' in target) return `${target.accountId}.${jobIdPart(target.requestId)}.${target.decision}`;
  if ('accountId' in target) return target.accountId;
  return `e${digest(target.email.toLowerCase())}`;
}

/** Job ids cannot contain ':' and should not carry an email: name, subject, request. */
export function checkJobId({ check, target, requestId }: CheckRequest): string {
  return `${check}__${subjectOf(target)}__${requestId.replace(/[^A-Za-z0-9_.-]/g, '_')}`;
}

/** What callers (the engine, the check command) need of the check queue. */
export interface CheckRunner {
  run(requests: readonly CheckRequest[], waitMs?: number): Promise<CheckOutcome[]>;
}

/** How a job ended: its return value, or the reason of its last failed attempt. */
type Finish = { ok: true; value: unknown } | { ok: false; reason: string };

/**
 * Enqueues account checks and awaits them with a time bound. A check still running when the bound
 * passes is reported `pending`, and its outcome is emitted on `settled` when it lands.
 */
export class CheckQueue implements CheckRunner {
  readonly queue: Queue;
  private readonly events: QueueEvents;
  /** QueueEvents blocks on its connection, so it gets its own; BullMQ does not close given ones. */
  private readonly eventsConnection: Redis;
  private readonly options: CheckQueueOptions;
  private readonly late = new EventEmitter();
  /** Callers awaiting each job id, settled from the queue's event stream. */
  private readonly waiting = new Map<string, Set<(finish: Finish) => void>>();

  constructor(connection: Redis, options: Pick<CheckQueueOptions, 'prefix'> & Partial<CheckQueueOptions>) {
    this.options = { waitMs: 5_000, lateDeliveryMs: 600_000, attempts: 4, backoffMs: 250, ...options };
    this.queue = new Queue(CHECK_QUEUE, {
      connection,
      prefix: this.options.prefix,
      defaultJobOptions: {
        attempts: this.options.attempts,
        backoff: { type: 'exponential', delay: this.options.backoffMs },
        // Kept long enough to be awaited (and deduplicated), then removed by age. `true` would race
        // waitUntilFinished.
        removeOnComplete: { age: 3_600, count: 50_000 },
        removeOnFail: { age: 24 * 3_600 },
      },
    });
    this.eventsConnection = blockingDuplicate(connection);
    this.events = new QueueEvents(CHECK_QUEUE, {
      connection: this.eventsConnection,
      prefix: this.options.prefix,
    });
    // One listener per event kind for all awaited jobs, rather than BullMQ's waitUntilFinished: that
    // adds listeners per job and asks Redis whether the job already finished, a round trip per check
    // that is not needed when the waiter is registered before the job is added.
    this.events.on('completed', ({ jobId, returnvalue }) =>
      this.settle(jobId, { ok: true, value: returnvalue }),
    );
    this.events.on('failed', ({ jobId, failedReason }) =>
      this.settle(jobId, { ok: false, reason: failedReason }),
    );
    // The id was taken (the same request again): that job may have finished before anyone listened.
    this.events.on('duplicated', ({ jobId }) => {
      if (this.waiting.has(jobId)) void this.settleIfFinished(jobId);
    });
  }

  async ready(): Promise<void> {
    await Promise.all([this.queue.waitUntilReady(), this.events.waitUntilReady()]);
  }

  /** Adds the job; a job with the same id (same check, subject and request) is not added twice. */
  async enqueue(request: CheckRequest): Promise<Job> {
    const check = CHECKS[request.check];
    // Refuse bad input here, where the caller can be told, rather than in a worker.
    check.parseInput(request.target);
    const data: CheckJobData = { requestId: request.requestId, input: request.target };
    return this.queue.add(request.check, data, { jobId: checkJobId(request) });
  }

  /** Runs the checks in parallel and answers once all finished or `waitMs` passed. */
  async run(requests: readonly CheckRequest[], waitMs = this.options.waitMs): Promise<CheckOutcome[]> {
    return Promise.all(requests.map((request) => this.runOne(request, waitMs)));
  }

  private async runOne(request: CheckRequest, waitMs: number): Promise<CheckOutcome> {
    const jobId = checkJobId(request);
    const base = { check: request.check, jobId };
    // Listening before the job exists, so that its end cannot be missed.
    const finished = this.awaitFinish(jobId, this.options.lateDeliveryMs);
    try {
      await this.enqueue(request);
    } catch (error) {
      finished.cancel();
      throw error;
    }
    const settled: Promise<CheckOutcome | undefined> = finished.promise.then((finish) => {
      if (finish === undefined) return undefined;
      return finish.ok
        ? { ...base, status: 'ok' as const, result: finish.value }
        : { ...base, status: 'failed' as const, error: parseFailure(finish.reason) };
    });
    const outcome = await raceTimeout(settled, waitMs, 'pending' as const);
    if (outcome !== 'pending' && outcome !== undefined) return outcome;
    // Answered pending: the outcome, when it lands, goes to the late listeners instead.
    void settled.then((late) => {
      if (late !== undefined) this.late.emit('settled', late);
    });
    return { ...base, status: 'pending' };
  }

  /** Resolves when job `jobId` completes or finally fails; with undefined after `ttlMs`. */
  private awaitFinish(
    jobId: string,
    ttlMs: number,
  ): { promise: Promise<Finish | undefined>; cancel(): void } {
    let waiter: ((finish: Finish | undefined) => void) | undefined;
    let timer: NodeJS.Timeout | undefined;
    const promise = new Promise<Finish | undefined>((resolve) => {
      waiter = resolve;
    });
    const done = (finish: Finish | undefined) => {
      clearTimeout(timer);
      const set = this.waiting.get(jobId);
      set?.delete(done);
      if (set?.size === 0) this.waiting.delete(jobId);
      waiter?.(finish);
    };
    let set = this.waiting.get(jobId);
    if (set === undefined) {
      set = new Set();
      this.waiting.set(jobId, set);
    }
    set.add(done);
    timer = setTimeout(() => done(undefined), ttlMs);
    timer.unref();
    return { promise, cancel: () => done(undefined) };
  }

  private settle(jobId: string, finish: Finish): void {
    for (const waiter of [...(this.waiting.get(jobId) ?? [])]) waiter(finish);
  }

  /** Settles the waiters of an existing job that has already finished (others wait for its event). */
  private async settleIfFinished(jobId: string): Promise<void> {
    try {
      // The state first, then the job: read the other way round, a job that finishes between the
      // two reads looks completed with the return value it had while running (null).
      const state = await this.queue.getJobState(jobId);
      if (state !== 'completed' && state !== 'failed') return;
      const job = await Job.fromId(this.queue, jobId);
      if (job === undefined) return;
      if (state === 'completed') this.settle(jobId, { ok: true, value: job.returnvalue });
      else this.settle(jobId, { ok: false, reason: job.failedReason });
    } catch {
      // Redis unreachable: the waiters keep their time bound and answer pending.
    }
  }

  /** Calls `listener` with the outcome of every check that was answered `pending` and has now landed. */
  onSettled(listener: (outcome: CheckOutcome) => void): () => void {
    this.late.on('settled', listener);
    return () => this.late.off('settled', listener);
  }

  /** Workers connected to this queue, in any process or machine. */
  workerCount(): Promise<number> {
    return this.queue.getWorkersCount();
  }

  async close(): Promise<void> {
    await Promise.all([this.events.close(), this.queue.close()]);
    this.eventsConnection.disconnect();
  }
}
