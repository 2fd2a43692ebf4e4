import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { Config } from '../config.ts';
import { ActReader } from '../dialogue/act-reader.ts';
import type { Dialogue } from '../dialogue/load.ts';
import { DatasetError } from '../errors.ts';
import { exampleKey, type IntentDefinition } from '../intents/load.ts';
import { assertKnownLabels, evaluate, type Predictor, scoreRows } from '../nlu/evaluate.ts';
import { understanderFor } from '../nlu/understand.ts';

/** Rows of a held-out file: topics (`{text, intent}`) or shared acts (`{act, text}`). */
export interface HeldOutFile {
  path: string;
  kind: 'topics' | 'acts';
  rows: { text: string; label: string }[];
}

/**
 * The project's held-out files, never trained on: the topic paraphrases of test/nlu/ and the act
 * paraphrases of the outside tester's probes. Not shipped in the image: there, only --data counts.
 */
export const HELD_OUT_FILES: readonly string[] = [
  fileURLToPath(new URL('../../test/nlu/held-out.jsonl', import.meta.url)),
  fileURLToPath(new URL('../../test/conversations/probes/acts.jsonl', import.meta.url)),
].filter((path) => existsSync(path));

const topicRow = z.object({ text: z.string(), intent: z.string().min(1) });
const actRow = z.object({ text: z.string(), act: z.string().min(1) });

/** Reads a held-out JSONL file; its first row says whether it holds topics or acts. */
export function readHeldOut(path: string): HeldOutFile {
  let content: string;
  try {
    content = readFileSync(path, 'utf8');
  } catch (error) {
    throw new DatasetError(`Cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  const json = content
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, index) => {
      try {
        return JSON.parse(line) as unknown;
      } catch {
        throw new DatasetError(`${path}:${index + 1}: not valid JSON`);
      }
    });
  if (json.length === 0) throw new DatasetError(`${path} holds no rows`);
  const kind = actRow.safeParse(json[0]).success ? 'acts' : 'topics';
  const rows = json.map((value, index) => {
    const parsed = kind === 'acts' ? actRow.safeParse(value) : topicRow.safeParse(value);
    if (!parsed.success)
      throw new DatasetError(
        `${path}:${index + 1}: expected {"text", "${kind === 'acts' ? 'act' : 'intent'}"}`,
      );
    const data = parsed.data as { text: string; intent?: string; act?: string };
    return { text: data.text, label: data.act ?? data.intent ?? '' };
  });
  return { path, kind, rows };
}

/** Every held-out text, compared as examples are (case, spacing and end punctuation aside). */
export function heldOutKeys(files: readonly HeldOutFile[]): Set<string> {
  return new Set(files.flatMap((file) => file.rows.map((r) => exampleKey(r.text))));
}

/** The bot's two readers, trained on one version of intents/. */
export interface Readers {
  topics: Predictor;
  topicLabels: readonly string[];
  /** The act the reader finds among `accepted`, with the topics competing. */
  act: (text: string, accepted: ReadonlySet<string>) => string | undefined;
  acts: ReadonlySet<string>;
}

export function trainReaders(
  config: Config,
  intents: readonly IntentDefinition[],
  dialogue: Dialogue,
): Readers {
  const understander = understanderFor(config, intents);
  const reader = ActReader.train(dialogue, intents);
  return {
    topics: { predict: (text) => understander.understand(text) },
    topicLabels: understander.classifier.intents,
    // As at a repair point of a conversation: the accepted acts and the topics compete.
    act: (text, accepted) => reader.read(text, accepted, true)?.act,
    acts: new Set(Object.keys(dialogue.acts)),
  };
}

/**
 * The share of a held-out file the readers get right: topics by the topic classifier (with the
 * bot's own keywords and out-of-scope decision), acts by the act reader among every act it knows
 * (the code lexicon's yes / no / done are not its, and left out).
 */
export function accuracyOn(readers: Readers, file: HeldOutFile): { rows: number; accuracy: number } {
  if (file.kind === 'topics') {
    const rows = file.rows.map(({ text, label }) => ({ text, intent: label }));
    assertKnownLabels(rows, readers.topicLabels, file.path);
    const report = evaluate(readers.topics, rows, 0);
    return { rows: report.rows, accuracy: report.accuracy };
  }
  const known = file.rows.filter((r) => readers.acts.has(r.label));
  const report = scoreRows(
    known.map((r) => ({ expected: r.label, predicted: readers.act(r.text, readers.acts) ?? 'none' })),
  );
  return { rows: report.rows, accuracy: report.accuracy };
}
