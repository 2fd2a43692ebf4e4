import { describe, expect, it } from 'vitest';
import {
  type ConversationState,
  conversationStateSchema,
  type TicketRecord,
} from '../../src/conversations/store.ts';
import type { TranscriptEntry } from '../../src/core/types.ts';
import {
  commentBody,
  MAX_BATCH_MESSAGES,
  nextBatch,
  syncTarget,
  waitingMessages,
} from '../../src/escalations/handoff-batches.ts';
import type { SyncProgress } from '../../src/escalations/handoff-ledger.ts';

const record = (id: string, ticketId?: string, followUpOf?: string): TicketRecord => ({
  id,
  reason: 'customer_asked_for_a_person',
  intent: 'talk_to_human',
  handoff: true,
  status: ticketId === undefined ? 'requested' : 'created',
  ...(ticketId === undefined ? {} : { ticketId }),
  ...(followUpOf === undefined ? {} : { followUpOf }),
  checks: [],
  requestedAt: '2026-01-01T10:00:00.000Z',
});

function stateWith(
  tickets: TicketRecord[],
  handoff?: { ticketRecordId: string; since: string },
): ConversationState {
  return conversationStateSchema.parse({
    id: `c_${'a'.repeat(32)}`,
    customer: { email: 'active@demo.test' },
    createdAt: '2026-01-01T09:00:00.000Z',
    tickets,
    ...(handoff ? { handoff } : {}),
  });
}

const entry = (id: string, role: TranscriptEntry['role'], text: string, minute: number): TranscriptEntry => ({
  id,
  role,
  text,
  turnId: `t_${id}`,
  createdAt: `2026-01-01T10:${String(minute).padStart(2, '0')}:00.000Z`,
});

const progress = (waiting: Record<string, string> = {}, synced: string[] = []): SyncProgress => ({
  waiting: new Map(Object.entries(waiting)),
  synced: new Set(synced),
  inflight: null,
});

describe('waitingMessages', () => {
  const transcript = [
    entry('m1', 'customer', 'I want a person', 1),
    entry('b1', 'bot', 'Passing you to our team', 1),
    entry('m2', 'customer', 'hello?', 3),
    entry('b2', 'bot', 'Your conversation is with our support team now', 3),
    entry('m3', 'customer', 'still there?', 4),
  ];

  it('finds the queued messages and those of the current hand-off whose queueing was lost, not the bot’s or older ones', () => {
    const state = stateWith([record('e_1', '1001')], {
      ticketRecordId: 'e_1',
      since: '2026-01-01T10:02:00.000Z',
    });
    const found = waitingMessages(state, transcript, progress({ m2: 'e_1' }));
    expect(found).toEqual([
      { id: 'm2', text: 'hello?', recordId: 'e_1' },
      { id: 'm3', text: 'still there?', recordId: 'e_1' },
    ]);
    expect(waitingMessages(state, transcript, progress({ m2: 'e_1' }, ['m2', 'm3']))).toEqual([]);
  });

  it('keeps a queued message of a hand-off that has ended, for the ticket it was typed for', () => {
    const state = stateWith([record('e_1', '1001')]);
    expect(waitingMessages(state, transcript, progress({ m2: 'e_1' })).map((message) => message.id)).toEqual([
      'm2',
    ]);
  });
});

describe('syncTarget', () => {
  it('follows a closed ticket to its follow-up, and that one to its own', () => {
    const state = stateWith([
      record('e_1', '1001'),
      record('e_2', '1002', 'e_1'),
      record('e_3', '1003', 'e_2'),
    ]);
    expect(syncTarget(state, 'e_1')?.ticketId).toBe('1003');
    expect(syncTarget(state, 'e_3')?.ticketId).toBe('1003');
    expect(syncTarget(state, 'e_gone')).toBeUndefined();
  });
});

describe('nextBatch', () => {
  it('waits for a ticket that is not made yet, and lets go of messages whose record is gone', () => {
    const state = stateWith([record('e_1')], { ticketRecordId: 'e_1', since: '2026-01-01T10:00:00.000Z' });
    const transcript = [entry('m1', 'customer', 'a', 1), entry('m2', 'customer', 'b', 2)];
    expect(nextBatch(state, transcript, progress({ m1: 'e_1', m2: 'e_gone' }))).toEqual({ orphans: ['m2'] });
  });

  it('takes the first ready message with the later ones for the same ticket, up to the limit', () => {
    const state = stateWith([record('e_1', '1001'), record('e_2', '1002')]);
    const count = MAX_BATCH_MESSAGES + 5;
    const transcript = Array.from({ length: count }, (_, i) =>
      entry(`m${i}`, 'customer', `line ${i}`, i % 60),
    );
    const waiting = Object.fromEntries(transcript.map((each, i) => [each.id, i === 1 ? 'e_2' : 'e_1']));
    const { batch } = nextBatch(state, transcript, progress(waiting));
    expect(batch?.ticketId).toBe('1001');
    expect(batch?.messageIds).toHaveLength(MAX_BATCH_MESSAGES);
    expect(batch?.messageIds).not.toContain('m1');
  });
});

describe('commentBody', () => {
  it('is the messages in the order typed, one paragraph each, masked again', () => {
    const transcript = [
      entry('m1', 'customer', 'my card is 4111 1111 1111 1111', 1),
      entry('b1', 'bot', 'noted', 1),
      entry('m2', 'customer', '  password: Hunter2!xyz  ', 2),
    ];
    const body = commentBody(transcript, ['m2', 'm1', 'b1']);
    expect(body).toBe('my card is [card ending 1111]\n\npassword: [password removed]');
    expect(commentBody(transcript, ['m9'])).toBe('');
  });
});
