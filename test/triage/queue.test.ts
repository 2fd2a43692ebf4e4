import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { Job } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signZendeskWebhook } from '../../src/channels/zendesk/verify-signature.ts';
import { loadConfig } from '../../src/config.ts';
import { type Service, startService } from '../../src/http/server.ts';
import { createLogger } from '../../src/logger.ts';
import { triageMarker } from '../../src/triage/note.ts';
import { triageJobId } from '../../src/triage/queue.ts';
import { ZendeskFake } from '../fakes/zendesk.ts';
import { deleteKeysUnder, REDIS_URL, uniquePrefix } from '../helpers/redis.ts';

const WEBHOOK_SECRET = 'zendesk-webhook-secret-for-worker-tests';
const fake = new ZendeskFake();
const prefix = uniquePrefix('triagecrash');
let service: Service;
const children: ChildProcess[] = [];

const zendeskEnv = () => ({
  REDIS_URL,
  QUEUE_PREFIX: prefix,
  LOG_LEVEL: 'silent',
  ZENDESK_URL: fake.url,
  ZENDESK_EMAIL: 'bot@acme.test',
  ZENDESK_TOKEN: 'zendesk-test-token',
  ZENDESK_WEBHOOK_SECRET: WEBHOOK_SECRET,
  CHECK_LOCK_MS: '1000',
  CHECK_STALLED_INTERVAL_MS: '500',
});

beforeAll(async () => {
  await fake.start();
  // The service takes webhooks but runs no workers: worker processes triage the tickets.
  service = await startService(
    loadConfig({ ...zendeskEnv(), PORT: '0', RUN_WORKERS: 'false' }),
    createLogger('silent'),
  );
});
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await service.close();
  await fake.stop();
  await deleteKeysUnder(prefix);
});

/** `onebalance-bot worker` in a process of its own: checks, escalations and (with Zendesk) triage. */
async function workerProcess(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['bin/onebalance-bot.js', 'worker'], {
    env: { ...process.env, ...zendeskEnv(), ACCOUNT_BACKEND_URL: '' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  let output = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk) => {
      output += String(chunk);
      if (output.includes('check worker ready')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`worker exited (${code}): ${output}`)));
  });
  return child;
}

async function waitFor(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('a triage whose worker dies right after Zendesk took its note', () => {
  it('is taken over by another worker, which finds the note and writes no second one', async () => {
    const first = await workerProcess();
    const ticketId = fake.fileTicket({
      subject: 'Suspended',
      body: 'My One Balance account is suspended and I cannot buy postage.',
      requester: { email: 'declined@demo.test' },
    });
    // Zendesk applies the update, but its answer comes too late for the first worker.
    fake.inject({ kind: 'slow', latencyMs: 10_000, count: 1, route: 'update' });
    const body = JSON.stringify({ event: 'ticket_created', ticket_id: String(ticketId) });
    const timestamp = new Date().toISOString();
    const response = await fetch(`${service.url}/webhooks/zendesk`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-zendesk-webhook-signature': signZendeskWebhook(body, timestamp, WEBHOOK_SECRET),
        'x-zendesk-webhook-signature-timestamp': timestamp,
        'x-zendesk-webhook-invocation-id': 'inv-crash',
      },
      body,
    });
    expect(await response.json()).toEqual({ status: 'applied' });
    await waitFor(() => fake.notes(ticketId).length === 1, 'Zendesk to take the note');
    first.kill('SIGKILL');
    await once(first, 'exit');

    await workerProcess();
    const queue = service.triage?.queue.queue;
    if (queue === undefined) throw new Error('the service has no triage queue');
    const jobId = triageJobId(String(ticketId), '1');
    await waitFor(async () => (await queue.getJobState(jobId)) === 'completed', 'the other worker to finish');
    expect((await Job.fromId(queue, jobId))?.returnvalue).toEqual({ status: 'already_triaged' });
    const notes = fake.notes(ticketId);
    expect(notes).toHaveLength(1);
    expect(notes[0]?.body).toContain(triageMarker(String(ticketId), '1'));
    expect(fake.updates.filter((update) => update.ticketId === ticketId)).toHaveLength(1);
  });
});
