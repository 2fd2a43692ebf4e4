import { beforeEach, describe, expect, it } from 'vitest';
import type { AccountBackend } from '../../src/accounts/model.ts';
import {
  AccountNotFoundError,
  BackendRejectedError,
  ErrorCode,
  ReconnectAlreadyDecidedError,
  ReconnectRequestNotFoundError,
} from '../../src/errors.ts';

export interface ConformanceSubject {
  backend: AccountBackend;
  /** Back to the seeded demo accounts. */
  reset: () => Promise<void> | void;
}

const DAY_MS = 86_400_000;

/**
 * What every AccountBackend adapter must do, from DOMAIN.md's demo accounts. The HTTP adapter
 * (against the reference server) and the in-memory reference store both run it.
 */
export function describeAccountBackendConformance(name: string, subject: () => ConformanceSubject): void {
  describe(`AccountBackend conformance: ${name}`, () => {
    let backend: AccountBackend;
    beforeEach(async () => {
      const current = subject();
      backend = current.backend;
      await current.reset();
    });

    it('looks accounts up by email (any case) and by id, and answers null for no account', async () => {
      expect(await backend.lookup({ email: 'Active@Demo.test' })).toEqual({
        accountId: 'OB-1001',
        status: 'active',
        accountNumberLast4: expect.stringMatching(/^\d{4}$/),
      });
      expect(await backend.lookup({ accountId: 'OB-1007' })).toMatchObject({ status: 'closed' });
      expect(await backend.lookup({ email: 'none@demo.test' })).toBeNull();
      expect(await backend.lookup({ accountId: 'OB-9999' })).toBeNull();
    });

    it('never returns more than the summary from a lookup (no secret, no full number)', async () => {
      const summary = await backend.lookup({ email: 'declined@demo.test' });
      expect(Object.keys(summary ?? {}).sort()).toEqual(['accountId', 'accountNumberLast4', 'status']);
    });

    it('reports each demo suspension with its reason and since when', async () => {
      const now = Date.now();
      const pw = await backend.suspension('OB-1002');
      expect(pw).toMatchObject({ suspended: true, reason: 'password_changed', unsuspendAllowed: true });
      expect(now - Date.parse(pw.since ?? '')).toBeGreaterThan(1.9 * DAY_MS);
      expect(await backend.suspension('OB-1003')).toMatchObject({
        suspended: true,
        reason: 'payment_declined',
      });
      expect(await backend.suspension('OB-1004')).toMatchObject({
        reason: 'compliance_review',
        unsuspendAllowed: false,
      });
      expect(await backend.suspension('OB-1005')).toMatchObject({
        reason: 'temporary_hold',
        unsuspendAllowed: true,
      });
      expect(await backend.suspension('OB-1001')).toEqual({
        accountId: 'OB-1001',
        suspended: false,
        reason: null,
        since: null,
        unsuspendAllowed: false,
      });
    });

    it('unsuspends as DOMAIN.md says, and a lifted suspension stays lifted', async () => {
      expect(await backend.unsuspend('OB-1002', 'u-1')).toMatchObject({
        outcome: 'still_suspended',
        reason: 'password_changed',
      });
      expect((await backend.unsuspend('OB-1002', 'u-2')).detail).toMatch(/out of sync/);
      expect(await backend.unsuspend('OB-1003', 'u-3')).toMatchObject({
        outcome: 'still_suspended',
        reason: 'payment_declined',
      });
      expect(await backend.unsuspend('OB-1004', 'u-4')).toMatchObject({ outcome: 'not_allowed' });
      expect(await backend.unsuspend('OB-1005', 'u-5')).toMatchObject({
        outcome: 'lifted',
        reason: 'temporary_hold',
      });
      expect(await backend.suspension('OB-1005')).toMatchObject({ suspended: false });
      expect(await backend.lookup({ accountId: 'OB-1005' })).toMatchObject({ status: 'active' });
      expect(await backend.unsuspend('OB-1001', 'u-6')).toMatchObject({ outcome: 'not_suspended' });
    });

    it('unsuspends once per idempotency key: a repeat reports the first outcome, not the state it left', async () => {
      const first = await backend.unsuspend('OB-1005', 'job-1');
      expect(first).toMatchObject({ outcome: 'lifted', reason: 'temporary_hold' });
      // The hold is gone now, yet a repeat of the same work says what that work did.
      expect(await backend.unsuspend('OB-1005', 'job-1')).toEqual(first);
      expect(await backend.unsuspend('OB-1005', 'job-1')).toEqual(first);
      // Other work (another key) runs and finds nothing to lift.
      expect(await backend.unsuspend('OB-1005', 'job-2')).toMatchObject({ outcome: 'not_suspended' });
      // A failed attempt is an outcome too: repeated, not re-run.
      const declined = await backend.unsuspend('OB-1003', 'job-3');
      expect(await backend.unsuspend('OB-1003', 'job-3')).toEqual(declined);
    });

    it('refuses an idempotency key reused for another account, for every mutation', async () => {
      await backend.unsuspend('OB-1005', 'shared-key');
      await expect(backend.unsuspend('OB-1003', 'shared-key')).rejects.toBeInstanceOf(BackendRejectedError);
      await backend.requestReconnect('OB-1006', 'shared-key');
      await expect(backend.requestReconnect('OB-1001', 'shared-key')).rejects.toBeInstanceOf(
        BackendRejectedError,
      );
      // Refused, not applied: the other account is as it was.
      expect(await backend.suspension('OB-1003')).toMatchObject({ suspended: true });
    });

    it('records nothing for a call that failed, so its key stays free', async () => {
      await expect(backend.unsuspend('OB-9999', 'unused')).rejects.toBeInstanceOf(AccountNotFoundError);
      expect(await backend.unsuspend('OB-1005', 'unused')).toMatchObject({ outcome: 'lifted' });
    });

    it('reports connection, registration and plan', async () => {
      expect(await backend.connection('OB-1001')).toMatchObject({ connected: true });
      expect(await backend.connection('OB-1006')).toMatchObject({ connected: false });
      expect(await backend.registration('OB-1009')).toEqual({
        accountId: 'OB-1009',
        state: 'pending',
        errorCode: 'phone_verification_failed',
      });
      expect(await backend.registration('OB-1001')).toMatchObject({ state: 'complete', errorCode: null });
      expect(await backend.plan('OB-1010')).toMatchObject({ firstClassAllowed: false });
      expect(await backend.plan('OB-1001')).toMatchObject({ firstClassAllowed: true });
    });

    it('gives credential metadata, masked, and never a password', async () => {
      const credentials = await backend.credentials('OB-1002');
      expect(credentials.maskedUsername).toContain('*');
      expect(credentials.maskedUsername).not.toBe('pw-changed');
      expect(credentials.accountNumberLast4).toMatch(/^\d{4}$/);
      expect(Date.now() - Date.parse(credentials.passwordChangedAt ?? '')).toBeLessThan(3 * DAY_MS);
      expect(JSON.stringify(credentials)).not.toMatch(/password"\s*:/i);
    });

    it('records a reconnect request once per key', async () => {
      const first = await backend.requestReconnect('OB-1006', 'turn-1');
      expect(first).toMatchObject({ accountId: 'OB-1006', status: 'pending_approval' });
      expect(await backend.requestReconnect('OB-1006', 'turn-1')).toEqual(first);
      expect((await backend.requestReconnect('OB-1006', 'turn-2')).requestId).not.toBe(first.requestId);
    });

    it('approves a reconnect request once per key, and the account is connected since then', async () => {
      const filed = await backend.requestReconnect('OB-1006', 'turn-1');
      expect(filed.decidedAt ?? null).toBeNull();
      const before = Date.now();
      const approved = await backend.decideReconnect('OB-1006', filed.requestId, 'approve', 'slack-1');
      expect(approved).toMatchObject({
        accountId: 'OB-1006',
        requestId: filed.requestId,
        status: 'approved',
        createdAt: filed.createdAt,
      });
      expect(Date.parse(approved.decidedAt ?? '')).toBeGreaterThanOrEqual(before - 1_000);
      const connection = await backend.connection('OB-1006');
      expect(connection).toMatchObject({ connected: true, since: approved.decidedAt });
      // A retry with the key, and the same decision by other work, answer the request as it is.
      expect(await backend.decideReconnect('OB-1006', filed.requestId, 'approve', 'slack-1')).toEqual(
        approved,
      );
      expect(await backend.decideReconnect('OB-1006', filed.requestId, 'approve', 'slack-2')).toEqual(
        approved,
      );
      expect(await backend.connection('OB-1006')).toEqual(connection);
      // The filing's own repeat still answers what it recorded then.
      expect(await backend.requestReconnect('OB-1006', 'turn-1')).toEqual(filed);
    });

    it('denies a reconnect request without connecting the account', async () => {
      const filed = await backend.requestReconnect('OB-1006', 'turn-1');
      const denied = await backend.decideReconnect('OB-1006', filed.requestId, 'deny', 'slack-1');
      expect(denied).toMatchObject({ requestId: filed.requestId, status: 'rejected' });
      expect(denied.decidedAt).toEqual(expect.any(String));
      expect(await backend.connection('OB-1006')).toMatchObject({ connected: false });
      expect(await backend.decideReconnect('OB-1006', filed.requestId, 'deny', 'slack-2')).toEqual(denied);
    });

    it('refuses the other decision on a decided request, saying which it was', async () => {
      const deniedOne = await backend.requestReconnect('OB-1006', 'turn-1');
      await backend.decideReconnect('OB-1006', deniedOne.requestId, 'deny', 'slack-1');
      await expect(
        backend.decideReconnect('OB-1006', deniedOne.requestId, 'approve', 'slack-2'),
      ).rejects.toMatchObject({ decided: 'rejected', code: ErrorCode.ReconnectAlreadyRejected });
      // Refused, not applied: still disconnected, and the key is free for other work.
      expect(await backend.connection('OB-1006')).toMatchObject({ connected: false });
      const approvedOne = await backend.requestReconnect('OB-1006', 'turn-2');
      await backend.decideReconnect('OB-1006', approvedOne.requestId, 'approve', 'slack-2');

      const late = await backend
        .decideReconnect('OB-1006', approvedOne.requestId, 'deny', 'slack-3')
        .catch((error: unknown) => error);
      expect(late).toBeInstanceOf(ReconnectAlreadyDecidedError);
      expect(late).toMatchObject({ decided: 'approved', code: ErrorCode.ReconnectAlreadyApproved });
      expect((late as Error).message).toMatch(/already approved/);
      expect(await backend.connection('OB-1006')).toMatchObject({ connected: true });
    });

    it('refuses a decision on a request the account does not have', async () => {
      const filed = await backend.requestReconnect('OB-1006', 'turn-1');
      await expect(
        backend.decideReconnect('OB-1006', 'rr_unknown', 'approve', 'slack-1'),
      ).rejects.toBeInstanceOf(ReconnectRequestNotFoundError);
      // Another account's request is not this account's.
      await expect(
        backend.decideReconnect('OB-1001', filed.requestId, 'approve', 'slack-2'),
      ).rejects.toMatchObject({ code: ErrorCode.ReconnectRequestNotFound });
      await expect(
        backend.decideReconnect('OB-9999', filed.requestId, 'approve', 'slack-3'),
      ).rejects.toBeInstanceOf(AccountNotFoundError);
      expect(await backend.connection('OB-1006')).toMatchObject({ connected: false });
    });

    it('refuses a decision key reused for another request, account or decision', async () => {
      const first = await backend.requestReconnect('OB-1006', 'turn-1');
      const second = await backend.requestReconnect('OB-1006', 'turn-2');
      const other = await backend.requestReconnect('OB-1001', 'turn-3');
      await backend.decideReconnect('OB-1006', first.requestId, 'deny', 'shared-key');
      for (const call of [
        () => backend.decideReconnect('OB-1006', second.requestId, 'deny', 'shared-key'),
        () => backend.decideReconnect('OB-1001', other.requestId, 'deny', 'shared-key'),
        () => backend.decideReconnect('OB-1006', first.requestId, 'approve', 'shared-key'),
      ]) {
        await expect(call()).rejects.toBeInstanceOf(BackendRejectedError);
        await expect(call()).rejects.not.toBeInstanceOf(ReconnectAlreadyDecidedError);
      }
      // Keys belong to one operation: the filing's key decides too.
      expect(await backend.decideReconnect('OB-1006', second.requestId, 'deny', 'turn-2')).toMatchObject({
        status: 'rejected',
      });
      expect(await backend.connection('OB-1006')).toMatchObject({ connected: false });
    });

    it('rejects every per-account call for an unknown account with AccountNotFoundError', async () => {
      for (const call of [
        () => backend.connection('OB-9999'),
        () => backend.suspension('OB-9999'),
        () => backend.unsuspend('OB-9999', 'k'),
        () => backend.credentials('OB-9999'),
        () => backend.registration('OB-9999'),
        () => backend.plan('OB-9999'),
        () => backend.requestReconnect('OB-9999', 'k'),
        () => backend.decideReconnect('OB-9999', 'rr_1', 'approve', 'k'),
      ]) {
        await expect(call()).rejects.toBeInstanceOf(AccountNotFoundError);
      }
    });
  });
}
