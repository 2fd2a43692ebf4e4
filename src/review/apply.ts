import type { Config } from '../config.ts';
import { type Dialogue, loadDialogueOrThrow } from '../dialogue/load.ts';
import { type IntentDefinition, loadIntentsOrThrow } from '../intents/load.ts';
import { displayPath } from '../intents/yaml-file.ts';
import { type Addition, additionsOf, type Skipped, withAdditions } from './additions.ts';
import { accuracyOn, type HeldOutFile, heldOutKeys, type Readers, trainReaders } from './held-out.ts';
import type { ReviewItem } from './item.ts';
import { reviewLabelsOf } from './labels.ts';

/** One line of the before / after table: how many rows, and the share right with each version. */
export interface Figure {
  name: string;
  rows: number;
  before: number;
  after: number;
}

/** What `review apply` would do: the examples, what it leaves out, and what they change. */
export interface ApplyPlan {
  additions: Addition[];
  skipped: Skipped[];
  figures: Figure[];
}

/**
 * Plans the labelled items not yet applied: their examples, and the accuracy on every held-out
 * file with the current intents and with the examples added (both trained here, in memory).
 */
export function planApply(
  config: Config,
  items: readonly ReviewItem[],
  heldOut: readonly HeldOutFile[],
): ApplyPlan {
  const intents = loadIntentsOrThrow(config.INTENTS_DIR);
  const dialogue = loadDialogueOrThrow(config.INTENTS_DIR, intents);
  const pending = items.filter((item) => item.status === 'labelled' && item.appliedAt === undefined);
  const { additions, skipped } = additionsOf(
    pending,
    reviewLabelsOf(intents, dialogue),
    heldOutKeys(heldOut),
  );
  return { additions, skipped, figures: figuresOf(config, { intents, dialogue }, additions, heldOut) };
}

function figuresOf(
  config: Config,
  current: { intents: IntentDefinition[]; dialogue: Dialogue },
  additions: readonly Addition[],
  heldOut: readonly HeldOutFile[],
): Figure[] {
  const before = trainReaders(config, current.intents, current.dialogue);
  const changed = withAdditions(current.intents, current.dialogue, additions);
  const after = additions.length === 0 ? before : trainReaders(config, changed.intents, changed.dialogue);
  const figures = heldOut.map((file) => {
    const was = accuracyOn(before, file);
    return {
      name: `${displayPath(file.path)} (${file.kind})`,
      rows: was.rows,
      before: was.accuracy,
      after: accuracyOn(after, file).accuracy,
    };
  });
  const right = (readers: Readers) =>
    additions.filter((addition) => readAs(readers, addition) === addition.label).length;
  figures.push({
    name: 'the labelled messages themselves',
    rows: additions.length,
    before: additions.length === 0 ? 0 : right(before) / additions.length,
    after: additions.length === 0 ? 0 : right(after) / additions.length,
  });
  return figures;
}

/** How the readers read an addition's text: a topic, or the act among the acts of its kind. */
function readAs(readers: Readers, addition: Addition): string | undefined {
  if (addition.kind === 'intent') return readers.topics.predict(addition.text).intent;
  const accepted = addition.kind === 'act' ? readers.acts : new Set([addition.label]);
  return readers.act(addition.text, accepted);
}

const percent = (share: number) => `${(share * 100).toFixed(1)}%`;

/** The before / after table, one line per held-out file. */
export function formatFigures(figures: readonly Figure[]): string[] {
  const width = Math.max(40, ...figures.map((figure) => figure.name.length));
  return [
    `${'held-out file'.padEnd(width)}  ${'rows'.padStart(5)}  ${'before'.padStart(7)}  ${'after'.padStart(7)}  change`,
    ...figures.map((figure) => {
      const change = (figure.after - figure.before) * 100;
      return `${figure.name.padEnd(width)}  ${String(figure.rows).padStart(5)}  ${percent(figure.before).padStart(7)}  ${percent(figure.after).padStart(7)}  ${change >= 0 ? '+' : ''}${change.toFixed(1)} pts`;
    }),
  ];
}
