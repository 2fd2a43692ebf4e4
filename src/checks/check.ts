import { z } from 'zod';
import { type AccountBackend, accountIdSchema } from '../accounts/model.ts';
import { CodedError, ErrorCode } from '../errors.ts';
import type { CheckName } from '../intents/schema.ts';

/** Most checks act on one account, named by its id: all the job carries besides the request id. */
export const accountTarget = z.strictObject({ accountId: accountIdSchema });
export type AccountTarget = z.infer<typeof accountTarget>;

export interface CheckContext {
  /** The conversation turn or command run that asked; repeated asks in one request run once. */
  requestId: string;
  /**
   * The key a mutating check sends the backend: the check job's id, which is the same for every
   * attempt, stall and takeover of one check of one request (and only of it), so a re-run gets
   * the first run's outcome instead of applying the change again.
   */
  idempotencyKey: string;
}

/** One account check: what it takes, what it returns, whether it changes the account. */
export interface CheckDefinition<Input, Result> {
  name: CheckName;
  input: z.ZodType<Input>;
  result: z.ZodType<Result>;
  /**
   * True when running it changes the account (unsuspend, reconnect request); such a check must
   * pass `context.idempotencyKey` to the backend.
   */
  mutates: boolean;
  run(backend: AccountBackend, input: Input, context: CheckContext): Promise<Result>;
}

/** A check with its types erased, as the queue sees it: raw job data in, validated result out. */
export interface Check {
  name: CheckName;
  mutates: boolean;
  parseInput(data: unknown): unknown;
  execute(backend: AccountBackend, data: unknown, context: CheckContext): Promise<unknown>;
}

/** Job data that no check accepts: permanent, a retry would fail the same way. */
export class CheckInputError extends CodedError {
  constructor(check: string, detail: string) {
    super(ErrorCode.CheckInvalid, `${check} cannot run on this input: ${detail}`);
    this.name = 'CheckInputError';
  }
}

export function defineCheck<Input, Result>(definition: CheckDefinition<Input, Result>): Check {
  const parseInput = (data: unknown): Input => {
    const parsed = definition.input.safeParse(data);
    if (!parsed.success)
      throw new CheckInputError(definition.name, parsed.error.issues.map((i) => i.message).join('; '));
    return parsed.data;
  };
  return {
    name: definition.name,
    mutates: definition.mutates,
    parseInput,
    async execute(backend, data, context) {
      const result = await definition.run(backend, parseInput(data), context);
      // The result goes into Redis and to callers: only what the schema allows.
      return definition.result.parse(result);
    },
  };
}
