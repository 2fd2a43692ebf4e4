import type { Config } from '../config.ts';
import { loadIntentsOrThrow } from '../intents/load.ts';
import { createLogger } from '../logger.ts';
import { Understander } from '../nlu/understand.ts';
import { buildApp } from './app.ts';

/** How long in-flight requests get to finish after SIGTERM before the process exits anyway. */
const SHUTDOWN_GRACE_MS = 10_000;

/** Starts the service: loads and trains the intents, listens, and shuts down cleanly on a signal. */
export async function serve(config: Config): Promise<void> {
  const logger = createLogger(config.LOG_LEVEL);
  const started = performance.now();
  const intents = loadIntentsOrThrow(config.INTENTS_DIR);
  const understander = Understander.fromIntents(
    intents,
    config.CLASSIFIER_THRESHOLD === undefined ? {} : { threshold: config.CLASSIFIER_THRESHOLD },
  );
  logger.info(
    { intents: understander.classifier.intents.length, ms: Math.round(performance.now() - started) },
    'classifier trained',
  );
  const answers = new Map(intents.map((intent) => [intent.id, intent.answers.default]));
  const app = buildApp({ understander, answers, logger });
  const address = await app.listen({ host: config.HOST, port: config.PORT });
  process.stdout.write(`onebalance-bot is listening at ${address}\n`);

  let closing = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'shutting down');
    const timer = setTimeout(() => process.exit(1), SHUTDOWN_GRACE_MS);
    timer.unref();
    app.close().then(
      () => logger.flush(),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exitCode = 1;
      },
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}
