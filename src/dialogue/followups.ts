import { type ActReader, ownActOf } from './act-reader.ts';
import { evaluate, type Facts } from './conditions.ts';
import type { Dialogue } from './load.ts';
import { type Followup, LEXICON_ACTS, SCOPES, type Scope } from './schema.ts';

/** What a turn brings to the follow-ups: its words, how they were read, and where it stands. */
export interface FollowupTurn {
  text: string;
  /** The topic classifier's reading. */
  intent: string;
  /** Acts the code lexicon found (yes, no, done, not_yet, ack). */
  lexiconActs: ReadonlySet<string>;
  /** The scopes active now; they are tried in the fixed order of SCOPES. */
  scopes: ReadonlySet<Scope>;
  facts: Facts;
}

export interface FollowupAnswer {
  id: string;
  texts: string[];
  /** Answer as this topic does (checks included) after, or instead of, the texts. */
  topic?: string;
  /** False when the message must not count toward "not understood twice". */
  countsAsMiss: boolean;
  act?: string;
}

/** Fills an answer's placeholders: {{ticketId}}, {{answer:<intent>.<variant>}}, ... */
export type Render = (template: string) => string;

const lexicon = new Set<string>(LEXICON_ACTS);
const ANSWER_PLACEHOLDER = /\{\{\s*answer:([a-z_]+)\.([a-z_]+)\s*\}\}/g;

/** Puts another answer where `{{answer:<intent>.<variant>}}` stands (the loader checked it exists). */
export function withAnswers(template: string, answerOf: (intent: string, variant: string) => string): string {
  return template.replace(ANSWER_PLACEHOLDER, (_match, intent: string, variant: string) =>
    answerOf(intent, variant),
  );
}

/**
 * The follow-ups of `intents/dialogue/`: the first one of the innermost active scope whose act or
 * intent matches the turn, and whose condition holds, answers it.
 */
export class FollowupBook {
  private readonly byScope: ReadonlyMap<Scope, readonly Followup[]>;

  constructor(
    dialogue: Dialogue,
    private readonly reader: ActReader,
  ) {
    this.byScope = new Map(SCOPES.map((scope) => [scope, dialogue.followups.filter((f) => f.in === scope)]));
  }

  answer(turn: FollowupTurn, render: Render): FollowupAnswer | undefined {
    const candidates = SCOPES.filter((scope) => turn.scopes.has(scope)).flatMap(
      (scope) => this.byScope.get(scope) ?? [],
    );
    const accepted = new Set(candidates.flatMap(actsOf));
    // While a person has the conversation the bot takes no new topic: only the acts compete.
    const read = this.reader.read(turn.text, accepted, !turn.scopes.has('handoff'));
    for (const followup of candidates) {
      if (!matches(followup, turn, read?.act)) continue;
      const variant = followup.say?.find(
        (each) => each.when === undefined || evaluate(each.when, turn.facts),
      );
      if (followup.say !== undefined && variant === undefined) continue;
      const topic =
        followup.effects?.topic === 'last_topic' ? String(turn.facts.topic ?? '') : followup.effects?.topic;
      return {
        id: followup.id,
        texts: variant === undefined ? [] : [render(variant.text)],
        ...(topic ? { topic } : {}),
        countsAsMiss: followup.effects?.counts_as_miss !== false,
        ...(read && actsOf(followup).includes(read.act) ? { act: read.act } : {}),
      };
    }
    return undefined;
  }
}

/** The acts the reader must consider for a follow-up: its shared act, or its own examples' act. */
function actsOf(followup: Followup): string[] {
  if (followup.examples !== undefined) return [ownActOf(followup.id)];
  return followup.act !== undefined && !lexicon.has(followup.act) ? [followup.act] : [];
}

function matches(followup: Followup, turn: FollowupTurn, act: string | undefined): boolean {
  if (followup.when !== undefined && !evaluate(followup.when, turn.facts)) return false;
  if (followup.examples !== undefined) return act === ownActOf(followup.id);
  if (followup.act !== undefined) return followup.act === act || turn.lexiconActs.has(followup.act);
  if (followup.intent !== undefined) return followup.intent === turn.intent;
  return true;
}
