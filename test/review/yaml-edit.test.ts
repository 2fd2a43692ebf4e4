import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_INTENTS_DIR } from '../../src/config.ts';
import { exampleListOf, examplesIn, withExample } from '../../src/review/yaml-edit.ts';

describe('withExample', () => {
  it.each([
    ['pricing', 'intent', "what's the fee: per label?", '  - "what\'s the fee: per label?"'],
    ['how_long', 'act', 'any eta at all mate', '      - any eta at all mate'],
    [
      'followup:late.monthly_fee',
      'followup',
      'is there a monthly charge # really',
      '      - "is there a monthly charge # really"',
    ],
  ] as const)(
    'adds a %s example at the end of its list, every other byte kept',
    (label, kind, text, line) => {
      const list = exampleListOf(DEFAULT_INTENTS_DIR, label, kind);
      const source = readFileSync(join(DEFAULT_INTENTS_DIR, list.file), 'utf8');
      const written = withExample(source, list.path, text) ?? '';
      expect(written.split('\n').length).toBe(source.split('\n').length + 1);
      expect(written.replace(`${line}\n`, '')).toBe(source);
      expect(examplesIn(written, list.path).at(-1)).toBe(text);
    },
  );

  it('adds nothing that is there already, case, spacing and end punctuation aside', () => {
    const list = exampleListOf(DEFAULT_INTENTS_DIR, 'pricing', 'intent');
    const source = readFileSync(join(DEFAULT_INTENTS_DIR, list.file), 'utf8');
    expect(withExample(source, list.path, 'How much  does One Balance cost?')).toBeUndefined();
  });

  it('ends a last line that had no line break', () => {
    expect(withExample('examples:\n  - a\n  - b', ['examples'], 'c')).toBe(
      'examples:\n  - a\n  - b\n  - c\n',
    );
  });
});
