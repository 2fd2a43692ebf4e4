import { DelayedError, type Job, Queue, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { ConversationStore } from '../conversations/store.ts';
import type { Logger } from '../logger.ts';
import { blockingDuplicate } from '../queue/redis.ts';
import { ActiveJobs } from '../queue/shutdown.ts';
import { deskLimiter, pauseForRetryAfter, superviseDeskWorker } from './desk-worker.ts';
import { HandoffComments } from './handoff-comments.ts';
import type { HandoffLedger } from './handoff-ledger.ts';
import type { TicketNotices } from './notices.ts';
import type { TicketDesk } from './ticket-desk.ts';

/**
 * Hand-off sync: while a person has a web chat, every customer message in it is added to the
 * ticket as a public comment by the ticket's requester, as if they had replied by email.
 *
 * The engine saves the message, then calls `messageKept`: the message id waits in the ledger and a
 * job named after it runs `windowMs` later. The first job to run sends every message waiting for
 * that ticket by then as one comment, so what the customer types within the window of their first
 * waiting message is one comment; later jobs find their message sent and do nothing. Messages typed
 * before the escalations worker has made the ticket wait until it asks for a sync (`ticketReady`).
 * Jobs carry ids only: the text is read from the (masked) transcript and masked again on its way.
 */
export const HANDOFF_SYNC_QUEUE = 'handoff-sync';

/** @defaultValue 3000: a burst of short messages reads as one reply on the ticket. */
export const DEFAULT_SYNC_WINDOW_MS = 3_000;

/** How soon a job retries while another worker sends the same conversation's comments. */
const BUSY_RETRY_MS = 1_000;

const syncJobSchema = z.object({
  conversationId: z.string().regex(/^c_[0-9a-f]{32}$/),
  messageId: z.string().min(1).max(100).optional(),
});
export type HandoffSyncJob = z.infer<typeof syncJobSchema>;

/** A customer message saved while the conversation is handed off (what the engine calls). */
export interface HandoffMessageSink {
  messageKept(message: { conversationId: string; messageId: string; ticketRecordId: string }): Promise<void>;
}

/** Where hand-off messages and "the ticket exists now" go; jobs carry ids only. */
export class HandoffSyncQueue implements HandoffMessageSink {
  readonly queue: Queue;

  constructor(
    connection: Redis,
    prefix: string,
    private readonly ledger: HandoffLedger,
    private readonly windowMs = DEFAULT_SYNC_WINDOW_MS,
  ) {
    this.queue = new Queue(HANDOFF_SYNC_QUEUE, {
      connection,
      prefix,
      defaultJobOptions: {
        attempts: 12,
        backoff: { type: 'exponential', delay: 1_000 },
        removeOnComplete: { age: 86_400 },
        // Kept a month, as escalations are: a message a person has not seen.
        removeOnFail: { age: 30 * 86_400 },
      },
    });
  }

  async messageKept(message: {
    conversationId: string;
    messageId: string;
    ticketRecordId: string;
  }): Promise<void> {
    const { conversationId, messageId, ticketRecordId } = message;
    await this.ledger.wait(conversationId, messageId, ticketRecordId);
    // Named after the message: a repeated call adds no second job.
    await this.queue.add('sync', { conversationId, messageId } satisfies HandoffSyncJob, {
      jobId: `hsync-${conversationId}-${messageId}`,
      delay: this.windowMs,
    });
  }

  /** The ticket of `ticketRecordId` exists now: what waited for it can go (once per ticket). */
  async ticketReady(conversationId: string, ticketRecordId: string): Promise<void> {
    await this.queue.add('sync', { conversationId } satisfies HandoffSyncJob, {
      jobId: `hsync-${conversationId}-${ticketRecordId}`,
    });
  }

  /** A run sent its share and more may wait: a job of its own continues. */
  async continueLater(conversationId: string): Promise<void> {
    await this.queue.add('sync', { conversationId } satisfies HandoffSyncJob);
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}

export interface HandoffSyncWorkerOptions {
  connection: Redis;
  prefix: string;
  desk: TicketDesk;
  store: ConversationStore;
  ledger: HandoffLedger;
  queue: HandoffSyncQueue;
  notices: TicketNotices;
  logger: Logger;
  /** @defaultValue 4 */
  concurrency?: number;
  /** How long a run holds a conversation's sync lock (see `syncLockMsFor`). @defaultValue 35000 */
  syncLockMs?: number;
  /** Lock time of a running job (a dead worker's job is taken over after it and `stalledIntervalMs`). @defaultValue 10000 */
  lockDurationMs?: number;
  /** @defaultValue 5000 */
  stalledIntervalMs?: number;
}

/**
 * Runs the sync jobs: one run at a time per conversation (the ledger's lock; a job that finds it
 * taken waits a second without spending an attempt). A 429 pauses the queue for its Retry-After;
 * 5xx and timeouts retry with backoff, and the retry finishes the batch that was cut off.
 */
export function startHandoffSyncWorker(options: HandoffSyncWorkerOptions): Worker {
  const { connection, prefix, ledger, logger } = options;
  const comments = new HandoffComments({
    ...options,
    ...(options.syncLockMs === undefined ? {} : { lockMs: options.syncLockMs }),
  });
  const workerConnection = blockingDuplicate(connection);
  const active = new ActiveJobs(logger);
  const worker: Worker = new Worker(
    HANDOFF_SYNC_QUEUE,
    active.wrap(async (job: Job, token, handedBack) => {
      const parsed = syncJobSchema.safeParse(job.data);
      if (!parsed.success)
        throw new UnrecoverableError('handoff_sync_invalid: the job names no conversation');
      const { conversationId } = parsed.data;
      const lock = await ledger.lock(conversationId, comments.lockMs);
      if (lock === null) {
        // Another run may have read the waiting messages before this job's message came: try again.
        await job.moveToDelayed(Date.now() + BUSY_RETRY_MS, token);
        throw new DelayedError();
      }
      try {
        const outcome = await comments.sendWaiting(conversationId, lock, handedBack);
        if (outcome === 'more') await options.queue.continueLater(conversationId);
      } catch (error) {
        await pauseForRetryAfter(worker, error);
        throw error;
      } finally {
        await ledger.unlock(conversationId, lock);
      }
    }),
    {
      connection: workerConnection,
      prefix,
      concurrency: options.concurrency ?? 4,
      limiter: deskLimiter(),
      lockDuration: options.lockDurationMs ?? 10_000,
      stalledInterval: options.stalledIntervalMs ?? 5_000,
    },
  );
  return superviseDeskWorker(worker, { connection: workerConnection, active, logger, name: 'hand-off sync' });
}
