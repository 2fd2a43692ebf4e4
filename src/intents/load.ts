import { readdirSync, readFileSync } from 'node:fs';
import { basename, extname, join, relative } from 'node:path';
import { type Document, isMap, isNode, LineCounter, type Node, parseDocument } from 'yaml';
import type { z } from 'zod';
import { type IntentProblem, IntentsInvalidError } from '../errors.ts';
import { INTENT_IDS, type IntentFile, intentFileSchema } from './schema.ts';

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

interface ParsedFile {
  file: string;
  document: Document;
  lines: LineCounter;
  value?: IntentFile;
}

/** Reads every `*.yaml`/`*.yml` in `dir`, validates each, and checks them against each other. */
export function loadIntents(dir: string): LoadedIntents {
  const problems: IntentProblem[] = [];
  const names = readdirSync(dir)
    .filter((name) => ['.yaml', '.yml'].includes(extname(name)))
    .sort();
  const parsed = names.map((name) => parseIntentFile(join(dir, name), problems));

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

function parseIntentFile(path: string, problems: IntentProblem[]): ParsedFile {
  const file = displayPath(path);
  const lines = new LineCounter();
  const document = parseDocument(readFileSync(path, 'utf8'), { lineCounter: lines, prettyErrors: false });
  const entry: ParsedFile = { file, document, lines };
  if (document.errors.length > 0) {
    for (const error of document.errors) {
      const position = lines.linePos(error.pos[0]);
      problems.push({
        file,
        line: position.line,
        column: position.col,
        message: error.message.split('\n')[0] ?? '',
      });
    }
    return entry;
  }
  const result = intentFileSchema.safeParse(document.toJS());
  if (result.success) {
    entry.value = result.data;
    return entry;
  }
  for (const issue of result.error.issues) problems.push(...issueProblems(entry, issue));
  return entry;
}

function issueProblems(entry: ParsedFile, issue: z.core.$ZodIssue): IntentProblem[] {
  const path = issue.path.filter((part): part is string | number => typeof part !== 'symbol');
  const where = path.length > 0 ? `${path.join('.')}: ` : '';
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => at(entry, [...path, key], `${where}unknown key "${key}"`, true));
  }
  return [at(entry, path, `${where}${issue.message}`)];
}

/**
 * The position of the node at `path`; of its key when `key` is set (an unknown key has no value
 * worth pointing at); of the nearest existing parent when the path is missing.
 */
function at(
  entry: ParsedFile,
  path: readonly (string | number)[],
  message: string,
  key = false,
): IntentProblem {
  let node: Node | undefined;
  for (let depth = path.length; depth >= 0 && node === undefined; depth--) {
    const prefix = path.slice(0, depth);
    if (key && depth === path.length && depth > 0) {
      const parent = entry.document.getIn(prefix.slice(0, -1), true);
      if (isMap(parent)) {
        const pair = parent.items.find(
          (item) => isNode(item.key) && String(item.key.toJSON()) === String(prefix.at(-1)),
        );
        if (isNode(pair?.key)) node = pair.key;
      }
      continue;
    }
    const found = prefix.length === 0 ? entry.document.contents : entry.document.getIn(prefix, true);
    if (isNode(found)) node = found;
  }
  const offset = node?.range?.[0] ?? 0;
  const position = entry.lines.linePos(offset);
  return { file: entry.file, line: position.line, column: position.col, message };
}

function displayPath(path: string): string {
  const relativePath = relative(process.cwd(), path);
  return relativePath.startsWith('..') ? path : relativePath;
}
