/**
 * Card numbers and passwords that customers type into a chat. They are removed before the message
 * is stored, so that they never reach the transcript, a help-desk ticket or a log.
 */

export type SecretKind = 'card_number' | 'password';

export interface Redacted {
  text: string;
  /** What was removed, once per kind, in the order found. */
  removed: SecretKind[];
}

/** 13-19 digits, optionally grouped by spaces or dashes. */
const CARD_CANDIDATE = /(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])/g;

/**
 * "password: x", "pw=x", "my password is x": the word, how it is given, and the value (quoted, or
 * up to the next space).
 */
const PASSWORD_STATEMENT =
  /\b(pass(?:word|wd|code)?|pwd?)(['’]s|\s+(?:is|was|would be)|\s*[:=])\s*("[^"]+"|'[^']+'|[^\s"']+)/gi;

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

export function redactSecrets(text: string): Redacted {
  const removed = new Set<SecretKind>();
  let result = text.replace(CARD_CANDIDATE, (match) => {
    const digits = match.replace(/\D/g, '');
    if (digits.length < 13 || !passesLuhn(digits)) return match;
    removed.add('card_number');
    return '[card number removed]';
  });
  result = result.replace(PASSWORD_STATEMENT, (match, word: string, how: string, value: string) => {
    const assigned = /[:=]/.test(how);
    // "password: ..." always gives one; "password is wrong" does not.
    if (!assigned && !looksLikePassword(value)) return match;
    if (value.startsWith('[')) return match;
    removed.add('password');
    return `${word}${how} [password removed]`;
  });
  return { text: result, removed: [...removed] };
}
