import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { signIdentity, verifyIdentity } from '../../src/core/identity.ts';
import { type Service, startService } from '../../src/http/server.ts';
import { createLogger } from '../../src/logger.ts';
import { TEST_IDENTITY_SECRET } from '../helpers/identity.ts';
import { deleteKeysUnder, REDIS_URL, uniquePrefix } from '../helpers/redis.ts';

let service: Service | undefined;
let prefix = '';
afterEach(async () => {
  await service?.close();
  service = undefined;
  await deleteKeysUnder(prefix);
});

async function start(env: Record<string, string>): Promise<Service> {
  prefix = uniquePrefix('svc');
  const config = loadConfig({ PORT: '0', REDIS_URL, QUEUE_PREFIX: prefix, LOG_LEVEL: 'silent', ...env });
  service = await startService(config, createLogger('silent'));
  return service;
}

describe('the service', () => {
  it('is ready when its in-process workers consume the check queue', async () => {
    const { url } = await start({});
    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', redis: 'ok', localWorker: 'running' });
  });

  it('is not ready when no worker anywhere consumes the queue, though Redis answers', async () => {
    const { url } = await start({ RUN_WORKERS: 'false' });
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({
      status: 'not_ready',
      redis: 'ok',
      workers: 0,
      localWorker: 'none',
    });
  });

  it('runs checks through its embedded reference backend and workers', async () => {
    const { runtime } = await start({});
    const [outcome] = await runtime.queue.run([
      { check: 'account.suspension', target: { accountId: 'OB-1004' }, requestId: 'svc-test' },
    ]);
    expect(outcome).toMatchObject({
      status: 'ok',
      result: { reason: 'compliance_review', unsuspendAllowed: false },
    });
  });
});

type Identity = { email: string; identity: string };

const startConversation = (url: string, body: unknown) =>
  fetch(`${url}/api/conversations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
const listEscalations = (url: string, token: string) =>
  fetch(`${url}/api/escalations`, { headers: { authorization: `Bearer ${token}` } });
/** The token `npm start` printed for this run, from its notices. */
const printedToken = (notices: readonly string[]) =>
  /Bearer ([A-Za-z0-9_-]{43})/.exec(notices.join('\n'))?.[1] ?? '';

describe('the demo', () => {
  it('is on with no configuration at all: "sign in as" works, under secrets made for this run', async () => {
    const { url, notices } = await start({});
    expect(notices[0]).toMatch(/^Demo sign-in is on \(CHAT_IDENTITY_SECRET is not set/);
    const identities = (await (await fetch(`${url}/api/dev/identities`)).json()) as Identity[];
    expect(identities.map((each) => each.email)).toContain('declined@demo.test');
    const declined = identities.find((each) => each.email === 'declined@demo.test');
    const started = await startConversation(url, declined);
    expect(started.status).toBe(201);
    expect(await started.json()).toMatchObject({ verified: true });
    // No known development secret signs anything here.
    for (const known of ['development-only-identity-secret', TEST_IDENTITY_SECRET])
      expect(verifyIdentity('declined@demo.test', declined?.identity ?? '', known)).toBe(false);
    const forged = {
      email: 'declined@demo.test',
      identity: signIdentity('declined@demo.test', 'development-only-identity-secret'),
    };
    expect((await startConversation(url, forged)).status).toBe(401);
    // The escalations list takes the token printed at start, and no built-in one.
    const token = printedToken(notices);
    expect(token).not.toBe('');
    expect((await listEscalations(url, token)).status).toBe(200);
    expect((await listEscalations(url, 'development-escalations-token')).status).toBe(401);
  });

  it('is off once the operator sets CHAT_IDENTITY_SECRET: no identities, no escalations list without ESCALATIONS_TOKEN', async () => {
    const { url, notices } = await start({ CHAT_IDENTITY_SECRET: TEST_IDENTITY_SECRET });
    expect(notices).toEqual([]);
    expect((await fetch(`${url}/api/dev/identities`)).status).toBe(404);
    expect((await listEscalations(url, 'development-escalations-token')).status).toBe(404);
  });

  it("is on with the operator's secret when DEMO_SIGN_IN=true, and never prints a token the operator set", async () => {
    const { url, notices } = await start({
      CHAT_IDENTITY_SECRET: TEST_IDENTITY_SECRET,
      DEMO_SIGN_IN: 'true',
      ESCALATIONS_TOKEN: 'the-operators-own-escalations-token',
    });
    expect(notices).toEqual([expect.stringMatching(/^Demo sign-in is on \(DEMO_SIGN_IN=true\)/)]);
    const identities = (await (await fetch(`${url}/api/dev/identities`)).json()) as Identity[];
    for (const { email, identity } of identities)
      expect(verifyIdentity(email, identity, TEST_IDENTITY_SECRET)).toBe(true);
    expect((await listEscalations(url, 'the-operators-own-escalations-token')).status).toBe(200);
  });

  it('limits the demo identities and the escalations list per address, on the shared counter', async () => {
    const { url, notices } = await start({ RATE_LIMIT_PER_IP: '2' });
    expect((await fetch(`${url}/api/dev/identities`)).status).toBe(200);
    expect((await listEscalations(url, printedToken(notices))).status).toBe(200);
    const identities = await fetch(`${url}/api/dev/identities`);
    expect(identities.status).toBe(429);
    expect(Number(identities.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await listEscalations(url, printedToken(notices))).status).toBe(429);
  });
});

describe('npm start', () => {
  it('prints the demo sign-in and the escalations token of the run on stdout', async () => {
    prefix = uniquePrefix('svc');
    const child = spawn(process.execPath, ['bin/onebalance-bot.js', 'serve'], {
      // A fresh machine: nothing but where Redis is, and a port and key prefix of the test's own.
      env: { PATH: process.env.PATH ?? '', REDIS_URL, QUEUE_PREFIX: prefix, PORT: '0', LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let timer: NodeJS.Timeout | undefined;
    try {
      let output = '';
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (chunk) => {
          output += String(chunk);
          if (/Escalations: .*\n/.test(output)) resolve();
        });
        child.once('exit', (code) => reject(new Error(`exited (${code}) with: ${output}`)));
        timer = setTimeout(
          () => reject(new Error(`no escalations token printed in 30 s: ${output}`)),
          30_000,
        );
      });
      const lines = output.trim().split('\n');
      expect(lines[0]).toMatch(/^onebalance-bot is listening at http:\/\/127\.0\.0\.1:\d+$/);
      expect(lines[1]).toMatch(/^Demo sign-in is on/);
      const url = /listening at (\S+)/.exec(lines[0] ?? '')?.[1] ?? '';
      expect((await listEscalations(url, printedToken(lines))).status).toBe(200);
    } finally {
      clearTimeout(timer);
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  });
});
