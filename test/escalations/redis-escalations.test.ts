import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { type Service, startService } from '../../src/http/server.ts';
import { createLogger } from '../../src/logger.ts';
import { TEST_IDENTITY_SECRET } from '../helpers/identity.ts';
import { deleteKeysUnder, REDIS_URL, uniquePrefix } from '../helpers/redis.ts';

const prefix = uniquePrefix('redisdesk');
const ESCALATIONS_TOKEN = 'agents-token-for-these-tests';
let service: Service;
beforeAll(async () => {
  // No ZENDESK_ settings: escalations stay in Redis for agents.
  service = await startService(
    loadConfig({
      PORT: '0',
      REDIS_URL,
      QUEUE_PREFIX: prefix,
      LOG_LEVEL: 'silent',
      SUPPORT_HOURS: 'Mon-Sun 00:00-24:00',
      CHAT_IDENTITY_SECRET: TEST_IDENTITY_SECRET,
      ESCALATIONS_TOKEN,
    }),
    createLogger('silent'),
  );
});
afterAll(async () => {
  await service.close();
  await deleteKeysUnder(prefix);
});

describe('escalations without a help desk', () => {
  it('keeps them in Redis and lists them for agents with the token only', async () => {
    const post = (path: string, body: unknown) =>
      fetch(`${service.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const { id } = (await (await post('/api/conversations', {})).json()) as { id: string };
    await post(`/api/conversations/${id}/messages`, { text: 'I want to speak to a person' });

    const list = async (token?: string) =>
      fetch(`${service.url}/api/escalations`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
    const deadline = Date.now() + 10_000;
    let escalations: { ticketId: string; ticket: { subject: string; requester: unknown } }[] = [];
    while (escalations.length === 0 && Date.now() < deadline) {
      escalations = ((await (await list(ESCALATIONS_TOKEN)).json()) as { escalations: typeof escalations })
        .escalations;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(escalations).toHaveLength(1);
    expect(escalations[0]).toMatchObject({
      ticketId: 'L1',
      ticket: { subject: 'One Balance: Customer asked to talk to a person', requester: null },
    });
    expect((await list()).status).toBe(401);
    expect((await list('not-the-token-at-all')).status).toBe(401);
    // The built-in development token of old opens nothing.
    expect((await list('development-escalations-token')).status).toBe(401);
    // An operator's own token is never printed at start.
    expect(service.notices.join('\n')).not.toContain(ESCALATIONS_TOKEN);
  });
});
