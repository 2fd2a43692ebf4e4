import { ownActOf } from '../dialogue/act-reader.ts';
import { type Dialogue, loadDialogueOrThrow } from '../dialogue/load.ts';
import { type IntentDefinition, loadIntentsOrThrow } from '../intents/load.ts';

export type LabelKind = 'intent' | 'act' | 'followup';

/** What a reviewer may label a message with (GET /admin/api/review/labels). */
export interface ReviewLabel {
  id: string;
  kind: LabelKind;
  description: string;
}

/** The prefix of a follow-up's own label: its examples train an act of its own (`followup:<id>`). */
const FOLLOWUP = 'followup:';

/**
 * Every label a message can have: a topic (intents/*.yaml), a shared act (intents/dialogue/ `acts`)
 * or a follow-up with examples of its own (`followup:<id>`). Those are what `review apply` can
 * write an example into; a follow-up without examples answers an act or a topic already.
 */
export function reviewLabelsOf(intents: readonly IntentDefinition[], dialogue: Dialogue): ReviewLabel[] {
  return [
    ...intents.map((intent) => ({ id: intent.id, kind: 'intent' as const, description: intent.description })),
    ...Object.entries(dialogue.acts).map(([act, { description }]) => ({
      id: act,
      kind: 'act' as const,
      description,
    })),
    ...dialogue.followups.flatMap((followup) =>
      followup.examples === undefined
        ? []
        : [
            {
              id: ownActOf(followup.id),
              kind: 'followup' as const,
              description: `follow-up (${followup.in}), e.g. "${followup.examples[0] ?? ''}"`,
            },
          ],
    ),
  ];
}

/** The labels of the intents in `intentsDir` (the service's INTENTS_DIR). */
export function loadReviewLabels(intentsDir: string, intents?: readonly IntentDefinition[]): ReviewLabel[] {
  const topics = intents ?? loadIntentsOrThrow(intentsDir);
  return reviewLabelsOf(topics, loadDialogueOrThrow(intentsDir, topics));
}

/** The follow-up id of a `followup:<id>` label; undefined for any other label. */
export function followupIdOf(label: string): string | undefined {
  return label.startsWith(FOLLOWUP) ? label.slice(FOLLOWUP.length) : undefined;
}
