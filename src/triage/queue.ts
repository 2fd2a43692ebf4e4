import { type Job, Queue, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { deskLimiter, pauseForRetryAfter, superviseDeskWorker } from '../escalations/desk-worker.ts';
import type { Logger } from '../logger.ts';
import { blockingDuplicate } from '../queue/redis.ts';
import { ActiveJobs } from '../queue/shutdown.ts';
import { TicketDeskRejectedError } from './desk.ts';
import type { TicketTriage } from './triage.ts';

export const TRIAGE_QUEUE = 'triage';

/** Attempts per triage: transient failures (5xx, timeouts, checks that did not answer) retry with backoff. */
export const TRIAGE_ATTEMPTS = 8;

export interface TriageJob {
  ticketId: string;
  /** What asked for it (the webhook's event), for logs. */
  reason: string;
}

/**
 * `triage:<ticket id>:<rules version>`. BullMQ refuses custom ids with a ':' unless they have
 * exactly three parts (its own repeat-job form), which this has: the ticket id is digits and the
 * version has no ':' (config.ts).
 */
export function triageJobId(ticketId: string, version: string): string {
  return `triage:${ticketId}:${version}`;
}

/** Where the webhook sends tickets to triage; a job carries the ticket id only. */
export class TriageQueue {
  readonly queue: Queue;

  constructor(
    connection: Redis,
    prefix: string,
    readonly version: string,
  ) {
    this.queue = new Queue(TRIAGE_QUEUE, {
      connection,
      prefix,
      defaultJobOptions: {
        attempts: TRIAGE_ATTEMPTS,
        backoff: { type: 'exponential', delay: 1_000 },
        // Kept for a month: while a ticket's job is kept, asking again for it adds nothing.
        removeOnComplete: { age: 30 * 86_400 },
        removeOnFail: { age: 30 * 86_400 },
      },
    });
  }

  /** One job per ticket and rules version: asking twice (a retried or second webhook) adds one. */
  async request(ticketId: string, reason: string): Promise<void> {
    const data: TriageJob = { ticketId, reason };
    await this.queue.add('triage', data, { jobId: triageJobId(ticketId, this.version) });
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}

export interface TriageWorkerOptions {
  connection: Redis;
  prefix: string;
  triage: TicketTriage;
  logger: Logger;
  /** @defaultValue 8 */
  concurrency?: number;
  /**
   * At most this many triages a second (the queue's `deskLimiter`, which also makes a 429's pause
   * hold).
   * @defaultValue 50
   */
  ratePerSecond?: number;
  /** Lock time of a running triage; see the escalation worker's. @defaultValue 10000 */
  lockDurationMs?: number;
  /** @defaultValue 5000 */
  stalledIntervalMs?: number;
  /**
   * Stalls a triage survives before it fails: a re-run writes no second note (the marker), so a
   * few are safe; bounded for a job that kills every worker that takes it.
   * @defaultValue 3
   */
  maxStalledCount?: number;
}

/**
 * Runs the triages. A ticket that no longer exists, or a request Zendesk refuses, ends the job at
 * once; a 429 pauses the queue for its Retry-After without spending an attempt; anything else
 * (5xx, a timeout, checks that did not answer) retries with backoff, and the last attempt writes
 * the note with what it has.
 */
export function startTriageWorker(options: TriageWorkerOptions): Worker {
  const { connection, prefix, triage, logger } = options;
  const workerConnection = blockingDuplicate(connection);
  const active = new ActiveJobs(logger);
  const worker: Worker = new Worker(
    TRIAGE_QUEUE,
    active.wrap(async (job: Job<TriageJob>) => {
      const ticketId = String(job.data?.ticketId ?? '');
      if (!/^\d{1,20}$/.test(ticketId))
        throw new UnrecoverableError('triage_invalid: the job has no ticket id');
      const last = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      try {
        const result = await triage.run(ticketId, { acceptIncomplete: last });
        return { status: result.status };
      } catch (error) {
        // A ticket that no longer exists is one of the refusals (TicketNotFoundError).
        if (error instanceof TicketDeskRejectedError)
          throw new UnrecoverableError(`${error.code}: ${error.message}`);
        await pauseForRetryAfter(worker, error);
        throw error;
      }
    }),
    {
      connection: workerConnection,
      prefix,
      concurrency: options.concurrency ?? 8,
      limiter: deskLimiter(options.ratePerSecond),
      lockDuration: options.lockDurationMs ?? 10_000,
      stalledInterval: options.stalledIntervalMs ?? 5_000,
      maxStalledCount: options.maxStalledCount ?? 3,
    },
  );
  return superviseDeskWorker(worker, { connection: workerConnection, active, logger, name: 'triage' });
}
