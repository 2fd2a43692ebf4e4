import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { AuditLog } from '../../src/channels/slack/audit.ts';
import { createRedis } from '../../src/queue/redis.ts';
import { deleteKeysUnder, REDIS_URL, uniquePrefix } from '../helpers/redis.ts';

const prefix = uniquePrefix('audit-cli');
afterAll(() => deleteKeysUnder(prefix));

function audit(...args: string[]) {
  const result = spawnSync(process.execPath, ['bin/onebalance-bot.js', 'audit', ...args], {
    encoding: 'utf8',
    env: { ...process.env, LOG_LEVEL: 'silent', REDIS_URL, QUEUE_PREFIX: prefix },
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('onebalance-bot audit', () => {
  it('prints the Slack audit log newest first, as text or JSON, and masks what must not be kept', async () => {
    expect(audit().stdout).toMatch(/The audit log is empty/);
    const redis = createRedis(REDIS_URL, 1_000);
    const log = new AuditLog(redis, prefix);
    await log.record({ actor: 'U0AGENT1', action: 'command:check', subject: 'OB-1001', outcome: 'answered' });
    await log.record({
      actor: 'U0OUTSIDER',
      action: 'click:approve',
      outcome: 'denied:not_an_agent note 7730010017007',
    });
    redis.disconnect();
    const text = audit();
    expect(text.status).toBe(0);
    const lines = text.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/U0OUTSIDER\s+click:approve\s+-\s+denied:not_an_agent/);
    expect(lines[1]).toMatch(/U0AGENT1\s+command:check\s+OB-1001\s+answered/);
    expect(text.stdout).not.toContain('7730010017007');
    const json = JSON.parse(audit('--json', '--limit', '1').stdout) as { actor: string; at: string }[];
    expect(json).toHaveLength(1);
    expect(json[0]).toMatchObject({ actor: 'U0OUTSIDER', at: expect.stringMatching(/^\d{4}-/) });
  });

  it('refuses a bad --limit with the usage', () => {
    const result = audit('--limit', 'lots');
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/--limit must be a whole number/);
  });
});
