import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { signIdentity } from '../../src/core/identity.ts';
import { type Service, startService } from '../../src/http/server.ts';
import { createLogger } from '../../src/logger.ts';
import { type PrivateRedis, startPrivateRedis } from '../helpers/private-redis.ts';

const SECRET = 'redis-unavailable-test-secret';
let redis: PrivateRedis | undefined;
let service: Service | undefined;

afterEach(async () => {
  redis?.thaw();
  await service?.close();
  await redis?.stop();
  service = undefined;
  redis = undefined;
});

async function start(redisArgs: string[] = [], env: Record<string, string> = {}): Promise<Service> {
  redis = await startPrivateRedis(redisArgs);
  const config = loadConfig({
    PORT: '0',
    REDIS_URL: redis.url,
    LOG_LEVEL: 'silent',
    CHAT_IDENTITY_SECRET: SECRET,
    ...env,
  });
  service = await startService(config, createLogger('silent'));
  return service;
}

async function startConversation(url: string, email: string): Promise<Response> {
  return fetch(`${url}/api/conversations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, identity: signIdentity(email, SECRET) }),
  });
}

function say(url: string, id: string, text: string): Promise<Response> {
  return fetch(`${url}/api/conversations/${id}/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ text }),
  });
}

describe('the service while its Redis does not answer', () => {
  it('answers 503 with Retry-After instead of hanging, and serves again once Redis is back', async () => {
    const { url } = await start();
    const started = await startConversation(url, 'hold@demo.test');
    expect(started.status).toBe(201);
    const { id } = (await started.json()) as { id: string };

    redis?.freeze();
    const frozenTurn = await say(url, id, 'is my account suspended?');
    expect(frozenTurn.status).toBe(503);
    expect(frozenTurn.headers.get('retry-after')).toBe('5');
    expect(await frozenTurn.json()).toEqual({
      error: { code: 'service_unavailable', message: expect.stringContaining('try again') },
    });
    const frozenStart = await startConversation(url, 'active@demo.test');
    expect(frozenStart.status).toBe(503);
    expect((await fetch(`${url}/readyz`)).status).toBe(503);

    redis?.thaw();
    const turn = await say(url, id, 'is my account suspended?');
    expect(turn.status).toBe(200);
    const body = (await turn.json()) as { messages: { text: string }[] };
    expect(body.messages.map((message) => message.text).join(' ')).toMatch(/lifted/i);
  });

  it('answers 503 while Redis is down and recovers by itself when it is back', async () => {
    const { url } = await start();
    const started = await startConversation(url, 'active@demo.test');
    const { id } = (await started.json()) as { id: string };
    const port = redis?.port ?? 0;
    await redis?.stop();
    const downTurn = await say(url, id, 'hello');
    expect(downTurn.status).toBe(503);
    expect(downTurn.headers.get('retry-after')).toBe('5');
    // The same port again (no persistence: the conversation is gone, the service is not).
    redis = await startPrivateRedis([], port);
    await expect.poll(async () => (await fetch(`${url}/readyz`)).status, { timeout: 15_000 }).toBe(200);
    expect((await startConversation(url, 'active@demo.test')).status).toBe(201);
  });
});

describe('readiness in production', () => {
  it('fails while Redis may evict keys, and says which policy to set', async () => {
    const { url } = await start(['--maxmemory-policy', 'allkeys-lru'], { NODE_ENV: 'production' });
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ redis: 'ok', redisEvictionPolicy: 'allkeys-lru' });
    const admin = new Redis(redis?.url ?? '');
    await admin.config('SET', 'maxmemory-policy', 'noeviction');
    admin.disconnect();
    const after = await fetch(`${url}/readyz`);
    expect(after.status).toBe(200);
  });
});
