import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conversationStateSchema, ticketRecordSchema } from '../../src/conversations/store.ts';
import { agentMessage, botMessage } from '../../src/core/messages.ts';
import type { TranscriptEntry } from '../../src/core/types.ts';
import { RedisDesk } from '../../src/escalations/redis-desk.ts';
import { ticketFor } from '../../src/escalations/ticket-content.ts';
import { ZendeskDesk } from '../../src/escalations/zendesk-desk.ts';
import { ZendeskFake } from '../fakes/zendesk.ts';
import { deleteKeysUnder, REDIS_URL, uniquePrefix } from '../helpers/redis.ts';

const fake = new ZendeskFake();
const prefix = uniquePrefix('ticket-content');
let redis: Redis;
beforeAll(async () => {
  await fake.start();
  redis = new Redis(REDIS_URL);
});
afterAll(async () => {
  await fake.stop();
  redis.disconnect();
  await deleteKeysUnder(prefix);
});

const state = conversationStateSchema.parse({
  id: `c_${'0'.repeat(32)}`,
  customer: { email: 'active@demo.test' },
  createdAt: new Date().toISOString(),
  account: { accountId: 'OB-1001', status: 'active', accountNumberLast4: '7007' },
});

/**
 * A transcript as it may still be in Redis from before the store masked what it writes (kept for 30
 * days), or from any writer that got past it: the full number, a card and a password in the clear.
 */
const transcript: TranscriptEntry[] = [
  {
    id: 'm_1',
    role: 'customer',
    text: 'my account number is 7730010017007 and my card 4242 4242 4242 4242, password: hunter2',
    turnId: 't_1',
    createdAt: new Date().toISOString(),
  },
  botMessage('Please never share those here.'),
  agentMessage('I looked up 7730-0100-17007.'),
];

const record = () =>
  ticketRecordSchema.parse({
    id: `e_${randomUUID()}`,
    reason: 'customer_asked_for_a_person',
    intent: 'talk_to_human',
    handoff: true,
    status: 'requested',
    requestedAt: new Date().toISOString(),
  });

const SECRETS = /7730[ -]?0100[ -]?17007|4242[ -]?4242|hunter2/;

describe('a ticket built from a transcript that holds secrets', () => {
  it('keeps only the last 4 digits of a number in the note the Redis desk stores', async () => {
    const desk = new RedisDesk(redis, prefix);
    const { ticketId } = await desk.createTicket(ticketFor(state, transcript, record()));
    const stored = (await desk.list()).find((each) => each.ticketId === ticketId);
    const note = stored?.ticket.internalNote ?? '';
    expect(note).toContain(
      'Customer: my account number is [account number ending 7007] and my card [card ending 4242], password: [password removed]',
    );
    expect(note).toContain('Agent: I looked up [account number ending 7007].');
    expect(JSON.stringify(stored)).not.toMatch(SECRETS);
  });

  it('sends Zendesk no full number either', async () => {
    const desk = new ZendeskDesk({
      endpointUri: `${fake.url}/api/v2`,
      agentUrl: `${fake.url}/agent/tickets`,
      email: 'bot@acme.test',
      token: 'zendesk-test-token',
    });
    await desk.createTicket(ticketFor(state, transcript, record()));
    const sent = fake.tickets.at(-1);
    expect(sent?.body.ticket.comment.body).toContain('account number ending 7007');
    expect(JSON.stringify(sent)).not.toMatch(SECRETS);
  });
});
