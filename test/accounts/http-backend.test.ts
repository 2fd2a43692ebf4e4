import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HttpAccountBackend } from '../../src/accounts/http-backend.ts';
import { demoCanaries } from '../../src/accounts/reference/demo-accounts.ts';
import { type ReferenceServer, startReferenceServer } from '../../src/accounts/reference/server.ts';
import {
  AccountNotFoundError,
  BackendBadResponseError,
  BackendRejectedError,
  BackendUnavailableError,
  ReconnectAlreadyDecidedError,
} from '../../src/errors.ts';

const TOKEN = 'adapter-test-token';
const SUSPENSION = 'GET /v1/accounts/:accountId/suspension';
const UNSUSPEND = 'POST /v1/accounts/:accountId/unsuspend';
const DECISION = 'POST /v1/accounts/:accountId/reconnect-requests/:requestId/decision';
const DECISION_PREFIX = '/v1/accounts/OB-1006/reconnect-requests/';
let server: ReferenceServer;
beforeAll(async () => {
  server = await startReferenceServer({ token: TOKEN });
});
afterAll(() => server.close());
beforeEach(() => server.reset());

const adapter = (options: Partial<ConstructorParameters<typeof HttpAccountBackend>[0]> = {}) =>
  new HttpAccountBackend({ baseUrl: server.url, token: TOKEN, backoffMs: 5, ...options });

describe('HttpAccountBackend', () => {
  it('retries a 5xx and succeeds when the backend recovers', async () => {
    server.injectFault({ kind: 'status', status: 503, count: 2 });
    expect(await adapter().suspension('OB-1003')).toMatchObject({ reason: 'payment_declined' });
    expect(server.calls(SUSPENSION)).toBe(3);
  });

  it('gives up after its retries with BackendUnavailableError', async () => {
    server.injectFault({ kind: 'status', status: 500 });
    await expect(adapter({ retries: 2 }).suspension('OB-1003')).rejects.toBeInstanceOf(
      BackendUnavailableError,
    );
    expect(server.calls(SUSPENSION)).toBe(3);
  });

  it('times out a slow answer and retries it', async () => {
    server.injectFault({ kind: 'timeout', latencyMs: 1_000, count: 1 });
    expect(await adapter({ timeoutMs: 100 }).plan('OB-1010')).toMatchObject({ firstClassAllowed: false });
    server.injectFault({ kind: 'timeout', latencyMs: 1_000 });
    await expect(adapter({ timeoutMs: 100, retries: 1 }).plan('OB-1010')).rejects.toThrow(
      /did not answer within 100 ms/,
    );
  });

  it('honours the Retry-After of a 429 before retrying', async () => {
    server.injectFault({ kind: 'status', status: 429, retryAfterSeconds: 1, count: 1 });
    const started = Date.now();
    expect(await adapter().connection('OB-1006')).toMatchObject({ connected: false });
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('rejects a body that is not JSON, or JSON that does not fit the contract', async () => {
    server.injectFault({ kind: 'malformed' });
    await expect(adapter({ retries: 0 }).connection('OB-1001')).rejects.toBeInstanceOf(
      BackendBadResponseError,
    );
    server.clearFaults();
    server.injectFault({ kind: 'garbage' });
    await expect(adapter({ retries: 0 }).suspension('OB-1001')).rejects.toThrow(/does not fit the contract/);
  });

  it('does not retry a refusal (wrong token) or a missing account', async () => {
    await expect(
      new HttpAccountBackend({ baseUrl: server.url, token: 'wrong' }).suspension('OB-1003'),
    ).rejects.toBeInstanceOf(BackendRejectedError);
    await expect(adapter().suspension('OB-9999')).rejects.toBeInstanceOf(AccountNotFoundError);
    expect(server.calls(SUSPENSION)).toBe(1);
  });

  it('opens its circuit after repeated failures, fails fast while open, and closes after a good trial', async () => {
    const backend = adapter({ retries: 0, breaker: { failureThreshold: 3, openMs: 200 } });
    server.injectFault({ kind: 'status', status: 503 });
    for (let i = 0; i < 3; i++) await expect(backend.suspension('OB-1001')).rejects.toThrow(/answered 503/);
    expect(backend.breaker.state).toBe('open');
    await expect(backend.suspension('OB-1001')).rejects.toThrow(/circuit is open/);
    expect(server.calls(SUSPENSION)).toBe(3);

    server.clearFaults();
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(backend.breaker.state).toBe('half_open');
    expect(await backend.suspension('OB-1001')).toMatchObject({ suspended: false });
    expect(backend.breaker.state).toBe('closed');
  });

  it('drops the carrierApiToken canary and the full account number that the lookup over-shares', async () => {
    const raw = await fetch(`${server.url}/v1/accounts?email=declined%40demo.test`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    }).then((response) => response.text());
    const canary = demoCanaries().find((value) => raw.includes(value));
    expect(canary, 'the reference server must over-share for this test to mean anything').toBeDefined();
    const summary = JSON.stringify(await adapter().lookup({ email: 'declined@demo.test' }));
    for (const value of demoCanaries()) expect(summary).not.toContain(value);
    const fullNumber = (JSON.parse(raw) as { accountNumber: string }).accountNumber;
    expect(summary).not.toContain(fullNumber);
  });

  it('retries an unsuspend whose answer was lost with the same Idempotency-Key, and reports the lift', async () => {
    // The backend lifts the hold, then its answer is lost: the retry must not report "not suspended".
    server.injectFault({ kind: 'status', status: 503, when: 'after', count: 1 });
    expect(await adapter().unsuspend('OB-1005', 'check-job-1')).toMatchObject({ outcome: 'lifted' });
    expect(server.calls(UNSUSPEND)).toBe(2);
    expect(server.store.mutations()).toEqual([
      { operation: 'unsuspend', accountId: 'OB-1005', idempotencyKey: 'check-job-1' },
    ]);
  });

  it('retries a decision whose answer was lost with the same Idempotency-Key, and decides once', async () => {
    const filed = await server.store.requestReconnect('OB-1006', 'turn-1');
    server.injectFault({ kind: 'status', status: 503, when: 'after', count: 1, pathPrefix: DECISION_PREFIX });
    const approved = await adapter().decideReconnect('OB-1006', filed.requestId, 'approve', 'check-job-2');
    expect(approved).toMatchObject({ status: 'approved' });
    expect(server.calls(DECISION)).toBe(2);
    expect(server.store.mutations().filter((m) => m.operation === 'reconnect_decision')).toEqual([
      { operation: 'reconnect_decision', accountId: 'OB-1006', idempotencyKey: 'check-job-2' },
    ]);
  });

  it('does not retry a decision refused as already decided', async () => {
    const filed = await server.store.requestReconnect('OB-1006', 'turn-1');
    await server.store.decideReconnect('OB-1006', filed.requestId, 'deny', 'agent-1');
    await expect(
      adapter().decideReconnect('OB-1006', filed.requestId, 'approve', 'check-job-3'),
    ).rejects.toBeInstanceOf(ReconnectAlreadyDecidedError);
    expect(server.calls(DECISION)).toBe(1);
  });
});

describe('the reference server, on idempotency keys', () => {
  const post = (path: string, key?: string, body?: unknown) =>
    fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${TOKEN}`,
        ...(key === undefined ? {} : { 'idempotency-key': key }),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  it('requires an Idempotency-Key on every mutation, and applies nothing without one', async () => {
    for (const path of [
      '/v1/accounts/OB-1005/unsuspend',
      '/v1/accounts/OB-1006/reconnect-requests',
      '/v1/accounts/OB-1006/reconnect-requests/rr_1/decision',
    ]) {
      const response = await post(path);
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: { code: 'bad_request' } });
    }
    expect(server.store.mutations()).toEqual([]);
  });

  it('answers a repeat with the first status and body, and a key reused for another account with 422', async () => {
    const first = await post('/v1/accounts/OB-1006/reconnect-requests', 'k-1');
    const again = await post('/v1/accounts/OB-1006/reconnect-requests', 'k-1');
    expect([first.status, again.status]).toEqual([201, 201]);
    expect(await again.text()).toBe(await first.text());
    const reused = await post('/v1/accounts/OB-1001/reconnect-requests', 'k-1');
    expect(reused.status).toBe(422);
    expect(await reused.json()).toMatchObject({ error: { code: 'idempotency_key_reused' } });
    const lifted = await post('/v1/accounts/OB-1005/unsuspend', 'k-1');
    expect(await lifted.json()).toMatchObject({ outcome: 'lifted' });
    expect((await post('/v1/accounts/OB-1003/unsuspend', 'k-1')).status).toBe(422);
  });

  it('takes a decision body of {decision} alone, and answers 404 and 409 with their codes', async () => {
    const filed = await server.store.requestReconnect('OB-1006', 'turn-1');
    const path = `/v1/accounts/OB-1006/reconnect-requests/${filed.requestId}/decision`;
    for (const body of [undefined, {}, { decision: 'maybe' }, { decision: 'approve', reason: 'ok' }]) {
      const refused = await post(path, 'd-1', body);
      expect(refused.status).toBe(400);
      expect(await refused.json()).toMatchObject({ error: { code: 'bad_request' } });
    }
    const denied = await post(path, 'd-1', { decision: 'deny' });
    expect(denied.status).toBe(200);
    expect(await denied.json()).toMatchObject({ status: 'rejected', decidedAt: expect.any(String) });
    const late = await post(path, 'd-2', { decision: 'approve' });
    expect(late.status).toBe(409);
    expect(await late.json()).toMatchObject({ error: { code: 'reconnect_already_rejected' } });
    const unknown = await post('/v1/accounts/OB-1006/reconnect-requests/rr_nope/decision', 'd-3', {
      decision: 'deny',
    });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { code: 'reconnect_request_not_found' } });
    expect(server.store.mutations().filter((m) => m.operation === 'reconnect_decision')).toHaveLength(1);
  });
});
