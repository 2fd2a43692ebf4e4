/**
 * Whether a message is written in another language than English. The classifier is trained on
 * English only: a Spanish "mi cuenta está suspendida" reads as a greeting ("hola") or as nothing,
 * and its answer would be a wrong guess in a language the customer may not read. Two cheap signals,
 * no model: letters of another script, or words common in the nearby Latin-script languages that
 * English does not use.
 */
import { normalizeText, tokenize } from './text.ts';

/** Scripts English is not written in. */
const OTHER_SCRIPT =
  /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Cyrillic}\p{Script=Arabic}\p{Script=Hebrew}\p{Script=Greek}\p{Script=Thai}\p{Script=Devanagari}]/gu;
const LETTER = /\p{L}/gu;

/**
 * Frequent words of Spanish, French, German, Portuguese and Italian that are not English words (so
 * no "a", "in", "die", "come" or "son"), written as normalizeText leaves them (apostrophes dropped).
 */
const FOREIGN_WORDS: ReadonlySet<string> = new Set(
  // Spanish
  (
    'el la los las mi mis tu su sus que por para con una uno está esta estoy es cuenta puedo ' +
    'cómo como qué porque pero muy también hola gracias ayuda necesito tengo mí del al ' +
    // French
    'le les des du je ne pas mon ma mes est et une avec pour dans sur compte suis ai bonjour merci ' +
    'cest jai nest vous nous aide peux comment pourquoi ' +
    // German
    'ich nicht mein meine ist und der das ein eine mit für kann konto hallo danke bitte warum wie ' +
    'habe haben auf ' +
    // Portuguese
    'não meu minha você conta obrigado olá estou tenho ajuda ' +
    // Italian
    'il non sono della mio mia ciao grazie perché posso aiuto'
  ).split(' '),
);
/** Frequent English words: as many of them as foreign ones is English with a name or two in it. */
const ENGLISH_WORDS: ReadonlySet<string> = new Set(
  'the my is are i you your to of and it not can cant how what why account postage label labels'.split(' '),
);

/** True when the message is mostly written in a language other than English. */
export function looksNonEnglish(text: string): boolean {
  const letters = text.match(LETTER)?.length ?? 0;
  if (letters === 0) return false;
  const other = text.match(OTHER_SCRIPT)?.length ?? 0;
  if (other / letters > 0.5) return true;
  const words = tokenize(normalizeText(text));
  const foreign = words.filter((word) => FOREIGN_WORDS.has(word)).length;
  const english = words.filter((word) => ENGLISH_WORDS.has(word)).length;
  return foreign >= 2 && foreign > english && foreign / words.length >= 0.3;
}
