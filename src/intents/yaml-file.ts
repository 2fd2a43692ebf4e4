import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { type Document, isMap, isNode, LineCounter, type Node, parseDocument } from 'yaml';
import type { z } from 'zod';
import type { IntentProblem } from '../errors.ts';

/** A data file as read: its document (for positions) and, when valid, its value. */
export interface ParsedFile<T> {
  file: string;
  document: Document;
  lines: LineCounter;
  value?: T;
}

/**
 * Reads and validates one YAML data file against `schema`; every problem (YAML syntax, schema) is
 * added to `problems` with its file, line and column. `value` is set only when the file is valid.
 */
export function parseYamlFile<T>(
  path: string,
  schema: z.ZodType<T>,
  problems: IntentProblem[],
): ParsedFile<T> {
  const file = displayPath(path);
  const lines = new LineCounter();
  const document = parseDocument(readFileSync(path, 'utf8'), { lineCounter: lines, prettyErrors: false });
  const entry: ParsedFile<T> = { file, document, lines };
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
  const result = schema.safeParse(document.toJS());
  if (result.success) {
    entry.value = result.data;
    return entry;
  }
  for (const issue of result.error.issues) problems.push(...issueProblems(entry, issue));
  return entry;
}

function issueProblems(entry: ParsedFile<unknown>, issue: z.core.$ZodIssue): IntentProblem[] {
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
export function at(
  entry: ParsedFile<unknown>,
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

export function displayPath(path: string): string {
  const relativePath = relative(process.cwd(), path);
  return relativePath.startsWith('..') ? path : relativePath;
}
