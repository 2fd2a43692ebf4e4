import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCanaries } from '../../src/accounts/reference/demo-accounts.ts';
import { main } from '../../src/cli.ts';
import { triageMarker } from '../../src/triage/note.ts';
import { ZendeskFake } from '../fakes/zendesk.ts';
import { type CliResult, runCliAsync } from '../helpers/cli.ts';
import { deleteKeysUnder, REDIS_URL, uniquePrefix } from '../helpers/redis.ts';

const fake = new ZendeskFake();
const prefix = uniquePrefix('triagecli');
beforeAll(async () => {
  await fake.start();
});
afterAll(async () => {
  await fake.stop();
  await deleteKeysUnder(prefix);
});

/** The real command, against this file's Zendesk fake and Redis prefix. */
function run(args: string[]): Promise<CliResult> {
  return runCliAsync(args, {
    REDIS_URL,
    QUEUE_PREFIX: prefix,
    ACCOUNT_BACKEND_URL: '',
    ZENDESK_URL: fake.url,
    ZENDESK_EMAIL: 'bot@acme.test',
    ZENDESK_TOKEN: 'zendesk-test-token',
  });
}

describe('onebalance-bot triage', () => {
  it('prints the note of a dry run and writes nothing, then writes it once for real', async () => {
    const id = fake.fileTicket({
      subject: 'Account on hold',
      body: 'My One Balance account is on hold and I cannot buy postage.\n\nThanks,\nLee',
      requester: { email: 'hold@demo.test' },
    });
    const dry = await run(['triage', String(id), '--dry-run']);
    expect(dry.status).toBe(0);
    expect(dry.stdout).toMatch(/^Dry run: nothing written\. Ticket \d+ would get this internal note/);
    expect(dry.stdout).toContain('ob_state_suspended ob_reason_temporary_hold; priority high');
    expect(dry.stdout).toContain('temporary hold');
    expect(fake.updates).toHaveLength(0);

    const real = await run(['triage', String(id)]);
    expect(real.status).toBe(0);
    expect(real.stdout).toMatch(/^Wrote this internal note to ticket \d+/);
    expect(fake.notes(id).map((note) => note.body)).toEqual([
      expect.stringContaining(triageMarker(String(id), '1')),
    ]);
    expect(real.stdout).toContain(fake.notes(id)[0]?.body);

    const again = await run(['triage', String(id)]);
    expect(again.stdout).toMatch(/already has its triage note \(rules version 1\), unchanged/);
    expect(fake.notes(id)).toHaveLength(1);
    for (const canary of demoCanaries()) expect(`${dry.stdout}${real.stdout}`).not.toContain(canary);
  });

  it('says so for a ticket that does not exist', async () => {
    const { status, stderr } = await run(['triage', '424242']);
    expect(status).toBe(1);
    expect(stderr).toContain('error [ticket_not_found]: Ticket 424242 does not exist.');
  });

  it('asks for a ticket id, and for Zendesk settings', async () => {
    const errors: string[] = [];
    const io = { out: () => undefined, err: (text: string) => errors.push(text) };
    expect(await main(['triage', 'abc'], io)).toBe(2);
    expect(errors.join('\n')).toContain('triage needs one Zendesk ticket id');
    const saved = { url: process.env.ZENDESK_URL, email: process.env.ZENDESK_EMAIL };
    delete process.env.ZENDESK_URL;
    delete process.env.ZENDESK_EMAIL;
    try {
      expect(await main(['triage', '12'], io)).toBe(2);
    } finally {
      if (saved.url !== undefined) process.env.ZENDESK_URL = saved.url;
      if (saved.email !== undefined) process.env.ZENDESK_EMAIL = saved.email;
    }
    expect(errors.join('\n')).toContain('triage reads Zendesk tickets: set ZENDESK_URL');
  });
});
