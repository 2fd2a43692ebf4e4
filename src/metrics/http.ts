import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { sameBytes } from '../core/constant-time.ts';
import { ErrorCode, RequestError } from '../errors.ts';
import type { ServiceMetrics } from './service-metrics.ts';

/** What the service port serves of the metrics: the webhooks counted always, /metrics with a token. */
export interface MetricsRoutesOptions {
  metrics: ServiceMetrics;
  /** METRICS_TOKEN: GET /metrics on the service port for `Authorization: Bearer <token>`; none, no route. */
  token?: string;
}

/** The webhook routes counted, by their source label. */
const WEBHOOK_ROUTES: ReadonlyMap<string, 'slack' | 'zendesk'> = new Map([
  ['/slack/events', 'slack'],
  ['/webhooks/zendesk', 'zendesk'],
]);

/**
 * Counts the webhooks' answers and, with a token, serves GET /metrics. Registered before the
 * webhook routes. The count is taken from the raw response's `finish`: the Slack route hijacks
 * its reply, so Fastify's own response hooks never run for it.
 */
export async function registerMetrics(app: FastifyInstance, options: MetricsRoutesOptions): Promise<void> {
  const { metrics, token } = options;
  app.addHook('onRequest', (request, reply, done) => {
    const source = WEBHOOK_ROUTES.get(request.routeOptions.url ?? '');
    if (source !== undefined)
      reply.raw.once('finish', () => metrics.webhookAnswered(source, reply.raw.statusCode));
    done();
  });
  if (token === undefined) return;
  const expected = `Bearer ${token}`;
  app.get('/metrics', async (request, reply) => {
    if (!sameBytes(request.headers.authorization ?? '', expected))
      throw new RequestError(ErrorCode.Unauthorized, 'Send Authorization: Bearer METRICS_TOKEN.');
    const { contentType, text } = await metrics.exposition();
    return reply.header('content-type', contentType).header('cache-control', 'no-store').send(text);
  });
}

export interface MetricsListener {
  url: string;
  close(): Promise<void>;
}

/**
 * GET /metrics without a token on a port of its own, bound to loopback only (METRICS_PORT): for a
 * Prometheus or an agent on the same host. Anything else is a 404.
 */
export async function startMetricsListener(
  metrics: ServiceMetrics,
  port: number,
  host = '127.0.0.1',
): Promise<MetricsListener> {
  const server = createServer((request, response) => {
    const path = (request.url ?? '').split('?')[0];
    if (request.method !== 'GET' || path !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('Not found: GET /metrics\n');
      return;
    }
    metrics.exposition().then(
      ({ contentType, text }) =>
        response.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' }).end(text),
      () => response.writeHead(500, { 'content-type': 'text/plain' }).end('metrics not collected\n'),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${bound}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
