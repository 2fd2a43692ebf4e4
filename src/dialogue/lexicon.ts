/**
 * The small closed-class lexicon the code keeps (issue 34's design): yes, no, done and a bare
 * acknowledgement, with their negation and change-of-mind handling. Everything else a message may
 * say is read from the dialogue data (intents/dialogue/); the dialogue's facts read these as the
 * `lexicon` acts.
 */

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
export const YES = new RegExp(
  // "Sí", "oui", "ja": the yes of a customer told that the bot reads English only.
  `${CHANGE_OF_MIND}(?:(?:yes|yeah|yep|yup|sure|please(?: do)?|go ahead|do it|y|absolutely|of course|please go ahead|si|oui|ja)\\b|${AGREES_ALONE}|sí(?![a-z]))` +
    String.raw`(?![\s,.!]*(?:but\s+)?(?:how|what|why|where|when|which|who|i\s*['’]?ll|i\s+will|i\s*['’]?m\s+going|i\s+am\s+going|i\s+(?:can|guess|think)|let\s+me|i\s+(?:did|had|was|already|never|changed|reset|updated)|no|nope|nah|never\s*mind|forget\s+it|no\s+need)\b)`,
  'i',
);
/**
 * "done", "I've entered it", "yes I reset it": the customer did what the bot asked. A bare "ok" or
 * "thanks" is not: after "say done once it is entered" it means "will do".
 */
export const DONE = new RegExp(
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
/** A no, also after an acknowledgement: "ok nevermind, keep it open" says no to what was offered. */
const NO =
  /^\s*(?:(?:ok(?:ay)?|oh|well|actually|hm+)[\s,.!]+)?(?:no|nope|nah|not now|not yet|don'?t|do not|n|cancel|never\s*mind|forget\s+it|no\s+need|(?:maybe|perhaps|probably)\s+later|later)\b/i;
/** "Ok", "got it", "hmm", "I see": the whole message acknowledges the last answer and asks nothing. */
export const ACKNOWLEDGES =
  /^\s*(?:(?:oh|ah|hm+|well|lol|haha|ha|heh)[\s,.!]*)?(?:ok(?:ay)?|k+|alright|all\s+right|got\s+it|i\s+see|cool|understood|makes\s+sense|noted|right|hm+|oh|ah|fair\s+enough|great|awesome|perfect|nice|excellent|wonderful|super|good|sounds\s+good|that\s+works)(?:[\s,.!]+(?:then|cool|got\s+it|i\s+see|makes\s+sense|great|awesome|perfect|nice|good|sounds\s+good))?[\s.!,]*$/i;
/** The closed-class acts the code lexicon reads in a message (yes, no, done, ack), for the dialogue data. */
export function lexiconActsOf(text: string): ReadonlySet<string> {
  const acts = new Set<string>();
  if (YES.test(text)) acts.add('yes');
  if (NO.test(text)) acts.add('no');
  if (DONE.test(text)) acts.add('done');
  if (ACKNOWLEDGES.test(text)) acts.add('ack');
  return acts;
}
