import { z } from 'zod';

/** Why an account is suspended (DOMAIN.md). */
export const SUSPENSION_REASONS = [
  'password_changed',
  'payment_declined',
  'compliance_review',
  'temporary_hold',
  'unpaid_balance',
] as const;
export type SuspensionReason = (typeof SUSPENSION_REASONS)[number];

/** Why a registration failed (DOMAIN.md). */
export const REGISTRATION_ERRORS = [
  'card_declined',
  'phone_verification_failed',
  'invalid_address',
  'duplicate_account',
] as const;
export type RegistrationErrorCode = (typeof REGISTRATION_ERRORS)[number];

export const accountIdSchema = z.string().regex(/^OB-\d{4,}$/, 'an account id looks like OB-1234');
const isoTime = z.iso.datetime({ offset: true });

/**
 * What the bot may know of an account after a lookup. The backend's own record holds more (the
 * full account number, an API token); the adapter keeps only these fields.
 */
export const accountSummarySchema = z.object({
  accountId: accountIdSchema,
  status: z.enum(['active', 'suspended', 'closed', 'registration_pending']),
  accountNumberLast4: z.string().regex(/^\d{4}$/),
});
export type AccountSummary = z.infer<typeof accountSummarySchema>;

export const connectionStatusSchema = z.object({
  accountId: accountIdSchema,
  connected: z.boolean(),
  /** When the account was connected to (or disconnected from) the store. */
  since: isoTime.nullable(),
});
export type ConnectionStatus = z.infer<typeof connectionStatusSchema>;

export const suspensionStatusSchema = z.object({
  accountId: accountIdSchema,
  suspended: z.boolean(),
  reason: z.enum(SUSPENSION_REASONS).nullable(),
  since: isoTime.nullable(),
  unsuspendAllowed: z.boolean(),
});
export type SuspensionStatus = z.infer<typeof suspensionStatusSchema>;

export const unsuspendOutcomeSchema = z.object({
  accountId: accountIdSchema,
  outcome: z.enum(['lifted', 'still_suspended', 'not_allowed', 'not_suspended']),
  reason: z.enum(SUSPENSION_REASONS).nullable(),
  /** Why the attempt did not lift the suspension, in the backend's words (never a secret). */
  detail: z.string(),
});
export type UnsuspendOutcome = z.infer<typeof unsuspendOutcomeSchema>;

export const credentialsInfoSchema = z.object({
  accountId: accountIdSchema,
  maskedUsername: z.string().regex(/\*/, 'a username must come masked'),
  accountNumberLast4: z.string().regex(/^\d{4}$/),
  passwordChangedAt: isoTime.nullable(),
});
export type CredentialsInfo = z.infer<typeof credentialsInfoSchema>;

export const registrationStatusSchema = z.object({
  accountId: accountIdSchema,
  state: z.enum(['complete', 'pending', 'failed']),
  errorCode: z.enum(REGISTRATION_ERRORS).nullable(),
});
export type RegistrationStatus = z.infer<typeof registrationStatusSchema>;

export const planInfoSchema = z.object({
  accountId: accountIdSchema,
  planName: z.string().min(1),
  firstClassAllowed: z.boolean(),
});
export type PlanInfo = z.infer<typeof planInfoSchema>;

/** A reconnect request's id as the backend makes it (`rr_…`); bounded, since it travels in paths and job ids. */
export const reconnectRequestIdSchema = z.string().min(1).max(200);

export const reconnectRequestSchema = z.object({
  accountId: accountIdSchema,
  requestId: reconnectRequestIdSchema,
  status: z.enum(['pending_approval', 'approved', 'rejected']),
  createdAt: isoTime,
  /** When an agent approved or rejected it; null while pending (absent from backends before decisions). */
  decidedAt: isoTime.nullable().optional(),
});
export type ReconnectRequest = z.infer<typeof reconnectRequestSchema>;

/** What an agent decides on a reconnect request: approve reconnects the account, deny rejects the request. */
export const RECONNECT_DECISIONS = ['approve', 'deny'] as const;
export type ReconnectDecision = (typeof RECONNECT_DECISIONS)[number];

export type AccountKey = { email: string } | { accountId: string };

/**
 * The account backend as the bot needs it. Adapters: the HTTP client of the contract in
 * docs/account-backend.openapi.yaml, and the reference store that its reference server serves.
 * Every method rejects with AccountNotFoundError for an unknown account (lookup resolves null),
 * and with BackendUnavailableError when the backend cannot answer now.
 *
 * Every method that changes the account takes an idempotency key, stable across retries of the
 * same work (the check job's id): a repeat with the key returns the first call's outcome without
 * applying anything again, so a retry after a lost answer or a dead worker cannot lift a hold twice
 * or report "not suspended" for the hold it lifted. A key reused for another account rejects with
 * BackendRejectedError (a bug in the caller, not something a retry fixes).
 */
export interface AccountBackend {
  lookup(key: AccountKey): Promise<AccountSummary | null>;
  connection(accountId: string): Promise<ConnectionStatus>;
  suspension(accountId: string): Promise<SuspensionStatus>;
  unsuspend(accountId: string, idempotencyKey: string): Promise<UnsuspendOutcome>;
  credentials(accountId: string): Promise<CredentialsInfo>;
  registration(accountId: string): Promise<RegistrationStatus>;
  plan(accountId: string): Promise<PlanInfo>;
  /** Records a reconnect request; the same `idempotencyKey` returns the same request. */
  requestReconnect(accountId: string, idempotencyKey: string): Promise<ReconnectRequest>;
  /**
   * An agent's decision on a pending reconnect request: `approve` makes it `approved` and connects
   * the account, `deny` makes it `rejected`. The same decision again (any key) answers the request
   * as it is; the other decision rejects with ReconnectAlreadyDecidedError; an id the account does
   * not have, with ReconnectRequestNotFoundError. A key reused for another account, request or
   * decision rejects with BackendRejectedError.
   */
  decideReconnect(
    accountId: string,
    requestId: string,
    decision: ReconnectDecision,
    idempotencyKey: string,
  ): Promise<ReconnectRequest>;
}

/** Masks all but the last four characters. */
export function last4(value: string): string {
  return value.replace(/\D/g, '').slice(-4).padStart(4, '0');
}
