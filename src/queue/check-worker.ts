import { type Job, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { AccountBackend } from '../accounts/model.ts';
import { CheckInputError } from '../checks/check.ts';
import { CHECKS, isCheckName } from '../checks/index.ts';
import { AccountNotFoundError, asCodedError, BackendRejectedError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { CHECK_QUEUE } from './check-queue.ts';
import { blockingDuplicate } from './redis.ts';
import { ActiveJobs, registerActiveJobs } from './shutdown.ts';

export { closeWorker } from './shutdown.ts';

export interface CheckWorkerOptions {
  connection: Redis;
  prefix: string;
  backend: AccountBackend;
  logger: Logger;
  /**
   * Jobs processed at once by this worker.
   * @defaultValue 16
   */
  concurrency: number;
  /**
   * At most this many checks per second from this worker, to protect the backend.
   * @defaultValue 200
   */
  ratePerSecond: number;
  /**
   * Lock time of an active job (renewed while it runs); a worker that dies leaves its jobs to be
   * taken over once it lapses. With `stalledIntervalMs`, at most 15 s pass before a takeover.
   * @defaultValue 10000
   */
  lockDurationMs: number;
  /**
   * How often stalled jobs (their worker died) are looked for.
   * @defaultValue 5000
   */
  stalledIntervalMs: number;
  /**
   * Stalls a job survives before it fails. Above BullMQ's 1 because a re-run is safe (mutations
   * carry the job's idempotency key) and short locks make a stall from a busy, not dead, worker
   * likelier; still bounded, so a job that kills every worker that takes it ends.
   * @defaultValue 3
   */
  maxStalledCount: number;
}

/** Failures a retry cannot fix. */
function isPermanent(error: unknown): boolean {
  return (
    error instanceof AccountNotFoundError ||
    error instanceof BackendRejectedError ||
    error instanceof CheckInputError
  );
}

/**
 * The asking request and the check's input of a job: `{ requestId, input }`, or, from versions
 * before inputs had fields of their own named `requestId`, the input's fields beside `requestId`.
 */
function jobInput(data: unknown): { requestId: unknown; input: unknown } {
  const { requestId, input, ...legacy } = (data ?? {}) as { requestId?: unknown; input?: unknown };
  return { requestId, input: input ?? legacy };
}

/** Job data never holds secrets; logs hold even less: ids and outcomes only. */
function jobFields(job: Job) {
  return { jobId: job.id, check: job.name, attempt: job.attemptsMade + 1 };
}

/** Starts a worker that runs account checks from the queue against `backend`. */
export function startCheckWorker(
  options: Pick<CheckWorkerOptions, 'connection' | 'prefix' | 'backend' | 'logger'> &
    Partial<CheckWorkerOptions>,
): Worker {
  const {
    connection,
    prefix,
    backend,
    logger,
    concurrency = 16,
    ratePerSecond = 200,
    lockDurationMs = 10_000,
    stalledIntervalMs = 5_000,
    maxStalledCount = 3,
  } = options;
  // Workers block on their connection: a duplicate of their own, closed with them (BullMQ leaves
  // connections it is given open).
  const workerConnection = blockingDuplicate(connection);
  const active = new ActiveJobs(logger);
  const worker = new Worker(
    CHECK_QUEUE,
    active.wrap(async (job: Job) => {
      if (!isCheckName(job.name)) throw new UnrecoverableError(`check_invalid: unknown check ${job.name}`);
      const { requestId, input } = jobInput(job.data);
      if (typeof requestId !== 'string' || job.id === undefined)
        throw new UnrecoverableError('check_invalid: the job has no request id');
      try {
        // The job id is deterministic per check, subject and request (checkJobId): the same for
        // every attempt and for whichever worker runs it, hence the mutation's idempotency key.
        return await CHECKS[job.name].execute(backend, input, { requestId, idempotencyKey: job.id });
      } catch (error) {
        const coded = asCodedError(error);
        const reason = `${coded.code}: ${coded.message}`;
        if (isPermanent(error)) throw new UnrecoverableError(reason);
        throw new Error(reason, { cause: error });
      }
    }),
    {
      connection: workerConnection,
      prefix,
      concurrency,
      limiter: { max: ratePerSecond, duration: 1_000 },
      lockDuration: lockDurationMs,
      stalledInterval: stalledIntervalMs,
      maxStalledCount,
      // Completed and failed jobs are removed by age (queue defaults), long after callers awaited them.
    },
  );
  worker.on('failed', (job, error) => {
    if (job) logger.warn({ ...jobFields(job), reason: error.message.split(':')[0] }, 'check failed');
  });
  worker.on('closed', () => workerConnection.disconnect());
  worker.on('error', (error) => logger.error({ err: { message: error.message } }, 'check worker error'));
  registerActiveJobs(worker, active);
  return worker;
}
