import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import type { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HttpAccountBackend } from '../../src/accounts/http-backend.ts';
import { type ReferenceServer, startReferenceServer } from '../../src/accounts/reference/server.ts';
import { CheckQueue, type CheckRequest } from '../../src/queue/check-queue.ts';
import { closeWorker, startCheckWorker } from '../../src/queue/check-worker.ts';
import { capturingLogger } from '../helpers/logs.ts';
import { deleteKeysUnder, REDIS_URL, uniquePrefix } from '../helpers/redis.ts';

const TOKEN = 'worker-process-token';
const SUSPENSION = 'GET /v1/accounts/:accountId/suspension';
const UNSUSPEND = 'POST /v1/accounts/:accountId/unsuspend';
let server: ReferenceServer;
let redis: Redis;
let prefix: string;
let queue: CheckQueue;
let child: ChildProcess | undefined;
let rescuer: Worker | undefined;

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
  prefix = uniquePrefix('proc');
  queue = new CheckQueue(redis, { prefix });
  await queue.ready();
});
afterEach(async () => {
  child?.kill('SIGKILL');
  child = undefined;
  if (rescuer) await closeWorker(rescuer, 5_000);
  rescuer = undefined;
  await queue.close();
  await deleteKeysUnder(prefix);
});

/** The real `onebalance-bot worker` in its own process, with short locks so a dead one is noticed fast. */
async function startWorkerProcess(): Promise<ChildProcess> {
  const processHandle = spawn(process.execPath, ['bin/onebalance-bot.js', 'worker'], {
    env: {
      ...process.env,
      REDIS_URL,
      QUEUE_PREFIX: prefix,
      ACCOUNT_BACKEND_URL: server.url,
      ACCOUNT_BACKEND_TOKEN: TOKEN,
      CHECK_CONCURRENCY: '2',
      CHECK_LOCK_MS: '1000',
      CHECK_STALLED_INTERVAL_MS: '500',
      SHUTDOWN_GRACE_MS: '15000',
      LOG_LEVEL: 'silent',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  processHandle.stdout?.on('data', (chunk) => {
    output += String(chunk);
  });
  const deadline = Date.now() + 20_000;
  while (!output.includes('check worker ready')) {
    if (Date.now() > deadline || processHandle.exitCode !== null)
      throw new Error(`worker did not start: ${output}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  child = processHandle;
  return processHandle;
}

/** A worker in the test process that picks up what the child left. */
async function startRescuer(): Promise<void> {
  rescuer = startCheckWorker({
    connection: redis,
    prefix,
    backend: new HttpAccountBackend({ baseUrl: server.url, token: TOKEN }),
    logger: capturingLogger().logger,
    lockDurationMs: 1_000,
    stalledIntervalMs: 500,
  });
  await rescuer.waitUntilReady();
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const suspensionOf = (requestId: string): CheckRequest => ({
  check: 'account.suspension',
  target: { accountId: 'OB-1003' },
  requestId,
});

describe('check workers in other processes', () => {
  it('picks up again the job of a worker killed in the middle of it', async () => {
    const worker = await startWorkerProcess();
    server.injectFault({ kind: 'latency', latencyMs: 4_000, count: 1 });
    await queue.enqueue(suspensionOf('killed'));
    await waitFor(() => server.calls(SUSPENSION) === 1, 'the child to start the job');
    worker.kill('SIGKILL');
    await once(worker, 'exit');
    expect(await queue.queue.getActiveCount()).toBe(1);

    await startRescuer();
    const [outcome] = await queue.run([suspensionOf('killed')], 15_000);
    expect(outcome).toMatchObject({ status: 'ok', result: { reason: 'payment_declined' } });
    expect(server.calls(SUSPENSION)).toBe(2);
  });

  it('finishes its active jobs on SIGTERM and leaves the rest queued: none lost, none run twice', async () => {
    const worker = await startWorkerProcess();
    server.injectFault({ kind: 'latency', latencyMs: 1_000 });
    const requests = Array.from({ length: 6 }, (_, i) => suspensionOf(`term-${i}`));
    for (const request of requests) await queue.enqueue(request);
    await waitFor(() => server.calls(SUSPENSION) === 2, 'two jobs in flight');

    worker.kill('SIGTERM');
    const [exitCode] = (await once(worker, 'exit')) as [number | null];
    expect(exitCode).toBe(0);
    // The two in flight finished before the process left; nothing else was started.
    expect(await queue.queue.getCompletedCount()).toBe(2);
    expect(await queue.queue.getActiveCount()).toBe(0);
    expect(await queue.queue.getWaitingCount()).toBe(4);

    server.clearFaults();
    await startRescuer();
    const outcomes = await queue.run(requests, 15_000);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(Array(6).fill('ok'));
    expect(server.calls(SUSPENSION)).toBe(6);
    expect(await queue.queue.getFailedCount()).toBe(0);
  });

  it('completes an unsuspend whose workers died twice in a row, with one lift reported as the lift', async () => {
    // Each time the backend lifts (or repeats) at once and answers late: the worker dies first.
    const lateAnswer = {
      kind: 'latency',
      latencyMs: 4_000,
      when: 'after',
      count: 1,
      pathPrefix: '/v1/accounts/OB-1005/unsuspend',
    } as const;
    const request: CheckRequest = {
      check: 'account.unsuspend',
      target: { accountId: 'OB-1005' },
      requestId: 'twice-killed',
    };
    for (const death of [1, 2]) {
      server.injectFault(lateAnswer);
      const worker = await startWorkerProcess();
      if (death === 1) await queue.enqueue(request);
      await waitFor(() => server.calls(UNSUSPEND) === death, `run ${death} to reach the backend`);
      worker.kill('SIGKILL');
      await once(worker, 'exit');
    }

    // Two stalls: past BullMQ's default limit of one, within ours of three.
    await startRescuer();
    const [outcome] = await queue.run([request], 15_000);
    expect(outcome).toMatchObject({ status: 'ok', result: { outcome: 'lifted' } });
    expect(server.store.mutations()).toHaveLength(1);
    expect((await queue.queue.getJob(outcome?.jobId ?? ''))?.stalledCounter).toBe(2);
  });
});
