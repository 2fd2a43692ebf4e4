import { planInfoSchema } from '../accounts/model.ts';
import { accountTarget, defineCheck } from './check.ts';

/** The Stamps.com plan and whether it allows First Class labels. */
export const planCheck = defineCheck({
  name: 'account.plan',
  input: accountTarget,
  result: planInfoSchema,
  mutates: false,
  run: (backend, { accountId }) => backend.plan(accountId),
});
