import { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../logger.ts';
import { type ActiveJobs, registerActiveJobs } from '../queue/shutdown.ts';
import { TicketDeskUnavailableError } from './ticket-desk.ts';

/**
 * The limiter of a worker that talks to the help desk: at most `ratePerSecond` jobs a second.
 * Besides bounding the requests, a limiter is what makes a 429's pause hold: BullMQ honours
 * `worker.rateLimit` only in a worker that has one (its Lua scripts skip the limiter key without a
 * maximum), so without it the next fetch takes the job again at once, Retry-After or not.
 */
export function deskLimiter(ratePerSecond = 50): { max: number; duration: number } {
  return { max: ratePerSecond, duration: 1_000 };
}

/**
 * When the desk asked to wait (a 429's Retry-After): pauses the whole queue that long and throws
 * BullMQ's RateLimitError, which puts the job back without spending an attempt. Anything else
 * returns, for the caller to handle. The worker must have a `deskLimiter`.
 */
export async function pauseForRetryAfter(worker: Worker, error: unknown): Promise<void> {
  if (error instanceof TicketDeskUnavailableError && error.retryAfterMs > 0) {
    await worker.rateLimit(error.retryAfterMs);
    throw Worker.RateLimitError();
  }
}

/**
 * What every help-desk worker (escalations, hand-off sync, triage) does around its jobs: logs a
 * failed attempt (its reason cut short) and a worker error, drops its own blocking connection once
 * closed, and hands its running jobs back at a stop (src/queue/shutdown.ts).
 */
export function superviseDeskWorker(
  worker: Worker,
  {
    connection,
    active,
    logger,
    name,
  }: { connection: Redis; active: ActiveJobs; logger: Logger; name: string },
): Worker {
  worker.on('failed', (job, error) => {
    if (job)
      logger.warn(
        { jobId: job.id, attempt: job.attemptsMade, reason: error.message.slice(0, 120) },
        `${name} attempt failed`,
      );
  });
  worker.on('error', (error) => logger.error({ err: { message: error.message } }, `${name} worker error`));
  worker.on('closed', () => connection.disconnect());
  registerActiveJobs(worker, active);
  return worker;
}
