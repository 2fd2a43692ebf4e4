import { createHmac, randomUUID } from 'node:crypto';
import { SLACK_FAKE_DEFAULTS } from '../fakes/slack.ts';

/**
 * Requests as Slack sends them to an app's POST /slack/events, really signed: bodies built with the
 * fields Slack sends (ids default to the Slack fake's workspace and bot), and the signing headers.
 * The content types are exactly Slack's: Bolt reads a form only when it is exactly
 * application/x-www-form-urlencoded.
 */
export interface SlackRequestBody {
  body: string;
  contentType: 'application/x-www-form-urlencoded' | 'application/json';
}

export interface SlackSignatureHeaders {
  'x-slack-signature': string;
  'x-slack-request-timestamp': string;
}

/** Slack's signature: `v0=` + hex HMAC-SHA256 of `v0:<timestamp>:<body>` under the signing secret. */
export function signSlack(
  body: string,
  secret: string,
  timestampSeconds = Math.floor(Date.now() / 1000),
): SlackSignatureHeaders {
  const hash = createHmac('sha256', secret).update(`v0:${timestampSeconds}:${body}`).digest('hex');
  return { 'x-slack-signature': `v0=${hash}`, 'x-slack-request-timestamp': String(timestampSeconds) };
}

/** Every header of a signed request: its content type, the signature and, for a redelivered event, Slack's retry headers. */
export function slackHeaders(
  request: SlackRequestBody,
  secret: string,
  options: { timestampSeconds?: number; retryNum?: number; retryReason?: string } = {},
): Record<string, string> {
  return {
    'content-type': request.contentType,
    ...signSlack(request.body, secret, options.timestampSeconds),
    ...(options.retryNum === undefined ? {} : { 'x-slack-retry-num': String(options.retryNum) }),
    ...(options.retryReason === undefined ? {} : { 'x-slack-retry-reason': options.retryReason }),
  };
}

const form = (fields: Record<string, string>): SlackRequestBody => ({
  body: new URLSearchParams(fields).toString(),
  contentType: 'application/x-www-form-urlencoded',
});
const json = (value: unknown): SlackRequestBody => ({
  body: JSON.stringify(value),
  contentType: 'application/json',
});
/** Interactive payloads come as a form with one field, `payload`, holding the JSON. */
const payload = (value: unknown): SlackRequestBody => form({ payload: JSON.stringify(value) });

/** The legacy verification token Slack still sends in every body; Bolt ignores it. */
const VERIFICATION_TOKEN = 'fake-verification-token';

export const triggerIdFor = (): string =>
  `${Date.now()}.${Math.floor(Math.random() * 1e9)}.${randomUUID().slice(0, 8)}`;

const {
  teamId: TEAM_ID,
  teamDomain: TEAM_DOMAIN,
  appId: APP_ID,
  botUserId: BOT_USER_ID,
} = SLACK_FAKE_DEFAULTS;
const DEFAULT_USER = 'U0CUSTOMER';
const DEFAULT_CHANNEL = 'C0SUPPORT';

const userOf = (userId: string, teamId: string) => ({
  id: userId,
  username: 'someone',
  name: 'someone',
  team_id: teamId,
});
const teamOf = (teamId: string) => ({ id: teamId, domain: TEAM_DOMAIN });

export function slashCommand(input: {
  text: string;
  userId?: string;
  teamId?: string;
  channelId?: string;
  responseUrl?: string;
  command?: string;
  triggerId?: string;
}): SlackRequestBody {
  const teamId = input.teamId ?? TEAM_ID;
  return form({
    token: VERIFICATION_TOKEN,
    team_id: teamId,
    team_domain: TEAM_DOMAIN,
    channel_id: input.channelId ?? DEFAULT_CHANNEL,
    channel_name: 'support',
    user_id: input.userId ?? DEFAULT_USER,
    user_name: 'someone',
    command: input.command ?? '/onebalance',
    text: input.text,
    api_app_id: APP_ID,
    is_enterprise_install: 'false',
    response_url: input.responseUrl ?? 'https://hooks.slack.com/commands/unset',
    trigger_id: input.triggerId ?? triggerIdFor(),
  });
}

export function blockAction(input: {
  actionId: string;
  value?: string;
  blockId?: string;
  userId?: string;
  teamId?: string;
  channelId?: string;
  messageTs?: string;
  responseUrl?: string;
  triggerId?: string;
}): SlackRequestBody {
  const teamId = input.teamId ?? TEAM_ID;
  const channelId = input.channelId ?? DEFAULT_CHANNEL;
  const messageTs = input.messageTs ?? '1700000000.000100';
  const blockId = input.blockId ?? 'actions';
  return payload({
    type: 'block_actions',
    user: userOf(input.userId ?? DEFAULT_USER, teamId),
    api_app_id: APP_ID,
    token: VERIFICATION_TOKEN,
    container: { type: 'message', message_ts: messageTs, channel_id: channelId, is_ephemeral: false },
    trigger_id: input.triggerId ?? triggerIdFor(),
    team: teamOf(teamId),
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: channelId, name: 'support' },
    message: { type: 'message', user: BOT_USER_ID, ts: messageTs, text: '', blocks: [] },
    state: { values: {} },
    response_url: input.responseUrl ?? 'https://hooks.slack.com/actions/unset',
    actions: [
      {
        type: 'button',
        action_id: input.actionId,
        block_id: blockId,
        text: { type: 'plain_text', text: input.actionId, emoji: true },
        ...(input.value === undefined ? {} : { value: input.value }),
        action_ts: `${Date.now() / 1000}`,
      },
    ],
  });
}

/** A field's state in a submitted view; a bare string is a plain text input's value. */
export type ViewStateValue = { type: string } & Record<string, unknown>;

export function viewSubmission(input: {
  callbackId: string;
  privateMetadata?: string;
  /** By block id, then action id. */
  values?: Record<string, Record<string, string | ViewStateValue>>;
  userId?: string;
  teamId?: string;
  viewId?: string;
}): SlackRequestBody {
  const teamId = input.teamId ?? TEAM_ID;
  return payload({
    type: 'view_submission',
    team: teamOf(teamId),
    user: userOf(input.userId ?? DEFAULT_USER, teamId),
    api_app_id: APP_ID,
    token: VERIFICATION_TOKEN,
    trigger_id: triggerIdFor(),
    view: {
      id: input.viewId ?? 'V0FAKE1',
      team_id: teamId,
      type: 'modal',
      callback_id: input.callbackId,
      private_metadata: input.privateMetadata ?? '',
      state: { values: stateValues(input.values ?? {}) },
      hash: 'fake-view-hash',
      title: { type: 'plain_text', text: 'One Balance' },
      blocks: [],
      app_id: APP_ID,
      bot_id: SLACK_FAKE_DEFAULTS.botId,
    },
    response_urls: [],
    is_enterprise_install: false,
    enterprise: null,
  });
}

function stateValues(values: Record<string, Record<string, string | ViewStateValue>>) {
  return Object.fromEntries(
    Object.entries(values).map(([blockId, actions]) => [
      blockId,
      Object.fromEntries(
        Object.entries(actions).map(([actionId, value]) => [
          actionId,
          typeof value === 'string' ? { type: 'plain_text_input', value } : value,
        ]),
      ),
    ]),
  );
}

/** An Events API delivery; the event gets an event_ts when it has none. */
export function eventCallback(input: {
  event: { type: string } & Record<string, unknown>;
  eventId?: string;
  teamId?: string;
}): SlackRequestBody {
  const teamId = input.teamId ?? TEAM_ID;
  const eventTime = Math.floor(Date.now() / 1000);
  return json({
    token: VERIFICATION_TOKEN,
    team_id: teamId,
    api_app_id: APP_ID,
    event: { event_ts: `${eventTime}.000200`, ...input.event },
    type: 'event_callback',
    event_id: input.eventId ?? `Ev${randomUUID().replaceAll('-', '').slice(0, 10).toUpperCase()}`,
    event_time: eventTime,
    authorizations: [
      {
        enterprise_id: null,
        team_id: teamId,
        user_id: BOT_USER_ID,
        is_bot: true,
        is_enterprise_install: false,
      },
    ],
    is_ext_shared_channel: false,
    event_context: `4-fake-${teamId}`,
  });
}

/** The challenge Slack sends once when the events URL is set. */
export function urlVerification(challenge: string): SlackRequestBody {
  return json({ token: VERIFICATION_TOKEN, challenge, type: 'url_verification' });
}
