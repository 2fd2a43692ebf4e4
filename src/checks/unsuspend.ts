import { unsuspendOutcomeSchema } from '../accounts/model.ts';
import { accountTarget, defineCheck } from './check.ts';

/**
 * Tries to lift a suspension: the first step of DOMAIN.md's suspension resolution. The job's key
 * makes a re-run (retry, stall, takeover) report the first run's outcome: "lifted", not "was not
 * suspended" for the hold that run lifted.
 */
export const unsuspendCheck = defineCheck({
  name: 'account.unsuspend',
  input: accountTarget,
  result: unsuspendOutcomeSchema,
  mutates: true,
  run: (backend, { accountId }, { idempotencyKey }) => backend.unsuspend(accountId, idempotencyKey),
});
