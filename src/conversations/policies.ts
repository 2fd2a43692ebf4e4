import type {
  AccountSummary,
  ConnectionStatus,
  CredentialsInfo,
  PlanInfo,
  RegistrationStatus,
  SuspensionStatus,
  UnsuspendOutcome,
} from '../accounts/model.ts';
import { YES_OR_NO } from '../core/messages.ts';
import { type Choice, type Escalation, STAMPS_PHONE, type VerifiedCustomer } from '../core/types.ts';
import type { CheckName, IntentId } from '../intents/schema.ts';
import type { Understanding } from '../nlu/understand.ts';
import type { ConversationState, Offer } from './store.ts';

/** A check's outcome as a policy sees it: the typed result, or why there is none. */
export type Checked<T> =
  | { status: 'ok'; result: T }
  | { status: 'failed'; code: string }
  | { status: 'pending' };

export interface PolicyContext {
  customer: VerifiedCustomer | null;
  /** The customer's message of this turn. */
  text: string;
  /** How the message was understood when a second reader decided it (src/conversations/second-opinion.ts). */
  understanding?: Understanding;
  /** The message says that the fix the bot waits for is made ("done"): the retry it waited for. */
  fixReported: boolean;
  /** Whether the message names one of the intent's keywords (as whole words, as the classifier does). */
  mentions(intent: IntentId): boolean;
  state: Readonly<ConversationState>;
  /** An intent's answer template with its {{placeholders}} filled in. */
  answer(intent: IntentId, variant?: string, vars?: Record<string, string>): string;
  /** Whether the intent has its own answer `variant` (`answer` falls back to the default one). */
  hasAnswer(intent: IntentId, variant: string): boolean;
  /** The verified customer's own account (looked up once per conversation); 'unknown' if the lookup did not finish. */
  account(): Promise<AccountSummary | null | 'unknown'>;
  /** Runs a check for the customer's own account through the queue. */
  check<T>(name: CheckName, accountId: string): Promise<Checked<T>>;
}

export interface Reply {
  texts: string[];
  /** Fixed answers to the question the last text asks (an offer's yes or no). */
  choices?: readonly Choice[];
  escalation?: Escalation;
  /**
   * What the answer is about when it is not what was asked: without an account, "where are my
   * details?" is answered with the opening steps, and "how long does that take?" is about those.
   */
  topic?: Answerable;
  /**
   * The policy changed something at the account backend (an unsuspend attempt, a reconnect
   * request): its answer is given in this turn, never left for the customer to ask again.
   */
  acted?: boolean;
  /** State to keep for the next turn (an offer waiting for a yes). */
  patch?: Partial<
    Pick<
      ConversationState,
      | 'offer'
      | 'registrationTroubleshot'
      | 'passwordAdviceGiven'
      | 'cardAdviceGiven'
      | 'account'
      | 'stillFailingTicket'
      | 'liftedSuspension'
    >
  >;
}

export type Policy = (context: PolicyContext) => Promise<Reply>;

/** `reply` with `text` said first (its escalation and patch kept). */
export function leadingWith(text: string, reply: Reply): Reply {
  return { ...reply, texts: [text, ...reply.texts] };
}

export type Answerable = Exclude<IntentId, 'out_of_scope'>;

/** One request of a message and the reply its policy gave. */
export interface AnsweredRequest {
  intent: Answerable;
  reply: Reply;
}

/**
 * The requests of one message answered in one reply, each under its topic's name, in the order the
 * customer asked them, except that one asking a question (an offer's yes or no) goes last, where its
 * quick answers are. What an earlier answer says is not said again. One escalation and one question
 * (which several of them may ask) are all a turn can carry: a later request that would add a second
 * is left for the customer to ask again, and they are told so.
 */
export function answeredTogether(requests: readonly AnsweredRequest[]): Reply {
  const asks = (reply: Reply) => reply.choices !== undefined || reply.patch?.offer !== undefined;
  const taken: AnsweredRequest[] = [];
  const left: AnsweredRequest[] = [];
  const said = new Set<string>();
  // A request whose policy acted (tried to unsuspend the account) is answered whatever its place
  // in the message: the customer hears what was done, and a clashing request waits instead.
  const acting = (request: AnsweredRequest) => request.reply.acted === true;
  for (const request of [...requests.filter(acting), ...requests.filter((r) => !acting(r))]) {
    const { reply } = request;
    if (reply.texts.every((text) => said.has(text))) continue;
    // The same question from two requests (a disconnected account's reconnect offer, after its
    // details and after how to log in) is asked once, not left for later.
    const clashes = taken.some(
      (other) =>
        (other.reply.escalation !== undefined && reply.escalation !== undefined) ||
        (asks(other.reply) && asks(reply) && other.reply.texts.at(-1) !== reply.texts.at(-1)),
    );
    if (clashes) left.push(request);
    else {
      taken.push(request);
      for (const text of reply.texts) said.add(text);
    }
  }
  // Back in the order the customer asked.
  taken.sort((a, b) => requests.indexOf(a) - requests.indexOf(b));
  const later = requests.filter((request) => left.includes(request)).map((request) => request.intent);
  const [only] = taken;
  if (only === undefined) throw new Error('answeredTogether needs at least one request');
  if (taken.length === 1 && later.length === 0) return only.reply;

  const asking = taken.find((request) => asks(request.reply));
  const ordered = asking ? [...taken.filter((request) => request !== asking), asking] : taken;
  // The question is said whole, last; the others leave out what it says, and what came before.
  const askingTexts = new Set(asking?.reply.texts);
  const shown = new Set<string>();
  const parts = ordered
    .map(({ intent, reply }) => {
      const texts = reply.texts.filter(
        (text) => !shown.has(text) && (reply === asking?.reply || !askingTexts.has(text)),
      );
      for (const text of texts) shown.add(text);
      return { intent, texts };
    })
    .filter((part) => part.texts.length > 0);
  const titled = parts.length > 1;
  const spans = parts.map(({ intent, texts }) =>
    titled
      ? texts.map((text, index) => (index === 0 ? `On ${INTENT_LABELS[intent]}: ${text}` : text))
      : texts,
  );
  if (later.length > 0) {
    const topics = later.map((intent) => INTENT_LABELS[intent]).join(', and about ');
    const askAgain = `You also asked about ${topics}: ask me again once this is sorted, and I will answer ${later.length > 1 ? 'those' : 'that'} too.`;
    // Before the question, if there is one: it stays last.
    spans.splice(asking ? spans.length - 1 : spans.length, 0, [askAgain]);
  }
  const escalation = taken.find((request) => request.reply.escalation !== undefined)?.reply.escalation;
  const choices = asking?.reply.choices;
  return {
    texts: spans.flat(),
    ...(choices ? { choices } : {}),
    ...(escalation ? { escalation } : {}),
    ...(taken.some(acting) ? { acted: true } : {}),
    patch: Object.assign({}, ...ordered.map((request) => request.reply.patch)),
  };
}

export const SIGN_IN = 'Sign in to the app and open this chat again, and I can check your own account too.';
const UNAVAILABLE =
  'I could not reach the account system just now, so here is the general answer. Ask me again in a moment and I will check your account.';

const phoneEscalation = (reason: string): Escalation => ({ kind: 'phone', phone: STAMPS_PHONE, reason });
const ticketEscalation = (reason: string): Escalation => ({ kind: 'ticket', reason, status: 'requested' });

/**
 * The general answer, and for a visitor who is not signed in, how to get a specific one: the
 * intent's own `sign_in` answer ("sign in and I will check your plan"), else a generic one. The
 * default answers never ask to sign in themselves: a signed-in customer also gets them when the
 * account system does not answer.
 */
function general(context: PolicyContext, intent: IntentId): Reply {
  if (context.customer) return { texts: [context.answer(intent)] };
  const signIn = context.hasAnswer(intent, 'sign_in') ? context.answer(intent, 'sign_in') : SIGN_IN;
  return { texts: [context.answer(intent), signIn] };
}

type AccountState =
  | { kind: 'visitor' }
  | { kind: 'unknown' }
  | { kind: 'none' }
  | { kind: 'closed'; account: AccountSummary }
  | { kind: 'open'; account: AccountSummary };

async function accountState(context: PolicyContext): Promise<AccountState> {
  if (context.customer === null) return { kind: 'visitor' };
  const account = await context.account();
  if (account === 'unknown') return { kind: 'unknown' };
  if (account === null) return { kind: 'none' };
  return account.status === 'closed' ? { kind: 'closed', account } : { kind: 'open', account };
}

/**
 * The answers every account intent shares when there is no open account: a visitor gets the
 * general answer, no account means the opening steps, a closed one means a new account.
 */
function withoutOpenAccount(
  context: PolicyContext,
  intent: IntentId,
  state: AccountState,
): Reply | undefined {
  switch (state.kind) {
    case 'visitor':
      return general(context, intent);
    case 'unknown':
      return { texts: [context.answer(intent), UNAVAILABLE] };
    case 'none':
      return {
        texts: [
          'I could not find a One Balance account for you, so you will need to open one first.',
          context.answer('open_account'),
        ],
        topic: 'open_account',
      };
    case 'closed':
      return {
        texts: [context.answer('open_account', 'closed'), context.answer('open_account')],
        topic: 'open_account',
      };
    case 'open':
      return undefined;
  }
}

/** What "done" confirms before the bot tries to unsuspend an account a second time. */
type UnsuspendFix = NonNullable<Offer['after']>;

const RETRY_AFTER: Record<UnsuspendFix, { ask: string; reminder: string; done: Choice; advised: string }> = {
  password: {
    ask: 'Say "done" once the new password is entered.',
    reminder:
      'Once the new Stamps.com password is entered on the ONE BALANCE & CARRIERS page, say "done" and I will try to unsuspend your account again.',
    done: { label: 'Done, the new password is entered', reply: 'done' },
    advised: 'the password advice',
  },
  card: {
    ask: 'Once the card is updated, say "done" and I will try to unsuspend it once more.',
    reminder:
      'Once the payment card on your One Balance account is updated, say "done" and I will try to unsuspend your account again.',
    done: { label: 'Done, the card is updated', reply: 'done' },
    advised: 'the card update',
  },
};

/** The suspension reasons a customer can fix themselves before the bot tries once more. */
const FIX_FOR_REASON: Readonly<Record<string, UnsuspendFix>> = {
  password_changed: 'password',
  payment_declined: 'card',
};

const fixOf = (offer: Offer): UnsuspendFix => offer.after ?? 'password';

/**
 * Said when a customer answers an open offer with something the bot does not understand, or asks
 * beside it. `brief`: a reconnect already explained while it waits is asked again in one line.
 */
export function offerReminder(offer: Offer, brief = false): string {
  if (offer.kind === 'reconnect' && brief)
    return 'Shall I ask our Customer Success team to reconnect your account? (yes / no)';
  return offer.kind === 'reconnect'
    ? 'Reconnecting links your existing One Balance account to your store again, so that it shows on the ONE BALANCE & CARRIERS page and you can buy postage with it; a Customer Success agent approves the request. Shall I ask them to reconnect it? (yes / no)'
    : RETRY_AFTER[fixOf(offer)].reminder;
}

/**
 * "How do I do that?" while the bot waits for a fix: how to make the fix, and the same wait. The
 * password's steps are the reset answer; the card's are the suspension answer `update_card`.
 */
export function howToFix(context: PolicyContext, offer: Offer): Reply {
  const fix = fixOf(offer);
  const steps =
    fix === 'password'
      ? context.answer('reset_stamps_password')
      : context.answer('explain_suspension', 'update_card');
  return { texts: [steps, RETRY_AFTER[fix].reminder], choices: [RETRY_AFTER[fix].done] };
}

/** The quick answers to an offer. */
export function offerChoices(offer: Offer): readonly Choice[] {
  return offer.kind === 'reconnect' ? YES_OR_NO : [RETRY_AFTER[fixOf(offer)].done];
}

/**
 * A disconnected account: the offer of a reconnect request. Once the conversation has filed one,
 * found disconnected again ("did it work?") it waits for an agent, and a second offer would only
 * file the same request again.
 */
function offerReconnect(context: PolicyContext, account: AccountSummary): Reply {
  if (context.state.tickets.some((ticket) => ticket.reason === 'reconnect_request')) {
    return {
      texts: [
        `It is not reconnected yet: your One Balance account ending in ${account.accountNumberLast4} is still not connected to your store. The reconnect request I filed is waiting for a Customer Success agent to approve it, and you will hear from us as soon as it is done.`,
      ],
    };
  }
  return {
    texts: [
      `Your One Balance account ending in ${account.accountNumberLast4} exists, but it is not connected to your store, which is why it does not show on the ONE BALANCE & CARRIERS page. Shall I ask our Customer Success team to reconnect it? (yes / no)`,
    ],
    choices: YES_OR_NO,
    patch: { offer: { kind: 'reconnect', accountId: account.accountId } },
  };
}

/**
 * The advice for `fix` has been given: the bot waits for "done" to try to unsuspend again, and
 * still suspended after that, the next try ends at the Stamps line.
 */
const awaitFix = (accountId: string, fix: UnsuspendFix): Pick<Reply, 'choices' | 'patch'> => ({
  choices: [RETRY_AFTER[fix].done],
  patch: {
    ...(fix === 'password' ? { passwordAdviceGiven: true } : { cardAdviceGiven: true }),
    offer: { kind: 'unsuspend_retry', accountId, after: fix },
  },
});

const adviceGiven = (state: Readonly<ConversationState>, fix: UnsuspendFix): boolean =>
  (fix === 'password' ? state.passwordAdviceGiven : state.cardAdviceGiven) === true;

/**
 * The conversation keeps the account it looked up; once a suspension check (or the bot's own
 * unsuspend) finds it otherwise, the kept copy follows, so that later answers in the conversation
 * neither call a lifted suspension current nor a new one absent.
 */
function suspendedNow(account: AccountSummary, suspended: boolean): Pick<Reply, 'patch'> {
  if (suspended && account.status === 'active')
    return { patch: { account: { ...account, status: 'suspended' } } };
  if (!suspended && account.status === 'suspended')
    return { patch: { account: { ...account, status: 'active' } } };
  return {};
}

async function explainSuspension(context: PolicyContext): Promise<Reply> {
  const state = await accountState(context);
  if (state.kind !== 'open') return withoutOpenAccount(context, 'explain_suspension', state) as Reply;
  const { account } = state;
  if (account.status === 'registration_pending') return unfinishedRegistration(context);
  const suspension = await context.check<SuspensionStatus>('account.suspension', account.accountId);
  return answerSuspension(context, account, suspension);
}

/** What follows from a suspension check that has run: the unsuspend attempt and what is left to do. */
async function answerSuspension(
  context: PolicyContext,
  account: AccountSummary,
  suspension: Checked<SuspensionStatus>,
): Promise<Reply> {
  if (suspension.status !== 'ok') return { texts: [context.answer('explain_suspension'), UNAVAILABLE] };
  if (!suspension.result.suspended) {
    // The same alert appears when the app cannot connect to the account.
    const connection = await context.check<ConnectionStatus>('account.connection', account.accountId);
    if (connection.status === 'ok' && !connection.result.connected) return offerReconnect(context, account);
    // Asked again after the bot lifted it ("what was the hold for?"): what it was, not just "fine".
    const { liftedSuspension } = context.state;
    return {
      texts: [
        ...(liftedSuspension === undefined ? [] : [aboutLiftedSuspension(liftedSuspension)]),
        'Your One Balance account is not suspended and it is connected, so postage should go through. If a purchase still fails or the suspension alert appears, tell me and I will pass it to a person.',
      ],
      patch: { ...suspendedNow(account, false).patch, stillFailingTicket: 'fails_though_healthy' },
    };
  }
  const reply = await unsuspendAndAdvise(context, account, suspension.result);
  // Still suspended unless the bot lifted it (that reply says so in its own patch); a suspension
  // lifted earlier is over, whatever this one is.
  return {
    ...reply,
    patch: { ...suspendedNow(account, true).patch, liftedSuspension: undefined, ...reply.patch },
  };
}

/** A suspended account: the unsuspend attempt where allowed, then the reason's advice and escalation. */
async function unsuspendAndAdvise(
  context: PolicyContext,
  account: AccountSummary,
  suspension: SuspensionStatus,
): Promise<Reply> {
  const reason = suspension.reason ?? 'unknown';
  if (!suspension.unsuspendAllowed) {
    if (sentToStamps(context, reason)) return stampsLineAgain(context, reason);
    return { texts: [context.answer('explain_suspension', reason)], escalation: phoneEscalation(reason) };
  }
  const attempt = await context.check<UnsuspendOutcome>('account.unsuspend', account.accountId);
  return { ...adviseAfterAttempt(context, account, reason, attempt), acted: true };
}

/**
 * The customer was sent to the Stamps line for this reason earlier in the conversation (and did not
 * just say the fix is made, which the first answer after it reports on).
 */
const sentToStamps = (context: PolicyContext, reason: string): boolean =>
  !context.fixReported &&
  context.state.escalations.some((escalation) => escalation.kind === 'phone' && escalation.reason === reason);

/** "I called them", "Stamps told me...": the customer did call the Stamps line. */
export const CALLED_STAMPS =
  /\b(?:called|phoned|rang|spoke\s+(?:to|with)|talked\s+(?:to|with)|contacted|reached)\s+(?:them|stamps(?:\.com)?|the\s+(?:number|line)|their\s+(?:support|line|team))\b|\bstamps(?:\.com)?\s+(?:said|says|told)\b|\bthey\s+(?:said|say|told\s+me)\b/i;
/**
 * Still suspended, and the Stamps line already given: said once more, short, rather than the whole
 * advice again word for word (the customer has read it, and support already has the case).
 */
function stampsLineAgain(context: PolicyContext, reason: string): Reply {
  // The customer called Stamps and is back, still suspended: the bot has nothing left to try.
  if (CALLED_STAMPS.test(context.text))
    return {
      texts: [
        `I checked again just now, and your account is still suspended. ${suspendedBecause(reason)} Since you have already called Stamps, I am passing this to a person on our support team to take it up from here.`,
      ],
      escalation: ticketEscalation('suspended_after_stamps_call'),
    };
  return {
    texts: [
      `I checked again just now, and it has not changed. ${suspendedBecause(reason)} I cannot lift it from here: calling Stamps at ${STAMPS_PHONE} is the way back to shipping, and our support team already has your case.`,
    ],
    escalation: phoneEscalation(reason),
  };
}

/** What a suspension's reason is, as a customer would say it ("because of ..."). */
const SUSPENSION_CAUSES: Readonly<Record<string, string>> = {
  temporary_hold: 'a temporary hold',
  password_changed: 'a recent change of your Stamps.com password, which the app no longer matches',
  payment_declined: 'a declined payment',
  compliance_review: 'a compliance review',
  unpaid_balance: 'an unpaid balance',
};
const causeOf = (reason: string): string | undefined => SUSPENSION_CAUSES[reason];

/** Why the account is suspended, in one sentence; no more than "it is suspended" for an unknown reason. */
export function suspendedBecause(reason: string): string {
  const cause = causeOf(reason);
  return cause === undefined
    ? 'Your account is suspended.'
    : `Your account is suspended because of ${cause}.`;
}

/**
 * "What do I tell them?", of the Stamps line: what the bot knows that helps the call, the reason
 * the records give (if known), and what to ask. Stamps sees the rest.
 */
export function whatToTellStamps(reason: string): string {
  const cause = causeOf(reason);
  const suspended =
    cause === undefined
      ? 'your One Balance account is suspended'
      : `your One Balance account is suspended and that the reason shown is ${cause}`;
  return `Tell them that ${suspended}, and ask what it takes to lift it. It is the Stamps.com account you use through your shipping app; they can see the rest from their side.`;
}

/**
 * What the bot can say of a suspension it lifted earlier in the conversation: its reason, and who
 * knows more. The account system says why an account is suspended, not what led to it.
 */
export function aboutLiftedSuspension(reason: string): string {
  const cause = causeOf(reason);
  const was =
    cause === undefined ? 'Your account was suspended' : `Your account was suspended because of ${cause}`;
  return `${was}, and I lifted it earlier in our conversation. I cannot see what led to it, or tell whether it will happen again; Stamps can tell you more at ${STAMPS_PHONE}.`;
}

/** What follows from an unsuspend attempt: lifted, or what is left to do and whom to call. */
function adviseAfterAttempt(
  context: PolicyContext,
  account: AccountSummary,
  reason: string,
  attempt: Checked<UnsuspendOutcome>,
): Reply {
  if (attempt.status !== 'ok') {
    return {
      texts: [
        `Your account is suspended (${reason.replaceAll('_', ' ')}). ${context.answer('explain_suspension')}`,
      ],
      escalation: phoneEscalation(reason),
    };
  }
  switch (attempt.result.outcome) {
    case 'lifted': {
      const variant = `lifted_${reason}`;
      return {
        texts: [
          context.answer(
            'explain_suspension',
            context.hasAnswer('explain_suspension', variant) ? variant : 'lifted',
          ),
        ],
        patch: { account: { ...account, status: 'active' }, liftedSuspension: reason },
      };
    }
    case 'not_suspended':
      return {
        texts: [context.answer('explain_suspension', 'lifted')],
        patch: { account: { ...account, status: 'active' } },
      };
    case 'not_allowed':
      if (sentToStamps(context, reason)) return stampsLineAgain(context, reason);
      return {
        texts: [context.answer('explain_suspension', 'compliance_review')],
        escalation: phoneEscalation(reason),
      };
    case 'still_suspended': {
      // A changed password or a declined card the customer can put right first; still suspended
      // after that advice, like every other reason, it takes the Stamps line.
      const fix = FIX_FOR_REASON[reason];
      if (fix !== undefined && !adviceGiven(context.state, fix)) {
        return {
          texts: [
            `I tried to unsuspend your account, but it is still suspended. ${context.answer('explain_suspension', reason)} ${RETRY_AFTER[fix].ask}`,
          ],
          ...awaitFix(account.accountId, fix),
          // The card advice already names the Stamps line for a card that does not help.
          ...(fix === 'card' ? { escalation: phoneEscalation(reason) } : {}),
        };
      }
      // Asked about the suspension while the bot still waits for the fix: not the Stamps line yet,
      // since the customer has not said the fix is made.
      if (fix !== undefined && context.state.offer?.kind === 'unsuspend_retry' && !context.fixReported) {
        return {
          texts: [
            `I tried to unsuspend your account again, and it is still suspended. ${RETRY_AFTER[fix].reminder}`,
          ],
          choices: [RETRY_AFTER[fix].done],
        };
      }
      if (sentToStamps(context, reason)) return stampsLineAgain(context, reason);
      if (fix !== undefined) {
        return {
          texts: [
            `I tried to unsuspend your account again, but it is still suspended even after ${RETRY_AFTER[fix].advised}. Please call Stamps at ${STAMPS_PHONE}, the fastest way back to shipping; I have also let our support team know so they can follow up.`,
          ],
          escalation: phoneEscalation(reason),
        };
      }
      return {
        texts: [
          `I tried to unsuspend your account, but it is still suspended. ${context.answer('explain_suspension', reason)}`,
        ],
        escalation: phoneEscalation(reason),
      };
    }
  }
}

async function findCredentials(context: PolicyContext): Promise<Reply> {
  const state = await accountState(context);
  // Asked for its details, a closed account is named by what the bot may show of it, so that the
  // customer knows which account the answer is about.
  if (state.kind === 'closed')
    return {
      texts: [
        `Your earlier One Balance account, ending in ${state.account.accountNumberLast4}, is closed, and a closed account cannot be used again, so you need a new one to ship. Here is how to open it:`,
        context.answer('open_account'),
      ],
      topic: 'open_account',
    };
  if (state.kind !== 'open') return withoutOpenAccount(context, 'find_credentials', state) as Reply;
  // The answer points to the ONE BALANCE & CARRIERS page, where a disconnected account does not
  // show: the connection is asked at the same time, and a disconnected account is offered its
  // reconnect after its masked details.
  const [credentials, connection] = await Promise.all([
    context.check<CredentialsInfo>('account.credentials', state.account.accountId),
    context.check<ConnectionStatus>('account.connection', state.account.accountId),
  ]);
  if (credentials.status !== 'ok') return { texts: [context.answer('find_credentials'), UNAVAILABLE] };
  const details = {
    maskedUsername: credentials.result.maskedUsername,
    accountLast4: credentials.result.accountNumberLast4,
  };
  if (connection.status === 'ok' && !connection.result.connected)
    return leadingWith(
      context.answer('find_credentials', 'disconnected', details),
      offerReconnect(context, state.account),
    );
  return {
    texts: [
      context.answer(
        'find_credentials',
        ASKS_FULL_NUMBER.test(context.text) ? 'full_number' : 'verified',
        details,
      ),
    ],
  };
}

/** "Show me the full account number", "all the digits": more than the bot ever shows. */
export const ASKS_FULL_NUMBER =
  /\b(?:full|whole|complete|entire|unmasked|all\s+(?:the\s+)?(?:digits|numbers))\b/i;

/**
 * "Is it the same login as Stamps.com?", "is it the same as my stamps login?", "which password does
 * it use?", "do I sign in with my Stamps.com username?": what the login is, for anyone. "I can't log in to Stamps.com" is not
 * asked: the account checks answer that.
 */
const ASKS_WHICH_LOGIN =
  /\bsame\s+(?:as\s+(?:\S+\s+){0,3})?(?:login|log-?in|password|username|credentials|account)\b|\b(?:login|password|username|credentials)\b[^.?!]*\bsame\b|\b(?:which|what)\s+(?:login|log-?in|password|username|credentials)\b|\b(?:log|sign)\s*-?\s*in\s+with\b|\b(?:password|login|username)\s+(?:is\s+)?(?:my|the)\s+stamps\b/i;

/** "I can't log in", "the login keeps failing", "it won't let me sign in": the login fails. */
const LOGIN_FAILS =
  /\b(?:can\s*['’]?t|cannot|can\s+not|unable\s+to|won['’]?t\s+let\s+me|not\s+able\s+to)\s+(?:log|sign)\s*-?\s*in(?:to)?\b|\b(?:log|sign)\s*-?\s*in\w*\s+(?:\w+\s+){0,2}(?:fail\w*|(?:does\s*n['’]?t|is\s*n['’]?t|not)\s+work\w*|error\w*|rejected)\b/i;

async function logIn(context: PolicyContext): Promise<Reply> {
  if (ASKS_WHICH_LOGIN.test(context.text)) return { texts: [context.answer('log_in', 'stamps_login')] };
  const state = await accountState(context);
  if (state.kind !== 'open') return withoutOpenAccount(context, 'log_in', state) as Reply;
  if (state.account.status === 'registration_pending') return unfinishedRegistration(context);
  const { account } = state;
  // A login that fails may be the suspension's: a Stamps.com password changed recently is both
  // why the account is suspended and why the old password no longer works. Both are asked at once.
  const fails = LOGIN_FAILS.test(context.text);
  const [connection, suspension] = await Promise.all([
    context.check<ConnectionStatus>('account.connection', account.accountId),
    fails ? context.check<SuspensionStatus>('account.suspension', account.accountId) : undefined,
  ]);
  if (connection.status === 'ok' && !connection.result.connected) return offerReconnect(context, account);
  // Suspended for a changed Stamps.com password: the password the customer tries and the one the
  // app keeps are not the same, and the reset mends both. Suspended otherwise: the suspension is
  // still what stops their postage, so it is said, without claiming it is why the login fails.
  if (suspension?.status === 'ok' && suspension.result.suspended)
    return leadingWith(
      suspension.result.reason === 'password_changed'
        ? 'Logging in uses your Stamps.com password, and your account shows that password was changed recently.'
        : 'I checked your account while looking into the login, and it is suspended.',
      await answerSuspension(context, account, suspension),
    );
  if (fails)
    return {
      texts: [
        context.answer('log_in'),
        'If the password is not accepted, it is your Stamps.com password: reset it with the "forgot password" link on the Stamps.com sign-in page, then enter the new one on the ONE BALANCE & CARRIERS page.',
      ],
    };
  return { texts: [context.answer('log_in')] };
}

async function reconnectAccount(context: PolicyContext): Promise<Reply> {
  const state = await accountState(context);
  if (state.kind === 'none')
    return { texts: [context.answer('reconnect_account', 'not_found'), context.answer('open_account')] };
  if (state.kind !== 'open') return withoutOpenAccount(context, 'reconnect_account', state) as Reply;
  if (state.account.status === 'registration_pending') return unfinishedRegistration(context);
  const { account } = state;
  // "Is my account OK?" lands here too: a connected account can still be suspended, and that, not
  // the connection, is what stops its postage. Both are asked at once, and the suspension is asked
  // of the backend rather than read from the account looked up earlier in the conversation, which
  // may be older than a suspension.
  const [connection, suspension] = await Promise.all([
    context.check<ConnectionStatus>('account.connection', account.accountId),
    context.check<SuspensionStatus>('account.suspension', account.accountId),
  ]);
  if (connection.status !== 'ok') return { texts: [context.answer('reconnect_account'), UNAVAILABLE] };
  if (!connection.result.connected) return offerReconnect(context, account);
  const connected = `Your One Balance account ending in ${account.accountNumberLast4} is connected to your store`;
  if (suspension.status !== 'ok') {
    return {
      texts: [
        `${connected}. I could not check just now whether it is suspended; ask me again in a moment if postage will not go through.`,
      ],
    };
  }
  if (suspension.result.suspended) {
    return leadingWith(
      `${connected}, but it is suspended.`,
      await answerSuspension(context, account, suspension),
    );
  }
  return {
    texts: [
      `${connected} and active, so nothing needs fixing. If it does not show on the ONE BALANCE & CARRIERS page (top right of the app), reload that page; if it is still missing, tell me and I will pass it to a person.`,
    ],
    patch: { ...suspendedNow(account, false).patch, stillFailingTicket: 'missing_though_connected' },
  };
}

/** "I tried twice", "tried it a few times": what the customer did more than once, to no end. */
export const TRIED_REPEATEDLY = String.raw`tried\s+(?:it\s+|that\s+)?(?:(?:like|about|maybe|around|at\s+least|over|almost)\s+)?(?:twice|again|(?:a\s+)?(?:few|couple(?:\s+of)?|several|many|multiple|million|hundred|dozen|\d+|two|three|four|five|six|seven|eight|nine|ten)\s+times|so\s+many\s+times)`;
/**
 * After registration troubleshooting, "I never got a text", "no code came", "tried the call option
 * too", "I tried text and call", "I typed it exactly", "I tried twice", "what else can I try?", "I
 * double checked it", or of a declined card "it's a brand new card": the error persists, though no
 * failure word says so.
 */
export const CODE_STILL_MISSING = new RegExp(
  String.raw`\b(?:never|did(?:n['’]?t|\s+not)|does(?:n['’]?t|\s+not)|have(?:n['’]?t|\s+not)|not)\s+(?:got|get|getting|gotten|receiv\w*|arriv\w*|came|come|comes|coming)\b|\bno\s+(?:texts?|codes?|calls?|sms)\b|\bnothing\s+(?:came|arrived|comes|happen\w*)\b|\btried\b.*\b(?:too|also|as\s+well|either)\b|\btried\s+(?:both|(?:by\s+)?(?:texts?|sms|calls?|phone)\s+(?:and|&|or)\s+(?:by\s+)?(?:texts?|sms|calls?|phone))\b|\bwhat\s+else\s+(?:can|could|should|do)\s+i\s+(?:try|do)\b|\balso\s+tried\b|\b(?:typed|entered|put|used)\b.*\b(?:exactly|correctly|right|properly|carefully|twice)\b|\b(?:right|correct|same|exact)\s+code\b|\b${TRIED_REPEATEDLY}\b|\b(?:it['’]?s|it\s+has|i['’]?ve|i\s+have)\s+(?:been\s+)?(?:waited\s+|waiting\s+)?(?:for\s+)?(?:\d+|a\s+few|an?|over|more\s+than|like|half\s+an?)\b.*\b(?:min\w*|hours?|hrs?|days?|while)\b|\bstill\s+(?:nothing|waiting|no\s+code)\b|\bwaited\b|\b(?:brand\s+new|valid|good|working)\s+card\b|\b(?:it|that)['’]?s\s+a\s+new\s+card\b|\bcard\s+(?:is|was)\s+(?:fine|valid|good|ok(?:ay)?|brand\s+new|new|working|active)\b|\bcard\s+works\b|\b(?:double|triple)[\s-]?check\w*|\bcheck(?:ed)?\s+(?:it\s+|that\s+)?(?:twice|again)\b|\b(?:it|the\s+address|everything|all)\s*(?:['’]s|is)\s+(?:all\s+)?(?:correct|right)\b`,
  'i',
);
/** A question, by its mark or its first word. */
export const QUESTION =
  /\?\s*$|^\s*(?:will|would|is|are|can|could|does|do|what|why|how|when|where|which|should|must)\b/i;
/** A message that says something fails or still fails, rather than asking about it. */
const REPORTS_FAILURE =
  /\b(?:still|again|keeps?|not\s+working|does(?:n['’]?t|\s+not)\s+work|won['’]?t|can['’]?t|cannot|unable|fail\w*|errors?|broke\w*|stopped)\b/i;

/**
 * An account whose registration never finished cannot show in the app or be reconnected: what is
 * left is the registration itself, so the customer gets its troubleshooting instead of an offer.
 */
async function unfinishedRegistration(context: PolicyContext): Promise<Reply> {
  const unfinished =
    'Your One Balance registration has not finished yet, so the account cannot be used until it does.';
  // Asking how to log in is not the error coming back: only a registration question, or word that
  // something still fails ("still not working"), hands the conversation to a person after the
  // troubleshooting.
  if (context.state.registrationTroubleshot === true && REPORTS_FAILURE.test(context.text))
    return registrationError(context);
  if (context.state.registrationTroubleshot === true) {
    return {
      texts: [
        `${unfinished} Follow the registration steps I gave you earlier; if the same error comes back, tell me and I will bring in a person.`,
      ],
    };
  }
  return leadingWith(unfinished, await registrationError(context));
}

/** The customer said yes to a reconnect request. */
export async function requestReconnect(context: PolicyContext, accountId: string): Promise<Reply> {
  const request = await context.check<{ requestId: string }>('account.reconnect_request', accountId);
  const account = await context.account();
  const last4 = account !== 'unknown' && account !== null ? account.accountNumberLast4 : '';
  if (request.status === 'ok') {
    return {
      texts: [context.answer('reconnect_account', 'requested', { accountLast4: last4 })],
      escalation: ticketEscalation('reconnect_request'),
      acted: true,
    };
  }
  return {
    texts: [
      'I could not file the reconnect request just now, so I have passed it to our support team to do by hand.',
    ],
    escalation: ticketEscalation('reconnect_request'),
  };
}

/**
 * After the troubleshooting, a registration message means the error persists, unless it only asks
 * something ("can I skip the verification step?", "can I use another number?"): that gets the
 * troubleshooting again, since handing off would end the bot's part for a question.
 */
const registrationPersists = (context: PolicyContext): boolean =>
  context.state.registrationTroubleshot === true &&
  (!QUESTION.test(context.text) ||
    REPORTS_FAILURE.test(context.text) ||
    CODE_STILL_MISSING.test(context.text));

/** "Can I skip the verification?", "register without a phone?": verification is a step of registering. */
const SKIPS_VERIFICATION =
  /\b(?:skip\w*|bypass\w*|avoid\w*|get\s+around|without|later|no\s+(?:phone|verification))\b/i;
const IF_IT_STILL_FAILS = 'If it still fails after that, tell me and I will bring in a person.';
const REGISTRATION_PERSISTS: Reply = {
  texts: [
    'The registration error is still there after the troubleshooting steps, so I am bringing in a person.',
  ],
  escalation: ticketEscalation('registration_persists'),
};

/** Registration errors a customer can name in their own words, and their troubleshooting's answer. */
const NAMED_REGISTRATION_ERRORS: readonly { words: RegExp; variant: string }[] = [
  { words: /\b(?:codes?|verif\w*|texts?|sms|phone|calls?)\b/i, variant: 'tips_phone' },
  { words: /\b(?:card|declined|payment)\b/i, variant: 'tips_card' },
  { words: /\b(?:address\w*|zip|postal|street)\b/i, variant: 'tips_address' },
  {
    words: /\b(?:already\s+(?:exists?|registered|in\s+use|used|taken|have)|duplicate|exists)\b/i,
    variant: 'tips_duplicate',
  },
];

/**
 * Registration help with no registration to check (a visitor, or no account found yet): the
 * troubleshooting for the one error the customer names, and a person if it still fails after it.
 */
/** The troubleshooting variant of the one registration error the message names, if it names one. */
function namedRegistrationError(text: string): string | undefined {
  const named = NAMED_REGISTRATION_ERRORS.filter(({ words }) => words.test(text));
  return named.length === 1 ? named[0]?.variant : undefined;
}

/** The troubleshooting variant that goes with each error code of the account system. */
const TIPS_FOR_ERROR: Readonly<Record<string, string>> = {
  card_declined: 'tips_card',
  phone_verification_failed: 'tips_phone',
  invalid_address: 'tips_address',
  duplicate_account: 'tips_duplicate',
};

function registrationUnchecked(context: PolicyContext, visitor: boolean): Reply {
  if (registrationPersists(context)) return REGISTRATION_PERSISTS;
  const variant = namedRegistrationError(context.text);
  if (variant === 'tips_phone' && SKIPS_VERIFICATION.test(context.text))
    return { texts: [context.answer('registration_error', 'verification_needed')] };
  if (variant === undefined)
    return visitor
      ? general(context, 'registration_error')
      : { texts: [context.answer('registration_error')] };
  // The account system finds no account for this customer, yet registration says one exists:
  // nothing the customer can do about that, so a person.
  if (variant === 'tips_duplicate' && !visitor) {
    return {
      texts: [
        'Registration says a One Balance account already exists, but I find none for you, so a person needs to look into it.',
      ],
      escalation: ticketEscalation('registration_persists'),
    };
  }
  return {
    texts: [
      context.answer('registration_error', variant),
      visitor ? context.answer('registration_error', 'sign_in_named') : IF_IT_STILL_FAILS,
    ],
    patch: { registrationTroubleshot: true },
  };
}

async function registrationError(context: PolicyContext): Promise<Reply> {
  const state = await accountState(context);
  if (state.kind === 'none' || state.kind === 'visitor')
    return registrationUnchecked(context, state.kind === 'visitor');
  if (state.kind !== 'open') return withoutOpenAccount(context, 'registration_error', state) as Reply;
  const registration = await context.check<RegistrationStatus>(
    'account.registration',
    state.account.accountId,
  );
  if (registration.status !== 'ok') return { texts: [context.answer('registration_error'), UNAVAILABLE] };
  const { errorCode, state: registrationState } = registration.result;
  if (errorCode !== null) {
    // The second time the same error comes back, the troubleshooting did not help: a person takes it.
    if (registrationPersists(context)) return REGISTRATION_PERSISTS;
    // "It says my address is invalid" while the records show the registration stopped at the
    // phone: what the customer sees now gets its troubleshooting, and what the records show
    // follows, so that neither is left out.
    const named = namedRegistrationError(context.text);
    if (named !== undefined && named !== TIPS_FOR_ERROR[errorCode]) {
      return {
        texts: [
          context.answer('registration_error', named),
          `I also checked your registration, and the account system shows more: ${context.answer('registration_error', errorCode)}`,
        ],
        patch: { registrationTroubleshot: true },
      };
    }
    const variant =
      errorCode === 'phone_verification_failed' && SKIPS_VERIFICATION.test(context.text)
        ? 'verification_needed'
        : errorCode;
    return {
      texts: [context.answer('registration_error', variant)],
      patch: { registrationTroubleshot: true },
    };
  }
  if (registrationState === 'complete') {
    const complete =
      'Your One Balance registration is complete and the account is set up, so there is nothing left to fix there.';
    // "My labels fail" read as a registration problem: when the account is suspended, that is what
    // stops the labels, so the customer gets the suspension's answer rather than a dead end.
    const { account } = state;
    const suspension = await context.check<SuspensionStatus>('account.suspension', account.accountId);
    if (suspension.status === 'ok' && suspension.result.suspended) {
      return leadingWith(
        `${complete} I looked for a suspension too.`,
        await answerSuspension(context, account, suspension),
      );
    }
    return { texts: [complete], ...(suspension.status === 'ok' ? suspendedNow(account, false) : {}) };
  }
  return { texts: [context.answer('registration_error')] };
}

async function closeAccount(context: PolicyContext): Promise<Reply> {
  const state = await accountState(context);
  if (state.kind === 'none')
    return {
      texts: [
        'I find no One Balance account under the email you are signed in with, so there is nothing to close. If you have one under another email, our Customer Success team can look for it; tell me and I will pass you to them.',
      ],
    };
  if (state.kind === 'closed') {
    return {
      texts: [
        'Your One Balance account is already closed. If you need to ship again, you will need a new account.',
      ],
    };
  }
  return general(context, 'close_account');
}

/** Asking to have a closed account back: "reopen", "reactivate", "undo closing it", "can I get it back?". */
export const ASKS_TO_REOPEN =
  /\b(?:re-?open\w*|re-?activat\w*|restor\w*|undo\w*|un-?close|(?:get|want|have)\s+it\s+back|turn\s+it\s+back\s+on)\b/i;

async function openAccount(context: PolicyContext): Promise<Reply> {
  const state = await accountState(context);
  // "Register" from a customer whose registration never finished was told they already have an
  // account: what is left is finishing that registration.
  if (state.kind === 'open' && state.account.status === 'registration_pending')
    return { ...(await unfinishedRegistration(context)), topic: 'registration_error' };
  // Suspended, a second account looks like a way around it: what the bot knows says to lift the
  // suspension instead (it was told only that it needs no second one and can log in).
  if (state.kind === 'open' && state.account.status === 'suspended')
    return {
      ...leadingWith(
        `You already have a One Balance account (ending in ${state.account.accountNumberLast4}), and it is suspended. A new account is not the way around that (I cannot tell whether Stamps.com would allow a second one meanwhile): getting this one unsuspended is the way back to shipping.`,
        await explainSuspension(context),
      ),
      topic: 'explain_suspension',
    };
  if (state.kind === 'open') {
    return {
      texts: [
        `You already have a One Balance account (ending in ${state.account.accountNumberLast4}), so there is no need to open another one. You can log in to it from the ONE BALANCE & CARRIERS page.`,
      ],
    };
  }
  if (state.kind === 'closed') {
    // The steps were the last answer: "can't you just reopen the old one?" is answered, not sent
    // the same steps again.
    if (context.state.recap?.intent === 'open_account' && ASKS_TO_REOPEN.test(context.text))
      return { texts: [context.answer('open_account', 'reopen_after_steps')] };
    return { texts: [context.answer('open_account', 'closed'), context.answer('open_account')] };
  }
  // "Can you reopen my closed account?" from someone whose account the bot cannot see: the answer
  // is still a new account, and it should say why before the steps.
  if (state.kind !== 'none' && ASKS_TO_REOPEN.test(context.text))
    return { texts: [context.answer('open_account', 'reopen'), context.answer('open_account')] };
  // Checked and not found: "do I have an account?" is answered before the steps.
  if (state.kind === 'none')
    return { texts: [context.answer('open_account', 'none'), context.answer('open_account')] };
  return { texts: [context.answer('open_account')] };
}

/** "Can you reset my password for me?": only the customer can, on Stamps.com. */
const ASKS_BOT_TO_RESET =
  /\b(?:can|could|would|will)\s+(?:you|u)\s+(?:please\s+)?(?:just\s+)?(?:reset|change|unlock)\b|\b(?:reset|change)\s+(?:it|my\s+(?:stamps(?:\.com)?\s+)?password)\s+for\s+me\b/i;

async function resetStampsPassword(context: PolicyContext): Promise<Reply> {
  const steps = general(context, 'reset_stamps_password');
  const reply = ASKS_BOT_TO_RESET.test(context.text)
    ? {
        ...steps,
        texts: [
          'I cannot reset it for you: only you can, on Stamps.com, and it takes a few steps.',
          ...steps.texts,
        ],
      }
    : steps;
  const state = await accountState(context);
  if (state.kind !== 'open') return reply;
  const suspension = await context.check<SuspensionStatus>('account.suspension', state.account.accountId);
  if (suspension.status === 'ok' && suspension.result.reason === 'password_changed') {
    return {
      texts: [
        ...reply.texts,
        'Your account is suspended because of a recent password change. Once the new password is entered, say "done" and I will try to unsuspend it again.',
      ],
      ...awaitFix(state.account.accountId, 'password'),
    };
  }
  return reply;
}

async function firstClassPlan(context: PolicyContext): Promise<Reply> {
  const state = await accountState(context);
  if (state.kind !== 'open') return withoutOpenAccount(context, 'first_class_plan', state) as Reply;
  const plan = await context.check<PlanInfo>('account.plan', state.account.accountId);
  if (plan.status !== 'ok') return { texts: [context.answer('first_class_plan'), UNAVAILABLE] };
  if (plan.result.firstClassAllowed) {
    const vars = { planName: plan.result.planName };
    // The plan is not what stops a suspended account's labels: said beside it, from the account as
    // looked up (no second check for a question about the plan), and no promise that a failing
    // First Class purchase means something is wrong with the plan.
    if (state.account.status === 'suspended')
      return { texts: [context.answer('first_class_plan', 'allowed_but_suspended', vars)] };
    return {
      texts: [context.answer('first_class_plan', 'allowed', vars)],
      patch: { stillFailingTicket: 'first_class_fails_though_allowed' },
    };
  }
  return {
    texts: [context.answer('first_class_plan', 'not_allowed', { planName: plan.result.planName })],
    escalation: ticketEscalation('plan_without_first_class'),
  };
}

/** "Why do you need my card if it's free?": what the card pays for, rather than the prices again. */
const ASKS_ABOUT_CARD = /\b(?:card|credit|debit)\b/i;
/**
 * "Do I have to pay?", "does it cost anything?", "is it free?": what something costs. Not "a free
 * account", the name of the button that opens one.
 */
const COST_WORDS = String.raw`\b(?:pay|paid|paying|costs?|charged?|fees?|free(?!\s+(?:one\s+balance\s+)?account))\b`;
export const ASKS_COST = new RegExp(COST_WORDS, 'i');
/**
 * "Do I have to pay anything to sign up?": the card answer says it, that the account costs nothing
 * and the card entered when registering pays for the postage.
 */
const OPENING_WORDS = String.raw`\b(?:sign(?:ing)?\s*up|regist\w*|open\w*|join\w*)\b`;
const ASKS_COST_TO_OPEN = new RegExp(`${COST_WORDS}.*${OPENING_WORDS}|${OPENING_WORDS}.*${COST_WORDS}`, 'i');
/** "How do I pay for labels?": with the card kept on the account, which the card answer says. */
const ASKS_HOW_TO_PAY =
  /\bhow\s+(?:do|can|will|would|should)\s+(?:i|we)\s+pay\b|\bhow\s+(?:is|are|does)\s+(?:the\s+)?(?:postage|labels?)\s+(?:get\s+)?paid\b|\bwhat\s+do\s+(?:i|we)\s+pay\s+with\b/i;
/** "What's the catch?", "any hidden fees?": whether anything is charged beyond the postage. */
const ASKS_FOR_CATCH = /\b(?:catch|too\s+good|hidden|strings\s+attached|fine\s+print)\b/i;

/** "What's my balance?", "how do I add funds?": the bot sees neither the balance nor a way to add to it. */
export const ASKS_FOR_BALANCE =
  /\b(?:my|the|postage|account['’]?s?|current)\s+balance\b|\b(?:add|adding|top\s*up|load|deposit|put)\s+(?:more\s+|some\s+)?(?:money|funds?|postage)\b|\bmoney\s+(?:is\s+)?(?:left|in\s+(?:my|the)\s+account)\b|\btop\s*up\b|\bhow\s+much\s+(?:postage|money|funds?|credit)\s+(?:do\s+i\s+have|is|have\s+i\s+got)(?:\s+(?:left|remaining|available|on\s+(?:it|my\s+account)))?\b/i;

/** What One Balance costs; why a card is needed, or whether there is a catch, or the balance, where asked. */
const pricing: Policy = async (context) => {
  const variant = ASKS_FOR_BALANCE.test(context.text)
    ? 'balance'
    : ASKS_ABOUT_CARD.test(context.text) ||
        ASKS_COST_TO_OPEN.test(context.text) ||
        ASKS_HOW_TO_PAY.test(context.text)
      ? 'card'
      : ASKS_FOR_CATCH.test(context.text)
        ? 'no_catch'
        : 'default';
  return { texts: [context.answer('pricing', variant)] };
};

/** "I need help" opens the chat without a hello (a greeting keyword): "Of course", not "Hello!". */
const greet: Policy = async (context) => ({
  texts: [context.answer('greeting', context.mentions('greeting') ? 'default' : 'opener')],
});

/** Words that end the chat inside a thank-you ("thanks, bye"). */
const TAKES_LEAVE =
  /\b(?:bye|goodbye|see\s+(?:you|ya)|that['’]?s\s+all|have\s+a\s+(?:good|nice|great)\s+(?:day|one|evening|night|weekend))\b/i;

/**
 * The goodbye says what is still open: after the bot sent the customer to the Stamps line or to our
 * team, "glad I could help" would be wrong, as the problem is not solved yet.
 */
function farewell(context: PolicyContext): string {
  const last = context.state.escalations.at(-1);
  return context.answer('goodbye', last === undefined ? 'default' : `after_${last.kind}`);
}

/** A thank-you that also says goodbye gets the goodbye, not "anything else I can help with?". */
const thank: Policy = async (context) => ({
  texts: [TAKES_LEAVE.test(context.text) ? farewell(context) : context.answer('thanks')],
});

/** What the bot does for each intent. `out_of_scope` is handled by the engine (it counts misunderstandings). */
export const POLICIES: Record<Answerable, Policy> = {
  find_credentials: findCredentials,
  log_in: logIn,
  close_account: closeAccount,
  reconnect_account: reconnectAccount,
  registration_error: registrationError,
  explain_suspension: explainSuspension,
  reset_stamps_password: resetStampsPassword,
  open_account: openAccount,
  pricing,
  first_class_plan: firstClassPlan,
  talk_to_human: async (context) => ({
    texts: [context.answer('talk_to_human')],
    escalation: ticketEscalation('customer_asked_for_a_person'),
  }),
  greeting: greet,
  thanks: thank,
  goodbye: async (context) => ({ texts: [farewell(context)] }),
};

/** How the bot names an intent when it asks which one the customer meant. */
export const INTENT_LABELS: Record<Answerable, string> = {
  find_credentials: 'finding your account details',
  log_in: 'logging in to One Balance',
  close_account: 'closing your account',
  reconnect_account: 'an account that no longer shows in the app',
  registration_error: 'an error while registering',
  explain_suspension: 'a suspended account or a failing postage purchase',
  reset_stamps_password: 'resetting your Stamps.com password',
  open_account: 'opening a new account',
  pricing: 'prices and discounts',
  first_class_plan: 'First Class labels and your plan',
  talk_to_human: 'talking to a person',
  greeting: 'saying hello',
  thanks: 'saying thanks',
  goodbye: 'ending the chat',
};
