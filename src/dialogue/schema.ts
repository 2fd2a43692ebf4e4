import { z } from 'zod';
import { INTENT_IDS, OUT_OF_SCOPE } from '../intents/schema.ts';
import { conditionField, defineFacts } from './conditions.ts';

/** Reasons of the ticket an answer promises should a purchase still fail (see `promise`). */
export const PROMISED_TICKETS = [
  'fails_though_healthy',
  'missing_though_connected',
  'first_class_fails_though_allowed',
] as const;

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
  /** The code lexicon read a yes, a no, or word that something is done (negations handled). */
  'message.yes': 'boolean',
  'message.no': 'boolean',
  'message.done': 'boolean',
  /** The Stamps number was given in the last account answer (not only as the Stamps line). */
  'facts.stamps_number_said': 'boolean',
  // -- facts of the account's state (still failing, signed in, closed, closing) --
  /**
   * The ticket the last answer promised should a purchase still fail (it found nothing wrong, or
   * lifted a hold): its reason, for the next message only.
   */
  'facts.promised_ticket': `enum(none, ${PROMISED_TICKETS.join(', ')})`,
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
  /** The answer the last account answer gave, as `<intent>.<variant>` of intents/ ('' if none is). */
  'recap.answer': 'string',
  /** The last ticket support has from this conversation (not a hand-off), by what it is for. */
  'tickets.last': 'enum(none, reconnect_request, stamps_line, other)',
  /** The conversation has asked Customer Success for a reconnect. */
  'tickets.reconnect_requested': 'boolean',
  /** The last account answer named Customer Success (who reconnects, who looks under other emails). */
  'recap.names_customer_success': 'boolean',
  /** The last answer promised to pass the case on if it still fails (`stillFailingTicket`). */
  'facts.still_failing_promised': 'boolean',
  /** The message opens as a yes-or-no question ("do I need...", "is it..."): closed-class words. */
  'message.yes_no_question': 'boolean',
  /** The wh-word that opens the message ("when will someone answer?": when), '' if none does. */
  'message.question_word': 'enum(none, how, what, when, where, why, who, which)',
  /**
   * The message names a keyword of the topic the classifier read (intents/*.yaml `keywords`), other
   * than failure words: "my registration still fails" names registering, "still failing" nothing.
   */
  'message.names_its_topic': 'boolean',
  /** The message names an email or account id that is not the customer's own (entities). */
  'message.names_other_account': 'boolean',
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
export const PLACEHOLDERS = ['ticketId', 'supportWhen', 'stampsPhone', 'accountLast4', 'opening'] as const;

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
  /**
   * An offer still waiting (a retry after the card update, a reconnect) is asked again after the
   * text, with its quick answers: `true` in one line once it was explained, `in_full` explained
   * again, `with_steps` after the steps of the fix it waits for (a reconnect: in full), `choices`
   * only its quick answers (the text asks it itself).
   */
  remind_offer: z.union([z.literal(true), z.enum(['in_full', 'with_steps', 'choices'])]).optional(),
  /** The open offer (or the one said no to in the last turn) is taken, as a yes would take it. */
  accept_offer: z.literal(true).optional(),
  /**
   * The open offer is said no to: it ends (it is not asked again, whatever `remind_offer` says), and
   * a yes in the next message can still take it.
   */
  decline_offer: z.literal(true).optional(),
  /** False: a message this answers does not count toward "not understood twice". */
  counts_as_miss: z.literal(false).optional(),
  /**
   * `promised`: files the ticket the last answer promised should a purchase still fail
   * (`facts.promised_ticket` names its reason; the follow-up's `when` must require one).
   */
  ticket: z.literal('promised').optional(),
  /**
   * The promise to pass a purchase that still fails to a person holds for the next message:
   * `kept` keeps the one the last answer made, a reason makes it. Without it, the promise ends.
   */
  promise: z.enum(['kept', ...PROMISED_TICKETS]).optional(),
  /**
   * The answer becomes the last account answer, under that topic: the one later follow-ups are
   * about (an answer that gave the opening steps, so that they are not sent again). Default: the
   * last answer stays. `true` (with `about`): the answer becomes the last answer of that topic.
   */
  recap: z.union([answerable, z.literal(true)]).optional(),
});

/**
 * A variant's `effects` replace the follow-up's own, one by one, when that variant is said. Its
 * `text` is one message, or a list of messages sent one after the other.
 */
const variant = z.strictObject({
  when: when.optional(),
  text: z.union([text, z.array(text).min(1)]),
  effects: effects.optional(),
});
export type Variant = z.output<typeof variant>;
/** The messages a variant says, in order. */
export const messagesOf = (variant: Variant): string[] =>
  typeof variant.text === 'string' ? [variant.text] : variant.text;
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
  .refine(
    (followup) =>
      followup.say !== undefined ||
      followup.effects?.topic !== undefined ||
      followup.effects?.remind_offer !== undefined ||
      followup.effects?.accept_offer !== undefined,
    {
      message:
        'a follow-up says something, answers as a topic (effects: { topic }), asks the open offer again (remind_offer) or takes it (accept_offer)',
    },
  )
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
