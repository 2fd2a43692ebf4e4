import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  TicketDeskRejectedError,
  TicketDeskUnavailableError,
  TicketNotFoundError,
} from '../../src/triage/desk.ts';
import { MemoryTriageDesk } from '../../src/triage/memory-desk.ts';
import { ZendeskTriageDesk } from '../../src/triage/zendesk-desk.ts';
import { ZendeskFake } from '../fakes/zendesk.ts';
import { describeTriageDeskConformance } from './desk-conformance.ts';

const fake = new ZendeskFake();
beforeAll(async () => {
  await fake.start();
});
afterAll(async () => {
  await fake.stop();
});

const zendesk = (overrides: { token?: string; timeoutMs?: number } = {}) =>
  new ZendeskTriageDesk({
    endpointUri: `${fake.url}/api/v2`,
    email: 'bot@acme.test',
    token: overrides.token ?? 'zendesk-test-token',
    timeoutMs: overrides.timeoutMs ?? 5_000,
  });

describeTriageDeskConformance('Zendesk (node-zendesk against the local fake)', () => ({
  desk: zendesk(),
  file: (input) => String(fake.fileTicket(input)),
  reply: (ticketId, body) => {
    const ticket = fake.served.get(Number(ticketId));
    fake.addComment(Number(ticketId), { authorId: ticket?.requester_id ?? 1, body, public: true });
  },
  remove: (ticketId) => fake.served.delete(Number(ticketId)),
}));

describeTriageDeskConformance('in memory (the reference)', () => {
  const desk = new MemoryTriageDesk();
  return {
    desk,
    file: (input) =>
      desk.fileTicket({ subject: input.subject, description: input.body, requester: input.requester }),
    reply: (ticketId, body) => desk.comment(ticketId, { authorId: null, body, public: true }),
    remove: (ticketId) => desk.delete(ticketId),
  };
});

const filed = () =>
  String(fake.fileTicket({ subject: 'help', body: 'labels fail', requester: { email: 'active@demo.test' } }));

describe('ZendeskTriageDesk failures', () => {
  it('reports a 429 as unavailable with its Retry-After, on reads and on the update', async () => {
    const id = filed();
    fake.inject({ kind: 'status', status: 429, retryAfterSeconds: 7, count: 1, route: 'read' });
    const read = await zendesk()
      .ticket(id)
      .catch((caught: unknown) => caught);
    expect(read).toBeInstanceOf(TicketDeskUnavailableError);
    expect((read as TicketDeskUnavailableError).retryAfterMs).toBe(7_000);
    // Through node-zendesk's paging reader (getAll) as well.
    fake.inject({ kind: 'status', status: 429, retryAfterSeconds: 2, count: 1, route: 'read' });
    const comments = await zendesk()
      .comments(id)
      .catch((caught: unknown) => caught);
    expect((comments as TicketDeskUnavailableError).retryAfterMs).toBe(2_000);
    const { updatedAt } = await zendesk().ticket(id);
    fake.inject({ kind: 'status', status: 429, retryAfterSeconds: 3, count: 1, route: 'update' });
    const update = await zendesk()
      .addInternalNote(id, { note: 'n', addTags: [], updatedStamp: updatedAt })
      .catch((caught: unknown) => caught);
    expect((update as TicketDeskUnavailableError).retryAfterMs).toBe(3_000);
    expect(fake.notes(Number(id))).toEqual([]);
  });

  it.each([500, 502, 503, 504])('reports a %i as unavailable, without a wait of its own', async (status) => {
    const id = filed();
    fake.inject({ kind: 'status', status, count: 1, route: 'read' });
    const error = await zendesk()
      .ticket(id)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TicketDeskUnavailableError);
    expect((error as TicketDeskUnavailableError).retryAfterMs).toBe(0);
  });

  it('gives up on a Zendesk that does not answer in time', async () => {
    const id = filed();
    // Answered after 5 s: without its own bound the read would succeed then, and this test fail.
    fake.inject({ kind: 'slow', latencyMs: 5_000, count: 1, route: 'read' });
    await expect(zendesk({ timeoutMs: 300 }).ticket(id)).rejects.toBeInstanceOf(TicketDeskUnavailableError);
  });

  it('reports an unreadable answer as unavailable, not as a ticket', async () => {
    const id = filed();
    fake.inject({ kind: 'garbage', count: 1, route: 'read' });
    await expect(zendesk().ticket(id)).rejects.toBeInstanceOf(TicketDeskUnavailableError);
  });

  it('reports a refusal as permanent, and a missing ticket as not found', async () => {
    await expect(zendesk({ token: 'wrong-token' }).ticket(filed())).rejects.toBeInstanceOf(
      TicketDeskRejectedError,
    );
    await expect(zendesk().ticket('424242')).rejects.toBeInstanceOf(TicketNotFoundError);
  });

  it('adds its tags to the ticket without removing the ones it has', async () => {
    const id = fake.fileTicket({
      subject: 'help',
      body: 'labels fail',
      requester: { email: 'active@demo.test' },
      tags: ['vip', 'onebalance_triage'],
    });
    const { updatedAt } = await zendesk().ticket(String(id));
    await zendesk().addInternalNote(String(id), {
      note: 'n',
      addTags: ['ob_triaged'],
      updatedStamp: updatedAt,
    });
    expect(fake.served.get(id)?.tags).toEqual(['vip', 'onebalance_triage', 'ob_triaged']);
    const sent = fake.updates.at(-1)?.body.ticket;
    expect(sent).toMatchObject({ safe_update: true, updated_stamp: updatedAt, comment: { public: false } });
    expect(sent).not.toHaveProperty('tags');
  });
});
