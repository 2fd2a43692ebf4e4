import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { LanguageModel, ReadingRequest } from '../../src/llm/language-model.ts';
import { OpenAiModel } from '../../src/llm/openai-model.ts';
import { SecondReader } from '../../src/llm/second-reader.ts';
import { firstTopic, type OpenAiFake, startOpenAiFake } from '../fakes/openai.ts';

let fake: OpenAiFake;
beforeAll(async () => {
  fake = await startOpenAiFake();
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => {
  fake.requests.length = 0;
  fake.responder = firstTopic;
});

/** A model whose own bound is far longer than the reader's: the reader's is the one that counts. */
const model = () =>
  new OpenAiModel({ apiKey: fake.apiKey, baseUrl: fake.url, model: 'm', timeoutMs: 30_000 });

const request: ReadingRequest = {
  topics: [
    { id: 'explain_suspension', description: 'Why the account is suspended.' },
    { id: 'out_of_scope', description: 'Anything else.' },
  ],
  acts: [],
  turns: [{ role: 'customer', text: 'why was I suspended' }],
};

describe('SecondReader', () => {
  it('returns the reading and its latency, and counts it', async () => {
    const reader = new SecondReader(model());
    const answer = await reader.ask(request);
    expect(answer.reading).toEqual({ topic: 'explain_suspension', act: null, entities: [] });
    expect(answer.latencyMs).toBeGreaterThanOrEqual(0);
    expect(reader.counts).toEqual({
      asked: 1,
      answered: 1,
      failures: { timeout: 0, unavailable: 0, invalid: 0, circuit_open: 0 },
    });
  });

  it.each(['hang', 'stall'] as const)('falls back within its timeout on a server that %ss', async (kind) => {
    fake.inject({ kind, count: 1 });
    const reader = new SecondReader(model(), { timeoutMs: 300 });
    const started = performance.now();
    const answer = await reader.ask(request);
    expect(performance.now() - started).toBeLessThan(900);
    expect(answer).toMatchObject({ reading: undefined, failure: 'timeout' });
  });

  it('falls back within its timeout even from a model that ignores the abort, and from one that throws', async () => {
    const deaf: LanguageModel = { read: () => new Promise(() => {}) };
    const started = performance.now();
    expect(await new SecondReader(deaf, { timeoutMs: 100 }).ask(request)).toMatchObject({
      failure: 'timeout',
    });
    expect(performance.now() - started).toBeLessThan(300);
    const broken: LanguageModel = {
      read: () => {
        throw new TypeError('a bug');
      },
    };
    expect(await new SecondReader(broken).ask(request)).toMatchObject({ failure: 'unavailable' });
  });

  it('names each failure: unavailable (5xx, 429), invalid (an unusable answer)', async () => {
    const reader = new SecondReader(model());
    fake.inject({ kind: 'status', status: 503, count: 1 });
    fake.inject({ kind: 'status', status: 429, retryAfterSeconds: 2, count: 1 });
    fake.inject({ kind: 'unknown_label', count: 1 });
    fake.inject({ kind: 'garbage', count: 1 });
    const failures: unknown[] = [];
    for (let call = 0; call < 4; call++) failures.push((await reader.ask(request)).reading);
    expect(failures).toEqual([undefined, undefined, undefined, undefined]);
    expect(reader.counts.failures).toEqual({ timeout: 0, unavailable: 2, invalid: 2, circuit_open: 0 });
  });

  it('stops asking after repeated failures, and asks again once the cool-down has passed', async () => {
    let now = 0;
    const reader = new SecondReader(model(), {
      breaker: { failureThreshold: 3, openMs: 60_000, now: () => now },
    });
    fake.inject({ kind: 'status', status: 500, count: 3 });
    for (let call = 0; call < 3; call++)
      expect(await reader.ask(request)).toMatchObject({ failure: 'unavailable' });
    expect(reader.circuit).toBe('open');
    expect(await reader.ask(request)).toMatchObject({ reading: undefined, failure: 'circuit_open' });
    expect(fake.requests).toHaveLength(3);
    now = 59_999;
    expect(await reader.ask(request)).toMatchObject({ failure: 'circuit_open' });
    now = 60_000;
    expect((await reader.ask(request)).reading?.topic).toBe('explain_suspension');
    expect(reader.circuit).toBe('closed');
    expect(fake.requests).toHaveLength(4);
    expect(reader.counts).toEqual({
      asked: 6,
      answered: 1,
      failures: { timeout: 0, unavailable: 3, invalid: 0, circuit_open: 2 },
    });
  });

  it('opens again when the trial after the cool-down fails', async () => {
    let now = 0;
    const reader = new SecondReader(model(), {
      breaker: { failureThreshold: 1, openMs: 1_000, now: () => now },
    });
    fake.inject({ kind: 'status', status: 503, count: 2 });
    await reader.ask(request);
    now = 1_000;
    expect(await reader.ask(request)).toMatchObject({ failure: 'unavailable' });
    expect(reader.circuit).toBe('open');
    expect(await reader.ask(request)).toMatchObject({ failure: 'circuit_open' });
  });
});
