import Fastify, { type FastifyBaseLogger, type FastifyError } from 'fastify';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { type AdminOptions, registerAdmin } from '../admin/routes.ts';
import { type RatingOptions, registerRatings } from '../analytics/rating-routes.ts';
import { limitedBy, perAddress, RateLimiter } from '../channels/web/rate-limit.ts';
import { registerWebChat, type WebChatOptions } from '../channels/web/routes.ts';
import { registerZendeskWebhook, type ZendeskWebhookOptions } from '../channels/zendesk/webhook.ts';
import { sameBytes } from '../core/constant-time.ts';
import { ErrorCode, RequestError, ServiceUnavailableError, toHttpError } from '../errors.ts';
import type { RedisDesk } from '../escalations/redis-desk.ts';
import type { Logger } from '../logger.ts';
import { type MetricsRoutesOptions, registerMetrics } from '../metrics/http.ts';
import type { Understander } from '../nlu/understand.ts';
import { isRedisUnavailable } from '../queue/redis.ts';
import { type ReviewApiOptions, registerReviewApi } from '../review/routes.ts';
import { answerLateRequests } from './deadline.ts';
import { parseRequest } from './parse-request.ts';

export interface Readiness {
  ready: boolean;
  [detail: string]: unknown;
}

export interface AppDependencies {
  /** Whether the service can do its work now (for /readyz); absent means always ready. */
  readiness?: () => Promise<Readiness>;
  understander: Understander;
  /** The general answer of each intent, shown with a classification. */
  answers: ReadonlyMap<string, string>;
  logger: Logger;
  /** The customer web chat (API, events, page); absent in tests of the bare app. */
  webChat?: WebChatOptions;
  /** The Zendesk webhook, when a signing secret is configured. */
  zendeskWebhook?: ZendeskWebhookOptions;
  /** The Slack channel's Request URL (POST /slack/events), when Slack is configured without Socket Mode. */
  slack?: { register(app: import('fastify').FastifyInstance): Promise<void> };
  /** "Did this solve it?" ratings of the chat's answers (POST /api/conversations/:id/rating). */
  ratings?: RatingOptions;
  /** The dashboard at /admin and its data (a page that says how to turn it on when ADMIN_TOKEN is unset). */
  admin?: AdminOptions;
  /** The Prometheus metrics: webhook outcomes counted, and GET /metrics with METRICS_TOKEN. */
  metrics?: MetricsRoutesOptions;
  /** The escalations kept in Redis, for agents, when no help desk is configured. */
  escalationsList?: { desk: RedisDesk; token: string };
  /** The review inbox's API (/admin/api/review), when ADMIN_TOKEN is set. */
  review?: ReviewApiOptions;
  /** The per-address limit of every public API route; its counters are in Redis, shared by all instances. */
  rateLimit: { redis: Redis; prefix: string; perIpPerMinute: number };
  /** Proxies whose X-Forwarded-For is believed (0: none). */
  trustProxy?: number;
  /**
   * The longest a request may go unanswered before it gets a 503.
   * @defaultValue 4500
   */
  requestTimeoutMs?: number;
}

/** Longest message the API accepts; longer ones get a 400 that says so. */
export const MAX_TEXT_LENGTH = 4_000;

const classifyBody = z.strictObject({
  text: z.string().max(MAX_TEXT_LENGTH, `text must be at most ${MAX_TEXT_LENGTH} characters`),
});

/** Fastify's own 4xx errors (bad JSON, wrong content type, too large) in our codes. */
function fromFastifyError(error: FastifyError): RequestError | undefined {
  switch (error.statusCode) {
    case 400:
      return new RequestError(ErrorCode.BadRequest, `The request body is not valid: ${error.message}`);
    case 413:
      return new RequestError(ErrorCode.PayloadTooLarge, 'The request body is too large.');
    case 415:
      return new RequestError(ErrorCode.UnsupportedMediaType, 'Send the body as application/json.');
    default:
      return undefined;
  }
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Builds the HTTP app (routes, error handling); `server.ts` listens and shuts it down. */
export async function buildApp({
  understander,
  answers,
  logger,
  readiness,
  webChat,
  zendeskWebhook,
  slack,
  escalationsList,
  ratings,
  admin,
  metrics,
  review,
  rateLimit,
  trustProxy = 0,
  requestTimeoutMs = 4_500,
}: AppDependencies) {
  // forceCloseConnections: event streams stay open until closed; a stop must not wait for them.
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    bodyLimit: 64 * 1024,
    forceCloseConnections: true,
    // Trust the first `trustProxy` hops (the proxies in front); Fastify 5 takes a function for that.
    trustProxy: trustProxy > 0 ? (_address: string, hop: number) => hop < trustProxy : false,
  });
  // JSON only: any other body type gets a 415 that says what to send.
  app.removeAllContentTypeParsers();
  // The raw body is kept for signature checks (webhooks sign the exact bytes they send).
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = String(body);
    (request as { rawBody?: string }).rawBody = text;
    // The default parser calls `done` itself; its type merely allows a promise. It refuses
    // `__proto__` and `constructor.prototype` keys (prototype poisoning) with the same error as
    // broken JSON; the client is told which of the two it was.
    void parseJson(request, text, (error, parsed) => {
      if (error !== null && isJson(text)) {
        done(
          new RequestError(
            ErrorCode.BadRequest,
            'The request body must not contain "__proto__" or "constructor.prototype" keys.',
          ),
          undefined,
        );
        return;
      }
      done(error, parsed);
    });
  });

  answerLateRequests(app, requestTimeoutMs);
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const known =
      error.statusCode !== undefined && error.statusCode < 500
        ? fromFastifyError(error)
        : isRedisUnavailable(error)
          ? new ServiceUnavailableError('Redis did not answer.', { cause: error })
          : undefined;
    const { status, body, headers } = toHttpError(known ?? error);
    if (status === 503) request.log.warn({ err: { message: error.message } }, 'request unavailable');
    else if (status >= 500) request.log.error({ err: error }, 'request failed');
    return reply.status(status).headers(headers).send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    const { status, body } = toHttpError(
      new RequestError(ErrorCode.NotFound, `No route for ${request.method} ${request.url}`),
    );
    return reply.status(status).send(body);
  });

  // Before the webhook routes: its hook counts their answers.
  if (metrics) await registerMetrics(app, metrics);
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const state = readiness ? await readiness() : { ready: true };
    return reply
      .status(state.ready ? 200 : 503)
      .send({ ...state, status: state.ready ? 'ready' : 'not_ready' });
  });

  // The same per-address counter as the chat's routes (not /healthz and /readyz: probes are cheap
  // and must never be refused). Counted before the body is checked, so bad bodies count too.
  const perIp = limitedBy(
    new RateLimiter(rateLimit.redis, rateLimit.prefix),
    perAddress(rateLimit.perIpPerMinute),
  );
  app.post('/api/classify', { preHandler: [perIp] }, async (request) => {
    const { text } = parseRequest(classifyBody, request.body);
    const understanding = understander.understand(text);
    return { ...understanding, answer: answers.get(understanding.intent) ?? '' };
  });

  if (webChat) await registerWebChat(app, webChat);
  if (zendeskWebhook) registerZendeskWebhook(app, zendeskWebhook);
  if (slack) await slack.register(app);
  if (ratings) registerRatings(app, ratings);
  if (admin) await registerAdmin(app, admin);
  if (review) registerReviewApi(app, review);
  if (escalationsList) {
    const expected = `Bearer ${escalationsList.token}`;
    // Limited before the token is compared: guesses count against the address.
    app.get('/api/escalations', { preHandler: [perIp] }, async (request) => {
      if (!sameBytes(request.headers.authorization ?? '', expected)) {
        throw new RequestError(ErrorCode.Unauthorized, 'Send Authorization: Bearer ESCALATIONS_TOKEN.');
      }
      return { escalations: await escalationsList.desk.list() };
    });
  }
  return app;
}

export type App = Awaited<ReturnType<typeof buildApp>>;
