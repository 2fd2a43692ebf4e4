import { type Logger as BoltLogger, LogLevel } from '@slack/bolt';
import type { Logger } from '../../logger.ts';

/**
 * Bolt's and the WebClient's logs through the service's logger, at warn and above: their debug
 * lines carry whole request bodies (a response_url among them), which must not be logged.
 */
export function boltLogger(logger: Logger): BoltLogger {
  const line = (args: unknown[]) =>
    args
      .map((arg) => (arg instanceof Error ? arg.message : String(arg)))
      .join(' ')
      .slice(0, 300);
  return {
    debug: () => {},
    info: () => {},
    warn: (...args: unknown[]) => logger.warn({ source: 'slack' }, line(args)),
    error: (...args: unknown[]) => logger.error({ source: 'slack' }, line(args)),
    setLevel: () => {},
    getLevel: () => LogLevel.WARN,
    setName: () => {},
  };
}
