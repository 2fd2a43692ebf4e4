import type { FastifyInstance } from 'fastify';
import { ServiceUnavailableError, toHttpError } from '../errors.ts';

/**
 * Answers 503 with Retry-After to any request still unanswered after `ms`, whatever it waits on.
 * Redis commands have their own bound; this is the last resort that makes "no request hangs" hold
 * for every route, including one that waits on several bounded steps in a row. Streams (hijacked
 * replies) are not answered here: they are meant to stay open.
 */
export function answerLateRequests(app: FastifyInstance, ms: number): void {
  app.addHook('onRequest', (request, reply, done) => {
    const timer = setTimeout(() => {
      if (reply.sent || reply.raw.headersSent) return;
      request.log.warn({ url: request.routeOptions.url, ms }, 'request ran out of time');
      const { status, body, headers } = toHttpError(
        new ServiceUnavailableError(`The request took longer than ${ms} ms.`),
      );
      reply.status(status).headers(headers).send(body);
    }, ms);
    timer.unref();
    reply.raw.once('close', () => clearTimeout(timer));
    reply.raw.once('finish', () => clearTimeout(timer));
    done();
  });
}
