import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isMap, isScalar, isSeq, parseDocument, stringify } from 'yaml';
import { DatasetError } from '../errors.ts';
import { exampleKey } from '../intents/load.ts';
import { followupIdOf, type LabelKind } from './labels.ts';

/** Where a label's examples are: a file (relative to the intents folder) and the path of the list. */
export interface ExampleList {
  file: string;
  path: (string | number)[];
}

/**
 * The `examples:` list a label's example goes into: intents/<intent>.yaml for a topic, the
 * intents/dialogue/ file that defines the act, the file of the follow-up with its own examples.
 */
export function exampleListOf(intentsDir: string, label: string, kind: LabelKind): ExampleList {
  if (kind === 'intent') {
    const file = [`${label}.yaml`, `${label}.yml`].find((name) => existsSync(join(intentsDir, name)));
    if (file !== undefined) return { file, path: ['examples'] };
  } else {
    const followupId = followupIdOf(label);
    for (const name of dialogueFiles(intentsDir)) {
      const document = parseDocument(readFileSync(join(intentsDir, name), 'utf8'));
      if (kind === 'act' && isSeq(document.getIn(['acts', label, 'examples'], true)))
        return { file: name, path: ['acts', label, 'examples'] };
      const followups = document.get('followups', true);
      const index = isSeq(followups)
        ? followups.items.findIndex((item) => isMap(item) && item.get('id') === followupId)
        : -1;
      if (kind === 'followup' && index >= 0) return { file: name, path: ['followups', index, 'examples'] };
    }
  }
  throw new DatasetError(`No examples list for the label ${label} in ${intentsDir}`);
}

function dialogueFiles(intentsDir: string): string[] {
  const dir = join(intentsDir, 'dialogue');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith('.yaml'))
    .sort()
    .map((name) => join('dialogue', name));
}

/** The examples of the list at `path` in a YAML text. */
export function examplesIn(source: string, path: readonly (string | number)[]): string[] {
  const list = parseDocument(source).getIn(path, true);
  if (!isSeq(list)) return [];
  return list.items.flatMap((item) => (isScalar(item) ? [String(item.value)] : []));
}

/**
 * The YAML text with `text` added at the end of the block list at `path`, every other byte kept
 * (comments, folding, quoting): the document finds where the list's last item ends, and one line
 * in that item's indentation is inserted after it. Undefined when the list has the example already
 * (case, spacing and end punctuation aside).
 */
export function withExample(
  source: string,
  path: readonly (string | number)[],
  text: string,
): string | undefined {
  const list = parseDocument(source).getIn(path, true);
  const last = isSeq(list) && !list.flow ? list.items.at(-1) : undefined;
  const range = isScalar(last) ? last.range : undefined;
  if (!isSeq(list) || range === undefined || range === null)
    throw new DatasetError(`${path.join('.')} is not a block list of texts`);
  if (examplesIn(source, path).some((example) => exampleKey(example) === exampleKey(text))) return undefined;
  const lineStart = source.lastIndexOf('\n', range[0] - 1) + 1;
  const indent = /^\s*/.exec(source.slice(lineStart, range[0]))?.[0] ?? '';
  const newline = source.indexOf('\n', Math.max(range[1] - 1, range[0]));
  // A file whose last line has no line break gets one before the new line.
  const ended = newline === -1 ? `${source}\n` : source;
  const at = newline === -1 ? ended.length : newline + 1;
  const line = `${indent}- ${stringify(text, { lineWidth: 0 }).trimEnd()}\n`;
  const written = ended.slice(0, at) + line + ended.slice(at);
  const examples = examplesIn(written, path);
  if (examples.at(-1) !== text || examples.length !== list.items.length + 1)
    throw new DatasetError(`Could not add an example to ${path.join('.')}`);
  return written;
}
