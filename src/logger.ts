import { type LevelWithSilent, type Logger, pino } from 'pino';

export type { Logger };

/**
 * Paths whose values never reach a log line, wherever they appear. A belt to the braces of never
 * logging such objects in the first place.
 */
export const REDACTED_PATHS = [
  'password',
  '*.password',
  'token',
  '*.token',
  '*.carrierApiToken',
  'carrierApiToken',
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
];

/**
 * JSON logs. Commands that print results on stdout log to stderr (`destination: 2`) so that their
 * output stays machine-readable.
 */
export function createLogger(level: LevelWithSilent, destination: 1 | 2 = 1): Logger {
  return pino(
    { level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } },
    pino.destination(destination),
  );
}
