import { reconnectRequestSchema } from '../accounts/model.ts';
import { accountTarget, defineCheck } from './check.ts';

/**
 * Asks Customer Success to reconnect a disconnected account. The job's key (one per check, account
 * and request) goes to the backend, so a retried job records one request, not two.
 */
export const reconnectRequestCheck = defineCheck({
  name: 'account.reconnect_request',
  input: accountTarget,
  result: reconnectRequestSchema,
  mutates: true,
  run: (backend, { accountId }, { idempotencyKey }) => backend.requestReconnect(accountId, idempotencyKey),
});
