import { afterAll, beforeAll } from 'vitest';
import type { Service } from '../../../src/http/server.ts';
import type { Logger } from '../../../src/logger.ts';
import { type SlackFake, slackSettingsFor, startSlackFake } from '../../fakes/slack.ts';
import { identityOf } from '../../helpers/identity.ts';
import { deleteKeysUnder, uniquePrefix } from '../../helpers/redis.ts';
import { startTestService } from '../../helpers/service.ts';
import { type SlackRequestBody, slackHeaders } from '../../helpers/slack-requests.ts';

export const SIGNING_SECRET = 'slack-signing-secret-for-tests';
export const AGENT = 'U0AGENT1';
export const GROUP_AGENT = 'U0AGENT2';
export const OUTSIDER = 'U0OUTSIDER';
export const CHANNEL = 'C0SUPPORT';
export const GROUP = 'S0AGENTS';

export interface SlackTestService {
  service: () => Service;
  fake: () => SlackFake;
  prefix: string;
  /** Sends a signed request to POST /slack/events. */
  send(
    request: SlackRequestBody,
    options?: { timestampSeconds?: number; retryNum?: number },
  ): Promise<Response>;
  /** A signed-in customer's conversation, and one message in it. */
  startAs(email: string): Promise<string>;
  say(conversationId: string, text: string): Promise<{ messages: { text: string }[]; intent: string }>;
}

/** A service with Slack on, against its own Slack fake, under its own key prefix. */
export function useSlackService(
  name: string,
  env: Record<string, string> = {},
  logger?: Logger,
): SlackTestService {
  const prefix = uniquePrefix(name);
  let service: Service;
  let fake: SlackFake;
  beforeAll(async () => {
    fake = await startSlackFake({ userGroups: { [GROUP]: [GROUP_AGENT] } });
    service = await startTestService(
      prefix,
      {
        ...slackSettingsFor(fake, { signingSecret: SIGNING_SECRET, channel: CHANNEL, agents: AGENT }),
        SLACK_AGENT_GROUP: GROUP,
        SLACK_TIMEOUT_MS: '2000',
        SUPPORT_HOURS: 'Mon-Sun 00:00-24:00',
        ...env,
      },
      logger,
    );
  });
  afterAll(async () => {
    await service?.close();
    await fake?.close();
    await deleteKeysUnder(prefix);
  });
  const post = async (path: string, body: unknown) => {
    const response = await fetch(`${service.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return (await response.json()) as Record<string, unknown>;
  };
  return {
    service: () => service,
    fake: () => fake,
    prefix,
    send: (request, options = {}) =>
      fetch(`${service.url}/slack/events`, {
        method: 'POST',
        headers: slackHeaders(request, SIGNING_SECRET, options),
        body: request.body,
      }),
    startAs: async (email) =>
      (await post('/api/conversations', { email, identity: identityOf(email) })).id as string,
    say: async (id, text) =>
      (await post(`/api/conversations/${id}/messages`, { text })) as unknown as {
        messages: { text: string }[];
        intent: string;
      },
  };
}

/** Polls until `check` holds (a worker's work lands asynchronously). */
export async function eventually<T>(
  check: () => Promise<T | undefined> | T | undefined,
  what: string,
  ms = 15_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
