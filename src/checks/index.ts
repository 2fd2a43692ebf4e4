import type { CheckName } from '../intents/schema.ts';
import type { Check } from './check.ts';
import { connectionCheck } from './connection.ts';
import { credentialsCheck } from './credentials.ts';
import { lookupCheck } from './lookup.ts';
import { planCheck } from './plan.ts';
import { reconnectDecisionCheck } from './reconnect-decision.ts';
import { reconnectRequestCheck } from './reconnect-request.ts';
import { registrationCheck } from './registration.ts';
import { suspensionCheck } from './suspension.ts';
import { unsuspendCheck } from './unsuspend.ts';

/** Every check by name; the type makes a missing one a compile error. */
export const CHECKS: Readonly<Record<CheckName, Check>> = {
  'account.lookup': lookupCheck,
  'account.connection': connectionCheck,
  'account.suspension': suspensionCheck,
  'account.unsuspend': unsuspendCheck,
  'account.credentials': credentialsCheck,
  'account.registration': registrationCheck,
  'account.plan': planCheck,
  'account.reconnect_request': reconnectRequestCheck,
  'account.reconnect_decision': reconnectDecisionCheck,
};

export function isCheckName(name: string): name is CheckName {
  return Object.hasOwn(CHECKS, name);
}
