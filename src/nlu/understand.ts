import type { Config } from '../config.ts';
import type { IntentDefinition } from '../intents/load.ts';
import { isAccountQuestion, isRequest, OUT_OF_SCOPE, SMALL_TALK_INTENTS } from '../intents/schema.ts';
import { type ClassifierOptions, IntentClassifier, type Prediction } from './classifier.ts';
import { type Entity, extractEntities } from './entities.ts';
import type { LabelledText } from './evaluate.ts';
import { normalizeText, tokenize } from './text.ts';

/** What the bot understood of one message. */
export interface Understanding extends Prediction {
  text: string;
  entities: Entity[];
  /**
   * A second request in the same message ("my account is missing, and how much does it cost?"),
   * besides `intent`, and whether it was asked before it.
   */
  also?: OtherRequest;
  /** Further requests in the same message, after `also`, in the order asked. */
  further?: OtherRequest[];
}

/** A request besides a message's own intent, and whether it was asked before that intent. */
export interface OtherRequest {
  intent: string;
  confidence: number;
  first: boolean;
}

export function examplesOf(intents: readonly IntentDefinition[]): LabelledText[] {
  return intents.flatMap((intent) => intent.examples.map((text) => ({ text, intent: intent.id })));
}

/** Words that pad a courtesy ("hi there", "thanks a lot", "thank you so much, and ..."). */
const COURTESY_FILLER = new Set(
  'there you so very much a lot again and but also all team guys folks ok okay'.split(' '),
);

/**
 * A request after a courtesy must have at least this many words to be read on its own: "hi there,
 * is this support" is a greeting.
 */
const MIN_REQUEST_WORDS = 4;

/**
 * Below this confidence the request after a courtesy is not trusted over the courtesy: "hey can
 * you help me" stays a greeting.
 */
const MIN_REQUEST_CONFIDENCE = 0.5;

/**
 * How sure the out-of-scope verdict on the request after a courtesy must be, and how long that
 * request, to answer it as such: "hey, how are you doing" is small talk the classifier does not
 * know as such.
 */
const MIN_OUT_OF_SCOPE_CONFIDENCE = 0.8;
const MIN_OUT_OF_SCOPE_WORDS = 5;

/**
 * Where a message may hold more than one request: after a sentence's end, at a semicolon, at
 * "also", and at "and"/"plus" when a new question or statement starts there ("... and how do I
 * close it", "... and whats my username", as typed without the apostrophe).
 * "My account is suspended and I can't buy postage" splits too, but both halves are one intent.
 * Not at "but": what follows it mostly corrects the first part ("the app wants me to register a
 * new account but I already have one") rather than asking something else.
 */
const REQUEST_BOUNDARY =
  /(?<=[?!.])\s+|\s*;\s*|,?\s+(?:and\s+)?also[\s,]+|,?\s+(?:and|plus)\s+(?=(?:how|what|where|why|when|can|could|do|does|is|are|will|i|i'm|my|it|please|whats|wheres|hows|im)\b)/i;
/** A part shorter than this names no request of its own ("ok.", "thanks!"). */
const MIN_PART_WORDS = 3;
/**
 * How sure the classifier must be of a part's own intent to answer it as another request: a wrong
 * extra answer costs the customer more than a missing one, which they can still ask for.
 */
const MIN_OTHER_CONFIDENCE = 0.8;

/** The classifier and the entity extractor behind one call. */
export class Understander {
  /** Courtesy phrases (the small-talk intents' keywords) as token lists, longest first. */
  private readonly courtesies: readonly string[][];

  constructor(
    readonly classifier: IntentClassifier,
    courtesies: readonly string[] = [],
  ) {
    this.courtesies = courtesies
      .map((phrase) => tokenize(normalizeText(phrase)))
      .filter((tokens) => tokens.length > 0)
      .sort((a, b) => b.length - a.length);
  }

  static fromIntents(
    intents: readonly IntentDefinition[],
    options: Partial<ClassifierOptions> = {},
  ): Understander {
    const keywords = Object.fromEntries(intents.map((intent) => [intent.id, intent.keywords]));
    const domainWords = intents.flatMap((intent) => intent.domain_words);
    const features = { ...options.features, keywords, domainWords };
    const courtesies = intents
      .filter((intent) => SMALL_TALK_INTENTS.has(intent.id))
      .flatMap((intent) => intent.keywords);
    return new Understander(
      IntentClassifier.train(examplesOf(intents), { ...options, features }),
      courtesies,
    );
  }

  /**
   * Classifies the message. One that reads as small talk but opens with a courtesy and goes on
   * ("hello, I need my one balance password", "thanks, and how do I close it?") is classified
   * again without the courtesy: the greeting's words outweigh a short request in a linear model,
   * and the customer wants the request answered.
   */
  understand(text: string): Understanding {
    const entities = extractEntities(text);
    const prediction = this.classifier.predict(text);
    if (SMALL_TALK_INTENTS.has(prediction.intent)) {
      const request = this.afterCourtesy(text);
      if (request !== undefined) {
        const inner = this.classifier.predict(request);
        // "Good morning, how do I track a package?" asks something too, just not of ours: answered
        // as that, rather than greeted and asked what it is about.
        const asksOfOthers =
          inner.intent === OUT_OF_SCOPE &&
          inner.confidence >= MIN_OUT_OF_SCOPE_CONFIDENCE &&
          request.split(' ').length >= MIN_OUT_OF_SCOPE_WORDS;
        // The request after the courtesy may hold several ("hi! is it free and how do I log in?"),
        // which share the classifier's confidence between them: each part is then sure of its own.
        const sure =
          isRequest(inner.intent) &&
          (inner.confidence >= MIN_REQUEST_CONFIDENCE ||
            this.otherRequests(request, inner.intent).length > 0);
        if (sure || asksOfOthers) return this.withOtherRequests(text, request, inner, entities);
      }
    }
    return this.withOtherRequests(text, text, prediction, entities);
  }

  /** The understanding of `text`, with the other requests that `request` (all of it, or what follows a courtesy) holds. */
  private withOtherRequests(
    text: string,
    request: string,
    prediction: Prediction,
    entities: Entity[],
  ): Understanding {
    const [also, ...further] = this.otherRequests(request, prediction.intent);
    return {
      text,
      ...prediction,
      entities,
      ...(also ? { also } : {}),
      ...(further.length > 0 ? { further } : {}),
    };
  }

  /**
   * The other requests of a message that splits into parts, one of them the message's own intent:
   * each a different account question the classifier is sure of (small talk and a request for a
   * person are not answered twice), once each, in the order asked.
   */
  private otherRequests(text: string, intent: string): OtherRequest[] {
    if (!isAccountQuestion(intent)) return [];
    // Most messages do not split at all: they cost one regular-expression pass and nothing more.
    const pieces = text.split(REQUEST_BOUNDARY);
    if (pieces.length < 2) return [];
    const parts = pieces.filter((part) => tokenize(normalizeText(part)).length >= MIN_PART_WORDS);
    if (parts.length < 2) return [];
    const predictions = parts.map((part) => this.predictPart(part));
    const own = predictions.findIndex((prediction) => prediction.intent === intent);
    if (own === -1) return [];
    const others: OtherRequest[] = [];
    predictions.forEach((prediction, index) => {
      if (
        prediction.intent !== intent &&
        isAccountQuestion(prediction.intent) &&
        prediction.confidence >= MIN_OTHER_CONFIDENCE &&
        !others.some((other) => other.intent === prediction.intent)
      )
        others.push({ intent: prediction.intent, confidence: prediction.confidence, first: index < own });
    });
    return others;
  }

  /**
   * One part's prediction, read past a courtesy it opens with as a whole message is: "hi, my postage
   * won't buy" is the suspension, not a greeting, when "and also what's my account number?" follows.
   */
  private predictPart(part: string): Prediction {
    const prediction = this.classifier.predict(part);
    if (!SMALL_TALK_INTENTS.has(prediction.intent)) return prediction;
    const request = this.afterCourtesy(part);
    if (request === undefined) return prediction;
    const inner = this.classifier.predict(request);
    return isRequest(inner.intent) && inner.confidence >= MIN_REQUEST_CONFIDENCE ? inner : prediction;
  }

  /** What follows an opening courtesy and its filler, if the message opens with one and goes on. */
  private afterCourtesy(text: string): string | undefined {
    const tokens = tokenize(normalizeText(text));
    let at = 0;
    for (;;) {
      const phrase = this.courtesies.find((candidate) =>
        candidate.every((token, offset) => tokens[at + offset] === token),
      );
      if (phrase !== undefined) at += phrase.length;
      else if (at > 0 && COURTESY_FILLER.has(tokens[at] ?? '')) at++;
      else break;
    }
    if (at === 0 || tokens.length - at < MIN_REQUEST_WORDS) return undefined;
    return tokens.slice(at).join(' ');
  }
}

/** The classifier of `intents/` with the configured out-of-scope decision. */
export function understanderFor(config: Config, intents: readonly IntentDefinition[]): Understander {
  return Understander.fromIntents(intents, outOfScopeDecisionOf(config));
}

/** The configured threshold and out-of-scope bar; unset ones keep the classifier's defaults. */
export function outOfScopeDecisionOf(
  config: Pick<Config, 'CLASSIFIER_THRESHOLD' | 'CLASSIFIER_OOS_BAR'>,
): Partial<Pick<ClassifierOptions, 'threshold' | 'outOfScopeAbove'>> {
  return {
    ...(config.CLASSIFIER_THRESHOLD === undefined ? {} : { threshold: config.CLASSIFIER_THRESHOLD }),
    ...(config.CLASSIFIER_OOS_BAR === undefined ? {} : { outOfScopeAbove: config.CLASSIFIER_OOS_BAR }),
  };
}
