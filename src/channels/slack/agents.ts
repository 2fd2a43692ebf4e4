import type { Logger } from '../../logger.ts';

/** The one Web API call the directory makes (the WebClient's, or anything shaped like it). */
export interface GroupMembers {
  usergroups: { users: { list(args: { usergroup: string }): Promise<{ ok?: boolean; users?: string[] }> } };
}

export interface AgentDirectoryOptions {
  teamId: string;
  agentIds: readonly string[];
  agentGroup: string | undefined;
  client: GroupMembers;
  logger: Logger;
  /** How long the group's members are believed. @defaultValue 60000 */
  cacheMs?: number;
  /** @defaultValue Date.now */
  now?: () => number;
}

export type AgentVerdict =
  | { allowed: true }
  | { allowed: false; reason: 'other_workspace' | 'not_an_agent' | 'group_unavailable' };

/**
 * Who may run commands and press buttons: the listed user ids, and the members of the agents'
 * user group, read with `usergroups.users.list` and cached for a minute. When that call fails, only
 * the listed ids are let through: an outage must not open the door.
 */
export class AgentDirectory {
  private group: { members: ReadonlySet<string>; until: number } | undefined;
  private loading: Promise<ReadonlySet<string> | undefined> | undefined;

  constructor(private readonly options: AgentDirectoryOptions) {}

  async check(userId: string, teamId: string | undefined): Promise<AgentVerdict> {
    if (teamId !== this.options.teamId) return { allowed: false, reason: 'other_workspace' };
    if (this.options.agentIds.includes(userId)) return { allowed: true };
    if (this.options.agentGroup === undefined) return { allowed: false, reason: 'not_an_agent' };
    const members = await this.groupMembers();
    if (members === undefined) return { allowed: false, reason: 'group_unavailable' };
    return members.has(userId) ? { allowed: true } : { allowed: false, reason: 'not_an_agent' };
  }

  private async groupMembers(): Promise<ReadonlySet<string> | undefined> {
    const now = (this.options.now ?? Date.now)();
    if (this.group !== undefined && this.group.until > now) return this.group.members;
    // One call at a time: a burst of clicks shares it.
    this.loading ??= this.loadGroup().finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  private async loadGroup(): Promise<ReadonlySet<string> | undefined> {
    const { agentGroup, client, logger } = this.options;
    try {
      const answer = await client.usergroups.users.list({ usergroup: agentGroup ?? '' });
      if (answer.ok === false || !Array.isArray(answer.users)) throw new Error('no member list');
      const members = new Set(answer.users);
      this.group = { members, until: (this.options.now ?? Date.now)() + (this.options.cacheMs ?? 60_000) };
      return members;
    } catch (error) {
      // Not cached: the next request asks again.
      logger.warn({ err: { message: String(error).slice(0, 200) } }, 'slack agent group unavailable');
      return undefined;
    }
  }
}
