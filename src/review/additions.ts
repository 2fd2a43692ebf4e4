import type { Dialogue } from '../dialogue/load.ts';
import { exampleKey, type IntentDefinition } from '../intents/load.ts';
import type { ReviewItem } from './item.ts';
import { followupIdOf, type LabelKind, type ReviewLabel } from './labels.ts';

/** One example `review apply` adds: a labelled message's text, under its label. */
export interface Addition {
  text: string;
  label: string;
  kind: LabelKind;
  /** The inbox items it comes from (several when reviewers labelled the same words alike). */
  items: ReviewItem[];
}

export interface Skipped {
  item: ReviewItem;
  why: string;
}

/** An example as it is written: one line, its spacing tidied. */
export const exampleText = (text: string): string => text.replace(/\s+/g, ' ').trim();

/**
 * The examples the labelled items make: one per text and label. Left out, and said why: a label
 * intents/ no longer has, and a text of the held-out files (training on one would make the
 * figures that judge the bot meaningless).
 */
export function additionsOf(
  items: readonly ReviewItem[],
  labels: readonly ReviewLabel[],
  heldOut: ReadonlySet<string>,
): { additions: Addition[]; skipped: Skipped[] } {
  const kinds = new Map(labels.map((label) => [label.id, label.kind]));
  const byKey = new Map<string, Addition>();
  const skipped: Skipped[] = [];
  for (const item of items) {
    const kind = item.label === undefined ? undefined : kinds.get(item.label);
    const text = exampleText(item.text);
    if (item.label === undefined || kind === undefined) {
      skipped.push({ item, why: `no label ${item.label ?? ''} in intents/ now` });
    } else if (heldOut.has(exampleKey(text))) {
      skipped.push({ item, why: 'the text is in a held-out file, which is never trained on' });
    } else if (text === '') {
      skipped.push({ item, why: 'no text' });
    } else {
      const key = `${item.label}\n${exampleKey(text)}`;
      const known = byKey.get(key);
      if (known === undefined) byKey.set(key, { text, label: item.label, kind, items: [item] });
      else known.items.push(item);
    }
  }
  return { additions: [...byKey.values()], skipped };
}

/** The intents and dialogue with the examples added, in memory (nothing is written). */
export function withAdditions(
  intents: readonly IntentDefinition[],
  dialogue: Dialogue,
  additions: readonly Addition[],
): { intents: IntentDefinition[]; dialogue: Dialogue } {
  const textsOf = (kind: LabelKind, label: string) =>
    additions.filter((addition) => addition.kind === kind && addition.label === label).map((a) => a.text);
  return {
    intents: intents.map((intent) => ({
      ...intent,
      examples: [...intent.examples, ...textsOf('intent', intent.id)],
    })),
    dialogue: {
      ...dialogue,
      acts: Object.fromEntries(
        Object.entries(dialogue.acts).map(([act, definition]) => [
          act,
          { ...definition, examples: [...definition.examples, ...textsOf('act', act)] },
        ]),
      ),
      followups: dialogue.followups.map((followup) => {
        const added = additions
          .filter((addition) => addition.kind === 'followup' && followupIdOf(addition.label) === followup.id)
          .map((addition) => addition.text);
        return added.length === 0
          ? followup
          : { ...followup, examples: [...(followup.examples ?? []), ...added] };
      }),
    },
  };
}
