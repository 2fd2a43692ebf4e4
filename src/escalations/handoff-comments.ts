import { randomUUID } from 'node:crypto';
import type { ConversationState, ConversationStore, TicketRecord } from '../conversations/store.ts';
import { botMessage } from '../core/messages.ts';
import type { TranscriptEntry } from '../core/types.ts';
import type { Logger } from '../logger.ts';
import { commentBody, nextBatch } from './handoff-batches.ts';
import type { HandoffLedger, SyncBatch } from './handoff-ledger.ts';
import type { TicketNotices } from './notices.ts';
import { type CreatedTicket, type TicketDesk, TicketDeskRejectedError } from './ticket-desk.ts';

/**
 * How long a run may hold a conversation's sync lock before another may take it (a run whose worker
 * died holds it that long); renewed before every comment, so it must outlast one comment's worst
 * case: three desk requests at their time bound (`syncLockMsFor`).
 */
export function syncLockMsFor(deskTimeoutMs: number): number {
  return 3 * deskTimeoutMs + 5_000;
}

/** Comments one run sends before it hands the rest to a job of its own (fairness between conversations). */
const COMMENTS_PER_RUN = 5;

export interface HandoffCommentsOptions {
  desk: TicketDesk;
  store: ConversationStore;
  ledger: HandoffLedger;
  notices: TicketNotices;
  logger: Logger;
  /** @defaultValue syncLockMsFor(10000): 35000 */
  lockMs?: number;
}

/**
 * Sends a handed-off conversation's waiting messages to its ticket, one comment per batch, exactly
 * once: a batch is recorded (ids and idempotency key) before it is sent, and whoever runs next
 * finishes a recorded batch before it starts another, telling the desk that it may be there already.
 */
export class HandoffComments {
  readonly lockMs: number;

  constructor(private readonly options: HandoffCommentsOptions) {
    this.lockMs = options.lockMs ?? syncLockMsFor(10_000);
  }

  /**
   * Sends what waits, under the caller's sync lock (`lockToken`). `more` when some may still wait
   * after this run's share; stops early (the next run finishes) when the job is `handedBack`.
   */
  async sendWaiting(
    conversationId: string,
    lockToken: string,
    handedBack: AbortSignal,
  ): Promise<'done' | 'more'> {
    const { store, ledger } = this.options;
    for (let sent = 0; sent < COMMENTS_PER_RUN; sent++) {
      if (handedBack.aborted) return 'done';
      // Renewed, or lost (it lapsed and another run took over): that run finishes the batch.
      if (!(await ledger.extend(conversationId, lockToken, this.lockMs)))
        throw new Error('handoff_sync_lock_lost: another run took this conversation over');
      const [state, transcript, progress] = await Promise.all([
        store.get(conversationId),
        store.transcript(conversationId),
        ledger.progress(conversationId),
      ]);
      if (state === null) return 'done';
      let batch = progress.inflight;
      const resumed = batch !== null;
      if (batch === null) {
        const next = nextBatch(state, transcript, progress);
        if (next.orphans.length > 0) await this.letGo(conversationId, next.orphans);
        if (next.batch === undefined) return 'done';
        batch = { key: await ledger.nextBatchKey(conversationId), ...next.batch };
        await ledger.begin(conversationId, batch);
      }
      await this.deliver(conversationId, batch, resumed, transcript);
    }
    return 'more';
  }

  /** One batch onto its ticket (or a follow-up of it), then marked synced. */
  private async deliver(
    conversationId: string,
    batch: SyncBatch,
    mayExist: boolean,
    transcript: readonly TranscriptEntry[],
  ): Promise<void> {
    const { desk, ledger, logger } = this.options;
    const body = commentBody(transcript, batch.messageIds);
    const facts = {
      conversationId,
      ticketId: batch.ticketId,
      batch: batch.key,
      messages: batch.messageIds.length,
    };
    if (body !== '') {
      // Before it is sent: Zendesk may report it to the webhook before the desk's answer is back.
      await ledger.expectEcho(conversationId, body);
      try {
        const idempotencyKey = batch.key;
        const outcome = await desk.addRequesterComment({
          ticketId: batch.ticketId,
          body,
          idempotencyKey,
          mayExist,
        });
        if (outcome.status === 'closed') await this.followUp(conversationId, batch, body);
        logger.info({ ...facts, outcome: outcome.status }, 'hand-off messages synced to the ticket');
      } catch (error) {
        if (!(error instanceof TicketDeskRejectedError)) throw error;
        // Permanent (the ticket is gone, the desk refuses it): a retry cannot help, and this batch
        // must not hold back the next ones. The messages stay in the chat's transcript.
        logger.error(
          { ...facts, reason: error.message },
          'hand-off messages refused by the desk, not synced',
        );
      }
    } else logger.warn(facts, 'hand-off messages no longer in the transcript, not synced');
    await ledger.complete(conversationId, batch);
  }

  /** The ticket was closed: the messages open a follow-up, which takes the hand-off over. */
  private async followUp(conversationId: string, batch: SyncBatch, body: string): Promise<void> {
    const created = await this.options.desk.createFollowUp({
      sourceTicketId: batch.ticketId,
      body,
      idempotencyKey: `${batch.key}-followup`,
    });
    // Linked first: the agent's replies on the follow-up reach this chat through the webhook.
    await this.options.store.linkTicket(created.ticketId, conversationId);
    await this.moveHandoff(conversationId, batch, created);
  }

  /** Records the follow-up on the conversation (once) and moves the hand-off to it if it held the closed one. */
  private async moveHandoff(conversationId: string, batch: SyncBatch, created: CreatedTicket): Promise<void> {
    const { store, notices } = this.options;
    const { token, state } = await store.lock(conversationId);
    if (state === null) return;
    let committed = false;
    try {
      if (state.tickets.some((ticket) => ticket.followUpOf === batch.recordId)) return;
      const record = followUpRecord(state, batch.recordId, created);
      const holds = state.handoff !== undefined && state.handoff.ticketRecordId === batch.recordId;
      const next: ConversationState = {
        ...state,
        tickets: [...state.tickets, record],
        ...(holds && state.handoff ? { handoff: { ...state.handoff, ticketRecordId: record.id } } : {}),
      };
      const notice = botMessage(notices.followedUp(batch.ticketId, created.ticketId));
      await store.commit(next, [notice], token);
      committed = true;
    } finally {
      if (!committed) await store.unlock(conversationId, token);
    }
  }

  /** Messages whose ticket record is gone from the conversation: nothing can take them. */
  private async letGo(conversationId: string, messageIds: string[]): Promise<void> {
    this.options.logger.warn(
      { conversationId, messages: messageIds.length },
      'hand-off messages of no ticket',
    );
    await this.options.ledger.letGo(conversationId, messageIds);
  }
}

function followUpRecord(state: ConversationState, closedId: string, created: CreatedTicket): TicketRecord {
  const closed = state.tickets.find((ticket) => ticket.id === closedId);
  return {
    id: `e_${randomUUID()}`,
    reason: 'follow_up_of_closed_ticket',
    intent: closed?.intent ?? 'talk_to_human',
    handoff: true,
    status: 'created',
    ticketId: created.ticketId,
    ticketUrl: created.url,
    followUpOf: closedId,
    checks: [],
    requestedAt: new Date().toISOString(),
  };
}
