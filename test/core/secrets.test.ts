import { describe, expect, it } from 'vitest';
import { redactSecrets } from '../../src/core/secrets.ts';

describe('redactSecrets', () => {
  it('removes card numbers, grouped or not, that pass the Luhn check', () => {
    expect(redactSecrets('my card is 4242 4242 4242 4242, exp 12/29')).toEqual({
      text: 'my card is [card number removed], exp 12/29',
      removed: ['card_number'],
    });
    expect(redactSecrets('card 4111-1111-1111-1111').text).toBe('card [card number removed]');
    expect(redactSecrets('5500000000000004').text).toBe('[card number removed]');
  });

  it('keeps numbers that are not card numbers', () => {
    for (const text of [
      'order 1234567890123 is late', // 13 digits, fails Luhn
      'call me at 555-123-4567',
      'tracking 9400111899223197428490', // 22 digits: no part of it is taken
      'account OB-1003',
    ]) {
      expect(redactSecrets(text)).toEqual({ text, removed: [] });
    }
  });

  it('removes a password given with ":" or "=", and one given with "is" when it looks like one', () => {
    expect(redactSecrets('password: sunshine').text).toBe('password: [password removed]');
    expect(redactSecrets('pw=abc').text).toBe('pw= [password removed]');
    expect(redactSecrets('my password is hunter2').text).toBe('my password is [password removed]');
    expect(redactSecrets('the password is "correct horse"').text).toBe('the password is [password removed]');
    expect(redactSecrets("password's Tr0ub4dor&3").removed).toEqual(['password']);
  });

  it('keeps sentences about a password that give none', () => {
    for (const text of [
      'my password is wrong',
      'my password is not working',
      'my stamps password changed yesterday',
      'how do I reset my password?',
    ]) {
      expect(redactSecrets(text)).toEqual({ text, removed: [] });
    }
  });

  it('reports both kinds once each', () => {
    const redacted = redactSecrets('card 4242424242424242 and 4111111111111111, password: x1');
    expect(redacted.removed).toEqual(['card_number', 'password']);
    expect(redacted.text).not.toMatch(/4242|4111|x1/);
  });
});
