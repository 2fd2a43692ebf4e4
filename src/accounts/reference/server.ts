import { setTimeout as sleep } from 'node:timers/promises';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { z } from 'zod';
import { sameBytes } from '../../core/constant-time.ts';
import {
  AccountNotFoundError,
  ReconnectAlreadyDecidedError,
  ReconnectRequestNotFoundError,
} from '../../errors.ts';
import type { Logger } from '../../logger.ts';
import { accountIdSchema, RECONNECT_DECISIONS, reconnectRequestIdSchema } from '../model.ts';
import { IdempotencyKeyReusedError } from './idempotency.ts';
import { ReferenceAccountStore } from './store.ts';

/** A fault the reference server plays on the next `count` matching requests. */
export const faultSchema = z.strictObject({
  /**
   * status: answer with `status` (and `Retry-After` on 429); latency: answer late but right;
   * timeout: answer only after `latencyMs` (longer than any client waits); malformed: a 200
   * whose body is not JSON; garbage: a 200 whose JSON does not fit the contract.
   */
  kind: z.enum(['status', 'latency', 'timeout', 'malformed', 'garbage']),
  status: z.number().int().min(400).max(599).default(503),
  latencyMs: z.number().int().min(0).max(120_000).default(5_000),
  retryAfterSeconds: z.number().int().min(0).default(1),
  /** How many requests it applies to; omitted means until cleared. */
  count: z.number().int().positive().optional(),
  /** Only requests whose path starts with this. */
  pathPrefix: z.string().default('/v1/'),
  /**
   * before: instead of serving the request; after: the request is served (a mutation is applied)
   * and then its answer is replaced, as when an answer is lost on its way back.
   */
  when: z.enum(['before', 'after']).default('before'),
});
export type Fault = z.input<typeof faultSchema>;
type ActiveFault = z.output<typeof faultSchema> & { remaining: number };

interface FaultAnswer {
  status: number;
  body: string;
  headers: Record<string, string>;
}

/** What a fault answers instead of the real answer; undefined lets the real one through (late). */
async function faultAnswer(fault: ActiveFault): Promise<FaultAnswer | undefined> {
  const failure = (status: number, code: string, message: string): FaultAnswer => ({
    status,
    body: JSON.stringify({ error: { code, message } }),
    headers: status === 429 ? { 'retry-after': String(fault.retryAfterSeconds) } : {},
  });
  switch (fault.kind) {
    case 'latency':
      await sleep(fault.latencyMs);
      return undefined;
    case 'timeout':
      await sleep(fault.latencyMs);
      return failure(504, 'timeout', 'The backend took too long.');
    case 'status':
      return failure(fault.status, 'injected_fault', `Injected ${fault.status}`);
    case 'malformed':
      return { status: 200, body: '{"accountId": "OB-1001", "conn', headers: {} };
    case 'garbage':
      return { status: 200, body: JSON.stringify({ unexpected: true, accountId: 42 }), headers: {} };
  }
}

export interface ReferenceServerOptions {
  token: string;
  store?: ReferenceAccountStore;
  logger?: Logger;
}

const lookupQuery = z.union([
  z.strictObject({ email: z.string().min(3).max(320) }),
  z.strictObject({ id: accountIdSchema }),
]);
const accountParams = z.object({ accountId: accountIdSchema });
const reconnectRequestParams = z.object({ requestId: reconnectRequestIdSchema });
/** Only the decision: who decided and why stay with the caller. */
const decisionBody = z.strictObject({ decision: z.enum(RECONNECT_DECISIONS) });
const idempotencyKey = z.string().min(1).max(200);
const MISSING_KEY = 'An Idempotency-Key header (1 to 200 characters) is required.';

/**
 * The reference implementation of docs/account-backend.openapi.yaml, over a ReferenceAccountStore.
 * Tests and the embedded `npm start` use it; it can be told to misbehave (`faults`).
 */
export function buildReferenceServer({
  token,
  store = new ReferenceAccountStore(),
  logger,
}: ReferenceServerOptions) {
  const app = Fastify({
    ...(logger === undefined
      ? { logger: false }
      : { loggerInstance: logger.child({ component: 'reference-backend' }) }),
    forceCloseConnections: true,
  });
  const faults: ActiveFault[] = [];
  /** Faults to play on the answer of requests already being served (`when: after`). */
  const faultsAfter = new WeakMap<FastifyRequest, ActiveFault>();
  const calls = new Map<string, number>();

  const error = (reply: FastifyReply, status: number, code: string, message: string) =>
    reply.status(status).send({ error: { code, message } });

  app.setErrorHandler((err: Error & { statusCode?: number }, _request, reply) => {
    if (err instanceof AccountNotFoundError) return error(reply, 404, 'account_not_found', err.message);
    if (err instanceof IdempotencyKeyReusedError)
      return error(reply, 422, 'idempotency_key_reused', err.message);
    if (err instanceof ReconnectRequestNotFoundError) return error(reply, 404, err.code, err.message);
    if (err instanceof ReconnectAlreadyDecidedError) return error(reply, 409, err.code, err.message);
    const status = err.statusCode !== undefined && err.statusCode < 500 ? err.statusCode : 500;
    return error(
      reply,
      status,
      status === 500 ? 'internal_error' : 'bad_request',
      status === 500 ? 'Internal error' : err.message,
    );
  });
  app.setNotFoundHandler((request, reply) =>
    error(reply, 404, 'not_found', `No route ${request.method} ${request.url}`),
  );

  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const header = request.headers.authorization ?? '';
    const given = header.startsWith('Bearer ') ? header.slice('Bearer '.length) : '';
    if (!sameBytes(given, token))
      return error(reply, 401, 'unauthorized', 'A valid bearer token is required.');
    if (!request.url.startsWith('/v1/')) return undefined;
    const route = `${request.method} ${request.routeOptions.url ?? request.url}`;
    calls.set(route, (calls.get(route) ?? 0) + 1);
    const fault = faults.find((candidate) => request.url.startsWith(candidate.pathPrefix));
    if (fault === undefined) return undefined;
    fault.remaining -= 1;
    if (fault.remaining <= 0) faults.splice(faults.indexOf(fault), 1);
    if (fault.when === 'after') {
      faultsAfter.set(request, fault);
      return undefined;
    }
    const answer = await faultAnswer(fault);
    if (answer === undefined) return undefined;
    return reply.status(answer.status).headers(answer.headers).type('application/json').send(answer.body);
  });
  app.addHook('onSend', async (request, reply, payload) => {
    const fault = faultsAfter.get(request);
    if (fault === undefined) return payload;
    const answer = await faultAnswer(fault);
    if (answer === undefined) return payload;
    reply.status(answer.status).headers(answer.headers).type('application/json');
    return answer.body;
  });

  app.get('/v1/accounts', async (request, reply) => {
    const query = lookupQuery.safeParse(request.query);
    if (!query.success)
      return error(reply, 400, 'bad_request', 'Pass exactly one of ?email= or ?id=OB-nnnn.');
    const record = store.findRecord(
      'email' in query.data ? { email: query.data.email } : { accountId: query.data.id },
    );
    if (record === undefined) return error(reply, 404, 'account_not_found', 'No such account.');
    // Over-shares on purpose: the whole record, secret included (the adapter must drop it).
    return record;
  });

  const accountId = (request: FastifyRequest) => {
    const parsed = accountParams.safeParse(request.params);
    if (!parsed.success)
      throw Object.assign(new Error('An account id looks like OB-1234.'), { statusCode: 400 });
    return parsed.data.accountId;
  };
  app.get('/v1/accounts/:accountId/connection', (request) => store.connection(accountId(request)));
  app.get('/v1/accounts/:accountId/suspension', (request) => store.suspension(accountId(request)));
  app.post('/v1/accounts/:accountId/unsuspend', async (request, reply) => {
    const key = idempotencyKey.safeParse(request.headers['idempotency-key']);
    if (!key.success) return error(reply, 400, 'bad_request', MISSING_KEY);
    return store.unsuspend(accountId(request), key.data);
  });
  app.get('/v1/accounts/:accountId/credentials', (request) => store.credentials(accountId(request)));
  app.get('/v1/accounts/:accountId/registration', (request) => store.registration(accountId(request)));
  app.get('/v1/accounts/:accountId/plan', (request) => store.plan(accountId(request)));
  app.post('/v1/accounts/:accountId/reconnect-requests', async (request, reply) => {
    const key = idempotencyKey.safeParse(request.headers['idempotency-key']);
    if (!key.success) return error(reply, 400, 'bad_request', MISSING_KEY);
    // A repeat answers as the first did: 201 with the same request.
    const created = await store.requestReconnect(accountId(request), key.data);
    return reply.status(201).send(created);
  });
  app.post('/v1/accounts/:accountId/reconnect-requests/:requestId/decision', async (request, reply) => {
    const key = idempotencyKey.safeParse(request.headers['idempotency-key']);
    if (!key.success) return error(reply, 400, 'bad_request', MISSING_KEY);
    const params = reconnectRequestParams.safeParse(request.params);
    const body = decisionBody.safeParse(request.body);
    if (!params.success || !body.success)
      return error(reply, 400, 'bad_request', 'The body must be {"decision": "approve" | "deny"}.');
    return store.decideReconnect(accountId(request), params.data.requestId, body.data.decision, key.data);
  });

  // Test controls, for a server in another process; in-process callers use the returned handle.
  app.post('/__admin/faults', async (request, reply) => {
    const parsed = faultSchema.safeParse(request.body);
    if (!parsed.success)
      return error(reply, 400, 'bad_request', parsed.error.issues.map((i) => i.message).join('; '));
    injectFault(parsed.data);
    return reply.status(204).send();
  });
  app.delete('/__admin/faults', async (_request, reply) => {
    faults.length = 0;
    return reply.status(204).send();
  });
  app.post('/__admin/reset', async (_request, reply) => {
    reset();
    return reply.status(204).send();
  });
  app.get('/__admin/stats', async () => Object.fromEntries(calls));

  function injectFault(fault: Fault): void {
    const parsed = faultSchema.parse(fault);
    faults.push({ ...parsed, remaining: parsed.count ?? Number.POSITIVE_INFINITY });
  }
  function reset(): void {
    store.reset();
    faults.length = 0;
    calls.clear();
  }
  return {
    app,
    store,
    injectFault,
    clearFaults: () => {
      faults.length = 0;
    },
    reset,
    /** Requests served per route (`GET /v1/accounts/:accountId/suspension`), faults included. */
    calls: (route: string) => calls.get(route) ?? 0,
  };
}

export type ReferenceServer = ReturnType<typeof buildReferenceServer> & {
  url: string;
  close: () => Promise<void>;
};

/** Builds and listens on loopback (port 0 = any free port). */
export async function startReferenceServer(
  options: ReferenceServerOptions & { port?: number; host?: string },
): Promise<ReferenceServer> {
  const server = buildReferenceServer(options);
  const url = await server.app.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 0 });
  return { ...server, url, close: () => server.app.close() };
}
