import { type ChildProcess, spawn } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type ReferenceServer, startReferenceServer } from '../../src/accounts/reference/server.ts';
import { loadConfig } from '../../src/config.ts';
import { signIdentity } from '../../src/core/identity.ts';
import { type Service, startService } from '../../src/http/server.ts';
import { createLogger } from '../../src/logger.ts';
import { deleteKeysUnder, REDIS_URL, uniquePrefix } from '../helpers/redis.ts';

const TOKEN = 'late-turns-backend-token';
const SECRET = 'late-turns-identity-secret';
const UNSUSPEND = 'POST /v1/accounts/:accountId/unsuspend';
let backend: ReferenceServer;
let prefix = '';
let service: Service | undefined;
let child: ChildProcess | undefined;

beforeAll(async () => {
  backend = await startReferenceServer({ token: TOKEN });
});
afterAll(() => backend.close());
afterEach(async () => {
  child?.kill('SIGKILL');
  child = undefined;
  await service?.close();
  service = undefined;
  backend.reset();
  await deleteKeysUnder(prefix);
});

/** What every instance of this test shares: one Redis prefix, one backend, short waits. */
function sharedEnv(): Record<string, string> {
  return {
    REDIS_URL,
    QUEUE_PREFIX: prefix,
    ACCOUNT_BACKEND_URL: backend.url,
    ACCOUNT_BACKEND_TOKEN: TOKEN,
    ACCOUNT_BACKEND_TIMEOUT_MS: '5000',
    CHAT_IDENTITY_SECRET: SECRET,
    CHECK_WAIT_MS: '300',
    LATE_TURN_TAKEOVER_MS: '1000',
    LOG_LEVEL: 'silent',
    PORT: '0',
  };
}

/** `onebalance-bot serve` in a process of its own, without check workers (they live elsewhere). */
async function startServiceProcess(): Promise<string> {
  const processHandle = spawn(process.execPath, ['bin/onebalance-bot.js', 'serve'], {
    env: { ...process.env, ...sharedEnv(), RUN_WORKERS: 'false' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  child = processHandle;
  let output = '';
  processHandle.stdout?.on('data', (chunk) => {
    output += String(chunk);
  });
  await expect.poll(() => /listening at (\S+)/.exec(output)?.[1], { timeout: 30_000 }).toBeDefined();
  return /listening at (\S+)/.exec(output)?.[1] as string;
}

async function post(url: string, body: unknown): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

async function startAs(base: string, email: string): Promise<string> {
  const response = await post(`${base}/api/conversations`, { email, identity: signIdentity(email, SECRET) });
  expect(response.status).toBe(201);
  return ((await response.json()) as { id: string }).id;
}

async function transcriptTexts(base: string, id: string): Promise<string[]> {
  const response = await fetch(`${base}/api/conversations/${id}`);
  const body = (await response.json()) as { messages: { role: string; text: string }[] };
  return body.messages.filter((message) => message.role === 'bot').map((message) => message.text);
}

/** The first server-sent message event whose text matches, read from a live stream. */
async function nextEventMatching(base: string, id: string, pattern: RegExp): Promise<string> {
  const response = await fetch(`${base}/api/conversations/${id}/events`);
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw new Error('the event stream ended');
      buffer += decoder.decode(value, { stream: true });
      const match = buffer.split('\n').find((line) => line.startsWith('data: ') && pattern.test(line));
      if (match !== undefined) return match;
    }
  } finally {
    await reader.cancel();
  }
}

describe('a late answer', () => {
  it('reaches the transcript and a live stream on another instance when the instance that promised it dies', async () => {
    prefix = uniquePrefix('late');
    // The survivor runs the check workers and can finish any instance's late turns.
    service = await startService(loadConfig(sharedEnv()), createLogger('silent'));
    const doomed = await startServiceProcess();
    backend.injectFault({ kind: 'latency', latencyMs: 1_500, pathPrefix: '/v1/accounts/OB-1005' });

    const id = await startAs(doomed, 'hold@demo.test');
    const streamed = nextEventMatching(service.url, id, /lifted/i);
    const turn = await post(`${doomed}/api/conversations/${id}/messages`, {
      text: 'my account is suspended, can you fix it?',
    });
    expect(((await turn.json()) as { pending: boolean }).pending).toBe(true);
    child?.kill('SIGKILL');

    expect(await streamed).toMatch(/lifted/i);
    const texts = await transcriptTexts(service.url, id);
    expect(texts.filter((text) => /lifted/i.test(text))).toHaveLength(1);
    expect(backend.calls(UNSUSPEND)).toBe(1);
  });

  it('is delivered once when its own instance and the takeover both finish it', async () => {
    prefix = uniquePrefix('late');
    service = await startService(
      loadConfig({ ...sharedEnv(), LATE_TURN_TAKEOVER_MS: '100' }),
      createLogger('silent'),
    );
    backend.injectFault({ kind: 'latency', latencyMs: 1_500, pathPrefix: '/v1/accounts/OB-1005' });
    const id = await startAs(service.url, 'hold@demo.test');
    const turn = await post(`${service.url}/api/conversations/${id}/messages`, {
      text: 'my account is suspended, can you fix it?',
    });
    expect(((await turn.json()) as { pending: boolean }).pending).toBe(true);
    await expect
      .poll(
        async () => (await transcriptTexts(service?.url ?? '', id)).some((text) => /lifted/i.test(text)),
        {
          timeout: 20_000,
        },
      )
      .toBe(true);
    await service.engine.drain();
    // Both deliverers have had their chance: still one answer, one unsuspend.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const texts = await transcriptTexts(service.url, id);
    expect(texts.filter((text) => /lifted/i.test(text))).toHaveLength(1);
    expect(backend.calls(UNSUSPEND)).toBe(1);
  });
});
