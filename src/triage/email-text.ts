/**
 * What a customer wrote in an email, without what they did not: the quoted history of earlier
 * messages, the signature and the phone's footer. Plain rules on lines, in the order mail clients
 * put those parts; a false cut only drops text from the end, never adds any.
 */

/** How much of an email is read at all: a pasted log or a long thread is cut here first. */
export const MAX_EMAIL_CHARS = 20_000;

/** Where the quoted history of earlier messages starts: everything from this line on is theirs. */
const QUOTE_HEADERS: readonly RegExp[] = [
  // Gmail, Apple Mail: "On Tue, 4 Jun 2024 at 10:02, Support <help@acme.test> wrote:"
  /^\s*On\b.{0,300}\bwrote:\s*$/i,
  // Outlook, Yahoo: "-----Original Message-----", "--- Forwarded message ---"
  /^\s*-{2,}\s*(?:Original Message|Forwarded message|Reply message)\s*-{2,}\s*$/i,
  // Outlook's separator line before its "From: ... Sent: ..." block.
  /^\s*_{10,}\s*$/,
  // Zendesk's own reply marker in notification emails.
  /^\s*##-\s*Please type your reply above this line\s*-##/i,
];

/** Outlook's quoted header without a separator: "From:" then "Sent:"/"Date:" within two lines. */
const FROM_LINE = /^\s*\*?From:\*?\s+\S/i;
const SENT_LINE = /^\s*\*?(?:Sent|Date|To|Subject):\*?\s/i;

/** A sign-off on a line of its own ("Thanks,", "Best regards", "Cheers!"). */
const SIGN_OFF =
  /^\s*(?:thanks?(?: you)?(?: so much| again| in advance)?|many thanks|thx|cheers|regards|best|best regards|kind regards|warm regards|all the best|sincerely|respectfully|talk soon)\s*[,.!-]*\s*$/i;

/** Footers that mail apps add, and the conventional signature delimiter "-- ". */
const SIGNATURE_START: readonly RegExp[] = [
  /^--\s?$/,
  /^\s*Sent from my \w+/i,
  /^\s*Get Outlook for \w+/i,
  /^\s*Sent from (?:Mail|Yahoo Mail|Outlook) for \w+/i,
];

/** A sign-off ends the message when at most this many short lines (a name, a title, a shop) follow. */
const MAX_SIGNATURE_LINES = 6;
const MAX_SIGNATURE_LINE_CHARS = 60;

/** The lines the customer wrote: before the quoted history, without quoted (">") lines. */
function withoutQuotedHistory(lines: readonly string[]): string[] {
  const kept: string[] = [];
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index] ?? '';
    if (QUOTE_HEADERS.some((header) => header.test(line))) break;
    // "On Tue, 4 Jun 2024 at 10:02, Support <help@acme.test>" with "wrote:" wrapped onto the next line.
    if (/^\s*On\b.{0,300}$/i.test(line) && /^\s*\S*.{0,80}\bwrote:\s*$/i.test(lines[index + 1] ?? '')) break;
    if (FROM_LINE.test(line) && lines.slice(index + 1, index + 3).some((next) => SENT_LINE.test(next))) break;
    if (/^\s*>/.test(line)) continue;
    kept.push(line);
  }
  return kept;
}

/** The lines before the signature: a delimiter or app footer, or a sign-off followed by a few short lines. */
function withoutSignature(lines: readonly string[]): string[] {
  const end = lines.findIndex((line, index) => {
    if (SIGNATURE_START.some((start) => start.test(line))) return true;
    if (!SIGN_OFF.test(line)) return false;
    const after = lines.slice(index + 1).filter((rest) => rest.trim() !== '');
    return (
      after.length <= MAX_SIGNATURE_LINES && after.every((rest) => rest.length <= MAX_SIGNATURE_LINE_CHARS)
    );
  });
  return end === -1 ? [...lines] : lines.slice(0, end);
}

/** The customer's own words of an email body, quoted history and signature removed. */
export function customerWords(body: string): string {
  const text = body.slice(0, MAX_EMAIL_CHARS).replace(/\r\n?/g, '\n');
  return withoutSignature(withoutQuotedHistory(text.split('\n')))
    .join('\n')
    .trim();
}

/** Sentences: split at a sentence's end, a blank line or a line break; empty pieces dropped. */
export function sentencesOf(text: string): string[] {
  return text
    .split(/(?<=[.!?])\s+|\n+/)
    .map((sentence) => sentence.replace(/\s+/g, ' ').trim())
    .filter((sentence) => sentence !== '');
}
