import { describe, expect, it } from 'vitest';
import { demoAccounts, demoCanaries } from '../../src/accounts/reference/demo-accounts.ts';
import {
  CARRIER_API_TOKEN,
  createOutputGuard,
  guardOutgoing,
  MIN_SECRET_LENGTH,
  REMOVED_SECRET,
} from '../../src/core/output-guard.ts';
import { ConfigError } from '../../src/errors.ts';

const FALLBACK = 'Sorry, I cannot give that answer right now.';
const SERVICE_SECRET = 'identity-secret-0123456789abcdef';
const guard = createOutputGuard({ fallback: FALLBACK, secrets: [SERVICE_SECRET, 'short'] });

describe('guardOutgoing', () => {
  it('leaves an ordinary bot answer exactly as it is, with no problems', () => {
    for (const text of [
      'Your One Balance account is not suspended and it is connected, so postage should go through.',
      'Please call Stamps at (855) 889-7867, the fastest way back to shipping.',
      'Your account number ends in 7007; your username is a•••e.',
      'I have passed this to our support team (ticket #12345678). They answer Mon-Fri 09:00-17:00.',
      'It costs $15.95 a month, and up to 62% off UPS shipments.',
      'I never need your password, so please do not share it here. If the password is not accepted, reset it.',
      '',
    ]) {
      expect(guard(text), text).toEqual({ text, problems: [] });
    }
  });

  it('masks what redactSecrets masks, counting each kind', () => {
    const guarded = guard(
      'Card 4242 4242 4242 4242 and 4111-1111-1111-1111, account 7730010017007, password: hunter22',
    );
    expect(guarded.text).toBe(
      'Card [card ending 4242] and [card ending 1111], account [account number ending 7007], password: [password removed]',
    );
    expect(guarded.problems).toEqual([
      { kind: 'card_number', count: 2 },
      { kind: 'account_number', count: 1 },
      { kind: 'password', count: 1 },
    ]);
  });

  it('reads "password:" at the end of a line as a heading, not as a password given on the next', () => {
    const steps =
      'To reset your Stamps.com password:\n1. Use the "forgot password" link.\n2. Choose a new password.';
    expect(guard(steps)).toEqual({ text: steps, problems: [] });
    expect(guard('Steps:\nyour password: hunter22\nthen 4242 4242 4242 4242').problems).toEqual([
      { kind: 'card_number', count: 1 },
      { kind: 'password', count: 1 },
    ]);
  });

  it('does not count masks that were already in the text', () => {
    expect(guard('ending [account number ending 7007], now 7730010017008')).toEqual({
      text: 'ending [account number ending 7007], now [account number ending 7008]',
      problems: [{ kind: 'account_number', count: 1 }],
    });
  });

  it('removes every demo canary (the carrierApiToken pattern) and configured secret values', () => {
    for (const canary of demoCanaries()) {
      const guarded = guard(`Your token is ${canary}.`);
      expect(guarded.text).toBe(`Your token is ${REMOVED_SECRET}.`);
      expect(guarded.problems).toEqual([{ kind: 'secret_value', count: 1 }]);
    }
    expect(guard(`a ${SERVICE_SECRET} b ${SERVICE_SECRET}c`)).toEqual({
      text: `a ${REMOVED_SECRET} b ${REMOVED_SECRET}c`,
      problems: [{ kind: 'secret_value', count: 2 }],
    });
  });

  it('removes a secret with digits whole, before number masking could cut it in two', () => {
    const token = 'tok_12345678901234';
    expect(guardOutgoing(`see ${token}`, { fallback: FALLBACK, secrets: [token], patterns: [] })).toEqual({
      text: `see ${REMOVED_SECRET}`,
      problems: [{ kind: 'secret_value', count: 1 }],
    });
  });

  it(`ignores configured values shorter than ${MIN_SECRET_LENGTH} characters, which ordinary words contain`, () => {
    expect(guard('a short answer').text).toBe('a short answer');
  });

  it('takes patterns of its own, with or without the g flag', () => {
    const patterns = [/sk-[a-z0-9]{10,}/, CARRIER_API_TOKEN];
    expect(guardOutgoing('k sk-abcdefghijkl and sk-mnopqrstuvwx', { fallback: FALLBACK, patterns })).toEqual({
      text: `k ${REMOVED_SECRET} and ${REMOVED_SECRET}`,
      problems: [{ kind: 'secret_value', count: 2 }],
    });
    // A pattern that can match nothing at all does not report every position.
    expect(guardOutgoing('plain', { fallback: FALLBACK, patterns: [/x*/] })).toEqual({
      text: 'plain',
      problems: [],
    });
  });

  it('replaces a text with an unresolved placeholder by the fallback sentence', () => {
    for (const text of [
      'Your account ending {{accountLast4}} is active.',
      'Suspended because of {{ outcome.reason }}.',
      '{{answer:explain_suspension.update_card}}',
      'A broken {{template',
      'another }} one',
    ]) {
      const guarded = guard(text);
      expect(guarded.text, text).toBe(FALLBACK);
      expect(guarded.problems, text).toEqual([{ kind: 'unknown_placeholder', count: 1 }]);
    }
    expect(guard('{{a}} and {{b}}').problems).toEqual([{ kind: 'unknown_placeholder', count: 2 }]);
    expect(guard('Single {braces} are fine.').problems).toEqual([]);
  });

  it('reports kinds and counts only: no found value is in the problems', () => {
    const [canary] = demoCanaries();
    const account = demoAccounts(new Date(0))[0]?.accountNumber as string;
    const guarded = guard(`${canary} ${account} password: pa55word ${SERVICE_SECRET} {{x}}`);
    expect(guarded.text).toBe(FALLBACK);
    const reported = JSON.stringify(guarded.problems);
    for (const value of [canary, account, account.slice(-4), 'pa55word', SERVICE_SECRET, '{{x}}'])
      expect(reported).not.toContain(value);
    expect(guarded.problems.map((problem) => problem.kind).sort()).toEqual([
      'account_number',
      'password',
      'secret_value',
      'unknown_placeholder',
    ]);
  });

  it('never throws, whatever the text; if it ever fails, it sends the fallback', () => {
    const odd = [undefined, null, 42, {}, 'x'.repeat(1_000_000), '\u0000{{', '9'.repeat(100_000)];
    for (const text of odd) expect(() => guard(text as unknown as string)).not.toThrow();
    const failing = createOutputGuard({ fallback: FALLBACK, patterns: [] });
    const hostile = {
      toString() {
        throw new Error('no');
      },
    };
    expect(failing(hostile as unknown as string)).toEqual({
      text: FALLBACK,
      problems: [{ kind: 'guard_failed', count: 1 }],
    });
  });

  it('refuses at construction a missing fallback, or one that would not pass itself', () => {
    expect(() => createOutputGuard({ fallback: ' ' })).toThrow(ConfigError);
    expect(() => createOutputGuard({ fallback: 'Hi {{name}}' })).toThrow(/fallback sentence itself/);
    expect(() =>
      createOutputGuard({ fallback: `Call ${SERVICE_SECRET}`, secrets: [SERVICE_SECRET] }),
    ).toThrow(ConfigError);
    expect(() => createOutputGuard({ fallback: 'ok', patterns: ['cat_' as unknown as RegExp] })).toThrow(
      ConfigError,
    );
  });
});
