import type { RegistrationErrorCode, SuspensionReason } from '../model.ts';

/** One account as the reference backend stores it: more than the bot may ever see. */
export interface ReferenceAccount {
  accountId: string;
  email: string;
  status: 'active' | 'suspended' | 'closed' | 'registration_pending';
  /** The full account number: the adapter keeps only its last four digits. */
  accountNumber: string;
  username: string;
  connected: boolean;
  connectedSince: string | null;
  suspension: { reason: SuspensionReason; since: string } | null;
  passwordChangedAt: string | null;
  registration: { state: 'complete' | 'pending' | 'failed'; errorCode: RegistrationErrorCode | null };
  plan: { name: string; firstClassAllowed: boolean };
  /** A secret the bot must never pass on: the canary that tests scan every output for. */
  carrierApiToken: string;
}

const DAY_MS = 86_400_000;

/**
 * The demo accounts of DOMAIN.md, with times relative to `now` ("changed 2 days ago").
 * none@demo.test has no account on purpose.
 */
export function demoAccounts(now: Date): ReferenceAccount[] {
  const daysAgo = (days: number) => new Date(now.getTime() - days * DAY_MS).toISOString();
  const base = (id: number, email: string): ReferenceAccount => ({
    accountId: `OB-${id}`,
    email,
    status: 'active',
    accountNumber: `77300${id}${String(id * 7).slice(-4)}`,
    username: email.split('@')[0] ?? email,
    connected: true,
    connectedSince: daysAgo(400),
    suspension: null,
    passwordChangedAt: daysAgo(120),
    registration: { state: 'complete', errorCode: null },
    plan: { name: 'Stamps.com One Balance Standard', firstClassAllowed: true },
    carrierApiToken: `cat_live_canary_${id}_9f3b7c1e5a2d4068`,
  });
  return [
    base(1001, 'active@demo.test'),
    {
      ...base(1002, 'pw-changed@demo.test'),
      status: 'suspended',
      suspension: { reason: 'password_changed', since: daysAgo(2) },
      passwordChangedAt: daysAgo(2),
    },
    {
      ...base(1003, 'declined@demo.test'),
      status: 'suspended',
      suspension: { reason: 'payment_declined', since: daysAgo(1) },
    },
    {
      ...base(1004, 'review@demo.test'),
      status: 'suspended',
      suspension: { reason: 'compliance_review', since: daysAgo(5) },
    },
    {
      ...base(1005, 'hold@demo.test'),
      status: 'suspended',
      suspension: { reason: 'temporary_hold', since: daysAgo(0.5) },
    },
    { ...base(1006, 'disconnected@demo.test'), connected: false, connectedSince: daysAgo(30) },
    { ...base(1007, 'closed@demo.test'), status: 'closed', connected: false, connectedSince: daysAgo(60) },
    {
      ...base(1009, 'regfail@demo.test'),
      status: 'registration_pending',
      connected: false,
      connectedSince: null,
      registration: { state: 'pending', errorCode: 'phone_verification_failed' },
    },
    {
      ...base(1010, 'noclass@demo.test'),
      plan: { name: 'Stamps.com Basic (no First Class)', firstClassAllowed: false },
    },
  ];
}

/** Every canary value of the demo accounts, for tests that scan outputs for leaks. */
export function demoCanaries(): string[] {
  return demoAccounts(new Date(0)).map((account) => account.carrierApiToken);
}
