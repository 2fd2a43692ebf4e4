import type { Config } from '../config.ts';
import type { IntentDefinition } from '../intents/load.ts';
import type { Logger } from '../logger.ts';
import type { ConversationRuntime } from '../runtime.ts';
import { ReviewInbox } from './inbox.ts';
import { loadReviewLabels } from './labels.ts';
import { ReviewRecorder } from './recorder.ts';
import type { ReviewApiOptions } from './routes.ts';

/**
 * The review inbox of the service's conversations (its Redis, its prefix). Its items (masked
 * customer words) are kept no longer than the conversations they come from.
 */
export function reviewInboxOf(config: Config, conversations: ConversationRuntime): ReviewInbox {
  return new ReviewInbox(conversations.stateRedis, config.QUEUE_PREFIX, {
    ttlSeconds: config.CONVERSATION_TTL_DAYS * 86_400,
  });
}

/** The turn observer and "did not solve it" sink that fill the inbox. */
export function reviewRecorderOf(
  config: Config,
  logger: Logger,
  conversations: ConversationRuntime,
): ReviewRecorder {
  return new ReviewRecorder({
    inbox: reviewInboxOf(config, conversations),
    store: conversations.store,
    redis: conversations.stateRedis,
    prefix: config.QUEUE_PREFIX,
    logger,
  });
}

/** The inbox's API, when ADMIN_TOKEN is set (nothing is served without it). */
export function reviewApiOf(
  config: Config,
  conversations: ConversationRuntime,
  intents: readonly IntentDefinition[],
): ReviewApiOptions | undefined {
  if (config.ADMIN_TOKEN === undefined) return undefined;
  return {
    inbox: reviewInboxOf(config, conversations),
    token: config.ADMIN_TOKEN,
    labels: loadReviewLabels(config.INTENTS_DIR, intents),
  };
}
