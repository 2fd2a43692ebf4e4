import { credentialsInfoSchema } from '../accounts/model.ts';
import { accountTarget, defineCheck } from './check.ts';

/** Masked username, last four digits, when the Stamps.com password last changed. Never a password. */
export const credentialsCheck = defineCheck({
  name: 'account.credentials',
  input: accountTarget,
  result: credentialsInfoSchema,
  mutates: false,
  run: (backend, { accountId }) => backend.credentials(accountId),
});
