import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { requireAdmin } from '../admin/auth.ts';
import { ErrorCode, RequestError } from '../errors.ts';
import { parseRequest as parse } from '../http/parse-request.ts';
import type { ReviewInbox } from './inbox.ts';
import { isReviewItemId } from './item.ts';
import type { ReviewLabel } from './labels.ts';

export interface ReviewApiOptions {
  inbox: ReviewInbox;
  /** ADMIN_TOKEN: without it the API is not registered at all. */
  token: string;
  /** What a message may be labelled with (src/review/labels.ts), from the service's intents. */
  labels: readonly ReviewLabel[];
}

/** The most items one request lists. */
export const MAX_LIST_LIMIT = 1_000;

const listQuery = z.strictObject({
  status: z.enum(['open', 'labelled', 'dismissed', 'all']).default('open'),
  limit: z.coerce
    .number()
    .int('limit must be a whole number')
    .min(1, 'limit must be at least 1')
    .max(MAX_LIST_LIMIT, `limit must be at most ${MAX_LIST_LIMIT}`)
    .default(50),
});
const itemParams = z.strictObject({
  id: z.string().refine(isReviewItemId, 'id is not a review item id'),
});
const labelBody = z.strictObject({ label: z.string().trim().min(1, 'label must not be empty').max(200) });

/** The label as given, when it is one a message can have; a 400 that says what can be otherwise. */
export function knownLabel(labels: readonly ReviewLabel[], label: string): string {
  if (labels.some((known) => known.id === label)) return label;
  throw new RequestError(
    ErrorCode.BadRequest,
    `"${label.slice(0, 80)}" is no intent id, shared act or followup:<id> of a follow-up with examples (GET /admin/api/review/labels lists them).`,
  );
}

/**
 * The review inbox's API for the dashboard (the contract of OPS.md), behind the admin token: list
 * items, the labels, label or dismiss an item.
 */
export function registerReviewApi(app: FastifyInstance, options: ReviewApiOptions): void {
  const { inbox, labels } = options;
  // Items hold customer text (masked): never kept by a cache on the way.
  const noStore = async (_request: FastifyRequest, reply: FastifyReply) => {
    reply.header('cache-control', 'no-store');
  };
  const admin = { preHandler: [requireAdmin(options.token), noStore] };
  app.get('/admin/api/review', admin, async (request) => {
    const { status, limit } = parse(listQuery, request.query ?? {});
    return { items: await inbox.list(status, limit) };
  });
  app.get('/admin/api/review/labels', admin, async () => ({ labels }));
  app.post('/admin/api/review/:id/label', admin, async (request, reply) => {
    const { id } = parse(itemParams, request.params);
    const { label } = parse(labelBody, request.body ?? {});
    await inbox.label(id, knownLabel(labels, label));
    return reply.status(204).send();
  });
  app.post('/admin/api/review/:id/dismiss', admin, async (request, reply) => {
    const { id } = parse(itemParams, request.params);
    await inbox.dismiss(id);
    return reply.status(204).send();
  });
}
