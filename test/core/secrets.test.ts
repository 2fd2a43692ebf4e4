import { describe, expect, it } from 'vitest';
import { demoAccounts } from '../../src/accounts/reference/demo-accounts.ts';
import { namesOfSecrets, redactSecrets } from '../../src/core/secrets.ts';

describe('redactSecrets', () => {
  it('masks card numbers, grouped or not, that pass the Luhn check, keeping the last 4 digits', () => {
    expect(redactSecrets('my card is 4242 4242 4242 4242, exp 12/29')).toEqual({
      text: 'my card is [card ending 4242], exp 12/29',
      removed: ['card_number'],
    });
    expect(redactSecrets('card 4111-1111-1111-1111').text).toBe('card [card ending 1111]');
    expect(redactSecrets('5500000000000004').text).toBe('[card ending 0004]');
    expect(redactSecrets('amex 3782 822463 10005').text).toBe('amex [card ending 0005]');
  });

  it('masks a full account number, grouped or not, keeping the last 4 digits', () => {
    expect(redactSecrets('my account number is 7730010017007')).toEqual({
      text: 'my account number is [account number ending 7007]',
      removed: ['account_number'],
    });
    for (const [text, masked] of [
      ['acct 7730-0100-17007 please', 'acct [account number ending 7007] please'],
      ['acct 7730 010 017 007', 'acct [account number ending 7007]'],
      ['#12345678.', '#[account number ending 5678].'], // 8 digits: the shortest full number
      ['order 1234567890123 is late', 'order [account number ending 0123] is late'], // fails Luhn
      ['4242424242424241', '[account number ending 4241]'], // a card's shape, but fails Luhn
    ]) {
      expect(redactSecrets(text as string).text).toBe(masked);
    }
  });

  it('masks every demo account number as an account number, though some pass the Luhn check', () => {
    for (const { accountNumber } of demoAccounts(new Date())) {
      expect(redactSecrets(`it is ${accountNumber}`)).toEqual({
        text: `it is [account number ending ${accountNumber.slice(-4)}]`,
        removed: ['account_number'],
      });
    }
  });

  it('masks tracking numbers too: their digits cannot be told from an account number', () => {
    expect(redactSecrets('tracking 9400111899223197428490').text).toBe(
      'tracking [account number ending 8490]',
    );
    expect(redactSecrets('UPS 1Z999AA10123456784').text).toBe('UPS 1Z999AA[account number ending 6784]');
  });

  // Each edge both ways: the shape left alone, and the same digits written so that they are masked.
  it.each([
    ['a phone number in parentheses', 'call Stamps at (855) 889-7867', 'call 8558897867'],
    ['a phone number grouped 3-3-4', 'call 855-889-7867 or 855 889 7867', 'call 855889 7867'],
    ['an international phone number', 'call +1 855 889 7867 or +18558897867', 'call 18558897867'],
    ['a date', 'suspended on 2024-05-01, 05-01-2024 or 01/05/2024', 'suspended on 20240501'],
    ['a price', 'I was charged $12345678 or 12345678.00', 'I was charged 12345678'],
    ['a ZIP+4', 'ZIP 30301 or 30301-1234', 'ZIP 303011234'],
    ['an account id', 'account OB-1003', 'account 7730010037021'],
    ['a ticket number', 'Your request is ticket #123456789.', 'Your request is #123456789.'],
    ['small numbers', 'I bought 10 20 30 40 labels', 'I bought 100 200 300 400 labels'],
    ['a number of 7 digits', 'code 1234567', 'code 12345678'],
  ])('leaves %s alone, and masks the same digits written as a plain number', (_shape, alone, masked) => {
    expect(redactSecrets(alone)).toEqual({ text: alone, removed: [] });
    expect(redactSecrets(masked)).toEqual({
      text: expect.stringMatching(/\[account number ending \d{4}\]/),
      removed: ['account_number'],
    });
  });

  it('masks a password given with ":" or "=", and one given with "is" when it looks like one', () => {
    expect(redactSecrets('password: sunshine').text).toBe('password: [password removed]');
    expect(redactSecrets('pw=abc').text).toBe('pw= [password removed]');
    expect(redactSecrets('my password is hunter2').text).toBe('my password is [password removed]');
    expect(redactSecrets('the password is "correct horse"').text).toBe('the password is [password removed]');
    expect(redactSecrets("password's Tr0ub4dor&3").removed).toEqual(['password']);
    expect(redactSecrets('password: [secret]').text).toBe('password: [password removed]');
  });

  it('keeps no digit of a password made of digits, not even one shaped like a card', () => {
    for (const password of ['77300100170072', '4242424242424242']) {
      expect(redactSecrets(`password: ${password}`)).toEqual({
        text: 'password: [password removed]',
        removed: ['password'],
      });
    }
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

  it('reports each kind once, cards first, then account numbers, then passwords', () => {
    const redacted = redactSecrets(
      'password: x1, card 4242424242424242 and 4111111111111111, account 7730010017007',
    );
    expect(redacted.removed).toEqual(['card_number', 'account_number', 'password']);
    expect(redacted.text).not.toMatch(/4242[ -]?4242|4111[ -]?1111|77300|x1/);
  });

  it('changes nothing in a text it has masked already', () => {
    for (const text of [
      'card 4242 4242 4242 4242, account 7730010017007, password: hunter2',
      'my password is 12345678 and my pw=x',
      'call +1 855 889 7867 about 9400 1118 9922 3197 4284 90',
    ]) {
      const once = redactSecrets(text).text;
      expect(once).not.toMatch(/\d{8}|\d{4} \d{4}|hunter2/);
      expect(redactSecrets(once)).toEqual({ text: once, removed: [] });
    }
  });

  it('completes on long adversarial inputs (no catastrophic backtracking), and masks them', () => {
    const inputs = [
      '1 '.repeat(50_000),
      '1-'.repeat(50_000),
      '123 '.repeat(50_000),
      '7'.repeat(100_000),
      '+1 '.repeat(50_000),
      `${'4242 '.repeat(20_000)}x`,
      'password: "'.repeat(10_000),
      "password is '".repeat(10_000) + 'x'.repeat(50_000),
      `password${' '.repeat(100_000)}`,
    ];
    // Only "it completes" is asserted of the time; the result must still be masked.
    for (const input of inputs) expect(redactSecrets(input).text).not.toMatch(/\d{8}|\d{4} \d{4}/);
  });
});

describe('namesOfSecrets', () => {
  it('names what was removed in a plain list', () => {
    expect(namesOfSecrets(['account_number'])).toBe('a full account number');
    expect(namesOfSecrets(['card_number', 'password'])).toBe('a card number and a password');
    expect(namesOfSecrets(['card_number', 'account_number', 'password'])).toBe(
      'a card number, a full account number and a password',
    );
  });
});
