import { registrationStatusSchema } from '../accounts/model.ts';
import { accountTarget, defineCheck } from './check.ts';

/** Registration state and its error code (card declined, phone verification, address, duplicate). */
export const registrationCheck = defineCheck({
  name: 'account.registration',
  input: accountTarget,
  result: registrationStatusSchema,
  mutates: false,
  run: (backend, { accountId }) => backend.registration(accountId),
});
