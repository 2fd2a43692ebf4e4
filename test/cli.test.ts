import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';

/** Runs the real command, as `npx onebalance-bot` would after `npm ci`. */
function run(args: string[], input = '', env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, ['bin/onebalance-bot.js', ...args], {
    input,
    encoding: 'utf8',
    env: { ...process.env, LOG_LEVEL: 'silent', ...env },
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const dir = mkdtempSync(join(tmpdir(), 'cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const classifyLine = z.strictObject({
  text: z.string(),
  intent: z.string(),
  confidence: z.number().min(0).max(1),
  alternatives: z.array(z.strictObject({ intent: z.string(), confidence: z.number().min(0).max(1) })),
  entities: z.array(
    z.strictObject({ type: z.string(), value: z.string(), start: z.number().int(), end: z.number().int() }),
  ),
});

describe('onebalance-bot classify', () => {
  it('writes one JSON object per input line, in order, with the documented shape', () => {
    const lines = [
      'my one balance account is suspended',
      '',
      '😀',
      'call me at 555-123-4567',
      'where is my account number',
    ];
    const { status, stdout } = run(['classify'], `${lines.join('\n')}\n`);
    expect(status).toBe(0);
    const outputs = stdout
      .trim()
      .split('\n')
      .map((line) => classifyLine.parse(JSON.parse(line)));
    expect(outputs.map((output) => output.text)).toEqual(lines);
    expect(outputs[0]?.intent).toBe('explain_suspension');
    expect(outputs[1]).toMatchObject({ intent: 'out_of_scope', confidence: 1, alternatives: [] });
    expect(outputs[3]?.entities).toEqual([{ type: 'phone', value: '(555) 123-4567', start: 11, end: 23 }]);
    expect(outputs[4]?.intent).toBe('find_credentials');
  });

  it('stops with a message naming a bad environment variable and how to fix it', () => {
    const { status, stderr } = run(['classify'], 'hi\n', { CLASSIFIER_THRESHOLD: '1.5' });
    expect(status).toBe(1);
    expect(stderr).toContain('config_invalid');
    expect(stderr).toContain('CLASSIFIER_THRESHOLD');
    expect(stderr).toContain('number from 0 to 1');
  });
});

/** Writes labelled rows as JSONL into the test folder and returns the file's path. */
function writeRows(name: string, rows: readonly { text: string; intent: string }[]): string {
  const path = join(dir, name);
  writeFileSync(path, `${rows.map((row) => JSON.stringify(row)).join('\n')}\n`);
  return path;
}

const labelled = (intent: string, texts: readonly string[]) => texts.map((text) => ({ text, intent }));

describe('onebalance-bot eval', () => {
  const test = writeRows('test.jsonl', [
    { text: 'my postage account got suspended', intent: 'explain_suspension' },
    { text: 'how much does the one balance account cost', intent: 'pricing' },
    { text: 'what is the tallest building in the world', intent: 'out_of_scope' },
  ]);

  it('prints one JSON report with the documented keys', () => {
    const { status, stdout } = run(['eval', '--test', test, '--json']);
    expect(status).toBe(0);
    const report = JSON.parse(stdout) as Record<string, unknown>;
    for (const key of [
      'accuracy',
      'inScopeAccuracy',
      'oosRecall',
      'oosPrecision',
      'trainSeconds',
      'predictP50Ms',
      'predictP99Ms',
      'perIntent',
    ]) {
      expect(report, key).toHaveProperty(key);
    }
    expect(report.rows).toBe(3);
    expect(report.perIntent).toHaveProperty('explain_suspension');
  });

  it('measures the model that classify serves, when not given --train', () => {
    const heldOut = readFileSync('test/nlu/held-out.jsonl', 'utf8').trim().split('\n');
    const rows = heldOut.map((line) => JSON.parse(line) as { text: string; intent: string });
    const served = run(['classify'], rows.map((row) => row.text).join('\n'))
      .stdout.trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { intent: string });
    const right = served.filter((line, index) => line.intent === rows[index]?.intent).length;
    const { status, stdout } = run(['eval', '--test', 'test/nlu/held-out.jsonl', '--json']);
    expect(status).toBe(0);
    // Some rows are wrong, so the two agree only if eval reads each row as classify does.
    expect(right).toBeLessThan(rows.length);
    // The report rounds to three places; one row more or less is 0.011.
    expect(JSON.parse(stdout).accuracy).toBeCloseTo(right / rows.length, 3);
  });

  it('trains on --train rows instead of intents/', () => {
    const train = writeRows('train.jsonl', [
      ...labelled('lights_on', [
        'turn on the lights',
        'lights on please',
        'switch the lamp on',
        'make it bright',
      ]),
      ...labelled('lights_off', [
        'turn off the lights',
        'lights off please',
        'switch the lamp off',
        'make it dark',
      ]),
    ]);
    const small = writeRows('small.jsonl', labelled('lights_on', ['lights on']));
    const { status, stdout } = run(['eval', '--train', train, '--test', small, '--json', '--threshold', '0']);
    expect(status).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ accuracy: 1, rows: 1 });
  });

  it('takes the out-of-scope bar from --oos-bar', () => {
    const train = writeRows('train-oos.jsonl', [
      ...labelled('lights_on', ['turn on the lights', 'lights on please', 'switch the lamp on']),
      ...labelled('lights_off', ['turn off the lights', 'lights off please', 'switch the lamp off']),
      ...labelled('out_of_scope', [
        'tell me a joke',
        'what is the weather',
        'sing a song',
        'a joke about cats',
      ]),
    ]);
    const test = writeRows('joke.jsonl', labelled('out_of_scope', ['tell me a joke please']));
    const evalWith = (...flags: string[]) => {
      const { status, stdout } = run([
        'eval',
        '--train',
        train,
        '--test',
        test,
        '--json',
        '--threshold',
        '0',
        ...flags,
      ]);
      expect(status).toBe(0);
      return (JSON.parse(stdout) as { accuracy: number }).accuracy;
    };
    // Threshold 0: only the out-of-scope class's bar can say out of scope.
    expect(evalWith()).toBe(1);
    expect(evalWith('--oos-bar', '1')).toBe(0);
    expect(run(['eval', '--test', test, '--oos-bar', '2']).stderr).toContain('CLASSIFIER_OOS_BAR');
  });

  it('rejects test rows whose label the classifier does not know, instead of scoring a silent zero', () => {
    const unknown = writeRows('unknown.jsonl', labelled('order_pizza', ['hello']));
    const { status, stderr } = run(['eval', '--test', unknown]);
    expect(status).toBe(1);
    expect(stderr).toContain('dataset_invalid');
    expect(stderr).toContain('order_pizza');
  });

  it('reports malformed JSONL lines with their numbers', () => {
    const broken = join(dir, 'broken.jsonl');
    writeFileSync(
      broken,
      `${JSON.stringify({ text: 'hello', intent: 'greeting' })}\n{not json\n{"text": 1}\n`,
    );
    const { status, stderr } = run(['eval', '--test', broken]);
    expect(status).toBe(1);
    expect(stderr).toContain('broken.jsonl:2: not valid JSON');
    expect(stderr).toContain('broken.jsonl:3: expected');
  });

  it('prints usage and exits 2 without --test', () => {
    const { status, stderr } = run(['eval']);
    expect(status).toBe(2);
    expect(stderr).toContain('eval needs --test');
  });
});

describe('onebalance-bot intents lint', () => {
  it('passes on the bundled intents', () => {
    const { status, stdout } = run(['intents', 'lint']);
    expect(status).toBe(0);
    expect(stdout).toMatch(/15 intent files, \d+ examples, \d+ shared acts, \d+ follow-ups: no problems/);
  });

  it('lists every problem with file and line and exits non-zero', () => {
    const broken = mkdtempSync(join(dir, 'intents-'));
    writeFileSync(
      join(broken, 'pricing.yaml'),
      'id: pricing\ndescription: x\nexamples: []\nanswers: {}\nextra: 1\n',
    );
    const { status, stderr } = run(['intents', 'lint', '--intents', broken]);
    expect(status).toBe(1);
    expect(stderr).toMatch(/pricing\.yaml:5:1: unknown key "extra"/);
    expect(stderr).toMatch(/pricing\.yaml:3:\d+: examples: at least 40 examples are required/);
    expect(stderr).toMatch(/pricing\.yaml:4:\d+: answers\.default: an answer is required/);
    expect(stderr).toMatch(/greeting\.yaml:1:1: no file for intent greeting/);
  });
});

describe('onebalance-bot usage', () => {
  it('rejects an unknown command or option with exit code 2 and the usage text', () => {
    expect(run(['frobnicate']).status).toBe(2);
    const unknownOption = run(['classify', '--nope']);
    expect(unknownOption.status).toBe(2);
    expect(unknownOption.stderr).toContain('Usage: onebalance-bot');
  });
});
