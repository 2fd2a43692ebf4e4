import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { ConfigError } from './errors.ts';

/** `intents/` beside `src/` (or `dist/`), so that the command works from any directory. */
export const DEFAULT_INTENTS_DIR = fileURLToPath(new URL('../intents', import.meta.url));

/** How to fix each variable, appended to its error. */
const HINTS = {
  NODE_ENV: 'Set NODE_ENV to development, test or production (or leave it unset for development).',
  HOST: 'Set HOST to the address to listen on, e.g. HOST=127.0.0.1 (or 0.0.0.0 in a container).',
  PORT: 'Set PORT to a free TCP port from 0 to 65535, e.g. PORT=3000 (0 picks any free port).',
  LOG_LEVEL: 'Set LOG_LEVEL to one of fatal, error, warn, info, debug, trace or silent.',
  INTENTS_DIR: 'Set INTENTS_DIR to a folder of intent YAML files, or unset it to use the bundled intents/.',
  CLASSIFIER_THRESHOLD: 'Set CLASSIFIER_THRESHOLD to a number from 0 to 1, e.g. 0.45, or unset it.',
} as const satisfies Record<string, string>;

const integer = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  HOST: z.string().trim().min(1).default('127.0.0.1'),
  PORT: integer(0, 65_535).default(3000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  INTENTS_DIR: z.string().trim().min(1).default(DEFAULT_INTENTS_DIR),
  CLASSIFIER_THRESHOLD: z
    .string()
    .trim()
    .regex(/^(?:0(?:\.\d+)?|1(?:\.0+)?)$/, 'must be a number from 0 to 1')
    .transform(Number)
    .optional(),
});

export type Config = z.infer<typeof configSchema>;

/**
 * Reads the configuration once, at start-up. Empty variables count as unset, so that `PORT=` in an
 * env file means "the default", not an error. A bad value throws a ConfigError naming every bad
 * variable and how to fix it.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const relevant = Object.fromEntries(
    Object.keys(configSchema.shape).flatMap((key) => {
      const value = env[key];
      return value === undefined || value === '' ? [] : [[key, value]];
    }),
  );
  const result = configSchema.safeParse(relevant);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((issue) => {
      const name = String(issue.path[0]) as keyof typeof HINTS;
      const got = relevant[name] === undefined ? '' : ` (got ${JSON.stringify(relevant[name])})`;
      return `${name}: ${issue.message}${got}. ${HINTS[name]}`;
    }),
  );
}
