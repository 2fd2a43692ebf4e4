import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { handoffTicketId } from '../../src/conversations/store.ts';
import { type Service, startService } from '../../src/http/server.ts';
import { createLogger } from '../../src/logger.ts';
import { ZendeskFake } from '../fakes/zendesk.ts';
import { identityOf, TEST_IDENTITY_SECRET } from '../helpers/identity.ts';
import { deleteKeysUnder, REDIS_URL, uniquePrefix } from '../helpers/redis.ts';

const fake = new ZendeskFake();
const prefix = uniquePrefix('hsynccrash');
let service: Service;
const children: ChildProcess[] = [];

/** Short bounds: a dead worker's sync lock lapses after 3 x 1.5 s + 5 s. */
const env = () => ({
  REDIS_URL,
  QUEUE_PREFIX: prefix,
  LOG_LEVEL: 'silent',
  CHAT_IDENTITY_SECRET: TEST_IDENTITY_SECRET,
  ZENDESK_URL: fake.url,
  ZENDESK_EMAIL: 'bot@acme.test',
  ZENDESK_TOKEN: 'zendesk-test-token',
  ZENDESK_TIMEOUT_MS: '1500',
  HANDOFF_SYNC_WINDOW_MS: '300',
  SUPPORT_HOURS: 'Mon-Sun 00:00-24:00',
  CHECK_LOCK_MS: '1000',
  CHECK_STALLED_INTERVAL_MS: '500',
});

beforeAll(async () => {
  await fake.start();
  // The service takes the chat but runs no workers: worker processes make tickets and comments.
  service = await startService(
    loadConfig({ ...env(), PORT: '0', RUN_WORKERS: 'false' }),
    createLogger('silent'),
  );
});
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await service.close();
  await fake.stop();
  await deleteKeysUnder(prefix);
});

async function workerProcess(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['bin/onebalance-bot.js', 'worker'], {
    env: { ...process.env, ...env(), ACCOUNT_BACKEND_URL: '' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  let output = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk) => {
      output += String(chunk);
      if (output.includes('check worker ready')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`worker exited (${code}): ${output}`)));
  });
  return child;
}

async function waitFor(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 40_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

async function say(id: string, text: string): Promise<void> {
  const response = await fetch(`${service.url}/api/conversations/${id}/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ text }),
  });
  expect(response.status).toBe(200);
}

describe('a hand-off comment whose worker dies in the middle of adding it', () => {
  it('is finished by another worker without a second copy, and the next message still arrives', async () => {
    const first = await workerProcess();
    const email = 'active@demo.test';
    const created = await fetch(`${service.url}/api/conversations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, identity: identityOf(email) }),
    });
    const { id } = (await created.json()) as { id: string };
    await say(id, 'I need to talk to a person');
    let ticketId = '';
    await waitFor(async () => {
      const state = await service.store.get(id);
      ticketId = (state && handoffTicketId(state)) ?? '';
      return ticketId !== '';
    }, 'the ticket');
    const requesterComments = () => {
      const requester = fake.served.get(Number(ticketId))?.requester_id;
      return fake.commentsOf(ticketId).filter((comment) => comment.public && comment.author_id === requester);
    };
    // Zendesk takes the comment and answers late; the worker is killed before it hears back.
    fake.inject({ kind: 'slow', latencyMs: 3_000, count: 1, route: 'update' });
    await say(id, 'my scale is not reading the weight');
    await waitFor(() => requesterComments().length === 1, 'Zendesk to receive the comment');
    first.kill('SIGKILL');
    await once(first, 'exit');
    await say(id, 'it worked yesterday');

    await workerProcess();
    await waitFor(() => requesterComments().length === 2, 'the next comment');
    await waitFor(async () => {
      const progress = await service.escalations.handoffLedger.progress(id);
      return progress.inflight === null && progress.waiting.size === 0;
    }, 'the sync to settle');
    expect(requesterComments().map((comment) => comment.body)).toEqual([
      'my scale is not reading the weight',
      'it worked yesterday',
    ]);
  });
});
