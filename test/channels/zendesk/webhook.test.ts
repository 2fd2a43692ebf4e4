import { randomInt } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signZendeskWebhook } from '../../../src/channels/zendesk/verify-signature.ts';
import { DEFAULT_INTENTS_DIR } from '../../../src/config.ts';
import {
  type ConversationState,
  ConversationStore,
  type TicketRecord,
} from '../../../src/conversations/store.ts';
import { createOutputGuard, SAFE_FALLBACK } from '../../../src/core/output-guard.ts';
import { ticketNoticesFrom } from '../../../src/escalations/notices.ts';
import { buildApp } from '../../../src/http/app.ts';
import { loadIntentsOrThrow } from '../../../src/intents/load.ts';
import { createLogger } from '../../../src/logger.ts';
import { Understander } from '../../../src/nlu/understand.ts';
import { TriageQueue, triageJobId } from '../../../src/triage/queue.ts';
import { deleteKeysUnder, REDIS_URL, uniquePrefix } from '../../helpers/redis.ts';

const SECRET = 'zendesk-webhook-secret-for-these-tests';
const prefix = uniquePrefix('zdhook');
const redis = new Redis(REDIS_URL);
const store = new ConversationStore(redis, { prefix });
// No worker consumes it here: the tests look at the jobs the webhook adds.
const triage = new TriageQueue(redis, prefix, '7');
let app: Awaited<ReturnType<typeof buildApp>>;

beforeAll(async () => {
  const logger = createLogger('silent');
  const intents = loadIntentsOrThrow(DEFAULT_INTENTS_DIR);
  const notices = ticketNoticesFrom(intents, createOutputGuard({ fallback: SAFE_FALLBACK }));
  app = await buildApp({
    understander: Understander.fromIntents(intents),
    answers: new Map(),
    logger,
    rateLimit: { redis, prefix, perIpPerMinute: 100_000 },
    zendeskWebhook: { secret: SECRET, store, redis, prefix, logger, notices, triage },
  });
  await app.ready();
});
afterAll(async () => {
  await app.close();
  await triage.close();
  await store.close();
  redis.disconnect();
  await deleteKeysUnder(prefix);
});

/** One signed delivery, exactly as captured: body, timestamp, signature, invocation id. */
interface Delivery {
  body: string;
  timestamp: string;
  signature: string;
}

function signed(event: Record<string, unknown>, timestamp = new Date().toISOString()): Delivery {
  const body = JSON.stringify(event);
  return { body, timestamp, signature: signZendeskWebhook(body, timestamp, SECRET) };
}

async function send(delivery: Delivery, invocationId: string) {
  const response = await app.inject({
    method: 'POST',
    url: '/webhooks/zendesk',
    payload: delivery.body,
    headers: {
      'content-type': 'application/json',
      'x-zendesk-webhook-signature': delivery.signature,
      'x-zendesk-webhook-signature-timestamp': delivery.timestamp,
      'x-zendesk-webhook-invocation-id': invocationId,
    },
  });
  return { status: response.statusCode, json: response.json() as Record<string, unknown> };
}

function ticketRecord(id: string, ticketId: string): TicketRecord {
  return {
    id,
    reason: 'customer_asked_for_a_person',
    intent: 'talk_to_human',
    handoff: true,
    status: 'created',
    ticketId,
    checks: [],
    requestedAt: new Date().toISOString(),
  };
}

/**
 * A conversation with two tickets: an older one, whose hand-off has ended, and a newer one that
 * holds the hand-off now. Ticket ids are random, so that tests never share one.
 */
async function conversationWithTwoTickets(): Promise<{ id: string; older: string; current: string }> {
  const older = String(randomInt(1_000_000, 9_000_000));
  const current = String(Number(older) + 1);
  const state: ConversationState = {
    ...store.newState({ email: 'active@demo.test' }),
    tickets: [ticketRecord('r_older', older), ticketRecord('r_current', current)],
    handoff: { ticketRecordId: 'r_current', since: new Date().toISOString() },
  };
  await store.commit(state, []);
  await store.linkTicket(older, state.id);
  await store.linkTicket(current, state.id);
  return { id: state.id, older, current };
}

const agentLines = async (id: string) =>
  (await store.transcript(id)).filter((entry) => entry.role === 'agent').map((entry) => entry.text);

const comment = (ticketId: string, body: string, eventId?: string) => ({
  event: 'comment_added',
  ...(eventId === undefined ? {} : { event_id: eventId }),
  ticket_id: ticketId,
  comment: { body, public: true, author_role: 'agent' },
});

describe('the Zendesk webhook against replays', () => {
  it('applies a captured delivery once, however many new invocation ids it is re-sent with', async () => {
    const { id, current } = await conversationWithTwoTickets();
    const captured = signed(comment(current, 'Hi, this is Sam from support.'));
    expect((await send(captured, 'inv-original')).json).toEqual({ status: 'applied' });
    for (let replay = 1; replay <= 6; replay++)
      expect((await send(captured, `inv-forged-${replay}`)).json).toEqual({ status: 'duplicate' });
    expect(await agentLines(id)).toEqual(['Hi, this is Sam from support.']);
  });

  it('knows a delivery by the event id in its body, even signed again under a new timestamp', async () => {
    const { id, current } = await conversationWithTwoTickets();
    const event = comment(current, 'Your account is fixed.', `comment-${current}-1`);
    const first = signed(event, new Date(Date.now() - 2_000).toISOString());
    expect((await send(first, 'inv-a')).json).toEqual({ status: 'applied' });
    expect((await send(signed(event), 'inv-b')).json).toEqual({ status: 'duplicate' });
    // The same words under another event id are another comment.
    expect((await send(signed(comment(current, 'Your account is fixed.', 'other')), 'inv-c')).json).toEqual({
      status: 'applied',
    });
    expect(await agentLines(id)).toEqual(['Your account is fixed.', 'Your account is fixed.']);
  });

  it('still knows a retry by its invocation id, signed again under a new timestamp', async () => {
    const { id, current } = await conversationWithTwoTickets();
    const event = comment(current, 'One moment please.');
    expect(
      (await send(signed(event, new Date(Date.now() - 2_000).toISOString()), 'inv-retried')).json,
    ).toEqual({ status: 'applied' });
    expect((await send(signed(event), 'inv-retried')).json).toEqual({ status: 'duplicate' });
    expect(await agentLines(id)).toEqual(['One moment please.']);
  });

  it('releases every key of a delivery it failed to apply, so that Zendesk can retry it', async () => {
    const { id, current } = await conversationWithTwoTickets();
    const state = await store.get(id);
    // A state that no longer parses: applying fails after the delivery's keys were claimed.
    await redis.set(`${prefix}:conv:${id}`, JSON.stringify({ id }));
    const event = comment(current, 'Sorry for the wait.', `comment-${current}-9`);
    const failed = await send(signed(event, new Date(Date.now() - 2_000).toISOString()), 'inv-failed');
    expect(failed.status).toBe(500);
    if (state !== null) await store.commit(state, []);
    // The failed attempt left the conversation locked; its lock lapses long before Zendesk retries.
    await redis.del(`${prefix}:conv:${id}:lock`);
    // Zendesk's retry: the same invocation id and event id (and the same body, signed again).
    expect((await send(signed(event), 'inv-failed')).json).toEqual({ status: 'applied' });
    expect(await agentLines(id)).toEqual(['Sorry for the wait.']);
  });
});

describe('the Zendesk webhook and the hand-off', () => {
  it('ends the hand-off only for the ticket that holds it; comments of any ticket of the conversation are relayed', async () => {
    const { id, older, current } = await conversationWithTwoTickets();
    const solvedOlder = { event: 'status_changed', ticket_id: older, status: 'solved' };
    expect((await send(signed(solvedOlder), 'inv-1')).json).toEqual({ status: 'ignored' });
    expect((await send(signed({ event: 'handed_back', ticket_id: older }), 'inv-2')).json).toEqual({
      status: 'ignored',
    });
    expect((await store.get(id))?.handoff).toMatchObject({ ticketRecordId: 'r_current' });
    // The older ticket's agent still writes to this customer.
    expect((await send(signed(comment(older, 'Following up on your earlier case.')), 'inv-3')).json).toEqual({
      status: 'applied',
    });
    expect(await agentLines(id)).toEqual(['Following up on your earlier case.']);
    const solvedCurrent = { event: 'status_changed', ticket_id: current, status: 'solved' };
    expect((await send(signed(solvedCurrent), 'inv-4')).json).toEqual({ status: 'applied' });
    expect((await store.get(id))?.handoff).toBeUndefined();
    expect((await store.transcript(id)).at(-1)?.text).toMatch(
      new RegExp(`ticket #${current} is marked as solved`),
    );
  });

  it('ignores a status change when no ticket holds a hand-off', async () => {
    const { id, current } = await conversationWithTwoTickets();
    const handedBack = { event: 'handed_back', ticket_id: current };
    expect((await send(signed(handedBack), 'inv-5')).json).toEqual({ status: 'applied' });
    const solved = { event: 'status_changed', ticket_id: current, status: 'solved' };
    expect((await send(signed(solved), 'inv-6')).json).toEqual({ status: 'ignored' });
    expect((await store.transcript(id)).filter((entry) => entry.role === 'bot')).toHaveLength(1);
  });
});

describe('the Zendesk webhook and triage', () => {
  it('queues one triage per ticket and rules version, whichever trigger asks and however often', async () => {
    const ticketId = String(randomInt(1_000_000, 9_000_000));
    const created = { event: 'ticket_created', event_id: `created-${ticketId}`, ticket_id: ticketId };
    expect((await send(signed(created), `inv-t-${ticketId}-1`)).json).toEqual({ status: 'applied' });
    const tagged = { event: 'ticket_tagged', ticket_id: Number(ticketId) };
    expect((await send(signed(tagged), `inv-t-${ticketId}-2`)).json).toEqual({ status: 'applied' });
    const job = await triage.queue.getJob(triageJobId(ticketId, '7'));
    expect(job?.id).toBe(`triage:${ticketId}:7`);
    expect(job?.data).toEqual({ ticketId, reason: 'ticket_created' });
    expect(await triage.queue.getJobCounts('waiting')).toMatchObject({ waiting: 1 });
    await job?.remove();
  });

  it.each([
    ['a ticket id that is not a number', { event: 'ticket_created', ticket_id: 'abc' }],
    ['no ticket id', { event: 'ticket_tagged' }],
    ['anything besides the id', { event: 'ticket_created', ticket_id: '12', requester: 'ceo@acme.test' }],
    ['an unknown event', { event: 'ticket_deleted', ticket_id: '12' }],
  ])('refuses a triage body with %s, and queues nothing', async (_what, body) => {
    const answer = await send(signed(body), `inv-bad-${randomInt(1_000_000)}`);
    expect(answer.status).toBe(400);
    expect(answer.json).toMatchObject({ error: { code: 'bad_request' } });
    expect(await triage.queue.getJobCounts('waiting')).toMatchObject({ waiting: 0 });
  });

  it('refuses an unsigned triage request before reading its body', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/webhooks/zendesk',
      payload: JSON.stringify({ event: 'ticket_created', ticket_id: '12' }),
      headers: { 'content-type': 'application/json', 'x-zendesk-webhook-invocation-id': 'inv-unsigned' },
    });
    expect(response.statusCode).toBe(401);
    expect(await triage.queue.getJobCounts('waiting')).toMatchObject({ waiting: 0 });
  });
});
