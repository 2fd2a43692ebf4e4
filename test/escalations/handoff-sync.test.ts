import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCanaries } from '../../src/accounts/reference/demo-accounts.ts';
import { signZendeskWebhook } from '../../src/channels/zendesk/verify-signature.ts';
import { handoffTicketId } from '../../src/conversations/store.ts';
import type { Service } from '../../src/http/server.ts';
import { ZendeskFake } from '../fakes/zendesk.ts';
import { identityOf } from '../helpers/identity.ts';
import { deleteKeysUnder, dumpKeysUnder, uniquePrefix } from '../helpers/redis.ts';
import { startTestService } from '../helpers/service.ts';

const WEBHOOK_SECRET = 'zendesk-webhook-secret-for-hand-off-tests';
/** Short, so that the tests are: what is typed within it is one comment. */
const WINDOW_MS = 1_500;
const fake = new ZendeskFake();
const prefix = uniquePrefix('hsync');
let service: Service;

beforeAll(async () => {
  await fake.start();
  service = await startTestService(prefix, {
    ZENDESK_URL: fake.url,
    ZENDESK_EMAIL: 'bot@acme.test',
    ZENDESK_TOKEN: 'zendesk-test-token',
    ZENDESK_WEBHOOK_SECRET: WEBHOOK_SECRET,
    ZENDESK_TIMEOUT_MS: '1000',
    HANDOFF_SYNC_WINDOW_MS: String(WINDOW_MS),
    SUPPORT_HOURS: 'Mon-Sun 00:00-24:00',
  });
});
afterAll(async () => {
  await service.close();
  await fake.stop();
  await deleteKeysUnder(prefix);
});

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${service.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

async function say(id: string, text: string): Promise<void> {
  expect((await post(`/api/conversations/${id}/messages`, { text })).status).toBe(200);
}

async function waitFor(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

const transcript = (id: string) => service.store.transcript(id);

/** A signed-in customer who asked for a person; the ticket's id once the escalations worker made it. */
async function handedOff(email = 'active@demo.test'): Promise<{ id: string; ticketId: string }> {
  const id = (await post('/api/conversations', { email, identity: identityOf(email) })).json.id as string;
  await say(id, 'I want to talk to a real person');
  let ticketId: string | undefined;
  await waitFor(async () => {
    const state = await service.store.get(id);
    ticketId = state ? handoffTicketId(state) : undefined;
    return ticketId !== undefined;
  }, 'the ticket');
  return { id, ticketId: ticketId ?? '' };
}

/** The ticket's public comments by its requester (the synced ones), oldest first. */
function requesterComments(ticketId: string) {
  const requester = fake.served.get(Number(ticketId))?.requester_id;
  return fake.commentsOf(ticketId).filter((comment) => comment.public && comment.author_id === requester);
}

/** Waits until nothing of the conversation is waiting or in flight, then a window more for stray jobs. */
async function settled(id: string): Promise<void> {
  await waitFor(async () => {
    const progress = await service.escalations.handoffLedger.progress(id);
    return progress.inflight === null && progress.waiting.size === 0;
  }, 'the sync to settle');
  await sleep(WINDOW_MS + 500);
}

let invocation = 0;
async function webhook(event: Record<string, unknown>) {
  const body = JSON.stringify(event);
  const timestamp = new Date().toISOString();
  return post('/webhooks/zendesk', body, {
    'x-zendesk-webhook-signature': signZendeskWebhook(body, timestamp, WEBHOOK_SECRET),
    'x-zendesk-webhook-signature-timestamp': timestamp,
    'x-zendesk-webhook-invocation-id': `hsync-${++invocation}`,
  });
}

describe('a handed-off chat stays in sync with its ticket', () => {
  it('adds what the customer types within the window as one public comment by the requester, and a later message as another', async () => {
    const { id, ticketId } = await handedOff();
    const { handoffSync, handoffSyncWorker } = service.escalations;
    // Held while the customer types, so that the test does not depend on how fast this machine is:
    // all three wait when the first job runs, as they do when typed within the window.
    await handoffSyncWorker?.pause();
    try {
      await say(id, 'hello? anyone?');
      await say(id, 'my labels will not print');
      await say(id, 'it says One Balance is suspended');
      const typed = (await transcript(id)).filter((entry) => entry.role === 'customer').slice(-3);
      for (const message of typed) {
        const job = await handoffSync.queue.getJob(`hsync-${id}-${message.id}`);
        // Each message's job runs a window after it, and carries ids, not the text.
        expect(job?.opts.delay).toBe(WINDOW_MS);
        expect(job?.data).toEqual({ conversationId: id, messageId: message.id });
      }
    } finally {
      await handoffSyncWorker?.resume();
    }
    await waitFor(() => requesterComments(ticketId).length > 0, 'the first comment');
    await settled(id);
    const [first, ...others] = requesterComments(ticketId);
    expect(others).toEqual([]);
    expect(first?.body).toBe(
      'hello? anyone?\n\nmy labels will not print\n\nit says One Balance is suspended',
    );
    expect(first).toMatchObject({ public: true, author_id: fake.userIdOf('active@demo.test') });
    // The bot's own answers stay in the chat: the ticket has them in its note already.
    expect(fake.commentsOf(ticketId).some((comment) => /support team now/.test(comment.body))).toBe(false);
    await say(id, 'I am still here');
    await waitFor(() => requesterComments(ticketId).length === 2, 'the second comment');
    expect(requesterComments(ticketId)[1]?.body).toBe('I am still here');
  });

  it('syncs the messages typed before the ticket existed once it does', async () => {
    const { worker: escalations, handoffSync } = service.escalations;
    // No ticket is made while the customer types: the escalations worker is held.
    await escalations?.pause();
    const email = 'active@demo.test';
    const id = (await post('/api/conversations', { email, identity: identityOf(email) })).json.id as string;
    const before = fake.tickets.length;
    try {
      await say(id, 'please get me a human');
      await say(id, 'it is about my postage balance');
      await say(id, 'and my labels');
      // Their jobs ran and found no ticket to write to: the messages wait.
      const typed = (await transcript(id)).filter((entry) => entry.role === 'customer').slice(-2);
      await waitFor(async () => {
        const states = await Promise.all(
          typed.map(async (message) => handoffSync.queue.getJobState(`hsync-${id}-${message.id}`)),
        );
        return states.every((state) => state === 'completed');
      }, 'the sync jobs to run');
      expect((await service.escalations.handoffLedger.progress(id)).waiting.size).toBe(2);
      expect(fake.tickets.length).toBe(before);
    } finally {
      await escalations?.resume();
    }
    await waitFor(() => fake.tickets.length > before, 'the ticket');
    const ticketId = String(fake.tickets.at(-1)?.id);
    await waitFor(() => requesterComments(ticketId).length > 0, 'the comment');
    await settled(id);
    expect(requesterComments(ticketId).map((comment) => comment.body)).toEqual([
      'it is about my postage balance\n\nand my labels',
    ]);
  });

  it('never adds a message twice: not for a repeated request, a duplicate job, or a retry after a cut-off answer', async () => {
    const { id, ticketId } = await handedOff();
    // Zendesk takes the comment but answers after the bot's 1 s bound: the job fails and is retried.
    fake.inject({ kind: 'slow', latencyMs: 2_500, count: 1, route: 'update' });
    const logFrom = fake.calls.length;
    await say(id, 'is anybody reading this?');
    await waitFor(() => requesterComments(ticketId).length > 0, 'the comment');
    await settled(id);
    // The retry looked for its key in the audits and found it, so it did not add the comment again.
    const calls = fake.calls.slice(logFrom).map((call) => `${call.method} ${call.path}`);
    expect(calls.filter((call) => call.startsWith('PUT'))).toHaveLength(1);
    expect(calls).toContain(`GET /api/v2/tickets/${ticketId}/audits.json`);
    const message = (await transcript(id)).findLast((entry) => entry.role === 'customer');
    const { handoffSync } = service.escalations;
    const state = await service.store.get(id);
    const ticketRecordId = state?.handoff?.ticketRecordId ?? '';
    await handoffSync.messageKept({ conversationId: id, messageId: message?.id ?? '', ticketRecordId });
    await handoffSync.queue.add(
      'sync',
      { conversationId: id, messageId: message?.id },
      { jobId: 'a-duplicate' },
    );
    await handoffSync.continueLater(id);
    await settled(id);
    expect(requesterComments(ticketId).map((comment) => comment.body)).toEqual(['is anybody reading this?']);
  });

  it('retries through a 429 (after its Retry-After) and 5xx answers, and adds the comment once', async () => {
    const { id, ticketId } = await handedOff();
    fake.inject({ kind: 'status', status: 429, retryAfterSeconds: 1, count: 1, route: 'read' });
    fake.inject({ kind: 'status', status: 503, count: 1, route: 'update' });
    fake.inject({ kind: 'status', status: 502, count: 1, route: 'update' });
    const logFrom = fake.calls.length;
    await say(id, 'the app keeps spinning');
    await waitFor(() => requesterComments(ticketId).length > 0, 'the comment', 30_000);
    await settled(id);
    expect(requesterComments(ticketId).map((comment) => comment.body)).toEqual(['the app keeps spinning']);
    const calls = fake.calls.slice(logFrom);
    expect(calls.filter((call) => call.method === 'PUT')).toHaveLength(3);
    // The read after the 429 waited for its Retry-After: the pause holds only in a worker with a limiter.
    const limited = calls.findIndex((call) => call.status === 429);
    expect(limited).toBeGreaterThanOrEqual(0);
    expect((calls[limited + 1]?.at ?? 0) - (calls[limited]?.at ?? 0)).toBeGreaterThanOrEqual(900);
  });

  it('masks the secrets a customer types before they reach the ticket, and keeps them out of jobs and Redis', async () => {
    const { id, ticketId } = await handedOff();
    const fullNumber =
      service.runtime.accounts?.embedded?.store.findRecord({ accountId: 'OB-1001' })?.accountNumber ?? '';
    expect(fullNumber).toMatch(/^\d{8,}$/);
    await say(id, `my card is 4111 1111 1111 1111 and my account is ${fullNumber}`);
    await say(id, 'my password is Hunter2!xyz');
    await waitFor(() => requesterComments(ticketId).length > 0, 'the comment');
    await settled(id);
    const [comment] = requesterComments(ticketId);
    expect(comment?.body).toMatch(/card ending 1111/);
    expect(comment?.body).toMatch(new RegExp(`account number ending ${fullNumber.slice(-4)}`));
    const everything = [
      JSON.stringify([...fake.served.values()]),
      JSON.stringify(fake.tickets),
      await dumpKeysUnder(prefix),
    ];
    for (const secret of [
      '4111 1111 1111 1111',
      '4111111111111111',
      fullNumber,
      'Hunter2!xyz',
      ...demoCanaries(),
    ])
      for (const place of everything) expect(place).not.toContain(secret);
  });

  it('relays the agent reply into the chat, and not the comment the bot added for the customer', async () => {
    const { id, ticketId } = await handedOff();
    await say(id, 'I tried twice.');
    await say(id, 'Still the same error.');
    await waitFor(() => requesterComments(ticketId).length > 0, 'the comment');
    const synced = requesterComments(ticketId)[0]?.body ?? '';
    // Zendesk reports the API update as made by the bot's agent user, and may re-wrap the text.
    for (const body of [synced, synced.replace('\n\n', '\n')]) {
      const echoed = await webhook({
        event: 'comment_added',
        ticket_id: ticketId,
        comment: { body, public: true, author_role: 'agent' },
      });
      expect(echoed.json).toEqual({ status: 'ignored' });
    }
    const reply = 'Hi, this is Sam from support. Can you send a screenshot?';
    const relayed = await webhook({
      event: 'comment_added',
      ticket_id: ticketId,
      comment: { body: reply, public: true, author_role: 'agent' },
    });
    expect(relayed.json).toEqual({ status: 'applied' });
    const agentLines = (await transcript(id))
      .filter((entry) => entry.role === 'agent')
      .map((entry) => entry.text);
    expect(agentLines).toEqual([reply]);
  });

  it('opens a follow-up when the ticket was closed, and moves the hand-off, the later messages and the replies to it', async () => {
    const { id, ticketId } = await handedOff();
    fake.setStatus(ticketId, 'closed');
    await say(id, 'the labels still do not print');
    const followUpOf = (ticket: (typeof fake.tickets)[number]) =>
      (ticket.body.ticket as unknown as { via_followup_source_id?: number }).via_followup_source_id;
    await waitFor(
      () => fake.tickets.some((ticket) => followUpOf(ticket) === Number(ticketId)),
      'the follow-up',
    );
    const followUp = String(fake.tickets.find((ticket) => followUpOf(ticket) === Number(ticketId))?.id);
    expect(fake.served.get(Number(followUp))).toMatchObject({
      follow_up_of: Number(ticketId),
      requester_id: fake.userIdOf('active@demo.test'),
    });
    expect(requesterComments(followUp).map((comment) => comment.body)).toEqual([
      'the labels still do not print',
    ]);
    expect(requesterComments(ticketId)).toEqual([]);
    await waitFor(
      async () =>
        (await transcript(id)).some((entry) => entry.text.includes(`follow-up ticket #${followUp}`)),
      'the customer told of the follow-up',
    );
    const state = await service.store.get(id);
    expect(state && handoffTicketId(state)).toBe(followUp);
    await say(id, 'any news?');
    await waitFor(() => requesterComments(followUp).length === 2, 'the next comment on the follow-up');
    await settled(id);
    expect(fake.tickets.filter((ticket) => followUpOf(ticket) !== undefined)).toHaveLength(1);
    const reply = { body: 'Sam here, looking into it.', public: true, author_role: 'agent' };
    expect((await webhook({ event: 'comment_added', ticket_id: followUp, comment: reply })).json).toEqual({
      status: 'applied',
    });
    // The closed ticket no longer holds the hand-off; its follow-up does.
    const solved = (ticket: string) =>
      webhook({ event: 'status_changed', ticket_id: ticket, status: 'solved' });
    expect((await solved(ticketId)).json).toEqual({ status: 'ignored' });
    expect((await solved(followUp)).json).toEqual({ status: 'applied' });
  });
});
