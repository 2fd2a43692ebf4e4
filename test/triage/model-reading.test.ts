import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_INTENTS_DIR } from '../../src/config.ts';
import { createOutputGuard } from '../../src/core/output-guard.ts';
import { loadIntentsOrThrow } from '../../src/intents/load.ts';
import { OpenAiModel } from '../../src/llm/openai-model.ts';
import { SecondReader } from '../../src/llm/second-reader.ts';
import { createLogger } from '../../src/logger.ts';
import { Understander } from '../../src/nlu/understand.ts';
import { CheckQueue } from '../../src/queue/check-queue.ts';
import { MemoryTriageDesk } from '../../src/triage/memory-desk.ts';
import { NOTE_FALLBACK, TicketTriage } from '../../src/triage/triage.ts';
import { type OpenAiFake, startOpenAiFake } from '../fakes/openai.ts';
import { deleteKeysUnder, REDIS_URL, uniquePrefix } from '../helpers/redis.ts';

const intents = loadIntentsOrThrow(DEFAULT_INTENTS_DIR);
const understander = Understander.fromIntents(intents);
const prefix = uniquePrefix('triage-model');
const redis = new Redis(REDIS_URL);
// No worker: the checks stay unanswered; these tests are about what the ticket is read as.
const checks = new CheckQueue(redis, { prefix });
let fake: OpenAiFake;

beforeAll(async () => {
  fake = await startOpenAiFake();
  await checks.ready();
});
afterAll(async () => {
  await fake.close();
  await checks.close();
  redis.disconnect();
  await deleteKeysUnder(prefix);
});

/** The note a dry run composed. */
async function dryRunNote(triage: TicketTriage, id: string): Promise<string> {
  const result = await triage.run(id, { dryRun: true, acceptIncomplete: true });
  if (result.status !== 'dry_run') throw new Error(`expected a dry run, got ${result.status}`);
  return result.note.text;
}

function triageWith(desk: MemoryTriageDesk): TicketTriage {
  return new TicketTriage({
    desk,
    checks,
    understander,
    intents,
    guard: createOutputGuard({ fallback: NOTE_FALLBACK }),
    version: '1',
    logger: createLogger('silent'),
    checkWaitMs: 200,
    secondReader: new SecondReader(
      new OpenAiModel({ apiKey: fake.apiKey, baseUrl: fake.url, model: 'test-model', timeoutMs: 1_000 }),
      { timeoutMs: 1_000 },
    ),
  });
}

describe('triage with a model', () => {
  it("asks the model about a ticket whose sentences name no topic, with the customer's words only", async () => {
    fake.responder = () => ({ topic: 'explain_suspension', act: null, entities: [] });
    const desk = new MemoryTriageDesk();
    const id = desk.fileTicket({
      subject: 'ugh',
      description:
        'so the thing from yesterday, my plastic got bounced 4242 4242 4242 4242 and now nothing goes out\n\nThanks,\nDana Smith\n555-0100\n\n> On Monday support wrote:\n> quoted reply here',
      requester: { email: 'declined@demo.test' },
    });
    expect(await dryRunNote(triageWith(desk), id)).toMatch(/- explain_suspension \(80% confident\)/);
    const sent = fake.allText();
    expect(fake.requests).toHaveLength(1);
    expect(sent).toContain('plastic got bounced');
    for (const hidden of ['4242 4242 4242 4242', 'declined@demo.test', 'quoted reply here'])
      expect(sent).not.toContain(hidden);
  });

  it('does not ask when a sentence names a topic, and keeps "no topic" when the model finds none', async () => {
    fake.requests.length = 0;
    const desk = new MemoryTriageDesk();
    const named = desk.fileTicket({
      subject: 'Suspended',
      description: 'My One Balance account is suspended.',
      requester: { email: 'declined@demo.test' },
    });
    await triageWith(desk).run(named, { dryRun: true, acceptIncomplete: true });
    expect(fake.requests).toHaveLength(0);
    fake.responder = () => ({ topic: 'out_of_scope', act: null, entities: [] });
    const vague = desk.fileTicket({
      subject: 'hello',
      description: 'the weather is lovely today',
      requester: { email: 'declined@demo.test' },
    });
    const note = await dryRunNote(triageWith(desk), vague);
    expect(fake.requests).toHaveLength(1);
    expect(note).toMatch(/No One Balance question recognised/);
  });
});
