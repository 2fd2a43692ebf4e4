/**
 * Secrets that people type or paste into a conversation: payment card numbers, full account numbers
 * and passwords. They are masked at every edge where text is kept or passed on (the customer's
 * message as it enters the engine, every transcript entry the store writes or publishes, a ticket's
 * subject and note), so that they never reach Redis, a help-desk ticket, Slack or a log. A mask keeps
 * a number's last 4 digits (enough for a person to tell which one it was, as DOMAIN.md allows) and
 * nothing of a password. Masking is idempotent: a masked text comes back unchanged.
 */

export type SecretKind = 'card_number' | 'account_number' | 'password';

export interface Redacted {
  text: string;
  /** What was removed, once per kind, in the order of `KINDS` (cards, account numbers, passwords). */
  removed: SecretKind[];
}

const KINDS: readonly SecretKind[] = ['card_number', 'account_number', 'password'];

/**
 * A run of digits, grouped or not: groups are joined by one space or dash (also the no-break spaces
 * and Unicode dashes that copy-paste brings), and every group after the first has 3 or more digits,
 * so a date ("2024-05-01", "05-01-2024") or a list of small numbers ("10 20 30 40") never joins into
 * one long run. Each group is a plain `\d+`/`\d{3,}` between separators: one way to match, linear.
 */
const DIGIT_RUN = /\+?\d+(?:[ \u00a0\u2007\u202f\u2010-\u2013-]\d{3,})*/g;

/** The fewest digits a full account number has (shorter runs are quantities, ZIPs, ids, years). */
const MIN_ACCOUNT_DIGITS = 8;

/** "(855) 889-7867" is never one run; "855-889-7867", "1 855 889 7867" and "+1 855 889 7867" are. */
const US_PHONE = /^(?:\+?1-)?\d{3}-\d{3}-\d{4}$/;
const ZIP_PLUS_4 = /^\d{5}-\d{4}$/;
const CURRENCY_BEFORE = /[$€£]\s?$/;
/** "ticket #12345678": the help desk's ticket number, which the bot itself tells the customer. */
const TICKET_BEFORE = /\bticket\s?#?\s?$/i;
const CENTS_AFTER = /^\.\d{2}(?!\d)/;

/**
 * "password: x", "pw=x", "my password is x": the word, how it is given, and the value (quoted, or
 * up to the next space). A value that is already one of our masks is not a password (idempotence).
 */
const PASSWORD_STATEMENT =
  /\b(pass(?:word|wd|code)?|pwd?)(['’]s|\s+(?:is|was|would be)|\s*[:=])\s*(?!\[(?:password removed|card ending \d{4}|account number ending \d{4})\])("[^"]{1,200}"|'[^']{1,200}'|[^\s"']+)/gi;

/** A value given with "is" only counts when it looks like a password, not like "is wrong". */
function looksLikePassword(value: string): boolean {
  return /^["']/.test(value) || /\d/.test(value) || /[^\p{L}\s.,!?]/u.test(value) || /.\p{Lu}/u.test(value);
}

/** Luhn checksum, which every payment card number satisfies and most other numbers do not. */
function passesLuhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

/**
 * A payment card number: 13-19 digits, an issuer's first digit (2-6: Mastercard, Amex, Diners, JCB,
 * Visa, Discover, UnionPay) and the Luhn check. The first digit matters: the demo account numbers
 * start with 7 and some pass Luhn, and they are account numbers, not cards.
 */
function isCardNumber(digits: string): boolean {
  return digits.length >= 13 && digits.length <= 19 && /^[2-6]/.test(digits) && passesLuhn(digits);
}

/**
 * What a run of digits is, as far as secrets go. The rule: a run of 8 or more digits is a card
 * number when it passes `isCardNumber`, and otherwise a full account number, unless it is written
 * as a phone number (US 3-3-4 grouping, or international with a leading "+"), a ZIP+4, a price (a
 * currency sign before it or cents after it) or a help-desk ticket number ("ticket #" before it).
 * Dates never form such a run (see `DIGIT_RUN`).
 * Tracking numbers and other long references are masked too: by their digits alone they cannot be
 * told from an account number, and the last 4 digits stay readable.
 */
function secretKindOf(run: string, before: string, after: string): SecretKind | undefined {
  const digits = run.replace(/\D/g, '');
  if (digits.length < MIN_ACCOUNT_DIGITS) return undefined;
  if (isCardNumber(digits)) return 'card_number';
  const grouped = run.replace(/[^\d+]/g, '-');
  if (US_PHONE.test(grouped) || (run.startsWith('+') && digits.length <= 15)) return undefined;
  if (ZIP_PLUS_4.test(grouped)) return undefined;
  if (CURRENCY_BEFORE.test(before) || CENTS_AFTER.test(after) || TICKET_BEFORE.test(before)) return undefined;
  return 'account_number';
}

function maskNumbers(text: string, removed: Set<SecretKind>): string {
  return text.replace(DIGIT_RUN, (run: string, offset: number) => {
    // Only the few characters the rules read, so that a long text is never copied per run.
    const end = offset + run.length;
    const kind = secretKindOf(run, text.slice(Math.max(0, offset - 10), offset), text.slice(end, end + 4));
    if (kind === undefined) return run;
    removed.add(kind);
    const last4 = run.replace(/\D/g, '').slice(-4);
    return kind === 'card_number' ? `[card ending ${last4}]` : `[account number ending ${last4}]`;
  });
}

function maskPasswords(text: string, removed: Set<SecretKind>): string {
  return text.replace(PASSWORD_STATEMENT, (match, word: string, how: string, value: string) => {
    const assigned = /[:=]/.test(how);
    // "password: ..." always gives one; "password is wrong" does not.
    if (!assigned && !looksLikePassword(value)) return match;
    removed.add('password');
    return `${word}${how} [password removed]`;
  });
}

/**
 * Masks what `text` gives away. `passwords: false` is for the bot's own texts: they tell people how
 * to reset a password ("Stamps.com password: use the forgot-password link"), which the password
 * rule, meant for someone giving one, would mangle; numbers are masked in every text.
 */
export function redactSecrets(text: string, { passwords = true }: { passwords?: boolean } = {}): Redacted {
  const removed = new Set<SecretKind>();
  // Passwords first: a password of digits must lose all of them, not keep 4 as a number would.
  const result = maskNumbers(passwords ? maskPasswords(text, removed) : text, removed);
  return { text: result, removed: KINDS.filter((kind) => removed.has(kind)) };
}

const SECRET_NAMES: Record<SecretKind, string> = {
  card_number: 'a card number',
  account_number: 'a full account number',
  password: 'a password',
};

/** What was removed, for the customer: "a card number", "a full account number and a password". */
export function namesOfSecrets(kinds: readonly SecretKind[]): string {
  const names = kinds.map((kind) => SECRET_NAMES[kind]);
  return names.length <= 1 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

/**
 * Tells the customer what was removed from their message before it was kept, and why. A safety
 * text, with the redactor that decides it: not in editable data, where it could be lost.
 */
export function secretsRemovedNote(removed: readonly SecretKind[]): string | undefined {
  if (removed.length === 0) return undefined;
  const what = namesOfSecrets(removed);
  return `I removed what looked like ${what} from your message before saving it. Please never share card details, passwords or full account numbers in this chat: I never need them.`;
}
