import { unsuspendOutcomeSchema } from '../accounts/model.ts';
import { accountTarget, defineCheck } from './check.ts';

/** Tries to lift a suspension: the first step of DOMAIN.md's suspension resolution. */
export const unsuspendCheck = defineCheck({
  name: 'account.unsuspend',
  input: accountTarget,
  result: unsuspendOutcomeSchema,
  mutates: true,
  run: (backend, { accountId }) => backend.unsuspend(accountId),
});
