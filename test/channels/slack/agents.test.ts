import { WebClient } from '@slack/web-api';
import { describe, expect, it } from 'vitest';
import { AgentDirectory } from '../../../src/channels/slack/agents.ts';
import { createLogger } from '../../../src/logger.ts';
import { startSlackFake } from '../../fakes/slack.ts';

describe('AgentDirectory', () => {
  it('lets listed ids and group members act, caches the group, and denies when the group cannot be read', async () => {
    const fake = await startSlackFake({ userGroups: { S0AGENTS: ['U0MEMBER'] } });
    try {
      const client = new WebClient(fake.botToken, { slackApiUrl: fake.url, retryConfig: { retries: 0 } });
      let clock = 0;
      const directory = new AgentDirectory({
        teamId: 'T0FAKETEAM',
        agentIds: ['U0LISTED'],
        agentGroup: 'S0AGENTS',
        client,
        logger: createLogger('silent'),
        cacheMs: 1_000,
        now: () => clock,
      });
      expect(await directory.check('U0LISTED', 'T0FAKETEAM')).toEqual({ allowed: true });
      expect(await directory.check('U0LISTED', 'T0OTHER')).toEqual({
        allowed: false,
        reason: 'other_workspace',
      });
      expect(await directory.check('U0MEMBER', 'T0FAKETEAM')).toEqual({ allowed: true });
      expect(await directory.check('U0STRANGER', 'T0FAKETEAM')).toEqual({
        allowed: false,
        reason: 'not_an_agent',
      });
      expect(fake.calls('usergroups.users.list')).toHaveLength(1);
      // Past the cache, a failing call denies group members (listed ids still pass), and is not cached.
      clock = 5_000;
      fake.inject({ route: 'usergroups.users.list', kind: 'status', status: 500, count: 1 });
      expect(await directory.check('U0MEMBER', 'T0FAKETEAM')).toEqual({
        allowed: false,
        reason: 'group_unavailable',
      });
      expect(await directory.check('U0LISTED', 'T0FAKETEAM')).toEqual({ allowed: true });
      fake.setGroupMembers('S0AGENTS', ['U0NEWCOMER']);
      expect(await directory.check('U0NEWCOMER', 'T0FAKETEAM')).toEqual({ allowed: true });
      expect(await directory.check('U0MEMBER', 'T0FAKETEAM')).toEqual({
        allowed: false,
        reason: 'not_an_agent',
      });
    } finally {
      await fake.close();
    }
  });
});
