/**
 * The chat benchmark with and without a model, in one run (`npm run bench:chat -- --model-latency
 * 300`): the same conversations and messages against the service with no model, then with a fake
 * OpenAI-compatible server that answers after the given latency. One message in four is one the
 * local reading is unsure of (so the model is asked); the rest need one account check. Prints turn
 * p50/p99 and the share of turns that asked the model, for both runs. Figures, never asserted.
 */

import type { ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { signIdentity } from '../../src/core/identity.ts';
import { quantile } from '../../src/nlu/evaluate.ts';
import { createRedis, deleteKeysUnder } from '../../src/queue/redis.ts';
import { startOpenAiFake } from '../../test/fakes/openai.ts';
import { jsonClient } from './service-process.ts';

/** A message the local reading is sure of, and one it is not (out of scope, no act reads it). */
const SURE = 'what plan am I on?';
const UNSURE = 'the button for the carrier thing does nothing when i click';

type StartService = (env: Record<string, string>) => Promise<{ url: string; child: ChildProcess }>;

interface RunFigures {
  turns: number;
  p50: number;
  p99: number;
  askedShare: number;
  failed: number;
}

async function run(
  startService: StartService,
  env: Record<string, string>,
  conversations: number,
  turns: number,
): Promise<RunFigures> {
  const identitySecret = randomBytes(32).toString('base64url');
  const { url, child } = await startService({ ...env, CHAT_IDENTITY_SECRET: identitySecret });
  const { agent, post } = jsonClient(url, conversations + 8);
  const email = 'active@demo.test';
  const identity = signIdentity(email, identitySecret);
  const ids = await Promise.all(
    Array.from(
      { length: conversations },
      async () => (await post('/api/conversations', { email, identity })).json.id as string,
    ),
  );
  const latencies: number[] = [];
  let asked = 0;
  let failed = 0;
  await Promise.all(
    ids.map(async (id) => {
      for (let i = 0; i < turns; i++) {
        const t0 = performance.now();
        const { status, json } = await post(`/api/conversations/${id}/messages`, {
          text: i % 4 === 3 ? UNSURE : SURE,
        });
        latencies.push(performance.now() - t0);
        if (json.modelLatencyMs !== undefined) asked++;
        if (status !== 200 || json.pending === true) failed++;
      }
    }),
  );
  await agent.close();
  child.kill('SIGTERM');
  await once(child, 'exit');
  latencies.sort((a, b) => a - b);
  return {
    turns: latencies.length,
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
    askedShare: asked / latencies.length,
    failed,
  };
}

export async function compareWithModel(
  startService: StartService,
  options: { redis: string; conversations: number; turns: number; modelLatencyMs: number },
): Promise<void> {
  const fake = await startOpenAiFake();
  // Every answer comes after the latency; the model finds nothing it knows (the local reading stands).
  fake.inject({ kind: 'slow', latencyMs: options.modelLatencyMs, count: Number.MAX_SAFE_INTEGER });
  fake.responder = () => ({ topic: 'out_of_scope', act: null, entities: [] });
  const monitor = createRedis(options.redis);
  const rows: string[] = [];
  try {
    for (const withModel of [false, true]) {
      const prefix = `bench-chat-model-${randomUUID().slice(0, 8)}`;
      const env = {
        PORT: '0',
        REDIS_URL: options.redis,
        QUEUE_PREFIX: prefix,
        LOG_LEVEL: 'silent',
        CHECK_CONCURRENCY: String(options.conversations),
        CHECK_RATE_PER_SECOND: '100000',
        RATE_LIMIT_PER_IP: '1000000',
        RATE_LIMIT_PER_CONVERSATION: '100000',
        ...(withModel
          ? { OPENAI_API_KEY: fake.apiKey, OPENAI_BASE_URL: fake.url, OPENAI_MODEL: 'bench-model' }
          : {}),
      };
      const figures = await run(startService, env, options.conversations, options.turns);
      await deleteKeysUnder(monitor, prefix);
      const label = withModel
        ? `fake model answering after ${options.modelLatencyMs} ms`
        : 'no model (the default)';
      rows.push(
        `| ${label} | ${figures.turns} | ${figures.p50.toFixed(1)} | ${figures.p99.toFixed(1)} | ${(figures.askedShare * 100).toFixed(1)}% | ${figures.failed} |`,
      );
    }
  } finally {
    monitor.disconnect();
    await fake.close();
  }
  console.log(
    `${options.conversations} conversations x ${options.turns} turns; one message in four is one the local reading is unsure of`,
  );
  console.log('| run | turns | turn p50 ms | turn p99 ms | turns that asked the model | failed or pending |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const row of rows) console.log(row);
}
