import { type Job, WaitingError, type Worker } from 'bullmq';
import type { Logger } from '../logger.ts';
import { raceTimeout } from '../timeout.ts';

/** A processor that may be told its job was handed back to the queue (its work is then dropped). */
export type HandBackProcessor<T> = (
  job: Job,
  token: string | undefined,
  handedBack: AbortSignal,
) => Promise<T>;

interface Running {
  job: Job;
  token: string;
  /** True once the job's outcome is decided: by its processor, or by the hand-back. */
  settled: boolean;
  abort: AbortController;
  reject: (error: Error) => void;
}

/**
 * The jobs a worker is running, with their lock tokens, so that a shutdown can put the ones that
 * cannot finish in time back in the queue (BullMQ tracks them too, but privately).
 */
export class ActiveJobs {
  private readonly running = new Map<string, Running>();

  constructor(private readonly logger: Logger) {}

  /** Wraps a processor so that `handBackAll` can take its jobs back. */
  wrap<T>(processor: HandBackProcessor<T>): (job: Job, token?: string) => Promise<T> {
    return (job, token) => {
      const abort = new AbortController();
      if (job.id === undefined || token === undefined) return processor(job, token, abort.signal);
      const id = job.id;
      return new Promise<T>((resolve, reject) => {
        const entry: Running = { job, token, settled: false, abort, reject };
        this.running.set(id, entry);
        const settle = (finish: () => void) => {
          if (this.running.get(id) === entry) this.running.delete(id);
          if (entry.settled) return;
          entry.settled = true;
          finish();
        };
        processor(job, token, abort.signal).then(
          (value) => settle(() => resolve(value)),
          (error: unknown) => settle(() => reject(error)),
        );
      });
    };
  }

  /**
   * Moves every running job back to `wait` at once, without spending an attempt, and settles its
   * processor with BullMQ's WaitingError (BullMQ then leaves the job alone). The work in flight
   * goes on and its outcome is dropped; the next run repeats it, which mutations make safe with
   * their idempotency key. Returns the ids handed back.
   */
  async handBackAll(): Promise<string[]> {
    const handedBack: string[] = [];
    await Promise.all(
      [...this.running.entries()].map(async ([id, entry]) => {
        if (entry.settled) return;
        // From here the processor's own outcome is ignored: the job is no longer this worker's.
        entry.settled = true;
        this.running.delete(id);
        try {
          // Still under this worker's lock: the worker is waiting for this very processor.
          await entry.job.moveToWait(entry.token);
          handedBack.push(id);
        } catch (error) {
          // The lock was already lost (a stall check took the job): it is queued again either way.
          this.logger.warn({ jobId: id, err: { message: (error as Error).message } }, 'hand-back failed');
        }
        entry.abort.abort(new Error('handed back to the queue'));
        entry.reject(new WaitingError());
      }),
    );
    if (handedBack.length > 0)
      this.logger.info({ jobIds: handedBack }, 'jobs handed back to the queue at shutdown');
    return handedBack;
  }
}

const activeJobsOf = new WeakMap<Worker, ActiveJobs>();

/** Lets `closeWorker` hand the worker's unfinished jobs back to the queue. */
export function registerActiveJobs(worker: Worker, active: ActiveJobs): void {
  activeJobsOf.set(worker, active);
}

/**
 * Stops taking jobs and lets active ones finish within `graceMs`. Those that cannot are handed
 * back to the queue at once, for another worker to take now, rather than left locked until their
 * lock lapses and a stall check notices (lock + stalled interval later).
 */
export async function closeWorker(worker: Worker, graceMs: number): Promise<void> {
  // Not close(true) after close(): BullMQ answers a second close with the first one's promise, which
  // waits for the active jobs however long they take.
  const closing = worker.close();
  const outcome = await raceTimeout(closing, graceMs, 'late' as const);
  if (outcome !== 'late') return;
  await activeJobsOf.get(worker)?.handBackAll();
  await closing;
}
