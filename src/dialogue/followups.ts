import { type ActReader, ownActOf } from './act-reader.ts';
import { evaluate, type Facts } from './conditions.ts';
import type { Dialogue } from './load.ts';
import { type Followup, LEXICON_ACTS, messagesOf, SCOPES, type Scope } from './schema.ts';

/** What a turn brings to the follow-ups: its words, how they were read, and where it stands. */
export interface FollowupTurn {
  text: string;
  /** The topic classifier's reading. */
  intent: string;
  /** Acts the code lexicon found (yes, no, done, not_yet, ack). */
  lexiconActs: ReadonlySet<string>;
  /** The scopes active now; they are tried in the fixed order of SCOPES. */
  scopes: ReadonlySet<Scope>;
  /**
   * The scopes that may answer now (all active ones by default). The message is read against the
   * acts of every active scope, so that "what was the reason?" is the `why` it is even where only
   * the wait answers, rather than the closest act the wait accepts.
   */
  answering?: ReadonlySet<Scope>;
  facts: Facts;
}

export interface FollowupAnswer {
  id: string;
  texts: string[];
  /** Answer as this topic does (checks included) after, or instead of, the texts. */
  topic?: string;
  /** The topic the turn is counted under, settled by the data (full confidence). */
  about?: string;
  /** Ends with the offer of a person (see the schema's `offer_person`). */
  offersPerson: boolean;
  /** An open offer is asked again after the answer, and how (see the schema's `remind_offer`). */
  remindsOffer?: true | 'in_full' | 'with_steps' | 'choices';
  /** The open offer (or the one just declined) is taken, as a yes would take it. */
  acceptsOffer: boolean;
  /** The open offer is said no to. */
  declinesOffer: boolean;
  /** False when the message must not count toward "not understood twice". */
  countsAsMiss: boolean;
  /** Files the ticket the last answer promised (see the schema's `ticket`). */
  filesPromisedTicket: boolean;
  /** The promise of a ticket for the next message: `kept`, or a reason (see the schema's `promise`). */
  promise?: string;
  /** The answer becomes the last account answer, under this topic. */
  recap?: string;
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
  private readonly sharedActs: readonly string[];
  /**
   * A second reader's pick of act for a message the act reader was unsure of, by the message's
   * text, while its turn runs: used where that act may answer, and only when the reader is unsure.
   */
  private readonly hints = new Map<string, string>();

  constructor(
    private readonly dialogue: Dialogue,
    private readonly reader: ActReader,
  ) {
    this.byScope = new Map(SCOPES.map((scope) => [scope, dialogue.followups.filter((f) => f.in === scope)]));
    this.sharedActs = Object.keys(dialogue.acts);
  }

  /** The acts a message may be read as now, with what each means: what a second reader is offered. */
  acceptedLabels(turn: Pick<FollowupTurn, 'scopes' | 'facts'>): { id: string; description: string }[] {
    const shared = this.sharedActs.map((act) => ({
      id: act,
      description: this.dialogue.acts[act]?.description ?? act,
    }));
    const own = this.ownAccepted(turn)
      .filter((followup) => followup.examples !== undefined && followup.examples.length > 0)
      .map((followup) => ({
        id: ownActOf(followup.id),
        description: `a question like: ${(followup.examples ?? [])
          .slice(0, 3)
          .map((e) => `"${e}"`)
          .join(', ')}`,
      }));
    return [...shared, ...own];
  }

  /** Takes a second reader's act for `text` until `unhint`. */
  hint(text: string, act: string): void {
    this.hints.set(text, act);
  }

  unhint(text: string): void {
    this.hints.delete(text);
  }

  private ownAccepted(turn: Pick<FollowupTurn, 'scopes' | 'facts'>): Followup[] {
    return this.inScopes(turn.scopes).filter(
      (followup) => followup.when === undefined || evaluate(followup.when, turn.facts),
    );
  }

  /**
   * The act the turn's message reads as (a shared act, or a follow-up's own) among those that may
   * answer it now; undefined when none beats the topics and the threshold.
   */
  read(turn: Pick<FollowupTurn, 'text' | 'scopes' | 'facts'>, sameTopic?: string): string | undefined {
    // The shared acts always compete, answered here or not: "what was the reason?" is a `why`,
    // never the nearest question some follow-up of the moment takes. A follow-up's own examples
    // compete only where it may answer (its scope active, its condition holding), so that one
    // topic's questions do not draw a message away from another's.
    const accepted = new Set([...this.sharedActs, ...this.ownAccepted(turn).flatMap(actsOf)]);
    // While a person has the conversation the bot takes no new topic: only the acts compete.
    const read = this.reader.read(turn.text, accepted, !turn.scopes.has('handoff'), sameTopic)?.act;
    if (read !== undefined) return read;
    const hinted = this.hints.get(turn.text);
    return hinted !== undefined && accepted.has(hinted) ? hinted : undefined;
  }

  answer(turn: FollowupTurn, render: Render): FollowupAnswer | undefined {
    const read = this.read(turn);
    // The questions only the topic scope's follow-ups answer (their own examples) are read without
    // that topic competing: read as the same topic again, the message is about the answer just
    // given, not a new question. Shared acts are read as everywhere.
    const topic = String(turn.facts.topic ?? '');
    let inTopic: { act: string | undefined } | undefined;
    const actFor = (followup: Followup): string | undefined => {
      const ownQuestion = followup.examples !== undefined || followup.like !== undefined;
      if (followup.in !== 'topic' || topic === '' || !ownQuestion) return read;
      inTopic ??= { act: this.read(turn, topic) };
      return inTopic.act;
    };
    for (const followup of this.inScopes(turn.answering ?? turn.scopes)) {
      const act = actFor(followup);
      if (!matches(followup, turn, act)) continue;
      const variant = followup.say?.find(
        (each) => each.when === undefined || evaluate(each.when, turn.facts),
      );
      if (followup.say !== undefined && variant === undefined) continue;
      const effects = { ...followup.effects, ...variant?.effects };
      const topic = resolved(effects.topic, turn.facts);
      const about = resolved(effects.about, turn.facts);
      return {
        id: followup.id,
        texts: variant === undefined ? [] : messagesOf(variant).map(render),
        ...(topic ? { topic } : {}),
        ...(about ? { about } : {}),
        offersPerson: effects.offer_person === true,
        ...(effects.remind_offer !== undefined ? { remindsOffer: effects.remind_offer } : {}),
        acceptsOffer: effects.accept_offer === true,
        declinesOffer: effects.decline_offer === true,
        countsAsMiss: effects.counts_as_miss !== false,
        filesPromisedTicket: effects.ticket === 'promised',
        ...(effects.promise ? { promise: effects.promise } : {}),
        ...(effects.recap
          ? { recap: effects.recap === true ? about : resolved(effects.recap, turn.facts) }
          : {}),
        ...(act && actsOf(followup).includes(act) ? { act } : {}),
      };
    }
    return undefined;
  }

  /** The follow-ups of `scopes`, innermost scope first, each scope's in file order. */
  private inScopes(scopes: ReadonlySet<Scope>): Followup[] {
    return SCOPES.filter((scope) => scopes.has(scope)).flatMap((scope) => this.byScope.get(scope) ?? []);
  }
}

/** A topic named by an effect: `last_topic` is the conversation's own (none before any). */
function resolved(topic: string | undefined, facts: Facts): string | undefined {
  return topic === 'last_topic' ? String(facts.topic ?? '') || undefined : topic;
}

/** The acts the reader must consider for a follow-up: its shared act, or its own examples' act. */
function actsOf(followup: Followup): string[] {
  if (followup.examples !== undefined) return [ownActOf(followup.id)];
  if (followup.like !== undefined) return [ownActOf(followup.like)];
  return followup.act !== undefined && !lexicon.has(followup.act) ? [followup.act] : [];
}

function matches(followup: Followup, turn: FollowupTurn, act: string | undefined): boolean {
  if (followup.when !== undefined && !evaluate(followup.when, turn.facts)) return false;
  if (followup.examples !== undefined) return act === ownActOf(followup.id);
  if (followup.like !== undefined) return act === ownActOf(followup.like);
  if (followup.act !== undefined) return followup.act === act || turn.lexiconActs.has(followup.act);
  if (followup.intent !== undefined) return followup.intent === turn.intent;
  return true;
}
