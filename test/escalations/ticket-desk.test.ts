import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisDesk } from '../../src/escalations/redis-desk.ts';
import {
  type NewTicket,
  type TicketDesk,
  TicketDeskRejectedError,
  TicketDeskUnavailableError,
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
