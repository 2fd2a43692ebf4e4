import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OpenAiFake, startOpenAiFake } from '../fakes/openai.ts';
import { runCliAsync } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'eval-llm-'));
let fake: OpenAiFake;
beforeAll(async () => {
  fake = await startOpenAiFake();
});
afterAll(async () => {
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});

/** `eval` in its own process; no model unless the test sets one. */
const evalCommand = (args: string[], env: Record<string, string>) =>
  runCliAsync(['eval', ...args], { OPENAI_API_KEY: '', ...env });

describe('onebalance-bot eval --llm', () => {
  it('reports local against with-model accuracy, how often the model was asked, and its latency', async () => {
    const rows = [
      { text: 'what plan am I on?', intent: 'first_class_plan' },
      { text: 'it wont take my plastic', intent: 'explain_suspension' },
      { text: 'the stamps wallet refuses my visa now', intent: 'explain_suspension' },
    ];
    const file = join(dir, 'rows.jsonl');
    writeFileSync(file, rows.map((row) => JSON.stringify(row)).join('\n'));
    fake.responder = () => ({ topic: 'explain_suspension', act: null, entities: [] });
    const result = await evalCommand(['--test', file, '--llm', '--json'], {
      OPENAI_API_KEY: fake.apiKey,
      OPENAI_BASE_URL: fake.url,
    });
    expect(result.status, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as Record<string, number>;
    expect(report.rows).toBe(3);
    expect(report.asked).toBe(fake.requests.length);
    expect(report.asked).toBeGreaterThan(0);
    expect(report.withModelAccuracy).toBeGreaterThan(report.localAccuracy ?? 1);
    expect(report.modelP50Ms).toBeGreaterThanOrEqual(0);
  }, 60_000);

  it('says to set OPENAI_API_KEY when no model is configured', async () => {
    const file = join(dir, 'one.jsonl');
    writeFileSync(file, JSON.stringify({ text: 'hi', intent: 'greeting' }));
    const result = await evalCommand(['--test', file, '--llm'], {});
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/set OPENAI_API_KEY/);
  }, 60_000);
});
