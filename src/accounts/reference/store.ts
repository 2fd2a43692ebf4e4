import { randomUUID } from 'node:crypto';
import {
  AccountNotFoundError,
  ReconnectAlreadyDecidedError,
  ReconnectRequestNotFoundError,
} from '../../errors.ts';
import {
  type AccountBackend,
  type AccountKey,
  type AccountSummary,
  type ConnectionStatus,
  type CredentialsInfo,
  last4,
  type PlanInfo,
  type ReconnectDecision,
  type ReconnectRequest,
  type RegistrationStatus,
  type SuspensionStatus,
  type UnsuspendOutcome,
} from '../model.ts';
import { demoAccounts, type ReferenceAccount } from './demo-accounts.ts';
import { IdempotencyMemory, type IdempotencyOptions } from './idempotency.ts';

/** A state-changing call the store carried out (a repeat answered from memory is not one). */
export interface AppliedMutation {
  operation: 'unsuspend' | 'reconnect_request' | 'reconnect_decision';
  accountId: string;
  idempotencyKey: string;
}

/** Why an unsuspend attempt fails for each reason (the reference backend's own words). */
const UNSUSPEND_FAILURE: Record<string, string> = {
  password_changed: 'The stored Stamps.com credentials are out of sync with the current password.',
  payment_declined: 'The payment card on file was declined; update it before the account can be unsuspended.',
  unpaid_balance: 'The account has an unpaid balance.',
};

/** Masks a username to its first and last characters. */
export function maskUsername(username: string): string {
  if (username.length <= 2) return `${username[0] ?? ''}*`;
  return `${username[0]}${'*'.repeat(Math.min(6, username.length - 2))}${username.at(-1)}`;
}

/**
 * The reference backend's state, in memory, seeded with the demo accounts. It is an
 * AccountBackend itself (the in-memory adapter of the conformance suite); the reference server
 * serves it over HTTP. State changes are real until `reset()`.
 */
export class ReferenceAccountStore implements AccountBackend {
  private accounts = new Map<string, ReferenceAccount>();
  private readonly requests: ReconnectRequest[] = [];
  private readonly applied: AppliedMutation[] = [];
  private readonly idempotency: IdempotencyMemory;

  constructor(
    private readonly now: () => Date = () => new Date(),
    idempotency: Partial<IdempotencyOptions> = {},
  ) {
    this.idempotency = new IdempotencyMemory(idempotency, () => this.now().getTime());
    this.reset();
  }

  reset(): void {
    this.accounts = new Map(demoAccounts(this.now()).map((account) => [account.accountId, account]));
    this.requests.length = 0;
    this.applied.length = 0;
    this.idempotency.clear();
  }

  /** Every mutation carried out since the last reset, oldest first (tests count them). */
  mutations(): readonly AppliedMutation[] {
    return [...this.applied];
  }

  /** The whole record, as an over-sharing internal API returns it (the HTTP lookup does). */
  findRecord(key: AccountKey): ReferenceAccount | undefined {
    if ('accountId' in key) return this.accounts.get(key.accountId.toUpperCase());
    const email = key.email.trim().toLowerCase();
    for (const account of this.accounts.values()) if (account.email === email) return account;
    return undefined;
  }

  reconnectRequests(): ReconnectRequest[] {
    return [...this.requests];
  }

  private require(accountId: string): ReferenceAccount {
    const account = this.findRecord({ accountId });
    if (account === undefined) throw new AccountNotFoundError(accountId);
    return account;
  }

  async lookup(key: AccountKey): Promise<AccountSummary | null> {
    const account = this.findRecord(key);
    if (account === undefined) return null;
    return {
      accountId: account.accountId,
      status: account.status,
      accountNumberLast4: last4(account.accountNumber),
    };
  }

  async connection(accountId: string): Promise<ConnectionStatus> {
    const account = this.require(accountId);
    return { accountId: account.accountId, connected: account.connected, since: account.connectedSince };
  }

  async suspension(accountId: string): Promise<SuspensionStatus> {
    const account = this.require(accountId);
    const suspension = account.suspension;
    return {
      accountId: account.accountId,
      suspended: suspension !== null,
      reason: suspension?.reason ?? null,
      since: suspension?.since ?? null,
      unsuspendAllowed: suspension !== null && suspension.reason !== 'compliance_review',
    };
  }

  /** Runs once per idempotency key: a repeat reports the first outcome, even after the hold is gone. */
  async unsuspend(accountId: string, idempotencyKey: string): Promise<UnsuspendOutcome> {
    const account = this.require(accountId);
    return this.idempotency.once('unsuspend', idempotencyKey, account.accountId, () => {
      this.applied.push({ operation: 'unsuspend', accountId: account.accountId, idempotencyKey });
      return this.applyUnsuspend(account);
    });
  }

  private applyUnsuspend(account: ReferenceAccount): UnsuspendOutcome {
    const suspension = account.suspension;
    const result = (outcome: UnsuspendOutcome['outcome'], detail: string): UnsuspendOutcome => ({
      accountId: account.accountId,
      outcome,
      reason: suspension?.reason ?? null,
      detail,
    });
    if (suspension === null) return result('not_suspended', 'The account is not suspended.');
    if (suspension.reason === 'compliance_review') {
      return result('not_allowed', 'The account is under compliance review; only Stamps.com can lift it.');
    }
    if (suspension.reason === 'temporary_hold') {
      account.suspension = null;
      account.status = 'active';
      return result('lifted', 'The temporary hold was lifted.');
    }
    return result('still_suspended', UNSUSPEND_FAILURE[suspension.reason] ?? 'The suspension remains.');
  }

  async credentials(accountId: string): Promise<CredentialsInfo> {
    const account = this.require(accountId);
    return {
      accountId: account.accountId,
      maskedUsername: maskUsername(account.username),
      accountNumberLast4: last4(account.accountNumber),
      passwordChangedAt: account.passwordChangedAt,
    };
  }

  async registration(accountId: string): Promise<RegistrationStatus> {
    const account = this.require(accountId);
    return { accountId: account.accountId, ...account.registration };
  }

  async plan(accountId: string): Promise<PlanInfo> {
    const account = this.require(accountId);
    return {
      accountId: account.accountId,
      planName: account.plan.name,
      firstClassAllowed: account.plan.firstClassAllowed,
    };
  }

  async requestReconnect(accountId: string, idempotencyKey: string): Promise<ReconnectRequest> {
    const account = this.require(accountId);
    return this.idempotency.once('reconnect request', idempotencyKey, account.accountId, () => {
      this.applied.push({ operation: 'reconnect_request', accountId: account.accountId, idempotencyKey });
      const request: ReconnectRequest = {
        accountId: account.accountId,
        requestId: `rr_${randomUUID()}`,
        status: 'pending_approval',
        createdAt: this.now().toISOString(),
        decidedAt: null,
      };
      this.requests.push(request);
      return { ...request };
    });
  }

  /**
   * Decides once per key. The request is replaced, never changed in place: the outcomes remembered
   * for earlier keys (the request as first recorded) stay as they were.
   */
  async decideReconnect(
    accountId: string,
    requestId: string,
    decision: ReconnectDecision,
    idempotencyKey: string,
  ): Promise<ReconnectRequest> {
    const account = this.require(accountId);
    const subject = `${account.accountId}\n${requestId}\n${decision}`;
    return this.idempotency.once('reconnect decision', idempotencyKey, subject, () => {
      const index = this.requests.findIndex(
        (request) => request.requestId === requestId && request.accountId === account.accountId,
      );
      const request = this.requests[index];
      if (request === undefined) throw new ReconnectRequestNotFoundError(requestId);
      const wanted = decision === 'approve' ? 'approved' : 'rejected';
      if (request.status === wanted) return { ...request };
      if (request.status !== 'pending_approval')
        throw new ReconnectAlreadyDecidedError(requestId, request.status);
      this.applied.push({ operation: 'reconnect_decision', accountId: account.accountId, idempotencyKey });
      const now = this.now().toISOString();
      const decided: ReconnectRequest = { ...request, status: wanted, decidedAt: now };
      this.requests[index] = decided;
      // Already connected (by other means) stays connected since then.
      if (wanted === 'approved' && !account.connected) {
        account.connected = true;
        account.connectedSince = now;
      }
      return { ...decided };
    });
  }
}
