import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisDesk } from '../../src/escalations/redis-desk.ts';
import {
  type NewTicket,
  type TicketDesk,
  TicketDeskRejectedError,
  TicketDeskUnavailableError,
  TicketNotFoundError,
} from '../../src/escalations/ticket-desk.ts';
import { ZendeskDesk } from '../../src/escalations/zendesk-desk.ts';
import { ZendeskFake } from '../fakes/zendesk.ts';
import { deleteKeysUnder, REDIS_URL, uniquePrefix } from '../helpers/redis.ts';

const ticket = (key = randomUUID()): NewTicket => ({
  idempotencyKey: key,
  requester: { email: 'review@demo.test' },
  subject: 'One Balance: account suspended',
  tags: ['one_balance', 'explain_suspension'],
  priority: 'high',
  internalNote: 'Diagnosis: ...',
  externalId: key,
});

/** What every TicketDesk must do: one ticket per idempotency key. */
function describeTicketDeskConformance(name: string, desk: () => TicketDesk): void {
  describe(`TicketDesk conformance: ${name}`, () => {
    it('creates a ticket with an id and a link', async () => {
      const created = await desk().createTicket(ticket());
      expect(created.ticketId).toMatch(/\S/);
      expect(created.url).toContain(created.ticketId);
    });

    it('answers the same ticket for the same idempotency key, a new one for another', async () => {
      const key = randomUUID();
      const first = await desk().createTicket(ticket(key));
      const again = await desk().createTicket(ticket(key));
      expect(again.ticketId).toBe(first.ticketId);
      expect((await desk().createTicket(ticket())).ticketId).not.toBe(first.ticketId);
    });
  });
}

const fake = new ZendeskFake();
const prefix = uniquePrefix('desk');
let redis: Redis;
beforeAll(async () => {
  await fake.start();
  redis = new Redis(REDIS_URL);
});
afterAll(async () => {
  await fake.stop();
  await deleteKeysUnder(prefix);
  redis.disconnect();
});

const zendesk = () =>
  new ZendeskDesk({
    endpointUri: `${fake.url}/api/v2`,
    agentUrl: `${fake.url}/agent/tickets`,
    email: 'bot@acme.test',
    token: 'zendesk-test-token',
  });

describeTicketDeskConformance('Zendesk (node-zendesk against the local fake)', zendesk);
describeTicketDeskConformance('Redis', () => new RedisDesk(redis, prefix));

describe('ZendeskDesk failures', () => {
  it('reports a 429 as unavailable with its Retry-After', async () => {
    fake.inject({ kind: 'status', status: 429, retryAfterSeconds: 7, count: 1 });
    const error = await zendesk()
      .createTicket(ticket())
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TicketDeskUnavailableError);
    expect((error as TicketDeskUnavailableError).retryAfterMs).toBe(7_000);
  });

  it.each([500, 502, 503])('reports a %i as unavailable', async (status) => {
    fake.inject({ kind: 'status', status, count: 1 });
    await expect(zendesk().createTicket(ticket())).rejects.toBeInstanceOf(TicketDeskUnavailableError);
  });

  it('reports an unreadable answer as unavailable, not as a ticket', async () => {
    fake.inject({ kind: 'garbage', count: 1 });
    await expect(zendesk().createTicket(ticket())).rejects.toBeInstanceOf(TicketDeskUnavailableError);
  });

  it('reports a refusal as permanent', async () => {
    fake.inject({ kind: 'status', status: 422, count: 1 });
    await expect(zendesk().createTicket(ticket())).rejects.toBeInstanceOf(TicketDeskRejectedError);
    const wrongToken = new ZendeskDesk({
      endpointUri: `${fake.url}/api/v2`,
      agentUrl: fake.url,
      email: 'bot@acme.test',
      token: 'wrong',
    });
    await expect(wrongToken.createTicket(ticket())).rejects.toBeInstanceOf(TicketDeskRejectedError);
  });
});

/** How a conformance test opens, closes and reads a ticket of the desk under test. */
interface HandOffHarness {
  desk(): TicketDesk;
  close(ticketId: string): Promise<void>;
  /** The ticket's public comments by its requester, oldest first. */
  requesterComments(ticketId: string): Promise<string[]>;
  /** The ticket's internal notes (private comments) the bot added, oldest first. */
  internalNotes(ticketId: string): Promise<string[]>;
  /** An id of the desk's form that names no ticket. */
  missingId: string;
}

const commentOf = (ticketId: string, body: string, key: string = randomUUID(), mayExist = false) => ({
  ticketId,
  body,
  idempotencyKey: key,
  mayExist,
});

/** What every TicketDesk must do for the hand-off sync: requester comments once per key, follow-ups. */
function describeHandOffConformance(name: string, harness: HandOffHarness): void {
  describe(`TicketDesk hand-off conformance: ${name}`, () => {
    const open = async () => (await harness.desk().createTicket(ticket())).ticketId;

    it('adds public comments by the requester, in order, and a key once however often it is retried', async () => {
      const ticketId = await open();
      const key = randomUUID();
      expect(await harness.desk().addRequesterComment(commentOf(ticketId, 'first', key))).toEqual({
        status: 'added',
      });
      expect(await harness.desk().addRequesterComment(commentOf(ticketId, 'first', key, true))).toEqual({
        status: 'added',
      });
      await harness.desk().addRequesterComment(commentOf(ticketId, 'second'));
      expect(await harness.requesterComments(ticketId)).toEqual(['first', 'second']);
    });

    it('answers closed for a closed ticket and adds nothing, but a key it took before still counts', async () => {
      const ticketId = await open();
      const key = randomUUID();
      await harness.desk().addRequesterComment(commentOf(ticketId, 'before closing', key));
      await harness.close(ticketId);
      expect(await harness.desk().addRequesterComment(commentOf(ticketId, 'after closing'))).toEqual({
        status: 'closed',
      });
      expect(
        await harness.desk().addRequesterComment(commentOf(ticketId, 'before closing', key, true)),
      ).toEqual({ status: 'added' });
      expect(await harness.requesterComments(ticketId)).toEqual(['before closing']);
    });

    it('opens one follow-up of a closed ticket per key, with the comment as its first, and it takes more', async () => {
      const closed = await open();
      await harness.close(closed);
      const key = randomUUID();
      const followUp = { sourceTicketId: closed, body: 'still broken', idempotencyKey: key };
      const created = await harness.desk().createFollowUp(followUp);
      expect(created.ticketId).not.toBe(closed);
      expect(created.url).toContain(created.ticketId);
      expect((await harness.desk().createFollowUp(followUp)).ticketId).toBe(created.ticketId);
      expect(await harness.requesterComments(created.ticketId)).toEqual(['still broken']);
      await harness.desk().addRequesterComment(commentOf(created.ticketId, 'and more'));
      expect(await harness.requesterComments(created.ticketId)).toEqual(['still broken', 'and more']);
    });

    it('refuses a comment on a ticket that does not exist, for good', async () => {
      await expect(
        harness.desk().addRequesterComment(commentOf(harness.missingId, 'hello?')),
      ).rejects.toBeInstanceOf(TicketDeskRejectedError);
    });

    it('adds internal notes, private and apart from the requester comments, a key once however often retried', async () => {
      const ticketId = await open();
      const key = randomUUID();
      const note = { ticketId, body: 'Reconnect approved by an agent.', idempotencyKey: key };
      expect(await harness.desk().addInternalNote(note)).toEqual({ status: 'added' });
      expect(await harness.desk().addInternalNote(note)).toEqual({ status: 'added' });
      await harness.desk().addInternalNote({ ticketId, body: 'second', idempotencyKey: randomUUID() });
      expect(await harness.internalNotes(ticketId)).toEqual(['Reconnect approved by an agent.', 'second']);
      expect(await harness.requesterComments(ticketId)).toEqual([]);
    });

    it('answers closed for a note on a closed ticket and adds nothing, but a key it took before still counts', async () => {
      const ticketId = await open();
      const key = randomUUID();
      await harness.desk().addInternalNote({ ticketId, body: 'before closing', idempotencyKey: key });
      await harness.close(ticketId);
      expect(
        await harness.desk().addInternalNote({ ticketId, body: 'after', idempotencyKey: randomUUID() }),
      ).toEqual({ status: 'closed' });
      expect(
        await harness.desk().addInternalNote({ ticketId, body: 'before closing', idempotencyKey: key }),
      ).toEqual({ status: 'added' });
      expect(await harness.internalNotes(ticketId)).toEqual(['before closing']);
    });

    it('refuses a note on a ticket that does not exist, for good', async () => {
      const note = { ticketId: harness.missingId, body: 'hello?', idempotencyKey: randomUUID() };
      await expect(harness.desk().addInternalNote(note)).rejects.toBeInstanceOf(TicketDeskRejectedError);
    });
  });
}

describeHandOffConformance('Zendesk (node-zendesk against the local fake)', {
  desk: zendesk,
  close: async (ticketId) => fake.setStatus(ticketId, 'closed'),
  requesterComments: async (ticketId) => {
    const requester = fake.served.get(Number(ticketId))?.requester_id;
    return fake
      .commentsOf(ticketId)
      .filter((comment) => comment.public && comment.author_id === requester)
      .map((comment) => comment.body);
  },
  // The ticket's first comment is the bot's own private note (its creation): the ones after it.
  internalNotes: async (ticketId) =>
    fake
      .notes(Number(ticketId))
      .slice(1)
      .map((comment) => comment.body),
  missingId: '999999',
});
describeHandOffConformance('Redis', {
  desk: () => new RedisDesk(redis, prefix),
  close: (ticketId) => new RedisDesk(redis, prefix).close(ticketId),
  requesterComments: async (ticketId) =>
    (await new RedisDesk(redis, prefix).comments(ticketId)).map((comment) => comment.body),
  internalNotes: async (ticketId) =>
    (await new RedisDesk(redis, prefix).notes(ticketId)).map((comment) => comment.body),
  missingId: 'L999999',
});

describe('ZendeskDesk hand-off failures', () => {
  const hurried = () =>
    new ZendeskDesk({
      endpointUri: `${fake.url}/api/v2`,
      agentUrl: `${fake.url}/agent/tickets`,
      email: 'bot@acme.test',
      token: 'zendesk-test-token',
      timeoutMs: 300,
    });
  const open = async () => (await zendesk().createTicket(ticket())).ticketId;

  it('writes the comment as the ticket requester, public, with its key in the audit', async () => {
    const ticketId = await open();
    await zendesk().addRequesterComment(commentOf(ticketId, 'my labels still fail', 'key-1'));
    const [, comment] = fake.commentsOf(ticketId);
    expect(comment).toMatchObject({
      body: 'my labels still fail',
      public: true,
      author_id: fake.userIdOf('review@demo.test'),
    });
    expect(fake.served.get(Number(ticketId))?.audits.at(-1)?.metadata.custom).toEqual({
      onebalance_sync: 'key-1',
    });
  });

  it('writes the note private, by the bot, with its key in the audit', async () => {
    const ticketId = await open();
    await zendesk().addInternalNote({ ticketId, body: 'Reconnect denied.', idempotencyKey: 'note-1' });
    const comment = fake.commentsOf(ticketId).at(-1);
    expect(comment).toMatchObject({ body: 'Reconnect denied.', public: false });
    expect(comment?.author_id).not.toBe(fake.userIdOf('review@demo.test'));
    expect(fake.served.get(Number(ticketId))?.audits.at(-1)?.metadata.custom).toEqual({
      onebalance_sync: 'note-1',
    });
  });

  it('adds a note once when the first attempt was cut off after Zendesk had taken it', async () => {
    const ticketId = await open();
    fake.inject({ kind: 'slow', latencyMs: 1_000, count: 1, route: 'update' });
    const note = { ticketId, body: 'once only', idempotencyKey: randomUUID() };
    await expect(hurried().addInternalNote(note)).rejects.toBeInstanceOf(TicketDeskUnavailableError);
    expect(await zendesk().addInternalNote(note)).toEqual({ status: 'added' });
    expect(fake.commentsOf(ticketId).filter((comment) => comment.body === 'once only')).toHaveLength(1);
  });

  it('reports a note refused with 429, 5xx or an unreadable answer as unavailable, and a 404 as not found', async () => {
    const ticketId = await open();
    const note = () => ({ ticketId, body: 'x', idempotencyKey: randomUUID() });
    fake.inject({ kind: 'status', status: 429, retryAfterSeconds: 3, count: 1, route: 'read' });
    const error = await zendesk()
      .addInternalNote(note())
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TicketDeskUnavailableError);
    expect((error as TicketDeskUnavailableError).retryAfterMs).toBe(3_000);
    for (const status of [500, 503]) {
      fake.inject({ kind: 'status', status, count: 1, route: 'update' });
      await expect(zendesk().addInternalNote(note())).rejects.toBeInstanceOf(TicketDeskUnavailableError);
    }
    fake.inject({ kind: 'garbage', count: 1, route: 'read' });
    await expect(zendesk().addInternalNote(note())).rejects.toBeInstanceOf(TicketDeskUnavailableError);
    expect(fake.commentsOf(ticketId)).toHaveLength(1);
    await expect(
      zendesk().addInternalNote({ ticketId: '999999', body: 'x', idempotencyKey: 'k' }),
    ).rejects.toBeInstanceOf(TicketNotFoundError);
  });

  it('reports a 429 as unavailable with its Retry-After, and a 5xx or an unreadable answer as unavailable', async () => {
    const ticketId = await open();
    fake.inject({ kind: 'status', status: 429, retryAfterSeconds: 4, count: 1, route: 'read' });
    const error = await zendesk()
      .addRequesterComment(commentOf(ticketId, 'x'))
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TicketDeskUnavailableError);
    expect((error as TicketDeskUnavailableError).retryAfterMs).toBe(4_000);
    for (const status of [500, 502, 503]) {
      fake.inject({ kind: 'status', status, count: 1, route: 'update' });
      await expect(zendesk().addRequesterComment(commentOf(ticketId, 'x'))).rejects.toBeInstanceOf(
        TicketDeskUnavailableError,
      );
    }
    fake.inject({ kind: 'garbage', count: 1, route: 'read' });
    await expect(
      zendesk().addRequesterComment(commentOf(ticketId, 'x', randomUUID(), true)),
    ).rejects.toBeInstanceOf(TicketDeskUnavailableError);
    expect(fake.commentsOf(ticketId)).toHaveLength(1);
  });

  it('adds a comment once when the first attempt was cut off after Zendesk had taken it', async () => {
    const ticketId = await open();
    fake.inject({ kind: 'slow', latencyMs: 1_000, count: 1, route: 'update' });
    const key = randomUUID();
    await expect(hurried().addRequesterComment(commentOf(ticketId, 'once only', key))).rejects.toBeInstanceOf(
      TicketDeskUnavailableError,
    );
    // Zendesk took it, the bot did not hear back: the retry looks for its key before it adds.
    expect(await zendesk().addRequesterComment(commentOf(ticketId, 'once only', key, true))).toEqual({
      status: 'added',
    });
    expect(fake.commentsOf(ticketId).filter((comment) => comment.body === 'once only')).toHaveLength(1);
  });

  it('makes the follow-up with the closed ticket as its source and the requester as author', async () => {
    const closed = await open();
    fake.setStatus(closed, 'closed');
    const created = await zendesk().createFollowUp({
      sourceTicketId: closed,
      body: 'hi again',
      idempotencyKey: randomUUID(),
    });
    const made = fake.tickets.find((each) => String(each.id) === created.ticketId)?.body
      .ticket as unknown as Record<string, unknown>;
    expect(made).toMatchObject({
      via_followup_source_id: Number(closed),
      requester_id: fake.userIdOf('review@demo.test'),
    });
    // No tags given: the follow-up inherits the closed ticket's own.
    expect(made.tags).toBeUndefined();
    expect(fake.served.get(Number(created.ticketId))?.follow_up_of).toBe(Number(closed));
  });

  it('refuses an id that is not a Zendesk ticket id before it asks', async () => {
    const before = fake.calls.length;
    await expect(zendesk().addRequesterComment(commentOf('L12', 'x'))).rejects.toBeInstanceOf(
      TicketDeskRejectedError,
    );
    expect(fake.calls.length).toBe(before);
  });
});
