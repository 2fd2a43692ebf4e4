import { describe, expect, it } from 'vitest';
import { DEFAULT_INTENTS_DIR, loadConfig, slackSettings } from '../src/config.ts';
import { ConfigError } from '../src/errors.ts';

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('gives working defaults for an empty environment', () => {
    expect(loadConfig({})).toEqual({
      NODE_ENV: 'development',
      HOST: '127.0.0.1',
      PORT: 3000,
      LOG_LEVEL: 'info',
      INTENTS_DIR: DEFAULT_INTENTS_DIR,
      REDIS_URL: 'redis://127.0.0.1:6379',
      QUEUE_PREFIX: 'onebalance',
      ACCOUNT_BACKEND_TIMEOUT_MS: 2000,
      BACKEND_PORT: 4010,
      RUN_WORKERS: true,
      CHECK_CONCURRENCY: 16,
      CHECK_RATE_PER_SECOND: 200,
      CHECK_WAIT_MS: 3000,
      REDIS_COMMAND_TIMEOUT_MS: 1000,
      REQUEST_TIMEOUT_MS: 4500,
      LATE_TURN_TAKEOVER_MS: 10000,
      CHECK_LOCK_MS: 10000,
      CHECK_STALLED_INTERVAL_MS: 5000,
      SHUTDOWN_GRACE_MS: 10000,
      CONVERSATION_TTL_DAYS: 30,
      RATE_LIMIT_PER_IP: 120,
      RATE_LIMIT_PER_CONVERSATION: 20,
      MAX_STREAMS_PER_IP: 10,
      MAX_STREAMS_PER_CONVERSATION: 3,
      ZENDESK_TIMEOUT_MS: 10000,
      HANDOFF_SYNC_WINDOW_MS: 3000,
      SUPPORT_HOURS: 'Mon-Fri 09:00-17:00',
      SUPPORT_TIMEZONE: 'America/Chicago',
      TRUST_PROXY: 0,
      TRIAGE_RULES_VERSION: '1',
      TRIAGE_CONCURRENCY: 8,
      SLACK_API_URL: 'https://slack.com/api/',
      SLACK_TIMEOUT_MS: 5000,
      OPENAI_MODEL: 'gpt-4o-mini',
      OPENAI_TIMEOUT_MS: 3000,
    });
  });

  it("takes a dead worker's jobs over within 15 s by default (lock plus stalled-check interval)", () => {
    const config = loadConfig({});
    // A job is taken over at the first stalled check after its lock lapsed: at most their sum.
    expect(config.CHECK_LOCK_MS + config.CHECK_STALLED_INTERVAL_MS).toBeLessThanOrEqual(15_000);
  });

  it('parses set values and treats empty ones as unset', () => {
    const config = loadConfig({
      PORT: '8080',
      CLASSIFIER_THRESHOLD: '0.45',
      CLASSIFIER_OOS_BAR: '1',
      LOG_LEVEL: '',
      NODE_ENV: 'production',
      CHAT_IDENTITY_SECRET: 'a-production-secret-value',
    });
    expect(config).toMatchObject({
      PORT: 8080,
      CLASSIFIER_THRESHOLD: 0.45,
      CLASSIFIER_OOS_BAR: 1,
      LOG_LEVEL: 'info',
      NODE_ENV: 'production',
    });
  });

  it('names every bad variable, the value it got, and how to fix it', () => {
    const error = configError({ PORT: 'eighty', LOG_LEVEL: 'loud', CLASSIFIER_THRESHOLD: '2' });
    expect(error.code).toBe('config_invalid');
    expect(error.problems).toHaveLength(3);
    expect(error.message).toMatch(
      /PORT: must be a whole number \(got "eighty"\)\. Set PORT to a free TCP port/,
    );
    expect(error.message).toMatch(/LOG_LEVEL: .*\(got "loud"\)\. Set LOG_LEVEL to one of/);
    expect(error.message).toMatch(/CLASSIFIER_THRESHOLD: must be a number from 0 to 1 \(got "2"\)/);
  });

  it('needs a backend token with a backend URL, and reads flags and a hash-tag prefix', () => {
    expect(configError({ ACCOUNT_BACKEND_URL: 'http://backend.internal:4010' }).message).toMatch(
      /ACCOUNT_BACKEND_TOKEN: is required when ACCOUNT_BACKEND_URL is set\. Set ACCOUNT_BACKEND_TOKEN/,
    );
    expect(configError({ ACCOUNT_BACKEND_URL: 'ftp://x' }).message).toMatch(
      /ACCOUNT_BACKEND_URL: must be an http\(s\) URL/,
    );
    expect(configError({ RUN_WORKERS: 'maybe' }).message).toMatch(/RUN_WORKERS: must be true or false/);
    expect(configError({ REDIS_URL: 'localhost:6379' }).message).toMatch(/REDIS_URL: must be a redis:\/\//);
    expect(loadConfig({ RUN_WORKERS: 'false', QUEUE_PREFIX: '{onebalance}' })).toMatchObject({
      RUN_WORKERS: false,
      QUEUE_PREFIX: '{onebalance}',
    });
  });

  it('requires a chat identity secret in production only', () => {
    expect(configError({ NODE_ENV: 'production' }).message).toMatch(
      /CHAT_IDENTITY_SECRET: is required when NODE_ENV=production\. Set CHAT_IDENTITY_SECRET/,
    );
    expect(() => loadConfig({ NODE_ENV: 'development' })).not.toThrow();
  });

  it('refuses the demo sign-in in production, and says how to fix it', () => {
    const error = configError({
      NODE_ENV: 'production',
      CHAT_IDENTITY_SECRET: 'a-production-secret-value',
      DEMO_SIGN_IN: 'true',
    });
    expect(error.problems).toHaveLength(1);
    expect(error.message).toMatch(
      /DEMO_SIGN_IN: must not be true when NODE_ENV=production \(got "true"\)\. Unset DEMO_SIGN_IN/,
    );
    expect(configError({ DEMO_SIGN_IN: 'sure' }).message).toMatch(/DEMO_SIGN_IN: must be true or false/);
    expect(loadConfig({ DEMO_SIGN_IN: 'true' }).DEMO_SIGN_IN).toBe(true);
    expect(
      loadConfig({
        NODE_ENV: 'production',
        CHAT_IDENTITY_SECRET: 'a-production-secret-value',
        DEMO_SIGN_IN: 'false',
      }).DEMO_SIGN_IN,
    ).toBe(false);
  });

  it('reads the caps of open event streams', () => {
    expect(loadConfig({ MAX_STREAMS_PER_IP: '4', MAX_STREAMS_PER_CONVERSATION: '1' })).toMatchObject({
      MAX_STREAMS_PER_IP: 4,
      MAX_STREAMS_PER_CONVERSATION: 1,
    });
    expect(configError({ MAX_STREAMS_PER_IP: '0' }).message).toMatch(
      /MAX_STREAMS_PER_IP: .*Set MAX_STREAMS_PER_IP/,
    );
  });

  it('needs every Zendesk setting once one is set, and valid support hours', () => {
    expect(configError({ ZENDESK_SUBDOMAIN: 'acme', ZENDESK_EMAIL: 'bot@acme.test' }).message).toMatch(
      /ZENDESK_TOKEN: is required with the other ZENDESK_ settings/,
    );
    expect(configError({ SUPPORT_TIMEZONE: 'Mars/Olympus' }).message).toMatch(
      /SUPPORT_TIMEZONE: unknown time zone/,
    );
    expect(configError({ SUPPORT_HOURS: 'always' }).message).toMatch(/SUPPORT_HOURS: must look like/);
  });

  it('reads the hand-off sync window and the Zendesk request bound, and says how to fix them', () => {
    expect(loadConfig({ HANDOFF_SYNC_WINDOW_MS: '0', ZENDESK_TIMEOUT_MS: '2500' })).toMatchObject({
      HANDOFF_SYNC_WINDOW_MS: 0,
      ZENDESK_TIMEOUT_MS: 2500,
    });
    const error = configError({ HANDOFF_SYNC_WINDOW_MS: '90000', ZENDESK_TIMEOUT_MS: 'soon' });
    expect(error.message).toMatch(
      /HANDOFF_SYNC_WINDOW_MS: .*\(got "90000"\)\. Set HANDOFF_SYNC_WINDOW_MS to/,
    );
    expect(error.message).toMatch(
      /ZENDESK_TIMEOUT_MS: must be a whole number \(got "soon"\)\. Set ZENDESK_TIMEOUT_MS/,
    );
  });

  it('turns Slack on with both credentials, and then needs a channel, a workspace and agents', () => {
    const slack = {
      SLACK_SIGNING_SECRET: 'a-signing-secret-of-length',
      SLACK_BOT_TOKEN: 'xoxb-123-456-abc',
      SLACK_AGENTS_CHANNEL: 'C0SUPPORT',
      SLACK_AGENT_IDS: 'U0AGENT1, W0AGENT2',
      SLACK_TEAM_ID: 'T0TEAM',
    };
    const config = loadConfig(slack);
    expect(slackSettings(config)).toMatchObject({
      agentsChannel: 'C0SUPPORT',
      agentIds: ['U0AGENT1', 'W0AGENT2'],
      teamId: 'T0TEAM',
      apiUrl: 'https://slack.com/api/',
      appToken: undefined,
    });
    expect(slackSettings(loadConfig({}))).toBeUndefined();
    const missing = configError({ SLACK_BOT_TOKEN: 'xoxb-123-456-abc' }).message;
    for (const name of ['SLACK_SIGNING_SECRET', 'SLACK_AGENTS_CHANNEL', 'SLACK_TEAM_ID'])
      expect(missing).toMatch(new RegExp(`${name}: is required when Slack is enabled`));
    expect(missing).toMatch(/SLACK_AGENT_IDS: or SLACK_AGENT_GROUP is required/);
    expect(configError({ ...slack, SLACK_AGENT_IDS: 'dana' }).message).toMatch(
      /SLACK_AGENT_IDS: must be user ids/,
    );
    expect(configError({ ...slack, SLACK_API_URL: 'https://slack.test/api' }).message).toMatch(
      /SLACK_API_URL: must end with \//,
    );
  });

  it('names a bad secret without repeating it', () => {
    const message = configError({
      SLACK_BOT_TOKEN: 'xoxp-user-token-pasted',
      ZENDESK_TOKEN: 'short',
    }).message;
    expect(message).toMatch(/SLACK_BOT_TOKEN: must be a bot token starting with xoxb-\. Set SLACK_BOT_TOKEN/);
    expect(message).toMatch(/ZENDESK_TOKEN: /);
    expect(message).not.toContain('xoxp-user-token-pasted');
    expect(message).not.toContain('"short"');
  });

  it('refuses a triage rules version that cannot be part of a job id, and says what it may be', () => {
    expect(loadConfig({ TRIAGE_RULES_VERSION: '2024-06.b' }).TRIAGE_RULES_VERSION).toBe('2024-06.b');
    expect(() => loadConfig({ TRIAGE_RULES_VERSION: 'v1:a' })).toThrow(
      /TRIAGE_RULES_VERSION: must be 1-32 letters, digits, _ \. or - \(got "v1:a"\)\. Set TRIAGE_RULES_VERSION to a short version name/,
    );
    expect(() => loadConfig({ TRIAGE_CONCURRENCY: '0' })).toThrow(/TRIAGE_CONCURRENCY/);
  });

  it('rejects a port out of range', () => {
    expect(configError({ PORT: '70000' }).message).toMatch(/PORT: .*65535/);
  });
});
