import type { z } from 'zod';
import { ErrorCode, RequestError } from '../errors.ts';

/**
 * A request's body, parameters or query read by its schema: the data, or a 400 whose message lists
 * what is wrong (after `context`, when given). Every route reads its input this way.
 */
export function parseRequest<T>(schema: z.ZodType<T>, value: unknown, context = ''): T {
  const result = schema.safeParse(value);
  if (!result.success)
    throw new RequestError(
      ErrorCode.BadRequest,
      `${context}${result.error.issues.map((issue) => issue.message).join('; ')}`,
    );
  return result.data;
}
