/**
 * Chat benchmark: N concurrent conversations over HTTP, each turn a message that needs one account
 * check ("what plan am I on?", answered from account.plan), against raw BullMQ round trips at the
 * same concurrency, in the same run. Figures printed, never asserted.
 *
 * The service runs as `npm start` runs it (the same command line and Node flags, read from
 * package.json): its own process (`onebalance-bot serve`, embedded reference backend and
 * workers), and this script is only its HTTP client. The raw round trips run
 * in this process after the chat run, on the same Redis, with producer and worker together.
 *
 *   npm run bench:chat -- [--conversations 50,200] [--turns 40] [--warmup 2000]
 *   npm run bench:chat -- --model-latency 300 [--conversations 50] [--turns 40]
 *     (with and without a fake model answering after 300 ms: scripts/bench/chat-model.ts)
 *   npm run bench:chat -- --metrics [--conversations 50] [--turns 40] [--warmup 2000]
 *     (METRICS_TOKEN unset and set, /metrics scraped every second: scripts/bench/chat-metrics.ts)
 *
 * --turns is per conversation; --warmup is the total of unmeasured turns (and raw round trips)
 * before each measured run.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Queue, QueueEvents, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { signIdentity } from '../../src/core/identity.ts';
import { quantile } from '../../src/nlu/evaluate.ts';
import { blockingDuplicate, createRedis, deleteKeysUnder } from '../../src/queue/redis.ts';
import { jsonClient, startServiceProcess } from './service-process.ts';

interface Figures {
  perSecond: number;
  p50: number;
  p99: number;
  failed: number;
  count: number;
  /** CPU time of the process under test per turn or round trip, ms. */
  cpuMs: number;
  /** Redis's CPU time per turn or round trip, ms. */
  redisCpuMs: number;
  /** CPU time of this process (the HTTP client, on the chat side) per turn, ms. */
  clientCpuMs: number;
  /** Share of the machine's CPU time (all cores) that was busy during the run. */
  machineBusy: number;
}

function figures(
  latencies: number[],
  seconds: number,
  failed: number,
  cpu: { processMs: number; redisMs: number; ownMs: number; machineBusy: number },
): Figures {
  latencies.sort((a, b) => a - b);
  return {
    perSecond: latencies.length / seconds,
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
    failed,
    count: latencies.length,
    cpuMs: cpu.processMs / latencies.length,
    redisCpuMs: cpu.redisMs / latencies.length,
    clientCpuMs: cpu.ownMs / latencies.length,
    machineBusy: cpu.machineBusy,
  };
}

/** Busy and total CPU time of the whole machine (all cores) in clock ticks, from /proc/stat. */
function machineTicks(): { busy: number; total: number } {
  try {
    const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '')
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    const total = fields.reduce((sum, value) => sum + value, 0);
    // idle and iowait are the 4th and 5th fields.
    return { busy: total - (fields[3] ?? 0) - (fields[4] ?? 0), total };
  } catch {
    return { busy: 0, total: 0 };
  }
}

/** User + system CPU of a process in ms, from /proc (Linux; 0 elsewhere). */
function processCpuMs(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    // Fields after the parenthesised command name; utime and stime are the 12th and 13th.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return 0;
  }
}

/** Redis's own CPU time in ms (INFO cpu), to show how much of each turn is spent there. */
async function redisCpuMs(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const seconds = (name: string) => Number(new RegExp(`${name}:([0-9.]+)`).exec(info)?.[1] ?? 0);
  return (seconds('used_cpu_user') + seconds('used_cpu_sys')) * 1000;
}

/** CPU spent while `run` runs: by the process `pid` (or this one) and by Redis. */
async function measuredCpu<T>(
  redis: Redis,
  pid: number | undefined,
  run: () => Promise<T>,
): Promise<{ value: T; processMs: number; redisMs: number; ownMs: number; machineBusy: number }> {
  const ownStart = process.cpuUsage();
  const processStart = processCpuMs(pid);
  const redisStart = await redisCpuMs(redis);
  const machineStart = machineTicks();
  const value = await run();
  const machineEnd = machineTicks();
  const redisMs = (await redisCpuMs(redis)) - redisStart;
  const own = process.cpuUsage(ownStart);
  const ownMs = (own.user + own.system) / 1000;
  const processMs = pid === undefined ? ownMs : processCpuMs(pid) - processStart;
  const ticks = machineEnd.total - machineStart.total;
  const machineBusy = ticks > 0 ? (machineEnd.busy - machineStart.busy) / ticks : 0;
  return { value, processMs, redisMs, ownMs, machineBusy };
}

/** Raw BullMQ: `concurrency` loops of add -> no-op -> await, `perLoop` times each. */
async function rawRoundTrips(
  redisUrl: string,
  prefix: string,
  concurrency: number,
  perLoop: number,
  warmupRounds: number,
): Promise<Figures> {
  const redis = createRedis(redisUrl);
  const eventsConnection = blockingDuplicate(redis);
  const workerConnection = blockingDuplicate(redis);
  const queue = new Queue('raw', {
    connection: redis,
    prefix,
    defaultJobOptions: { removeOnComplete: { age: 600 } },
  });
  const events = new QueueEvents('raw', { connection: eventsConnection, prefix });
  const worker = new Worker('raw', async () => ({ ok: true }), {
    connection: workerConnection,
    prefix,
    concurrency,
  });
  queue.setMaxListeners(0);
  events.setMaxListeners(0);
  await Promise.all([queue.waitUntilReady(), events.waitUntilReady(), worker.waitUntilReady()]);
  const loops = async (count: number, latencies: number[]) =>
    Promise.all(
      Array.from({ length: concurrency }, async () => {
        for (let i = 0; i < count; i++) {
          const t0 = performance.now();
          const job = await queue.add('noop', {});
          await job.waitUntilFinished(events, 30_000);
          latencies.push(performance.now() - t0);
        }
      }),
    );
  // The same warm-up as the chat side gets (rounds of `concurrency`), so both are measured warm.
  await loops(warmupRounds, []);
  const latencies: number[] = [];
  const started = performance.now();
  const cpu = await measuredCpu(redis, undefined, () => loops(perLoop, latencies));
  const result = figures(latencies, (performance.now() - started) / 1000, 0, cpu);
  await worker.close();
  await events.close();
  await queue.close();
  for (const connection of [workerConnection, eventsConnection, redis]) connection.disconnect();
  return result;
}

/** Peak resident memory of a process in MB, from /proc (Linux; 0 elsewhere). */
function peakRssMb(pid: number | undefined): number {
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return Math.round(Number(kb ?? 0) / 1024);
  } catch {
    return 0;
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      conversations: { type: 'string', default: '50,200' },
      turns: { type: 'string', default: '40' },
      warmup: { type: 'string', default: '2000' },
      'model-latency': { type: 'string' },
      metrics: { type: 'boolean', default: false },
      redis: { type: 'string', default: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' },
    },
  });
  const turns = Number(values.turns);
  const warmup = Number(values.warmup);
  if (values['model-latency'] !== undefined) {
    // The second reader's cost: the same turns with no model and with a slow one, in this run.
    const { compareWithModel } = await import('./chat-model.ts');
    const conversations = Number(values.conversations.split(',')[0]);
    await compareWithModel(startServiceProcess, {
      redis: values.redis,
      conversations,
      turns,
      modelLatencyMs: Number(values['model-latency']),
    });
    return;
  }
  if (values.metrics) {
    // What the metrics cost the service: the same turns with them off and on, in this run.
    const { compareWithMetrics } = await import('./chat-metrics.ts');
    await compareWithMetrics(
      { startService: startServiceProcess, measuredCpu },
      { redis: values.redis, conversations: Number(values.conversations.split(',')[0]), turns, warmup },
    );
    return;
  }
  const rows: string[] = [];
  // Reads Redis's CPU counters and cleans up; not used by either side under test.
  const monitor = createRedis(values.redis);
  for (const n of values.conversations.split(',').map(Number)) {
    const prefix = `bench-chat-${randomUUID().slice(0, 8)}`;
    // The bench is the host app: it gives the service the secret it signs its customer with.
    const identitySecret = randomBytes(32).toString('base64url');
    const env = {
      CHAT_IDENTITY_SECRET: identitySecret,
      PORT: '0',
      REDIS_URL: values.redis,
      QUEUE_PREFIX: prefix,
      LOG_LEVEL: 'silent',
      ACCOUNT_BACKEND_URL: '',
      CHECK_CONCURRENCY: String(n),
      CHECK_RATE_PER_SECOND: '100000',
      RATE_LIMIT_PER_IP: '1000000',
      RATE_LIMIT_PER_CONVERSATION: '100000',
    };
    const { url, child } = await startServiceProcess(env);
    const { agent, post } = jsonClient(url, n + 8);
    const email = 'active@demo.test';
    const identity = signIdentity(email, identitySecret);
    const ids = await Promise.all(
      Array.from(
        { length: n },
        async () => (await post('/api/conversations', { email, identity })).json.id as string,
      ),
    );
    // Warm-up (JIT tiers, connection pools), not measured: the same number of turns at every N, so
    // that the N=50 row is not measured on a colder process than the N=200 row.
    const warmupRounds = Math.ceil(warmup / n);
    await Promise.all(
      ids.map(async (id) => {
        for (let i = 0; i < warmupRounds; i++)
          await post(`/api/conversations/${id}/messages`, { text: 'what plan am I on?' });
      }),
    );

    const latencies: number[] = [];
    let failed = 0;
    let checksPerTurn = 0;
    const started = performance.now();
    const cpu = await measuredCpu(monitor, child.pid, () =>
      Promise.all(
        ids.map(async (id) => {
          for (let i = 0; i < turns; i++) {
            const t0 = performance.now();
            const { status, json } = await post(`/api/conversations/${id}/messages`, {
              text: 'what plan am I on?',
            });
            latencies.push(performance.now() - t0);
            const checks = (json.checks as { status: string }[] | undefined) ?? [];
            checksPerTurn = Math.max(checksPerTurn, checks.length);
            if (status !== 200 || json.pending === true || checks.some((check) => check.status !== 'ok'))
              failed++;
          }
        }),
      ),
    );
    const chat = figures(latencies, (performance.now() - started) / 1000, failed, cpu);
    await agent.close();
    const serviceRssMb = peakRssMb(child.pid);
    child.kill('SIGTERM');
    await once(child, 'exit');
    const raw = await rawRoundTrips(values.redis, prefix, n, turns, warmupRounds);

    await deleteKeysUnder(monitor, prefix);

    const f = (value: number) => value.toFixed(1);
    const percent = (share: number) => `${(share * 100).toFixed(0)}%`;
    rows.push(
      `| ${n} | ${chat.count} | ${checksPerTurn} | ${chat.perSecond.toFixed(0)} | ${f(chat.p50)} | ${f(chat.p99)} | ${f(raw.p50)} | ${f(raw.p99)} | ${(chat.p50 / raw.p50).toFixed(2)}x | ${(chat.p99 / raw.p99).toFixed(2)}x | ${chat.failed} | ${chat.cpuMs.toFixed(3)} / ${chat.redisCpuMs.toFixed(3)} / ${chat.clientCpuMs.toFixed(3)} | ${raw.cpuMs.toFixed(3)} / ${raw.redisCpuMs.toFixed(3)} | ${percent(chat.machineBusy)} / ${percent(raw.machineBusy)} | ${serviceRssMb} |`,
    );
  }
  monitor.disconnect();
  console.log(
    '| conversations | turns | checks per turn | messages/s | turn p50 ms | turn p99 ms | raw BullMQ p50 ms | raw BullMQ p99 ms | p50 ratio | p99 ratio | failed turns | CPU ms per turn: service / Redis / client | CPU ms per raw round trip: producer+worker / Redis | machine busy: chat / raw | service peak RSS MB |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const row of rows) console.log(row);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
