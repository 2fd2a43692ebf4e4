import { z } from 'zod';
import { accountIdSchema, accountSummarySchema } from '../accounts/model.ts';
import { defineCheck } from './check.ts';

/** Finds the account of an email (the customer's own) or an id. "No account" is an answer, not a failure. */
export const lookupCheck = defineCheck({
  name: 'account.lookup',
  input: z.union([z.strictObject({ email: z.email() }), z.strictObject({ accountId: accountIdSchema })]),
  result: z.object({ found: z.boolean(), account: accountSummarySchema.nullable() }),
  mutates: false,
  async run(backend, input) {
    const account = await backend.lookup(input);
    return { found: account !== null, account };
  },
});
