import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { demoCanaries } from '../../src/accounts/reference/demo-accounts.ts';
import { deleteKeysUnder, REDIS_URL, uniquePrefix } from '../helpers/redis.ts';

const prefix = uniquePrefix('cli');
afterAll(() => deleteKeysUnder(prefix));

/** `npx onebalance-bot check ... --json` with nothing configured but Redis: it starts its own worker and backend. */
function check(args: string[]) {
  const result = spawnSync(process.execPath, ['bin/onebalance-bot.js', 'check', ...args], {
    encoding: 'utf8',
    env: { ...process.env, REDIS_URL, QUEUE_PREFIX: prefix, LOG_LEVEL: 'silent', ACCOUNT_BACKEND_URL: '' },
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

type Outcome = { status: string; result?: Record<string, unknown>; error?: { code: string } };

function checkJson(email: string, ...checks: string[]): Record<string, Outcome> {
  const { status, stdout, stderr } = check([email, ...checks, '--json']);
  expect(status, stderr).toBe(0);
  for (const canary of demoCanaries()) expect(stdout).not.toContain(canary);
  return JSON.parse(stdout) as Record<string, Outcome>;
}

/**
 * The first test starts the CLI ten times, one after another (each a process that loads the
 * intents and starts a worker): a few seconds each, more on a loaded machine, so it gets the time of
 * three ordinary tests. Each start keeps its own bound (`check`).
 */
const TEN_STARTS_MS = 180_000;

describe('onebalance-bot check', () => {
  it(
    'prints what DOMAIN.md says a check finds, for every demo account',
    () => {
      const declined = checkJson('declined@demo.test');
      expect(Object.keys(declined)).toEqual([
        'account.lookup',
        'account.connection',
        'account.suspension',
        'account.credentials',
        'account.registration',
        'account.plan',
      ]);
      for (const outcome of Object.values(declined)) expect(outcome.status).toBe('ok');
      expect(declined['account.suspension']?.result).toMatchObject({
        suspended: true,
        reason: 'payment_declined',
      });

      expect(checkJson('active@demo.test')['account.suspension']?.result).toMatchObject({ suspended: false });
      expect(checkJson('pw-changed@demo.test', 'unsuspend')['account.unsuspend']?.result).toMatchObject({
        outcome: 'still_suspended',
        reason: 'password_changed',
      });
      expect(checkJson('review@demo.test', 'unsuspend')['account.unsuspend']?.result).toMatchObject({
        outcome: 'not_allowed',
      });
      expect(checkJson('hold@demo.test', 'unsuspend')['account.unsuspend']?.result).toMatchObject({
        outcome: 'lifted',
      });
      expect(checkJson('disconnected@demo.test', 'connection')['account.connection']?.result).toMatchObject({
        connected: false,
      });
      expect(checkJson('closed@demo.test', 'lookup')['account.lookup']?.result).toMatchObject({
        account: { status: 'closed' },
      });
      expect(checkJson('regfail@demo.test', 'registration')['account.registration']?.result).toMatchObject({
        errorCode: 'phone_verification_failed',
      });
      expect(checkJson('noclass@demo.test', 'plan')['account.plan']?.result).toMatchObject({
        firstClassAllowed: false,
      });

      const none = checkJson('none@demo.test', 'suspension');
      expect(none['account.lookup']).toEqual({ status: 'ok', result: { found: false, account: null } });
      expect(none['account.suspension']).toMatchObject({
        status: 'failed',
        error: { code: 'account_not_found' },
      });
    },
    TEN_STARTS_MS,
  );

  it('rejects a missing email or an unknown check with usage help', () => {
    expect(check([]).status).toBe(2);
    const unknown = check(['active@demo.test', 'horoscope']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('Unknown check "horoscope"');
    const decision = check(['disconnected@demo.test', 'reconnect_decision']);
    expect(decision.status).toBe(2);
    expect(decision.stderr).toContain('account.reconnect_decision is an agent');
  });
});
