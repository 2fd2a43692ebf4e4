/** Who the fake workspace and its bot are, unless a test says otherwise. */
export const SLACK_FAKE_DEFAULTS = {
  botToken: 'xoxb-fake-bot-token',
  teamId: 'T0FAKETEAM',
  teamName: 'Fake Workspace',
  teamDomain: 'fake-workspace',
  botUserId: 'U0FAKEBOT',
  botId: 'B0FAKEBOT',
  appId: 'A0FAKEAPP',
} as const;

export type SlackIdentity = { -readonly [Key in keyof typeof SLACK_FAKE_DEFAULTS]: string };

/** A message the bot posted, as the fake keeps it: chat.update changes it in place. */
export interface SlackMessage {
  channel: string;
  ts: string;
  text: string;
  blocks?: unknown[];
  thread_ts?: string;
  /** Ephemeral messages are seen by this user only (chat.postEphemeral). */
  ephemeral: boolean;
  user?: string;
  /** How many times chat.update changed it. */
  updates: number;
}

/** A modal the bot opened (views.open). */
export interface SlackView {
  id: string;
  trigger_id: string;
  view: Record<string, unknown>;
}

/** A Web API answer: `ok` and the method's fields, or `ok: false` with Slack's error code. */
export type SlackResult = { ok: true } & Record<string, unknown>;
export type SlackAnswer = SlackResult | { ok: false; error: string };

type Params = Record<string, unknown>;

const fail = (error: string): SlackAnswer => ({ ok: false, error });
const text = (params: Params, key: string): string | undefined =>
  typeof params[key] === 'string' && params[key] !== '' ? params[key] : undefined;

/**
 * The state behind the fake Web API: messages (ts unique and increasing, like "1700000000.000100"),
 * user groups, opened views; and the methods the bot uses, answering with Slack's fields and
 * error codes (channel_not_found, no_text, message_not_found, no_such_subteam, ...).
 */
export class SlackWorkspace {
  readonly messages: SlackMessage[] = [];
  readonly views: SlackView[] = [];
  private readonly groups = new Map<string, string[]>();
  private tsCounter = 0;
  private viewCounter = 0;

  constructor(
    readonly identity: SlackIdentity,
    groups: Record<string, string[]> = {},
  ) {
    for (const [id, users] of Object.entries(groups)) this.setGroupMembers(id, users);
  }

  setGroupMembers(groupId: string, userIds: string[]): void {
    this.groups.set(groupId, [...userIds]);
  }

  readonly methods: Record<string, (params: Params) => SlackAnswer> = {
    'auth.test': () => this.authTest(),
    'chat.postMessage': (params) => this.post(params, false),
    'chat.postEphemeral': (params) => this.post(params, true),
    'chat.update': (params) => this.update(params),
    'usergroups.users.list': (params) => this.groupMembers(params),
    'views.open': (params) => this.openView(params),
    'conversations.replies': (params) => this.replies(params),
  };

  private authTest(): SlackAnswer {
    const { teamId, teamName, teamDomain, botUserId, botId } = this.identity;
    return {
      ok: true,
      url: `https://${teamDomain}.slack.com/`,
      team: teamName,
      user: 'onebalance',
      team_id: teamId,
      user_id: botUserId,
      bot_id: botId,
      is_enterprise_install: false,
    };
  }

  private post(params: Params, ephemeral: boolean): SlackAnswer {
    const channel = text(params, 'channel');
    if (channel === undefined) return fail('channel_not_found');
    const blocks = Array.isArray(params.blocks) ? params.blocks : undefined;
    if (text(params, 'text') === undefined && blocks === undefined) return fail('no_text');
    const user = text(params, 'user');
    if (ephemeral && user === undefined) return fail('invalid_arguments');
    const message: SlackMessage = {
      channel,
      ts: this.nextTs(),
      text: text(params, 'text') ?? '',
      ...(blocks === undefined ? {} : { blocks }),
      ...(text(params, 'thread_ts') === undefined ? {} : { thread_ts: String(params.thread_ts) }),
      ephemeral,
      ...(user === undefined ? {} : { user }),
      updates: 0,
    };
    this.messages.push(message);
    if (ephemeral) return { ok: true, message_ts: message.ts };
    return { ok: true, channel, ts: message.ts, message: this.messageJson(message) };
  }

  private update(params: Params): SlackAnswer {
    const message = this.messages.find(
      (candidate) =>
        !candidate.ephemeral && candidate.channel === params.channel && candidate.ts === params.ts,
    );
    if (message === undefined) return fail('message_not_found');
    if (text(params, 'text') === undefined && !Array.isArray(params.blocks)) return fail('no_text');
    message.text = text(params, 'text') ?? '';
    if (Array.isArray(params.blocks)) message.blocks = params.blocks;
    message.updates++;
    const { channel, ts } = message;
    return { ok: true, channel, ts, text: message.text, message: this.messageJson(message) };
  }

  private groupMembers(params: Params): SlackAnswer {
    const users = this.groups.get(String(params.usergroup ?? ''));
    return users === undefined ? fail('no_such_subteam') : { ok: true, users: [...users] };
  }

  private openView(params: Params): SlackAnswer {
    const triggerId = text(params, 'trigger_id');
    if (triggerId === undefined) return fail('invalid_trigger_id');
    const view = params.view;
    if (typeof view !== 'object' || view === null) return fail('invalid_arguments');
    const opened: SlackView = { id: `V0FAKE${++this.viewCounter}`, trigger_id: triggerId, view: { ...view } };
    this.views.push(opened);
    const { teamId, appId, botId } = this.identity;
    return {
      ok: true,
      view: {
        ...opened.view,
        id: opened.id,
        team_id: teamId,
        app_id: appId,
        bot_id: botId,
        state: { values: {} },
        hash: `hash-${opened.id}`,
      },
    };
  }

  private replies(params: Params): SlackAnswer {
    const ts = String(params.ts ?? '');
    const thread = this.messages.filter(
      (message) =>
        !message.ephemeral &&
        message.channel === params.channel &&
        (message.ts === ts || message.thread_ts === ts),
    );
    if (thread.length === 0) return fail('thread_not_found');
    return {
      ok: true,
      messages: thread.map((message) => this.messageJson(message)),
      has_more: false,
      response_metadata: { next_cursor: '' },
    };
  }

  /** A message as the Web API shows it: posted by the bot user. */
  private messageJson(message: SlackMessage): Record<string, unknown> {
    const { botUserId, botId, appId, teamId } = this.identity;
    return {
      type: 'message',
      user: botUserId,
      bot_id: botId,
      app_id: appId,
      team: teamId,
      text: message.text,
      ts: message.ts,
      ...(message.blocks === undefined ? {} : { blocks: message.blocks }),
      ...(message.thread_ts === undefined ? {} : { thread_ts: message.thread_ts }),
      ...(message.updates > 0 ? { edited: { user: botUserId, ts: message.ts } } : {}),
    };
  }

  /** Slack's ts: seconds and microseconds, unique in a channel; here unique and increasing everywhere. */
  private nextTs(): string {
    this.tsCounter += 100;
    const seconds = 1_700_000_000 + Math.floor(this.tsCounter / 1_000_000);
    return `${seconds}.${String(this.tsCounter % 1_000_000).padStart(6, '0')}`;
  }
}
