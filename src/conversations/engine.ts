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
import { factsOf, scopesOf, type TurnReading } from '../dialogue/facts.ts';
import { type FollowupAnswer, FollowupBook, withAnswers } from '../dialogue/followups.ts';
import type { Dialogue } from '../dialogue/load.ts';
import { SCOPES, type Scope } from '../dialogue/schema.ts';
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
import type { Logger } from '../logger.ts';
import type { Entity } from '../nlu/entities.ts';
import { FUNCTION_WORDS } from '../nlu/features.ts';
import { looksNonEnglish } from '../nlu/language.ts';
import { inTokenForm } from '../nlu/text.ts';
import type { Understander } from '../nlu/understand.ts';
import type { CheckRunner } from '../queue/check-queue.ts';
import type { LateTurnScheduler } from '../queue/turn-queue.ts';
import { raceTimeout } from '../timeout.ts';
import {
  type Answerable,
  type AnsweredRequest,
  ASKS_COST,
  ASKS_FOR_BALANCE,
  ASKS_FULL_NUMBER,
  ASKS_TO_REOPEN,
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
  SIGN_IN,
  suspendedBecause,
  TRIED_REPEATEDLY,
  whatToTellStamps,
} from './policies.ts';
import {
  type ConversationState,
  type ConversationStore,
  handoffTicketId,
  type Offer,
  type Recap,
  type TicketRecord,
} from './store.ts';

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
}

/** Said instead of a bot text the output guard refuses (an unfilled placeholder): short and safe. */

/** Scopes read once the open wait had its turn, before the topic's own answer. */
const EARLY_SCOPES: readonly Scope[] = ['topic', 'account', 'global'];

const CHECKING = 'One moment, I am checking your account.';
const STILL_CHECKING =
  'Your account system is taking longer than usual to answer. I will post what I find here as soon as it arrives.';
const OTHER_ACCOUNT =
  'For your security I only ever look at the account you are signed in with, so I will not look up another email or account number.';
/** Said to a visitor who says they are signed in: the chat was opened without their sign-in. */
const NOT_SIGNED_IN_HERE =
  'This chat was opened without your sign-in, so I cannot see your account: the app passes it when the chat opens. If you signed in after opening it, reload the page and open the chat again, and I can check your own account.';
/** "But I never closed it", "I didn't cancel my account": a closure the customer does not recognise. */
const DENIES_CLOSING =
  /\b(?:never|did(?:n['’]?t|\s+not)|not|wasn['’]?t\s+me\s+who)\s+(?:ever\s+)?(?:closed?|cancel+(?:ed)?|shut|deactivated?|delete[ds]?)\b|\bwho\s+(?:closed|cancel+ed|shut|deactivated|deleted)\b/i;
/** "I'll do it myself", "how do I reconnect it on my own?": the customer would rather act alone. */
const DOES_IT_THEMSELVES =
  /\b(?:myself|(?:on|by)\s+my\s+own|(?:i\s*['’]?ll|i\s+will|let\s+me|i\s+can)\s+(?:do|fix|reconnect|connect|handle)\s+(?:it|that|this)\b)/i;
/**
 * "Link it back to my store please", "can you hook it back up": asks for the reconnect in words of
 * its own, which, while the reconnect is offered, is the yes to it. A question about it ("how do I
 * link it?", "what would reconnecting do?") starts otherwise and is not one.
 */
const ASKS_TO_RECONNECT =
  /^\s*(?:(?:ok(?:ay)?|so|then|well|alright|yes|yeah|actually|i\s+(?:have\s+|['’]ve\s+)?changed\s+my\s+mind|on\s+second\s+thoughts?)[\s,.!]+)*(?:(?:please|pls|kindly)\s+)?(?:(?:can|could|would|will)\s+(?:you|u)\s+(?:please\s+)?|i\s*(?:['’]d|\s+would)\s+like\s+(?:you\s+)?to\s+|i\s+(?:want|need)\s+(?:you\s+)?to\s+)?(?:re-?connect(?:\s+(?:it|that|my\s+(?:one\s+balance\s+)?account|the\s+account)|(?=\s*(?:please|pls)?\s*[.!]*\s*$))|(?:connect|link|hook|attach|tie|put|bring|add|get)\s+(?:it|that|my\s+(?:one\s+balance\s+)?account|the\s+account)\s+(?:back|again|to\s+(?:my|the)\s+(?:store|shop|app)))\b/i;

/** A compliance review, one of the causes of a suspension (DOMAIN.md), named. */
const NAMES_COMPLIANCE_REVIEW = /\bcompliance\s+review\b/i;
/** "Who do I ask then?", "who can help me with that?", "who should I contact?". */
const ASKS_WHO_HELPS =
  /\bwho\s+(?:do|should|can|could|would|must)\s+i\s+(?:ask|contact|talk\s+to|speak\s+(?:to|with)|reach|go\s+to|call|email)\b|\bwho\s+(?:can|could|would|will)\s+help\b/i;

/** Questions of one kind, each with the answer the bot gives to it; the first that matches answers. */
type QuestionAnswers = readonly (readonly [asks: RegExp, answer: string])[];
const answerIn = (questions: QuestionAnswers, text: string): string | undefined =>
  questions.find(([asks]) => asks.test(text))?.[1];
/**
 * Questions about the phone verification that registering ends in, each with what the bot can say
 * of it: "what number does it go to?" (not "from"), "can you verify it for me?", "can I use another
 * number?", "can I use a landline?".
 */
const VERIFICATION_QUESTIONS: QuestionAnswers = [
  [
    /\b(?:how\s+(?:long|soon)|when\s+(?:will|should|does|do|would))\b.*\b(?:codes?|texts?|sms|calls?|arriv\w*|come|get\s+it)\b/i,
    'I cannot see when the code is sent. If it has not arrived after a few minutes, ask for a new one, and choose a call if texts do not come through.',
  ],
  // "I use Google Voice": whether the code reaches an internet number is not something the bot
  // can see, so what surely works instead.
  [
    /\b(?:google\s+voice|voip|virtual\s+(?:phone\s+)?(?:number|line)|internet\s+(?:phone|number|line)|text\s*now|skype\s+(?:number|phone))\b/i,
    'I cannot tell whether the code reaches an internet number such as Google Voice. If it does not arrive, put a mobile or landline number in the registration form and ask for a new code (a landline gets it by call).',
  ],
  [
    /\b(?:what|which)\s+(?:phone\s+)?number\s+(?:should|do|can|could|must|would)\s+i\s+(?:use|put|enter|give)\b/i,
    'Any number of yours that can take a text or a call: a mobile gets the code either way, and a landline gets it by call. Put it in the registration form, then ask for a new code.',
  ],
  [
    /^(?!.*\bfrom\b).*(?:\b(?:what|which)\s+(?:phone\s+)?number\b|\bwhere\s+(?:does|do|will|is)\s+(?:it|the\s+(?:code|text|call))\s+(?:go|get\s+sent|sent)\b)/i,
    'The code goes to the phone number given for verification in the registration form; I cannot see that number from here. Check that it is right and can receive texts or calls, or ask for the code by call instead.',
  ],
  [
    /\b(?:what|which)\s+(?:phone\s+)?number\b.*\bfrom\b|\bwho\s+(?:sends|calls|texts)\b|\bnumber\b.*\b(?:comes?|coming|sent|sends?|calls?|texts?)\s+from\b/i,
    'I cannot see which number the code comes from. It is sent by text or by call, as you choose, to the phone number in the registration form; if a text does not come through, ask for the code by call.',
  ],
  [
    /\b(?:can|could|would)\s+(?:you|u)\s+(?:just\s+)?(?:verify|confirm|approve|bypass|send\s+(?:me\s+)?(?:the|a)\s+(?:new\s+)?code)\b|\bverify\s+(?:it|me)\s+for\s+me\b/i,
    'I cannot verify it for you: the code goes to your phone, and only you can enter it in the registration form. Ask for a new code (by call if texts do not arrive) and enter it within a few minutes.',
  ],
  [
    /\b(?:change|edit|update|correct|fix)\s+(?:the|my)\s+(?:phone\s+)?number\b|\b(?:different|another|other|new)\s+(?:phone\s+)?number\b/i,
    "The code goes to the phone number in the registration form. The form's details can be edited before you register, so correct the number there, then ask for a new code.",
  ],
  [
    /\b(?:(?:have|need)\s+to\s+(?:use|be|have)\s+(?:a\s+|my\s+)?(?:cell|mobile|smart)\s*-?\s*phone|has\s+to\s+be\s+a\s+(?:cell|mobile)|land\s*-?\s*line|(?:home|office|work|business|desk)\s+(?:phone|line|number)|(?:no|without\s+a)\s+(?:cell|mobile|smart)\s*-?\s*phone|(?:do\s*n['’]?t|do\s+not)\s+(?:have|own)\s+a\s+(?:cell|mobile|smart)\s*-?\s*phone|(?:can['’]?t|cannot|does\s*n['’]?t|doesn['’]?t)\s+(?:get|receive|take)\s+texts?)\b/i,
    'A phone that cannot get texts works too: choose to verify by phone call instead of text, and the code comes in a call to that number. Enter it within a few minutes, then click Register Account.',
  ],
  [
    /\b(?:verif\w*|codes?|confirm\w*)\b.*\b(?:e-?mail\w*|inbox)\b|\b(?:e-?mail\w*|inbox)\b.*\b(?:verif\w*|codes?|instead)\b/i,
    'Registration is verified by phone: the code comes by text or by call to the number in the registration form, and I know of no way to have it sent by email.',
  ],
];
/** The opening steps' third step, which the answers about the form's details start from. */
const ACCOUNT_INFORMATION =
  "The Account Information in the form is filled in from your store's details, and you can edit it";
/** "What info do I need?", "what do I need to register?", "what documents are required?". */
const NEEDED_TO_OPEN =
  /\bwhat\s+(?:else\s+)?(?:info\w*|details?|documents?|paperwork|things?|stuff)\s+(?:do|will|would|should|does|is|are)\b.*\b(?:need\w*|required|have|ready)\b|\bwhat\s+(?:else\s+)?(?:do|will|would)\s+i\s+need\b|\bwhat\s+(?:else\s+)?(?:is|are)\s+(?:needed|required)\b/i;
/**
 * Questions about a step of the opening steps, answered from what the steps and DOMAIN.md say of
 * it. The phone verification step has its own table above.
 */
const OPENING_QUESTIONS: QuestionAnswers = [
  // "What info do I need?", "what do I need to have ready?": what the form asks for, in one line.
  [
    NEEDED_TO_OPEN,
    `You need three things for the form: your store's details (the app fills them in, and you can edit them), a payment card for your postage, and a phone that can take a call or a text for the verification code.`,
  ],
  [
    /\bcredit\s+(?:check|score|history|report)\b/i,
    "I cannot tell whether Stamps.com looks at credit: what the form asks for is your store's details, a payment card for your postage, and a phone to verify by call or text.",
  ],
  [
    /\baddress\w*\b/i,
    `${ACCOUNT_INFORMATION}. Make sure the street, city and ZIP code are your correct postal address: registration stops when the address cannot be validated.`,
  ],
  [
    /\b(?:terms|tos|conditions|agreement)\b/i,
    "The Terms of Service are Stamps.com's, since Stamps.com provides the postage; you read and accept them in the registration form. I cannot speak for what they say: questions about them are for Stamps.com.",
  ],
  [
    /\b(?:which|what)\s+(?:kind\s+of\s+|type\s+of\s+)?(?:credit\s+|debit\s+|payment\s+)?card\b/i,
    'The card you enter in the form pays for the postage you buy with One Balance, so use the one you want postage charged to. Card details never reach me, so please do not type them here.',
  ],
  // "Do I need a different email?", "can I use the same email?" (a closed account's, most often):
  // what the form allows, and the duplicate-account error as the sign that it is not accepted.
  [
    /\b(?:need|use|using|have|requires?|re-?use)\s+(?:to\s+(?:use|have)\s+)?(?:a|an|the|my)?\s*(?:same|different|new|separate|another|old)\s+e-?mail\b|\bre-?use\s+(?:my|the)\s+e-?mail\b/i,
    `${ACCOUNT_INFORMATION}, the email too. I cannot tell whether Stamps.com takes an email that a closed account used: if registering says an account already exists, tell me and I will help with that error.`,
  ],
  [
    /\bwhat\s+(?:\w+\s+){0,2}(?:should|do|must)\s+i\s+(?:use|enter|put|fill)\b|\b(?:which|what)\s+(?:e-?mail|name|phone|details?|info\w*)\b/i,
    `${ACCOUNT_INFORMATION} before you register: keep there the details you want on the One Balance account.`,
  ],
];
/** "The new one", "a new account": an account to open. */
const NEW_ACCOUNT = /\b(?:the|a)\s+new\s+(?:one|account)\b/i;
/** "Can I appeal?", "how do I dispute this?": contesting a suspension. */
const APPEALS = /\b(?:appeal\w*|disput\w*|contest\w*|challeng\w*|overturn\w*)\b/i;
/** "Do I have an account?", "do I still have an account with you?", "is there an account for me?". */
const ASKS_HAS_ACCOUNT =
  /^\s*(?:(?:so|and|but|ok(?:ay)?|wait)[\s,.!]+)*(?:do|did)\s+i\s+(?:still\s+|even\s+|already\s+)?have\s+(?:an?|my)\s+(?:one\s+balance\s+|postage\s+)?account\b|\bis\s+there\s+an?\s+(?:one\s+balance\s+)?account\s+(?:for|under)\s+(?:me|my)\b/i;
/** "Can I print a label today?", "can I buy postage right now?": whether the account can ship now. */
const CAN_I_SHIP_NOW =
  /\b(?:can|could|may)\s+i\s+(?:still\s+)?(?:print|ship|buy|purchase|make|create|get)\s+(?:a\s+|any\s+|some\s+|my\s+)?(?:labels?|postage|packages?|orders?)\b/i;
/** "How do I get it?", "where can I sign up for one?": asking for One Balance itself. */
const GETS_ONE =
  /^\s*(?:(?:so|ok(?:ay)?|and|great|cool|nice)[\s,.!]+)*(?:how\s+(?:do|can|would|could)\s+i|where\s+(?:do|can)\s+i|can\s+i)\s+(?:get|sign\s+up\s+for|set\s+up|open|start|activate)\s+(?:it|one|this)(?:\s+then)?\s*[?.!]*\s*$/i;
/** "I can't find One Balance", "why can't I see one balance in my account" (not its number or login). */
const CANT_FIND_ONE_BALANCE =
  /\b(?:can['’]?t|cant|cannot|could\s*n['’]?t|unable\s+to|do\s*n['’]?t|dont)\s+(?:i\s+|we\s+)?(?:find|see|locate)\s+(?:my\s+|the\s+)?one\s*balance\b(?!\s+(?:account\s+)?(?:number|details?|username|user\s*name|login|log-?in|password|credentials|info\w*))/i;
/** "When did that happen?", "why was it closed?": asked of an account the bot found closed. */
const ASKS_WHEN_CLOSED =
  /\b(?:when|why|how\s+come)\b.*\b(?:clos\w*|cancel\w*|shut|deactivat\w*|delet\w*|happen\w*)\b|^\s*(?:so\s+)?what\s+happened\b/i;
/**
 * "Can I keep my old account number?", "can I reuse the same account?": asked of an account the bot
 * found closed (reopening it is ASKS_TO_REOPEN's).
 */
const KEEPS_OLD_ACCOUNT =
  /\b(?:keep|re-?use|transfer|carry\s+over|still\s+use)\b.*\b(?:old|same|previous|former|closed|existing)\s+(?:one\s+balance\s+)?(?:account(?:\s+(?:number|id))?|number)\b/i;
/** Money left on an account ("my old balance", "a refund"), not "One Balance", the account's name. */
const LEFT_MONEY =
  /\b(?:(?<!\bone\s)balance|money|funds?|refund\w*|credit(?!\s+(?:check|score|history|report)))\b/i;
/**
 * "Can you check my account?", "is there a problem with my account?", "what about mine?" (after
 * another's account was refused): the account check the
 * suspension question runs (suspended or not, connected or not), whatever else the words suggest
 * (an opener, "I have a problem with my account", reads much the same).
 */
const ASKS_TO_CHECK_ACCOUNT =
  /\b(?:check|look\s+(?:at|into|over)|run\s+a\s+check\s+on|take\s+a\s+look\s+at)\s+(?:on\s+)?my\s+(?:one\s+balance\s+|postage\s+)?account\b|\bis\s+(?:there\s+)?(?:something|anything|a\s+problem|an\s+issue)\s+(?:wrong\s+)?with\s+my\s+(?:one\s+balance\s+|postage\s+)?account\b|^\s*(?:(?:and|but|so|ok(?:ay)?|what)[\s,.!]+)*(?:what|how)\s+about\s+(?:mine|my\s+(?:own\s+)?(?:one\s+balance\s+)?(?:account|one))(?:\s+then)?\s*[?.!]*\s*$/i;
/**
 * "My card got declined for postage", "my payment failed": a declined payment is one of the causes
 * of a suspension, which the suspension check finds (and a registration that stopped on the card is
 * the classifier's, by its own words).
 */
const PAYMENT_FAILED =
  /\b(?:card|payment|charge)\b.*\b(?:declin\w*|fail\w*|reject\w*|refused|bounced|did\s*n['’]?t\s+go\s+through|won['’]?t\s+go\s+through)\b/i;
/** Words that tie a message to postage, when nothing else (a signed-in account) does. */
const ABOUT_POSTAGE = /\b(?:postage|labels?|one\s+balance|stamps(?:\.com)?|shipping|usps|ups)\b/i;
/** "Can you email it to me?", "text me the number": asked of the account details just shown. */
const ASKS_TO_SEND_DETAILS =
  /\b(?:e-?mail|text|sms|send|message|dm)\s+(?:it|them|that|those|me|the\s+(?:details|number|username))\b/i;
/**
 * "What is Stamps.com?", "why does it say stamps.com?": the company that provides One Balance, whose
 * name the customer meets when registering. Other questions about Stamps.com the company ("is
 * stamps.com hiring?") stay out of scope.
 */
const ASKS_WHAT_STAMPS_IS =
  /\b(?:what|who)(?:\s+is|\s+are|['’]s)\s+stamps(?:\.com)?\s*\??\s*$|\bwhy\b.*\b(?:say|says|show|shows|mention\w*|involved|asks?\s+for)\b.*\bstamps(?:\.com)?\b/i;
/**
 * Carriers besides the two the facts name (USPS, UPS), as the customer writes them and as the bot
 * names them back. One Balance is "for several carriers", so whether one of these is among them is
 * not known here: neither yes nor "out of scope".
 */
const OTHER_CARRIERS: ReadonlyArray<readonly [RegExp, string]> = [
  [/\bfed\s*ex\b/i, 'FedEx'],
  [/\bdhl\b/i, 'DHL'],
  [/\bon\s*trac\b/i, 'OnTrac'],
  [/\bcanada\s+post\b/i, 'Canada Post'],
  [/\bpurolator\b/i, 'Purolator'],
  [/\broyal\s+mail\b/i, 'Royal Mail'],
  [/\baustralia\s+post\b/i, 'Australia Post'],
  [/\blaser\s*ship\b/i, 'LaserShip'],
];
/** "Switch to UPS", "use ups instead of usps", "ship with UPS": using One Balance for UPS labels. */
const WANTS_UPS =
  /\b(?:switch\w*|chang\w*|mov\w*|use|using|ship\w*|go|print\w*)\s+(?:\w+\s+){0,2}(?:to|with|via|through)?\s*ups\b|\bups\s+(?:instead|rather)\b|\brather\b.*\bups\b/i;
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
/** "Why am I charged 15.95?", "what is the $15.95 monthly fee?", "is there a monthly fee?". */
const ASKS_ABOUT_FEE =
  /\$?\s*15\.95\b|\b(?:monthly|subscription|recurring)\s+(?:fee|charge)s?\b|\bcharg\w*\s+(?:me\s+)?(?:every|each|a|per)\s+month\b/i;
const ENDICIA_FEE =
  "One Balance has no monthly fee: it comes free with your subscription, and you pay only for the postage you buy. $15.95 a month is the price of Endicia's own label service, a separate product that has nothing to do with this account, so you are not charged it for One Balance.";
/** "I see it on my statement", "but I was charged", "my bank shows it": a charge the customer sees. */
const SEES_A_CHARGE =
  /\b(?:statement|bank|card|invoice|bill(?:ed|ing)?|receipt)\b.*\b(?:see|shows?|showing|says|charged|charge|there)\b|\b(?:see|shows?|showing|says|charged|charge|there)\b.*\b(?:statement|bank|invoice|bill(?:ed|ing)?|receipt)\b|\b(?:but|yet)\s+(?:i\s+)?(?:was|am|['’]m|got)\s+(?:being\s+)?charged\b/i;
/** Stores and marketplaces a shipping app may connect to (not One Balance's to say), as spelt. */
const MARKETPLACES: ReadonlyArray<readonly [RegExp, string]> = [
  [/\betsy\b/i, 'Etsy'],
  [/\bshopify\b/i, 'Shopify'],
  [/\bebay\b/i, 'eBay'],
  [/\bamazon\b/i, 'Amazon'],
  [/\bwoo\s*commerce\b/i, 'WooCommerce'],
  [/\bbig\s*commerce\b/i, 'BigCommerce'],
  [/\bsquarespace\b/i, 'Squarespace'],
  [/\bwix\b/i, 'Wix'],
  [/\bwalmart\b/i, 'Walmart'],
  [/\bmagento\b/i, 'Magento'],
  [/\btik\s*tok\b/i, 'TikTok Shop'],
];
/** "Can my employee use it?", "share my one balance with my staff": the customer's own people. */
const OWN_STAFF_USES =
  /\b(?:my|our)\s+(?:employees?|staff|team(?:\s*mates?)?|workers?|assistants?|partners?|wife|husband|colleagues?|co-?workers?|va|packers?|warehouse\s+(?:team|staff|guys?))\b.*\b(?:use|using|access|log\s*in|sign\s*in|share|see)\b|\b(?:use|using|access|share|give)\b.*\b(?:my|our|to\s+my)\s+(?:employees?|staff|team|workers?|assistants?|colleagues?|co-?workers?|va)\b/i;
/** "Can I talk to...", "speak with someone": asking for a person to talk to. */
const ASKS_TO_TALK = /\b(?:talk|speak|chat|contact|call|reach)\b/i;
/** "Label printing failed", "error buying postage": a purchase or a label that fails. */
const PURCHASE_FAILS =
  /\b(?:labels?|postage|purchas\w*|print\w*)\b.*\b(?:fail\w*|errors?|won['’]?t|not\s+working|declined|broke\w*)\b|\b(?:fail\w*|errors?)\b.*\b(?:labels?|postage|purchas\w*|printing)\b/i;
/** Registering named: "registration", "sign up", "verification", "the text code". */
const NAMES_REGISTERING =
  /\b(?:regist\w*|sign(?:ing)?[\s-]*up|verif\w*|(?:verification|text|sms|phone)\s+codes?|open(?:ing)?\s+(?:an?\s+|my\s+)?(?:new\s+)?account)\b/i;
/** Names of stores and of the app itself, which tell nothing of a message's topic. */
const NAMES_NO_TOPIC = new RegExp(
  [...MARKETPLACES.map(([pattern]) => pattern.source), String.raw`\bshipping\s*easy(?:['’]s)?\b`].join('|'),
  'i',
);
const NAMES_NO_TOPIC_WORDS = new RegExp(NAMES_NO_TOPIC.source, 'gi');
/** "Does it work with...", "can I use it with...", "is it compatible with...": asked of a store. */
const WORKS_WITH = /\b(?:use|using|works?|connect\w*|integrat\w*|supports?|compatible|link\w*|sync\w*)\b/i;
/** "It's a PO box", "can I use a P.O. box?". */
const PO_BOX = /\bp\.?\s*o\.?\s*box\b|\bpost\s+office\s+box\b/i;
/** "How do I connect UPS?", "can I add ups to one balance?", "how to set up UPS": UPS as a thing to add. */
const ASKS_UPS_SETUP =
  /\b(?:connect|add|set\s*up|link|enable|activate|turn\s+on)\s+(?:\w+\s+){0,2}ups\b|\bups\b.*\b(?:connect(?:ed|ing)?|set\s*up|linked|link\s+it|enabled?|activated?)\b/i;
/** "What happens to my labels?", "what will happen with my history?": of an account about to close. */
const ASKS_WHAT_HAPPENS_TO = /\bwhat\s+(?:happens|will\s+happen|would\s+happen|becomes\s+of)\b/i;
/** "Will I still be able to use the app?", "does my subscription get cancelled too?": asked before closing. */
const ASKS_ABOUT_APP_AFTER_CLOSING =
  /\b(?:still|keep)\b.*\b(?:use|using|have|access)\b.*\b(?:app|shipping\s*easy|platform|subscription|software|store)\b|\b(?:app|subscription|plan\s+with\s+you)\b.*\b(?:still\s+work|affected|cancel\w*|end|stop)\b/i;
/** The offer of a person about what the bot cannot see of an account about to close. */
const PERSON_BEFORE_CLOSING =
  'A person on our support team can look into that with you before you close it: shall I pass this to them? (yes / no)';
/** "Done, closed it", "ok I closed it", "I've closed my account now": the customer closed it. */
const SAYS_CLOSED_IT =
  /^\s*(?:(?:done|ok(?:ay)?|all\s+right|alright|so|right|there)[\s,.!]+)*(?:(?:i\s+(?:have\s+|['’]ve\s+)?|i['’]ve\s+|just\s+)?(?:just\s+|now\s+)?closed\s+(?:it|my\s+(?:one\s+balance\s+)?account|the\s+account|one\s+balance)|it['’]?s\s+(?:now\s+)?closed|(?:it|the\s+account)\s+is\s+(?:now\s+)?closed)(?:\s+(?:now|already))?[\s.!]*$/i;
/** The closing answer's warning, told again to one who asks whether it can come back. */
const CLOSED_FOR_GOOD =
  'once closed, a One Balance account cannot be reopened, so shipping with postage again later would need a new account, which takes a few minutes to open.';
/** "Why did it disconnect?", "how come it disappeared?", "what happened?": of a disconnected account. */
const ASKS_WHY_DISCONNECTED =
  /\b(?:why|how\s+come)\b.*\b(?:dis\w*connect\w*|unlink\w*|happen\w*|gone|missing|disappear\w*)\b|\bwhat\s+(?:caused|happened)\b/i;
/** "Will I lose my balance?", "am I losing anything?". */
const FEARS_LOSING = /\b(?:lose|losing)\b/i;
/** "So I can print now?", "am I good to go?": whether shipping works now, after an answer that says so. */
const CAN_SHIP_NOW =
  /\b(?:(?:can|could|may)\s+i|i\s+can)\s+(?:finally\s+)?(?:print|buy|ship|purchase|make(?!\s+sure)|create)\b.*\b(?:now|again|yet|today)\b|\bnow\s+i\s+can\b|\b(?:good|ready)\s+to\s+(?:go|ship)\b|\ball\s+(?:set|good)\b|\b(?:works?|working|fixed|sorted)\s+now\b|\b(?:is|are)\s+(?:my\s+account|the\s+account|it|everything|things|we)\s+(?:ok(?:ay)?|fine|good|working|active|back\s+to\s+normal)(?:\s+(?:now|again))?\s*\??\s*$/i;
/** "Where exactly is that page?", "where do I find it?": where the page the last answer named is. */
const WHERE_IS_IT =
  /^\s*(?:(?:and|so|ok(?:ay)?|sorry|but)[\s,]+)*where\s*(?:exactly\s+)?(?:is|['’]?s|do\s+i\s+find|can\s+i\s+find|would\s+i\s+find)\s+(?:that|it|this|the)(?:\s+(?:one\s+balance\s*(?:&|and)?\s*)?carriers?)?(?:\s+(?:page|link|button|menu|tab|section))?(?:\s+exactly)?\s*[?.!]*\s*$/i;
const CARRIERS_PAGE = /\bONE BALANCE (?:&|AND) CARRIERS\b/;
/** "Do it", "yes, close it for me": after the closing answer, a request that the bot close the account. */
const CLOSE_IT_FOR_ME =
  /\b(?:do\s+it|go\s+ahead|proceed|close\s+it|you\s+(?:do|close)\s+it|can\s+you\s+close|please\s+close)\b/i;
/** "How do I do it?", "how can I do that myself?": asks how, not for the bot to do it. */
const ASKS_HOW_I = /\bhow\s+(?:do|can|would|should|could)\s+i\b/i;
/** Said, instead of the offer of a person, once support already has the conversation. */
const SUPPORT_HAS_IT = 'Our support team already has this conversation, and a person will pick it up.';
/** "I'm signed in", "but I am logged in already", "I'm on the app right now". */
const CLAIMS_SIGNED_IN =
  /\bi(?:['’]?m|\s+am)\s+(?:already\s+)?(?:(?:signed|logged)\s+in|(?:in|on|using)\s+(?:the|your)\s+app)\b/i;
/**
 * "How do I sign in?" from a visitor, after the bot asked them to: signing in to the app, not logging
 * in to One Balance (which names One Balance, Stamps or the carriers page, or says "log in").
 */
const ASKS_HOW_TO_SIGN_IN =
  /^(?!.*\b(?:one\s+balance|stamps|carriers?|postage)\b).*\b(?:how|where)\s+(?:do|can|should|would|to)\s+(?:i\s+)?sign\s*(?:in|on)\b/i;
const HOW_TO_SIGN_IN =
  'Sign in to the shipping app as you usually do, then open this chat from inside the app: the app tells me who you are, and I can then check your own account. I never need your password here.';
/** "It says contact ShippingEasy support": the suspension alert's last words, quoted. */
const QUOTES_CONTACT_SUPPORT = /\bcontact\s+(?:shipping\s*easy\s+|your\s+|the\s+)?support\b/i;
const SIGN_IN_TO_CHECK =
  'Sign in to the app and open this chat from there, and I can check which of them applies to your account and try to unsuspend it.';
/** "I'm not signed in", "not logged in right now": a visitor saying so. */
const SAYS_NOT_SIGNED_IN = /\b(?:i(?:['’]?m|\s+am)\s+)?not\s+(?:signed|logged)\s+in\b/i;
const ESCALATED =
  'I have passed this to our support team with what I found, so a person can pick it up without you repeating yourself.';
const ALREADY_ESCALATED =
  'Our support team already has this from earlier in our conversation, with what I found; a person will pick it up.';
const HANDED_OFF = 'A person from our support team is taking over this conversation; they will answer here.';

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

/** "Actually, yes", "actually wait, yes please", "on second thought, done": a change of mind is still an answer. */
const CHANGE_OF_MIND = String.raw`^\s*(?:(?:actually|on second thoughts?|wait|well|oh|hm+|um+)[\s,.!]*){0,2}`;
/**
 * "Sounds good", "great", "ok", "why not?": a yes only said alone (or with "please", "thanks", "sure"):
 * "great, now it says suspended", "ok whatever, is the card the reason?" or "ok then how do I log in"
 * go on to something else; an acknowledgement is not agreement to what comes after it.
 */
const AGREES_ALONE = String.raw`(?:ok(?:ay)?|sounds\s+good|perfect|great|awesome|that\s+works|alright|all\s+right|go\s+for\s+it|why\s+not)(?=[\s,.!?]*(?:(?:please|thanks|thank\s+you|do\s+it|go\s+ahead|yes|yeah|sure|then|fine|cool)\b[\s,.!?]*)*$)`;
/**
 * A yes. "ok, how do I sign in?" is a question that starts with an acknowledgement, "ok, I will
 * try a call instead" says what the customer will do themselves, and "oh yeah, I did change my
 * password" tells what happened: none is one.
 */
const YES = new RegExp(
  // "Sí", "oui", "ja": the yes of a customer told that the bot reads English only.
  `${CHANGE_OF_MIND}(?:(?:yes|yeah|yep|yup|sure|please(?: do)?|go ahead|do it|y|absolutely|of course|please go ahead|si|oui|ja)\\b|${AGREES_ALONE}|sí(?![a-z]))` +
    String.raw`(?![\s,.!]*(?:but\s+)?(?:how|what|why|where|when|which|who|i\s*['’]?ll|i\s+will|i\s*['’]?m\s+going|i\s+am\s+going|i\s+(?:can|guess|think)|let\s+me|i\s+(?:did|had|was|already|never|changed|reset|updated)|no|nope|nah|never\s*mind|forget\s+it|no\s+need)\b)`,
  'i',
);
/**
 * "done", "I've entered it", "yes I reset it": the customer did what the bot asked. A bare "ok" or
 * "thanks" is not: after "say done once it is entered" it means "will do".
 */
const DONE = new RegExp(
  [
    CHANGE_OF_MIND,
    // "Ugh fine. done", "ok there, done": up to two grudging or plain acknowledgements before it.
    String.raw`(?:(?:yes|yeah|yep|ok(?:ay)?|k+|sure|right|alright|all\s+right|great|cool|fine|ugh+|there)[\s,.!]+){0,2}(?:`,
    String.raw`done|finished|all\s+(?:done|set)`,
    // "It's done", "my card is updated", "the password has been reset".
    String.raw`|(?:it|that)(?:['’]?s|\s+is|\s+was|\s+has\s+been)\s+(?:(?:already|now|just)\s+)?(?:done|finished|entered|updated|reset|changed)`,
    // "Password reset" alone may ask for one.
    String.raw`|(?:(?:the|my)\s+)?(?:new\s+)?(?:card|password)(?:(?:['’]?s|\s+is|\s+was|\s+has\s+been)\s+(?:(?:already|now|just)\s+)?(?:entered|updated|reset|changed|added)|\s+(?:(?:already|now|just)\s+)?(?:entered|updated|changed|added))`,
    // "I've done it", "I already updated my card yesterday", "just reset it", "updated my card";
    // not "reset my password", which may ask for it.
    String.raw`|i\s*(?:have\s+|['’]?ve\s+)?(?:(?:already|just|now|also)\s+)?(?:done|did|finished|reset|changed|entered|updated|added|replaced|swapped)`,
    String.raw`|(?:already|just)\s+(?:done|did|finished|reset|changed|entered|updated|added|replaced|swapped)`,
    String.raw`|did\s+(?:it|that)|(?:reset|changed|entered|updated)\s+(?:it|that)|(?:changed|entered|updated)\s+(?:the|my)`,
    // "Ok updated", "changed!": the whole message ("reset" alone may ask for one).
    String.raw`|(?:updated|changed|entered)(?=\s*[.!]*\s*$)`,
    // "Password reset and entered the new one in the app", "reset it and put in the new one".
    String.raw`|(?:(?:(?:the|my)\s+)?(?:new\s+)?(?:password|card)\s+(?:reset|changed|updated)|reset\s+(?:it|that|the\s+password|my\s+password))\s+and\s+(?:i\s*(?:have\s+|['’]?ve\s+)?)?(?:entered|typed|saved|put)\b`,
    // "It's in now", "the new password is in", "I put it in": the whole message, so that "it's in
    // review" is not.
    String.raw`|(?:(?:it|that|the\s+(?:new\s+)?(?:one|password)|my\s+new\s+(?:one|password))(?:['’]?s|\s+is)|i\s*(?:have\s+|['’]?ve\s+)?(?:(?:already|just|now)\s+)?put\s+(?:it|the\s+new\s+(?:one|password)|my\s+new\s+password))\s+(?:(?:already|now|all)\s+)?in(?:\s+(?:now|there))?(?=\s*[.!]*\s*$)`,
    // Not "I did not", "I haven't done it".
    String.raw`|(?:please\s+)?(?:try\s+again|retry))\b(?!['’]?t\b|\s+not\b)`,
  ].join(''),
  'i',
);
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
/** "Do I change it again?", "should I reset my password again?", "do I need a new password?". */
const ASKS_TO_CHANGE_AGAIN = /\b(?:chang\w*|reset\w*|new\s+(?:one|password))\b/i;
/** A no, also after an acknowledgement: "ok nevermind, keep it open" says no to what was offered. */
const NO =
  /^\s*(?:(?:ok(?:ay)?|oh|well|actually|hm+)[\s,.!]+)?(?:no|nope|nah|not now|not yet|don'?t|do not|n|cancel|never\s*mind|forget\s+it|no\s+need|(?:maybe|perhaps|probably)\s+later|later)\b/i;
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
/**
 * "How?", "how do I do that?", "where do I change it?", "what card?": asking how to make the fix the
 * bot waits for. Not "how long" or "how much", which ask something else.
 */
const HOW_TO = new RegExp(
  [
    String.raw`^\s*(?:(?:and|so|but|ok(?:ay)?|sorry|um+|then)[\s,]+)*(?:how|where)\b(?!\s+(?:long|much|many|often|come|soon|far)\b)`,
    String.raw`|\bhow\s+(?:do|can|should|would|to)\s+(?:i\s+)?(?:update|change|reset|fix|enter|do)\b`,
    String.raw`|\b(?:what|which)\s+card\b`,
    String.raw`|\b(?:what\s+(?:are|were)|(?:show|give|tell)\s+me)\s+(?:the\s+)?steps\b`,
  ].join(''),
  'i',
);
/**
 * Word that what the bot suggested did not help: it still fails, the same error, no luck. A question
 * ("is it still suspended?") is not, unless it says something fails ("why is it still not working?").
 */
const STILL_FAILS =
  /\b(?:still|same\s+(?:error|thing|problem|issue|message)|keeps?\s+(?:failing|happening|saying|showing)|no\s+luck|did(?:n['’]?t|\s+not)\s+(?:work|help)|does(?:n['’]?t|\s+not)\s+work|not\s+working)\b/i;
/**
 * "Did it work?", "is it fixed now?", "any luck?": asks what a check would find now, about the
 * topic of the last answer.
 */
const DID_IT_WORK =
  /\b(?:did\s+(?:it|that|this)\s+work|(?:is|has)\s+(?:it|that|this)\s+(?:been\s+)?(?:fixed|sorted|resolved|lifted|unsuspended|reconnected|working)|any\s+luck|is\s+it\s+(?:ok(?:ay)?|fine|good)\s+now)\b/i;
/**
 * "How long will that take?", "when will I hear back?", "how will I know it's done?", "will I get an
 * email?": when support, which has the case, answers.
 */
const HOW_LONG =
  /\bhow\s+(?:long|soon)\b|\bhow\s+(?:will|would|do|can|should)\s+i\s+(?:know|find\s+out|hear|be\s+told)\b|\bwhen\s+(?:will|would|do|can|should)\s+(?:i|you|they|someone|somebody|it|that|this|support)\b.*\b(?:hear|reply|respond|answer|get\s+back|contact|done|ready|fixed|reconnected|finished|happen)\b|\beta\b|\b(?:will|would|do|can)\s+(?:i|you)\s+(?:get|send|receive)\s+(?:me\s+)?(?:an?\s+)?(?:e-?mail|notification|message|text)\b|\blet\s+me\s+know\b|\bnotify\s+me\b/i;
/** Within HOW_LONG: "will I get an email?", "how will I know?" (how the customer is told). */
const ASKS_HOW_TOLD =
  /\b(?:e-?mail|notif\w*|text|message)\b|\bhow\s+(?:will|would|do|can|should)\s+i\s+(?:know|find\s+out|hear|be\s+told)\b|\blet\s+me\s+know\b/i;
/** Within HOW_LONG: "how long", "when will it be done" (when, not how). */
const ASKS_WHEN_DONE =
  /\bhow\s+(?:long|soon)\b|(?<!\b(?:know|hear|told|out|e-?mail|notified|message|text)\s+)\bwhen\b|\beta\b/i;
/** "Can I check the status later?", "can I come back tomorrow to ask?": of a request support has. */
const CHECKS_BACK_LATER =
  /\b(?:check|see|follow\s+up|track|ask)\s+(?:on\s+|about\s+)?(?:the\s+|its\s+|my\s+|how\s+)?(?:status|progress|request|ticket|it|things|it['’]?s\s+going)\b.*\b(?:later|again|tomorrow|back)\b|\bcome\s+back\s+(?:here\s+)?(?:later|tomorrow|to\s+(?:check|ask))\b/i;
/** "What does reconnecting mean?", "what would that do?": a question about the reconnect offer itself. */
const ASKS_MEANING =
  /\bwhat\s+(?:does|do|would|will|is)\b.*\b(?:mean|involve|entail|do)\b|\bwhat\s+is\s+(?:a\s+)?reconnect\w*|\bwhat\s+(?:happens|changes)\s+(?:if|when)\b/i;
/** "And UPS?", "what about the account number?": one thing asked about, named and no more. */
const ABOUT_ONE_THING =
  /^\s*(?:(?:and|so|ok(?:ay)?|but)[\s,]+)?(?:(?:what|how)\s+about\s+(?<thing>[^?]{1,40}?)|and\s+(?<short>[^?]{1,30}?)\s*\?)\s*\??\s*$/i;

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
/** Topics whose answer depends on what the checks find now, so "still failing" checks again. */
const CHECKED_AGAIN_WHEN_STILL_FAILING: ReadonlySet<string> = new Set([
  'explain_suspension',
  'registration_error',
  'reconnect_account',
  'first_class_plan',
]);
/**
 * "It says first class not available", "the option is greyed out", "it's just not there", "it's
 * only priority and ground advantage": the error itself, which the bot asked to be told of when it
 * found nothing wrong. Only "it" or "that" is missing, not "my account doesn't show up in the
 * app", which names its own topic.
 */
const QUOTES_ERROR =
  /\b(?:it|that|this)\s*(?:is|['’]s)\s+(?:just\s+|still\s+|simply\s+)?(?:not\s+(?:there|showing|listed)|missing)\b|\b(?:it|that|this)\s+(?:does\s*n['’]?t|does\s+not|won['’]?t)\s+(?:show|appear)\b|\b(?:it|the\s+(?:error|message|app|screen|page))\s+(?:only\s+)?(?:says|said|shows|showed|displays|tells\s+me)\b|\b(?:not\s+available|unavailable|gr[ae]yed\s+out|won['’]?t\s+let\s+me|can['’]?t\s+select|error\s+(?:says|message))\b|\b(?:it|that|this|there)\s*(?:is|['’]s)\s+only\s+(?:showing\s+|offering\s+|giving\s+(?:me\s+)?)?(?:priority|ground|ups|the\s+\w+)\b|\b(?:only|just)\s+(?:get|see|have)\s+(?:priority|ground|ups)\b/i;
/**
 * "What about Priority Mail?", "and media mail?": USPS services other than First Class, which the
 * plan check does not cover (it tells whether First Class is allowed, no more).
 */
const OTHER_MAIL_SERVICE =
  /\b(?:priority(?:\s+mail)?(?:\s+express)?|media\s+mail|ground\s+advantage|parcel\s+select|express\s+mail|library\s+mail|flat\s+rate|certified\s+mail|international)\b/i;
/** "I already did all that", "tried everything": the steps given did not help. */
const ALREADY_DID = new RegExp(
  String.raw`\b(?:already\s+(?:did|done|tried|have)|(?:did|done|tried)\s+(?:all\s+)?(?:that|those|this|these|everything|it\s+all)|tried\s+(?:every\w*|all)|${TRIED_REPEATEDLY})\b`,
  'i',
);
/** "My card is fine", "nothing wrong with my card, I just used it": denies the declined payment. */
const DENIES_CARD_PROBLEM =
  /\bcard\b.*\b(?:is\s+(?:fine|ok(?:ay)?|good|valid|working)|works?(?:\s+fine)?|is(?:n['’]?t|\s+not)\s+expired|has\s+(?:money|funds)|just\s+used)\b|\bnothing\s+wrong\s+with\s+(?:my|the)\s+card\b|\b(?:never|was(?:n['’]?t|\s+not))\s+declined\b|\bno\s+(?:declined|failed|rejected)\s+(?:payments?|charges?|transactions?)\b|\b(?:bank|card\s+company|issuer)\s+(?:says|said|shows?|showed|told\s+me)\b.*\b(?:no|nothing|fine|never|ok(?:ay)?)\b/i;
/** What the records show, told to a customer who denies the declined payment. */
const CARD_RECORDS = `The account records show that a payment on your One Balance account was declined, which is why it is suspended; I cannot see which payment or why. The card kept with your One Balance account may not be the one you used: check it when you log in to the account from the ONE BALANCE & CARRIERS page, or call Stamps at ${STAMPS_PHONE}, who can see the declined payment.`;
/** "Is it because my card expired?", "could it be that the card is maxed out?": a guessed cause. */
const GUESSES_DECLINE_CAUSE =
  /\b(?:is|was|could|would|might)\s+(?:it|that|this)\s+(?:be\s+)?(?:because|due\s+to|that)\b.*\b(?:card|bank|expir\w*|limit|maxed|funds|address)\b|\b(?:card|it)\s+(?:expired|is\s+expired|was\s+expired|maxed\s+out|over\s+(?:the\s+|its\s+)?limit)\b/i;
/** Card details never reach the bot (DOMAIN.md), so it says where the customer can see them. */
/** "Do I need a Stamps.com account to use One Balance?", "do I have to open a separate stamps account?". */
const NEEDS_STAMPS_ACCOUNT =
  /\b(?:do|will|would|should|must)\s+i\s+(?:also\s+)?(?:need|have\s+to\s+(?:have|get|open|create|make))\s+(?:a\s+|an\s+|my\s+own\s+)?(?:separate\s+|own\s+|different\s+)?stamps(?:\.com)?\s+account\b/i;
/** What the records show, told to a customer who denies the password change; whoever made it, a new password is the fix. */
const PASSWORD_RECORDS =
  'The account records show that your Stamps.com password was changed recently, which is why the password stored in the app no longer works. If you did not change it, reset it now all the same: a new password that only you know puts that right as well. If you would like a person to look into the change, just ask.';
/** "I never changed my password", "it wasn't me": the customer denies the change a suspension is for. */
const DENIES_PASSWORD_CHANGE =
  /\b(?:never|did(?:n['’]?t|\s+not)|have(?:n['’]?t|\s+not)|have\s+never)\s+(?:change|changed|reset|touch|touched|update|updated)\b.*\bpassword\b|\bpassword\b.*\b(?:was(?:n['’]?t|\s+not)|never\s+(?:been\s+)?|has(?:n['’]?t|\s+not)\s+been)\s*(?:changed|reset)\b|\b(?:was(?:n['’]?t|\s+not)|not)\s+me\b|\bi\s+did(?:n['’]?t|\s+not)\s+do\s+(?:it|that|this|anything)\b/i;
/** Venting: said with a question or not, it deserves an apology before the answer. */
const FRUSTRATED =
  /\b(?:ridiculous|annoy\w*|frustrat\w*|useless|terrible|awful|(?:this|that|it)(?:\s+is|['’]s)\s+a\s+joke|what\s+a\s+joke|waste\s+of|ugh+|wtf|unacceptable|fed\s+up|sick\s+of|thanks?\s+(?:you\s+)?(?:a\s+lot\s+|so\s+much\s+)?for\s+nothing|no\s+thanks\s+to\s+you|not\s+(?:very\s+|at\s+all\s+)?helpful|unhelpful|no\s+help\s+at\s+all|cost(?:ing|s)?\s+me\s+(?:money|sales|customers|business|orders)|(?:los(?:ing|e)|lost)\s+(?:money|sales|customers|business|orders)|hurt(?:ing|s)?\s+my\s+(?:business|sales|shop|store))\b/i;
/** "I need to ship today", "orders are waiting", "asap": the customer is in a hurry. */
const IN_A_HURRY =
  /\b(?:urgent\w*|asap|emergency|right\s+(?:now|away)|(?:ship|send|mail|get\s+\w+\s+out)\w*\b[^.?!]*\b(?:today|tonight|now)|orders?\s+(?:are\s+)?(?:waiting|piling|stuck)|(?:customers?|people|buyers)\s+(?:are\s+)?waiting)\b/i;
/** Every hurry phrase of a message, to read what else it says without them. */
const HURRY_WORDS = new RegExp(IN_A_HURRY.source, 'gi');
/**
 * "Do I need a card?", "can I use another number?", "is that monthly?": a question answered yes or
 * no. Not "can you change my store name?", which asks the bot to do something.
 */
const YES_NO_QUESTION =
  /^\s*(?:(?:and|so|but|ok(?:ay)?|also)[\s,]+)?(?:do|does|did|is|are|was|can|could|will|would|should|must|have|has)\s+(?:i|it|that|this|they|there|we|my|the)\b/i;
const SAYS_IT_FAILS =
  /\b(?:not\s+working|does(?:n['’]?t|\s+not)\s+work|still\s+(?:fail\w*|not|does(?:n['’]?t|\s+not)|won['’]?t|can['’]?t|cannot))\b/i;
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
/** "I never had one", "I don't have an account": said of the account the bot found none of. */
const NEVER_HAD =
  /\b(?:never\s+(?:had|opened|made|created|set\s+up|registered|signed\s+up)|(?:do\s*n[o'’]?t|did\s*n['’]?t|did\s+not)\s+(?:have|had|open|make|create|register))\b/i;
/** "I don't see a payment section", "can't find the forgot password link": the place to make the fix. */
const CANNOT_FIND =
  /\b(?:can\s*n?['’]?t|cannot|could\s*n['’]?t|do\s*n['’]?t|don['’]?t|does\s*n['’]?t|doesn['’]?t)\s+(?:find|see|locate|show)\b|\bno\s+(?:payment|card|billing|password)\s+(?:section|option|page|tab|link|button)\b|\bnowhere\s+to\b/i;
/** "I forgot it", "forgot that too". */
const FORGOT = /\bforg[eo]t\w*\b|\bdo\s*n['’]?t\s+(?:remember|know)\s+(?:it|that|the\s+old\s+one)\b/i;
/** "Do I need the old one to reset it?", "does it ask for my current password?": the reset needs none. */
const NEEDS_OLD_PASSWORD =
  /\b(?:need|require[sd]?|ask\w*\s+(?:me\s+)?for|have\s+to\s+(?:know|enter|type))\b.*\b(?:old|current|previous|existing)\s+(?:one|password|pw|pass)\b/i;
/** "How long does it take?", "how much time will this take?". */
const TAKES_HOW_LONG = /\bhow\s+(?:long|much\s+time)\b/i;
/** "How do I find it then?", "where is it?": asking for an account the bot said exists. */
const FINDS_IT = /\b(?:find|locate|get\s+(?:to|into|at)|access|see|where\s+is)\b/i;
/** "What email did I use?", "which email is it under?": asks which email an account was registered with. */
const ASKS_WHICH_EMAIL =
  /\b(?:what|which)\s+e-?mail\b.*\b(?:use|used|sign\w*|regist\w*|under|is\s+it|was\s+it|have)\b/i;
/** "Maybe with another email?", "I used my work email": the account may be under an email the bot cannot look at. */
const ANOTHER_EMAIL =
  /\b(?:another|a\s+different|(?:an|my|the)\s+other|(?:an?|my)\s+(?:old|work|business|personal|second))\s+e-?mail\b/i;
/** "I thought I signed up last month", "but I already have one", "I use it every day": said of the account the bot found none of. */
const BELIEVES_REGISTERED = new RegExp(
  String.raw`${ANOTHER_EMAIL.source}|\b(?:(?:i\s+)?(?:had|used\s+to\s+have)\s+(?:one|it|an?\s+(?:one\s+balance\s+)?account)(?:\s+(?:before|last\s+\w+|\w+\s+ago))?|(?:use|using)\s+(?:it|one\s+balance)\s+(?:every\s*day|daily|all\s+the\s+time|every\s+week|for\s+(?:years|months))|(?:been|was|am|i['’]m)\s+using\s+(?:it|one\s+balance)|signed\s+up|registered|(?:opened|created|made)\s+(?:one|it|an?\s+(?:\w+\s+)?account)|(?:do|did)\s+have\s+(?:one|an?\s+account)|have\s+(?:one|an?\s+account)\s+already|already\s+(?:have|had)\s+(?:one|an?\s+account))\b`,
  'i',
);
/** "It says no account found", "account does not exist": the error a login or search shows. */
const SAYS_NO_ACCOUNT_FOUND =
  /\b(?:no|not\s+an?)\s+(?:one\s+balance\s+)?(?:account|user)\s+(?:was\s+)?(?:found|exists?)\b|\b(?:account|user)\s+(?:not\s+found|does\s*n['’]?t\s+exist|does\s+not\s+exist|could\s*n['’]?t\s+be\s+found)\b/i;
/** "Ok, I will try a call instead", "let me check", "ok calling them": the customer says what they will do next. */
const WILL_TRY =
  /^\s*(?:(?:ok(?:ay)?|alright|all\s+right|right|sure|fine|got\s+it|thanks)[\s,.!]+)?(?:(?:i\s*['’]?ll|i\s+will|let\s+me|i\s*['’]?m\s+going\s+to|i\s+am\s+going\s+to|i\s*['’]?ll\s+go\s+and)\s+(?:try|check|do|give|look|call|ring|reset|update|change|ask|see|wait|test|restart|reload|contact)\b|(?:i\s*['’]?m\s+|i\s+am\s+)?(?:calling|ringing|trying|checking|updating|resetting|contacting)\s+(?:them|it|that|stamps|now)\b)/i;
/** "Ok", "got it", "hmm", "I see": the whole message acknowledges the last answer and asks nothing. */
const ACKNOWLEDGES =
  /^\s*(?:(?:oh|ah|hm+|well|lol|haha|ha|heh)[\s,.!]*)?(?:ok(?:ay)?|k+|alright|all\s+right|got\s+it|i\s+see|cool|understood|makes\s+sense|noted|right|hm+|oh|ah|fair\s+enough|great|awesome|perfect|nice|excellent|wonderful|super|good|sounds\s+good|that\s+works)(?:[\s,.!]+(?:then|cool|got\s+it|i\s+see|makes\s+sense|great|awesome|perfect|nice|good|sounds\s+good))?[\s.!,]*$/i;
/** "It's gone", "my account disappeared": said of an account (not asked), with no word of closing it. */
const SAYS_GONE =
  /^(?!.*\b(?:clos\w*|cancel\w*|delet\w*|terminat\w*)\b).*\b(?:gone|disappeared|vanished|missing|not\s+there\s+anymore)\b/i;
/** The fix a visitor says is done: a password reset or entered, a card updated. */
const NAMES_A_FIX = /\b(?:password|card|reset|entered|updated|changed|put\s+(?:it|the\s+new\s+one)\s+in)\b/i;
/** "Yay it works now", "ok the label went through": the customer reports the problem gone. */
const WORKS_NOW =
  /^\s*(?:(?:yay|yes+|great|awesome|cool|ok(?:ay)?|nice|perfect|oh|wow|phew)[\s,.!]+)*(?:i\s+(?:tried|used|switched\s+to|put\s+in|entered|did)\b[\w\s'’]{0,40}?(?:\s+and|,)\s+(?:now\s+)?)?(?:(?:it|that|everything|postage|labels?|the\s+(?:label|postage|purchase|code|registration))\s+(?:works?|worked|is\s+working|went\s+through|goes\s+through|printed|came\s+through|arrived)(?:\s+(?:now|again|fine|perfectly|this\s+time))*|that\s+did\s+(?:it|the\s+trick))[\s.!]*$/i;
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
const RECONNECT_MEANWHILE =
  'Not through your One Balance account until it is reconnected: while it is not connected to your store, the app cannot use it for labels.';
/** "What's the customer success team?": asked about the team the reconnect offer names, not for a person. */
const ASKS_WHO_CUSTOMER_SUCCESS =
  /\b(?:what|who)(?:\s+is|\s+are|['’]s|['’]re)\s+(?:the\s+|your\s+|this\s+)?customer\s+success\b/i;
const CUSTOMER_SUCCESS =
  'Customer Success is a team of people on our side. Reconnecting an account is theirs to do: I ask them for it, and an agent approves the request.';
/**
 * Questions about a reconnect offered and not yet asked for, which the offer does not answer: how
 * long it takes, how the customer hears of it, whether the account ships meanwhile.
 */
const RECONNECT_QUESTIONS: QuestionAnswers = [
  // "Does that mean I have to make a new one?" (read as opening one, whose answer said the account
  // shows on the carriers page, which a disconnected one does not): no, it exists.
  [
    /\b(?:make|open|create|start|get|need|register)\s+(?:a\s+)?(?:new|another|second|fresh)\s+(?:one|account)\b|\b(?:new|another)\s+(?:one|account)\b.*\?|\bstart\s+(?:over|again|from\s+scratch)\b/i,
    'No: your One Balance account still exists, so you do not need a new one. It only needs to be connected to your store again.',
  ],
  [
    ASKS_TIME,
    'I cannot say exactly how long it takes: a Customer Success agent approves each reconnect request, and you hear from us as soon as it is done.',
  ],
  [
    /\b(?:e-?mail\w*|notif\w*|let\s+me\s+know|tell\s+me\s+when|how\s+(?:will|do|would|can)\s+i\s+know|hear\s+(?:back|from))\b/i,
    'You will hear from us once it is reconnected, and your account then shows on the ONE BALANCE & CARRIERS page again, so you can also check there.',
  ],
  [MEANWHILE, RECONNECT_MEANWHILE],
  [ASKS_WHO_CUSTOMER_SUCCESS, CUSTOMER_SUCCESS],
  // "Will it cost anything?" (not "how much does One Balance cost?", which the prices answer): the
  // account comes free with the subscription; no fee for reconnecting is known to the bot, and it
  // says only that.
  [
    /\b(?:will|would|does|is)\s+(?:it|that|this|reconnect\w*)\s+(?:cost|be\s+free|charge)|\b(?:fees?|charges?|costs?)\s+(?:for|to)\s+(?:it|that|this|reconnect\w*)|\b(?:costs?|charge\w*|pay|fees?)\b[^.?!]*\breconnect\w*|\bis\s+(?:there|that)\s+(?:a\s+|any\s+)?(?:fee|charge|cost)\b(?![^.?!]*\b(?:one\s+balance|account)\b)/i,
    'Your One Balance account comes free with your subscription, and I know of no charge for reconnecting it: you pay only for the postage you buy.',
  ],
];
/** "I forgot my password", "it says wrong password": a password to reset, not one to look up. */
const PASSWORD_TROUBLE =
  /\b(?:reset\w*|forg[eo]t\w*|chang\w*|wrong|invalid|incorrect|expired|locked|new\s+(?:one|password)|not\s+work\w*|does\s*n['’]?t\s+work|won['’]?t\s+work|fail\w*|remember)\b/i;
/** "I don't understand", "I'm confused", "that makes no sense": the last answer did not land. */
const CONFUSED =
  /^\s*(?:(?:sorry|sry|um+|hm+|huh|what|ok(?:ay)?)[\s,.!?]+)*(?:i\s+(?:do\s*n['’]?t|do\s+not|dont)\s+(?:understand|get\s+it|follow)|i['’]?m\s+(?:confused|lost)|i\s+am\s+(?:confused|lost)|(?:that|this|it)\s+(?:makes\s+no\s+sense|does\s*n['’]?t\s+make\s+(?:any\s+)?sense)|(?:that['’]?s|that\s+is)\s+confusing)(?:\s+(?:that|this|it|you|what\s+you\s+(?:said|mean)))?\s*[?.!]*\s*$/i;
/** "What if it still doesn't work?", "and if it's still suspended after that?": asked of a fix. */
const WHAT_IF_STILL_FAILS =
  /\b(?:what\s+if|and\s+if|if\s+(?:it|that|this))\b.*(?:\bstill\b|n['’]?t\b|\bnot\b|\bnever\b).*\b(?:work\w*|fix\w*|help\w*|lift\w*|suspended|go(?:es)?\s+through)\b/i;
/** "Can you do it for me?", "could you just do that?": the bot asked to make the steps itself. */
const DO_IT_FOR_ME =
  /^\s*(?:(?:so|ok(?:ay)?|well|but)[\s,.!]+)*(?:can|could|would|will)\s+(?:you|u)\s+(?:just\s+|please\s+)?(?:do|handle|sort|fix|set\s+up)\s+(?:it|that|this|them)(?:\s+(?:out|up))?(?:\s+for\s+me)?(?:\s+please)?\s*[?.!]*\s*$/i;
/** "What can you do?", "can you actually check things?" (not "can you check my account?", a request). */
const ASKS_WHAT_BOT_DOES =
  /^\s*(?:(?:so|ok(?:ay)?|hi|hey|and|but|wait)[\s,.!]+)*(?:what\s+(?:else\s+)?(?:can|do|could)\s+(?:you|u)\s+(?:do|help\s+(?:me\s+)?with|check|see)|what\s+are\s+(?:you|u)\s+(?:able\s+to\s+do|for|here\s+for)|can\s+(?:you|u)\s+(?:actually\s+|really\s+|even\s+)?(?:check|see|look\s+(?:at|into))\s+(?:things|stuff|anything|accounts))(?:\s+(?:here|for\s+me|exactly|then))?\s*[?.!]*\s*$/i;
const WHAT_I_DO =
  'I answer questions about One Balance: logging in, finding your account details, suspensions, registration errors, opening or closing an account, and pricing. Signed in to the app, I can also check your own account, for example whether it is suspended. What can I help you with?';
const WHAT_I_DO_SIGNED_IN =
  'While we talk I can check your own One Balance account: whether it is suspended (and try to lift it), whether it is connected to your store, and whether its plan allows First Class. I also answer questions about logging in, your account details, registration errors, opening or closing an account, and pricing. What can I help you with?';
/** Questions about the bot itself, and whether it is there. */
const SMALL_TALK_QUESTIONS: QuestionAnswers = [
  [
    /^\s*(?:(?:so|wait|hey|hi|ok(?:ay)?)[\s,.!]+)?(?:are|r)\s+(?:you|u)\s+(?:a\s+|an\s+|even\s+a\s+|just\s+a\s+)?(?:bot|robot|chat\s*bot|human|real(?:\s+person)?|person|ai|machine|computer|automated)(?:\s+or\s+(?:a\s+|an\s+)?(?:bot|robot|human|real\s+person|person|ai|machine))?\s*[?.!]*\s*$|\b(?:am\s+i|are\s+we)\s+(?:talking|chatting|speaking)\s+(?:to|with)\s+(?:a\s+|an\s+)?(?:bot|robot|chat\s*bot|human|real\s+(?:person|human)|person|ai|machine|computer)\s*\??\s*$/i,
    'I am the One Balance support bot, not a person. I can answer questions about your One Balance account and check it for you; if you would rather talk to a person on our support team, just say so.',
  ],
  [
    /^\s*(?:(?:hello|hi|hey)[\s,.!]+)?(?:is\s+(?:there\s+)?)?(?:any\s*(?:one|body)|some\s*(?:one|body))\s+(?:there|here|around|available)\s*[?!.]*\s*$|^\s*(?:hello|hi|hey)\s*\?+\s*$|^\s*(?:(?:hello|hi|hey)[\s,.!]+)?are\s+(?:you|u)\s+(?:still\s+)?there\s*\?*\s*$/i,
    'Yes, I am here. What can I help you with on your One Balance account?',
  ],
  // "Who made you?", "what's your name?": about the bot itself ("what can you do?" has its own answer).
  [
    /^\s*(?:(?:so|and|hey|hi|ok(?:ay)?)[\s,.!]+)?(?:who\s+(?:made|built|created|runs|programmed)\s+(?:you|u)|what(?:['’]s|\s+is)\s+your\s+name|do\s+(?:you|u)\s+have\s+a\s+name)\s*[?.!]*\s*$/i,
    'I am the One Balance support bot, a program that works with our support team. I can help you find your account details, log in, sort out a suspension or a registration error, open, close or reconnect an account, and answer questions on pricing and First Class plans; signed in, I check your own account as we go.',
  ],
];
/** "Do you need my password?", "should I give you my new password?": never (DOMAIN.md). */
const ASKS_FOR_PASSWORD =
  /\b(?:do|does|will|would)\s+you\s+need\s+(?:my|the)\s+(?:new\s+)?password\b|\b(?:should|do|can|shall)\s+i\s+(?:tell|give|send|share|type)\s+(?:(?:you|it)\s+)?(?:my|the)\s+(?:new\s+)?password\b|\b(?:tell|give|send)\s+you\s+(?:my|the)\s+(?:new\s+)?password\b/i;
const NEVER_NEEDS_PASSWORD = 'No: I never need your password, so please do not type it here.';
/** The reset email missing: it is Stamps.com's to send, so where to look, and then who can help. */
const RESET_EMAIL_QUESTIONS: QuestionAnswers = [
  // "I don't have access to that email anymore": the reset cannot reach the customer, so Stamps.
  [
    /\b(?:no|lost|(?:do\s*n['’]?t|do\s+not|no\s+longer)\s+have|can['’]?t|cannot|could\s*n['’]?t)\s+(?:longer\s+)?(?:access|get\s+into|log\s*in(?:to)?|sign\s+in(?:to)?|open|use)\b.*\b(?:e-?mail|inbox)\b|\be-?mail\b.*\b(?:no\s+longer|anymore|any\s+more|closed|deleted|gone|(?:can['’]?t|cannot)\s+(?:access|get\s+into|log\s*in(?:to)?|sign\s+in(?:to)?|open))\b/i,
    `The reset email goes to the email address of your Stamps.com account, and I cannot change that from here. Stamps can help you get back into the account another way: call them at ${STAMPS_PHONE}.`,
  ],
  [
    /\b(?:checked|looked\s+in|searched)\s+(?:my\s+|the\s+)?(?:spam|junk)\b|\b(?:spam|junk)\b.*\b(?:too|also|nothing|either)\b/i,
    `Then Stamps can help you with the reset: call them at ${STAMPS_PHONE}.`,
  ],
  [
    /\b(?:did\s*n['’]?t|did\s+not|never|have\s*n['’]?t|not|no)\s+(?:get|got|gotten|getting|receiv\w*|see|seen|arriv\w*|come|came|coming)\b.*\b(?:e-?mails?|link|reset)\b|\b(?:e-?mail|link)\b.*\b(?:never|not|has\s*n['’]?t|did\s*n['’]?t|does\s*n['’]?t)\s+(?:came|come|comes|coming|arriv\w*|there|show\w*)\b|\bno\s+(?:reset\s+)?e-?mail\b/i,
    'The reset email comes from Stamps.com, so I cannot see it or send it again. Check your spam or junk folder, and ask for it again with the "forgot password" link on the Stamps.com sign-in page, using the email address of your Stamps.com account.',
  ],
];
/** "Where do I enter the new password in the app?", "where do I put it?": the last step's place. */
const WHERE_TO_ENTER_PASSWORD =
  /\bwhere\b[^?.!]*\b(?:enter|put|type|update|change|save|add)\b[^?.!]*\b(?:password|it|one)\b/i;
const ENTER_PASSWORD_THERE =
  'On the ONE BALANCE & CARRIERS page: click that link at the top right of any page of the app, and enter the new Stamps.com password for your One Balance account there, so the credentials the app keeps match again.';
/** "Do I enter it in the app or on Stamps.com?": which of the two places, asked as a choice. */
const APP_OR_STAMPS =
  /\b(?:app|shipping\s*easy|platform)\b[^?.!]*\bor\b[^?.!]*\bstamps\b|\bstamps\b[^?.!]*\bor\b[^?.!]*\b(?:app|shipping\s*easy|platform)\b/i;
const BOTH_PLACES =
  'Both, one after the other: you reset the password on Stamps.com (its "forgot password" link), then enter that new password in the app, on the ONE BALANCE & CARRIERS page (top right of any page), so the two match.';
/** "Do I enter it in the app too?", "what about the app?": whether the new password goes in there as well. */
const ENTERS_IN_APP_TOO =
  /\b(?:in|into|on)\s+(?:the\s+)?(?:app|shippingeasy|platform)\b[^.!]*\b(?:too|as\s+well|also)\b|\b(?:too|as\s+well|also)\b[^.!]*\b(?:in|into|on)\s+(?:the\s+)?(?:app|shippingeasy|platform)\b|\b(?:what|how)\s+about\s+(?:the\s+)?(?:app|shippingeasy)\b|\b(?:enter|put|update|change|type|add)\b[^.!?]*\bthere\s+(?:too|as\s+well)\b/i;
const ENTER_IN_APP_TOO =
  'Yes: after the reset on Stamps.com, enter the new password on the ONE BALANCE & CARRIERS page of the app (top right of any page). Until it is there, the credentials the app keeps do not match, and postage purchases keep failing.';
/**
 * Questions about the reset steps given on their own (no suspension waits on them): what a new
 * password changes for the app, and whether the bot needs to hear of it.
 */
const RESET_STEP_QUESTIONS: QuestionAnswers = [
  [APP_OR_STAMPS, BOTH_PLACES],
  [WHERE_TO_ENTER_PASSWORD, ENTER_PASSWORD_THERE],
  [ENTERS_IN_APP_TOO, ENTER_IN_APP_TOO],
  [
    /\b(?:will|would|could|does|can|might)\s+(?:it|that|this|changing\s+it|resetting\s+it|the\s+reset|a\s+new\s+(?:one|password))\s+(?:break|mess\s+up|affect|stop|suspend|cause|change)\b|\bwhat\s+(?:happens|if)\b.*\b(?:do\s*n['’]?t|not|forget)\b.*\b(?:enter|put|update)\w*\b/i,
    'Only if the app keeps the old one: until the new password is entered on the ONE BALANCE & CARRIERS page, the credentials the app stores no longer match, and postage purchases fail with the suspension alert. Enter it there right after the reset, and nothing breaks.',
  ],
  [
    /\b(?:tell|let)\s+you\s+(?:know\s+)?(?:after|when|once|if)\b|\b(?:need|have)\s+to\s+(?:tell|inform|notify|contact)\s+you\b/i,
    'No need: once the new password is entered on the ONE BALANCE & CARRIERS page, you are done. If a postage purchase fails after that, tell me and I will check your account.',
  ],
];
/**
 * Questions about the new password while the bot waits for it: none needs the steps again. The bot
 * never takes a password, and Stamps.com, not the bot, sets what a password may be and sends the
 * reset email.
 */
const NEW_PASSWORD_QUESTIONS: QuestionAnswers = [
  ...RESET_EMAIL_QUESTIONS,
  [ENTERS_IN_APP_TOO, ENTER_IN_APP_TOO],
  [
    ASKS_FOR_PASSWORD,
    `${NEVER_NEEDS_PASSWORD} It goes only into the ONE BALANCE & CARRIERS page, where the app keeps it.`,
  ],
  [
    /\b(?:re-?use|keep|use|put\s+back)\s+(?:my\s+|the\s+)?(?:old|same|previous|current|original)\s+(?:one|password)\b|\bsame\s+(?:one|password)\s+(?:again|as\s+before)\b/i,
    'Whether Stamps.com accepts a password you used before is up to Stamps.com. What matters is that the app has the password that works on Stamps.com now: reset it there, then enter that one on the ONE BALANCE & CARRIERS page.',
  ],
  [
    /\bwhat\s+(?:should|do|does|can|must|would)\s+(?:the\s+new\s+(?:one|password)|my\s+new\s+password|it)\s+be\b|\bwhat\s+(?:new\s+)?password\s+(?:should|do|can|must)\s+i\b|\bwhich\s+password\s+(?:should|do|can)\s+i\b|\bpassword\s+(?:rules|requirements)\b/i,
    'Any new password that Stamps.com accepts: you choose it when you reset it on Stamps.com, and Stamps.com says there what it must contain. I never need to know it.',
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
  /** The late turns this process is still finishing: handed over to another process at a stop. */
  private readonly lateTurns = new Map<string, { conversationId: string; turnId: string }>();
  private readonly guard: OutputGuard;

  constructor(private readonly deps: EngineDependencies) {
    this.guard = createOutputGuard({ ...deps.outputGuard, fallback: SAFE_FALLBACK });
    this.options = { waitMs: 5_000, lateDeliveryMs: 600_000, clarifyBelow: 0.6, ...deps.options };
    this.answers = new Map(deps.intents.map((intent) => [intent.id, intent.answers]));
    const dialogue = deps.dialogue ?? { acts: {}, followups: [] };
    this.followups = new FollowupBook(dialogue, ActReader.train(dialogue, deps.intents));
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
      const work = this.decide(state, redacted.text, context, understood);
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
        };
      }
      const { next, messages, tickets, ticketId } = this.finish(state, turnId, first, checks);
      await store.commit(next, [...unwritten.splice(0), ...messages], token);
      committed = true;
      await this.requestTickets(state.id, tickets);
      return {
        conversationId: state.id,
        turnId,
        messages: [...immediate, ...messages],
        intent: first.intent,
        confidence: first.confidence,
        checks,
        escalation: withTicketId(first.reply.escalation, ticketId),
        pending: false,
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
    const opening = this.deps.supportHours ? nextOpening(this.deps.supportHours) : null;
    const supportWhen = this.answerOf('talk_to_human', opening === null ? 'support_open' : 'support_closed', {
      opening: opening ?? '',
    });
    const vars = { ticketId: handoffTicketId(state) ?? '', supportWhen, stampsPhone: STAMPS_PHONE };
    const openingSteps = this.answerOf('open_account', 'default', {});
    return this.followups.answer(
      {
        text,
        intent: reading.intent,
        lexiconActs: new Set(),
        scopes: scopesOf(state),
        answering: scopesOf(state, only),
        facts: factsOf(state, text, opening === null, reading, openingSteps),
      },
      (template) =>
        render(
          withAnswers(template, (id, variant) => this.answerOf(id, variant, vars)),
          vars,
        ),
    );
  }

  /** An intent's answer variant with its placeholders filled. */
  private answerOf(intent: string, variant: string, vars: Record<string, string>): string {
    const templates = this.answers.get(intent) ?? {};
    return render(templates[variant] ?? templates.default ?? '', vars);
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
    // An answer that gives the steps for the first time becomes the one later questions refer to,
    // so that the next answer does not send them again.
    const recapWhenStepsGiven = (texts: string[]): Partial<ConversationState> =>
      openingStepsGiven ? {} : { recap: { intent: 'open_account', texts } };
    // Classified once per turn; its entities also tell whether another account was typed in.
    const understanding = this.deps.understander.understand(text);
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
    let intent = understanding.intent;
    let confidence = understanding.confidence;
    // The follow-ups of intents/dialogue/ the active scopes accept: those about an open wait first
    // (below), the others once the wait had its turn, and all again before any repair (the
    // reading may be settled by then).
    const followupWork = async (only: readonly Scope[] = SCOPES): Promise<TurnWork | undefined> => {
      const answered = await this.followupReply(state, text, { intent, confidence }, context, only);
      if (answered === undefined) return undefined;
      const { found } = answered;
      let { reply } = answered;
      let stateChanges: Partial<ConversationState> = {
        ...changes,
        misunderstandings: found.countsAsMiss ? 0 : state.misunderstandings,
      };
      if (found.offersPerson && !ticketOpen) {
        reply = { ...reply, choices: YES_OR_NO };
        stateChanges = { ...stateChanges, personOffered: true };
      }
      if (found.remindsOffer && offer !== undefined)
        reply = { ...reply, texts: [...reply.texts, offerReminder(offer)], choices: offerChoices(offer) };
      if (found.about !== undefined && found.topic === undefined)
        return withNote(
          settled(found.about as IntentId, reply, { ...stateChanges, misunderstandings: 0, recap }),
        );
      return withNote({ reply, intent: found.topic ?? intent, confidence, stateChanges });
    };
    // Word that the awaited fix is made ("I updated my card") is the wait's answer, whatever else
    // it names: the code lexicon takes it below.
    const aboutTheWait = context.fixReported ? undefined : await followupWork(['wait']);
    if (aboutTheWait !== undefined) return aboutTheWait;
    // A visitor told how to mend a changed password (or a card) who says it is done ("ok i reset
    // it and put it in the app") got the same steps again: the bot cannot check a visitor's
    // account, so it says what the fix does and what signing in adds if postage still fails.
    if (
      state.customer === null &&
      offer === undefined &&
      (recap?.intent === 'reset_stamps_password' || recap?.intent === 'explain_suspension') &&
      DONE.test(text) &&
      // The fix named ("I reset it", "updated my card"), not "I already did all that" (answered below).
      NAMES_A_FIX.test(text)
    )
      return answerAboutSoFar(
        recap.intent,
        `Good: ${
          /\bcard\b/i.test(text)
            ? 'with the card updated,'
            : 'with the new password entered on the ONE BALANCE & CARRIERS page, the password the app keeps matches Stamps.com again, so'
        } try buying postage now. If it still fails, sign in to the app and open this chat from there: I can then check your account and try to lift a suspension.`,
      );
    if (answerable !== undefined) {
      const offerIntent = answerable.kind === 'reconnect' ? 'reconnect_account' : 'explain_suspension';
      // A no changes nothing to recap: "why?" after it is about the offer, which comes back with it.
      const answered = (reply: Reply, declinedOffer?: Offer): TurnWork =>
        settled(offerIntent, reply, {
          offer: undefined,
          declinedOffer,
          personOffered: undefined,
          misunderstandings: 0,
          ...(declinedOffer ? { recap } : {}),
        });
      // A reply while the bot waits for a fix: the offer stays open and the last answer the recap.
      const waitGoesOn = (reply: Reply, more: Partial<ConversationState> = {}): TurnWork =>
        settled(offerIntent, reply, { personOffered: undefined, misunderstandings: 0, recap, ...more });
      // What the customer asked, answered, and the open offer asked again with its quick answers:
      // what a reconnect does is explained once, then only asked ("I don't understand" hears it again).
      const offerAgainAfter = (said: string, open: Offer, explainAgain = false): TurnWork => {
        const reply = {
          texts: [said, offerReminder(open, open.explained === true && !explainAgain)],
          choices: offerChoices(open),
        };
        if (open.kind !== 'reconnect' || open !== offer) return waitGoesOn(reply);
        return waitGoesOn(reply, { offer: { ...open, explained: true } });
      };
      // "Can you do it for me?" to a reconnect offer asks for what the offer is: the request.
      if (
        answerable.kind === 'reconnect' &&
        (YES.test(text) || ASKS_TO_RECONNECT.test(text) || DO_IT_FOR_ME.test(text))
      )
        return answered(await requestReconnect(context, answerable.accountId));
      // "Is there a number I can call?" while an offer is open (and no Stamps line was given): the
      // bot has none for our support, a person is there for the asking, and the offer stands.
      const stampsLineSaid =
        state.escalations.some((escalation) => escalation.kind === 'phone') ||
        recap?.texts.some((answer) => answer.includes(STAMPS_PHONE)) === true;
      if (offer !== undefined && !stampsLineSaid && ASKS_SUPPORT_PHONE.test(text))
        return offerAgainAfter(`${NO_SUPPORT_PHONE} Say "talk to a person" if you would like that.`, offer);
      // "I don't understand" to an open offer: what it is, said again, and the same question.
      if (offer?.kind === 'reconnect' && CONFUSED.test(text))
        return offerAgainAfter('Sorry, that was not clear. In short:', offer, true);
      // "No thanks, I'll do it myself. How?": a reconnect is Customer Success's to make, so there
      // are no steps to give; the offer stays, or stays open to an "actually, yes".
      if (offer?.kind === 'reconnect' && DOES_IT_THEMSELVES.test(text)) {
        const noSteps =
          'A reconnect is made by our Customer Success team, not from the app, so there are no steps I can give you to do it yourself.';
        return NO.test(text)
          ? answered(
              { texts: [`${noSteps} If you change your mind, just say yes and I will ask them.`] },
              offer,
            )
          : offerAgainAfter(noSteps, offer);
      }
      // "It's gone" while the reconnect is offered (read as closing, 0.53) says again what the
      // offer answers: the account is missing from the page, not gone.
      if (offer?.kind === 'reconnect' && SAYS_GONE.test(text) && !QUESTION.test(text))
        return offerAgainAfter(
          'It is missing from the ONE BALANCE & CARRIERS page because it is not connected to your store, but the account itself still exists.',
          offer,
        );
      // "Why did it disconnect?", "will I lose my balance?" before the yes or no: what the bot can
      // see, and the offer again. "Why?" alone is the offer's explanation (below).
      if (offer?.kind === 'reconnect' && !FOLLOW_UP.test(text)) {
        const said =
          answerIn(RECONNECT_QUESTIONS, text) ??
          (ASKS_WHY_DISCONNECTED.test(text)
            ? 'I cannot see why it was disconnected: the account system only shows that your account exists at Stamps.com and is no longer connected to your store.'
            : LEFT_MONEY.test(text) || FEARS_LOSING.test(text)
              ? 'Reconnecting does not make a new account: it links your existing one, as it is at Stamps.com, back to your store. I cannot see its balance from here.'
              : undefined);
        if (said !== undefined) return offerAgainAfter(said, offer);
      }
      if (answerable.kind === 'unsuspend_retry' && context.fixReported)
        return answered(await POLICIES.explain_suspension(context));
      // A reply while the card or password fix is awaited.
      if (offer?.kind === 'unsuspend_retry') {
        // "How do I do that?", "so what do I do?" or "anything else I need to do?" is about the fix, unless it names
        // another topic ("how do I log in?"): the steps, and the wait goes on. Left to the
        // suspension policy, a question about the suspension would try to unsuspend again before
        // the fix is made. Resetting the password is the password fix's own topic ("how do I put
        // the new password in?").
        const fixTopic = offer.after === 'card' ? undefined : 'reset_stamps_password';
        const namesOtherTopic =
          understanding.intent !== OUT_OF_SCOPE &&
          understanding.intent !== 'explain_suspension' &&
          understanding.intent !== fixTopic;
        // "I don't see a payment section": the bot cannot see those pages to point further, and
        // Stamps can; the steps again would not help.
        if (CANNOT_FIND.test(text) && !namesOtherTopic)
          return offerAgainAfter(
            offer.after === 'card'
              ? `I cannot see your One Balance account's pages, where the card is kept, from here, so I cannot point you to the exact place. Stamps can walk you through it at ${STAMPS_PHONE}.`
              : `The "forgot password" link is on the Stamps.com sign-in page, and I cannot see Stamps.com's pages from here to point further. Stamps can walk you through the reset at ${STAMPS_PHONE}.`,
            offer,
          );
        // "I don't understand" while the fix is awaited: the fix's steps, which are what the wait
        // is for; "can you do it for me?": only the customer can make that fix, then the steps.
        if (CONFUSED.test(text) || DO_IT_FOR_ME.test(text)) {
          const steps = howToFix(context, offer);
          const lead = CONFUSED.test(text)
            ? 'Sorry, that was not clear. Here are the steps again:'
            : offer.after === 'card'
              ? 'I cannot change the card for you: card details never reach me, and only you can update the card on your One Balance account.'
              : 'I cannot reset it for you: only you can choose a new Stamps.com password, on Stamps.com.';
          return waitGoesOn({ ...steps, texts: [lead, ...steps.texts] });
        }
        // "Which payment?", "when did it happen?" of the declined payment: the records say only
        // that one was declined (it was asked which of two topics, or told to say "done").
        // "What if it still doesn't work?": what follows a retry that fails, promised now, and the
        // wait goes on (it was told to say "done" again, as if not understood).
        if (WHAT_IF_STILL_FAILS.test(text) && !namesOtherTopic)
          return offerAgainAfter(
            `If it is still suspended after ${offer.after === 'card' ? 'the card update' : 'the new password is entered'}, I will tell you as soon as you say "done". Calling Stamps at ${STAMPS_PHONE} is then the fastest way back to shipping, and I will let our support team know too.`,
            offer,
          );
        // "Where do I enter the new password?": the place of the last step, not all the steps again.
        if (offer.after === 'password' && APP_OR_STAMPS.test(text) && !namesOtherTopic)
          return offerAgainAfter(BOTH_PLACES, offer);
        if (offer.after === 'password' && WHERE_TO_ENTER_PASSWORD.test(text) && !namesOtherTopic)
          return offerAgainAfter(ENTER_PASSWORD_THERE, offer);
        // A bare follow-up ("what are the steps?") right after an answer on another topic (how to
        // close) is about that answer, not the fix.
        const aboutOtherAnswer =
          FOLLOW_UP.test(text) &&
          recap !== undefined &&
          recap.intent !== 'explain_suspension' &&
          recap.intent !== fixTopic;
        if (
          (HOW_TO.test(text) || ANYTHING_TO_DO.test(text) || WHATS_NEXT.test(text)) &&
          (!namesOtherTopic || FOLLOW_UP.test(text)) &&
          !aboutOtherAnswer
        )
          return waitGoesOn(howToFix(context, offer));
        if (offer.after === 'password') {
          const said = answerIn(NEW_PASSWORD_QUESTIONS, text);
          if (said !== undefined) return offerAgainAfter(said, offer);
          // "Do I need my old password to reset it?" (which "change it again?" would take for a yes):
          // no, and the wait goes on.
          if (NEEDS_OLD_PASSWORD.test(text))
            return offerAgainAfter(
              'No: the reset does not ask for the old password. Use the "forgot password" link on the Stamps.com sign-in page and choose a new one.',
              offer,
            );
          // "So do I change it again?": yes, and where it goes.
          if (YES_NO_QUESTION.test(text) && ASKS_TO_CHANGE_AGAIN.test(text))
            return offerAgainAfter(
              'Yes: reset your Stamps.com password once more, then enter the new one on the ONE BALANCE & CARRIERS page, so that the app has the password that works.',
              offer,
            );
        }
        // "How long does it take after I update the card?": the bot's own retry is at once, which
        // it can promise; how long Stamps takes is not the bot's to know.
        if (HOW_LONG.test(text))
          return waitGoesOn({
            texts: [
              `${offerReminder(offer)} That takes only a moment, and I will tell you straight away whether it worked.`,
            ],
            choices: offerChoices(offer),
          });
        // A denial of the suspension's cause ("I never changed my password", "my card is fine, I
        // just used it"): what the records show and who can see more; the wait for the fix goes
        // on. Before "no, not yet", which "no, I never changed it" is not.
        // "Can I still ship UPS while it's suspended?" (read as the prices, for "UPS"): not until the
        // fix lifts it; the retry would only find it suspended again.
        if (asksToShipMeanwhile(text) && (!namesOtherTopic || understanding.intent === 'pricing'))
          return offerAgainAfter(
            forCarrierNamed(
              'Not while it is suspended: a suspended account cannot buy postage, so new labels have to wait until it is lifted.',
              text,
            ),
            offer,
          );
        // "Is it because my card expired?": a guess at why the payment was declined, which the
        // records do not tell; the fix is the same whatever it was.
        if (offer.after === 'card' && QUESTION.test(text) && GUESSES_DECLINE_CAUSE.test(text))
          return offerAgainAfter(
            'It could be: the account records show only that a payment was declined, not why. Whatever the cause, updating the card on your One Balance account is what fixes it.',
            offer,
          );
        const denied =
          offer.after === 'card' ? DENIES_CARD_PROBLEM.test(text) : DENIES_PASSWORD_CHANGE.test(text);
        if (denied) return offerAgainAfter(offer.after === 'card' ? CARD_RECORDS : PASSWORD_RECORDS, offer);
        // "No, not yet" to a wait for "done" is not a no to anything: the wait goes on.
        if (NO.test(text))
          return waitGoesOn({ texts: [`No rush. ${offerReminder(offer)}`], choices: offerChoices(offer) });
      }
      if (offer !== undefined && NO.test(text))
        return answered(
          {
            texts: [
              'All right, I will leave it as it is. If you change your mind, just say so. Is there anything else I can help with?',
            ],
          },
          offer,
        );
    }

    // The out-of-scope answer ends by offering a person; it is answered in the next message or not
    // at all, so that a "yes" much later does not bring one in unasked. "ok thanks" is a thank-you,
    // not a yes.
    if (state.personOffered === true) {
      const accepts =
        YES.test(text) && understanding.intent !== 'thanks' && understanding.intent !== 'goodbye';
      if (accepts || NO.test(text)) {
        const reply = accepts
          ? await POLICIES.talk_to_human(context)
          : { texts: ['All right. Is there anything about your One Balance account I can help with?'] };
        return withNote(
          settled('talk_to_human', reply, {
            personOffered: undefined,
            declinedOffer: undefined,
            misunderstandings: 0,
          }),
        );
      }
      // A question about the person offered, answered; the offer stands, and it is not a second
      // message the bot failed to understand.
      const offerStands = (answer: string): TurnWork =>
        settled(
          'talk_to_human',
          { texts: [answer], choices: YES_OR_NO },
          { personOffered: true, misunderstandings: 0 },
        );
      // "Ok, who do I ask then?": who the person offered is.
      if (ASKS_WHO_HELPS.test(text))
        return offerStands(
          'A person on our support team: they can look into what I cannot answer here. Shall I pass you to them? (yes / no)',
        );
      // "What email did I use?" after no account was found under the signed-in one: the bot cannot
      // look under others, and the person offered can.
      if (state.account === null && ASKS_WHICH_EMAIL.test(text))
        return offerStands(
          'I cannot tell which email an account was registered with: I can only look under the email you are signed in with. Our Customer Success team can check other emails for an account. Shall I pass you to a person on our support team? (yes / no)',
        );
    }

    const early = await followupWork(EARLY_SCOPES);
    if (early !== undefined) return early;

    // The last answer found nothing wrong and asked to be told if it still fails: this says so,
    // about that answer, unless it names a topic of its own ("my registration still fails"). The
    // classifier's guess for "still failing" alone is no topic, and the same topic again would
    // only find nothing wrong again: a person takes it. Quoting the error it asked for is the same.
    // What the promise was made about: the last answer, even if a message the bot did not
    // understand came after it.
    const { stillFailingTicket } = state;
    // Kept for one more message by a reply that does not answer the promise (what the customer will
    // try, "ok", a message not understood).
    const promiseKept: Pick<Reply, 'patch'> = stillFailingTicket ? { patch: { stillFailingTicket } } : {};
    const lastIntent = recap?.intent ?? state.lastIntent;
    const guessed = understanding.intent;
    const tried = STILL_FAILS.test(text) || ALREADY_DID.test(text);
    if (
      stillFailingTicket !== undefined &&
      lastIntent !== undefined &&
      (tried || QUOTES_ERROR.test(text)) &&
      (!QUESTION.test(text) || SAYS_IT_FAILS.test(text)) &&
      (guessed === OUT_OF_SCOPE || guessed === lastIntent || !this.namesBeyondFailure(text, guessed))
    ) {
      return withNote(
        settled(
          lastIntent as IntentId,
          {
            texts: [
              `Thank you for ${tried ? 'trying that' : 'letting me know'}. Your account looks fine from here, so I am bringing in a person to look into it with you.`,
            ],
            escalation: { kind: 'ticket', reason: stillFailingTicket, status: 'requested' },
          },
          { ...waitsEnded, misunderstandings: 0 },
        ),
      );
    }

    // Asked about another USPS service after the First Class answer: not what the plan check tells,
    // and a failure there is reported the way the answer asked (quoted errors are handled above).
    if (
      recap?.intent === 'first_class_plan' &&
      offer === undefined &&
      (guessed === OUT_OF_SCOPE || guessed === 'first_class_plan') &&
      OTHER_MAIL_SERVICE.test(text)
    ) {
      // A visitor's "it's only priority" says First Class is missing, which the answer said a
      // person must look into (a signed-in customer's was passed on above).
      if (QUOTES_ERROR.test(text))
        return answeredWithPerson(
          'first_class_plan',
          [
            `Then First Class is missing from your choices, which a person on our team needs to look into. ${SIGN_IN}`,
          ],
          'Or shall I pass this to a person on our support team now? (yes / no)',
        );
      return answerAboutSoFar('first_class_plan', {
        texts: [
          'The plan check I can run tells only whether First Class is allowed; I cannot see which other USPS services your plan covers. If buying such a label fails, tell me the error you see and I will pass it to a person.',
        ],
        ...promiseKept,
      });
    }
    // A visitor quoting the alert's "contact support" after the suspension steps: this chat is that
    // support, and the steps stand (they were sent again, word for word).
    if (
      state.customer === null &&
      recap?.intent === 'explain_suspension' &&
      QUOTES_CONTACT_SUPPORT.test(text) &&
      !QUESTION.test(text)
    )
      return answerAboutSoFar(
        'explain_suspension',
        `That is the suspension alert, and this chat is the support it asks you to contact. The steps I gave are what fixes it. ${SIGN_IN_TO_CHECK}`,
      );
    // Asked how, beside saying so ("I'm not logged in, how do I sign in?"): the question is answered.
    if (state.customer === null && ASKS_HOW_TO_SIGN_IN.test(text))
      return settled('log_in', { texts: [HOW_TO_SIGN_IN] }, { ...waitsEnded, misunderstandings: 0, recap });
    // "I'm not signed in" from a visitor: that is fine, and what signing in would add.
    if (state.customer === null && SAYS_NOT_SIGNED_IN.test(text)) {
      const texts = [
        'That is fine: I can still answer general questions about One Balance here. If you want me to check your own account, sign in to the app and open this chat from there.',
      ];
      // A remark beside the topic, which stays the one to go back to.
      return settled('log_in', { texts }, { ...waitsEnded, misunderstandings: 0, recap });
    }
    if (CLAIMS_SIGNED_IN.test(text)) {
      const texts = [
        state.customer === null
          ? NOT_SIGNED_IN_HERE
          : 'Yes, this chat knows you are signed in, so I can check your own account. What can I help you with?',
      ];
      // A remark beside the topic, as above.
      return settled('log_in', { texts }, { ...waitsEnded, misunderstandings: 0, recap });
    }

    // The account system says closed and the customer says they never closed it, or asks when or
    // why: the bot cannot see who closed it or when, so a person is offered, beside the way back
    // to shipping.
    const denies = DENIES_CLOSING.test(text);
    const { account } = state;
    const closedAccount = account?.status === 'closed';
    if (closedAccount && (denies || ASKS_WHEN_CLOSED.test(text))) {
      const texts = [
        `The account system shows your One Balance account ending in ${account.accountNumberLast4} as closed, and I cannot see who closed it, when or why. A new account gets you shipping again${openingStepsGiven ? ', with the steps I gave' : ''}.`,
        ...(openingStepsGiven ? [] : [openingSteps]),
      ];
      return answeredWithPerson(
        'close_account',
        texts,
        denies
          ? 'If you did not close it, a person on our support team can look into it: shall I pass this to them? (yes / no)'
          : 'A person on our support team can look into what happened: shall I pass this to them? (yes / no)',
        recapWhenStepsGiven(texts),
      );
    }
    // "Can I get my old balance back?": what was left on a closed account is not the bot's to see or
    // move; a person can look, so the question is not left unanswered as out of scope. Asked before
    // closing ("what happens to my money on it?", read as pricing), the same is true.
    if (
      (closedAccount || recap?.intent === 'close_account') &&
      (understanding.intent === OUT_OF_SCOPE || understanding.intent === 'pricing') &&
      LEFT_MONEY.test(text)
    ) {
      return answeredWithPerson(
        'close_account',
        [
          closedAccount
            ? 'I cannot see or move what was left on a closed account, sorry.'
            : "I cannot see your account's balance, or tell what happens to postage left on it when it closes, sorry.",
        ],
        closedAccount
          ? 'A person on our support team can look into your old account: shall I pass this to them? (yes / no)'
          : PERSON_BEFORE_CLOSING,
      );
    }
    // "Can I keep my old account number?" reads as asking for the details (0.95), which gave the
    // closed answer and the steps again: a closed account is not reopened, so its number goes with it.
    if (closedAccount && KEEPS_OLD_ACCOUNT.test(text)) {
      const texts = [
        `No, sorry: a closed account cannot be reopened or used again, so the account ending in ${account.accountNumberLast4} stays closed. The new account comes with an account number of its own, which the ONE BALANCE & CARRIERS page shows once it is open.`,
        ...(openingStepsGiven ? [] : [openingSteps]),
      ];
      return answerAboutSoFar('open_account', { texts }, recapWhenStepsGiven(texts));
    }
    // After the closing answer, "ok how do I do it?" asks how, which the closing guide says.
    if (recap?.intent === 'close_account' && CLOSE_IT_FOR_ME.test(text) && ASKS_HOW_I.test(text))
      return answerAboutSoFar(
        'close_account',
        'You close it yourself, by following the closing guide in the app\'s help centre; I cannot close it from this chat. If you would rather a person on our support team did it, say "talk to a person".',
      );
    // After the closing answer, "ok do it" or "close it for me" asks for what the bot cannot do: it
    // says so, so that nobody believes the account closed, and who can.
    if (recap?.intent === 'close_account' && CLOSE_IT_FOR_ME.test(text)) {
      return answerAboutSoFar(
        'close_account',
        'I cannot close an account from this chat, so nothing has changed on yours. You close it yourself with the closing guide in the app\'s help centre; if you would rather a person on our support team did it, say "talk to a person".',
      );
    }
    // Before closing, "can I reopen it later?" (read as a goodbye: "later") is answered by the closing
    // answer's own warning, and "what happens to my labels?" (read as the suspension) by what the bot
    // cannot see of it, with that warning and a person. Money left on it is answered above.
    if (recap?.intent === 'close_account' && !closedAccount && offer === undefined) {
      if (ASKS_TO_REOPEN.test(text)) return answerAboutSoFar('close_account', capitalised(CLOSED_FOR_GOOD));
      // "Done, closed it" (read as opening one, which said the account needs no second one): taken
      // as said, with the warning that matters from now on.
      if (SAYS_CLOSED_IT.test(text) && !QUESTION.test(text))
        return answerAboutSoFar(
          'close_account',
          `All right. Remember that ${CLOSED_FOR_GOOD} Is there anything else I can help you with?`,
        );
      if (ASKS_ABOUT_APP_AFTER_CLOSING.test(text))
        return answerAboutSoFar(
          'close_account',
          `Closing One Balance closes your postage account, the one the app buys postage with. Your subscription to the app is a separate matter, which I cannot see from here. What I do know: ${CLOSED_FOR_GOOD}`,
        );
      if (ASKS_WHAT_HAPPENS_TO.test(text))
        return answeredWithPerson(
          'close_account',
          [
            `I cannot tell what becomes of that when the account closes, sorry: I only see the state of the account. What I do know: ${CLOSED_FOR_GOOD}`,
          ],
          PERSON_BEFORE_CLOSING,
        );
    }
    // Right after an answer that found the account able to buy postage (a hold it lifted, or no
    // suspension and connected), "so I can print now?" is a yes, even said with thanks; the promise
    // to pass on a purchase that still fails holds once more. Not while an offer is open or was just
    // declined: a disconnected account is active too, and cannot buy postage.
    const liftedJustNow = state.liftedSuspension !== undefined && state.lastIntent === 'explain_suspension';
    const foundAbleToShip =
      state.stillFailingTicket === 'fails_though_healthy' ||
      state.stillFailingTicket === 'missing_though_connected' ||
      liftedJustNow;
    if (
      foundAbleToShip &&
      state.account?.status === 'active' &&
      answerable === undefined &&
      QUESTION.test(text) &&
      CAN_SHIP_NOW.test(text)
    ) {
      return answerAboutSoFar('explain_suspension', {
        texts: [
          'Yes: as far as I can see, your account is active and can buy postage, so you can print labels now. If a purchase still fails, tell me and I will pass it to a person.',
        ],
        patch: { stillFailingTicket: 'fails_though_healthy' },
      });
    }

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
    // "Where is that page?" after an answer that sends the customer to ONE BALANCE & CARRIERS: where
    // that link is, rather than "I can only help with...". "Where is the carriers page?" names it
    // itself, so it needs no such answer before it (alone, it reads as a missing account, 0.83).
    const recapNamesPage = recap?.texts.some((answer) => CARRIERS_PAGE.test(answer)) === true;
    if (WHERE_IS_IT.test(text) && (recapNamesPage || /\bcarriers?\b/i.test(text))) {
      return answerAboutSoFar(
        recap !== undefined && recapNamesPage ? (recap.intent as Answerable) : 'log_in',
        'The ONE BALANCE & CARRIERS link is at the top right of every page of the app; click it, and your One Balance account and its details are on the page it opens.',
      );
    }
    // Questions about the phone verification after the registration troubleshooting or the opening
    // steps (which end in it): what the bot knows of it, rather than "I can only help with...".
    // Small talk or a person is a guess at such a question ("i only have a landline" as a greeting).
    if (
      (recap?.intent === 'registration_error' || recap?.intent === 'open_account') &&
      (!isAccountQuestion(intent) || intent === 'registration_error' || intent === recap.intent) &&
      // "I tried a different number too" tells that it still fails (answered with a person below).
      !(CODE_STILL_MISSING.test(text) && !QUESTION.test(text))
    ) {
      const answer = answerIn(VERIFICATION_QUESTIONS, text);
      if (answer !== undefined)
        return answerAboutSoFar(
          recap.intent as Answerable,
          `${answer} If it still fails, tell me and I will bring in a person.`,
        );
    }
    // The bot sends nothing outside the chat, and the details are safest where the app keeps them.
    if (recap?.intent === 'find_credentials' && intent === OUT_OF_SCOPE && ASKS_TO_SEND_DETAILS.test(text))
      return answerAboutSoFar(
        'find_credentials',
        `I cannot send your details by email or text${state.customer === null ? '' : ', and for your security the chat shows only part of them'}. They are kept for you in the app: the ONE BALANCE & CARRIERS page (top right of the app) shows them in full whenever you are signed in.`,
      );
    // "Give me the whole number" after the masked details asks for them again, in full; "I forgot
    // it" or "do I need the old one?" after the password reset or the details is what the reset is
    // for (the second read as asking for the reset, which gave all its steps again).
    if (recap?.intent === 'find_credentials' && intent === OUT_OF_SCOPE && ASKS_FULL_NUMBER.test(text))
      intent = 'find_credentials';
    if (
      (recap?.intent === 'reset_stamps_password' || recap?.intent === 'find_credentials') &&
      ((intent === OUT_OF_SCOPE && FORGOT.test(text)) ||
        // Of the reset only: "do I need my current password to log in?" is not about it.
        (NEEDS_OLD_PASSWORD.test(text) &&
          (recap.intent === 'reset_stamps_password' || /\breset/i.test(text))))
    )
      return answerAboutSoFar(
        'reset_stamps_password',
        'That is what the reset is for: you do not need the old password. Use the "forgot password" link on the Stamps.com sign-in page, choose a new password, then enter it on the ONE BALANCE & CARRIERS page so the app has it too.',
      );
    // "How long does it take?" after the opening steps: the steps' own first line says. "How long
    // does a new one take to set up?" reads as opening one (0.92), which would give the steps again.
    if (
      recap?.intent === 'open_account' &&
      (intent === OUT_OF_SCOPE || (intent === 'open_account' && openingStepsGiven)) &&
      TAKES_HOW_LONG.test(text)
    )
      return answerAboutSoFar(
        'open_account',
        'Opening a One Balance account takes a few minutes with the steps above, and you can ship as soon as you click Register Account at the end.',
      );
    // A weak guess elsewhere ("which card should I use?" as pricing at 0.32) is such a question too,
    // and so is "what info do I need?" read as asking for the account's details.
    if (
      recap?.intent === 'open_account' &&
      (intent === OUT_OF_SCOPE ||
        intent === 'open_account' ||
        confidence < 0.5 ||
        (intent === 'find_credentials' && NEEDED_TO_OPEN.test(text)))
    ) {
      const said = answerIn(OPENING_QUESTIONS, text);
      if (said !== undefined) return answerAboutSoFar('open_account', said);
    }
    // Told that registration finds an account already: "but I never made one" is answered with what
    // it means and who can look further; "how do I find it?" asks for that account, which is a
    // reconnect (a visitor is told to sign in for it).
    const toldAccountExists =
      recap?.intent === 'registration_error' &&
      recap.texts.includes(context.answer('registration_error', 'tips_duplicate'));
    // A weak guess at an account question ("but I never made one" as a reconnect at 0.39) names no
    // topic of its own.
    if (toldAccountExists && (!isAccountQuestion(intent) || confidence < 0.5) && NEVER_HAD.test(text))
      return answeredWithPerson(
        'registration_error',
        [
          'Registration finds an account for your details all the same, perhaps one opened for your store before.',
          ...(state.customer === null
            ? ['Signed in to the app, I can look for it and ask for it to be reconnected.']
            : []),
        ],
        'A person on our support team can also look into it with you: shall I pass you to them? (yes / no)',
      );
    if (toldAccountExists && !isAccountQuestion(intent) && FINDS_IT.test(text)) intent = 'reconnect_account';
    // "And UPS?" after the prices: one thing the last answer spoke of, which alone names no topic.
    // The sentences that name it are what the customer asks for, not the whole answer again.
    const thing =
      intent === OUT_OF_SCOPE && offer === undefined ? ABOUT_ONE_THING.exec(text)?.groups : undefined;
    if (thing !== undefined && recap !== undefined) {
      const sentences = sentencesNaming(thing.thing ?? thing.short ?? '', recap.texts);
      if (sentences.length > 0) {
        const topic = recap.intent as Answerable;
        return answerAboutSoFar(topic, fromWhatITold(topic, sentences));
      }
    }
    // Several requests in one message are all answered, rather than asked about; what the customer
    // will try next ("ok let me try again") asks nothing.
    const willTry = WILL_TRY.test(text);
    // The bot found no account, and the customer believes they have one ("but I use it every
    // day"): answered below, with who can look further, rather than asked which topic it is.
    const believesRegistered =
      state.account === null &&
      recap !== undefined &&
      BELIEVES_REGISTERED.test(text) &&
      !NEVER_HAD.test(text);
    // "It says no account found": the error the customer sees agrees with the lookup.
    const seesNoAccountError =
      state.account === null && recap !== undefined && SAYS_NO_ACCOUNT_FOUND.test(text);
    // Venting or hurry, understood below, is no question between two topics.
    let weakSmallTalk = SMALL_TALK_INTENTS.has(intent) && confidence < 0.5;
    const frustrated = FRUSTRATED.test(text);
    const hurried = IN_A_HURRY.test(text);
    // The message read again without `words`, which say nothing of its topic: a clear account topic
    // in the rest is taken as the turn's.
    const readWithout = (words: RegExp): boolean => {
      const rest = this.deps.understander.understand(text.replace(words, ' '));
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
      readWithout(HURRY_WORDS)
    )
      weakSmallTalk = false;
    // "Can my employee use my One Balance?" names a person, but one of the customer's own, and asks
    // about access: not a request for one of ours (it handed the conversation off). What the bot can
    // say, and a person offered.
    if (
      (intent === 'talk_to_human' || intent === OUT_OF_SCOPE) &&
      offer === undefined &&
      OWN_STAFF_USES.test(text) &&
      !ASKS_TO_TALK.test(text)
    )
      return answeredWithPerson(
        'find_credentials',
        [
          'One Balance is the postage account your store buys labels with in the app, and the app keeps its credentials on the ONE BALANCE & CARRIERS page. Who on your team can use the app, and with which rights, is set in the app itself, which I cannot see.',
        ],
        'A person on our support team can tell you how: shall I pass this to them? (yes / no)',
      );
    // "Label printing failed with error code 500" reads as a registration error (for "failed" and
    // "error"), though it names a purchase and nothing of registering: a failing purchase is the
    // suspension check's (which also checks the connection).
    if (
      intent === 'registration_error' &&
      recap?.intent !== 'registration_error' &&
      PURCHASE_FAILS.test(text) &&
      !NAMES_REGISTERING.test(text)
    )
      intent = 'explain_suspension';
    // "My Amazon orders won't print, account suspended" or "my ShippingEasy postage won't go
    // through" reads as out of scope for the store's or the app's name, which says nothing of the
    // topic: the rest is read alone, as for hurry above.
    if (intent === OUT_OF_SCOPE && offer === undefined && NAMES_NO_TOPIC.test(text))
      readWithout(NAMES_NO_TOPIC_WORDS);
    // "Thanks for nothing", "this was useless, bye": a thank-you or a goodbye said in frustration
    // is venting too, not one to answer with "you're welcome".
    // A weak guess at a topic is venting too when frustration is all the message clearly says
    // ("THIS IS COSTING ME MONEY" reads as the prices at 0.46, beside closing at 0.45).
    const venting =
      (intent === OUT_OF_SCOPE ||
        weakSmallTalk ||
        (frustrated && (intent === 'thanks' || intent === 'goodbye' || confidence < 0.5))) &&
      (frustrated || hurried);
    // "What about the password?" right after the account details reads as the reset, but asks for
    // the password beside them: where the app keeps it. One that fails is the reset's.
    if (
      recap?.intent === 'find_credentials' &&
      intent === 'reset_stamps_password' &&
      offer === undefined &&
      !PASSWORD_TROUBLE.test(text)
    )
      // The answer is the recap now, for "it doesn't work though" to take up its offer.
      return withNote(
        settled(
          'find_credentials',
          { texts: [context.answer('find_credentials', 'password')] },
          { ...changes, misunderstandings: 0 },
        ),
      );
    // After the reset steps, with no wait for the new password, the same answers on its email, and
    // what the new password changes (unless the message names a topic of its own).
    if (offer === undefined && recap?.intent === 'reset_stamps_password') {
      const said =
        answerIn(RESET_EMAIL_QUESTIONS, text) ??
        (intent === OUT_OF_SCOPE ||
        SMALL_TALK_INTENTS.has(intent) ||
        intent === 'reset_stamps_password' ||
        confidence < 0.6
          ? answerIn(RESET_STEP_QUESTIONS, text)
          : undefined);
      if (said !== undefined) return answerAboutSoFar('reset_stamps_password', said);
    }
    // "Are you a bot?" (a greeting to the classifier, or a person wanted at 0.99 for "am I talking to
    // a real person?") asks what it talks to: the truth, and how to reach a person. "Is anyone
    // there?" would otherwise get the same hello again.
    // "What can you do?", "can you actually check things?": what the bot is for, which for a
    // signed-in customer includes checking their own account (not a topic it failed to understand).
    const smallTalkAnswer =
      answerIn(SMALL_TALK_QUESTIONS, text) ??
      (ASKS_WHAT_BOT_DOES.test(text)
        ? state.customer === null
          ? WHAT_I_DO
          : WHAT_I_DO_SIGNED_IN
        : undefined);
    if (smallTalkAnswer !== undefined && offer === undefined && understanding.also === undefined)
      return answerAboutSoFar('greeting', smallTalkAnswer);
    // "Do I need a Stamps.com account to use One Balance?" reads as opening one (the steps), but
    // asks whether a second account is needed: no, One Balance is the Stamps.com account.
    if (offer === undefined && NEEDS_STAMPS_ACCOUNT.test(text))
      return answerAboutSoFar('open_account', {
        texts: [
          'No separate one: One Balance is itself an account that Stamps.com provides, so registering for One Balance in the app creates it, with its own Stamps.com username and password.',
          // The steps for whoever has no usable account yet (a visitor, none, a closed one).
          ...(openingStepsGiven || (state.account != null && state.account.status !== 'closed')
            ? []
            : [openingSteps]),
        ],
      });
    // "Do you need my password to check?" reads as the password reset, but asks whether the bot
    // takes a password: it never does, and a signed-in customer's account is checked without it.
    if (ASKS_FOR_PASSWORD.test(text) && offer === undefined)
      return answerAboutSoFar(
        'find_credentials',
        [
          NEVER_NEEDS_PASSWORD,
          state.customer === null
            ? 'Sign in to the app and I can check your account, still without it.'
            : 'You are signed in, so I can check your account without it: tell me what is going wrong.',
        ].join(' '),
      );
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
      YES_NO_QUESTION.test(text)
        ? sentencesAnswering(text, recap.texts)
        : [];
    // "Still broken" names no topic, whatever the classifier makes of its failure words ("still
    // failing" reads as a registration error). After an answer about something a check can find
    // changed (a suspension, a registration, a connection, a plan), it asks for that check again,
    // which also takes the case further (a person for a registration that still fails).
    // "Did it work?" asks the same of that check, and after registration troubleshooting "I never
    // got a text" says it still fails. No question between two topics is asked of it either.
    const reportsOnFix =
      STILL_FAILS.test(text) ||
      DID_IT_WORK.test(text) ||
      (recap?.intent === 'registration_error' && CODE_STILL_MISSING.test(text));
    const checksAgain =
      (intent === OUT_OF_SCOPE || !this.namesBeyondFailure(text, intent)) &&
      offer === undefined &&
      reportsOnFix &&
      recap !== undefined &&
      CHECKED_AGAIN_WHEN_STILL_FAILING.has(recap.intent)
        ? (recap.intent as IntentId)
        : undefined;
    if (
      confidence < 1 &&
      !followUp &&
      understanding.also === undefined &&
      !willTry &&
      !venting &&
      !believesRegistered &&
      checksAgain === undefined &&
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
      // "Why can't I find One Balance in my account?" says so whatever two options the classifier
      // weighs (a suspension and the details, for none@).
      const missingOrDetails =
        options !== undefined &&
        state.customer !== null &&
        ((options.includes('reconnect_account') &&
          (options.includes('find_credentials') || options.includes('log_in'))) ||
          CANT_FIND_ONE_BALANCE.test(text));
      if (options !== undefined && byAccount !== undefined && options.includes(byAccount)) {
        intent = byAccount;
      } else if (missingOrDetails) {
        intent = 'reconnect_account';
      } else if (options !== undefined) {
        const followup = await followupWork();
        if (followup !== undefined) return followup;
        const [a, b] = options;
        const question = `I want to get this right. Is your question about ${INTENT_LABELS[a]}, or about ${INTENT_LABELS[b]}? You can answer "the first" or "the second".`;
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
    // "Can I ship meanwhile?" once the reconnect request is filed (how long and how the customer
    // hears of it are answered below, as for any case support has).
    if (
      intent === OUT_OF_SCOPE &&
      offer === undefined &&
      MEANWHILE.test(text) &&
      state.tickets.some((ticket) => ticket.reason === 'reconnect_request')
    )
      return answerAboutSoFar('reconnect_account', RECONNECT_MEANWHILE);
    // "Who is Customer Success?" once an answer named them (read as a request for a person).
    if (
      offer === undefined &&
      ASKS_WHO_CUSTOMER_SUCCESS.test(text) &&
      (recap?.texts.some((answer) => answer.includes('Customer Success')) === true ||
        state.tickets.some((ticket) => ticket.reason === 'reconnect_request'))
    )
      return answerAboutSoFar(
        (recap?.intent as Answerable | undefined) ?? 'reconnect_account',
        CUSTOMER_SUCCESS,
      );
    if (checksAgain !== undefined) intent = checksAgain;
    // "Can I reopen it?" names no account, but the customer's is closed: opening is the way back.
    if (intent === OUT_OF_SCOPE && closedAccount && ASKS_TO_REOPEN.test(text)) intent = 'open_account';
    // Told where the app keeps the password, "it doesn't work though" takes up the offer to explain
    // the reset.
    if (
      (intent === OUT_OF_SCOPE || intent === 'find_credentials') &&
      offer === undefined &&
      recap?.texts.includes(context.answer('find_credentials', 'password')) === true &&
      (SAYS_IT_FAILS.test(text) || PASSWORD_TROUBLE.test(text))
    )
      intent = 'reset_stamps_password';
    // "Can I use One Balance for FedEx?" (read as out of scope: FedEx is another company) asks about
    // this account. The facts name USPS and UPS among its carriers and no others, so the bot says
    // what it knows and offers a person for the rest.
    const otherCarrier = OTHER_CARRIERS.find(([pattern]) => pattern.test(text))?.[1];
    if (
      (intent === OUT_OF_SCOPE || intent === 'pricing') &&
      offer === undefined &&
      otherCarrier !== undefined
    )
      return answeredWithPerson(
        'pricing',
        [
          `One Balance is one postage account, provided by Stamps.com, for several carriers' labels. USPS and UPS are the ones I know it covers; whether ${otherCarrier} is among them, I cannot tell from here.`,
        ],
        'A person on our support team can tell you: shall I pass this to them? (yes / no)',
      );
    // "Can I use One Balance with Etsy?" (the prices answer, which names no store): which stores the
    // app works with is the app's matter, beyond these facts; what One Balance is for, and a person.
    const marketplace = MARKETPLACES.find(([pattern]) => pattern.test(text))?.[1];
    if (
      (intent === OUT_OF_SCOPE || intent === 'pricing') &&
      offer === undefined &&
      marketplace !== undefined &&
      QUESTION.test(text) &&
      WORKS_WITH.test(text)
    )
      return answeredWithPerson(
        'pricing',
        [
          `One Balance is the postage account the app buys your USPS and UPS labels with. Which stores and marketplaces the app works with, ${marketplace} among them or not, is a question about the app itself that I cannot answer from here.`,
        ],
        'A person on our support team can tell you: shall I pass this to them? (yes / no)',
      );
    // "It's a PO box" after the address troubleshooting or the steps: whether Stamps.com takes one is
    // not in what the bot knows, so what to try and a person (it was out of scope).
    if (
      (recap?.intent === 'registration_error' || recap?.intent === 'open_account') &&
      offer === undefined &&
      PO_BOX.test(text)
    )
      return answeredWithPerson(
        recap.intent,
        [
          "I cannot tell whether Stamps.com takes a PO box as the account's address. Registration needs an address it can validate, so if the PO box is refused, try your street address.",
        ],
        'A person on our support team can also look into it with you: shall I pass you to them? (yes / no)',
      );
    // "Why am I charged $15.95 a month?": the fee DOMAIN.md says is another product's, said first
    // (the whole prices answer ended with it). Told of such a charge after that, the bot cannot see
    // it, and a person can.
    if ((intent === OUT_OF_SCOPE || intent === 'pricing') && offer === undefined && ASKS_ABOUT_FEE.test(text))
      return answerAboutSoFar('pricing', ENDICIA_FEE, { recap: { intent: 'pricing', texts: [ENDICIA_FEE] } });
    if (
      recap?.intent === 'pricing' &&
      recap.texts.some((said) => said.includes('$15.95')) &&
      offer === undefined &&
      (intent === OUT_OF_SCOPE || intent === 'pricing') &&
      SEES_A_CHARGE.test(text)
    )
      return answeredWithPerson(
        'pricing',
        [
          'I cannot see charges on your card or your bank statement. One Balance has no monthly fee, so a $15.95 charge is not for this account.',
        ],
        'A person on our support team can look into the charge with you: shall I pass you to them? (yes / no)',
      );
    // "How do I connect UPS to One Balance?" (the whole prices answer before): UPS needs nothing of
    // its own, which is what is asked.
    if ((intent === OUT_OF_SCOPE || intent === 'pricing') && offer === undefined && ASKS_UPS_SETUP.test(text))
      return answerAboutSoFar(
        'pricing',
        'UPS comes with your One Balance account: the same account buys USPS and UPS labels, with up to 62% off UPS shipments and up to 48% off UPS Ground Daily, so there is no separate UPS account to connect for it.',
      );
    // "How do I switch to UPS?", "I want to use ups instead of usps" (out of scope, 0.9 and 0.48):
    // the same account covers UPS, which the prices answer says with its UPS discounts. Two examples
    // in pricing.yaml pulled three tested readings elsewhere, so this is a rule.
    if (intent === OUT_OF_SCOPE && offer === undefined && WANTS_UPS.test(text)) intent = 'pricing';
    // "Do I have to pay anything to sign up?" reads as opening one, but asks what it costs.
    if (intent === 'open_account' && YES_NO_QUESTION.test(text) && ASKS_COST.test(text)) intent = 'pricing';
    // "What's my balance?", "how do I add funds?" name no topic of the classifier's (questions about
    // money elsewhere are not ours), but the pricing answer says what the bot can see of a balance.
    if (intent === OUT_OF_SCOPE && offer === undefined && ASKS_FOR_BALANCE.test(text)) intent = 'pricing';
    // No topic placed yet (out of scope or small talk) and nothing awaited: where the next three
    // rules may read the message as an account question. Asked afresh, since each may set a topic.
    const unplaced = () => (intent === OUT_OF_SCOPE || SMALL_TALK_INTENTS.has(intent)) && offer === undefined;
    // "Do I have an account?", "do I still have an account with you?" read as a greeting (0.49,
    // 0.85): for a signed-in customer the lookup answers it, as "do I have a One Balance account?"
    // (opening one, 0.72) already was.
    if (unplaced() && state.customer !== null && ASKS_HAS_ACCOUNT.test(text)) intent = 'open_account';
    // "Can I print a label today?" from a signed-in customer (out of scope, 0.64; after "hi", a
    // greeting) asks whether the account can buy postage now: the account check answers that.
    if (unplaced() && state.customer !== null && CAN_I_SHIP_NOW.test(text)) intent = 'explain_suspension';
    if (unplaced() && ASKS_TO_CHECK_ACCOUNT.test(text)) {
      if (state.customer === null)
        return answerAboutSoFar(
          'explain_suspension',
          `I can check an account only for a signed-in customer. ${SIGN_IN} Meanwhile, tell me what is going wrong, and I will tell you what usually causes it and how to fix it.`,
        );
      intent = 'explain_suspension';
    }
    if (
      intent === OUT_OF_SCOPE &&
      offer === undefined &&
      PAYMENT_FAILED.test(text) &&
      (state.customer !== null || ABOUT_POSTAGE.test(text))
    )
      intent = 'explain_suspension';
    // "How do I do the new one?" (out of scope, 0.63): how to open a new account; "how do I get
    // it?" after what One Balance is (out of scope) asks the same in a chat about One Balance.
    if (
      intent === OUT_OF_SCOPE &&
      offer === undefined &&
      ((HOW_TO.test(text) && NEW_ACCOUNT.test(text)) || GETS_ONE.test(text))
    )
      intent = 'open_account';
    // "What does compliance review mean?" (out of scope, 0.80) names one of a suspension's causes:
    // the suspension answer says what the bot knows of it, and for a signed-in customer whether it
    // is what holds their account.
    if (intent === OUT_OF_SCOPE && offer === undefined && NAMES_COMPLIANCE_REVIEW.test(text))
      intent = 'explain_suspension';
    // The prices answer begins with what One Balance is, and that Stamps.com provides it.
    if (intent === OUT_OF_SCOPE && offer === undefined && ASKS_WHAT_STAMPS_IS.test(text)) intent = 'pricing';
    Object.assign(understood, { intent, confidence });
    // Not understood while an offer is open: most likely a question about the offer ("what would
    // that do?"), so explain it again rather than count a misunderstanding.
    if (intent === OUT_OF_SCOPE && offer !== undefined) return remindOffer(offer);
    // "What does reconnect mean?" names the offer's topic, but asks what the offer would do: the
    // reminder says, where the reconnect check would only make the same offer again.
    if (offer?.kind === 'reconnect' && intent === 'reconnect_account' && ASKS_MEANING.test(text))
      return remindOffer(offer);
    // The customer says what they will try next: not a question, so nothing to misunderstand. A
    // promise to pass it on if it still fails holds for the message after this one too.
    // It is about the last answer, so that answer's topic stays the conversation's.
    // "Ok" or "hmm" alone acknowledges the answer in the same way, and "yay it works now" reports
    // the problem gone (it was out of scope and offered a person): no misunderstanding, and the
    // door stays open.
    if (
      (intent === OUT_OF_SCOPE || !this.namesBeyondFailure(text, intent)) &&
      (willTry || ACKNOWLEDGES.test(text) || WORKS_NOW.test(text))
    ) {
      const reply: Reply = {
        texts: [
          willTry
            ? 'All right, let me know how it goes. If it still does not work, tell me here and I will help further.'
            : WORKS_NOW.test(text)
              ? 'Glad to hear it works now! Is there anything else I can help you with?'
              : 'All right. Is there anything else I can help you with?',
        ],
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
    // The bot found no account, and the customer says they never had one: that agrees, and opening
    // one is the way forward, not "I can only help with...".
    // "So I don't have one?" right after the opening steps reads as opening again: the same answer.
    if (
      (intent === OUT_OF_SCOPE || (intent === 'open_account' && openingStepsGiven && !HOW_TO.test(text))) &&
      state.account === null &&
      NEVER_HAD.test(text)
    ) {
      return answerAboutSoFar(
        'open_account',
        'That matches what I see: there is no One Balance account for you yet. Opening one takes a few minutes with the steps I gave; if a step fails, tell me what it says and I will help.',
      );
    }
    // "It says no account found", when the bot found none: the same, and who can look further.
    if (seesNoAccountError && !believesRegistered && offer === undefined) {
      return endingWithPerson(
        [
          'That matches what I found: there is no One Balance account under the email you are signed in with, so opening one with the steps above is the way to start. If you registered with another email, our Customer Success team can check whether you have an account.',
        ],
        'Would you like me to pass you to a person on our support team? (yes / no)',
      );
    }
    // The bot found no account, and the customer believes they registered: the bot can only look
    // under the signed-in email, while Customer Success can look further (DOMAIN.md), so a person
    // is offered rather than "I can only help with..." or the same "nothing to reconnect" again.
    if (
      (intent === OUT_OF_SCOPE ||
        intent === 'reconnect_account' ||
        intent === 'open_account' ||
        confidence < this.options.clarifyBelow) &&
      believesRegistered
    ) {
      return endingWithPerson(
        [
          ANOTHER_EMAIL.test(text)
            ? 'That may be it: I can only look under the email you are signed in with, so I cannot check another one. Our Customer Success team can check whether you have an account under it.'
            : 'I looked for a One Balance account under the email you are signed in with, and there is none. If you registered with another email, our Customer Success team can check whether you have an account.',
        ],
        'Would you like me to pass you to a person on our support team? (yes / no)',
      );
    }
    // Nothing asked but another account named ("my email is x@y"): the note says why it is not
    // looked at; not a misunderstanding, so no person is offered for it, unless one was just
    // offered (after "I registered with another email"): a person can look, and the offer stands.
    if (intent === OUT_OF_SCOPE && note !== undefined) {
      const ending =
        state.personOffered === true
          ? personOrSupport(
              'A person on our support team can look into it with you: shall I pass you to them? (yes / no)',
            )
          : {
              text: state.customer === null ? SIGN_IN : 'What can I help you with on your own account?',
              choices: {},
              stateChanges: {},
            };
      return {
        reply: { texts: [note, ending.text], ...ending.choices },
        intent,
        confidence,
        stateChanges: { ...changes, misunderstandings: 0, ...ending.stateChanges },
      };
    }
    // A visitor who did every step of the general suspension answer has one left: the Stamps line
    // (signing in lets the bot check and try to unsuspend first).
    if (
      intent === OUT_OF_SCOPE &&
      state.customer === null &&
      recap?.intent === 'explain_suspension' &&
      ALREADY_DID.test(text)
    ) {
      return answerAboutSoFar(
        'explain_suspension',
        `If the account is still suspended after those steps, Stamps can lift it: call them at ${STAMPS_PHONE}, the fastest way back to shipping. If you sign in to the app first, I can check your own account and try to unsuspend it.`,
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
      // Not yet told how to open one: the steps, now.
      if (opensNewAccount && !openingStepsGiven)
        return answeredWithPerson(
          'open_account',
          [
            `I understand you need to ship soon. ${
              closedAccount
                ? `Your One Balance account ending in ${account.accountNumberLast4} is closed, and a closed account cannot be used again, so`
                : state.account === null
                  ? 'I find no One Balance account for you, so'
                  : 'So'
            } opening a new one is the quickest way to ship, and it takes only a few minutes.`,
            openingSteps,
          ],
          'Would you like me to pass you to a person on our support team? (yes / no)',
        );
      const quickest =
        phoneReason !== undefined
          ? `Calling Stamps at ${STAMPS_PHONE} is the fastest way to get the suspension lifted and to ship again.`
          : opensNewAccount
            ? 'Opening a new One Balance account takes only a few minutes, so that is the quickest way to ship: follow the steps I gave you.'
            : undefined;
      // In a hurry before saying what is wrong: what is, first.
      if (!frustrated && recap === undefined && quickest === undefined) {
        return withNote({
          reply: {
            texts: [
              'I understand it is urgent. Tell me what is stopping you, for example a postage purchase that fails or an account missing from the app, and I will look into it straight away.',
            ],
          },
          intent,
          confidence,
          stateChanges: { ...changes, misunderstandings: 0 },
        });
      }
      return endingWithPerson(
        [
          frustrated ? 'I am sorry this has been so frustrating.' : 'I understand you need to ship soon.',
          ...(quickest === undefined ? [] : [quickest]),
        ],
        'Would you like me to pass you to a person on our support team? (yes / no)',
      );
    }
    // "How long will that take?" once support has the case: no promise of a time the bot cannot
    // know, but who has it, what they wait for, and when people are back if they are away now.
    // "When will someone get back to me?" names a person, but asks when, not for another one.
    const lastTicket = state.tickets.filter((ticket) => !ticket.handoff).at(-1);
    // "Can I check the status later?": yes, here, and what the bot can tell then.
    if (!isAccountQuestion(intent) && lastTicket !== undefined && CHECKS_BACK_LATER.test(text))
      return answerAboutSoFar(
        (recap?.intent as Answerable | undefined) ?? 'talk_to_human',
        `Yes, ask me here any time: I can tell you that support has your ${lastTicket.reason === 'reconnect_request' ? 'request' : 'case'}, and its ticket number once it has one. The person who picks it up will also let you know, here and by email.`,
      );
    // "How will I know when it's done?" is no goodbye either, whatever "done" suggests.
    if (!isAccountQuestion(intent) && lastTicket !== undefined && HOW_LONG.test(text)) {
      const offline = this.supportOffline();
      return answerAboutSoFar(
        (recap?.intent as Answerable | undefined) ?? 'talk_to_human',
        [
          // "Will I get an email?", "how will I know?" asks how, not when: the ticket's follow-up says.
          ASKS_HOW_TOLD.test(text) && !ASKS_WHEN_DONE.test(text)
            ? `${YES_NO_QUESTION.test(text) ? 'Yes: our' : 'Our'} support team follows up by email and here in this chat.`
            : 'I cannot give you an exact time.',
          lastTicket.reason === 'reconnect_request'
            ? 'The reconnect request is waiting for a Customer Success agent to approve it, and you will hear from us as soon as it is done.'
            : 'Our support team has your case with what I found, and a person will answer you as soon as they pick it up.',
          lastTicket.reason.startsWith('phone:')
            ? `Meanwhile, calling Stamps at ${STAMPS_PHONE} is still the fastest way back to shipping.`
            : 'You do not need to ask again meanwhile.',
          ...(offline === undefined ? [] : [offline]),
        ].join(' '),
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
      return endingWithPerson(
        [],
        'Would you like me to pass you to a person on our support team? (yes / no) If not, tell me a little more about what you need.',
      );
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
    // Asked again in other words ("is UPS included?" right after the prices), the same answer would
    // come back word for word: the sentences that name what is asked say it better. Not for steps
    // (a list), nor when the answer offers or escalates; the whole answer stays the recap.
    const sameAgain =
      also === undefined &&
      recap?.intent === answering &&
      reply.escalation === undefined &&
      reply.choices === undefined &&
      reply.texts.length === recap.texts.length &&
      reply.texts.every((answer, index) => answer === recap.texts[index] && !answer.includes('\n'));
    if (sameAgain) {
      const sentences = sentencesNaming(text, reply.texts);
      const all = reply.texts.flatMap((answer) => answer.split(SENTENCE_END)).length;
      if (sentences.length > 0 && sentences.length < all)
        // The answer's own state changes stand ("tell me if it still fails" holds as before).
        return answerAboutSoFar(answering, {
          ...reply,
          texts: [fromWhatITold(answering, sentences)],
        });
    }
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
        const [[outcome]] = await Promise.all([
          this.deps.checks.run(
            [{ check: name, target: { accountId }, requestId: turnId }],
            this.options.lateDeliveryMs,
          ),
          announce(),
        ]);
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
