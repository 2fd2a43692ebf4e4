import { type Config, languageModelSettings } from '../config.ts';
import {
  DEFAULT_CLARIFY_BELOW,
  isUnsure,
  modelUnderstanding,
  topicLabels,
} from '../conversations/second-opinion.ts';
import { UsageError } from '../errors.ts';
import { loadIntentsOrThrow } from '../intents/load.ts';
import { OpenAiModel } from '../llm/openai-model.ts';
import { SecondReader } from '../llm/second-reader.ts';
import { type LabelledText, quantile } from '../nlu/evaluate.ts';
import { understanderFor } from '../nlu/understand.ts';
import type { Output } from './checks.ts';

/** What `eval --llm` reports: the local reading against the reading with the model's help. */
export interface ModelEvalReport {
  rows: number;
  localAccuracy: number;
  withModelAccuracy: number;
  /** Rows the local reading was unsure of, so the model was asked. */
  asked: number;
  /** Asked rows the model answered (the rest kept the local reading: timeout, error, circuit). */
  answered: number;
  /** Rows the model's topic was taken for. */
  usedModel: number;
  modelP50Ms: number | null;
  modelP99Ms: number | null;
}

/**
 * `eval --test FILE --llm`: every row read locally, and the unsure ones asked of the configured
 * model as a conversation would ask it (topics only: a row has no conversation around it), so an
 * operator can measure their own model before turning it on.
 */
export async function evaluateWithModel(
  config: Config,
  test: readonly LabelledText[],
): Promise<ModelEvalReport> {
  const settings = languageModelSettings(config);
  if (settings === undefined)
    throw new UsageError(
      'eval --llm asks the configured model: set OPENAI_API_KEY (and OPENAI_BASE_URL, OPENAI_MODEL).',
    );
  const intents = loadIntentsOrThrow(config.INTENTS_DIR);
  const understander = understanderFor(config, intents);
  const reader = new SecondReader(new OpenAiModel(settings), { timeoutMs: settings.timeoutMs });
  const topics = topicLabels(intents);
  let local = 0;
  let withModel = 0;
  let answered = 0;
  let used = 0;
  const latencies: number[] = [];
  for (const row of test) {
    const understanding = understander.understand(row.text);
    let intent = understanding.intent;
    if (isUnsure(understanding, DEFAULT_CLARIFY_BELOW, false)) {
      const asked = await reader.ask({ topics, acts: [], turns: [{ role: 'customer', text: row.text }] });
      latencies.push(asked.latencyMs);
      if (asked.reading !== undefined) {
        answered += 1;
        const taken = modelUnderstanding(understanding, asked.reading);
        if (taken !== undefined) {
          used += 1;
          intent = taken.intent;
        }
      }
    }
    if (understanding.intent === row.intent) local += 1;
    if (intent === row.intent) withModel += 1;
  }
  latencies.sort((a, b) => a - b);
  return {
    rows: test.length,
    localAccuracy: local / Math.max(1, test.length),
    withModelAccuracy: withModel / Math.max(1, test.length),
    asked: latencies.length,
    answered,
    usedModel: used,
    modelP50Ms: latencies.length > 0 ? quantile(latencies, 0.5) : null,
    modelP99Ms: latencies.length > 0 ? quantile(latencies, 0.99) : null,
  };
}

export function formatModelReport(report: ModelEvalReport, io: Output): void {
  const percent = (value: number) => `${(value * 100).toFixed(1)}%`;
  const ms = (value: number | null) => (value === null ? 'n/a' : `${value.toFixed(0)} ms`);
  io.out(
    [
      `rows                    ${report.rows}`,
      `local accuracy          ${percent(report.localAccuracy)}`,
      `with-model accuracy     ${percent(report.withModelAccuracy)}`,
      `model asked             ${report.asked} (${percent(report.asked / Math.max(1, report.rows))} of rows)`,
      `model answered          ${report.answered}; its topic taken for ${report.usedModel}`,
      `model latency p50 / p99 ${ms(report.modelP50Ms)} / ${ms(report.modelP99Ms)}`,
    ].join('\n'),
  );
}
