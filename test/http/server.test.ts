import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { type Service, startService } from '../../src/http/server.ts';
import { createLogger } from '../../src/logger.ts';
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
