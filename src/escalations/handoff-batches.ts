import type { ConversationState, TicketRecord } from '../conversations/store.ts';
import { redactSecrets } from '../core/secrets.ts';
import type { TranscriptEntry } from '../core/types.ts';
import type { SyncProgress } from './handoff-ledger.ts';

/**
 * The most messages, and characters, one comment carries; more wait for the next comment. Far
 * below Zendesk's limits (64 KB a comment): a comment an agent can read at a glance.
 * @defaultValue 50 messages, 20000 characters
 */
export const MAX_BATCH_MESSAGES = 50;
export const MAX_BATCH_CHARS = 20_000;

/** A message waiting for its ticket, and the ticket record of the hand-off it was typed in. */
interface WaitingMessage {
  id: string;
  text: string;
  recordId: string;
}

/**
 * The customer's messages that wait for a ticket, in the order typed: those queued by the engine,
 * and those of the current hand-off that were saved but never queued (the process stopped between
 * the two), found by their time: a message typed after the hand-off began is one of it.
 */
export function waitingMessages(
  state: ConversationState,
  transcript: readonly TranscriptEntry[],
  progress: SyncProgress,
): WaitingMessage[] {
  const since = state.handoff?.since;
  const current = state.handoff?.ticketRecordId;
  return transcript.flatMap((entry) => {
    if (entry.role !== 'customer' || progress.synced.has(entry.id)) return [];
    const during = current !== undefined && since !== undefined && entry.createdAt >= since;
    const recordId = progress.waiting.get(entry.id) ?? (during ? current : undefined);
    return recordId === undefined ? [] : [{ id: entry.id, text: entry.text, recordId }];
  });
}

/**
 * The ticket record that takes the comments meant for `recordId`: itself, or, once its ticket was
 * closed, the follow-up that replaced it (and that one's follow-up, and so on).
 */
export function syncTarget(state: ConversationState, recordId: string): TicketRecord | undefined {
  let target = state.tickets.find((ticket) => ticket.id === recordId);
  for (let hops = 0; target !== undefined && hops < state.tickets.length; hops++) {
    const from: TicketRecord = target;
    const next = state.tickets.find((ticket) => ticket.followUpOf === from.id);
    if (next === undefined) break;
    target = next;
  }
  return target;
}

/**
 * The next comment to send: the first waiting message whose ticket exists, with the messages after
 * it for the same ticket (up to the limits). Messages whose ticket is not made yet keep waiting (the
 * escalations worker asks for a sync once it is); messages of a ticket record that is gone are
 * returned as `orphans`, to be let go.
 */
export function nextBatch(
  state: ConversationState,
  transcript: readonly TranscriptEntry[],
  progress: SyncProgress,
): { batch?: { recordId: string; ticketId: string; messageIds: string[] }; orphans: string[] } {
  const waiting = waitingMessages(state, transcript, progress);
  const orphans = waiting
    .filter((message) => syncTarget(state, message.recordId) === undefined)
    .map((message) => message.id);
  const ready = waiting.flatMap((message) => {
    const target = syncTarget(state, message.recordId);
    return target?.ticketId === undefined
      ? []
      : [{ ...message, target: target.id, ticketId: target.ticketId }];
  });
  const first = ready[0];
  if (first === undefined) return { orphans };
  const messageIds: string[] = [];
  let chars = 0;
  for (const message of ready) {
    if (message.target !== first.target) continue;
    if (messageIds.length >= MAX_BATCH_MESSAGES) break;
    if (messageIds.length > 0 && chars + message.text.length > MAX_BATCH_CHARS) break;
    messageIds.push(message.id);
    chars += message.text.length;
  }
  return { batch: { recordId: first.target, ticketId: first.ticketId, messageIds }, orphans };
}

/**
 * The comment's text: the messages as the customer typed them, one paragraph each, masked again
 * (`redactSecrets`) although the transcript keeps them masked already: nothing leaves unmasked.
 * Empty when none of them is in the transcript any more.
 */
export function commentBody(transcript: readonly TranscriptEntry[], messageIds: readonly string[]): string {
  const wanted = new Set(messageIds);
  return transcript
    .filter((entry) => entry.role === 'customer' && wanted.has(entry.id))
    .map((entry) => redactSecrets(entry.text).text.trim())
    .filter((text) => text.length > 0)
    .join('\n\n');
}
