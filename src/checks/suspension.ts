import { suspensionStatusSchema } from '../accounts/model.ts';
import { accountTarget, defineCheck } from './check.ts';

/** Whether the account is suspended, why, since when, and whether an unsuspend may be tried. */
export const suspensionCheck = defineCheck({
  name: 'account.suspension',
  input: accountTarget,
  result: suspensionStatusSchema,
  mutates: false,
  run: (backend, { accountId }) => backend.suspension(accountId),
});
