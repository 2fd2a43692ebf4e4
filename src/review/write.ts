import { cpSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDialogue } from '../dialogue/load.ts';
import type { IntentProblem } from '../errors.ts';
import { loadIntents } from '../intents/load.ts';
import { triageAnswerProblems } from '../triage/resolutions.ts';
import type { Addition } from './additions.ts';
import { exampleListOf, withExample } from './yaml-edit.ts';

/** The checks of `onebalance-bot intents lint`: every file, the dialogue against them, triage's answers. */
export function lintProblems(intentsDir: string): IntentProblem[] {
  const { intents, problems } = loadIntents(intentsDir);
  return [...problems, ...loadDialogue(intentsDir, intents).problems, ...triageAnswerProblems(intents)];
}

export interface WriteOutcome {
  /** Files changed (relative to the intents folder); none when the lint failed. */
  files: string[];
  added: Addition[];
  /** Examples the files had already (case, spacing and end punctuation aside). */
  present: Addition[];
  /** The lint's problems with the examples added: nothing was written then. */
  problems: IntentProblem[];
}

/**
 * Writes the examples into their YAML files, each file's comments and formatting kept: first into
 * a copy of the intents folder, which must pass the lint; only then is each changed file moved into
 * place (written beside it and renamed, so that a reader never sees half a file).
 */
export function writeAdditions(intentsDir: string, additions: readonly Addition[]): WriteOutcome {
  const copy = mkdtempSync(join(tmpdir(), 'onebalance-review-'));
  try {
    cpSync(intentsDir, copy, { recursive: true });
    const changed = new Set<string>();
    const added: Addition[] = [];
    const present: Addition[] = [];
    for (const addition of additions) {
      const list = exampleListOf(copy, addition.label, addition.kind);
      const path = join(copy, list.file);
      const written = withExample(readFileSync(path, 'utf8'), list.path, addition.text);
      if (written === undefined) {
        present.push(addition);
        continue;
      }
      writeFileSync(path, written);
      changed.add(list.file);
      added.push(addition);
    }
    const problems = lintProblems(copy).map((problem) => ({
      ...problem,
      file: problem.file.replace(copy, intentsDir),
    }));
    if (problems.length > 0) return { files: [], added: [], present, problems };
    for (const file of changed) {
      const target = join(intentsDir, file);
      const beside = `${target}.review-${process.pid}`;
      writeFileSync(beside, readFileSync(join(copy, file)));
      renameSync(beside, target);
    }
    return { files: [...changed].sort(), added, present, problems: [] };
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}
