import type { Config } from '../config.ts';
import type { IntentDefinition } from '../intents/load.ts';
import { type ClassifierOptions, IntentClassifier, type Prediction } from './classifier.ts';
import { type Entity, extractEntities } from './entities.ts';
import type { LabelledText } from './evaluate.ts';

/** What the bot understood of one message. */
export interface Understanding extends Prediction {
  text: string;
  entities: Entity[];
}

export function examplesOf(intents: readonly IntentDefinition[]): LabelledText[] {
  return intents.flatMap((intent) => intent.examples.map((text) => ({ text, intent: intent.id })));
}

/** The classifier and the entity extractor behind one call. */
export class Understander {
  constructor(readonly classifier: IntentClassifier) {}

  static fromIntents(
    intents: readonly IntentDefinition[],
    options: Partial<ClassifierOptions> = {},
  ): Understander {
    const keywords = Object.fromEntries(intents.map((intent) => [intent.id, intent.keywords]));
    const domainWords = intents.flatMap((intent) => intent.domain_words);
    const features = { ...options.features, keywords, domainWords };
    return new Understander(IntentClassifier.train(examplesOf(intents), { ...options, features }));
  }

  understand(text: string): Understanding {
    return { text, ...this.classifier.predict(text), entities: extractEntities(text) };
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
