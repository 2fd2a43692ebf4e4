/**
 * The chat benchmark with metrics off and on, in one run (`npm run bench:chat -- --metrics`): the
 * same conversations and turns ("what plan am I on?", one account check each) against the service
 * with METRICS_TOKEN unset, then set, with GET /metrics scraped every second during the measured
 * turns as Prometheus would. Prints the service process's CPU ms per turn for both and the
 * difference. Figures, never asserted.
 */

import type { ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import type { Redis } from 'ioredis';
import { request } from 'undici';
import { signIdentity } from '../../src/core/identity.ts';
import { createRedis, deleteKeysUnder } from '../../src/queue/redis.ts';
import { jsonClient } from './service-process.ts';

type StartService = (env: Record<string, string>) => Promise<{ url: string; child: ChildProcess }>;
/** chat.ts's CPU measurement: the process `pid`'s CPU (and Redis's) while `run` runs. */
type MeasuredCpu = <T>(
  redis: Redis,
  pid: number | undefined,
  run: () => Promise<T>,
) => Promise<{ value: T; processMs: number; redisMs: number }>;

const MESSAGE = 'what plan am I on?';
const SCRAPE_EVERY_MS = 1_000;

interface RunFigures {
  turns: number;
  cpuMsPerTurn: number;
  redisCpuMsPerTurn: number;
  scrapes: number;
  scrapeBytes: number;
  failed: number;
}

/** GET /metrics every second until `stop`: how many answered 200, and the last body's size. */
function scrapeEverySecond(
  url: string,
  token: string,
): { stop(): Promise<{ count: number; bytes: number }> } {
  let count = 0;
  let bytes = 0;
  const scrape = async () => {
    const response = await request(`${url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
    const body = await response.body.text();
    if (response.statusCode === 200) {
      count++;
      bytes = body.length;
    }
  };
  let running = scrape();
  const timer = setInterval(() => {
    running = running.then(scrape, scrape);
  }, SCRAPE_EVERY_MS);
  return {
    async stop() {
      clearInterval(timer);
      await running.catch(() => {});
      return { count, bytes };
    },
  };
}

async function run(
  tools: { startService: StartService; measuredCpu: MeasuredCpu; monitor: Redis },
  env: Record<string, string>,
  options: { conversations: number; turns: number; warmup: number; metricsToken?: string },
): Promise<RunFigures> {
  const identitySecret = randomBytes(32).toString('base64url');
  const { url, child } = await tools.startService({ ...env, CHAT_IDENTITY_SECRET: identitySecret });
  const { agent, post } = jsonClient(url, options.conversations + 8);
  const email = 'active@demo.test';
  const identity = signIdentity(email, identitySecret);
  const ids = await Promise.all(
    Array.from(
      { length: options.conversations },
      async () => (await post('/api/conversations', { email, identity })).json.id as string,
    ),
  );
  const turnsOf = async (count: number, failed: { count: number }) =>
    Promise.all(
      ids.map(async (id) => {
        for (let i = 0; i < count; i++) {
          const { status, json } = await post(`/api/conversations/${id}/messages`, { text: MESSAGE });
          if (status !== 200 || json.pending === true) failed.count++;
        }
      }),
    );
  await turnsOf(Math.ceil(options.warmup / options.conversations), { count: 0 });
  const failed = { count: 0 };
  const scraper = options.metricsToken ? scrapeEverySecond(url, options.metricsToken) : undefined;
  const cpu = await tools.measuredCpu(tools.monitor, child.pid, () => turnsOf(options.turns, failed));
  const scraped = (await scraper?.stop()) ?? { count: 0, bytes: 0 };
  await agent.close();
  child.kill('SIGTERM');
  await once(child, 'exit');
  const turns = options.conversations * options.turns;
  return {
    turns,
    cpuMsPerTurn: cpu.processMs / turns,
    redisCpuMsPerTurn: cpu.redisMs / turns,
    scrapes: scraped.count,
    scrapeBytes: scraped.bytes,
    failed: failed.count,
  };
}

export async function compareWithMetrics(
  tools: { startService: StartService; measuredCpu: MeasuredCpu },
  options: { redis: string; conversations: number; turns: number; warmup: number },
): Promise<void> {
  const monitor = createRedis(options.redis);
  const results: { label: string; figures: RunFigures }[] = [];
  try {
    for (const withMetrics of [false, true]) {
      const prefix = `bench-chat-metrics-${randomUUID().slice(0, 8)}`;
      const metricsToken = withMetrics ? randomBytes(24).toString('base64url') : undefined;
      const env = {
        PORT: '0',
        REDIS_URL: options.redis,
        QUEUE_PREFIX: prefix,
        LOG_LEVEL: 'silent',
        ACCOUNT_BACKEND_URL: '',
        CHECK_CONCURRENCY: String(options.conversations),
        CHECK_RATE_PER_SECOND: '100000',
        RATE_LIMIT_PER_IP: '1000000',
        RATE_LIMIT_PER_CONVERSATION: '100000',
        ...(metricsToken ? { METRICS_TOKEN: metricsToken } : {}),
      };
      const figures = await run({ ...tools, monitor }, env, {
        ...options,
        ...(metricsToken ? { metricsToken } : {}),
      });
      await deleteKeysUnder(monitor, prefix);
      results.push({
        label: withMetrics ? 'metrics on, scraped every second' : 'metrics off (the default)',
        figures,
      });
    }
  } finally {
    monitor.disconnect();
  }
  console.log(`${options.conversations} conversations x ${options.turns} turns, one account check each`);
  console.log(
    '| run | turns | service CPU ms per turn | Redis CPU ms per turn | scrapes | /metrics bytes | failed or pending |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const { label, figures } of results)
    console.log(
      `| ${label} | ${figures.turns} | ${figures.cpuMsPerTurn.toFixed(3)} | ${figures.redisCpuMsPerTurn.toFixed(3)} | ${figures.scrapes} | ${figures.scrapeBytes} | ${figures.failed} |`,
    );
  const [off, on] = results.map((result) => result.figures.cpuMsPerTurn);
  if (off !== undefined && on !== undefined)
    console.log(
      `metrics cost: ${(on - off).toFixed(3)} ms of service CPU per turn (${(((on - off) / off) * 100).toFixed(1)}%)`,
    );
}
