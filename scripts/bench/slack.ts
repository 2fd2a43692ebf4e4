/**
 * Slack command benchmark: signed `/onebalance check <email>` commands (cycling through the demo
 * accounts) sent to the real service's POST /slack/events at an even rate, with Slack on against the
 * local Slack fake, whose response_url endpoint records each command's result. Per command: the ack
 * time (send to the HTTP answer read; Slack gives up after 3 s) and the time until the result
 * reaches the response_url. Printed beside a bare Bolt app (its own HTTPReceiver) that only acks the
 * same signed commands at the same rate in the same run: the floor for an ack.
 * Figures printed, never asserted; the exit code is 1 when a command got no result within the grace
 * period, or more than one.
 *
 *   npm run bench:slack -- [--rate 50] [--seconds 20] [--grace 60]
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { App, LogLevel } from '@slack/bolt';
import { Agent, request } from 'undici';
import { demoAccounts } from '../../src/accounts/reference/demo-accounts.ts';
import { loadConfig } from '../../src/config.ts';
import { type Service, startService } from '../../src/http/server.ts';
import { createLogger } from '../../src/logger.ts';
import { quantile } from '../../src/nlu/evaluate.ts';
import { createRedis, deleteKeysUnder } from '../../src/queue/redis.ts';
import { type SlackFake, slackSettingsFor, startSlackFake } from '../../test/fakes/slack.ts';
import { type SlackRequestBody, slackHeaders, slashCommand } from '../../test/helpers/slack-requests.ts';

const SIGNING_SECRET = randomBytes(24).toString('base64url');
const AGENT = 'U0BENCHAGENT';
const CHANNEL = 'C0BENCHAGENTS';
/** Slack shows the user an error when a command is not acknowledged within 3 s. */
const SLACK_ACK_LIMIT_MS = 3_000;
const EMAILS = demoAccounts(new Date()).map((account) => account.email);

/** Many requests in flight on kept-alive connections. */
const dispatcher = new Agent({ connections: 256, keepAliveTimeout: 30_000 });

interface Figures {
  n: number;
  p50: number;
  p99: number;
  max: number;
}

const figures = (latencies: number[]): Figures => {
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    n: sorted.length,
    p50: quantile(sorted, 0.5),
    p99: quantile(sorted, 0.99),
    max: sorted.at(-1) ?? 0,
  };
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** The wall clock in ms with sub-ms precision, comparable with the fake's `at` (Date.now). */
const wallNow = () => performance.timeOrigin + performance.now();

interface Acks {
  ms: number[];
  /** Not answered 200 (or not answered at all). */
  failed: number;
}

interface Paced {
  acks: Acks;
  /** Wall time (wallNow) each command was sent, by index. */
  sentAt: number[];
  /** Commands sent a second, as achieved. */
  achievedRate: number;
  /** The latest a send went out after its target time. */
  maxLagMs: number;
}

/** One signed request to `url`; resolves with its status once the answer is read. */
async function send(url: string, body: SlackRequestBody): Promise<number> {
  const answer = await request(url, {
    method: 'POST',
    headers: slackHeaders(body, SIGNING_SECRET),
    body: body.body,
    dispatcher,
  });
  await answer.body.text();
  return answer.statusCode;
}

/**
 * Sends `count` commands, the i-th at start + i / rate (scheduled by target time, so a late timer
 * does not shift the rest), without waiting for one answer before the next send.
 */
async function pace(
  url: string,
  rate: number,
  count: number,
  build: (index: number) => SlackRequestBody,
): Promise<Paced> {
  const acks: Acks = { ms: [], failed: 0 };
  const sentAt: number[] = [];
  const pending: Promise<void>[] = [];
  let maxLagMs = 0;
  const started = performance.now();
  for (let index = 0; index < count; index++) {
    const target = started + (index * 1000) / rate;
    const wait = target - performance.now();
    if (wait > 0) await sleep(wait);
    maxLagMs = Math.max(maxLagMs, performance.now() - target);
    const body = build(index);
    const sent = performance.now();
    sentAt[index] = wallNow();
    pending.push(
      send(url, body).then(
        (status) => {
          if (status === 200) acks.ms.push(performance.now() - sent);
          else acks.failed++;
        },
        () => {
          acks.failed++;
        },
      ),
    );
  }
  const sendingSeconds = (performance.now() - started) / 1000;
  await Promise.all(pending);
  return { acks, sentAt, achievedRate: count / Math.max(sendingSeconds, 1e-3), maxLagMs };
}

const checkCommand = (fake: SlackFake, id: string, index: number): SlackRequestBody =>
  slashCommand({
    text: `check ${EMAILS[index % EMAILS.length]}`,
    userId: AGENT,
    channelId: CHANNEL,
    responseUrl: fake.responseUrl(id),
  });

/** A bare Bolt app on its own HTTPReceiver that only acknowledges the command. */
async function startBareBolt(fake: SlackFake): Promise<{ url: string; stop: () => Promise<void> }> {
  const app = new App({
    signingSecret: SIGNING_SECRET,
    token: fake.botToken,
    clientOptions: { slackApiUrl: fake.url },
    logLevel: LogLevel.ERROR,
  });
  app.command('/onebalance', async ({ command, ack }) => {
    await ack({
      response_type: 'ephemeral',
      text: `Checking ${command.text.slice(6)}… the result follows here.`,
    });
  });
  const server = (await app.start({ port: 0, host: '127.0.0.1' })) as Server;
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/slack/events`, stop: () => app.stop().then(() => undefined) };
}

async function baselineRun(fake: SlackFake, rate: number, count: number): Promise<Paced> {
  const bolt = await startBareBolt(fake);
  try {
    // Warm-up: connections and code paths.
    for (let index = 0; index < 20; index++)
      await send(bolt.url, checkCommand(fake, `warm-bolt-${index}`, index));
    return await pace(bolt.url, rate, count, (index) => checkCommand(fake, `bolt-${index}`, index));
  } finally {
    await bolt.stop();
  }
}

async function startBenchService(fake: SlackFake, prefix: string, redisUrl: string): Promise<Service> {
  const config = loadConfig({
    PORT: '0',
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: prefix,
    LOG_LEVEL: 'error',
    RATE_LIMIT_PER_IP: '1000000',
    CHAT_IDENTITY_SECRET: randomBytes(24).toString('base64url'),
    ...slackSettingsFor(fake, { signingSecret: SIGNING_SECRET, channel: CHANNEL, agents: AGENT }),
  });
  return startService(config, createLogger('error', 2));
}

/** Results at the response_urls, by response id: how many, and when the first arrived (Date.now). */
function resultsById(fake: SlackFake): Map<string, { count: number; firstAt: number }> {
  const results = new Map<string, { count: number; firstAt: number }>();
  for (const response of fake.responses()) {
    if (response.responseId === undefined || response.status !== 200) continue;
    const seen = results.get(response.responseId);
    if (seen === undefined) results.set(response.responseId, { count: 1, firstAt: response.at });
    else seen.count++;
  }
  return results;
}

async function waitForResults(fake: SlackFake, ids: readonly string[], deadline: number): Promise<void> {
  const answered = () => {
    const results = resultsById(fake);
    return ids.every((id) => results.has(id));
  };
  while (!answered() && performance.now() < deadline) await sleep(100);
}

async function serviceRun(fake: SlackFake, service: Service, rate: number, count: number, graceMs: number) {
  const url = `${service.url}/slack/events`;
  const warmIds = Array.from({ length: 20 }, (_, index) => `warm-service-${index}`);
  for (const [index, id] of warmIds.entries()) await send(url, checkCommand(fake, id, index));
  await waitForResults(fake, warmIds, performance.now() + 30_000);
  const ids = Array.from({ length: count }, (_, index) => `service-${index}`);
  const started = wallNow();
  const paced = await pace(url, rate, count, (index) => checkCommand(fake, ids[index] ?? '', index));
  await waitForResults(fake, ids, performance.now() + graceMs);
  // A moment more, so that a late second result would be seen.
  await sleep(2_000);
  const results = resultsById(fake);
  const latencies = ids.flatMap((id, index) => {
    const result = results.get(id);
    const sent = paced.sentAt[index];
    return result === undefined || sent === undefined ? [] : [result.firstAt - sent];
  });
  const lastResultAt = Math.max(...ids.map((id) => results.get(id)?.firstAt ?? 0));
  return {
    paced,
    result: figures(latencies),
    lost: ids.filter((id) => !results.has(id)).length,
    duplicates: ids.reduce((sum, id) => sum + Math.max(0, (results.get(id)?.count ?? 0) - 1), 0),
    drainedSeconds: (lastResultAt - started) / 1000,
  };
}

type ServiceFigures = Awaited<ReturnType<typeof serviceRun>>;

function printTable(
  rate: number,
  seconds: number,
  count: number,
  baseline: Paced,
  run: ServiceFigures,
): void {
  const fmt = (n: number) => n.toFixed(1);
  const over = (ms: number[]) => ms.filter((value) => value > SLACK_ACK_LIMIT_MS).length;
  const ackRow = (name: string, paced: Paced) => {
    const ack = figures(paced.acks.ms);
    return `| ${name} | ${ack.n} | ${fmt(ack.p50)} | ${fmt(ack.p99)} | ${fmt(ack.max)} | ${over(paced.acks.ms)} | ${paced.acks.failed} |`;
  };
  const base = figures(baseline.acks.ms);
  const ack = figures(run.paced.acks.ms);
  console.log(
    `${count} signed \`/onebalance check EMAIL\` commands over ${seconds} s (${rate}/s) per side, all in one run; Slack's ack limit: ${SLACK_ACK_LIMIT_MS} ms`,
  );
  console.log('| measure | n | p50 ms | p99 ms | max ms | over 3 s | failed |');
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  console.log(ackRow('baseline: bare Bolt app (HTTPReceiver), ack only', baseline));
  console.log(ackRow('service: POST /slack/events, ack', run.paced));
  console.log(
    `| service: send -> result at the response_url | ${run.result.n} | ${fmt(run.result.p50)} | ${fmt(run.result.p99)} | ${fmt(run.result.max)} | - | - |`,
  );
  console.log(
    `lost (no result within the grace period): ${run.lost}; duplicates (more than one result): ${run.duplicates}`,
  );
  console.log(
    // Each command runs the lookup and five checks; the check workers send the backend at most
    // CHECK_RATE_PER_SECOND (200 by default) of them a second, which bounds the answers' pace.
    `each command runs 6 account checks; the check queue sends the backend at most 200 a second (CHECK_RATE_PER_SECOND), so at most ~33 commands a second are answered`,
  );
  console.log(
    `service ack / bare Bolt ack: p50 ${(ack.p50 / base.p50).toFixed(1)}x, p99 ${(ack.p99 / base.p99).toFixed(1)}x; sent at ${baseline.achievedRate.toFixed(1)}/s (baseline) and ${run.paced.achievedRate.toFixed(1)}/s (service), latest send ${fmt(Math.max(baseline.maxLagMs, run.paced.maxLagMs))} ms behind its time; last result ${run.drainedSeconds.toFixed(1)} s after the first send`,
  );
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rate: { type: 'string', default: '50' },
      seconds: { type: 'string', default: '20' },
      grace: { type: 'string', default: '60' },
      redis: { type: 'string', default: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' },
    },
  });
  const rate = Number(values.rate);
  const seconds = Number(values.seconds);
  const count = Math.round(rate * seconds);
  const prefix = `bench-slack-${randomUUID().slice(0, 8)}`;
  const fake = await startSlackFake();
  const service = await startBenchService(fake, prefix, values.redis);
  try {
    const baseline = await baselineRun(fake, rate, count);
    const run = await serviceRun(fake, service, rate, count, Number(values.grace) * 1000);
    printTable(rate, seconds, count, baseline, run);
    if (run.lost > 0 || run.duplicates > 0) process.exitCode = 1;
  } finally {
    await service.close();
    await fake.close();
    await dispatcher.close();
    const redis = createRedis(values.redis);
    await deleteKeysUnder(redis, prefix);
    redis.disconnect();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
