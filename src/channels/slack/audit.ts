import type { Redis } from 'ioredis';
import { redactSecrets } from '../../core/secrets.ts';

/** One thing an agent (or somebody who is not one) did in Slack. */
export interface AuditEntry {
  /** The Slack user id. */
  actor: string;
  /** What was asked: `command:check`, `click:approve`, `thread_reply`, ... */
  action: string;
  /** The account or conversation it was about, when there is one (an OB- id, never a full number). */
  subject?: string;
  /** `ok`, `denied:<reason>`, `queued`, `lost:<who won>`, ... */
  outcome: string;
}

export interface RecordedAuditEntry extends AuditEntry {
  id: string;
  at: string;
}

/** Entries kept: a capped stream, trimmed as it grows (approximately, which is cheap). */
const MAX_ENTRIES = 100_000;

/**
 * The audit log of the Slack channel: who did what, to which account, when, and how it ended. A
 * capped Redis stream, read with `npx onebalance-bot audit`.
 */
export class AuditLog {
  readonly key: string;

  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.key = `${prefix}:slack:audit`;
  }

  async record(entry: AuditEntry): Promise<void> {
    const fields = Object.entries({ at: new Date().toISOString(), ...entry }).flatMap(([name, value]) =>
      value === undefined ? [] : [name, redactSecrets(String(value)).text.slice(0, 200)],
    );
    await this.redis.xadd(this.key, 'MAXLEN', '~', String(MAX_ENTRIES), '*', ...fields);
  }

  /** The newest `count` entries, newest first. */
  async latest(count = 50): Promise<RecordedAuditEntry[]> {
    const rows = await this.redis.xrevrange(this.key, '+', '-', 'COUNT', count);
    return rows.map(([id, flat]) => {
      const fields: Record<string, string> = {};
      for (let index = 0; index + 1 < flat.length; index += 2)
        fields[flat[index] as string] = flat[index + 1] as string;
      return {
        id,
        at: fields.at ?? '',
        actor: fields.actor ?? '',
        action: fields.action ?? '',
        outcome: fields.outcome ?? '',
        ...(fields.subject ? { subject: fields.subject } : {}),
      };
    });
  }
}
