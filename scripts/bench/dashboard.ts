/**
 * Dashboard benchmark: GET /admin/api/stats?days=90 and the /admin page with the day counters of
 * 1,000,000 conversations over 90 days, beside the same requests with the counters of 1,000
 * conversations and GET /healthz, in one run against one service process. Figures printed, never
 * asserted.
 *
 * The counters are written straight into Redis, in bulk, as the service's own observer would have
 * left them (src/analytics/day-counters.ts): the page reads one hash per day, so what matters is
 * the days and the fields per day, not how many conversations made them.
 *
 *   npm run bench:dashboard -- [--requests 200] [--warmup 30] [--conversations 1000,1000000]
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import type { Redis } from 'ioredis';
import { Agent, request } from 'undici';
import { DayCounters, daysEndingAt, FIELD } from '../../src/analytics/day-counters.ts';
import { quantile } from '../../src/nlu/evaluate.ts';
import { createRedis, deleteKeysUnder } from '../../src/queue/redis.ts';
import { startServiceProcess } from './service-process.ts';

const DAYS = 90;
const CHECKS = [
  'account.lookup',
  'account.suspension',
  'account.connection',
  'account.credentials',
  'account.plan',
  'account.registration',
  'account.reconnect_request',
  'account.unsuspend',
];
const ESCALATIONS = [
  ['ticket', 'reconnect_request'],
  ['ticket', 'customer_asked'],
  ['ticket', 'misunderstood_twice'],
  ['ticket', 'registration_error'],
  ['phone', 'compliance_review'],
  ['phone', 'payment_declined'],
  ['phone', 'password_changed'],
] as const;

/** Intent ids, as the intents directory names them. */
function intentIds(): string[] {
  return readdirSync(new URL('../../intents/', import.meta.url))
    .filter((name) => name.endsWith('.yaml'))
    .map((name) => name.replace(/\.yaml$/, ''));
}

/** One day's counters for `conversations` conversations: made-up shares, the real field names. */
function dayCounts(conversations: number, day: number, intents: readonly string[]): Record<string, number> {
  const c = conversations;
  const turns = Math.round(c * 3.4);
  const counts: Record<string, number> = {
    [FIELD.started]: c,
    [FIELD.turns]: turns,
    [FIELD.person]: Math.round(c * 0.18),
    [FIELD.misses]: Math.round(turns * 0.04),
    [FIELD.ratingYes]: Math.round(c * 0.3),
    [FIELD.ratingNo]: Math.round(c * 0.07),
  };
  intents.forEach((intent, index) => {
    counts[FIELD.intent(intent)] = Math.round((turns / intents.length) * (1 + ((index + day) % 5) / 4));
  });
  ESCALATIONS.forEach(([kind, reason], index) => {
    counts[FIELD.escalation(kind, reason)] = Math.round((c * 0.2) / (index + 2));
  });
  CHECKS.forEach((name, index) => {
    const runs = Math.round(turns * 0.5);
    counts[FIELD.checkCount(name)] = runs;
    counts[FIELD.checkMs(name)] = runs * (20 + index * 15);
    counts[FIELD.checkMax(name)] = 400 + index * 120 + day;
  });
  return counts;
}

/** Writes 90 days of counters for `total` conversations, replacing any there: one pipeline. */
async function seed(redis: Redis, prefix: string, total: number): Promise<void> {
  const counters = new DayCounters(redis, prefix);
  const intents = intentIds();
  const pipeline = redis.pipeline();
  daysEndingAt(new Date(), DAYS).forEach((day, index) => {
    const key = counters.keyOf(day);
    pipeline.del(key);
    pipeline.hset(key, dayCounts(Math.round(total / DAYS), index, intents));
  });
  await pipeline.exec();
}

interface Row {
  what: string;
  p50: number;
  p99: number;
  mean: number;
  bytes: number;
  failed: number;
}

/** `requests` GETs one after another (after `warmup` unmeasured ones): latency in ms. */
async function measure(
  what: string,
  url: string,
  headers: Record<string, string>,
  counts: { requests: number; warmup: number },
  agent: Agent,
): Promise<Row> {
  const latencies: number[] = [];
  let bytes = 0;
  let failed = 0;
  for (let i = 0; i < counts.warmup + counts.requests; i++) {
    const t0 = performance.now();
    const response = await request(url, { dispatcher: agent, headers });
    const body = await response.body.arrayBuffer();
    const ms = performance.now() - t0;
    if (i < counts.warmup) continue;
    if (response.statusCode !== 200) failed++;
    latencies.push(ms);
    bytes = body.byteLength;
  }
  latencies.sort((a, b) => a - b);
  const mean = latencies.reduce((sum, ms) => sum + ms, 0) / latencies.length;
  return { what, p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99), mean, bytes, failed };
}

function printTable(rows: readonly Row[], requests: number): void {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  // The machine is shared: its load says how much to trust small differences.
  const load = loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');
  console.log(
    `\nDashboard read time, ${requests} sequential requests each (ms); load average ${load} on ${availableParallelism()} cores\n`,
  );
  console.log(line(['request', 'p50', 'p99', 'mean', 'bytes', 'failed']));
  console.log(line(['---', '---:', '---:', '---:', '---:', '---:']));
  for (const row of rows)
    console.log(
      line([
        row.what,
        row.p50.toFixed(2),
        row.p99.toFixed(2),
        row.mean.toFixed(2),
        String(row.bytes),
        String(row.failed),
      ]),
    );
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      requests: { type: 'string', default: '200' },
      warmup: { type: 'string', default: '30' },
      conversations: { type: 'string', default: '1000,1000000' },
      redis: { type: 'string', default: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' },
    },
  });
  const counts = { requests: Number(values.requests), warmup: Number(values.warmup) };
  const prefix = `bench-dashboard-${randomUUID().slice(0, 8)}`;
  const token = randomBytes(24).toString('hex');
  const redis = createRedis(values.redis);
  const { url, child } = await startServiceProcess({
    PORT: '0',
    REDIS_URL: values.redis,
    QUEUE_PREFIX: prefix,
    LOG_LEVEL: 'silent',
    ADMIN_TOKEN: token,
    CHAT_IDENTITY_SECRET: randomBytes(32).toString('base64url'),
    RATE_LIMIT_PER_IP: '1000000',
  });
  const agent = new Agent({ connections: 1 });
  const auth = { authorization: `Bearer ${token}` };
  const rows: Row[] = [];
  try {
    rows.push(await measure('GET /healthz (baseline)', `${url}/healthz`, {}, counts, agent));
    for (const total of values.conversations.split(',').map(Number)) {
      const started = performance.now();
      await seed(redis, prefix, total);
      const label = total.toLocaleString('en-US');
      console.log(
        `seeded ${DAYS} days of counters for ${label} conversations in ${Math.round(performance.now() - started)} ms`,
      );
      rows.push(
        await measure(
          `GET /admin/api/stats?days=90, ${label} conv.`,
          `${url}/admin/api/stats?days=90`,
          auth,
          counts,
          agent,
        ),
      );
      rows.push(
        await measure(
          `GET /admin?days=90 (page), ${label} conv.`,
          `${url}/admin?days=90`,
          auth,
          counts,
          agent,
        ),
      );
    }
  } finally {
    child.kill('SIGTERM');
    await agent.close();
    await deleteKeysUnder(redis, prefix);
    redis.disconnect();
  }
  printTable(rows, counts.requests);
}

await main();
