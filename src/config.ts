import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { ConfigError } from './errors.ts';
import { parseSupportHours } from './escalations/support-hours.ts';

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
  CLASSIFIER_OOS_BAR: 'Set CLASSIFIER_OOS_BAR to a number from 0 to 1, e.g. 0.3, or unset it.',
  REDIS_URL: 'Set REDIS_URL to a redis:// or rediss:// URL, e.g. REDIS_URL=redis://127.0.0.1:6379.',
  QUEUE_PREFIX:
    'Set QUEUE_PREFIX to letters, digits, _ . - and braces, e.g. onebalance, or {onebalance} on Redis Cluster.',
  ACCOUNT_BACKEND_URL:
    'Set ACCOUNT_BACKEND_URL to the http(s) URL of the account backend, or unset it to embed the reference backend.',
  ACCOUNT_BACKEND_TOKEN:
    'Set ACCOUNT_BACKEND_TOKEN to the bearer token of the account backend (needed with ACCOUNT_BACKEND_URL).',
  ACCOUNT_BACKEND_TIMEOUT_MS: 'Set ACCOUNT_BACKEND_TIMEOUT_MS to a whole number of milliseconds, e.g. 2000.',
  BACKEND_PORT: 'Set BACKEND_PORT to a free TCP port for the reference backend, e.g. 4010.',
  RUN_WORKERS:
    'Set RUN_WORKERS to true (run check workers in the service) or false (only `npm run worker` runs them).',
  CHECK_CONCURRENCY: 'Set CHECK_CONCURRENCY to the checks one worker runs at once, from 1 to 1000, e.g. 16.',
  CHECK_RATE_PER_SECOND:
    'Set CHECK_RATE_PER_SECOND to the most checks per second one worker sends the backend, e.g. 200.',
  CHECK_WAIT_MS:
    'Set CHECK_WAIT_MS to how long a caller waits for checks before answering "pending", e.g. 3000; it must stay at least 1000 below REQUEST_TIMEOUT_MS.',
  REDIS_COMMAND_TIMEOUT_MS:
    'Set REDIS_COMMAND_TIMEOUT_MS to how long one short Redis command may take before it fails, e.g. 1000.',
  LATE_TURN_TAKEOVER_MS:
    'Set LATE_TURN_TAKEOVER_MS to how long after "still checking" another instance may finish a turn its own instance has not, e.g. 10000.',
  REQUEST_TIMEOUT_MS:
    'Set REQUEST_TIMEOUT_MS to the longest an API request may take before it is answered 503, e.g. 4500.',
  CHECK_LOCK_MS:
    'Set CHECK_LOCK_MS to the lock time of a running check or escalation in milliseconds, e.g. 10000.',
  CHECK_STALLED_INTERVAL_MS:
    'Set CHECK_STALLED_INTERVAL_MS to how often jobs of dead workers are looked for in milliseconds, e.g. 5000.',
  SHUTDOWN_GRACE_MS: 'Set SHUTDOWN_GRACE_MS to how long running work may finish after SIGTERM, e.g. 10000.',
  CHAT_IDENTITY_SECRET:
    'Set CHAT_IDENTITY_SECRET to the secret the host app signs customer emails with (at least 16 characters); it is required in production.',
  CONVERSATION_TTL_DAYS: 'Set CONVERSATION_TTL_DAYS to how many days an idle conversation is kept, e.g. 30.',
  RATE_LIMIT_PER_IP: 'Set RATE_LIMIT_PER_IP to the requests one address may make per minute, e.g. 120.',
  RATE_LIMIT_PER_CONVERSATION:
    'Set RATE_LIMIT_PER_CONVERSATION to the messages one conversation may send per minute, e.g. 20.',
  MAX_STREAMS_PER_IP: 'Set MAX_STREAMS_PER_IP to the event streams one address may hold open, e.g. 10.',
  MAX_STREAMS_PER_CONVERSATION:
    'Set MAX_STREAMS_PER_CONVERSATION to the event streams one conversation may have open, e.g. 3.',
  ZENDESK_TIMEOUT_MS:
    'Set ZENDESK_TIMEOUT_MS to how long one Zendesk API request may take before it is retried, e.g. 10000.',
  HANDOFF_SYNC_WINDOW_MS:
    'Set HANDOFF_SYNC_WINDOW_MS to how long a handed-off chat gathers the messages of one ticket comment, from 0 to 60000, e.g. 3000.',
  TRIAGE_RULES_VERSION:
    'Set TRIAGE_RULES_VERSION to a short version name of letters, digits, _ . or - (no colon), e.g. 2; a new one lets every ticket be triaged again.',
  TRIAGE_CONCURRENCY:
    'Set TRIAGE_CONCURRENCY to the tickets one worker triages at once, from 1 to 100, e.g. 8.',
  SLACK_SIGNING_SECRET:
    "Set SLACK_SIGNING_SECRET to the Signing Secret on your Slack app's Basic Information page (with SLACK_BOT_TOKEN), or unset both to run without Slack.",
  SLACK_BOT_TOKEN:
    "Set SLACK_BOT_TOKEN to the app's Bot User OAuth Token (xoxb-...) from OAuth & Permissions (with SLACK_SIGNING_SECRET), or unset both.",
  SLACK_APP_TOKEN:
    'Set SLACK_APP_TOKEN to an app-level token (xapp-...) with connections:write to use Socket Mode, or unset it to receive requests at POST /slack/events.',
  SLACK_AGENTS_CHANNEL:
    "Set SLACK_AGENTS_CHANNEL to the id of the agents' channel (C... or G..., from the channel's details), where alerts and reconnect approvals go.",
  SLACK_AGENT_IDS:
    'Set SLACK_AGENT_IDS to the Slack user ids (U... or W...) who may act, separated by commas, and/or SLACK_AGENT_GROUP.',
  SLACK_AGENT_GROUP:
    'Set SLACK_AGENT_GROUP to the id (S...) of a user group whose members may act, and/or SLACK_AGENT_IDS.',
  SLACK_TEAM_ID:
    'Set SLACK_TEAM_ID to your workspace id (T...): requests from any other workspace are refused.',
  SLACK_API_URL:
    'Set SLACK_API_URL to the base of the Slack Web API ending in /api/, or unset it for https://slack.com/api/.',
  SLACK_TIMEOUT_MS:
    'Set SLACK_TIMEOUT_MS to how long one Slack API request may take before it fails, e.g. 5000.',
  OPENAI_API_KEY:
    'Set OPENAI_API_KEY to the API key of OpenAI or of a compatible server (any non-empty value for a server that needs none), or unset it to run without a model.',
  OPENAI_BASE_URL:
    'Set OPENAI_BASE_URL to an OpenAI-compatible API base such as http://localhost:11434/v1 (Ollama), or unset it for OpenAI itself (docs/llm.md).',
  OPENAI_MODEL: 'Set OPENAI_MODEL to the model name the server knows, e.g. gpt-4o-mini or llama3.1.',
  OPENAI_TIMEOUT_MS:
    'Set OPENAI_TIMEOUT_MS to how long the bot waits for the model before it keeps its own reading, e.g. 3000.',
  METRICS_TOKEN:
    'Set METRICS_TOKEN (at least 16 characters) to serve GET /metrics on the service port to `Authorization: Bearer METRICS_TOKEN`, or set METRICS_PORT instead.',
  METRICS_PORT:
    'Set METRICS_PORT to a free TCP port where GET /metrics is served on 127.0.0.1 only, e.g. 9464, or unset it.',
  ADMIN_TOKEN:
    "Set ADMIN_TOKEN (at least 16 characters) to open the support lead's dashboard at /admin, or unset it to keep it closed.",
  DEMO_SIGN_IN:
    'Unset DEMO_SIGN_IN (the demo sign-in is on by itself while CHAT_IDENTITY_SECRET is unset), or set DEMO_SIGN_IN=true only outside production (NODE_ENV=development) to offer it with your own secret.',
} as const satisfies Record<string, string>;

const integer = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

const flag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' })
  .transform((value) => ['true', '1', 'yes'].includes(value));

/** A number from 0 to 1, written plainly ("0.45", "1"). */
const unitInterval = z
  .string()
  .trim()
  .regex(/^(?:0(?:\.\d+)?|1(?:\.0+)?)$/, 'must be a number from 0 to 1')
  .transform(Number);

export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  HOST: z.string().trim().min(1).default('127.0.0.1'),
  PORT: integer(0, 65_535).default(3000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  INTENTS_DIR: z.string().trim().min(1).default(DEFAULT_INTENTS_DIR),
  CLASSIFIER_THRESHOLD: unitInterval.optional(),
  CLASSIFIER_OOS_BAR: unitInterval.optional(),
  REDIS_URL: z
    .string()
    .trim()
    .regex(/^rediss?:\/\/\S+$/, 'must be a redis:// or rediss:// URL')
    .default('redis://127.0.0.1:6379'),
  QUEUE_PREFIX: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_.{}-]{1,64}$/, 'must be 1-64 letters, digits, _ . - or braces')
    .default('onebalance'),
  ACCOUNT_BACKEND_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  ACCOUNT_BACKEND_TOKEN: z.string().trim().min(8, 'must be at least 8 characters').optional(),
  ACCOUNT_BACKEND_TIMEOUT_MS: integer(1, 120_000).default(2_000),
  BACKEND_PORT: integer(0, 65_535).default(4010),
  RUN_WORKERS: flag.default(true),
  CHECK_CONCURRENCY: integer(1, 1_000).default(16),
  CHECK_RATE_PER_SECOND: integer(1, 100_000).default(200),
  CHECK_WAIT_MS: integer(0, 120_000).default(3_000),
  REDIS_COMMAND_TIMEOUT_MS: integer(50, 60_000).default(1_000),
  REQUEST_TIMEOUT_MS: integer(1_000, 600_000).default(4_500),
  LATE_TURN_TAKEOVER_MS: integer(100, 600_000).default(10_000),
  /**
   * Lock time of a running check or escalation job, renewed while it runs. A dead worker's jobs
   * are taken over at most CHECK_LOCK_MS + CHECK_STALLED_INTERVAL_MS after it died: 15 s.
   * @defaultValue 10000
   */
  CHECK_LOCK_MS: integer(500, 600_000).default(10_000),
  /**
   * How often workers look for jobs whose worker died (their lock lapsed).
   * @defaultValue 5000
   */
  CHECK_STALLED_INTERVAL_MS: integer(200, 600_000).default(5_000),
  SHUTDOWN_GRACE_MS: integer(0, 600_000).default(10_000),
  CHAT_IDENTITY_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  CONVERSATION_TTL_DAYS: integer(1, 3_650).default(30),
  RATE_LIMIT_PER_IP: integer(1, 1_000_000).default(120),
  RATE_LIMIT_PER_CONVERSATION: integer(1, 100_000).default(20),
  MAX_STREAMS_PER_IP: integer(1, 100_000).default(10),
  MAX_STREAMS_PER_CONVERSATION: integer(1, 1_000).default(3),
  /**
   * "Sign in as" a demo account in the chat page. Unset: on exactly when CHAT_IDENTITY_SECRET is
   * unset (the secret is then random, made at start). true: on with the configured secret too.
   */
  DEMO_SIGN_IN: flag.optional(),
  ZENDESK_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  ZENDESK_SUBDOMAIN: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]*$/i, 'must be a Zendesk subdomain such as acme')
    .optional(),
  ZENDESK_EMAIL: z.email('must be an email address').optional(),
  ZENDESK_TOKEN: z.string().min(8, 'must be at least 8 characters').optional(),
  ZENDESK_WEBHOOK_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  /**
   * How long one Zendesk API request may take (node-zendesk sets no bound), for every feature:
   * tickets, hand-off sync and triage. A slower one counts as unavailable and is retried (its
   * idempotency key or marker keeps the retry from repeating it).
   * @defaultValue 10000
   */
  ZENDESK_TIMEOUT_MS: integer(100, 120_000).default(10_000),
  /**
   * While a chat is handed off, the customer's messages reach the ticket as comments: those typed
   * within this window of the first waiting one go in one comment (src/escalations/handoff-sync.ts).
   * @defaultValue 3000
   */
  HANDOFF_SYNC_WINDOW_MS: integer(0, 60_000).default(3_000),
  /**
   * The version of the triage rules: in each triage job's id and each note's marker, so that a
   * ticket gets one note per version. Change it to triage tickets again after the rules change.
   * @defaultValue 1
   */
  TRIAGE_RULES_VERSION: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_.-]{1,32}$/, 'must be 1-32 letters, digits, _ . or -')
    .default('1'),
  /**
   * Triages one worker runs at once: each mostly waits (on Zendesk and the check queue).
   * @defaultValue 8
   */
  TRIAGE_CONCURRENCY: integer(1, 100).default(8),
  SLACK_SIGNING_SECRET: z.string().trim().min(16, 'must be at least 16 characters').optional(),
  SLACK_BOT_TOKEN: z
    .string()
    .trim()
    .regex(/^xoxb-\S+$/, 'must be a bot token starting with xoxb-')
    .optional(),
  SLACK_APP_TOKEN: z
    .string()
    .trim()
    .regex(/^xapp-\S+$/, 'must be an app token starting with xapp-')
    .optional(),
  SLACK_AGENTS_CHANNEL: z
    .string()
    .trim()
    .regex(/^[CG][A-Z0-9]{2,}$/, 'must be a channel id such as C0123ABC')
    .optional(),
  SLACK_AGENT_IDS: z
    .string()
    .trim()
    .regex(
      /^[UW][A-Z0-9]{2,}(?:\s*,\s*[UW][A-Z0-9]{2,})*$/,
      'must be user ids such as U0123ABC, separated by commas',
    )
    .transform((value) => value.split(',').map((id) => id.trim()))
    .optional(),
  SLACK_AGENT_GROUP: z
    .string()
    .trim()
    .regex(/^S[A-Z0-9]{2,}$/, 'must be a user group id such as S0123ABC')
    .optional(),
  SLACK_TEAM_ID: z
    .string()
    .trim()
    .regex(/^T[A-Z0-9]{2,}$/, 'must be a workspace id such as T0123ABC')
    .optional(),
  SLACK_API_URL: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
    .refine((url) => url.endsWith('/'), 'must end with /')
    .default('https://slack.com/api/'),
  /**
   * How long one Slack Web API request may take. With a small retry budget it bounds every call:
   * the WebClient's own defaults would retry for about half an hour.
   * @defaultValue 5000
   */
  SLACK_TIMEOUT_MS: integer(100, 60_000).default(5_000),
  OPENAI_API_KEY: z.string().trim().min(1, 'must not be empty').optional(),
  OPENAI_BASE_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  OPENAI_MODEL: z.string().trim().min(1).max(200).default('gpt-4o-mini'),
  /**
   * How long a turn waits for the model; past it (or on any error) the local reading stands.
   * @defaultValue 3000
   */
  OPENAI_TIMEOUT_MS: integer(100, 60_000).default(3_000),
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  METRICS_PORT: integer(1, 65_535).optional(),
  ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  ESCALATIONS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  SUPPORT_HOURS: z.string().default('Mon-Fri 09:00-17:00'),
  SUPPORT_TIMEZONE: z.string().default('America/Chicago'),
  /**
   * Proxies in front of the service whose X-Forwarded-For is believed: per-address limits then
   * count real clients, not the load balancer. 0 (the default) believes none, so clients cannot
   * spoof their address.
   */
  TRUST_PROXY: integer(0, 10).default(0),
});

/** Zendesk when its address and credentials are set; otherwise escalations stay in Redis. */
export function zendeskSettings(
  config: Config,
): { endpointUri: string; agentUrl: string; email: string; token: string; timeoutMs: number } | undefined {
  const base =
    config.ZENDESK_URL ??
    (config.ZENDESK_SUBDOMAIN ? `https://${config.ZENDESK_SUBDOMAIN}.zendesk.com` : undefined);
  if (base === undefined || config.ZENDESK_EMAIL === undefined || config.ZENDESK_TOKEN === undefined)
    return undefined;
  const root = base.replace(/\/+$/, '').replace(/\/api\/v2$/, '');
  return {
    endpointUri: `${root}/api/v2`,
    agentUrl: `${root}/agent/tickets`,
    email: config.ZENDESK_EMAIL,
    token: config.ZENDESK_TOKEN,
    timeoutMs: config.ZENDESK_TIMEOUT_MS,
  };
}

/** The second reader's settings, when a key is set (docs/llm.md); the service runs offline otherwise. */
export function languageModelSettings(
  config: Config,
): { apiKey: string; baseUrl: string | undefined; model: string; timeoutMs: number } | undefined {
  if (config.OPENAI_API_KEY === undefined) return undefined;
  return {
    apiKey: config.OPENAI_API_KEY,
    baseUrl: config.OPENAI_BASE_URL,
    model: config.OPENAI_MODEL,
    timeoutMs: config.OPENAI_TIMEOUT_MS,
  };
}

/** The Slack channel's settings when it is enabled (signing secret and bot token both set). */
export interface SlackSettings {
  signingSecret: string;
  botToken: string;
  appToken: string | undefined;
  agentsChannel: string;
  agentIds: readonly string[];
  agentGroup: string | undefined;
  teamId: string;
  apiUrl: string;
  timeoutMs: number;
}

export function slackSettings(config: Config): SlackSettings | undefined {
  const { SLACK_SIGNING_SECRET: signingSecret, SLACK_BOT_TOKEN: botToken } = config;
  if (signingSecret === undefined || botToken === undefined) return undefined;
  // configRules made sure of these when Slack is on.
  if (config.SLACK_AGENTS_CHANNEL === undefined || config.SLACK_TEAM_ID === undefined) return undefined;
  return {
    signingSecret,
    botToken,
    appToken: config.SLACK_APP_TOKEN,
    agentsChannel: config.SLACK_AGENTS_CHANNEL,
    agentIds: config.SLACK_AGENT_IDS ?? [],
    agentGroup: config.SLACK_AGENT_GROUP,
    teamId: config.SLACK_TEAM_ID,
    apiUrl: config.SLACK_API_URL,
    timeoutMs: config.SLACK_TIMEOUT_MS,
  };
}

/** Slack's settings that go together: both credentials, and with them a channel, a workspace and agents. */
function slackRules(config: Config, context: z.RefinementCtx): void {
  const on = config.SLACK_SIGNING_SECRET !== undefined || config.SLACK_BOT_TOKEN !== undefined;
  if (!on) return;
  const required = [
    'SLACK_SIGNING_SECRET',
    'SLACK_BOT_TOKEN',
    'SLACK_AGENTS_CHANNEL',
    'SLACK_TEAM_ID',
  ] as const;
  for (const name of required) {
    if (config[name] === undefined)
      context.addIssue({ code: 'custom', path: [name], message: 'is required when Slack is enabled' });
  }
  if (config.SLACK_AGENT_IDS === undefined && config.SLACK_AGENT_GROUP === undefined) {
    // Nobody could act: every command and click would be refused.
    context.addIssue({
      code: 'custom',
      path: ['SLACK_AGENT_IDS'],
      message: 'or SLACK_AGENT_GROUP is required when Slack is enabled',
    });
  }
}

/** Settings whose values are secrets: a complaint about one names it, never repeats it. */
const SECRET_SETTINGS: ReadonlySet<string> = new Set([
  'ACCOUNT_BACKEND_TOKEN',
  'CHAT_IDENTITY_SECRET',
  'ZENDESK_TOKEN',
  'ZENDESK_WEBHOOK_SECRET',
  'ESCALATIONS_TOKEN',
  'SLACK_SIGNING_SECRET',
  'SLACK_BOT_TOKEN',
  'SLACK_APP_TOKEN',
  'OPENAI_API_KEY',
  'METRICS_TOKEN',
  'ADMIN_TOKEN',
]);

/** Rules across variables. */
const configRules = configSchema.superRefine((config, context) => {
  slackRules(config, context);
  if (config.NODE_ENV === 'production' && config.CHAT_IDENTITY_SECRET === undefined) {
    context.addIssue({
      code: 'custom',
      path: ['CHAT_IDENTITY_SECRET'],
      message: 'is required when NODE_ENV=production',
    });
  }
  if (config.NODE_ENV === 'production' && config.DEMO_SIGN_IN === true) {
    // The demo hands out signed identities of every demo email: never next to real customers.
    context.addIssue({
      code: 'custom',
      path: ['DEMO_SIGN_IN'],
      message: 'must not be true when NODE_ENV=production',
    });
  }
  const zendeskSet = [
    config.ZENDESK_URL ?? config.ZENDESK_SUBDOMAIN,
    config.ZENDESK_EMAIL,
    config.ZENDESK_TOKEN,
  ];
  if (zendeskSet.some((value) => value !== undefined) && zendeskSet.some((value) => value === undefined)) {
    const missing =
      zendeskSet[0] === undefined
        ? 'ZENDESK_URL'
        : zendeskSet[1] === undefined
          ? 'ZENDESK_EMAIL'
          : 'ZENDESK_TOKEN';
    context.addIssue({
      code: 'custom',
      path: [missing],
      message: 'is required with the other ZENDESK_ settings',
    });
  }
  try {
    parseSupportHours(config.SUPPORT_HOURS, config.SUPPORT_TIMEZONE);
  } catch (error) {
    const message = (error as Error).message;
    context.addIssue({
      code: 'custom',
      path: [message.includes('time zone') ? 'SUPPORT_TIMEZONE' : 'SUPPORT_HOURS'],
      message,
    });
  }
  // A turn waits up to CHECK_WAIT_MS for checks, then saves its reply: the request's own bound must
  // leave room for that, or every slow check would be answered 503.
  if (config.CHECK_WAIT_MS + 1_000 > config.REQUEST_TIMEOUT_MS) {
    context.addIssue({
      code: 'custom',
      path: ['CHECK_WAIT_MS'],
      message: `must be at least 1000 below REQUEST_TIMEOUT_MS (${config.REQUEST_TIMEOUT_MS})`,
    });
  }
  if (config.ACCOUNT_BACKEND_URL !== undefined && config.ACCOUNT_BACKEND_TOKEN === undefined) {
    context.addIssue({
      code: 'custom',
      path: ['ACCOUNT_BACKEND_TOKEN'],
      message: 'is required when ACCOUNT_BACKEND_URL is set',
    });
  }
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
  const result = configRules.safeParse(relevant);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((issue) => {
      const name = String(issue.path[0]) as keyof typeof HINTS;
      // A secret's value is never repeated: the error goes to logs and terminals.
      const got =
        relevant[name] === undefined || SECRET_SETTINGS.has(name)
          ? ''
          : ` (got ${JSON.stringify(relevant[name])})`;
      return `${name}: ${issue.message}${got}. ${HINTS[name]}`;
    }),
  );
}
