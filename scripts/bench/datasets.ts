import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { z } from 'zod';
import { OUT_OF_SCOPE } from '../../src/intents/schema.ts';
import type { LabelledText } from '../../src/nlu/evaluate.ts';

/** The public sources, named in the error when a data set is missing. */
const SOURCES = {
  clinc150:
    'CLINC150: github clinc/oos-eval, data/data_full.json (CC BY 3.0), saved as clinc150/data_full.json',
  banking77:
    'BANKING77: github PolyAI-LDN/task-specific-datasets, banking_data/{train,test}.csv (CC BY 4.0), saved as banking77/',
} as const;

export class DatasetMissingError extends Error {
  constructor(path: string, source: string) {
    super(
      `Data set file not found: ${path}\nGet it from ${source}, or pass --data DIR pointing at the folder.`,
    );
  }
}

function requireFile(path: string, source: string): string {
  if (!existsSync(path)) throw new DatasetMissingError(path, source);
  return readFileSync(path, 'utf8');
}

const clincPairs = z.array(z.tuple([z.string(), z.string()]));
const clincFile = z.object({
  train: clincPairs,
  val: clincPairs,
  test: clincPairs,
  oos_train: clincPairs,
  oos_val: clincPairs,
  oos_test: clincPairs,
});

export interface Splits {
  train: LabelledText[];
  val: LabelledText[];
  test: LabelledText[];
}

/** CLINC150 with its out-of-scope rows folded into each split under our `out_of_scope` label. */
export function loadClinc150(dataDir: string): Splits {
  const file = clincFile.parse(
    JSON.parse(requireFile(join(dataDir, 'clinc150', 'data_full.json'), SOURCES.clinc150)),
  );
  const rows = (pairs: [string, string][]) => pairs.map(([text, intent]) => ({ text, intent }));
  const oos = (pairs: [string, string][]) => pairs.map(([text]) => ({ text, intent: OUT_OF_SCOPE }));
  return {
    train: [...rows(file.train), ...oos(file.oos_train)],
    val: [...rows(file.val), ...oos(file.oos_val)],
    test: [...rows(file.test), ...oos(file.oos_test)],
  };
}

const bankingRow = z.object({ text: z.string(), category: z.string() });

/** BANKING77 (no out-of-scope rows, no validation split). */
export function loadBanking77(dataDir: string): Omit<Splits, 'val'> {
  const read = (name: string) =>
    z
      .array(bankingRow)
      .parse(parseCsv(requireFile(join(dataDir, 'banking77', name), SOURCES.banking77), { columns: true }))
      .map((row) => ({ text: row.text, intent: row.category }));
  return { train: read('train.csv'), test: read('test.csv') };
}

/**
 * Writes each split as JSONL rows `{"text","intent"}` (the form `onebalance-bot eval` reads) and
 * returns the paths, so that any figure of the benchmark can be reproduced from the command line.
 */
export function writeJsonlSplits(outDir: string, name: string, splits: Partial<Splits>): string[] {
  mkdirSync(outDir, { recursive: true });
  return Object.entries(splits).map(([split, rows]) => {
    const path = join(outDir, `${name}.${split}.jsonl`);
    writeFileSync(
      path,
      `${rows.map((row) => JSON.stringify({ text: row.text, intent: row.intent })).join('\n')}\n`,
    );
    return path;
  });
}
