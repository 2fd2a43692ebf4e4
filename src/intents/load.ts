import { readdirSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { type IntentProblem, IntentsInvalidError } from '../errors.ts';
import { INTENT_IDS, type IntentFile, intentFileSchema } from './schema.ts';
import { at, displayPath, parseYamlFile } from './yaml-file.ts';

export interface IntentDefinition extends IntentFile {
  /** Path of the file it came from, relative to the working directory. */
  file: string;
}

export interface LoadedIntents {
  intents: IntentDefinition[];
  problems: IntentProblem[];
}

/** Example texts compare equal when they differ only in case, spacing or end punctuation. */
export function exampleKey(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .replace(/[\s.!?]+$/u, '')
    .trim();
}

/** Reads every `*.yaml`/`*.yml` in `dir`, validates each, and checks them against each other. */
export function loadIntents(dir: string): LoadedIntents {
  const problems: IntentProblem[] = [];
  const names = readdirSync(dir)
    .filter((name) => ['.yaml', '.yml'].includes(extname(name)))
    .sort();
  const parsed = names.map((name) => parseYamlFile(join(dir, name), intentFileSchema, problems));

  const seenIds = new Map<string, string>();
  const seenExamples = new Map<string, { intent: string; file: string; line: number }>();
  for (const entry of parsed) {
    const value = entry.value;
    if (value === undefined) continue;
    const stem = basename(entry.file, extname(entry.file));
    if (stem !== value.id) {
      problems.push(at(entry, ['id'], `the file name (${stem}) and the id (${value.id}) must match`));
    }
    const other = seenIds.get(value.id);
    if (other !== undefined)
      problems.push(at(entry, ['id'], `intent ${value.id} is defined again (also in ${other})`));
    seenIds.set(value.id, entry.file);

    const inFile = new Map<string, number>();
    value.examples.forEach((example, index) => {
      const key = exampleKey(example);
      const position = at(entry, ['examples', index], '');
      const duplicateAt = inFile.get(key);
      if (duplicateAt !== undefined) {
        problems.push({
          ...position,
          message: `duplicate example (first at line ${duplicateAt}): "${example}"`,
        });
        return;
      }
      inFile.set(key, position.line);
      const elsewhere = seenExamples.get(key);
      if (elsewhere !== undefined && elsewhere.intent !== value.id) {
        problems.push({
          ...position,
          message: `example also under ${elsewhere.intent} (${elsewhere.file}:${elsewhere.line}): "${example}"`,
        });
        return;
      }
      seenExamples.set(key, { intent: value.id, file: entry.file, line: position.line });
    });
  }
  // A file that exists but did not validate has its own problems; "missing" is only for no file.
  const stems = new Set(parsed.map((entry) => basename(entry.file, extname(entry.file))));
  for (const id of INTENT_IDS) {
    if (!seenIds.has(id) && !stems.has(id)) {
      problems.push({
        file: displayPath(join(dir, `${id}.yaml`)),
        line: 1,
        column: 1,
        message: `no file for intent ${id}`,
      });
    }
  }
  const intents = parsed.flatMap((entry) => (entry.value ? [{ ...entry.value, file: entry.file }] : []));
  return { intents, problems };
}

/** Loads the intents, throwing one error that lists every problem. */
export function loadIntentsOrThrow(dir: string): IntentDefinition[] {
  const { intents, problems } = loadIntents(dir);
  if (problems.length > 0) throw new IntentsInvalidError(problems);
  return intents;
}
