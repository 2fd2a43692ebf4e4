import { describe, expect, it } from 'vitest';
import { loadIntentsOrThrow } from '../../src/intents/load.ts';
import type { SecondReaderCounts } from '../../src/llm/second-reader.ts';
import { ServiceMetrics } from '../../src/metrics/service-metrics.ts';
import { metricsLabelSets } from '../../src/metrics/setup.ts';
import { capturingLogger } from '../helpers/logs.ts';

const INTENTS_DIR = 'intents';

describe('model requests', () => {
  it('follow the reader counts at each scrape, every outcome present from the start', async () => {
    const metrics = new ServiceMetrics(
      metricsLabelSets(INTENTS_DIR, loadIntentsOrThrow(INTENTS_DIR)),
      capturingLogger().logger,
    );
    const counts: SecondReaderCounts = {
      asked: 0,
      answered: 0,
      failures: { timeout: 0, unavailable: 0, invalid: 0, circuit_open: 0 },
    };
    metrics.watchModel(() => counts);
    const first = (await metrics.exposition()).text;
    for (const outcome of ['answered', 'timeout', 'unavailable', 'invalid', 'circuit_open'])
      expect(first).toContain(`onebalance_model_requests_total{outcome="${outcome}"} 0`);
    Object.assign(counts, { asked: 5, answered: 2 });
    Object.assign(counts.failures, { timeout: 2, circuit_open: 1 });
    const second = (await metrics.exposition()).text;
    expect(second).toContain('onebalance_model_requests_total{outcome="answered"} 2');
    expect(second).toContain('onebalance_model_requests_total{outcome="timeout"} 2');
    expect(second).toContain('onebalance_model_requests_total{outcome="circuit_open"} 1');
    counts.answered = 3;
    expect((await metrics.exposition()).text).toContain(
      'onebalance_model_requests_total{outcome="answered"} 3',
    );
  });
});
