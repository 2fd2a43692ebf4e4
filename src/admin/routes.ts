import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { DayCounters } from '../analytics/day-counters.ts';
import { PERIODS, readStats } from '../analytics/stats.ts';
import { limitedBy, perAddress, RateLimiter } from '../channels/web/rate-limit.ts';
import { sameBytes } from '../core/constant-time.ts';
import { ErrorCode, RequestError } from '../errors.ts';
import { parseRequest } from '../http/parse-request.ts';
import { adminCookie, requireAdmin, tokenOf } from './auth.ts';
import { dashboardPage } from './dashboard-page.ts';
import { disabledPage, signInPage } from './html.ts';

export interface AdminOptions {
  /** ADMIN_TOKEN; unset, /admin says how to set it and serves no data. */
  token: string | undefined;
  counters: DayCounters;
  /** The per-address limit every public route shares (sign-in guesses count against it too). */
  rateLimit: { redis: Redis; prefix: string; perIpPerMinute: number };
  /** Mark the sign-in cookie Secure (production, behind HTTPS). */
  secureCookie: boolean;
}

/** Scripts, styles and pictures from this service only: the dashboard loads nothing from elsewhere. */
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";
/** Sign-in tries one address may make per minute, besides the shared per-address budget. */
const SIGN_IN_PER_MINUTE = 10;

const statsQuery = z.object({
  days: z.coerce
    .number({ error: 'days must be a whole number' })
    .int('days must be a whole number')
    .min(1, 'days must be 1 to 400')
    .max(400, 'days must be 1 to 400')
    .default(30),
});
const signInBody = z.object({ token: z.string().max(512).default('') });

/** The files /admin/assets serves, read once: Chart.js from its package, and the page's own. */
function assets(): Map<string, { body: string; type: string }> {
  const chartJs = join(dirname(createRequire(import.meta.url).resolve('chart.js')), 'chart.umd.min.js');
  const own = (name: string) => fileURLToPath(new URL(`../../public/admin/${name}`, import.meta.url));
  const js = 'text/javascript; charset=utf-8';
  return new Map([
    ['chart.js', { body: readFileSync(chartJs, 'utf8'), type: js }],
    ['dashboard.js', { body: readFileSync(own('dashboard.js'), 'utf8'), type: js }],
    ['dashboard.css', { body: readFileSync(own('dashboard.css'), 'utf8'), type: 'text/css; charset=utf-8' }],
  ]);
}

/**
 * The support lead's dashboard at /admin (page, sign-in, assets) and its data at
 * /admin/api/stats, behind ADMIN_TOKEN. Registered in a scope of its own: its CSP header and its
 * form parser apply here only.
 */
export async function registerAdmin(app: FastifyInstance, options: AdminOptions): Promise<void> {
  await app.register((scope, _options, done) => {
    scope.addHook('onSend', async (_request, reply) => {
      reply.header('content-security-policy', CSP);
      reply.header('x-content-type-options', 'nosniff');
      reply.header('referrer-policy', 'no-referrer');
    });
    const files = assets();
    scope.get('/admin/assets/:name', async (request, reply) => {
      const file = files.get((request.params as { name: string }).name);
      if (file === undefined) throw new RequestError(ErrorCode.NotFound, `No route for GET ${request.url}`);
      return reply.type(file.type).header('cache-control', 'no-cache').send(file.body);
    });
    const { token } = options;
    if (token === undefined) scope.get('/admin', async (_request, reply) => html(reply, 200, disabledPage()));
    else registerSignedIn(scope, options, token);
    done();
  });
}

function html(reply: FastifyReply, status: number, body: string): FastifyReply {
  return reply.status(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(body);
}

function registerSignedIn(scope: FastifyInstance, options: AdminOptions, token: string): void {
  const limiter = new RateLimiter(options.rateLimit.redis, options.rateLimit.prefix);
  const perIp = limitedBy(limiter, perAddress(options.rateLimit.perIpPerMinute));
  const signInLimit = limitedBy(limiter, perAddress(options.rateLimit.perIpPerMinute), (request) => ({
    key: `admin-sign-in:${request.ip}`,
    max: SIGN_IN_PER_MINUTE,
    windowMs: 60_000,
  }));
  const admin = requireAdmin(token);
  const signedIn = (request: FastifyRequest) => sameBytes(tokenOf(request), token);
  // The sign-in form posts as a form, which the rest of the service does not accept.
  scope.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(String(body)))),
  );

  scope.get('/admin', { preHandler: [perIp] }, async (request, reply) => {
    if (!signedIn(request)) return html(reply, 200, signInPage());
    const asked = Number((request.query as { days?: string }).days);
    const days = (PERIODS as readonly number[]).includes(asked) ? asked : 30;
    return html(reply, 200, dashboardPage(await readStats(options.counters, days)));
  });
  scope.post('/admin/sign-in', { preHandler: [signInLimit] }, async (request, reply) => {
    const parsed = signInBody.safeParse(request.body ?? {});
    if (!parsed.success || !sameBytes(parsed.data.token, token))
      return html(reply, 401, signInPage('That is not the admin token. Try again.'));
    const secure = options.secureCookie || request.protocol === 'https';
    return reply
      .status(303)
      .header('set-cookie', adminCookie(token, secure))
      .header('location', '/admin')
      .send();
  });
  scope.post('/admin/sign-out', async (_request, reply) =>
    reply
      .status(303)
      .header('set-cookie', 'ob_admin=; Path=/admin; HttpOnly; SameSite=Strict; Max-Age=0')
      .header('location', '/admin')
      .send(),
  );
  scope.get('/admin/api/stats', { preHandler: [perIp, admin] }, async (request, reply) => {
    const { days } = parseRequest(statsQuery, request.query);
    reply.header('cache-control', 'no-store');
    return readStats(options.counters, days);
  });
}
