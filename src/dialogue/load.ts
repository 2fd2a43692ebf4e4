import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type IntentProblem, IntentsInvalidError } from '../errors.ts';
import type { IntentDefinition } from '../intents/load.ts';
import { exampleKey } from '../intents/load.ts';
import { at, type ParsedFile, parseYamlFile } from '../intents/yaml-file.ts';
import {
  type ActsFile,
  actsFileSchema,
  type Followup,
  followupsFileSchema,
  LEXICON_ACTS,
  PLACEHOLDERS,
} from './schema.ts';

/** The conversation's shared acts and follow-ups, as `intents/dialogue/` declares them. */
export interface Dialogue {
  acts: ActsFile['acts'];
  followups: Followup[];
}

const EMPTY: Dialogue = { acts: {}, followups: [] };
const PLACEHOLDER = /\{\{\s*([^}]*?)\s*\}\}/g;

/**
 * Reads `intents/dialogue/acts.yaml` and `followups.yaml` and checks them against each other and
 * the intents: every act a follow-up answers exists, every placeholder is known (an `answer:` one
 * names an answer an intent has), no example stands under two acts or is also a topic's example,
 * and no follow-up comes after one that always answers in its scope. A folder without them is an
 * empty dialogue (an older copy of intents/).
 */
export function loadDialogue(
  intentsDir: string,
  intents: readonly IntentDefinition[],
): { dialogue: Dialogue; problems: IntentProblem[] } {
  const dir = join(intentsDir, 'dialogue');
  if (!existsSync(dir)) return { dialogue: EMPTY, problems: [] };
  const problems: IntentProblem[] = [];
  const acts = parseYamlFile(join(dir, 'acts.yaml'), actsFileSchema, problems);
  const followups = parseYamlFile(join(dir, 'followups.yaml'), followupsFileSchema, problems);
  if (acts.value !== undefined) problems.push(...exampleCollisions(acts as ParsedFile<ActsFile>, intents));
  if (acts.value !== undefined && followups.value !== undefined) {
    problems.push(
      ...followupProblems(followups as ParsedFile<{ followups: Followup[] }>, acts.value, intents),
    );
  }
  return {
    dialogue: { acts: acts.value?.acts ?? {}, followups: followups.value?.followups ?? [] },
    problems,
  };
}

export function loadDialogueOrThrow(intentsDir: string, intents: readonly IntentDefinition[]): Dialogue {
  const { dialogue, problems } = loadDialogue(intentsDir, intents);
  if (problems.length > 0) throw new IntentsInvalidError(problems);
  return dialogue;
}

/** An act's example under another act, or also a topic's example: the readers would disagree. */
function exampleCollisions(
  entry: ParsedFile<ActsFile>,
  intents: readonly IntentDefinition[],
): IntentProblem[] {
  const problems: IntentProblem[] = [];
  const topics = new Map<string, string>();
  for (const intent of intents)
    for (const example of intent.examples) topics.set(exampleKey(example), intent.id);
  const seen = new Map<string, string>();
  for (const [act, { examples }] of Object.entries(entry.value?.acts ?? {})) {
    examples.forEach((example, index) => {
      const key = exampleKey(example);
      const other = seen.get(key) ?? topics.get(key);
      if (other !== undefined && other !== act)
        problems.push(
          at(entry, ['acts', act, 'examples', index], `example also under ${other}: "${example}"`),
        );
      seen.set(key, act);
    });
  }
  return problems;
}

function followupProblems(
  entry: ParsedFile<{ followups: Followup[] }>,
  acts: ActsFile,
  intents: readonly IntentDefinition[],
): IntentProblem[] {
  const problems: IntentProblem[] = [];
  const known = new Set([...Object.keys(acts.acts), ...LEXICON_ACTS]);
  const answers = new Map(intents.map((intent) => [intent.id, new Set(Object.keys(intent.answers))]));
  const alwaysAnswers = new Map<string, string>();
  (entry.value?.followups ?? []).forEach((followup, index) => {
    const where = (path: (string | number)[], message: string) =>
      problems.push(at(entry, ['followups', index, ...path], message));
    if (followup.act !== undefined && !known.has(followup.act))
      where(['act'], `unknown act "${followup.act}"; acts: ${[...known].sort().join(', ')}`);
    const shadow = alwaysAnswers.get(followup.in);
    if (shadow !== undefined)
      where(['id'], `never applies: ${shadow} answers every message in scope ${followup.in} first`);
    if (followup.act === undefined && followup.intent === undefined && followup.when === undefined)
      alwaysAnswers.set(followup.in, followup.id);
    (followup.say ?? []).forEach((variant, v) => {
      for (const problem of placeholderProblems(variant.text, answers)) where(['say', v], problem);
    });
  });
  return problems;
}

function placeholderProblems(text: string, answers: ReadonlyMap<string, ReadonlySet<string>>): string[] {
  const problems: string[] = [];
  for (const [, name = ''] of text.matchAll(PLACEHOLDER)) {
    if ((PLACEHOLDERS as readonly string[]).includes(name)) continue;
    const answer = /^answer:([a-z_]+)\.([a-z_]+)$/.exec(name);
    if (answer === null)
      problems.push(
        `unknown placeholder {{${name}}}; known: ${PLACEHOLDERS.join(', ')}, answer:<intent>.<variant>`,
      );
    else if (!answers.get(answer[1] ?? '')?.has(answer[2] ?? ''))
      problems.push(`no answer ${answer[1]}.${answer[2]} in intents/`);
  }
  return problems;
}
