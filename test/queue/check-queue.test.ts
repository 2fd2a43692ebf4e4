import type { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HttpAccountBackend } from '../../src/accounts/http-backend.ts';
import { demoCanaries } from '../../src/accounts/reference/demo-accounts.ts';
import { type ReferenceServer, startReferenceServer } from '../../src/accounts/reference/server.ts';
import type { CheckName } from '../../src/intents/schema.ts';
import { type CheckOutcome, CheckQueue, checkJobId } from '../../src/queue/check-queue.ts';
import { closeWorker, startCheckWorker } from '../../src/queue/check-worker.ts';
import { capturingLogger } from '../helpers/logs.ts';
import { deleteKeysUnder, dumpKeysUnder, REDIS_URL, uniquePrefix } from '../helpers/redis.ts';

const TOKEN = 'queue-test-token';
const UNSUSPEND = 'POST /v1/accounts/:accountId/unsuspend';
let server: ReferenceServer;
let redis: Redis;
let prefix: string;
let queue: CheckQueue;
let worker: Worker;
let logs: ReturnType<typeof capturingLogger>;

beforeAll(async () => {
  server = await startReferenceServer({ token: TOKEN });
  redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
});
afterAll(async () => {
  redis.disconnect();
  await server.close();
});

async function startQueue(testPrefix: string, options: { waitMs?: number } = {}) {
  prefix = testPrefix;
  logs = capturingLogger();
  queue = new CheckQueue(redis, { prefix, backoffMs: 20, ...options });
  await queue.ready();
  const backend = new HttpAccountBackend({ baseUrl: server.url, token: TOKEN, backoffMs: 5, retries: 1 });
  worker = startCheckWorker({ connection: redis, prefix, backend, logger: logs.logger, concurrency: 8 });
  await worker.waitUntilReady();
}

beforeEach(async () => {
  server.reset();
  await startQueue(uniquePrefix('checks'));
});
afterEach(async () => {
  await closeWorker(worker, 5_000);
  await queue.close();
  await deleteKeysUnder(prefix);
});

const ok = (outcome: CheckOutcome | undefined) => {
  expect(outcome?.status, JSON.stringify(outcome)).toBe('ok');
  return (outcome as { result: unknown }).result;
};

async function runFor(accountId: string, checks: CheckName[], requestId = `req-${accountId}`) {
  return queue.run(checks.map((check) => ({ check, target: { accountId }, requestId })));
}

describe('account checks through the queue', () => {
  it('looks an account up by email, and answers not-found as a result', async () => {
    const [declined, none] = await queue.run([
      { check: 'account.lookup', target: { email: 'declined@demo.test' }, requestId: 'r1' },
      { check: 'account.lookup', target: { email: 'none@demo.test' }, requestId: 'r1' },
    ]);
    expect(ok(declined)).toMatchObject({
      found: true,
      account: { accountId: 'OB-1003', status: 'suspended' },
    });
    expect(ok(none)).toEqual({ found: false, account: null });
  });

  it('finds what DOMAIN.md says for each demo account', async () => {
    const [pwSuspension, pwUnsuspend] = await runFor('OB-1002', ['account.suspension', 'account.unsuspend']);
    expect(ok(pwSuspension)).toMatchObject({ reason: 'password_changed' });
    expect(ok(pwUnsuspend)).toMatchObject({ outcome: 'still_suspended' });
    const [declinedUnsuspend] = await runFor('OB-1003', ['account.unsuspend']);
    expect(ok(declinedUnsuspend)).toMatchObject({ outcome: 'still_suspended', reason: 'payment_declined' });
    const [review] = await runFor('OB-1004', ['account.unsuspend']);
    expect(ok(review)).toMatchObject({ outcome: 'not_allowed' });
    const [hold] = await runFor('OB-1005', ['account.unsuspend']);
    expect(ok(hold)).toMatchObject({ outcome: 'lifted' });
    const [connection, reconnect] = await runFor('OB-1006', [
      'account.connection',
      'account.reconnect_request',
    ]);
    expect(ok(connection)).toMatchObject({ connected: false });
    expect(ok(reconnect)).toMatchObject({ status: 'pending_approval' });
    expect(server.store.reconnectRequests()).toHaveLength(1);
    const [registration] = await runFor('OB-1009', ['account.registration']);
    expect(ok(registration)).toMatchObject({ errorCode: 'phone_verification_failed' });
    const [plan] = await runFor('OB-1010', ['account.plan']);
    expect(ok(plan)).toMatchObject({ firstClassAllowed: false });
    const [credentials] = await runFor('OB-1001', ['account.credentials']);
    expect(ok(credentials)).toMatchObject({ maskedUsername: expect.stringContaining('*') });
  });

  it('retries a check whose backend answers 5xx, then succeeds', async () => {
    // The adapter makes 2 calls per attempt here: 3 failures fail the first job attempt.
    server.injectFault({ kind: 'status', status: 503, count: 3 });
    const [outcome] = await runFor('OB-1003', ['account.suspension']);
    expect(ok(outcome)).toMatchObject({ reason: 'payment_declined' });
    const job = await queue.queue.getJob(outcome?.jobId ?? '');
    expect(job?.attemptsMade).toBeGreaterThanOrEqual(2);
    expect(server.calls('GET /v1/accounts/:accountId/suspension')).toBe(4);
  });

  it('does not retry a permanent failure (no such account)', async () => {
    const [outcome] = await runFor('OB-9999', ['account.suspension']);
    expect(outcome).toMatchObject({ status: 'failed', error: { code: 'account_not_found' } });
    const job = await queue.queue.getJob(outcome?.jobId ?? '');
    expect(job?.attemptsMade).toBe(1);
    expect(server.calls('GET /v1/accounts/:accountId/suspension')).toBe(1);
  });

  it('runs a repeated request for the same check in the same turn once', async () => {
    const request = {
      check: 'account.unsuspend' as const,
      target: { accountId: 'OB-1005' },
      requestId: 'turn-7',
    };
    const outcomes = await queue.run([request, request, request]);
    for (const outcome of outcomes) expect(ok(outcome)).toMatchObject({ outcome: 'lifted' });
    expect(new Set(outcomes.map((o) => o.jobId)).size).toBe(1);
    expect(server.calls('POST /v1/accounts/:accountId/unsuspend')).toBe(1);
    // A new turn runs it again (and now finds nothing to lift).
    const [again] = await queue.run([{ ...request, requestId: 'turn-8' }]);
    expect(ok(again)).toMatchObject({ outcome: 'not_suspended' });
  });

  it('retries an unsuspend whose answer was lost after the hold was lifted, and reports "lifted" once', async () => {
    // Both calls of the first attempt reach the backend and lose their answer: the job fails over
    // to a second attempt, which must learn what the first did rather than find nothing to lift.
    server.injectFault({
      kind: 'status',
      status: 503,
      when: 'after',
      count: 2,
      pathPrefix: '/v1/accounts/OB-1005/unsuspend',
    });
    const [outcome] = await runFor('OB-1005', ['account.unsuspend'], 'lost-answer');
    expect(ok(outcome)).toMatchObject({ outcome: 'lifted', reason: 'temporary_hold' });
    const job = await queue.queue.getJob(outcome?.jobId ?? '');
    expect(job?.attemptsMade).toBeGreaterThanOrEqual(2);
    expect(server.calls(UNSUSPEND)).toBe(3);
    expect(server.store.mutations()).toEqual([
      { operation: 'unsuspend', accountId: 'OB-1005', idempotencyKey: outcome?.jobId },
    ]);
  });

  it('runs the same unsuspend job twice with one lift, both runs reporting it', async () => {
    const request = {
      check: 'account.unsuspend' as const,
      target: { accountId: 'OB-1005' },
      requestId: 'twice',
    };
    const [first] = await queue.run([request]);
    expect(ok(first)).toMatchObject({ outcome: 'lifted' });
    // The job's record goes (as if its completion was lost) and the same job runs again.
    await queue.queue.remove(first?.jobId ?? '');
    const [second] = await queue.run([request]);
    expect(second).toEqual(first);
    expect(server.calls(UNSUSPEND)).toBe(2);
    expect(server.store.mutations()).toHaveLength(1);
    expect(await server.store.suspension('OB-1005')).toMatchObject({ suspended: false });
  });

  it('answers a request repeated after its check finished from that check, without running it again', async () => {
    const request = { check: 'account.plan' as const, target: { accountId: 'OB-1001' }, requestId: 'turn-9' };
    const [first] = await queue.run([request]);
    const calls = server.calls('GET /v1/accounts/:accountId/plan');
    const [again] = await queue.run([request], 2_000);
    expect(again).toEqual(first);
    expect(ok(again)).toMatchObject({ accountId: 'OB-1001', firstClassAllowed: true });
    expect(server.calls('GET /v1/accounts/:accountId/plan')).toBe(calls);
  });

  it('answers a repeated request whose check finally failed with that failure', async () => {
    const request = {
      check: 'account.plan' as const,
      target: { accountId: 'OB-9999' },
      requestId: 'turn-10',
    };
    const [first] = await queue.run([request]);
    expect(first).toMatchObject({ status: 'failed', error: { code: 'account_not_found' } });
    const [again] = await queue.run([request], 2_000);
    expect(again).toEqual(first);
  });

  it('answers pending after the wait bound and delivers the result when it lands', async () => {
    server.injectFault({ kind: 'latency', latencyMs: 800, count: 1 });
    const late = new Promise<CheckOutcome>((resolve) => queue.onSettled(resolve));
    const [outcome] = await queue.run(
      [{ check: 'account.plan', target: { accountId: 'OB-1010' }, requestId: 'slow' }],
      100,
    );
    expect(outcome).toMatchObject({ status: 'pending', check: 'account.plan' });
    const delivered = await late;
    expect(delivered).toMatchObject({
      status: 'ok',
      jobId: outcome?.jobId,
      result: { firstClassAllowed: false },
    });
  });

  it('refuses bad input at enqueue time, before any job exists', async () => {
    await expect(
      queue.enqueue({ check: 'account.plan', target: { accountId: 'not-an-id' }, requestId: 'x' }),
    ).rejects.toThrow(/account.plan cannot run on this input/);
    expect(await queue.queue.count()).toBe(0);
  });

  it('keeps every canary and full account number out of job data, results and logs', async () => {
    for (const email of [
      'active@demo.test',
      'pw-changed@demo.test',
      'declined@demo.test',
      'review@demo.test',
      'hold@demo.test',
    ]) {
      await queue.run([{ check: 'account.lookup', target: { email }, requestId: 'scan' }]);
    }
    for (const id of [
      'OB-1001',
      'OB-1002',
      'OB-1003',
      'OB-1004',
      'OB-1005',
      'OB-1006',
      'OB-1007',
      'OB-1009',
      'OB-1010',
    ]) {
      await runFor(
        id,
        [
          'account.connection',
          'account.suspension',
          'account.credentials',
          'account.registration',
          'account.plan',
        ],
        'scan',
      );
    }
    server.injectFault({ kind: 'status', status: 500, count: 2 });
    await runFor('OB-1003', ['account.suspension'], 'scan-fault');
    const stored = await dumpKeysUnder(prefix);
    expect(stored.length).toBeGreaterThan(1000);
    const secrets = [
      ...demoCanaries(),
      ...[
        ...Array.from(
          { length: 10 },
          (_, i) => server.store.findRecord({ accountId: `OB-${1001 + i}` })?.accountNumber,
        ),
      ].filter((value): value is string => value !== undefined),
    ];
    for (const secret of secrets) {
      expect(stored, `Redis holds ${secret}`).not.toContain(secret);
      expect(logs.lines(), `logs hold ${secret}`).not.toContain(secret);
    }
  });
});

describe('reconnect decisions through the queue', () => {
  const decide = (requestId: string, decision: 'approve' | 'deny', asked: string) => ({
    check: 'account.reconnect_decision' as const,
    target: { accountId: 'OB-1006', requestId, decision },
    requestId: asked,
  });

  it('approves with the input beside the asking request, then refuses a deny for good', async () => {
    const [filed] = await runFor('OB-1006', ['account.reconnect_request'], 'turn-1');
    const reconnectId = (ok(filed) as { requestId: string }).requestId;
    const [approved] = await queue.run([decide(reconnectId, 'approve', 'slack-1')]);
    expect(ok(approved)).toMatchObject({ requestId: reconnectId, status: 'approved' });
    const job = await queue.queue.getJob(approved?.jobId ?? '');
    // The reconnect request's id is the input's; the asking request keeps its own.
    expect(job?.data).toEqual({
      requestId: 'slack-1',
      input: { accountId: 'OB-1006', requestId: reconnectId, decision: 'approve' },
    });
    const [connection] = await runFor('OB-1006', ['account.connection'], 'turn-2');
    expect(ok(connection)).toMatchObject({ connected: true });
    // Deny in the same asking request is other work (its own job), refused without retries.
    const [denied] = await queue.run([decide(reconnectId, 'deny', 'slack-1')]);
    expect(denied?.jobId).not.toBe(approved?.jobId);
    expect(denied).toMatchObject({ status: 'failed', error: { code: 'reconnect_already_approved' } });
    expect((await queue.queue.getJob(denied?.jobId ?? ''))?.attemptsMade).toBe(1);
    expect(server.store.mutations().filter((m) => m.operation === 'reconnect_decision')).toEqual([
      { operation: 'reconnect_decision', accountId: 'OB-1006', idempotencyKey: approved?.jobId },
    ]);
  });

  it('still runs a job queued with its input beside the request id (earlier versions)', async () => {
    const request = { check: 'account.plan' as const, target: { accountId: 'OB-1010' }, requestId: 'old' };
    await queue.queue.add(
      request.check,
      { requestId: 'old', accountId: 'OB-1010' },
      { jobId: checkJobId(request) },
    );
    const [outcome] = await queue.run([request]);
    expect(ok(outcome)).toMatchObject({ firstClassAllowed: false });
    // The run joined the queued job rather than adding its own.
    expect((await queue.queue.getJob(outcome?.jobId ?? ''))?.data).toEqual({
      requestId: 'old',
      accountId: 'OB-1010',
    });
  });
});

describe('checkJobId', () => {
  it('names a decision by account, reconnect request and decision, with no ":" whatever the id', () => {
    const id = (requestId: string, decision: 'approve' | 'deny') =>
      checkJobId({
        check: 'account.reconnect_decision',
        target: { accountId: 'OB-1006', requestId, decision },
        requestId: 'slack:1',
      });
    expect(id('rr_1', 'approve')).toBe('account.reconnect_decision__OB-1006.rr_1.approve__slack_1');
    expect(id('rr_1', 'deny')).not.toBe(id('rr_1', 'approve'));
    expect(id('rr_2', 'deny')).not.toBe(id('rr_1', 'deny'));
    const odd = id('rr:1/../x', 'deny');
    expect(odd).not.toContain(':');
    expect(odd).not.toBe(id('rr_1_.._x', 'deny'));
    expect(id('r'.repeat(200), 'deny').length).toBeLessThan(100);
  });
});

describe('a hash-tagged prefix (Redis Cluster)', () => {
  it('runs checks with a {hash tag} prefix', async () => {
    await closeWorker(worker, 5_000);
    await queue.close();
    await deleteKeysUnder(prefix);
    await startQueue(`{${uniquePrefix('tag')}}`);
    const [outcome] = await runFor('OB-1001', ['account.plan']);
    expect(ok(outcome)).toMatchObject({ firstClassAllowed: true });
  });
});
