import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TicketConflictError } from '../../src/escalations/ticket-desk.ts';
import { SYNC_MARKER, ZendeskDesk } from '../../src/escalations/zendesk-desk.ts';
import { ZendeskTriageDesk } from '../../src/triage/zendesk-desk.ts';
import { ZendeskFake } from './zendesk.ts';

// One fake serves both features that talk to Zendesk: what one writes, the other reads.
const fake = new ZendeskFake();
beforeAll(async () => {
  await fake.start();
});
afterAll(async () => {
  await fake.stop();
});

const settings = () => ({
  endpointUri: `${fake.url}/api/v2`,
  email: 'bot@acme.test',
  token: 'zendesk-test-token',
});
const tickets = () => new ZendeskDesk({ ...settings(), agentUrl: `${fake.url}/agent/tickets` });
const triage = () => new ZendeskTriageDesk(settings());

async function escalated(): Promise<string> {
  const key = randomUUID();
  const created = await tickets().createTicket({
    idempotencyKey: key,
    requester: { email: 'review@demo.test' },
    subject: 'One Balance: account suspended',
    tags: ['one_balance'],
    priority: 'high',
    internalNote: 'Diagnosis: compliance review.',
    externalId: key,
  });
  return created.ticketId;
}

describe('ZendeskFake: one ticket store for tickets, hand-off sync and triage', () => {
  it("serves the bot's ticket and its synced comment to triage, and triage's note beside them", async () => {
    const ticketId = await escalated();
    await tickets().addRequesterComment({
      ticketId,
      body: 'my labels still fail',
      idempotencyKey: 'sync-1',
      mayExist: false,
    });
    const read = await triage().ticket(ticketId);
    expect(read).toMatchObject({ subject: 'One Balance: account suspended', tags: ['one_balance'] });
    expect(read.requesterId).toBe(String(fake.userIdOf('review@demo.test')));
    expect((await triage().comments(ticketId)).map((comment) => [comment.body, comment.public])).toEqual([
      ['Diagnosis: compliance review.', false],
      ['my labels still fail', true],
    ]);
    await triage().addInternalNote(ticketId, {
      note: 'Triage note',
      addTags: ['ob_triaged'],
      updatedStamp: read.updatedAt,
    });
    const stored = fake.served.get(Number(ticketId));
    expect(stored?.comments.map((comment) => comment.body)).toEqual([
      'Diagnosis: compliance review.',
      'my labels still fail',
      'Triage note',
    ]);
    // Both features' updates are recorded, each with its audit.
    const updates = fake.updates.filter((update) => update.ticketId === Number(ticketId));
    expect(updates.map((update) => update.status)).toEqual([200, 200]);
    expect(stored?.audits.map((audit) => audit.metadata.custom)).toEqual([
      {},
      { [SYNC_MARKER]: 'sync-1' },
      {},
    ]);
  });

  it('moves the stamp on a synced comment, so a triage note written against the old one is refused', async () => {
    const ticketId = await escalated();
    const before = await triage().ticket(ticketId);
    await tickets().addRequesterComment({
      ticketId,
      body: 'it worked yesterday',
      idempotencyKey: 'sync-2',
      mayExist: false,
    });
    await expect(
      triage().addInternalNote(ticketId, { note: 'n', addTags: [], updatedStamp: before.updatedAt }),
    ).rejects.toBeInstanceOf(TicketConflictError);
    expect(fake.updates.at(-1)).toMatchObject({ ticketId: Number(ticketId), status: 409 });
  });

  it('records an update answered by an injected fault, with what it asked for', async () => {
    const ticketId = await escalated();
    const { updatedAt } = await triage().ticket(ticketId);
    fake.inject({ kind: 'status', status: 502, count: 1, route: 'update' });
    await expect(
      triage().addInternalNote(ticketId, { note: 'n', addTags: ['ob_triaged'], updatedStamp: updatedAt }),
    ).rejects.toThrow(/502/);
    expect(fake.updates.at(-1)).toMatchObject({
      ticketId: Number(ticketId),
      status: 502,
      body: { ticket: { additional_tags: ['ob_triaged'] } },
    });
  });
});
