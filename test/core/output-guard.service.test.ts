import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { demoCanaries } from '../../src/accounts/reference/demo-accounts.ts';
import { DEFAULT_INTENTS_DIR, loadConfig } from '../../src/config.ts';
import { signIdentity } from '../../src/core/identity.ts';
import { type Service, startService } from '../../src/http/server.ts';
import { loadIntentsOrThrow } from '../../src/intents/load.ts';
import { capturingLogger } from '../helpers/logs.ts';
import { deleteKeysUnder, REDIS_URL, uniquePrefix } from '../helpers/redis.ts';

/**
 * Through the real service: an answer template that carries a canary, and one with a placeholder
 * nobody fills, as a mistake in an edited intents/ file would, never reach the customer, the
 * transcript or a log; every other answer is said exactly as written.
 */

const prefix = uniquePrefix('output-guard');
const canary = demoCanaries()[0] as string;
const intentsDir = mkdtempSync(join(tmpdir(), 'intents-'));
const logs = capturingLogger();
let service: Service;

/** Sets one answer of one intent file in the copy, keeping the rest of the file as it is. */
function editAnswer(intent: string, variant: string, edit: (text: string) => string): void {
  const path = join(intentsDir, `${intent}.yaml`);
  const document = parseDocument(readFileSync(path, 'utf8'));
  document.setIn(['answers', variant], edit(String(document.getIn(['answers', variant]))));
  writeFileSync(path, document.toString());
}

const original = new Map(
  loadIntentsOrThrow(DEFAULT_INTENTS_DIR).map((intent): [string, Record<string, string>] => [
    intent.id,
    intent.answers,
  ]),
);
const IDENTITY_SECRET = 'output-guard-identity-secret';
const answerOf = (intent: string) => original.get(intent)?.default as string;

beforeAll(async () => {
  cpSync(DEFAULT_INTENTS_DIR, intentsDir, { recursive: true });
  editAnswer('log_in', 'default', (text) => `${text} Your carrier token is ${canary}.`);
  editAnswer('pricing', 'default', (text) => `${text} It was suspended because of {{outcome.reason}}.`);
  const config = loadConfig({
    PORT: '0',
    REDIS_URL,
    QUEUE_PREFIX: prefix,
    INTENTS_DIR: intentsDir,
    LOG_LEVEL: 'silent',
    CHECK_WAIT_MS: '1500',
    RATE_LIMIT_PER_IP: '100000',
    CHAT_IDENTITY_SECRET: IDENTITY_SECRET,
  });
  service = await startService(config, logs.logger);
});
afterAll(async () => {
  await service?.close();
  await deleteKeysUnder(prefix);
  rmSync(intentsDir, { recursive: true, force: true });
});

interface Turn {
  intent: string;
  messages: { role: string; text: string }[];
}

async function post(path: string, body: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${service.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = (await response.json()) as Record<string, unknown>;
  expect(response.status, JSON.stringify(json)).toBeLessThan(300);
  return json;
}

async function startAs(email?: string): Promise<string> {
  const body = email === undefined ? {} : { email, identity: signIdentity(email, IDENTITY_SECRET) };
  return (await post('/api/conversations', body)).id as string;
}

async function say(id: string, text: string): Promise<Turn> {
  return (await post(`/api/conversations/${id}/messages`, { text })) as unknown as Turn;
}

const guardLines = () =>
  logs
    .lines()
    .split('\n')
    .filter((line) => line.includes('bot message failed the output guard'));

describe('the output guard in the running service', () => {
  it('keeps a canary and an unfilled placeholder of an answer template from the customer, and says the rest as written', async () => {
    const id = await startAs();

    const normal = await say(id, 'how do I close my one balance account');
    expect(normal.intent).toBe('close_account');
    expect(normal.messages[0]?.text).toBe(answerOf('close_account'));
    expect(guardLines()).toEqual([]);

    const login = await say(id, 'how do I log in to one balance');
    expect(login.intent).toBe('log_in');
    expect(login.messages[0]?.text).toBe(`${answerOf('log_in')} Your carrier token is [removed].`);

    const pricing = await say(id, 'how much does one balance cost?');
    expect(pricing.intent).toBe('pricing');
    const pricingText = pricing.messages.map((message) => message.text).join('\n');
    expect(pricingText).toMatch(/^Sorry, I cannot give you that answer right now\./);
    expect(pricingText).not.toContain('{{');

    const everything = [
      JSON.stringify([normal, login, pricing]),
      JSON.stringify(await service.store.transcript(id)),
      logs.lines(),
    ].join('\n');
    expect(everything).not.toContain(canary);
    expect(everything).not.toContain('{{outcome.reason}}');

    // A signed-in customer's account answers carry masked details, which pass unchanged.
    const signedIn = await startAs('active@demo.test');
    const credentials = await say(signedIn, 'what is my one balance account number?');
    expect(credentials.intent).toBe('find_credentials');
    expect(credentials.messages.map((message) => message.text).join('\n')).toMatch(/1001|7007/);

    // Logged once per guarded message, at error level, with kinds only.
    const lines = guardLines().map((line) => JSON.parse(line) as { level: number; kinds: string[] });
    expect(lines.map(({ level, kinds }) => ({ level, kinds }))).toEqual([
      { level: 50, kinds: ['secret_value'] },
      { level: 50, kinds: ['unknown_placeholder'] },
    ]);
  });
});
