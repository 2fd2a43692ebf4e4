import { describe, expect, it } from 'vitest';
import { looksNonEnglish } from '../../src/nlu/language.ts';

describe('looksNonEnglish', () => {
  it.each([
    'hola, mi cuenta está suspendida',
    'bonjour, mon compte est suspendu',
    'mein Konto ist gesperrt',
    'minha conta foi suspensa',
    'il mio account è sospeso',
    '我的账户被暂停了',
    'моя учетная запись заблокирована',
  ])('flags %s', (text) => {
    expect(looksNonEnglish(text)).toBe(true);
  });

  it.each([
    'my account is suspended',
    'no I do not',
    // One word of another language is a greeting or a name, not a message in it.
    'hola',
    'merci',
    'I live in LA and my postage account el paso store is suspended',
    'the café on main street cannot buy postage',
    'SPECIAL USPS RATE ALERT(S) Messages from USPS: Your One Balance account has been suspended.',
    '',
    '🙂🙂',
    '12345',
  ])('leaves %s alone', (text) => {
    expect(looksNonEnglish(text)).toBe(false);
  });
});
