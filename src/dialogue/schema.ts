import { z } from 'zod';
import { INTENT_IDS, OUT_OF_SCOPE } from '../intents/schema.ts';
import { conditionField, defineFacts } from './conditions.ts';

/**
 * Every fact a `when:` may read, with its type: the closed vocabulary of dialogue conditions. The
 * engine computes them each turn (`factsOf`); a condition naming anything else fails to load.
 */
export const DIALOGUE_FACTS = defineFacts({
  'customer.signed_in': 'boolean',
  'account.status': 'enum(active, suspended, closed, registration_pending, none, unknown)',
  topic: 'string',
  'facts.stamps_line': 'boolean',
  'facts.lifted': 'boolean',
  'facts.ticket_open': 'boolean',
  awaiting: 'enum(none, fix_done, reconnect_yes, person_yes, choice)',
  /** An offer the customer said no to in the last turn, which a "yes" can still take. */
  'awaiting.declined': 'enum(none, fix_done, reconnect_yes)',
  /** What an awaited unsuspend retry waits for: the card updated or the password entered. */
  'awaiting.fix': 'enum(none, card, password)',
  /** The topic classifier's reading of this message, and how sure it is (0 to 1). */
  intent: 'string',
  confidence: 'number',
  /** The intent the last turn was counted under (small talk and "not understood" included). */
  last_intent: 'string',
  /** The last account answer gave the opening steps (later answers do not send them again). */
  'facts.steps_given': 'boolean',
  // -- facts of the wait (offers, a person offered, a choice) --
  // -- facts of the account's state (still failing, signed in, closed, closing) --
  // -- facts of suspensions and the Stamps line --
  // -- facts of the topics' own questions (details, password, opening, registration) --
  /** The last account answer sends the customer to the ONE BALANCE & CARRIERS page. */
  'facts.page_named': 'boolean',
  /** The last account answer said that registering finds an account for the details already. */
  'facts.told_account_exists': 'boolean',
  // -- facts of repair (frustration, hurry, several requests) --
  /** The message has words of frustration (the `frustration` word list of intents/dialogue/). */
  'message.frustrated': 'boolean',
  /** The message has words of hurry (the `hurry` word list). */
  'message.hurried': 'boolean',
  /** The topic classifier found more than one request in the message. */
  'message.several_requests': 'boolean',
  // -- facts of the late answers (carriers, stores, prices, what was said) --
  // -- facts of the policies --
  'handoff.ticket_id': 'string',
  'handoff.notified': 'boolean',
  'message.question': 'boolean',
  'support.open': 'boolean',
});

/**
 * Scopes in the order they are tried: the innermost first. `wait` answers what is said while the
 * bot waits for an answer (an offer's yes or no, a choice), before the code's yes / no lexicon
 * takes the rest. `repair` holds the generic answers to
 * shared acts ("how long?", "can you do it for me?"), tried only when nothing more specific
 * answered, the topic's own answer included: just before the bot asks which topic was meant or
 * says it did not understand.
 */
export const SCOPES = ['handoff', 'wait', 'topic', 'account', 'global', 'repair'] as const;
export type Scope = (typeof SCOPES)[number];

/** Acts the code lexicon reads (closed-class words with their negations), not the act reader. */
export const LEXICON_ACTS = ['yes', 'no', 'done', 'not_yet', 'ack'] as const;

/** The placeholders an answer may use; anything else in `{{ }}` fails to load. */
export const PLACEHOLDERS = ['ticketId', 'supportWhen', 'stampsPhone'] as const;

const id = z.string().regex(/^[a-z][a-z0-9_.]*$/, 'an id is lower-case words joined by _ or .');
const example = z.string().trim().min(1, 'an example must not be empty');

export const actsFileSchema = z.strictObject({
  acts: z.record(
    z.string().regex(/^[a-z][a-z0-9_]*$/, 'an act name is lower-case words joined by _'),
    z.strictObject({
      description: z.string().trim().min(1, 'a description is required'),
      examples: z.array(example).min(8, 'at least 8 examples are required'),
      /**
       * Examples of a topic (intents/*.yaml) that the act reader reads as this act instead: the
       * topic classifier keeps them as the topic's ("is anybody there" greets, and asks whether
       * the bot is there, which the dialogue answers).
       */
      claims: z.array(example).optional(),
    }),
  ),
});
export type ActsFile = z.infer<typeof actsFileSchema>;

const text = z.string().trim().min(1, 'a text must not be empty');
const when = conditionField(DIALOGUE_FACTS);
const answerable = z.enum([...INTENT_IDS.filter((intent) => intent !== OUT_OF_SCOPE), 'last_topic']);
const effects = z.strictObject({
  /** Answers as that topic does, checks included; `last_topic` is the conversation's own. */
  topic: answerable.optional(),
  /**
   * The topic the turn is counted under, with full confidence, without running it: the answer is
   * about that topic ("which card is on file?" is the suspension's). Default: `topic`, else the
   * classifier's reading.
   */
  about: answerable.optional(),
  /**
   * Ends with the offer of a person (yes / no), unless support already has a ticket from this
   * conversation (`facts.ticket_open`): then the text says a person will pick it up, and nothing
   * is offered. The say text holds the question, or its variant for an open ticket.
   */
  offer_person: z.literal(true).optional(),
  /** An offer still waiting (a retry after the card update, a reconnect) is asked again after it. */
  remind_offer: z.literal(true).optional(),
  /**
   * With `about`: the text becomes that topic's last answer (the recap later follow-ups are read
   * against), where `about` alone keeps the answer before it.
   */
  recap: z.literal(true).optional(),
  /** False: a message this answers does not count toward "not understood twice". */
  counts_as_miss: z.literal(false).optional(),
});

/** What a variant says: one message, or several said one after the other (each its own bubble). */
const messages = z.union([text.transform((only) => [only]), z.array(text).min(1)]);
/** A variant's `effects` replace the follow-up's own, one by one, when that variant is said. */
const variant = z.strictObject({ when: when.optional(), text: messages, effects: effects.optional() });
export type Variant = z.output<typeof variant>;
/** One text, or variants: the first whose `when` holds is said. */
const say = z.union([text.transform((only): Variant[] => [{ text: [only] }]), z.array(variant).min(1)]);

export const followupSchema = z
  .strictObject({
    id,
    in: z.enum(SCOPES),
    act: z.string().optional(),
    intent: z.enum(INTENT_IDS).optional(),
    /** Its own examples, for a question only this follow-up answers (a topic-local sub-intent). */
    examples: z.array(example).min(3, 'at least 3 examples are required').optional(),
    /** Answers the same question as that follow-up (its examples), in another scope or state. */
    like: id.optional(),
    when: when.optional(),
    say: say.optional(),
    effects: effects.optional(),
  })
  .refine((followup) => followup.say !== undefined || followup.effects?.topic !== undefined, {
    message: 'a follow-up says something or answers as a topic (effects: { topic })',
  })
  .refine(
    (followup) =>
      [followup.act, followup.intent, followup.examples, followup.like].filter((how) => how !== undefined)
        .length <= 1,
    { message: "a follow-up answers an act, an intent, its own examples or another's (like): one of them" },
  );
export type Followup = z.infer<typeof followupSchema>;

/**
 * Named lists of phrases that say something of a message but name no topic of it (hurry, a
 * store's name, frustration): the code finds them, or reads a message again without them
 * (src/dialogue/words.ts says how a phrase is written).
 */
export const wordListsSchema = z.record(
  z.string().regex(/^[a-z][a-z0-9_]*$/, 'a list name is lower-case words joined by _'),
  z.strictObject({
    description: z.string().trim().min(1, 'a description is required'),
    phrases: z.array(z.string().trim().min(1, 'a phrase must not be empty')).min(1),
  }),
);

/** One file of `intents/dialogue/`: shared acts, follow-ups, word lists, or several of them. */
export const dialogueFileSchema = z.strictObject({
  acts: actsFileSchema.shape.acts.optional(),
  followups: z.array(followupSchema).optional(),
  words: wordListsSchema.optional(),
});
export type DialogueFile = z.infer<typeof dialogueFileSchema>;
