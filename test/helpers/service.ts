import { loadConfig } from '../../src/config.ts';
import { type Service, startService } from '../../src/http/server.ts';
import { createLogger, type Logger } from '../../src/logger.ts';
import { TEST_IDENTITY_SECRET } from './identity.ts';
import { REDIS_URL } from './redis.ts';

/**
 * The real service for a test file: any free port, the shared Redis under the test's own `prefix`,
 * silent logs, no per-address limit in the way, and the test identity secret; `env` adds or
 * overrides settings. The caller closes it and deletes the prefix's keys.
 */
export function startTestService(
  prefix: string,
  env: Record<string, string> = {},
  logger: Logger = createLogger('silent'),
): Promise<Service> {
  const config = loadConfig({
    PORT: '0',
    REDIS_URL,
    QUEUE_PREFIX: prefix,
    LOG_LEVEL: 'silent',
    RATE_LIMIT_PER_IP: '100000',
    CHAT_IDENTITY_SECRET: TEST_IDENTITY_SECRET,
    ...env,
  });
  return startService(config, logger);
}
