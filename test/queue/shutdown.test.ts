import type { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HttpAccountBackend } from '../../src/accounts/http-backend.ts';
import { type ReferenceServer, startReferenceServer } from '../../src/accounts/reference/server.ts';
import { CheckQueue, type CheckRequest } from '../../src/queue/check-queue.ts';
import { closeWorker, startCheckWorker } from '../../src/queue/check-worker.ts';
import { capturingLogger } from '../helpers/logs.ts';
import { deleteKeysUnder, REDIS_URL, uniquePrefix } from '../helpers/redis.ts';

const TOKEN = 'shutdown-test-token';
const UNSUSPEND = 'POST /v1/accounts/:accountId/unsuspend';
let server: ReferenceServer;
let redis: Redis;
let prefix: string;
let queue: CheckQueue;
let workers: Worker[];
let backends: HttpAccountBackend[];
let logs: ReturnType<typeof capturingLogger>;

beforeAll(async () => {
  server = await startReferenceServer({ token: TOKEN });
  redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
});
afterAll(async () => {
  redis.disconnect();
  await server.close();
});
beforeEach(async () => {
  server.reset();
  prefix = uniquePrefix('shutdown');
  queue = new CheckQueue(redis, { prefix });
  await queue.ready();
  workers = [];
  backends = [];
  logs = capturingLogger();
});
afterEach(async () => {
  for (const worker of workers) await closeWorker(worker, 5_000);
  // Waits for requests still in flight, so none lands in the next test's reset backend.
  await Promise.all(backends.map((backend) => backend.close()));
  await queue.close();
  await deleteKeysUnder(prefix);
});

/** A worker in this process; its adapter waits longer than the slow answers of these tests. */
async function startWorker(): Promise<Worker> {
  const backend = new HttpAccountBackend({ baseUrl: server.url, token: TOKEN, timeoutMs: 10_000 });
  const worker = startCheckWorker({ connection: redis, prefix, backend, logger: logs.logger });
  backends.push(backend);
  workers.push(worker);
  await worker.waitUntilReady();
  return worker;
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const unsuspend: CheckRequest = {
  check: 'account.unsuspend',
  target: { accountId: 'OB-1005' },
  requestId: 'shutdown',
};

describe('closing a check worker', () => {
  it('hands a check that cannot finish within the grace period back to the queue at once', async () => {
    // The backend lifts the hold at once but answers only 3 s later: longer than the grace.
    server.injectFault({
      kind: 'latency',
      latencyMs: 3_000,
      when: 'after',
      count: 1,
      pathPrefix: '/v1/accounts/OB-1005/unsuspend',
    });
    const first = await startWorker();
    const job = await queue.enqueue(unsuspend);
    const jobId = job.id ?? '';
    await waitFor(() => server.store.mutations().length === 1, 'the first worker to reach the backend');

    await closeWorker(first, 200);
    // Waiting for a worker now, not locked by a dead one until a stall check notices.
    expect(await queue.queue.getJobState(jobId)).toBe('waiting');
    expect(await queue.queue.getActiveCount()).toBe(0);
    expect(logs.lines()).toContain('jobs handed back to the queue at shutdown');

    await startWorker();
    const [outcome] = await queue.run([unsuspend], 15_000);
    // The second run repeats the key of the first: one lift, reported as the lift.
    expect(outcome).toMatchObject({ status: 'ok', jobId, result: { outcome: 'lifted' } });
    expect(server.calls(UNSUSPEND)).toBe(2);
    expect(server.store.mutations()).toEqual([
      { operation: 'unsuspend', accountId: 'OB-1005', idempotencyKey: jobId },
    ]);
    // Handing back spent no attempt and counted no stall.
    const finished = await queue.queue.getJob(jobId);
    expect(finished?.attemptsMade).toBe(1);
    expect(finished?.stalledCounter).toBe(0);
  });

  it('lets a check that finishes within the grace period complete, and hands nothing back', async () => {
    server.injectFault({ kind: 'latency', latencyMs: 300, count: 1 });
    const worker = await startWorker();
    const job = await queue.enqueue(unsuspend);
    await waitFor(() => server.calls(UNSUSPEND) === 1, 'the worker to reach the backend');

    await closeWorker(worker, 5_000);
    expect(await queue.queue.getJobState(job.id ?? '')).toBe('completed');
    expect((await queue.queue.getJob(job.id ?? ''))?.returnvalue).toMatchObject({ outcome: 'lifted' });
    expect(logs.lines()).not.toContain('handed back');
  });
});
