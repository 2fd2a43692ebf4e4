import { type Job, Queue, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { Logger } from '../logger.ts';
import { blockingDuplicate } from './redis.ts';
import { ActiveJobs, registerActiveJobs } from './shutdown.ts';

/** Turns answered "still checking" whose late answer any service instance may deliver. */
export const TURN_QUEUE = 'turns';

/**
 * How long after a turn was answered "still checking" another process takes it over, when the
 * process that ran the turn has not delivered the answer by then (it died or was stopped).
 * @defaultValue 10000
 */
export const DEFAULT_TAKEOVER_MS = 10_000;

const finishJobSchema = z.strictObject({ conversationId: z.string().max(64), turnId: z.string().max(64) });
type FinishJob = z.infer<typeof finishJobSchema>;

/** What the engine needs of the queue: a safety net per late turn, ids only. */
export interface LateTurnScheduler {
  /** Schedules the takeover of a late turn, in case this process does not finish it itself. */
  schedule(conversationId: string, turnId: string): Promise<void>;
  /** Lets another process take the turn over now (this one is stopping without finishing it). */
  handOver(conversationId: string, turnId: string): Promise<void>;
}

const jobIdOf = (conversationId: string, turnId: string) => `finish__${conversationId}__${turnId}`;

export class TurnQueue implements LateTurnScheduler {
  readonly queue: Queue;

  constructor(
    connection: Redis,
    prefix: string,
    private readonly takeoverMs = DEFAULT_TAKEOVER_MS,
  ) {
    this.queue = new Queue(TURN_QUEUE, {
      connection,
      prefix,
      defaultJobOptions: {
        attempts: 5,
        backoff: { type: 'exponential', delay: 1_000 },
        removeOnComplete: { age: 3_600 },
        removeOnFail: { age: 7 * 86_400 },
      },
    });
  }

  async schedule(conversationId: string, turnId: string): Promise<void> {
    const data: FinishJob = { conversationId, turnId };
    await this.queue.add('finish', data, { jobId: jobIdOf(conversationId, turnId), delay: this.takeoverMs });
  }

  async handOver(conversationId: string, turnId: string): Promise<void> {
    const job = await this.queue.getJob(jobIdOf(conversationId, turnId));
    if (job !== undefined && (await job.isDelayed())) await job.promote();
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}

export interface TurnWorkerOptions {
  connection: Redis;
  prefix: string;
  /** Finishes the turn if nobody has (the engine's `resume`). */
  resume(conversationId: string, turnId: string): Promise<void>;
  logger: Logger;
  /**
   * Late turns finished at once; each mostly waits for its checks.
   * @defaultValue 32
   */
  concurrency?: number;
  /** @defaultValue 10000 */
  lockDurationMs?: number;
  /** @defaultValue 5000 */
  stalledIntervalMs?: number;
}

/** Takes over late turns that the process which ran them did not finish. */
export function startTurnWorker(options: TurnWorkerOptions): Worker {
  const { logger } = options;
  const workerConnection = blockingDuplicate(options.connection);
  // A takeover mostly waits for checks (up to the late-delivery bound): at a stop it goes back to
  // the queue for another instance rather than holding the stop up.
  const active = new ActiveJobs(logger);
  const worker = new Worker(
    TURN_QUEUE,
    active.wrap(async (job: Job) => {
      const parsed = finishJobSchema.safeParse(job.data);
      if (!parsed.success) throw new UnrecoverableError('turn_invalid: the job names no turn');
      await options.resume(parsed.data.conversationId, parsed.data.turnId);
    }),
    {
      connection: workerConnection,
      prefix: options.prefix,
      concurrency: options.concurrency ?? 32,
      lockDuration: options.lockDurationMs ?? 10_000,
      stalledInterval: options.stalledIntervalMs ?? 5_000,
    },
  );
  worker.on('failed', (job, error) => {
    if (job) logger.warn({ jobId: job.id, reason: error.message.slice(0, 120) }, 'late turn not finished');
  });
  worker.on('error', (error) => logger.error({ err: { message: error.message } }, 'turn worker error'));
  worker.on('closed', () => workerConnection.disconnect());
  registerActiveJobs(worker, active);
  return worker;
}
