import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_INTENTS_DIR } from '../../src/config.ts';
import { buildApp, MAX_TEXT_LENGTH } from '../../src/http/app.ts';
import { loadIntentsOrThrow } from '../../src/intents/load.ts';
import { createLogger } from '../../src/logger.ts';
import { Understander } from '../../src/nlu/understand.ts';
import { deleteKeysUnder, REDIS_URL, uniquePrefix } from '../helpers/redis.ts';

const prefix = uniquePrefix('app');
const redis = new Redis(REDIS_URL);
/** The rate limit of the bare app: generous, so that only the test of the limit meets it. */
const generous = { redis, prefix, perIpPerMinute: 100_000 };
let app: Awaited<ReturnType<typeof buildApp>>;
beforeAll(async () => {
  const intents = loadIntentsOrThrow(DEFAULT_INTENTS_DIR);
  app = await buildApp({
    understander: Understander.fromIntents(intents),
    answers: new Map(intents.map((intent) => [intent.id, intent.answers.default])),
    logger: createLogger('silent'),
    rateLimit: generous,
  });
  await app.ready();
});
afterAll(async () => {
  await app.close();
  redis.disconnect();
  await deleteKeysUnder(prefix);
});

const classify = (payload: string, contentType = 'application/json') =>
  app.inject({ method: 'POST', url: '/api/classify', payload, headers: { 'content-type': contentType } });

describe('HTTP app', () => {
  it('answers the health check', async () => {
    const response = await app.inject({ method: 'GET', url: '/healthz' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok' });
  });

  it('classifies a message', async () => {
    const response = await classify(JSON.stringify({ text: 'I forgot my stamps.com password' }));
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ intent: 'reset_stamps_password', entities: [] });
    expect(response.json().answer).toContain('Stamps.com');
  });

  it.each([
    ['invalid JSON', '{"text":', 'application/json', 400, 'bad_request'],
    ['a missing text', '{}', 'application/json', 400, 'bad_request'],
    ['an unknown field', '{"text":"hi","extra":1}', 'application/json', 400, 'bad_request'],
    [
      'a too long text',
      JSON.stringify({ text: 'x'.repeat(MAX_TEXT_LENGTH + 1) }),
      'application/json',
      400,
      'bad_request',
    ],
    ['a form body', 'text=hi', 'application/x-www-form-urlencoded', 415, 'unsupported_media_type'],
    ['a plain-text body', 'hi', 'text/plain', 415, 'unsupported_media_type'],
    [
      'a body over the limit',
      JSON.stringify({ text: 'x'.repeat(70_000) }),
      'application/json',
      413,
      'payload_too_large',
    ],
  ])('rejects %s with %i and a JSON error code', async (_name, payload, contentType, status, code) => {
    const response = await classify(payload, contentType);
    expect(response.statusCode).toBe(status);
    const body = response.json() as { error: { code: string; message: string } };
    expect(body.error.code).toBe(code);
    expect(body.error.message.length).toBeGreaterThan(5);
  });

  it('tells a prototype-poisoning body apart from broken JSON', async () => {
    for (const payload of ['{"text":"hi","__proto__":{"admin":true}}', '{"constructor":{"prototype":{}}}']) {
      const response = await classify(payload);
      expect(response.statusCode).toBe(400);
      expect(response.json().error.message).toMatch(/must not contain "__proto__"/);
    }
    const broken = await classify('{"text":');
    expect(broken.json().error.message).not.toMatch(/__proto__/);
  });

  it('answers an unknown route with a JSON 404', async () => {
    const response = await app.inject({ method: 'GET', url: '/nowhere' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ error: { code: 'not_found' } });
  });

  it('believes X-Forwarded-For only when told how many proxies stand in front', async () => {
    const intents = loadIntentsOrThrow(DEFAULT_INTENTS_DIR);
    const deps = {
      understander: Understander.fromIntents(intents),
      answers: new Map<string, string>(),
      logger: createLogger('silent'),
      rateLimit: generous,
    };
    for (const [trustProxy, expected] of [
      [0, '127.0.0.1'],
      [1, '203.0.113.9'],
    ] as const) {
      const proxied = await buildApp({ ...deps, trustProxy });
      proxied.get('/whoami', async (request) => ({ ip: request.ip }));
      const response = await proxied.inject({
        method: 'GET',
        url: '/whoami',
        headers: { 'x-forwarded-for': '203.0.113.9' },
      });
      expect(response.json()).toEqual({ ip: expected });
      await proxied.close();
    }
  });

  it('limits /api/classify per address with 429 and Retry-After, bad bodies counted too', async () => {
    const intents = loadIntentsOrThrow(DEFAULT_INTENTS_DIR);
    const limited = await buildApp({
      understander: Understander.fromIntents(intents),
      answers: new Map<string, string>(),
      logger: createLogger('silent'),
      rateLimit: { redis, prefix: `${prefix}-limited`, perIpPerMinute: 3 },
    });
    const send = (payload: string, remoteAddress = '198.51.100.7') =>
      limited.inject({
        method: 'POST',
        url: '/api/classify',
        payload,
        remoteAddress,
        headers: { 'content-type': 'application/json' },
      });
    const statuses = [];
    for (const payload of ['{"text":"hi"}', '{}', '{"text":"hello"}', '{"text":"hi again"}'])
      statuses.push((await send(payload)).statusCode);
    expect(statuses).toEqual([200, 400, 200, 429]);
    const refused = await send('{"text":"hi"}');
    expect(refused.json()).toMatchObject({ error: { code: 'rate_limited' } });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    // Another address has a budget of its own.
    expect((await send('{"text":"hi"}', '198.51.100.8')).statusCode).toBe(200);
    // Probes are never limited.
    expect(
      (await limited.inject({ method: 'GET', url: '/healthz', remoteAddress: '198.51.100.7' })).statusCode,
    ).toBe(200);
    await limited.close();
  });
});
