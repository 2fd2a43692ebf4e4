import { describe, expect, it } from 'vitest';
import { MAX_FEATURE_CHARS, normalizeText, stem, tokenize } from '../../src/nlu/text.ts';

describe('normalizeText', () => {
  it('lower-cases, folds full-width forms and drops apostrophes so contractions meet their typos', () => {
    expect(normalizeText("DON'T")).toBe('dont');
    expect(normalizeText('don’t')).toBe('dont');
    expect(normalizeText('ＳＵＳＰＥＮＤＥＤ')).toBe('suspended');
  });

  it('replaces emails and account ids by placeholder words', () => {
    expect(tokenize(normalizeText('I am declined@demo.test, account OB-1003'))).toEqual([
      'i',
      'am',
      'emailaddr',
      'account',
      'accountid',
    ]);
  });

  it('keeps only a bounded prefix of a very long line', () => {
    const long = 'suspended '.repeat(1_000);
    expect(long.length).toBe(10_000);
    expect(normalizeText(long).length).toBe(MAX_FEATURE_CHARS);
  });
});

describe('tokenize', () => {
  it('returns nothing for empty text, white space and emoji', () => {
    expect(tokenize('')).toEqual([]);
    expect(tokenize('   \t ')).toEqual([]);
    expect(tokenize(normalizeText('😀🙈 📦'))).toEqual([]);
  });

  it('keeps words of any script', () => {
    expect(tokenize(normalizeText('¿Cómo cierro mi cuenta?'))).toEqual(['cómo', 'cierro', 'mi', 'cuenta']);
    expect(tokenize(normalizeText('アカウント停止'))).toEqual(['アカウント停止']);
  });
});

describe('stem', () => {
  it('meets inflections of one verb and leaves short words alone', () => {
    expect(stem('suspended')).toBe('suspend');
    expect(stem('suspends')).toBe('suspend');
    expect(stem('suspending')).toBe('suspend');
    expect(stem('stopped')).toBe('stop');
    expect(stem('boxes')).toBe('box');
    expect(stem('status')).toBe('status');
    expect(stem('is')).toBe('is');
  });
});
