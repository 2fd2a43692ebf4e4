import { connectionStatusSchema } from '../accounts/model.ts';
import { accountTarget, defineCheck } from './check.ts';

/** Whether the account is connected to the customer's store (a disconnected one can be reconnected). */
export const connectionCheck = defineCheck({
  name: 'account.connection',
  input: accountTarget,
  result: connectionStatusSchema,
  mutates: false,
  run: (backend, { accountId }) => backend.connection(accountId),
});
