/**
 * Check-queue benchmark: raw BullMQ round trips (add -> process a no-op -> await) against the real
 * `account.suspension` check (queue -> worker -> HTTP adapter -> reference backend -> await), at
 * several concurrencies, in one process against the local Redis. Figures printed, never asserted.
 *
 *   npm run bench:checks -- [--ops 3000] [--concurrency 1,50,200]
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { Queue, QueueEvents, Worker } from 'bullmq';
import { HttpAccountBackend } from '../../src/accounts/http-backend.ts';
import { startReferenceServer } from '../../src/accounts/reference/server.ts';
import { createLogger } from '../../src/logger.ts';
import { quantile } from '../../src/nlu/evaluate.ts';
import { CheckQueue } from '../../src/queue/check-queue.ts';
import { closeWorker, startCheckWorker } from '../../src/queue/check-worker.ts';
import { blockingDuplicate, createRedis, deleteKeysUnder } from '../../src/queue/redis.ts';

interface Figures {
  opsPerSecond: number;
  p50: number;
  p99: number;
  failed: number;
}

/** Runs `total` operations with `concurrency` in flight at once; latency per operation. */
async function drive(
  total: number,
  concurrency: number,
  operation: (index: number) => Promise<boolean>,
): Promise<Figures> {
  const latencies: number[] = [];
  let next = 0;
  let failed = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const index = next++;
        const t0 = performance.now();
        if (!(await operation(index))) failed++;
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    opsPerSecond: total / seconds,
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
    failed,
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      ops: { type: 'string', default: '3000' },
      concurrency: { type: 'string', default: '1,50,200' },
      redis: { type: 'string', default: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' },
    },
  });
  const levels = values.concurrency.split(',').map(Number);
  const totalOps = Number(values.ops);
  const prefix = `bench-${randomUUID().slice(0, 8)}`;
  const redis = createRedis(values.redis);
  const logger = createLogger('warn', 2);
  const token = randomUUID();
  const server = await startReferenceServer({ token });
  const backend = new HttpAccountBackend({ baseUrl: server.url, token });
  const rows: string[] = [];

  for (const concurrency of levels) {
    // Fewer operations at concurrency 1, where each waits for the last.
    const total = concurrency === 1 ? Math.min(totalOps, 1000) : totalOps;

    // (a) raw BullMQ: the same Redis, a no-op processor, the same await.
    const rawQueue = new Queue('raw', {
      connection: redis,
      prefix,
      defaultJobOptions: { removeOnComplete: { age: 600 }, removeOnFail: { age: 600 } },
    });
    const rawEventsConnection = blockingDuplicate(redis);
    const rawEvents = new QueueEvents('raw', { connection: rawEventsConnection, prefix });
    const rawWorkerConnection = blockingDuplicate(redis);
    const rawWorker = new Worker('raw', async () => ({ ok: true }), {
      connection: rawWorkerConnection,
      prefix,
      concurrency,
    });
    await Promise.all([rawQueue.waitUntilReady(), rawEvents.waitUntilReady(), rawWorker.waitUntilReady()]);
    const raw = await drive(total, concurrency, async (index) => {
      const job = await rawQueue.add('noop', { index });
      await job.waitUntilFinished(rawEvents, 30_000);
      return true;
    });
    await rawWorker.close();
    await rawEvents.close();
    await rawQueue.close();
    rawWorkerConnection.disconnect();
    rawEventsConnection.disconnect();

    // (b) the real check, end to end; the rate limit is lifted so that it measures the path, not the limit.
    const queue = new CheckQueue(redis, { prefix });
    await queue.ready();
    const worker = startCheckWorker({
      connection: redis,
      prefix,
      backend,
      logger,
      concurrency,
      ratePerSecond: 1_000_000,
    });
    await worker.waitUntilReady();
    const check = await drive(total, concurrency, async (index) => {
      const [outcome] = await queue.run(
        [
          {
            check: 'account.suspension',
            target: { accountId: 'OB-1003' },
            requestId: `bench-${concurrency}-${index}`,
          },
        ],
        30_000,
      );
      return outcome?.status === 'ok';
    });
    await closeWorker(worker, 10_000);
    await queue.close();

    const fmt = (n: number) => n.toFixed(2);
    rows.push(
      `| ${concurrency} | ${total} | ${raw.opsPerSecond.toFixed(0)} | ${fmt(raw.p50)} | ${fmt(raw.p99)} | ${check.opsPerSecond.toFixed(0)} | ${fmt(check.p50)} | ${fmt(check.p99)} | ${(check.p50 / raw.p50).toFixed(2)}x | ${(check.p99 / raw.p99).toFixed(2)}x | ${check.failed} |`,
    );
  }

  console.log(
    '| concurrency | ops | raw BullMQ ops/s | raw p50 ms | raw p99 ms | account.suspension ops/s | check p50 ms | check p99 ms | p50 ratio | p99 ratio | failed checks |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const row of rows) console.log(row);

  await deleteKeysUnder(redis, prefix);
  await server.close();
  redis.disconnect();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
