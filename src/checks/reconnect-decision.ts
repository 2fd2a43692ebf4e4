import { z } from 'zod';
import {
  accountIdSchema,
  RECONNECT_DECISIONS,
  reconnectRequestIdSchema,
  reconnectRequestSchema,
} from '../accounts/model.ts';
import { defineCheck } from './check.ts';

/** An agent's decision on one reconnect request of one account. Who decided and why stay with the caller. */
export const reconnectDecisionTarget = z.strictObject({
  accountId: accountIdSchema,
  requestId: reconnectRequestIdSchema,
  decision: z.enum(RECONNECT_DECISIONS),
});
export type ReconnectDecisionTarget = z.infer<typeof reconnectDecisionTarget>;

/**
 * Approves (and so reconnects the account) or denies a reconnect request, for an agent (Slack).
 * The job's key (one per check, request, decision and asking action) goes to the backend, so a
 * retried job decides once. A request already decided the other way fails with
 * reconnect_already_approved or reconnect_already_rejected; the same decision again answers the
 * request as it is.
 */
export const reconnectDecisionCheck = defineCheck({
  name: 'account.reconnect_decision',
  input: reconnectDecisionTarget,
  result: reconnectRequestSchema,
  mutates: true,
  run: (backend, { accountId, requestId, decision }, { idempotencyKey }) =>
    backend.decideReconnect(accountId, requestId, decision, idempotencyKey),
});
