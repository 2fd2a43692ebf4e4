import type { AccountFindings } from './account-checks.ts';

/** The account's state as a triage note and its `ob_state_` tag name it. */
export const TRIAGE_STATES = [
  'active',
  'suspended',
  'disconnected',
  'closed',
  'no_account',
  'registration_pending',
  'unknown',
] as const;
export type TriageState = (typeof TRIAGE_STATES)[number];

export interface Diagnosis {
  state: TriageState;
  /**
   * What makes the state what it is, when the checks say: the suspension reason, the registration
   * error, or `no_first_class` for an active account whose plan lacks First Class.
   */
  reason: string | null;
}

/**
 * The state the checks found, most pressing first: no account, closed, an unfinished registration,
 * suspended, disconnected, then a plan without First Class. A check that did not answer leaves the
 * state unknown rather than guessed healthy. `findings` is null when there was nothing to look up
 * (a requester without an email address).
 */
export function diagnose(findings: AccountFindings | null): Diagnosis {
  if (findings === null) return { state: 'no_account', reason: null };
  const { account } = findings;
  if (account === undefined) return { state: 'unknown', reason: null };
  if (account === null) return { state: 'no_account', reason: null };
  if (account.status === 'closed') return { state: 'closed', reason: null };
  if (account.status === 'registration_pending')
    return { state: 'registration_pending', reason: findings.registration?.errorCode ?? null };
  const { suspension, connection, plan } = findings;
  if (suspension?.suspended === true) return { state: 'suspended', reason: suspension.reason };
  // The lookup already says suspended, though the suspension check did not answer: so it is.
  if (suspension === undefined)
    return account.status === 'suspended'
      ? { state: 'suspended', reason: null }
      : { state: 'unknown', reason: null };
  if (connection === undefined) return { state: 'unknown', reason: null };
  if (!connection.connected) return { state: 'disconnected', reason: null };
  if (plan?.firstClassAllowed === false) return { state: 'active', reason: 'no_first_class' };
  return { state: 'active', reason: null };
}
