import { describe, expect, it } from 'vitest';
import type { AccountBackend } from '../../src/accounts/model.ts';
import { ReferenceAccountStore } from '../../src/accounts/reference/store.ts';
import { CheckInputError } from '../../src/checks/check.ts';
import { CHECKS, isCheckName } from '../../src/checks/index.ts';
import { CHECK_NAMES } from '../../src/intents/schema.ts';

const context = { requestId: 'r', idempotencyKey: 'k' };

describe('checks', () => {
  it('registers every check name of the intent schema, and only those', () => {
    expect(Object.keys(CHECKS).sort()).toEqual([...CHECK_NAMES].sort());
    expect(isCheckName('account.plan')).toBe(true);
    expect(isCheckName('account.delete_everything')).toBe(false);
    expect(isCheckName('toString')).toBe(false);
  });

  it('marks exactly the state-changing checks as mutating', () => {
    const mutating = Object.values(CHECKS)
      .filter((check) => check.mutates)
      .map((check) => check.name);
    expect(mutating.sort()).toEqual([
      'account.reconnect_decision',
      'account.reconnect_request',
      'account.unsuspend',
    ]);
  });

  it('refuses input that is not an account id (or, for lookup, an email)', async () => {
    const store = new ReferenceAccountStore();
    await expect(
      CHECKS['account.plan'].execute(store, { accountId: 'DROP TABLE' }, context),
    ).rejects.toBeInstanceOf(CheckInputError);
    await expect(
      CHECKS['account.plan'].execute(store, { accountId: 'OB-1001', extra: 1 }, context),
    ).rejects.toThrow(/cannot run on this input/);
    await expect(
      CHECKS['account.lookup'].execute(store, { email: 'not an email' }, context),
    ).rejects.toBeInstanceOf(CheckInputError);
  });

  it('decides a reconnect request with the context key, and takes only account, request and decision', async () => {
    const store = new ReferenceAccountStore();
    const decision = CHECKS['account.reconnect_decision'];
    const filed = await store.requestReconnect('OB-1006', 'turn-1');
    const input = { accountId: 'OB-1006', requestId: filed.requestId, decision: 'approve' };
    expect(await decision.execute(store, input, context)).toMatchObject({ status: 'approved' });
    expect(store.mutations().at(-1)).toEqual({
      operation: 'reconnect_decision',
      accountId: 'OB-1006',
      idempotencyKey: context.idempotencyKey,
    });
    for (const bad of [
      { accountId: 'OB-1006' },
      { ...input, decision: 'maybe' },
      { ...input, requestId: '' },
      { ...input, agent: 'U123' },
    ]) {
      await expect(decision.execute(store, bad, context)).rejects.toBeInstanceOf(CheckInputError);
    }
  });

  it('keeps only what the result schema allows, whatever a backend adds', async () => {
    const store = new ReferenceAccountStore();
    const oversharing: AccountBackend = {
      ...store,
      lookup: store.lookup.bind(store),
      connection: store.connection.bind(store),
      suspension: store.suspension.bind(store),
      unsuspend: store.unsuspend.bind(store),
      credentials: async (accountId) => ({
        ...(await store.credentials(accountId)),
        password: 'hunter2',
        carrierApiToken: 'secret',
      }),
      registration: store.registration.bind(store),
      plan: store.plan.bind(store),
      requestReconnect: store.requestReconnect.bind(store),
      decideReconnect: store.decideReconnect.bind(store),
    };
    const result = await CHECKS['account.credentials'].execute(
      oversharing,
      { accountId: 'OB-1001' },
      context,
    );
    expect(JSON.stringify(result)).not.toMatch(/hunter2|secret|password"/);
    expect(result).toMatchObject({ accountId: 'OB-1001', maskedUsername: expect.stringContaining('*') });
  });
});
