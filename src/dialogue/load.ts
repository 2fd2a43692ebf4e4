import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { type IntentProblem, IntentsInvalidError } from '../errors.ts';
import type { IntentDefinition } from '../intents/load.ts';
import { exampleKey } from '../intents/load.ts';
import { at, type ParsedFile, parseYamlFile } from '../intents/yaml-file.ts';
import {
  type ActsFile,
  type DialogueFile,
  dialogueFileSchema,
  type Followup,
  LEXICON_ACTS,
  messagesOf,
  PLACEHOLDERS,
} from './schema.ts';
import { partsOf, type WordListsData } from './words.ts';

/** The conversation's shared acts, follow-ups and word lists, as `intents/dialogue/` declares them. */
export interface Dialogue {
  acts: ActsFile['acts'];
  followups: Followup[];
  /** Named phrase lists (none in an older copy of intents/). */
  words?: WordListsData;
}

const EMPTY: Dialogue = { acts: {}, followups: [] };
const PLACEHOLDER = /\{\{\s*([^}]*?)\s*\}\}/g;

/**
 * Reads every `intents/dialogue/*.yaml` (each may declare `acts:`, `followups:` or both; files are
 * read in name order, and follow-ups keep that order within a scope) and checks them against each
 * other and the intents: every act a follow-up answers exists, every placeholder is known (an
 * `answer:` one names an answer an intent has), no example stands under two acts or is also a
 * topic's example, ids are unique, and no follow-up comes after one that always answers in its
 * scope. A folder without them is an empty dialogue (an older copy of intents/).
 */
export function loadDialogue(
  intentsDir: string,
  intents: readonly IntentDefinition[],
): { dialogue: Dialogue; problems: IntentProblem[] } {
  const dir = join(intentsDir, 'dialogue');
  if (!existsSync(dir)) return { dialogue: EMPTY, problems: [] };
  const problems: IntentProblem[] = [];
  const files = readdirSync(dir)
    .filter((name) => name.endsWith('.yaml'))
    .sort()
    .map((name) => parseYamlFile(join(dir, name), dialogueFileSchema, problems));
  if (files.some((file) => file.value === undefined)) return { dialogue: EMPTY, problems };
  const valid = files as ParsedFile<DialogueFile>[];
  const dialogue: Dialogue = {
    acts: Object.assign({}, ...valid.map((file) => file.value?.acts ?? {})),
    followups: valid.flatMap((file) => file.value?.followups ?? []),
    words: Object.assign({}, ...valid.map((file) => file.value?.words ?? {})),
  };
  for (const file of valid) problems.push(...wordProblems(file));
  const seen = topicExamples(intents);
  for (const file of valid) problems.push(...claimProblems(file, seen));
  for (const file of valid) problems.push(...actCollisions(file, seen));
  for (const file of valid) problems.push(...followupCollisions(file, seen));
  const withExamples = new Set(dialogue.followups.filter((f) => f.examples).map((f) => f.id));
  const state: LintState = { alwaysAnswers: new Map(), ids: new Set(), withExamples };
  for (const file of valid) problems.push(...followupProblems(file, dialogue.acts, intents, state));
  return { dialogue, problems };
}

export function loadDialogueOrThrow(intentsDir: string, intents: readonly IntentDefinition[]): Dialogue {
  const { dialogue, problems } = loadDialogue(intentsDir, intents);
  if (problems.length > 0) throw new IntentsInvalidError(problems);
  return dialogue;
}

/** Phrases of the word lists that cannot match (a gap at an end, a part with no word in it). */
function wordProblems(entry: ParsedFile<DialogueFile>): IntentProblem[] {
  return Object.entries(entry.value?.words ?? {}).flatMap(([name, { phrases }]) =>
    phrases.flatMap((phrase, index) => {
      const { problem } = partsOf(phrase);
      return problem === undefined ? [] : [at(entry, ['words', name, 'phrases', index], problem)];
    }),
  );
}

/**
 * Claims that are no topic's example, or that another act claims too; a claimed example then
 * stands under its act, so that an act or follow-up example equal to it is reported.
 */
function claimProblems(entry: ParsedFile<DialogueFile>, seen: Map<string, string>): IntentProblem[] {
  const problems: IntentProblem[] = [];
  for (const [act, { claims = [] }] of Object.entries(entry.value?.acts ?? {}))
    claims.forEach((claim, index) => {
      const key = exampleKey(claim);
      const owner = seen.get(key);
      const where = ['acts', act, 'claims', index];
      if (owner === undefined) problems.push(at(entry, where, `"${claim}" is no topic's example`));
      else if (!owner.startsWith(CLAIMED)) seen.set(key, `${CLAIMED}${act}`);
      else problems.push(at(entry, where, `"${claim}" is claimed by ${owner.slice(CLAIMED.length)} too`));
    });
  return problems;
}
/** How a claimed topic example is labelled while the examples are checked: as its act's. */
const CLAIMED = 'claimed:';

/** Every topic example, by its key, with the topic that has it. */
function topicExamples(intents: readonly IntentDefinition[]): Map<string, string> {
  const seen = new Map<string, string>();
  for (const intent of intents)
    for (const example of intent.examples) seen.set(exampleKey(example), intent.id);
  return seen;
}

/**
 * An example that stands under two labels (a topic, an act, a follow-up): the readers would
 * disagree about it. `seen` is filled as it goes, so acts are checked before follow-ups.
 */
function collisions(
  entry: ParsedFile<unknown>,
  labelled: readonly { label: string; examples: readonly string[]; path: (string | number)[] }[],
  seen: Map<string, string>,
): IntentProblem[] {
  const problems: IntentProblem[] = [];
  for (const { label, examples, path } of labelled) {
    examples.forEach((example, index) => {
      const key = exampleKey(example);
      const other = seen.get(key);
      if (other !== undefined && other !== label)
        problems.push(at(entry, [...path, index], `example also under ${other}: "${example}"`));
      seen.set(key, label);
    });
  }
  return problems;
}

function actCollisions(entry: ParsedFile<DialogueFile>, seen: Map<string, string>): IntentProblem[] {
  const acts = Object.entries(entry.value?.acts ?? {});
  return collisions(
    entry,
    acts.map(([act, { examples }]) => ({ label: act, examples, path: ['acts', act, 'examples'] })),
    seen,
  );
}

function followupCollisions(entry: ParsedFile<DialogueFile>, seen: Map<string, string>): IntentProblem[] {
  const followups = entry.value?.followups ?? [];
  return collisions(
    entry,
    followups.map((followup, index) => ({
      label: `follow-up ${followup.id}`,
      examples: followup.examples ?? [],
      path: ['followups', index, 'examples'],
    })),
    seen,
  );
}

/** What the lint carries from one file to the next: ids seen, a follow-up answering all of a scope. */
interface LintState {
  alwaysAnswers: Map<string, string>;
  ids: Set<string>;
  /** Follow-ups another may answer `like`. */
  withExamples: ReadonlySet<string>;
}

function followupProblems(
  entry: ParsedFile<DialogueFile>,
  acts: ActsFile['acts'],
  intents: readonly IntentDefinition[],
  { alwaysAnswers, ids, withExamples }: LintState,
): IntentProblem[] {
  const problems: IntentProblem[] = [];
  const known = new Set([...Object.keys(acts), ...LEXICON_ACTS]);
  const answers = new Map(intents.map((intent) => [intent.id, new Set(Object.keys(intent.answers))]));
  (entry.value?.followups ?? []).forEach((followup, index) => {
    const where = (path: (string | number)[], message: string) =>
      problems.push(at(entry, ['followups', index, ...path], message));
    if (ids.has(followup.id)) where(['id'], `follow-up id "${followup.id}" is used twice`);
    ids.add(followup.id);
    if (followup.like !== undefined && !withExamples.has(followup.like))
      where(['like'], `"${followup.like}" is no follow-up with its own examples`);
    if (followup.act !== undefined && !known.has(followup.act))
      where(['act'], `unknown act "${followup.act}"; acts: ${[...known].sort().join(', ')}`);
    const shadow = alwaysAnswers.get(followup.in);
    if (shadow !== undefined)
      where(['id'], `never applies: ${shadow} answers every message in scope ${followup.in} first`);
    const answersAll = [followup.act, followup.intent, followup.examples, followup.like, followup.when].every(
      (how) => how === undefined,
    );
    if (answersAll) alwaysAnswers.set(followup.in, followup.id);
    (followup.say ?? []).forEach((variant, v) => {
      for (const message of messagesOf(variant))
        for (const problem of placeholderProblems(message, answers)) where(['say', v], problem);
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
