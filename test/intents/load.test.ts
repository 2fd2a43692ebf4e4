import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_INTENTS_DIR } from '../../src/config.ts';
import { IntentsInvalidError } from '../../src/errors.ts';
import { exampleKey, loadIntents, loadIntentsOrThrow } from '../../src/intents/load.ts';
import { INTENT_IDS, MIN_EXAMPLES, OUT_OF_SCOPE } from '../../src/intents/schema.ts';

/** A copy of the real intents/ in a temporary folder, for breaking one file at a time. */
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'intents-'));
  for (const id of INTENT_IDS) {
    writeFileSync(join(dir, `${id}.yaml`), readFileSync(join(DEFAULT_INTENTS_DIR, `${id}.yaml`), 'utf8'));
  }
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const examples = (prefix: string) =>
  Array.from({ length: MIN_EXAMPLES }, (_, i) => `  - ${prefix} example number ${i}`);

/**
 * Replaces pricing.yaml by a valid file with `keys` after its description and `moreExamples` after
 * its 40 examples (line 4 is the first key, or `examples:`; the extra examples start at line 44).
 */
const writePricing = ({ keys = [], moreExamples = [] }: { keys?: string[]; moreExamples?: string[] }) =>
  writeFileSync(
    join(dir, 'pricing.yaml'),
    [
      'id: pricing',
      'description: prices',
      ...keys,
      'examples:',
      ...examples('price'),
      ...moreExamples,
      'answers:',
      '  default: Free.',
    ].join('\n'),
  );

describe('the bundled intents/', () => {
  it('has one valid file per fixed intent id, each with enough examples and a default answer', () => {
    const { intents, problems } = loadIntents(DEFAULT_INTENTS_DIR);
    expect(problems).toEqual([]);
    expect(intents.map((intent) => intent.id).sort()).toEqual([...INTENT_IDS].sort());
    for (const intent of intents) {
      expect(intent.examples.length).toBeGreaterThanOrEqual(MIN_EXAMPLES);
      expect(intent.answers.default.length).toBeGreaterThan(20);
    }
  });

  it('never puts a password, token or card number in an answer', () => {
    for (const intent of loadIntentsOrThrow(DEFAULT_INTENTS_DIR)) {
      for (const answer of Object.values(intent.answers)) {
        expect(answer).not.toMatch(/\{\{\s*(password|token|card|carrierApiToken)/i);
        expect(answer).not.toMatch(/\b\d{12,19}\b/);
      }
    }
  });

  it('gives the suspension answer the Stamps phone line', () => {
    const suspension = loadIntentsOrThrow(DEFAULT_INTENTS_DIR).find(
      (intent) => intent.id === 'explain_suspension',
    );
    expect(suspension?.answers.default).toContain('(855) 889-7867');
  });
});

describe('loadIntents problems', () => {
  it('reports an unknown key at its own line and column', () => {
    writePricing({ keys: ['colour: blue'] });
    const { problems } = loadIntents(dir);
    expect(problems).toEqual([
      { file: expect.stringContaining('pricing.yaml'), line: 3, column: 1, message: 'unknown key "colour"' },
    ]);
  });

  it('reports domain_words outside out_of_scope.yaml at their value', () => {
    writePricing({ keys: ['domain_words:', '  - postage'] });
    const { problems } = loadIntents(dir);
    expect(problems).toEqual([
      {
        file: expect.stringContaining('pricing.yaml'),
        line: 4,
        column: 3,
        message: 'domain_words: only out_of_scope.yaml may have them',
      },
    ]);
  });

  it('reports an agent-only check in an intent at its value', () => {
    writePricing({ keys: ['checks:', '  - account.plan', '  - account.reconnect_decision'] });
    const { problems } = loadIntents(dir);
    expect(problems).toEqual([
      {
        file: expect.stringContaining('pricing.yaml'),
        line: 5,
        column: 5,
        message: expect.stringContaining('an agent runs this check, not an intent'),
      },
    ]);
  });

  it('reports a duplicate example at the second occurrence, naming the first line', () => {
    writePricing({ moreExamples: ['  - How much is it?', '  - how much is it'] });
    const { problems } = loadIntents(dir);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ line: 45, column: 5 });
    expect(problems[0]?.message).toMatch(/duplicate example \(first at line 44\)/);
  });

  it('reports an example that appears under two intents', () => {
    writePricing({ moreExamples: ['  - Hi there!'] });
    const { problems } = loadIntents(dir);
    expect(problems).toHaveLength(1);
    expect(problems[0]?.message).toMatch(/example also under greeting \(.*greeting\.yaml:\d+\)/);
  });

  it('reports a missing answer, too few examples, a wrong id and a missing intent file together', () => {
    writeFileSync(
      join(dir, 'pricing.yaml'),
      ['id: pricing', 'description: prices', 'examples:', '  - how much', 'answers:', '  other: x'].join(
        '\n',
      ),
    );
    writeFileSync(
      join(dir, 'thanks.yaml'),
      readFileSync(join(dir, 'thanks.yaml'), 'utf8').replace('id: thanks', 'id: goodbye'),
    );
    rmSync(join(dir, 'log_in.yaml'));
    const messages = loadIntents(dir).problems.map(
      (p) => `${p.file.split('/').at(-1)}:${p.line} ${p.message}`,
    );
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^pricing\.yaml:4 examples: at least 40 examples are required/),
        expect.stringMatching(/^pricing\.yaml:6 answers\.default: an answer is required/),
        expect.stringMatching(/^thanks\.yaml:1 the file name \(thanks\) and the id \(goodbye\) must match/),
        expect.stringMatching(/^log_in\.yaml:1 no file for intent log_in/),
      ]),
    );
  });

  it('reports a YAML syntax error with its position instead of throwing', () => {
    writeFileSync(join(dir, 'pricing.yaml'), 'id: pricing\nexamples: [unclosed\n');
    const { problems } = loadIntents(dir);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]).toMatchObject({ file: expect.stringContaining('pricing.yaml') });
    expect(problems[0]?.line).toBeGreaterThanOrEqual(2);
  });

  it('throws one IntentsInvalidError listing every problem from loadIntentsOrThrow', () => {
    rmSync(join(dir, 'log_in.yaml'));
    rmSync(join(dir, `${OUT_OF_SCOPE}.yaml`));
    expect(() => loadIntentsOrThrow(dir)).toThrowError(IntentsInvalidError);
    try {
      loadIntentsOrThrow(dir);
    } catch (error) {
      expect((error as IntentsInvalidError).problems).toHaveLength(2);
      expect((error as IntentsInvalidError).code).toBe('intents_invalid');
    }
  });
});

describe('exampleKey', () => {
  it('treats case, spacing and end punctuation as the same example', () => {
    expect(exampleKey('  How much  is it?! ')).toBe(exampleKey('how much is it'));
    expect(exampleKey('how much is it')).not.toBe(exampleKey('how much was it'));
  });
});
