import { randomUUID } from 'node:crypto';
import type { AccountSummary } from '../accounts/model.ts';
import { botMessage, YES_OR_NO } from '../core/messages.ts';
import {
  createOutputGuard,
  type OutputGuard,
  type OutputGuardOptions,
  SAFE_FALLBACK,
} from '../core/output-guard.ts';
import { redactSecrets, secretsRemovedNote } from '../core/secrets.ts';
import {
  type BotMessage,
  type CheckSummary,
  type Choice,
  type CustomerMessage,
  type Escalation,
  type IncomingMessage,
  STAMPS_PHONE,
  type TranscriptEntry,
  type TurnResult,
  type VerifiedCustomer,
} from '../core/types.ts';
import { ActReader } from '../dialogue/act-reader.ts';
import { factsOf, isYesNoQuestion, scopesOf, type TurnReading } from '../dialogue/facts.ts';
import { type FollowupAnswer, FollowupBook, type FollowupTurn, withAnswers } from '../dialogue/followups.ts';
import { ACKNOWLEDGES, DONE, lexiconActsOf, YES } from '../dialogue/lexicon.ts';
import type { Dialogue } from '../dialogue/load.ts';
import { SCOPES, type Scope } from '../dialogue/schema.ts';
import { WordLists } from '../dialogue/words.ts';
import { ErrorCode, RequestError } from '../errors.ts';
import type { HandoffMessageSink } from '../escalations/handoff-sync.ts';
import { nextOpening, type SupportHours } from '../escalations/support-hours.ts';
import type { IntentDefinition } from '../intents/load.ts';
import { renderTemplate } from '../intents/render.ts';
import {
  type CheckName,
  type IntentId,
  isAccountQuestion,
  isRequest,
  OUT_OF_SCOPE,
  SMALL_TALK_INTENTS,
} from '../intents/schema.ts';
import type { LabelChoice } from '../llm/language-model.ts';
import type { Logger } from '../logger.ts';
import type { Entity } from '../nlu/entities.ts';
import { FUNCTION_WORDS } from '../nlu/features.ts';
import { looksNonEnglish } from '../nlu/language.ts';
import { inTokenForm } from '../nlu/text.ts';
import type { Understander, Understanding } from '../nlu/understand.ts';
import type { CheckRunner } from '../queue/check-queue.ts';
import type { LateTurnScheduler } from '../queue/turn-queue.ts';
import { raceTimeout } from '../timeout.ts';
import {
  type Answerable,
  type AnsweredRequest,
  aboutLiftedSuspension,
  answeredTogether,
  CALLED_STAMPS,
  type Checked,
  CODE_STILL_MISSING,
  howToFix,
  INTENT_LABELS,
  leadingWith,
  offerChoices,
  offerReminder,
  POLICIES,
  type PolicyContext,
  QUESTION,
  type Reply,
  requestReconnect,
  suspendedBecause,
  whatToTellStamps,
} from './policies.ts';
import {
  DEFAULT_CLARIFY_BELOW,
  isUnsure,
  modelUnderstanding,
  readingRequest,
  type SecondReaderPort,
  type TurnReader,
  topicLabels,
} from './second-opinion.ts';
import {
  type ConversationState,
  type ConversationStore,
  handoffTicketId,
  type Offer,
  type Recap,
  type TicketRecord,
} from './store.ts';
import { resolvesTopic, type TurnObserver, tellObservers } from './turn-events.ts';

export interface EngineOptions {
  /**
   * How long a turn waits for its checks before answering that they are still running.
   * @defaultValue 5000
   */
  waitMs: number;
  /**
   * How long work that outlived its turn may still deliver its messages.
   * @defaultValue 600000
   */
  lateDeliveryMs: number;
  /**
   * Ask which of two intents was meant when the best is below this confidence and the runner-up close.
   * @defaultValue 0.6
   */
  clarifyBelow: number;
}

/** Where ticket escalations go (the escalations queue); absent, they stay recorded on the conversation. */
export interface EscalationSink {
  request(request: { conversationId: string; ticketRecordId: string }): Promise<void>;
}

export interface EngineDependencies {
  escalations?: EscalationSink;
  /** Where a message typed while a person has the chat goes, for its ticket; absent, it stays in the chat. */
  handoffSync?: HandoffMessageSink;
  /** When people answer tickets; outside these hours the customer is told when they will. */
  supportHours?: SupportHours;
  understander: Understander;
  intents: readonly IntentDefinition[];
  store: ConversationStore;
  checks: CheckRunner;
  logger: Logger;
  /** Lets another process finish a late turn when this one cannot (it died or is stopping). */
  lateTurns?: LateTurnScheduler;
  /** Shared acts and scoped follow-ups (`intents/dialogue/`); none when absent. */
  dialogue?: Dialogue;
  options?: Partial<EngineOptions>;
  /** The service's secret values and patterns, which no bot message may carry (`guardedMessage`). */
  outputGuard?: Omit<OutputGuardOptions, 'fallback'>;
  /** A language model asked about messages the local reading is unsure of (OPENAI_*); none by default. */
  secondReader?: SecondReaderPort;
  /** Told of every finished turn: metrics, the dashboard's counters, the review inbox. */
  observers?: readonly TurnObserver[];
}

/** Said instead of a bot text the output guard refuses (an unfilled placeholder): short and safe. */

/** Scopes read once the open wait had its turn, before the topic's own answer. */
const EARLY_SCOPES: readonly Scope[] = ['topic', 'account', 'global'];

const CHECKING = 'One moment, I am checking your account.';
const STILL_CHECKING =
  'Your account system is taking longer than usual to answer. I will post what I find here as soon as it arrives.';
const OTHER_ACCOUNT =
  'For your security I only ever look at the account you are signed in with, so I will not look up another email or account number.';

/** Questions of one kind, each with the answer the bot gives to it; the first that matches answers. */
type QuestionAnswers = readonly (readonly [asks: RegExp, answer: string])[];
const answerIn = (questions: QuestionAnswers, text: string): string | undefined =>
  questions.find(([asks]) => asks.test(text))?.[1];
/** "Can I appeal?", "how do I dispute this?": contesting a suspension. */
const APPEALS = /\b(?:appeal\w*|disput\w*|contest\w*|challeng\w*|overturn\w*)\b/i;
/** Money left on an account ("my old balance", "a refund"), not "One Balance", the account's name. */
const LEFT_MONEY =
  /\b(?:(?<!\bone\s)balance|money|funds?|refund\w*|credit(?!\s+(?:check|score|history|report)))\b/i;
/** Words that say no more than "here is an account": "my email is", "it's", "account id". */
const ACCOUNT_FILLER =
  /\b(?:my|the|it|its|it['’]s|is|email|e-?mail|address|account|acct|id|number|no|one\s+balance|here|this|that|try|use|under|with|me|i\s+am|i['’]m|again)\b/gi;
/** Whether `text` is an email or an account id and filler, asking nothing of its own. */
function namesOnlyAnAccount(text: string, entities: readonly Entity[]): boolean {
  const named = entities.filter((entity) => entity.type === 'email' || entity.type === 'account_id');
  if (named.length === 0) return false;
  let rest = text;
  for (const entity of [...named].sort((a, b) => b.start - a.start))
    rest = rest.slice(0, entity.start) + rest.slice(entity.end);
  return !/\p{L}/u.test(rest.replace(ACCOUNT_FILLER, ''));
}
/** Punctuation alone ("???", "...", "?!"): no words at all. */
const PUNCTUATION_ONLY = /^[\s\p{P}]+$/u;
/** "It happened again", "it's back", "suspended again", "same error again": a problem come back. */
const SAYS_IT_CAME_BACK =
  /\b(?:happen(?:ed|ing|s)?|suspended|back|came\s+back|returned|showing|showed\s+up|appear\w*)\s+again\b|\bit['’]?s\s+back\b|\bsame\s+(?:thing|error|problem|alert|message)\b/i;
/** Said, instead of the offer of a person, once support already has the conversation. */
const SUPPORT_HAS_IT = 'Our support team already has this conversation, and a person will pick it up.';
const ESCALATED =
  'I have passed this to our support team with what I found, so a person can pick it up without you repeating yourself.';
const ALREADY_ESCALATED =
  'Our support team already has this from earlier in our conversation, with what I found; a person will pick it up.';
const HANDED_OFF = 'A person from our support team is taking over this conversation; they will answer here.';

/**
 * A reply that asks the open offer again after its text, with the offer's quick answers (see the
 * schema's `remind_offer`); a reconnect, once explained, is asked in one line after that.
 */
function offerAskedAgain(
  reply: Reply,
  open: Offer,
  how: true | 'in_full' | 'with_steps' | 'choices',
  context: PolicyContext,
): { reply: Reply; offer: Offer } {
  const offer = open.kind === 'reconnect' ? { ...open, explained: true } : open;
  if (how === 'choices') return { reply: { ...reply, choices: offerChoices(open) }, offer };
  if (how === 'with_steps' && open.kind === 'unsuspend_retry') {
    const steps = howToFix(context, open);
    return { reply: { ...steps, texts: [...reply.texts, ...steps.texts] }, offer };
  }
  const brief = how === true && open.explained === true;
  return {
    reply: { ...reply, texts: [...reply.texts, offerReminder(open, brief)], choices: offerChoices(open) },
    offer,
  };
}

/** Escalations after which a person owns the conversation (the bot stays silent until handed back). */
const HANDOFF_REASONS = new Set([
  'customer_asked_for_a_person',
  'plan_without_first_class',
  'not_understood_twice',
  'registration_persists',
  'fails_though_healthy',
  'missing_though_connected',
  'first_class_fails_though_allowed',
  'suspended_after_stamps_call',
]);

/**
 * "I changed my password last week, is that why?": asks whether what the customer did is the cause,
 * which is not word that the fix is done.
 */
const IS_THAT_WHY =
  /\b(?:is|was|could|would|might)\s+(?:that|this|it)\s+(?:be\s+)?(?:why|the\s+(?:reason|cause|problem|issue)|because|what\s+caused)\b/i;
/**
 * "I did change my password last week", "I changed it on Monday": the change that suspended the
 * account, told with when it was made, and not the new password entered in the app, which is the fix the bot waits for.
 */
const CONFIRMS_PASSWORD_CHANGE =
  /^(?!.*\b(?:enter\w*|put|typed|saved|in\s+the\s+app|on\s+the\s+page)\b).*\b(?:chang\w*|reset)\b.*\b(?:last\s+(?:week|weekend|month|night|time)|(?:a\s+(?:few|couple\s+of)\s+|an?\s+|one\s+|two\s+|2\s+|three\s+|3\s+|several\s+)?(?:hours?|days?|weeks?)\s+ago|yesterday|the\s+other\s+day|recently|a\s+while\s+(?:ago|back)|this\s+(?:morning|week|weekend)|earlier\s+(?:today|this\s+week)|(?:mon|tues|wednes|thurs|fri|satur|sun)day)\b/i;
/**
 * "Do I need to do anything else?", "is there anything I have to do?": a yes-or-no question about
 * what is left for the customer, answered from what the conversation found (see FOLLOW_UP).
 */
const ANYTHING_TO_DO =
  /(?:do|should|must)\s+i\s+(?:need\s+to\s+|have\s+to\s+)?do\s+(?:anything|something)|(?:is\s+there\s+)?(?:anything|something)(?:\s+(?:else|more))?\s+(?:that\s+)?i\s+(?:need|have|should|must)(?:\s+to)?\s+do/i;
/** "What now?", "what should I do next?": the next step, asked without naming a topic. */
const WHATS_NEXT =
  /^\s*(?:(?:and|so|ok(?:ay)?|then|alright)[\s,.!]+)*(?:what\s+(?:now|next|then)|what\s*(?:['’]s|is)\s+next|now\s+what|then\s+what|what\s+(?:should|do|can|must)\s+i\s+do(?:\s+(?:now|next|then))?|what\s+else\s+(?:can|could|should|do|must)\s+i\s+(?:do|try))\s*[?.!]*\s*$/i;
/**
 * A follow-up that names no topic of its own ("why?", "what was the reason?", "what should I do
 * now?"): it asks about the last answer. The whole message must be one, so that "why is my account
 * suspended" is still classified.
 */
const FOLLOW_UP = new RegExp(
  [
    String.raw`^\s*(?:(?:and|so|but|ok(?:ay)?|sorry|um+|hm+|then|great|cool|perfect|nice|thanks|thank\s+you|alright|all\s+right|got\s+it)[\s,.!]+)*(?:`,
    String.raw`why(?:\s+(?:is|was)\s+(?:that|it|this))?(?:\s+(?:so|though|not))?`,
    String.raw`|(?:${ANYTHING_TO_DO.source})(?:\s+(?:else|more))?(?:\s+(?:now|next|then|meanwhile|in\s+the\s+meantime|for\s+now|on\s+my\s+(?:end|side)))?`,
    String.raw`|(?:what\s*(?:was|is|['’]s)\s+)?the\s+(?:reason|cause|problem|issue)(?:\s+again)?`,
    String.raw`|what\s+(?:should|do|can|must|shall)\s+i\s+(?:need\s+to\s+|have\s+to\s+)?do(?:\s+(?:now|next|then|meanwhile|about\s+(?:it|that|this)))?`,
    String.raw`|what\s+(?:now|next|then)|what\s*(?:['’]s|is)\s+next|now\s+what|then\s+what|what\s+else\s+(?:can|could|should|do|must)\s+i\s+(?:do|try)`,
    String.raw`|what\s+happens\s+(?:now|next|then)|what\s+(?:does|did)\s+(?:that|this|it)\s+mean`,
    String.raw`|what\s+do\s+you\s+mean|what\s+did\s+you\s+(?:find|say)`,
    String.raw`|(?:can\s+you\s+|could\s+you\s+)?(?:please\s+)?(?:explain|repeat|say)\s+(?:that|it|this)(?:\s+again)?(?:\s+please)?`,
    String.raw`|tell\s+me\s+more|more\s+details|come\s+again|pardon|how(?:\s+(?:so|exactly|then))?`,
    // "What are the steps?": the last answer's steps, again.
    String.raw`|(?:what\s+(?:are|were)|(?:show|give|tell)\s+me)\s+(?:the\s+)?steps(?:\s+again)?|(?:the\s+)?steps(?:\s+again)?(?:\s+please)?`,
    String.raw`|how\s+(?:do|can|should)\s+i\s+(?:do|fix|change|reset|update)\s+(?:that|it|this)`,
    String.raw`|(?:why|how)\s+(?:did|does|do|would|could)\s+(?:that|this|it)\s+happen|what\s+happened`,
    // "Was it something I did?": the cause again, as the bot knows it.
    String.raw`|what\s+caused\s+(?:it|that|this)|(?:was|is)\s+(?:it|that|this)\s+(?:something\s+i\s+did|my\s+fault|because\s+of\s+me)`,
    String.raw`|did\s+i\s+(?:do\s+(?:something|anything)(?:\s+(?:wrong|illegal|bad))?|break\s+(?:a|any)\s+rules?|cause\s+(?:it|that|this))`,
    // "What's wrong with it?": what the bot found, again.
    String.raw`|what\s*(?:['’]s|is)\s+(?:wrong|the\s+matter)(?:\s+with\s+(?:it|that|this))?|what\s+went\s+wrong`,
    String.raw`)\s*[?.!]*\s*$`,
  ].join(''),
  'i',
);

const SENTENCE_END = /(?<=[.!?])\s+/;

const NO_WORDS: ReadonlySet<string> = new Set();
/** The words of `text` longer than `longerThan` letters, other than function words and `leftOut`. */
function wordsOf(text: string, longerThan: number, leftOut: ReadonlySet<string> = NO_WORDS): string[] {
  return inTokenForm(text)
    .trim()
    .split(' ')
    .filter((word) => word.length > longerThan && !FUNCTION_WORDS.has(word) && !leftOut.has(word));
}

/** Each sentence of `texts`, with how many of `words` it names. */
function sentencesWithNamed(
  words: readonly string[],
  texts: readonly string[],
): { sentence: string; named: number }[] {
  return texts
    .flatMap((text) => text.split(SENTENCE_END))
    .map((sentence) => {
      const form = inTokenForm(sentence);
      return { sentence, named: words.filter((word) => form.includes(` ${word} `)).length };
    });
}

/** The sentences of `texts` that name a word of `thing` other than a function word. */
function sentencesNaming(thing: string, texts: readonly string[]): string[] {
  const words = wordsOf(thing, 1);
  if (words.length === 0) return [];
  return sentencesWithNamed(words, texts)
    .filter(({ named }) => named > 0)
    .map(({ sentence }) => sentence);
}

/** An answer made of sentences from an earlier one about `topic`. */
const fromWhatITold = (topic: Answerable, sentences: readonly string[]): string =>
  `From what I told you about ${INTENT_LABELS[topic]}: ${sentences.join(' ')}`;

/**
 * Words too common in this domain's answers and questions to say what a question is about: "can
 * you print my labels?" is not answered by a sentence that names labels.
 */
const GENERAL_WORDS: ReadonlySet<string> = new Set(
  (
    'account accounts one balance need needs needed use using used get got want make know help thanks ' +
    'thank app ship shipping way work works time yes tell say said there right sure able go ' +
    'label labels postage stamps com usps ups carrier carriers store stores check checks checked'
  ).split(' '),
);
/** At most this many sentences of an answer can answer a question about it; more is no answer. */
const MAX_ANSWERING_SENTENCES = 2;

/**
 * The sentences of `texts` that best answer a question about them: those naming the most of the
 * question's own words (not function words, not words every answer has). None when no sentence
 * names one, or when too many tie to say which is meant.
 */
function sentencesAnswering(question: string, texts: readonly string[]): string[] {
  const words = wordsOf(question, 2, GENERAL_WORDS);
  if (words.length === 0) return [];
  const scored = sentencesWithNamed(words, texts);
  const best = Math.max(...scored.map(({ named }) => named));
  if (best === 0) return [];
  const answering = scored.filter(({ named }) => named === best).map(({ sentence }) => sentence);
  return answering.length <= MAX_ANSWERING_SENTENCES ? answering : [];
}

/** Topics whose answer is the same text whatever the account: a question on it is answered from it. */
const ANSWER_SAYS_THE_SAME: ReadonlySet<string> = new Set(['open_account', 'pricing', 'close_account']);
/** Venting: said with a question or not, it deserves an apology before the answer. */
const FRUSTRATED =
  /\b(?:ridiculous|annoy\w*|frustrat\w*|useless|terrible|awful|(?:this|that|it)(?:\s+is|['’]s)\s+a\s+joke|what\s+a\s+joke|waste\s+of|ugh+|wtf|unacceptable|fed\s+up|sick\s+of|thanks?\s+(?:you\s+)?(?:a\s+lot\s+|so\s+much\s+)?for\s+nothing|no\s+thanks\s+to\s+you|not\s+(?:very\s+|at\s+all\s+)?helpful|unhelpful|no\s+help\s+at\s+all|cost(?:ing|s)?\s+me\s+(?:money|sales|customers|business|orders)|(?:los(?:ing|e)|lost)\s+(?:money|sales|customers|business|orders)|hurt(?:ing|s)?\s+my\s+(?:business|sales|shop|store))\b/i;
/**
 * Words that say something fails, whatever it is: some intents count them among their keywords
 * ("failing" for registration), but they name no topic.
 */
const FAILURE_WORDS =
  /\b(?:still|again|same|keeps?|fail\w*|errors?|broke\w*|stopped|rejected|not\s+(?:working|going\s+through))\b/gi;
/**
 * A question about a suspension's reason, its review, how long it lasts, whether it comes back, what
 * the customer did wrong or whether it can go faster.
 */
const ABOUT_SUSPENSION =
  /\b(?:review\w*|compliance|suspen\w*|hold|reason|how\s+long|when|lift\w*|declined|payment|balance|again|happen\w*|wrong|speed\w*|faster|quicker|hurry|expedite|rush)\b/i;
/** "How do I prevent that?", "how can I avoid it happening again?", "keep it from happening". */
const PREVENTS =
  /\b(?:prevent\w*|avoid\w*)\b|\b(?:keep|stop)\s+(?:that|it|this)\s+from\s+happening\b|\b(?:make\s+sure|ensure)\s+(?:that\s+|it\s+|this\s+)*(?:does\s*n['’]?t|does\s+not|won['’]?t|will\s+not|never)\s+happen\w*\b/i;
/** A follow-up asking for a cause ("why?", "what happened?", "was it something I did?"), not for the next step. */
const ASKS_WHY = /\b(?:why|happen\w*|reason|caus\w*|fault|something\s+i\s+did|did\s+i\s+(?:do|cause))\b/i;
/** "Can you call them for me?", "could support contact Stamps?": asks the bot to call Stamps. */
const CALL_FOR_ME =
  /\b(?:can|could|would|will)\s+(?:you|someone|somebody|support|your\s+team)\s+(?:please\s+|just\s+)?(?:call|ring|phone|contact|reach|talk\s+to|speak\s+(?:to|with))\s+(?:them|stamps|it)\b|\b(?:call|ring|contact)\s+(?:them|stamps)\s+for\s+me\b/i;
/** "Is there anything I can send you?", "can I upload proof?": offers documents for the review. */
const OFFERS_DOCUMENTS =
  /\b(?:send|upload|provide|submit|email|attach)\s+(?:you|them|stamps|(?:my\s+|a\s+|the\s+|any\s+)?(?:documents?|proof|id|papers?|paperwork|photos?))\b|\b(?:anything|something)\s+(?:i|we)\s+(?:can|could|should|need\s+to)\s+(?:send|upload|provide|submit)\b/i;
/** The answer to CALL_FOR_ME (and to "can you do it for me?" after the Stamps line). */
const CANNOT_CALL_STAMPS = `I cannot make phone calls, sorry, and the suspension is for Stamps to lift. Calling them yourself at ${STAMPS_PHONE} is the fastest way back to shipping; our support team also has your case and will follow up.`;
const STAMPS_NUMBER = `You can reach Stamps at ${STAMPS_PHONE}. Calling them is the fastest way to get the suspension lifted and to ship again.`;
/**
 * "Is there a number I can call?", "what's the phone number?": asks for a number to call, which "what
 * is my account number?" does not.
 */
const ASKS_FOR_NUMBER =
  /\b(?<!(?:account|tracking|card|order|reference|id|case|ticket)\s)(?:number|phone\s+line)\b.*(?:\?|\bcall\b)|\bwhat\s*['’]?s\s+(?:the|that|their)\s+(?:number|phone)\b/i;
/**
 * "Is there a number I can call?", "do you have a phone number?", "can I call you?" before any
 * Stamps line was given: a number for our own support, which the bot does not have.
 */
const ASKS_SUPPORT_PHONE =
  /\bis\s+there\s+(?:a|any)\s+(?:phone\s+)?(?:number|phone\s+line)\b(?!.*\b(?:from|codes?|texts?)\b)|\b(?:support|customer\s+(?:service|support)|your)\s+(?:phone\s+)?(?:number|phone\s+line)\b|\bcan\s+i\s+(?:call|phone|ring)\s+(?:you|someone|somebody|anyone|support|your\s+team)\b|\b(?:phone\s+)?number\s+(?:i|we)\s+can\s+call\b|\bdo\s+(?:you|u)\s+(?:guys\s+)?have\s+a\s+(?:phone(?:\s+(?:number|line))?|number)\b/i;
/** "What's the ticket number?", "do I have a case open?": asks what support has, not for a person. */
const ASKS_ABOUT_TICKET =
  /\b(?:ticket|case|reference|ref)\s*(?:number|no\.?|#|id)\b|\b(?:do|did)\s+(?:i|you|we)\s+(?:have|get|make|open|create|file)\s+(?:a|an|any|my)\s+(?:open\s+|support\s+)?(?:ticket|case)\b(?!\s+(?:for|about)\s+me)|\bis\s+there\s+(?:a|an|any)\s+(?:open\s+|support\s+)?(?:ticket|case)\b/i;
/** Our support has no phone line the bot knows of; a person can take over the chat instead. */
const NO_SUPPORT_PHONE =
  'I do not have a phone number for our support team to give you, but a person from the team can take over this chat.';
/** "What's the Stamps phone number?", "stamps.com number?", "how do I call stamps": the Stamps line, named. */
const ASKS_STAMPS_NUMBER =
  /\bstamps(?:\.com)?(?:['’]s?)?\s+(?:(?:customer\s+)?(?:support|service)\s+)?(?:phone\s+)?(?:number|phone|line)\b|\b(?:number|phone)\s+(?:for|of|to)\s+(?:call\s+)?stamps\b|\bhow\s+(?:do|can)\s+i\s+(?:call|reach|contact|phone)\s+stamps\b/i;
/** Asking for the phone number or whom to call. */
const PHONE_QUESTION = /\b(?:numbers?|phone|call|ring|dial)\b/i;
/** "What are their hours?", "when are they open?": of the Stamps line, which the bot has no hours for. */
const HOURS_QUESTION =
  /\b(?:hours|open(?:ing)?\s+(?:times?|hours)|when\s+(?:are|is)\s+(?:they|it|stamps)\s+open|what\s+time|(?:are|is)\s+(?:they|it|stamps|the\s+line)\s+open|open\s+(?:on\s+)?(?:weekends?|saturdays?|sundays?|today|now|late|24\s*\/\s*7))\b/i;
/** The answer to HOURS_QUESTION: the bot has the Stamps number, not their hours. */
/** "What do I tell them?", "what should I say when I call?": what the call to Stamps is about. */
const ASKS_WHAT_TO_TELL =
  /\bwhat\s+(?:do|should|shall|can|must|would)\s+i\s+(?:tell|say|ask|mention)\b|\bwhat\s+(?:to|should\s+i)\s+(?:tell|say|ask)\b|\bwhat\s+(?:info\w*|details?)\s+(?:do|will|would|should)\s+(?:i|they)\s+(?:need|want|ask)\b/i;
const STAMPS_HOURS = `I do not know Stamps' opening hours, sorry: I only have their number, ${STAMPS_PHONE}, and calling it is the fastest way to get the suspension lifted.`;
/** "How long will it take?", "when will it be back?", "any ETA?": a question of time, of anything. */
const ASKS_TIME =
  /\bhow\s+(?:long|soon)\b|\bwhen\s+(?:will|would|can|could|does|do|is|should)\b|\bhow\s+many\s+(?:days|hours|weeks)\b|\beta\b/i;
/** "Can I ship in the meantime?", "can I still print until then?". */
const MEANWHILE = /\b(?:meanwhile|mean\s*time|until\s+then|(?:can|could|may)\s+i\s+still)\b/i;
/** "I don't understand", "I'm confused", "that makes no sense": the last answer did not land. */
const CONFUSED =
  /^\s*(?:(?:sorry|sry|um+|hm+|huh|what|ok(?:ay)?)[\s,.!?]+)*(?:i\s+(?:do\s*n['’]?t|do\s+not|dont)\s+(?:understand|get\s+it|follow)|i['’]?m\s+(?:confused|lost)|i\s+am\s+(?:confused|lost)|(?:that|this|it)\s+(?:makes\s+no\s+sense|does\s*n['’]?t\s+make\s+(?:any\s+)?sense)|(?:that['’]?s|that\s+is)\s+confusing)(?:\s+(?:that|this|it|you|what\s+you\s+(?:said|mean)))?\s*[?.!]*\s*$/i;
/** "Can you do it for me?", "could you just do that?": the bot asked to make the steps itself. */
const DO_IT_FOR_ME =
  /^\s*(?:(?:so|ok(?:ay)?|well|but)[\s,.!]+)*(?:can|could|would|will)\s+(?:you|u)\s+(?:just\s+|please\s+)?(?:do|handle|sort|fix|set\s+up)\s+(?:it|that|this|them)(?:\s+(?:out|up))?(?:\s+for\s+me)?(?:\s+please)?\s*[?.!]*\s*$/i;
/**
  ],
];
/** "Can I still print meanwhile?", "can I use my balance while it's suspended?", "while this is going on". */
const WHILE_SUSPENDED = new RegExp(
  String.raw`${MEANWHILE.source}|\b(?:until\s+(?:it\s+is|it['’]s)|while\s+(?:it|this|that|the\s+account)\s+is|while\s+(?:it|this|that)['’]s|still\s+(?:use|print|ship|buy))\b`,
  'i',
);
const NO_POSTAGE_WHILE_SUSPENDED = `Not while it is suspended: a suspended account cannot buy postage, so new labels have to wait until Stamps lifts the suspension. Calling them at ${STAMPS_PHONE} is the fastest way back to shipping.`;
/**
 * "Can I still ship UPS while it's suspended?": asks to use the account meanwhile, which "can I
 * close it while it's suspended?" does not.
 */
const asksToShipMeanwhile = (text: string): boolean =>
  WHILE_SUSPENDED.test(text) &&
  /\b(?:print\w*|ship\w*|buy\w*|use|using|purchas\w*|labels?|postage)\b/i.test(text);
/** The carriers One Balance serves, named. */
const NAMES_CARRIER = /\b(?:ups|usps)\b/i;
/** An answer about buying postage, with what it means for the carrier the customer named. */
const forCarrierNamed = (answer: string, text: string): string =>
  NAMES_CARRIER.test(text)
    ? `${answer} That goes for USPS and UPS labels alike: One Balance is one account for both.`
    : answer;
/** "Will they close my account?": asked of a suspension only Stamps can lift (it reads as closing one). */
const FEARS_CLOSING =
  /\b(?:will|would|could|might|are|is)\s+(?:they|stamps|you|it|my\s+account)\s+(?:going\s+to\s+|gonna\s+)?(?:be\s+)?(?:close|closed|cancel\w*|shut|terminat\w*|delet\w*|ban\w*)\b|\b(?:get|be)\s+(?:closed|cancell?ed|terminated|shut\s+down|banned|deleted)\b/i;
/**
 * Questions about a suspension the customer was sent to the Stamps line for, which the bot can answer
 * only in part: how long it takes, whether the account works meanwhile, what becomes of the balance,
 * whether Stamps will say more. Each answer says what the bot knows and hands the rest to Stamps.
 */
const SUSPENDED_QUESTIONS: QuestionAnswers = [
  [
    FEARS_CLOSING,
    `I cannot tell what Stamps will decide: I can see that the account is suspended, and why, but nothing more. They can tell you where it stands and what it takes: call them at ${STAMPS_PHONE}, the fastest way back to shipping.`,
  ],
  [
    ASKS_TIME,
    `I cannot tell how long it will take, sorry: I can see that the account is suspended, but not where that stands. Stamps can: calling them at ${STAMPS_PHONE} is the fastest way to find out and to get back to shipping.`,
  ],
  [WHILE_SUSPENDED, NO_POSTAGE_WHILE_SUSPENDED],
  // "Can you speed it up?", "can you expedite the review?": not the bot's, nor our team's, to hurry.
  [
    /\b(?:speed\s+(?:it|this|that|things|the\s+\w+)?\s*up|hurry|expedite\w*|rush|prioriti[sz]e|fast[-\s]?track|push\s+(?:it|this)\s+through)\b/i,
    `I cannot speed it up from here: lifting the suspension is for Stamps to decide, and I cannot see where it stands. Calling them at ${STAMPS_PHONE} is the fastest way to ask them.`,
  ],
  [
    LEFT_MONEY,
    `I cannot see your balance from here, so I cannot tell you about it, but Stamps, who provide the account, can: call them at ${STAMPS_PHONE}. While the account is suspended, it cannot be used to buy postage.`,
  ],
  [
    /\b(?:will|would|can|could|do|does)\s+(?:they|stamps|someone|somebody)\b/i,
    `Stamps can see more of the suspension than I can, so they are the ones to ask why it happened and what it takes to lift it: call them at ${STAMPS_PHONE}.`,
  ],
];
// Not "one"/"a": "One Balance" and "a suspended account" are not answers to "which one".
const FIRST = /\b(?:first|1st|former|1)\b/i;
const SECOND = /\b(?:second|2nd|latter|2)\b/i;

/**
 * The topic an account's state answers, where a lookup alone tells: none or closed needs a new
 * account, and a suspension or a pending registration is its own topic. An active account does not
 * tell (it may be disconnected, or on the wrong plan).
 */
const SETTLED_BY_ACCOUNT: ReadonlySet<string> = new Set([
  'open_account',
  'explain_suspension',
  'registration_error',
]);
function intentForAccount(account: AccountSummary | null | 'unknown'): Answerable | undefined {
  if (account === 'unknown') return undefined;
  if (account === null || account.status === 'closed') return 'open_account';
  if (account.status === 'suspended') return 'explain_suspension';
  if (account.status === 'registration_pending') return 'registration_error';
  return undefined;
}

const capitalised = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** Fills {{placeholders}}; an unknown one becomes empty rather than leaking its name. */
const render = renderTemplate;

interface TurnWork {
  reply: Reply;
  intent: string;
  confidence: number;
  /** State to save with the reply (besides its patch). */
  stateChanges: Partial<ConversationState>;
  /** The follow-up of intents/dialogue/ that answered, and the act it was read as (for metrics). */
  answeredBy?: { followup: string; act?: string };
}

/**
 * The channel-free core: takes a message of a conversation and returns the bot's messages. Web
 * chat, Slack and Zendesk all call `handle`; they only translate to and from these types.
 */

export class ConversationEngine {
  private readonly options: EngineOptions;
  private readonly answers: Map<string, Record<string, string>>;
  /** Each intent's keywords in token form, for `PolicyContext.mentions`. */
  private readonly keywords: Map<string, string[]>;
  private readonly lateWork = new Set<Promise<unknown>>();
  /** The follow-ups of `intents/dialogue/`, with the reader of their acts. */
  private readonly followups: FollowupBook;
  /** The dialogue data's word lists: hurry, frustration, names that tell no topic. */
  private readonly words: WordLists;
  /** The topics a second reader may pick, with their descriptions. */
  private readonly topicLabels: LabelChoice[];
  /** The last `nextOpening` worked out, and in which minute. */
  private opening: { minute: number; next: string | null } | undefined;
  /** The late turns this process is still finishing: handed over to another process at a stop. */
  private readonly lateTurns = new Map<string, { conversationId: string; turnId: string }>();
  private readonly guard: OutputGuard;

  constructor(private readonly deps: EngineDependencies) {
    this.guard = createOutputGuard({ ...deps.outputGuard, fallback: SAFE_FALLBACK });
    this.options = {
      waitMs: 5_000,
      lateDeliveryMs: 600_000,
      clarifyBelow: DEFAULT_CLARIFY_BELOW,
      ...deps.options,
    };
    this.answers = new Map(deps.intents.map((intent) => [intent.id, intent.answers]));
    const dialogue = deps.dialogue ?? { acts: {}, followups: [] };
    this.followups = new FollowupBook(dialogue, ActReader.train(dialogue, deps.intents));
    this.words = new WordLists(dialogue.words ?? {});
    this.topicLabels = topicLabels(deps.intents);
    this.keywords = new Map(
      deps.intents.map((intent) => [
        intent.id,
        intent.keywords.map(inTokenForm).filter((phrase) => phrase.trim() !== ''),
      ]),
    );
  }

  /** When support hours are set and it is outside them now: when a person will answer. */
  private supportOffline(): string | undefined {
    const opening = this.deps.supportHours ? nextOpening(this.deps.supportHours) : null;
    return opening === null
      ? undefined
      : `Our support team is offline right now; a person will answer from ${opening}.`;
  }

  /**
   * Every bot message the engine says is built here, through the output guard. This is the one
   * choke point that covers them all: the greeting, the notices (secrets removed, checking, still
   * checking) and every reply `finish` turns into messages. The store's `addEntries` is not one: a
   * turn's messages also go back in the HTTP answer without passing it. Nor is `botMessage`: the
   * escalations and the webhook share it, and it has neither the configured secrets nor a logger.
   */
  private guardedMessage(text: string, turnId: string, choices?: readonly Choice[]): BotMessage {
    const guarded = this.guard(text);
    if (guarded.problems.length > 0) {
      const kinds = guarded.problems.map((problem) => problem.kind);
      this.deps.logger.error({ turnId, kinds }, 'bot message failed the output guard');
    }
    return botMessage(guarded.text, turnId, choices);
  }

  /** Whether text in token form (`inTokenForm`) names one of the intent's keywords. */
  private namedIn(words: string, intent: string): boolean {
    return (this.keywords.get(intent) ?? []).some((phrase) => words.includes(phrase));
  }

  /**
   * Whether the message names one of the intent's keywords other than its failure words: "still
   * failing" reads as a registration error to the classifier, but names no registration.
   */
  private namesBeyondFailure(text: string, intent: string): boolean {
    return this.namedIn(inTokenForm(text.replace(FAILURE_WORDS, ' ')), intent);
  }

  /** Opens a conversation; a verified customer's account is looked up once, here. */
  async start(
    customer: VerifiedCustomer | null,
  ): Promise<{ state: ConversationState; messages: BotMessage[] }> {
    const state = this.deps.store.newState(customer);
    const turnId = `t_${randomUUID()}`;
    if (customer !== null) {
      const account = await this.lookup(customer, turnId, this.options.waitMs);
      if (account !== 'unknown') state.account = account;
    }
    const greeting =
      customer === null
        ? 'Hi! I can answer questions about your One Balance postage account. Sign in to the app and I can check your own account too.'
        : 'Hi! You are signed in, so I can check your One Balance account while we talk. What can I help you with?';
    const messages = [this.guardedMessage(greeting, turnId)];
    await this.deps.store.commit(state, messages);
    return { state, messages };
  }

  /**
   * One turn. Resolves when the turn's work is done or its wait bound has passed.
   *
   * `admission` is the channel's own gate (a rate limit), already under way: it runs alongside
   * taking the conversation, so that both cost one round trip, and when it rejects the turn does
   * not run and its error is thrown.
   */
  async handle(message: IncomingMessage, admission?: Promise<unknown>): Promise<TurnResult> {
    const { store } = this.deps;
    const started = performance.now();
    const channel = message.channel ?? 'web';
    const locking = store.lock(message.conversationId);
    // It may fail (Redis down) while the admission is still pending: handled here, so that Node
    // does not see an unhandled rejection; it is awaited (and thrown) below.
    locking.catch(() => undefined);
    if (admission !== undefined) {
      const refused = await admission.then(
        () => undefined,
        (error: unknown) => ({ error }),
      );
      if (refused !== undefined) {
        // Not waited for: the refusal is answered now, the lock is given back when it comes.
        void locking
          .then(({ token, state }) =>
            state === null ? undefined : store.unlock(message.conversationId, token),
          )
          .catch(() => undefined);
        throw refused.error;
      }
    }
    const { token, state } = await locking;
    if (state === null)
      throw new RequestError(ErrorCode.NotFound, `No conversation ${message.conversationId}`);
    let committed = false;
    try {
      const turnId = `t_${randomUUID()}`;
      // A card number, full account number or password typed into the chat is never stored, nor
      // sent on in a ticket: only the masked text goes past this line (the checks, the answer, the
      // transcript all see it), and the raw text is not used again.
      const redacted = redactSecrets(message.text);
      const customerEntry: CustomerMessage = {
        id: `m_${randomUUID()}`,
        role: 'customer',
        text: redacted.text,
        turnId,
        createdAt: new Date().toISOString(),
      };
      if (state.handoff !== undefined) {
        // A person owns the conversation: the message is kept for them, and the customer is told
        // where the conversation is, or answered what the bot can say without acting.
        const { next, messages } = this.whileHandedOff(state, redacted.text, turnId);
        await store.commit(next, [customerEntry, ...messages], token);
        committed = true;
        await this.keepForTicket(state, customerEntry);
        this.observe({ state, next, turnId, channel, text: redacted.text, started, duringHandoff: true });
        return {
          conversationId: state.id,
          turnId,
          messages,
          intent: 'handed_off',
          confidence: 1,
          checks: [],
          escalation: null,
          pending: false,
        };
      }
      // The customer's message goes into the transcript with the first bot message of the turn.
      const unwritten: TranscriptEntry[] = [customerEntry];
      const checks: CheckSummary[] = [];
      const immediate: BotMessage[] = [];
      const context = this.policyContext(state, redacted.text, turnId, checks, immediate, unwritten);
      const understood = { intent: OUT_OF_SCOPE as string, confidence: 0 };
      const secretNote = secretsRemovedNote(redacted.removed);
      if (secretNote !== undefined) {
        // Said first, and written with the customer's message.
        const note = this.guardedMessage(secretNote, turnId);
        unwritten.push(note);
        immediate.push(note);
      }
      const reader: TurnReader = { reader: 'local' };
      const work = this.readAndDecide(state, redacted.text, context, understood, reader);
      const first = await raceTimeout(work, this.options.waitMs, 'timeout' as const);
      if (first === 'timeout') {
        const notice = this.guardedMessage(STILL_CHECKING, turnId);
        // The turn as it started, so that any process can finish it if this one cannot.
        const pending = { turnId, text: redacted.text, state };
        await store.commit(state, [...unwritten.splice(0), notice], token, { pending });
        committed = true;
        this.deliverLater(state.id, turnId, work, checks);
        await this.deps.lateTurns?.schedule(state.id, turnId).catch((error: unknown) => {
          // This process still delivers it; only the safety net is missing.
          this.deps.logger.warn({ err: { message: String(error) }, turnId }, 'late turn not scheduled');
        });
        return {
          conversationId: state.id,
          turnId,
          messages: [...immediate, notice],
          intent: understood.intent,
          confidence: understood.confidence,
          checks: checks.map((check) => ({ ...check })),
          escalation: null,
          pending: true,
          ...reader,
        };
      }
      const { next, messages, tickets, ticketId } = this.finish(state, turnId, first, checks);
      await store.commit(next, [...unwritten.splice(0), ...messages], token);
      committed = true;
      await this.requestTickets(state.id, tickets);
      const resolved = this.observe({
        state,
        next,
        turnId,
        channel,
        text: redacted.text,
        started,
        work: first,
        reader: reader.reader,
        checks,
      });
      return {
        conversationId: state.id,
        turnId,
        messages: [...immediate, ...messages],
        intent: first.intent,
        confidence: first.confidence,
        checks,
        escalation: withTicketId(first.reply.escalation, ticketId),
        pending: false,
        ...reader,
        resolved,
      };
    } finally {
      if (!committed) await store.unlock(state.id, token);
    }
  }

  /**
   * Sends a message saved during the hand-off on to its ticket (src/escalations/handoff-sync.ts). A
   * failure is logged, not thrown: the message is saved, and the next sync finds it by its time.
   */
  private async keepForTicket(state: ConversationState, message: CustomerMessage): Promise<void> {
    const ticketRecordId = state.handoff?.ticketRecordId;
    if (ticketRecordId === undefined) return;
    await this.deps.handoffSync
      ?.messageKept({ conversationId: state.id, messageId: message.id, ticketRecordId })
      .catch((error: unknown) => {
        this.deps.logger.error(
          { err: { message: String(error) }, messageId: message.id },
          'hand-off message not queued',
        );
      });
  }

  /** A turn while a person has the conversation: the follow-ups of the `handoff` scope answer it. */
  private whileHandedOff(
    state: ConversationState,
    text: string,
    turnId: string,
  ): { next: ConversationState; messages: BotMessage[] } {
    const answer = this.followupAnswer(state, text, this.deps.understander.understand(text));
    if (answer === undefined || answer.texts.length === 0 || state.handoff === undefined)
      return { next: state, messages: [] };
    const next = { ...state, handoff: { ...state.handoff, notified: true } };
    return { next, messages: answer.texts.map((answerText) => botMessage(answerText, turnId)) };
  }

  /** A follow-up's reply: its texts, then the topic it answers as (checks included), if any. */
  private async followupReply(
    state: ConversationState,
    text: string,
    reading: TurnReading,
    context: PolicyContext,
    only: readonly Scope[],
  ): Promise<{ found: FollowupAnswer; reply: Reply } | undefined> {
    const found = this.followupAnswer(state, text, reading, only);
    if (found === undefined) return undefined;
    const topic = found.topic as Answerable | undefined;
    const said: Reply = { texts: found.texts };
    let reply = topic === undefined ? said : await POLICIES[topic](context);
    if (topic !== undefined && said.texts.length > 0) reply = leadingWith(said.texts.join(' '), reply);
    return { found, reply };
  }

  /** The follow-up of the active scopes that answers `text`, with its placeholders filled. */
  private followupAnswer(
    state: ConversationState,
    text: string,
    reading: TurnReading,
    only: readonly Scope[] = SCOPES,
  ): FollowupAnswer | undefined {
    const { turn, vars } = this.followupTurn(state, text, reading, only);
    return this.followups.answer(turn, (template) =>
      render(
        withAnswers(template, (id, variant) => this.answerOf(id, variant, vars)),
        vars,
      ),
    );
  }

  /** What the follow-ups read of a turn, and the values of their placeholders. */
  private followupTurn(
    state: ConversationState,
    text: string,
    reading: TurnReading,
    only: readonly Scope[] = SCOPES,
  ): { turn: FollowupTurn; vars: Record<string, string> } {
    const opening = this.nextOpening();
    const supportWhen = this.answerOf('talk_to_human', opening === null ? 'support_open' : 'support_closed', {
      opening: opening ?? '',
    });
    const vars = {
      ticketId: handoffTicketId(state) ?? '',
      supportWhen,
      stampsPhone: STAMPS_PHONE,
      accountLast4: state.account?.accountNumberLast4 ?? '',
      opening: opening ?? '',
    };
    const openingSteps = this.answerOf('open_account', 'default', {});
    const lexicon = lexiconActsOf(text);
    const words = { frustrated: this.words.has('frustration', text), hurried: this.words.has('hurry', text) };
    const facts = factsOf(state, text, opening === null, { ...reading, ...words, lexicon }, openingSteps, {
      recapAnswer: this.recapAnswerOf(state),
      answerOf: (intent, variant) => this.answerOf(intent, variant, vars),
    });
    const turn: FollowupTurn = {
      text,
      intent: reading.intent,
      lexiconActs: lexicon,
      scopes: scopesOf(state),
      answering: scopesOf(state, only),
      facts,
    };
    return { turn, vars };
  }

  /**
   * When people answer next (null while they do), as `nextOpening` says, worked out once a minute:
   * every turn reads it for its follow-ups, some more than once, and it cannot change sooner.
   */
  private nextOpening(): string | null {
    if (!this.deps.supportHours) return null;
    const minute = Math.floor(Date.now() / 60_000);
    if (this.opening?.minute !== minute) this.opening = { minute, next: nextOpening(this.deps.supportHours) };
    return this.opening.next;
  }

  /**
   * What taking an open offer does, after what the follow-up said: a reconnect is requested, a
   * retry after a fix is tried again (as when the customer says the fix is done).
   */
  private async offerTaken(open: Offer, context: PolicyContext, said: Reply): Promise<Reply> {
    const reply =
      open.kind === 'reconnect'
        ? await requestReconnect(context, open.accountId)
        : await POLICIES.explain_suspension({ ...context, fixReported: true });
    return said.texts.length > 0 ? leadingWith(said.texts.join(' '), reply) : reply;
  }

  /** The last answer as `<intent>.<variant>`, when it gave one of its topic's answers word for word. */
  private recapAnswerOf(state: ConversationState): string {
    const { recap } = state;
    if (recap === undefined) return '';
    const templates = Object.entries(this.answers.get(recap.intent) ?? {});
    const given = templates.find(
      ([, template]) => !template.includes('{{') && recap.texts.includes(render(template, {})),
    );
    return given === undefined ? '' : `${recap.intent}.${given[0]}`;
  }

  /** An intent's answer variant with its placeholders filled. */
  private answerOf(intent: string, variant: string, vars: Record<string, string>): string {
    const templates = this.answers.get(intent) ?? {};
    return render(templates[variant] ?? templates.default ?? '', vars);
  }

  /**
   * The turn's work: a second reader asked first when the local reading is unsure (at most once),
   * its topic and act used where the local ones were unsure, then the turn decided as always.
   * Its time counts against the turn's wait: a slow model makes a late answer, not a hung one.
   */
  private async readAndDecide(
    state: ConversationState,
    text: string,
    context: PolicyContext,
    understood: { intent: string; confidence: number },
    reader: TurnReader,
  ): Promise<TurnWork> {
    const opinion = await this.secondOpinion(state, text);
    if (opinion === undefined) return this.decide(state, text, context, understood);
    reader.modelLatencyMs = Math.round(opinion.latencyMs);
    if (opinion.understanding === undefined && opinion.act === undefined)
      return this.decide(state, text, context, understood);
    reader.reader = 'model';
    if (opinion.understanding) context.understanding = opinion.understanding;
    if (opinion.act) this.followups.hint(text, opinion.act);
    try {
      return await this.decide(state, text, context, understood);
    } finally {
      if (opinion.act) this.followups.unhint(text);
    }
  }

  /** What a second reader makes of a message the local reading is unsure of; undefined when not asked. */
  private async secondOpinion(
    state: ConversationState,
    text: string,
  ): Promise<{ understanding?: Understanding; act?: string; latencyMs: number } | undefined> {
    const model = this.deps.secondReader;
    if (model === undefined || looksNonEnglish(text) || lexiconActsOf(text).size > 0) return undefined;
    const local = this.deps.understander.understand(text);
    const reading = { intent: local.intent, confidence: local.confidence, several: local.also !== undefined };
    const { turn } = this.followupTurn(state, text, reading);
    if (!isUnsure(local, this.options.clarifyBelow, this.followups.read(turn) !== undefined))
      return undefined;
    const transcript = await this.deps.store.transcript(state.id).catch(() => []);
    const labels = { topics: this.topicLabels, acts: this.followups.acceptedLabels(turn) };
    const asked = await model.ask(readingRequest(transcript, text, labels, state.lastIntent));
    if (asked.reading === undefined) return { latencyMs: asked.latencyMs };
    const understanding = modelUnderstanding(local, asked.reading);
    return {
      latencyMs: asked.latencyMs,
      ...(understanding ? { understanding } : {}),
      ...(asked.reading.act ? { act: asked.reading.act } : {}),
    };
  }

  /**
   * Tells the observers what the turn did (once it is saved); returns whether its answer resolves
   * the customer's topic. A turn during a hand-off has no work: the bot did not answer it itself.
   */
  private observe(turn: {
    state: ConversationState;
    next: ConversationState;
    turnId: string;
    channel: string;
    text: string;
    started: number;
    work?: TurnWork;
    reader?: 'local' | 'model';
    checks?: readonly CheckSummary[];
    duringHandoff?: boolean;
  }): boolean {
    const { state, next, work, checks = [] } = turn;
    const escalation = work?.reply.escalation;
    const resolved = work !== undefined && resolvesTopic(work.intent, escalation, next, checks);
    const observers = this.deps.observers ?? [];
    if (observers.length === 0) return resolved;
    tellObservers(
      observers,
      {
        conversationId: state.id,
        turnId: turn.turnId,
        channel: turn.channel,
        at: new Date().toISOString(),
        first: state.turns === 0,
        text: turn.text,
        intent: work?.intent ?? 'handed_off',
        confidence: work?.confidence ?? 1,
        reader: turn.reader ?? 'local',
        miss: next.misunderstandings > state.misunderstandings,
        clarificationAsked: next.clarification !== undefined && state.clarification === undefined,
        clarificationAnswered: state.clarification !== undefined && next.clarification === undefined,
        escalation: escalation ? { kind: escalation.kind, reason: escalation.reason } : null,
        handedOff: next.handoff !== undefined && state.handoff === undefined,
        duringHandoff: turn.duringHandoff === true,
        resolved,
        ...(work?.answeredBy ? { answeredBy: work.answeredBy } : {}),
        turnMs: performance.now() - turn.started,
        checks: checks.map(({ name, status, ms }) => ({ name, status, ...(ms === undefined ? {} : { ms }) })),
      },
      (error) => this.deps.logger.error({ err: { message: String(error) } }, 'turn observer failed'),
    );
    return resolved;
  }

  /** Waits for work that outlived its turn (for tests and a graceful stop). */
  async drain(): Promise<void> {
    while (this.lateWork.size > 0) await Promise.allSettled([...this.lateWork]);
  }

  /** At a stop, after `drain` ran out of time: another process takes this one's late turns now. */
  async handOverLateTurns(): Promise<void> {
    const scheduler = this.deps.lateTurns;
    if (scheduler === undefined) return;
    await Promise.allSettled(
      [...this.lateTurns.values()].map(({ conversationId, turnId }) =>
        scheduler.handOver(conversationId, turnId),
      ),
    );
  }

  /**
   * Finishes a late turn that the process which ran it did not: runs it again from the state it
   * started with (its checks are the same jobs, so they are not run twice) and delivers the answer,
   * unless somebody already has.
   */
  async resume(conversationId: string, turnId: string): Promise<void> {
    const pending = await this.deps.store.pendingTurn(conversationId, turnId);
    if (pending === null) return;
    const checks: CheckSummary[] = [];
    const context = this.policyContext(pending.state, pending.text, turnId, checks, [], [], true);
    const understood = { intent: OUT_OF_SCOPE as string, confidence: 0 };
    const work = this.decide(pending.state, pending.text, context, understood);
    const done = await raceTimeout(work, this.options.lateDeliveryMs, 'timeout' as const);
    if (done !== 'timeout') await this.commitLate(conversationId, turnId, done, checks);
  }

  /**
   * Work that outlived its turn: its messages are committed (and published) when it lands. `checks`
   * is the turn's own list, filled in as its checks land, so a ticket filed then carries them.
   */
  private deliverLater(
    conversationId: string,
    turnId: string,
    work: Promise<TurnWork>,
    checks: readonly CheckSummary[],
  ): void {
    const { logger } = this.deps;
    this.lateTurns.set(turnId, { conversationId, turnId });
    const delivery = raceTimeout(work, this.options.lateDeliveryMs, 'timeout' as const)
      .then(async (done) => {
        if (done !== 'timeout') await this.commitLate(conversationId, turnId, done, checks);
      })
      .catch((error: unknown) =>
        // The turn stays pending in Redis: the scheduled takeover delivers it.
        logger.error({ err: { message: String(error) }, conversationId }, 'late delivery failed'),
      )
      .finally(() => {
        this.lateWork.delete(delivery);
        this.lateTurns.delete(turnId);
      });
    this.lateWork.add(delivery);
  }

  /** Delivers a late turn's answer, under the lock, unless another process already has. */
  private async commitLate(
    conversationId: string,
    turnId: string,
    work: TurnWork,
    checks: readonly CheckSummary[],
  ): Promise<void> {
    const { store } = this.deps;
    const { token, state } = await store.lock(conversationId);
    if (state === null) return;
    if (!(await store.isPending(conversationId, turnId).catch(() => false))) {
      await store.unlock(conversationId, token);
      return;
    }
    const { next, messages, tickets } = this.finish(state, turnId, work, checks);
    await store.commit(next, messages, token, { settles: turnId });
    await this.requestTickets(conversationId, tickets);
    const text = [...(await store.transcript(conversationId).catch(() => []))]
      .reverse()
      .find((entry) => entry.role === 'customer' && entry.turnId === turnId)?.text;
    this.observe({
      state,
      next,
      turnId,
      channel: 'web',
      text: text ?? '',
      started: performance.now(),
      work,
      checks,
    });
  }

  /** Sends the turn's new tickets to the escalations queue, once the turn is saved. */
  private async requestTickets(conversationId: string, tickets: readonly TicketRecord[]): Promise<void> {
    for (const ticket of tickets) {
      await this.deps.escalations
        ?.request({ conversationId, ticketRecordId: ticket.id })
        .catch((error: unknown) => {
          // The record stays on the conversation as "requested": an agent or a sweep can still send it.
          this.deps.logger.error(
            { err: { message: String(error) }, ticketRecordId: ticket.id },
            'escalation not queued',
          );
        });
    }
  }

  /** The state after the turn, its bot messages, and the tickets it asks for. */
  private finish(
    state: ConversationState,
    turnId: string,
    work: TurnWork,
    checks: readonly CheckSummary[],
  ): {
    next: ConversationState;
    messages: BotMessage[];
    tickets: TicketRecord[];
    /** The ticket this turn's escalation refers to: new, or an earlier one for the same reason. */
    ticketId: string | undefined;
  } {
    const { reply } = work;
    const texts = [...reply.texts];
    const tickets: TicketRecord[] = [];
    const escalation = reply.escalation;
    // A phone escalation gets a ticket too, so support can follow up after the call.
    const reason = escalation?.kind === 'phone' ? `phone:${escalation.reason}` : escalation?.reason;
    const handsOff = escalation?.kind === 'ticket' && HANDOFF_REASONS.has(escalation.reason);
    // Asking again about the same problem does not file it again: support already has it. A
    // hand-off is the exception: the bot is silent while a person owns the conversation, so a new
    // request for one comes after a hand-back and needs a new ticket.
    const earlier = handsOff ? undefined : state.tickets.find((ticket) => ticket.reason === reason);
    if (escalation !== undefined && reason !== undefined && earlier === undefined) {
      tickets.push({
        id: `e_${randomUUID()}`,
        reason,
        intent: work.intent,
        handoff: handsOff,
        status: 'requested',
        checks: checks.map(({ name, status, result }) => ({ name, status, result })),
        requestedAt: new Date().toISOString(),
      });
    }
    const handoff = tickets.find((ticket) => ticket.handoff);
    if (escalation?.kind === 'ticket')
      texts.push(earlier ? ALREADY_ESCALATED : handoff ? HANDED_OFF : ESCALATED);
    const recap: Recap | undefined =
      // Only account answers are recapped: not small talk, a person or "not understood".
      isAccountQuestion(work.intent) && !('recap' in work.stateChanges)
        ? {
            intent: reply.topic ?? work.intent,
            texts: [...texts],
            ...(reply.choices ? { choices: [...reply.choices] } : {}),
            ...(reply.patch?.offer ? { offer: reply.patch.offer } : {}),
          }
        : undefined;
    // Said after the recap is taken: when people answer is true now, not when the answer is recapped.
    const offline = escalation?.kind === 'ticket' ? this.supportOffline() : undefined;
    if (offline !== undefined) texts.push(offline);
    // The quick answers belong to the question, which the last text asks.
    const messages = texts.map((text, index) =>
      this.guardedMessage(text, turnId, index === texts.length - 1 ? reply.choices : undefined),
    );
    const next: ConversationState = {
      ...state,
      ...work.stateChanges,
      ...reply.patch,
      // For the next message only: this turn's answer invites it, or nothing does.
      stillFailingTicket: reply.patch?.stillFailingTicket,
      ...(recap ? { recap } : {}),
      lastIntent: work.intent,
      turns: state.turns + 1,
      escalations: escalation ? [...state.escalations, escalation] : state.escalations,
      tickets: [...state.tickets, ...tickets],
      ...(handoff ? { handoff: { ticketRecordId: handoff.id, since: new Date().toISOString() } } : {}),
    };
    return { next, messages, tickets, ticketId: (tickets[0] ?? earlier)?.id };
  }

  /** Which intent the message is, in the light of what the conversation is waiting for, and its reply. */
  private async decide(
    state: ConversationState,
    text: string,
    context: PolicyContext,
    understood: { intent: string; confidence: number },
  ): Promise<TurnWork> {
    // The last account answer, which follow-ups are about.
    const { recap } = state;
    // The opening steps, and whether the last answer gave them (several replies depend on it).
    const openingSteps = context.answer('open_account');
    const openingStepsGiven = recap?.texts.includes(openingSteps) === true;
    // Classified once per turn; its entities also tell whether another account was typed in.
    const understanding = context.understanding ?? this.deps.understander.understand(text);
    const note = this.otherAccountNote(state, understanding.entities);
    const withNote = (work: TurnWork): TurnWork =>
      note === undefined ? work : { ...work, reply: leadingWith(note, work.reply) };
    // An intent the conversation decided (an offer answered, a number asked for again), not the
    // classifier: reported with full confidence.
    const settled = (intent: IntentId, reply: Reply, stateChanges: Partial<ConversationState>): TurnWork => {
      Object.assign(understood, { intent, confidence: 1 });
      return { reply, intent, confidence: 1, stateChanges };
    };

    // Support already has a ticket from this conversation (not a hand-off, which a person handed
    // back): the person who picks it up can take anything else too.
    const ticketOpen = state.tickets.some((ticket) => !ticket.handoff);
    // How a reply the bot cannot take further ends: `offerText`, the offer of a person with its yes
    // and no, or word that a person will pick it up once support has the conversation.
    const personOrSupport = (
      offerText: string,
    ): { text: string; choices: Pick<Reply, 'choices'>; stateChanges: Partial<ConversationState> } =>
      ticketOpen
        ? { text: SUPPORT_HAS_IT, choices: {}, stateChanges: {} }
        : { text: offerText, choices: { choices: YES_OR_NO }, stateChanges: { personOffered: true } };

    // The classifier reads English only: a guess at another language's message would answer what
    // the customer did not ask, in words they may not read. Said so, with a person as the way on.
    if (looksNonEnglish(text)) {
      const ending = personOrSupport(
        'If you can, please ask again in English; or a person on our support team can help: shall I pass you to them? (yes / no)',
      );
      return withNote({
        reply: {
          texts: [`Sorry, I can only read and answer English for now. ${ending.text}`],
          ...ending.choices,
        },
        intent: OUT_OF_SCOPE,
        confidence: understanding.confidence,
        stateChanges: {
          clarification: undefined,
          misunderstandings: 0,
          ...(state.offer ? { offer: state.offer } : {}),
          ...ending.stateChanges,
        },
      });
    }

    // "???" or "..." alone carries no words to understand: asked for them, and nothing of the
    // conversation changes (it was a first miss, and a second handed the chat off). What waits for
    // an answer (an offer, a choice between two topics) is asked again below instead.
    if (
      PUNCTUATION_ONLY.test(text) &&
      state.offer === undefined &&
      state.clarification === undefined &&
      state.personOffered !== true
    ) {
      return withNote({
        reply: {
          texts: ['I did not catch a question there. What can I help you with on your One Balance account?'],
        },
        intent: OUT_OF_SCOPE,
        confidence: understanding.confidence,
        stateChanges: {},
      });
    }

    // An offer waits for a yes (or "done") or a no; anything else is a new question and the offer
    // stays open. One said no to in the last turn can still be taken ("actually, yes please").
    // What a turn that does not answer them ends: a pending question between two intents, an offer
    // said no to in the last turn, the offer of a person.
    const waitsEnded = {
      clarification: undefined,
      declinedOffer: undefined,
      personOffered: undefined,
    } satisfies Partial<ConversationState>;
    const { offer } = state;
    const answerable = offer ?? state.declinedOffer;
    // What an answer to a new question changes: the waits end, an open offer stays.
    const changes: Partial<ConversationState> = { ...waitsEnded, ...(offer ? { offer } : {}) };
    // An answer about what the conversation already found: nothing new to recap, and understood.
    const answerAboutSoFar = (
      topic: IntentId,
      answer: string | Reply,
      more: Partial<ConversationState> = {},
    ): TurnWork =>
      withNote(
        settled(topic, typeof answer === 'string' ? { texts: [answer] } : answer, {
          ...changes,
          misunderstandings: 0,
          recap,
          ...more,
        }),
      );
    // A person offered about an account matter, unless support already has the conversation.
    const answeredWithPerson = (
      topic: Answerable,
      texts: readonly string[],
      offerText: string,
      more: Partial<ConversationState> = {},
    ): TurnWork => {
      const ending = personOrSupport(offerText);
      return answerAboutSoFar(
        topic,
        { texts: [...texts, ending.text], ...ending.choices },
        { ...ending.stateChanges, ...more },
      );
    };
    // An offer taken or said no to: the reply is the offer's topic. Said no to, it can still be
    // taken in the next message, and "why?" after it is about the same last answer.
    const offerEnded = (open: Offer, reply: Reply, declinedOffer?: Offer): TurnWork =>
      settled(open.kind === 'reconnect' ? 'reconnect_account' : 'explain_suspension', reply, {
        offer: undefined,
        declinedOffer,
        personOffered: undefined,
        misunderstandings: 0,
        ...(declinedOffer ? { recap } : {}),
      });
    // Asked again in other words ("is UPS included?" right after the prices), the same answer would
    // come back word for word: the sentences that name what is asked say it better. Not for steps
    // (a list), nor when the answer offers or escalates; the whole answer stays the recap.
    const saidBetter = (answering: Answerable, reply: Reply): TurnWork | undefined => {
      const sameAgain =
        recap?.intent === answering &&
        reply.escalation === undefined &&
        reply.choices === undefined &&
        reply.texts.length === recap.texts.length &&
        reply.texts.every((answer, index) => answer === recap.texts[index] && !answer.includes('\n'));
      if (!sameAgain) return undefined;
      const sentences = sentencesNaming(text, reply.texts);
      const all = reply.texts.flatMap((answer) => answer.split(SENTENCE_END)).length;
      if (sentences.length === 0 || sentences.length >= all) return undefined;
      // The answer's own state changes stand ("tell me if it still fails" holds as before).
      return answerAboutSoFar(answering, { ...reply, texts: [fromWhatITold(answering, sentences)] });
    };
    let intent = understanding.intent;
    let confidence = understanding.confidence;
    // A follow-up's promise of a ticket should a purchase still fail, and the ticket it files.
    const promisedTicketWork = (found: FollowupAnswer): Pick<Reply, 'patch' | 'escalation'> => {
      const promised = state.stillFailingTicket;
      const promise = found.promise === 'kept' ? promised : found.promise;
      return {
        ...(promise ? { patch: { stillFailingTicket: promise } } : {}),
        ...(found.filesPromisedTicket && promised
          ? { escalation: { kind: 'ticket', reason: promised, status: 'requested' } }
          : {}),
      };
    };
    // The follow-ups of intents/dialogue/ the active scopes accept: those about an open wait first
    // (below), the others once the wait had its turn, and all again before any repair (the
    // reading may be settled by then).
    const followupWork = async (only: readonly Scope[] = SCOPES): Promise<TurnWork | undefined> => {
      const reading = {
        intent,
        confidence,
        namesOtherAccount: note !== undefined,
        namesItsTopic: intent !== OUT_OF_SCOPE && this.namesBeyondFailure(text, intent),
        several: understanding.also !== undefined,
      };
      const answered = await this.followupReply(state, text, reading, context, only);
      if (answered === undefined) return undefined;
      const { id, act } = answered.found;
      return { ...(await workOfFollowup(answered)), answeredBy: { followup: id, ...(act ? { act } : {}) } };
    };
    const workOfFollowup = async (answered: { found: FollowupAnswer; reply: Reply }): Promise<TurnWork> => {
      const { found } = answered;
      // Taken or said no to, the offer ends as the lexicon's yes or no would end it.
      if (found.acceptsOffer && answerable !== undefined)
        return withNote(offerEnded(answerable, await this.offerTaken(answerable, context, answered.reply)));
      if (found.declinesOffer && offer !== undefined)
        return withNote(offerEnded(offer, answered.reply, offer));
      let { reply } = answered;
      // Answered as a topic, and nothing said before it: as the topic's own answer would be.
      if (found.topic !== undefined && found.texts.length === 0) {
        const better = saidBetter(found.topic as Answerable, reply);
        if (better !== undefined) return better;
      }
      let stateChanges: Partial<ConversationState> = {
        ...changes,
        misunderstandings: found.countsAsMiss ? 0 : state.misunderstandings,
      };
      if (found.offersPerson && !ticketOpen) {
        reply = { ...reply, choices: YES_OR_NO };
        stateChanges = { ...stateChanges, personOffered: true };
      }
      if (found.remindsOffer !== undefined && offer !== undefined) {
        const asked = offerAskedAgain(reply, offer, found.remindsOffer, context);
        reply = asked.reply;
        stateChanges = { ...stateChanges, offer: asked.offer };
      }
      reply = { ...reply, ...promisedTicketWork(found) };
      const recapNow = found.recap ? { intent: found.recap, texts: [...reply.texts] } : recap;
      if (found.recap) stateChanges = { ...stateChanges, recap: recapNow };
      if (found.about !== undefined && found.topic === undefined)
        return withNote(
          settled(found.about as IntentId, reply, { ...stateChanges, misunderstandings: 0, recap: recapNow }),
        );
      return withNote({ reply, intent: found.topic ?? intent, confidence, stateChanges });
    };
    // Word that the awaited fix is made ("I updated my card") is the wait's answer, whatever else
    // it names: the code lexicon takes it below.
    const aboutTheWait = context.fixReported ? undefined : await followupWork(['wait']);
    if (aboutTheWait !== undefined) return aboutTheWait;
    if (answerable !== undefined) {
      // A yes to a reconnect offer (or to one said no to in the last turn) asks for it; word that
      // the awaited fix is made has the retry tried.
      if (answerable.kind === 'reconnect' && YES.test(text))
        return offerEnded(answerable, await requestReconnect(context, answerable.accountId));
      if (answerable.kind === 'unsuspend_retry' && context.fixReported)
        return offerEnded(answerable, await POLICIES.explain_suspension(context));
    }

    // The out-of-scope answer ends by offering a person; it is answered in the next message or not
    // at all, so that a "yes" much later does not bring one in unasked. "ok thanks" is a thank-you,
    // not a yes.
    if (state.personOffered === true) {
      const accepts =
        YES.test(text) && understanding.intent !== 'thanks' && understanding.intent !== 'goodbye';
      if (accepts)
        return withNote(
          settled('talk_to_human', await POLICIES.talk_to_human(context), {
            personOffered: undefined,
            declinedOffer: undefined,
            misunderstandings: 0,
          }),
        );
    }

    const early = await followupWork(EARLY_SCOPES);
    if (early !== undefined) return early;

    // What the last answer promised should a purchase still fail (a ticket; intents/dialogue/
    // account.yaml files it), kept for one more message by a reply that does not answer it.
    const { stillFailingTicket } = state;
    const promiseKept: Pick<Reply, 'patch'> = stillFailingTicket ? { patch: { stillFailingTicket } } : {};
    // What the last answer was about, even if a message the bot did not understand came after it.
    const lastIntent = recap?.intent ?? state.lastIntent;
    const { account } = state;
    const closedAccount = account?.status === 'closed';
    // The last answer lifted a suspension: the account can buy postage again.
    const liftedJustNow = state.liftedSuspension !== undefined && state.lastIntent === 'explain_suspension';

    // "OB-1003" or "my email is x@y" and nothing more asks nothing: only the note (it was read as
    // a guess between two topics, asked which).
    const onlyAnAccount = note !== undefined && namesOnlyAnAccount(text, understanding.entities);
    if (onlyAnAccount) intent = OUT_OF_SCOPE;
    // A reply understood as this turn's intent that ends with the offer of a person (or word that
    // support already has the conversation).
    const endingWithPerson = (said: readonly string[], offerText: string): TurnWork => {
      const ending = personOrSupport(offerText);
      return withNote({
        reply: { texts: [[...said, ending.text].join(' ')], ...ending.choices },
        intent,
        confidence,
        stateChanges: { ...changes, misunderstandings: 0, ...ending.stateChanges },
      });
    };

    if (state.clarification !== undefined) {
      const chosen = this.resolveClarification(state.clarification.options, text);
      if (chosen !== undefined) {
        intent = chosen;
        confidence = 1;
      }
    }

    // The open offer explained again, for a message that is not understood or asks about it.
    const remindOffer = (open: Offer): TurnWork => {
      Object.assign(understood, { intent: OUT_OF_SCOPE, confidence });
      // "I'm losing sales because of this" while an offer waits: sorry first, then the same offer.
      const sorry = FRUSTRATED.test(text) ? ['I am sorry this has been so frustrating.'] : [];
      return withNote({
        reply: { texts: [...sorry, offerReminder(open)], choices: offerChoices(open) },
        intent: OUT_OF_SCOPE,
        confidence,
        stateChanges: changes,
      });
    };

    // "Why?", "what should I do now?": about the last answer, whatever the classifier guessed from
    // words that name no topic. An open reconnect offer is what such a question is most likely
    // about; a retry waiting for "done" is not (the reason and the fix are in the last answer,
    // which ends with the same wait).
    // After registration troubleshooting, "what else can I try?" says the error persists (a person
    // is brought in below), not a question about the answer.
    const followUp =
      confidence < 1 &&
      FOLLOW_UP.test(text) &&
      !(recap?.intent === 'registration_error' && CODE_STILL_MISSING.test(text));
    // A question about the suspension the bot answered last ("why?") or about any suspension
    // ("will it happen again?"), while no retry waits for a fix (which is explained again instead).
    const asksAboutSuspension =
      offer === undefined &&
      (followUp
        ? recap?.intent === 'explain_suspension' && ASKS_WHY.test(text)
        : ABOUT_SUSPENSION.test(text));
    // The suspension the customer was sent to the Stamps line for, if any.
    const phoneReason = state.escalations.filter((escalation) => escalation.kind === 'phone').at(-1)?.reason;
    // "I called them and they said to contact you", "Stamps told me it's fine now": the account is
    // checked again, and still suspended after the call, a person takes it up (the policy says so).
    if (phoneReason !== undefined && CALLED_STAMPS.test(text) && !isAccountQuestion(intent))
      intent = 'explain_suspension';
    // "How do I prevent that?" after a suspension was explained or lifted: what usually causes one
    // and what avoids it, since the bot cannot see what led to this one.
    if (
      PREVENTS.test(text) &&
      (intent === OUT_OF_SCOPE || intent === 'explain_suspension') &&
      (state.liftedSuspension !== undefined ||
        recap?.intent === 'explain_suspension' ||
        phoneReason !== undefined)
    )
      return answerAboutSoFar(
        'explain_suspension',
        `I cannot see what led to your account's suspension, so I cannot say for sure. The usual causes are a Stamps.com password changed without the new one being entered on the ONE BALANCE & CARRIERS page, a declined payment, or an unpaid balance: keeping the password there up to date and the payment card valid avoids those. Stamps can tell you more at ${STAMPS_PHONE}.`,
      );
    // A suspension the bot lifted earlier: "what was the hold for?", "will it happen again?", or
    // "why?" right after the lift get what it was and who knows more, not "nothing is wrong" or
    // "I can only help with...".
    const { liftedSuspension } = state;
    // "It happened again" after the lift: what the bot said to tell it, so the account is checked
    // again (it was answered with what the hold was, and "if it comes back, tell me").
    if (
      liftedSuspension !== undefined &&
      !isAccountQuestion(intent) &&
      !QUESTION.test(text) &&
      SAYS_IT_CAME_BACK.test(text)
    )
      intent = 'explain_suspension';
    else if (liftedSuspension !== undefined && asksAboutSuspension && (followUp || intent === OUT_OF_SCOPE)) {
      return answerAboutSoFar(
        'explain_suspension',
        `${aboutLiftedSuspension(liftedSuspension)} If it comes back, tell me and I will try to lift it again.`,
      );
    }
    // Once the bot has sent the customer to the Stamps line, "what's the number again?" gets the
    // number, and a question about the suspension it cannot answer ("what is a compliance review?",
    // "how long will it take?", "why?") gets its reason and who can, rather than "I can only help
    // with..." or the last answer again.
    // A visitor given the Stamps line in the general steps has no escalation, but the same number.
    const stampsLineGiven =
      phoneReason !== undefined || recap?.texts.some((answer) => answer.includes(STAMPS_PHONE)) === true;
    const stampsAnswer =
      phoneReason === undefined
        ? stampsLineGiven && HOURS_QUESTION.test(text)
          ? STAMPS_HOURS
          : undefined
        : HOURS_QUESTION.test(text)
          ? STAMPS_HOURS
          : ASKS_WHAT_TO_TELL.test(text)
            ? whatToTellStamps(phoneReason)
            : PHONE_QUESTION.test(text)
              ? STAMPS_NUMBER
              : ((offer === undefined ? answerIn(SUSPENDED_QUESTIONS, text) : undefined) ??
                (asksAboutSuspension
                  ? `${suspendedBecause(phoneReason)} I cannot see more of the suspension than that, and I cannot lift it from here. Stamps can tell you where it stands and what it takes: call them at ${STAMPS_PHONE}, the fastest way back to shipping.`
                  : undefined));
    if ((followUp || (phoneReason !== undefined && FEARS_CLOSING.test(text))) && stampsAnswer !== undefined)
      return answerAboutSoFar('explain_suspension', stampsAnswer);
    // "Can I appeal?" after the Stamps line (out of scope, answered as if nothing were open): the
    // decision is Stamps's, and so is how to contest it.
    if (
      phoneReason !== undefined &&
      (intent === OUT_OF_SCOPE || intent === 'explain_suspension') &&
      APPEALS.test(text)
    )
      return answerAboutSoFar(
        'explain_suspension',
        `Whether and how the suspension can be appealed is for Stamps to say, as they decide on it: call them at ${STAMPS_PHONE}, the fastest way back to shipping.`,
      );
    // "Can I still print UPS labels?" from a customer whose account the lookup found suspended, before
    // any suspension answer: read as the prices (0.76), it said nothing of what stops the labels.
    // The suspension check answers it.
    if (
      (intent === 'pricing' || intent === OUT_OF_SCOPE) &&
      phoneReason === undefined &&
      offer === undefined &&
      state.account?.status === 'suspended' &&
      asksToShipMeanwhile(text)
    )
      intent = 'explain_suspension';
    // "Can I print labels while it's suspended?" reads as the suspension itself (0.99), which would
    // check the account again; once Stamps is the way out, the customer asks what works meanwhile.
    // "Can I still use UPS while this is going on?" reads as the prices (0.50), for the carrier it
    // names: it asks the same, and the answer says the account is one for both carriers.
    if (
      (intent === 'explain_suspension' || intent === 'pricing') &&
      phoneReason !== undefined &&
      offer === undefined &&
      stampsAnswer !== undefined &&
      asksToShipMeanwhile(text)
    )
      return answerAboutSoFar(
        'explain_suspension',
        stampsAnswer === NO_POSTAGE_WHILE_SUSPENDED ? forCarrierNamed(stampsAnswer, text) : stampsAnswer,
      );
    // "Is there a number I can call?" once the Stamps line was given (to a visitor too, who has no
    // escalation) asks for that number, not for a person of ours (it reads as one, at 0.97).
    if (
      stampsLineGiven &&
      (ASKS_FOR_NUMBER.test(text) || ASKS_SUPPORT_PHONE.test(text)) &&
      !context.mentions('talk_to_human')
    )
      return answerAboutSoFar('explain_suspension', STAMPS_NUMBER);
    // "What's the Stamps phone number?" names whose number it wants: the Stamps line, at any point
    // (it was asked between a person and the prices). What it is for comes with it.
    if (offer === undefined && ASKS_STAMPS_NUMBER.test(text))
      return answerAboutSoFar(
        'explain_suspension',
        stampsLineGiven
          ? STAMPS_NUMBER
          : `Stamps is at ${STAMPS_PHONE}. Calling them is the fastest way back to shipping when a One Balance account is suspended and cannot be lifted here; if postage will not go through, tell me what happens and I will check what I can first.`,
      );
    // "What's the ticket number?", "do I have a ticket?" read as asking for a person (0.98), which
    // handed the chat off unasked: what support has of this conversation, and nothing filed.
    if (offer === undefined && ASKS_ABOUT_TICKET.test(text)) {
      const ticket = state.tickets.at(-1);
      return answerAboutSoFar(
        'talk_to_human',
        ticket === undefined
          ? 'I have not passed this conversation to our support team, so there is no ticket for it. If you would like a person to look into it, say "talk to a person".'
          : ticket.ticketId === undefined
            ? 'Our support team has your case: its ticket is being created, so I do not have its number yet. A person will follow up with you.'
            : `Our support team has your case under ticket #${ticket.ticketId}. A person will follow up with you.`,
      );
    }
    // "Is there a number I can call?" with no Stamps line given reads as wanting a person (0.97) and
    // handed the chat off unasked: the bot has no number for our support, and a person can take
    // over the chat instead, if the customer wants one.
    if (offer === undefined && !stampsLineGiven && ASKS_SUPPORT_PHONE.test(text))
      return answeredWithPerson(
        (recap?.intent as Answerable | undefined) ?? 'talk_to_human',
        [NO_SUPPORT_PHONE],
        'Shall I pass you to them? (yes / no)',
      );
    // "Can you call them for me?" reads as asking for a person, "anything I can send you?" as small
    // talk: both ask the bot to act for the customer with Stamps, which it cannot.
    if (phoneReason !== undefined && CALL_FOR_ME.test(text))
      return answerAboutSoFar('explain_suspension', CANNOT_CALL_STAMPS);
    if (phoneReason !== undefined && OFFERS_DOCUMENTS.test(text))
      return answerAboutSoFar(
        'explain_suspension',
        `There is nothing to send me: I cannot take documents here, and the suspension is for Stamps to lift. When you call them at ${STAMPS_PHONE}, they can tell you whether they need anything from you.`,
      );
    // "I don't understand", "I'm confused": the last answer did not land, which is no new topic to
    // count as a misunderstanding. It comes again, with a person to explain it; with nothing said
    // yet, the customer is asked what they need.
    if (offer === undefined && CONFUSED.test(text)) {
      if (recap === undefined)
        return answerAboutSoFar(
          'greeting',
          'Sorry, I did not mean to confuse you. Tell me in a few words what you are trying to do, for example buy postage, find your account details or open an account, and I will take it from there.',
        );
      return answeredWithPerson(
        recap.intent as Answerable,
        ['Sorry, that was not clear. Here it is again:', ...recap.texts],
        'If it is still unclear, a person on our support team can go through it with you: shall I pass you to them? (yes / no)',
      );
    }
    // "Can you do it for me?" after steps the customer must take: what the bot cannot do, and why,
    // rather than "I can only help with...". Closing has its own answer (CLOSE_IT_FOR_ME), and a
    // reconnect offer takes it as the yes.
    if (offer === undefined && DO_IT_FOR_ME.test(text)) {
      const topic = recap?.intent as Answerable | undefined;
      const cannot =
        phoneReason !== undefined
          ? CANNOT_CALL_STAMPS
          : topic === 'registration_error' || topic === 'open_account'
            ? 'I cannot fill in the registration for you: it needs your payment card and a code sent to your phone, so only you can complete it. The steps I gave walk you through it.'
            : topic === 'reset_stamps_password' || topic === 'log_in' || topic === 'find_credentials'
              ? 'I cannot do that for you: it needs your Stamps.com login, which only you should use, and I never see passwords.'
              : 'I cannot make changes to your account from this chat: I can check it, try to lift a suspension and ask Customer Success to reconnect it, and the rest is yours to do in the app.';
      if (phoneReason !== undefined) return answerAboutSoFar('explain_suspension', cannot);
      return answeredWithPerson(
        topic ?? 'talk_to_human',
        [cannot],
        'A person on our support team can help if you get stuck: shall I pass you to them? (yes / no)',
      );
    }
    if (followUp) {
      if (offer !== undefined && (offer.kind === 'reconnect' || recap === undefined))
        return remindOffer(offer);
      // "Anything else I need to do?" gets a yes or a no where the conversation knows what is
      // left; where it does not (steps given, nothing found yet), the last answer again.
      // "What now?" is the same question where something is left to do (call Stamps, wait for a
      // person); "No, nothing else" would not answer it.
      const about = lastIntent as Answerable | undefined;
      const asksWhatsNext = WHATS_NEXT.test(text);
      if (offer === undefined && about !== undefined && (ANYTHING_TO_DO.test(text) || asksWhatsNext)) {
        const foundNothingWrong =
          state.stillFailingTicket !== undefined || (liftedJustNow && state.account?.status === 'active');
        if (foundNothingWrong && !asksWhatsNext)
          return answerAboutSoFar(about, {
            texts: [
              'No, there is nothing else you need to do: as far as I can see, your account is in order. If something still fails, tell me and I will bring in a person.',
            ],
            patch: { stillFailingTicket: state.stillFailingTicket ?? 'fails_though_healthy' },
          });
        if (phoneReason !== undefined)
          return answerAboutSoFar(
            about,
            `Just one thing: call Stamps at ${STAMPS_PHONE}. The suspension is theirs to lift, and calling is the fastest way back to shipping.${ticketOpen ? ' Our support team has your case as well and will follow up.' : ''}`,
          );
        if (ticketOpen)
          return answerAboutSoFar(
            about,
            'Nothing for now: our support team has your case, and a person will follow up with you. If anything changes in the meantime, tell me here.',
          );
      }
      if (recap !== undefined) {
        const topic = recap.intent as Answerable;
        return answerAboutSoFar(topic, {
          texts: [`Here again is what I told you about ${INTENT_LABELS[topic]}:`, ...recap.texts],
          ...(recap.choices ? { choices: recap.choices } : {}),
          ...(recap.offer ? { patch: { offer: recap.offer } } : {}),
        });
      }
      // Nothing to go back to: the words alone name no topic ("why?" is not a suspension).
      intent = OUT_OF_SCOPE;
    }
    // What the message says besides a topic, read as the follow-ups read it (the acts of
    // intents/dialogue/signals.yaml), and its words of hurry or frustration (the word lists there).
    const said = this.followups.read(
      this.followupTurn(state, text, { intent, confidence, several: understanding.also !== undefined }).turn,
    );
    // "And UPS?" after the prices: one thing the last answer spoke of, which alone names no topic.
    // The sentences that name it are what the customer asks for, not the whole answer again.
    if (said === 'about_one_thing' && intent === OUT_OF_SCOPE && offer === undefined && recap !== undefined) {
      const sentences = sentencesNaming(text, recap.texts);
      if (sentences.length > 0) {
        const topic = recap.intent as Answerable;
        return answerAboutSoFar(topic, fromWhatITold(topic, sentences));
      }
    }
    // Venting or hurry, understood below, is no question between two topics.
    let weakSmallTalk = SMALL_TALK_INTENTS.has(intent) && confidence < 0.5;
    const frustrated = this.words.has('frustration', text);
    const hurried = this.words.has('hurry', text);
    // The message read again without the words of a word list, which say nothing of its topic: a
    // clear account topic in the rest is taken as the turn's.
    const readWithout = (list: string): boolean => {
      const without = this.words.without(list, text);
      if (without === text) return false;
      const rest = this.deps.understander.understand(without);
      if (rest.intent === OUT_OF_SCOPE || SMALL_TALK_INTENTS.has(rest.intent) || rest.confidence < 0.5)
        return false;
      intent = rest.intent;
      confidence = rest.confidence;
      return true;
    };
    // "I need to ship something today but my account is gone" reads as an opener ("I need
    // something"): the hurry says nothing of the topic, so the rest of the message is read alone,
    // and a clear account topic there is answered rather than asked for.
    if (
      (weakSmallTalk || intent === OUT_OF_SCOPE) &&
      !frustrated &&
      offer === undefined &&
      hurried &&
      readWithout('hurry')
    )
      weakSmallTalk = false;
    // "My Amazon orders won't print, account suspended" or "my ShippingEasy postage won't go
    // through" reads as out of scope for the store's or the app's name, which says nothing of the
    // topic: the rest is read alone, as for hurry above.
    if (intent === OUT_OF_SCOPE && offer === undefined) readWithout('shop_names');
    // "Thanks for nothing", "this was useless, bye": a thank-you or a goodbye said in frustration
    // is venting too, not one to answer with "you're welcome".
    // A weak guess at a topic is venting too when frustration is all the message clearly says
    // ("THIS IS COSTING ME MONEY" reads as the prices at 0.46, beside closing at 0.45).
    const venting =
      (intent === OUT_OF_SCOPE ||
        weakSmallTalk ||
        (frustrated && (intent === 'thanks' || intent === 'goodbye' || confidence < 0.5))) &&
      (frustrated || hurried);
    // "Do I need a phone number?" right after the opening steps names no topic the classifier knows
    // (or reads as asking for a person, unsure and naming none, or as the same topic again), but the
    // last answer speaks of it: the sentences that name the question's own words answer it, rather
    // than a question between two topics or the whole answer again. Only a yes-or-no question: "what
    // number does it send from?" is not answered by a sentence that names a number. Only a topic
    // whose answer is the same text each time: "is it still suspended?" checks again.
    const unsureOfPerson =
      intent === 'talk_to_human' &&
      confidence < 0.9 &&
      understanding.also === undefined &&
      !context.mentions('talk_to_human');
    // Asked of the intent as it stands where it is used: rules between may settle it otherwise.
    const fromLastAnswer = (understoodAs: string): string[] =>
      (understoodAs === OUT_OF_SCOPE ||
        (understoodAs === 'talk_to_human' && unsureOfPerson) ||
        (understoodAs === recap?.intent && ANSWER_SAYS_THE_SAME.has(understoodAs)) ||
        // A weak guess at another topic ("do I need to enter my card again?" as a reconnect at
        // 0.30, right after the opening steps) is no better than none.
        (confidence < this.options.clarifyBelow &&
          recap !== undefined &&
          ANSWER_SAYS_THE_SAME.has(recap.intent))) &&
      offer === undefined &&
      recap !== undefined &&
      isYesNoQuestion(text)
        ? sentencesAnswering(text, recap.texts)
        : [];
    if (
      confidence < 1 &&
      !followUp &&
      understanding.also === undefined &&
      !venting &&
      !onlyAnAccount &&
      fromLastAnswer(intent).length === 0
    ) {
      const options = this.clarificationOptions(understanding);
      // A signed-in customer's account often tells which of the two is meant: "it says my account
      // is closed" is about opening a new one for an account the lookup finds closed, whatever the
      // words also say of suspensions. Only asked where an option is such a topic, which would
      // look the account up first anyway.
      const byAccount =
        options !== undefined &&
        state.customer !== null &&
        options.some((option) => SETTLED_BY_ACCOUNT.has(option))
          ? intentForAccount(await context.account())
          : undefined;
      // "I can't find my one balance in the app", between the details (or logging in) and a missing
      // account: for a signed-in customer the connection check answers both, with the details'
      // place when connected and the reconnect offer when not.
      const missingOrDetails =
        options !== undefined &&
        state.customer !== null &&
        options.includes('reconnect_account') &&
        (options.includes('find_credentials') || options.includes('log_in'));
      if (options !== undefined && byAccount !== undefined && options.includes(byAccount)) {
        intent = byAccount;
      } else if (missingOrDetails) {
        intent = 'reconnect_account';
      } else if (options !== undefined) {
        const followup = await followupWork();
        if (followup !== undefined) return followup;
        const [a, b] = options;
        const question = context.answer(OUT_OF_SCOPE, 'which_topic', {
          first: INTENT_LABELS[a],
          second: INTENT_LABELS[b],
        });
        return withNote({
          reply: {
            texts: [question],
            choices: [
              { label: capitalised(INTENT_LABELS[a]), reply: 'the first' },
              { label: capitalised(INTENT_LABELS[b]), reply: 'the second' },
            ],
          },
          intent: OUT_OF_SCOPE,
          confidence,
          stateChanges: { ...changes, clarification: { options } },
        });
      }
    }

    // "Is my money safe?" can read as pricing; after the Stamps line, it is the suspended account's.
    if (
      (intent === OUT_OF_SCOPE || (intent === 'pricing' && LEFT_MONEY.test(text))) &&
      stampsAnswer !== undefined
    )
      return answerAboutSoFar('explain_suspension', stampsAnswer);
    Object.assign(understood, { intent, confidence });
    // Not understood while an offer is open: most likely a question about the offer ("what would
    // that do?"), so explain it again rather than count a misunderstanding.
    if (intent === OUT_OF_SCOPE && offer !== undefined) return remindOffer(offer);
    // "Ok" or "hmm" alone acknowledges the answer: not a question, so nothing to misunderstand. A
    // promise to pass it on if it still fails holds for the message after this one too. It is
    // about the last answer, so that answer's topic stays the conversation's. (What the customer
    // will try next, and "it works now", are follow-ups of intents/dialogue/late.yaml.)
    if ((intent === OUT_OF_SCOPE || !this.namesBeyondFailure(text, intent)) && ACKNOWLEDGES.test(text)) {
      const reply: Reply = {
        texts: [context.answer(OUT_OF_SCOPE, 'acknowledged')],
        ...promiseKept,
      };
      const stateChanges = { ...changes, misunderstandings: 0, recap };
      const about = recap?.intent as Answerable | undefined;
      return withNote(
        about === undefined
          ? { reply, intent, confidence, stateChanges }
          : settled(about, reply, stateChanges),
      );
    }
    // Venting is understood: an apology and the way forward, not the list of topics. A person is
    // offered unless support already has the conversation. A weak small-talk guess at it ("this
    // bot is useless" as a goodbye at 0.30) is no goodbye. Hurry ("I need to ship today") is met
    // the same way, with the quickest way to ship that the conversation found.
    if (venting) {
      intent = OUT_OF_SCOPE;
      Object.assign(understood, { intent });
      // In a hurry with no account to use (and no suspension for Stamps to lift): a new account.
      const opensNewAccount =
        phoneReason === undefined &&
        !frustrated &&
        (state.account === null || closedAccount || recap?.intent === 'open_account');
      const offerText = context.answer('talk_to_human', 'offer');
      // Not yet told how to open one: the steps, now.
      if (opensNewAccount && !openingStepsGiven) {
        const why = closedAccount ? 'closed' : state.account === null ? 'none' : 'other';
        const hurry = context.answer(OUT_OF_SCOPE, `hurry_open_${why}`, {
          accountLast4: account?.accountNumberLast4 ?? '',
        });
        return answeredWithPerson('open_account', [hurry, openingSteps], offerText);
      }
      const quickest =
        phoneReason !== undefined
          ? context.answer(OUT_OF_SCOPE, 'quickest_stamps_line', { stampsPhone: STAMPS_PHONE })
          : opensNewAccount
            ? context.answer(OUT_OF_SCOPE, 'quickest_new_account')
            : undefined;
      // In a hurry before saying what is wrong: what is, first.
      if (!frustrated && recap === undefined && quickest === undefined) {
        return withNote({
          reply: { texts: [context.answer(OUT_OF_SCOPE, 'urgent')] },
          intent,
          confidence,
          stateChanges: { ...changes, misunderstandings: 0 },
        });
      }
      return endingWithPerson(
        [
          context.answer(OUT_OF_SCOPE, frustrated ? 'frustrated' : 'hurry'),
          ...(quickest === undefined ? [] : [quickest]),
        ],
        offerText,
      );
    }
    const lastAnswerSays = fromLastAnswer(intent);
    if (lastAnswerSays.length > 0 && recap !== undefined) {
      const topic = recap.intent as Answerable;
      return answerAboutSoFar(topic, fromWhatITold(topic, lastAnswerSays));
    }
    // Support already has the conversation: no second offer and no second ticket.
    if (intent === OUT_OF_SCOPE && ticketOpen) {
      return withNote({
        reply: { texts: [context.answer(OUT_OF_SCOPE, 'ticket_open')] },
        intent,
        confidence,
        stateChanges: changes,
      });
    }
    if (intent === OUT_OF_SCOPE) {
      const followup = await followupWork();
      if (followup !== undefined) return followup;
      // Not understood: a person is offered (yes / no), the second time in other words; nobody is
      // handed off unasked. A promise to bring a person if it still fails outlives a miss.
      const misses = Math.min(state.misunderstandings + 1, 2);
      const reply: Reply = {
        texts: [context.answer(OUT_OF_SCOPE, misses >= 2 ? 'second_miss' : 'default')],
        choices: YES_OR_NO,
        ...promiseKept,
      };
      return withNote({
        reply,
        intent,
        confidence,
        stateChanges: { ...changes, misunderstandings: misses, personOffered: true },
      });
    }
    // A hand-off silences the bot, so it is not made on a guess: read as wanting a person, unsure
    // and without naming one ("I want to use USPS through your app", 0.52), the customer is asked
    // first.
    if (unsureOfPerson) {
      return endingWithPerson([], context.answer('talk_to_human', 'unsure'));
    }
    const answering = intent as Answerable;
    let reply = await POLICIES[answering](context);
    const { also, further = [] } = understanding;
    if (also !== undefined && intent === understanding.intent) {
      const before: AnsweredRequest[] = [];
      const after: AnsweredRequest[] = [];
      // One after the other: each may look the account up, which a conversation does once.
      for (const other of [also, ...further]) {
        const otherIntent = other.intent as Answerable;
        (other.first ? before : after).push({
          intent: otherIntent,
          reply: await POLICIES[otherIntent](context),
        });
      }
      reply = answeredTogether([...before, { intent: answering, reply }, ...after]);
    }
    const better = also === undefined ? saidBetter(answering, reply) : undefined;
    if (better !== undefined) return better;
    return withNote({ reply, intent, confidence, stateChanges: { ...changes, misunderstandings: 0 } });
  }

  /** Two close in-scope intents worth asking about, when the classifier is unsure. */
  private clarificationOptions(understanding: {
    intent: string;
    confidence: number;
    alternatives: { intent: string; confidence: number }[];
  }): [Answerable, Answerable] | undefined {
    const ranked =
      understanding.intent === OUT_OF_SCOPE
        ? understanding.alternatives
        : [
            { intent: understanding.intent, confidence: understanding.confidence },
            ...understanding.alternatives,
          ];
    const [best, second] = ranked;
    if (best === undefined || second === undefined) return undefined;
    if (!isRequest(best.intent) || !isRequest(second.intent)) return undefined;
    const unsure = best.confidence < this.options.clarifyBelow;
    const close = best.confidence - second.confidence < 0.25 && second.confidence >= 0.15;
    // Only two close intents earn a question. One fairly strong intent under an out-of-scope
    // verdict is not second-guessed: with the classifier's low threshold that verdict comes from
    // the out-of-scope class (another service's question), where "which of ours?" is wrong.
    if (!unsure || !close) return undefined;
    return [best.intent, second.intent] as [Answerable, Answerable];
  }

  /** "the first one", "2", "suspension": which option the customer chose, if any. */
  private resolveClarification(options: readonly [string, string], text: string): IntentId | undefined {
    const first = FIRST.test(text);
    const second = SECOND.test(text);
    if (first !== second) return (first ? options[0] : options[1]) as IntentId;
    const probabilities = this.deps.understander.classifier.probabilities(text);
    const intents = this.deps.understander.classifier.intents;
    const [a, b] = options.map((option) => probabilities[intents.indexOf(option)] ?? 0) as [number, number];
    if (Math.max(a, b) < 0.15) return undefined;
    return (a >= b ? options[0] : options[1]) as IntentId;
  }

  /** A typed email or account id that is not the customer's own never selects an account. */
  private otherAccountNote(state: ConversationState, entities: readonly Entity[]): string | undefined {
    const own = state.customer?.email.toLowerCase();
    const ownId = state.account?.accountId;
    const other = entities.some(
      (entity) =>
        (entity.type === 'email' && entity.value !== own) ||
        (entity.type === 'account_id' && entity.value !== ownId),
    );
    return other ? OTHER_ACCOUNT : undefined;
  }

  private async lookup(
    customer: VerifiedCustomer,
    requestId: string,
    waitMs: number,
  ): Promise<AccountSummary | null | 'unknown'> {
    const [outcome] = await this.deps.checks.run(
      [{ check: 'account.lookup', target: { email: customer.email }, requestId }],
      waitMs,
    );
    if (outcome?.status !== 'ok') return 'unknown';
    return (outcome.result as { account: AccountSummary | null }).account;
  }

  private policyContext(
    state: ConversationState,
    text: string,
    turnId: string,
    checks: CheckSummary[],
    immediate: BotMessage[],
    unwritten: TranscriptEntry[],
    /** True when the customer already has the turn's notice (a late turn finished elsewhere). */
    alreadyAnnounced = false,
  ): PolicyContext {
    let announced = alreadyAnnounced;
    // Before the first check: "checking your account", published at once (SSE shows it while the
    // checks run), with the customer's message ahead of it in the transcript.
    const announce = async () => {
      if (announced) return;
      announced = true;
      const message = this.guardedMessage(CHECKING, turnId);
      immediate.push(message);
      await this.deps.store.append(state.id, [...unwritten.splice(0), message]);
    };
    // Tokenised once, and only for a policy that asks.
    let words: string | undefined;
    // The offer "done" would answer: open, or said no to in the last turn.
    const awaited = state.offer ?? state.declinedOffer;
    return {
      customer: state.customer,
      text,
      fixReported:
        awaited?.kind === 'unsuspend_retry' &&
        DONE.test(text) &&
        !IS_THAT_WHY.test(text) &&
        !(awaited.after === 'password' && CONFIRMS_PASSWORD_CHANGE.test(text)),
      mentions: (intent) => {
        if (words === undefined) words = inTokenForm(text);
        return this.namedIn(words, intent);
      },
      state,
      answer: (intent, variant = 'default', vars = {}) => {
        const templates = this.answers.get(intent) ?? {};
        return render(templates[variant] ?? templates.default ?? '', vars);
      },
      hasAnswer: (intent, variant) => this.answers.get(intent)?.[variant] !== undefined,
      account: async () => {
        if (state.account !== undefined) return state.account;
        if (state.customer === null) return null;
        // The notice is written while the lookup runs: the transcript still has it first, since the
        // turn commits only after both.
        const [account] = await Promise.all([
          this.lookup(state.customer, turnId, this.options.lateDeliveryMs),
          announce(),
        ]);
        if (account !== 'unknown') state.account = account;
        return account;
      },
      check: async <T>(name: CheckName, accountId: string): Promise<Checked<T>> => {
        // Only the signed-in customer's own account, whatever the policy asks.
        if (state.account === undefined || state.account === null || state.account.accountId !== accountId) {
          return { status: 'failed', code: 'not_own_account' };
        }
        const summary: CheckSummary = { name, status: 'pending' };
        checks.push(summary);
        const started = performance.now();
        const [[outcome]] = await Promise.all([
          this.deps.checks.run(
            [{ check: name, target: { accountId }, requestId: turnId }],
            this.options.lateDeliveryMs,
          ),
          announce(),
        ]);
        if (outcome !== undefined && outcome.status !== 'pending') summary.ms = performance.now() - started;
        if (outcome?.status === 'ok') {
          Object.assign(summary, { status: 'ok', result: outcome.result });
          return { status: 'ok', result: outcome.result as T };
        }
        if (outcome?.status === 'failed') {
          Object.assign(summary, { status: 'failed', error: outcome.error });
          return { status: 'failed', code: outcome.error.code };
        }
        return { status: 'pending' };
      },
    };
  }
}

/** The turn's escalation as the channel reports it, with its ticket's id when it has one. */
function withTicketId(escalation: Escalation | undefined, id: string | undefined): Escalation | null {
  if (escalation === undefined) return null;
  if (escalation.kind !== 'ticket') return escalation;
  return id === undefined ? escalation : { ...escalation, id };
}
