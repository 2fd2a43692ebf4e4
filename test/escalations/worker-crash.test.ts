import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { type Service, startService } from '../../src/http/server.ts';
import { createLogger } from '../../src/logger.ts';
import { ZendeskFake } from '../fakes/zendesk.ts';
import { deleteKeysUnder, REDIS_URL, uniquePrefix } from '../helpers/redis.ts';

const fake = new ZendeskFake();
const prefix = uniquePrefix('crash');
let service: Service;
const children: ChildProcess[] = [];

const zendeskEnv = () => ({
  REDIS_URL,
  QUEUE_PREFIX: prefix,
  LOG_LEVEL: 'silent',
  ZENDESK_URL: fake.url,
  ZENDESK_EMAIL: 'bot@acme.test',
  ZENDESK_TOKEN: 'zendesk-test-token',
  SUPPORT_HOURS: 'Mon-Sun 00:00-24:00',
  CHECK_LOCK_MS: '1000',
  CHECK_STALLED_INTERVAL_MS: '500',
});

beforeAll(async () => {
  await fake.start();
  // The service takes conversations but runs no workers: worker processes create the tickets.
  service = await startService(
    loadConfig({ ...zendeskEnv(), PORT: '0', RUN_WORKERS: 'false' }),
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
    env: { ...process.env, ...zendeskEnv(), ACCOUNT_BACKEND_URL: '' },
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
  const deadline = Date.now() + 20_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('an escalation whose worker dies in the middle of creating the ticket', () => {
  it('is picked up by another worker and still makes exactly one ticket', async () => {
    const first = await workerProcess();
    fake.inject({ kind: 'slow', latencyMs: 5_000, count: 1 });
    const created = await fetch(`${service.url}/api/conversations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    const { id } = (await created.json()) as { id: string };
    await fetch(`${service.url}/api/conversations/${id}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'please let me talk to a human agent' }),
    });
    // Zendesk has the ticket, but the worker dies before it hears so.
    await waitFor(() => fake.tickets.length === 1, 'Zendesk to receive the ticket');
    first.kill('SIGKILL');
    await once(first, 'exit');

    await workerProcess();
    await waitFor(async () => {
      const conversation = (await (await fetch(`${service.url}/api/conversations/${id}`)).json()) as {
        messages: { text: string }[];
      };
      return conversation.messages.some((message) => /is ticket #1001/.test(message.text));
    }, 'the ticket number in the chat');
    expect(fake.requests).toBe(2);
    expect(fake.tickets).toHaveLength(1);
  });
});
