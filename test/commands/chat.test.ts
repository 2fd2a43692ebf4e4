import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { deleteKeysUnder, REDIS_URL, uniquePrefix } from '../helpers/redis.ts';

const prefix = uniquePrefix('tchat');
afterAll(() => deleteKeysUnder(prefix));

function chat(args: string[], input: string) {
  return spawnSync(process.execPath, ['bin/onebalance-bot.js', 'chat', ...args], {
    input,
    encoding: 'utf8',
    env: { ...process.env, REDIS_URL, QUEUE_PREFIX: prefix, LOG_LEVEL: 'silent', ACCOUNT_BACKEND_URL: '' },
    timeout: 60_000,
  });
}

describe('onebalance-bot chat', () => {
  it('talks to the engine as the given customer, each message once', () => {
    const result = chat(['--as', 'review@demo.test'], 'why is my account suspended?\n/quit\n');
    expect(result.status, result.stderr).toBe(0);
    const lines = result.stdout.split('\n').filter((line) => line.startsWith('bot> '));
    expect(lines[0]).toMatch(/You are signed in/);
    expect(result.stdout).toMatch(/compliance review/);
    expect(result.stdout).toMatch(/\(855\) 889-7867/);
    expect(new Set(lines).size).toBe(lines.length);
  });

  it('talks to a visitor without --as and rejects a bad email', () => {
    const visitor = chat([], 'how much does one balance cost?\n');
    expect(visitor.status).toBe(0);
    expect(visitor.stdout).toMatch(/no extra charge/);
    expect(chat(['--as', 'not-an-email'], '').status).toBe(2);
  });
});
