import { type Job, Queue, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { ConversationStore } from '../conversations/store.ts';
import { botMessage } from '../core/messages.ts';
import type { Logger } from '../logger.ts';
import { blockingDuplicate } from '../queue/redis.ts';
import { ActiveJobs } from '../queue/shutdown.ts';
import { deskLimiter, pauseForRetryAfter, superviseDeskWorker } from './desk-worker.ts';
import type { TicketNotices } from './notices.ts';
import { ticketFor } from './ticket-content.ts';
import { type TicketDesk, TicketDeskRejectedError } from './ticket-desk.ts';

export const ESCALATION_QUEUE = 'escalations';

export interface EscalationRequest {
  conversationId: string;
  ticketRecordId: string;
}

/** Where the engine sends escalations; the job carries ids only. */
export class EscalationQueue {
  readonly queue: Queue;

  constructor(connection: Redis, prefix: string) {
    this.queue = new Queue(ESCALATION_QUEUE, {
      connection,
      prefix,
      defaultJobOptions: {
        attempts: 12,
        backoff: { type: 'exponential', delay: 1_000 },
        removeOnComplete: { age: 7 * 86_400 },
        // A failed escalation is kept for a month: it is somebody's unanswered problem.
        removeOnFail: { age: 30 * 86_400 },
      },
    });
  }

  /** The job id is the escalation's id: asking twice for the same escalation adds one job. */
  async request(request: EscalationRequest): Promise<void> {
    await this.queue.add('ticket', request, { jobId: request.ticketRecordId });
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}

export interface EscalationWorkerOptions {
  connection: Redis;
  prefix: string;
  desk: TicketDesk;
  store: ConversationStore;
  logger: Logger;
  /** What the customer is told once the ticket exists (data, through the output guard). */
  notices: TicketNotices;
  /** Told of every escalation once its ticket exists (Slack posts its alert); ids only. */
  alerts?: { escalated(conversationId: string, ticketRecordId: string): Promise<void> };
  /** Told when a hand-off's ticket exists, so that the messages typed meanwhile reach it. */
  handoffSync?: { ticketReady(conversationId: string, ticketRecordId: string): Promise<void> };
  /** @defaultValue 4 */
  concurrency?: number;
  /**
   * Lock time of a running escalation; with `stalledIntervalMs`, how long a dead worker's
   * escalation waits before another worker takes it over (at most their sum, 15 s by default).
   * @defaultValue 10000
   */
  lockDurationMs?: number;
  /** @defaultValue 5000 */
  stalledIntervalMs?: number;
  /**
   * Stalls an escalation survives before it fails: a re-run makes one ticket (the desk's
   * Idempotency-Key), so a few are safe; bounded for a job that kills every worker.
   * @defaultValue 3
   */
  maxStalledCount?: number;
}

/**
 * Creates the tickets. The escalation id is the desk's Idempotency-Key, so a retry after a lost
 * answer, a duplicate job or a worker that died mid-request still makes one ticket; a 429 pauses
 * the queue for its Retry-After instead of spending an attempt.
 */
export function startEscalationWorker(options: EscalationWorkerOptions): Worker {
  const { connection, prefix, desk, store, logger } = options;
  const workerConnection = blockingDuplicate(connection);
  const active = new ActiveJobs(logger);
  /**
   * A hand-off's messages typed before its ticket existed can go now, and the agents are alerted. A
   * failure fails the job: its retry finds the ticket recorded and asks again, without a second
   * ticket or notice.
   */
  const handoffReady = async (record: { id: string; handoff: boolean }, conversationId: string) => {
    if (record.handoff) await options.handoffSync?.ticketReady(conversationId, record.id);
    // The alert is asked for once per escalation (its job id); a re-run asks again harmlessly.
    await options.alerts?.escalated(conversationId, record.id);
  };
  const worker: Worker = new Worker(
    ESCALATION_QUEUE,
    active.wrap(async (job: Job<EscalationRequest>, _token, handedBack) => {
      const { conversationId, ticketRecordId } = job.data ?? ({} as EscalationRequest);
      const state = await store.get(String(conversationId));
      const record = state?.tickets.find((ticket) => ticket.id === ticketRecordId);
      if (state === null || state === undefined || record === undefined) {
        throw new UnrecoverableError('escalation_invalid: no such conversation or escalation');
      }
      if (record.status === 'created') {
        // A re-run after the ticket was recorded: the sync request may be what was cut off.
        await handoffReady(record, state.id);
        return { ticketId: record.ticketId };
      }
      const transcript = await store.transcript(state.id);
      let created: { ticketId: string; url: string };
      try {
        created = await desk.createTicket(ticketFor(state, transcript, record));
      } catch (error) {
        await pauseForRetryAfter(worker, error);
        if (error instanceof TicketDeskRejectedError)
          throw new UnrecoverableError(`backend_rejected: ${error.message}`);
        throw error;
      }
      // Handed back at shutdown: the next run makes the same ticket and tells the customer once.
      if (handedBack.aborted) return created;
      await store.linkTicket(created.ticketId, state.id);
      // Record the ticket on the conversation and tell the customer, under the turn lock.
      const { token, state: current } = await store.lock(state.id);
      if (current === null) return created;
      const message = botMessage(options.notices.created(created.ticketId));
      const tickets = current.tickets.map((ticket) =>
        ticket.id === ticketRecordId
          ? { ...ticket, status: 'created' as const, ticketId: created.ticketId, ticketUrl: created.url }
          : ticket,
      );
      await store.commit({ ...current, tickets }, [message], token);
      logger.info({ ticketRecordId, ticketId: created.ticketId }, 'escalation ticket created');
      await handoffReady(record, state.id);
      return created;
    }),
    {
      connection: workerConnection,
      prefix,
      concurrency: options.concurrency ?? 4,
      limiter: deskLimiter(),
      lockDuration: options.lockDurationMs ?? 10_000,
      stalledInterval: options.stalledIntervalMs ?? 5_000,
      maxStalledCount: options.maxStalledCount ?? 3,
    },
  );
  return superviseDeskWorker(worker, { connection: workerConnection, active, logger, name: 'escalation' });
}
