/**
 * Ticket triage benchmark: tickets created in the local Zendesk fake, each announced by a signed
 * `ticket_created` webhook to the real service, paced evenly over a window; measured from the
 * webhook's send to the moment the fake applies the note. Printed beside a raw check round trip
 * (account.suspension through the same service's check queue and workers) measured in the same run.
 * Figures printed, never asserted; the exit code is 1 when notes written differ from tickets or a
 * ticket got two notes.
 *
 *   npm run bench:triage -- [--tickets 200] [--seconds 10] [--concurrency N (TRIAGE_CONCURRENCY)]
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { signZendeskWebhook } from '../../src/channels/zendesk/verify-signature.ts';
import { loadConfig } from '../../src/config.ts';
import { type Service, startService } from '../../src/http/server.ts';
import { createLogger } from '../../src/logger.ts';
import { quantile } from '../../src/nlu/evaluate.ts';
import { createRedis, deleteKeysUnder } from '../../src/queue/redis.ts';
import { triageMarker } from '../../src/triage/note.ts';
import { ZendeskFake } from '../../test/fakes/zendesk.ts';

const SECRET = randomBytes(24).toString('base64url');

/** One email per demo account, as its owner might write it; tickets cycle through them. */
const EMAILS: readonly { email: string; subject: string; body: string }[] = [
  {
    email: 'active@demo.test',
    subject: 'My details',
    body: 'Where can I find my One Balance username?\n\nThanks,\nSam',
  },
  {
    email: 'pw-changed@demo.test',
    subject: "Labels won't print",
    body: "I can't buy postage, it says my One Balance account has been suspended. I changed my Stamps.com password on Monday.",
  },
  {
    email: 'declined@demo.test',
    subject: 'Suspended',
    body: 'Our One Balance account is suspended and we cannot buy postage.',
  },
  {
    email: 'review@demo.test',
    subject: 'Why suspended?',
    body: 'Why is my One Balance account suspended? I cannot print labels.',
  },
  {
    email: 'hold@demo.test',
    subject: 'On hold',
    body: 'My One Balance account is on hold, postage purchase is blocked.',
  },
  {
    email: 'disconnected@demo.test',
    subject: 'Account missing',
    body: 'My One Balance account does not show on the ONE BALANCE & CARRIERS page anymore.',
  },
  {
    email: 'closed@demo.test',
    subject: 'Ship again',
    body: 'I closed my One Balance account last year and need to ship again.',
  },
  { email: 'none@demo.test', subject: 'Postage', body: 'Why can I not buy postage with One Balance?' },
  {
    email: 'regfail@demo.test',
    subject: 'Registration',
    body: 'The verification code never arrives when I register.',
  },
  { email: 'noclass@demo.test', subject: 'First Class', body: 'I cannot buy First Class labels anymore.' },
];

interface Figures {
  n: number;
  p50: number;
  p99: number;
}

const figures = (latencies: number[]): Figures => {
  const sorted = [...latencies].sort((a, b) => a - b);
  return { n: sorted.length, p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99) };
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function startBenchService(
  fake: ZendeskFake,
  prefix: string,
  redisUrl: string,
  concurrency: string | undefined,
): Promise<Service> {
  const config = loadConfig({
    PORT: '0',
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: prefix,
    LOG_LEVEL: 'error',
    RATE_LIMIT_PER_IP: '1000000',
    CHAT_IDENTITY_SECRET: randomBytes(24).toString('base64url'),
    ZENDESK_URL: fake.url,
    ZENDESK_EMAIL: 'bot@acme.test',
    ZENDESK_TOKEN: 'zendesk-test-token',
    ZENDESK_WEBHOOK_SECRET: SECRET,
    ...(concurrency === undefined ? {} : { TRIAGE_CONCURRENCY: concurrency }),
  });
  return startService(config, createLogger('error', 2));
}

/** Raw check round trips, one after another: the queue, a worker, the backend and back. */
async function checkRoundTrips(service: Service, count: number): Promise<Figures> {
  const latencies: number[] = [];
  for (let index = 0; index < count; index++) {
    const started = performance.now();
    const [outcome] = await service.runtime.queue.run(
      [{ check: 'account.suspension', target: { accountId: 'OB-1003' }, requestId: `bench-${randomUUID()}` }],
      30_000,
    );
    if (outcome?.status === 'ok') latencies.push(performance.now() - started);
  }
  return figures(latencies);
}

async function sendWebhook(url: string, ticketId: number): Promise<void> {
  const body = JSON.stringify({ event: 'ticket_created', ticket_id: String(ticketId) });
  const timestamp = new Date().toISOString();
  const response = await fetch(`${url}/webhooks/zendesk`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-zendesk-webhook-signature': signZendeskWebhook(body, timestamp, SECRET),
      'x-zendesk-webhook-signature-timestamp': timestamp,
      'x-zendesk-webhook-invocation-id': randomUUID(),
    },
    body,
  });
  if (response.status !== 200) throw new Error(`webhook answered ${response.status}`);
  await response.body?.cancel();
}

/** Files the tickets, then announces one every `seconds / tickets` and times each to its note. */
async function triageRun(fake: ZendeskFake, service: Service, tickets: number, seconds: number) {
  const ids = Array.from({ length: tickets }, (_, index) => {
    const email = EMAILS[index % EMAILS.length] ?? EMAILS[0];
    if (email === undefined) throw new Error('no emails');
    return fake.fileTicket({ subject: email.subject, body: email.body, requester: { email: email.email } });
  });
  const sentAt = new Map<number, number>();
  const noteAt = new Map<number, number>();
  fake.onUpdate = (update) => {
    if (!noteAt.has(update.ticketId)) noteAt.set(update.ticketId, performance.now());
  };
  const gapMs = (seconds * 1000) / tickets;
  const started = performance.now();
  const sends: Promise<void>[] = [];
  for (const [index, id] of ids.entries()) {
    await sleep(Math.max(0, started + index * gapMs - performance.now()));
    sentAt.set(id, performance.now());
    sends.push(sendWebhook(service.url, id));
  }
  await Promise.all(sends);
  const deadline = performance.now() + 120_000;
  while (noteAt.size < tickets && performance.now() < deadline) await sleep(50);
  // A moment more, so that a late second note would be seen.
  await sleep(1_000);
  const latencies = ids.flatMap((id) => {
    const sent = sentAt.get(id);
    const noted = noteAt.get(id);
    return sent === undefined || noted === undefined ? [] : [noted - sent];
  });
  const notesPerTicket = ids.map(
    (id) => fake.notes(id).filter((note) => note.body.includes(triageMarker(String(id), '1'))).length,
  );
  return {
    latency: figures(latencies),
    written: notesPerTicket.filter((count) => count > 0).length,
    duplicates: notesPerTicket.reduce((sum, count) => sum + Math.max(0, count - 1), 0),
    wallSeconds: (performance.now() - started) / 1000,
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      tickets: { type: 'string', default: '200' },
      seconds: { type: 'string', default: '10' },
      redis: { type: 'string', default: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' },
      concurrency: { type: 'string' },
    },
  });
  const tickets = Number(values.tickets);
  const seconds = Number(values.seconds);
  const prefix = `bench-triage-${randomUUID().slice(0, 8)}`;
  const fake = new ZendeskFake();
  await fake.start();
  const service = await startBenchService(fake, prefix, values.redis, values.concurrency);
  try {
    // Warm-up: the first check of a process pays for connections and code paths.
    await checkRoundTrips(service, 20);
    const check = await checkRoundTrips(service, tickets);
    const triage = await triageRun(fake, service, tickets, seconds);
    const fmt = (n: number) => n.toFixed(1);
    console.log(`${tickets} tickets over ${seconds} s (${(tickets / seconds).toFixed(0)}/s), all in one run`);
    console.log('| measure | n | p50 ms | p99 ms | notes written | duplicates |');
    console.log('| --- | --- | --- | --- | --- | --- |');
    console.log(
      `| raw check round trip (account.suspension, queue -> worker -> backend -> back) | ${check.n} | ${fmt(check.p50)} | ${fmt(check.p99)} | - | - |`,
    );
    console.log(
      `| triage: signed webhook -> note written | ${triage.latency.n} | ${fmt(triage.latency.p50)} | ${fmt(triage.latency.p99)} | ${triage.written} / ${tickets} | ${triage.duplicates} |`,
    );
    console.log(
      `p50 triage / p50 check: ${(triage.latency.p50 / check.p50).toFixed(1)}x (a triage is 2 rounds of checks, 4 Zendesk calls and the classifier); load done in ${triage.wallSeconds.toFixed(1)} s`,
    );
    if (triage.written !== tickets || triage.duplicates > 0) process.exitCode = 1;
  } finally {
    await service.close();
    await fake.stop();
    const redis = createRedis(values.redis);
    await deleteKeysUnder(redis, prefix);
    redis.disconnect();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
