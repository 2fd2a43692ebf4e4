/**
 * Fresh-conversation benchmark: plays the held-out probe conversations of
 * test/conversations/probes/ (written by an outsider from DOMAIN.md alone, never used for training)
 * against the service over HTTP, and prints how many bot turns and whole conversations are right.
 * Figures printed, never asserted.
 *
 *   npm run bench:probes -- [--file PATH] [--only p001,p002] [--failures FILE]
 *
 * A turn is right when every `must` group has one of its alternatives in the bot's replies to that
 * turn (late answers included) and no `must_not` substring, no long digit run and no canary is
 * there. A conversation is right when all its turns are.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { DEFAULT_INTENTS_DIR, loadConfig } from '../../src/config.ts';
import { signIdentity } from '../../src/core/identity.ts';
import { ActReader } from '../../src/dialogue/act-reader.ts';
import { loadDialogueOrThrow } from '../../src/dialogue/load.ts';
import { startService } from '../../src/http/server.ts';
import { loadIntentsOrThrow } from '../../src/intents/load.ts';
import { createLogger } from '../../src/logger.ts';
import { createRedis, deleteKeysUnder } from '../../src/queue/redis.ts';

const turnSchema = z.object({
  say: z.string(),
  must: z.array(z.array(z.coerce.string())).default([]),
  must_not: z.array(z.coerce.string()).default([]),
});
const conversationSchema = z.object({
  id: z.string(),
  as: z.string(),
  note: z.string().default(''),
  turns: z.array(turnSchema).min(1),
});
type Conversation = z.infer<typeof conversationSchema>;
type Turn = z.infer<typeof turnSchema>;

/** Never in a reply, whatever the probe says: canaries and any full-length number. */
const ALWAYS_WRONG = [/cat_live/i, /carrierApiToken/i, /\d{8,}/];
const SECRET = 'probe-bench-identity-secret';

export interface TurnVerdict {
  say: string;
  replies: string[];
  right: boolean;
  why: string[];
}

export function judge(turn: Turn, replies: readonly string[]): TurnVerdict {
  const text = replies.join('\n').toLowerCase();
  const why: string[] = [];
  for (const group of turn.must) {
    if (!group.some((option) => text.includes(option.toLowerCase())))
      why.push(`missing one of ${JSON.stringify(group)}`);
  }
  for (const banned of turn.must_not) if (text.includes(banned.toLowerCase())) why.push(`has "${banned}"`);
  for (const pattern of ALWAYS_WRONG) if (pattern.test(text)) why.push(`leaks ${pattern}`);
  return { say: turn.say, replies: [...replies], right: why.length === 0, why };
}

async function post(url: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

type Message = { role: string; text: string };

/** Bot messages after the last customer message, waiting (bounded) for a late answer after a notice. */
async function repliesToLastTurn(base: string, id: string, pending: boolean): Promise<string[]> {
  const deadline = Date.now() + (pending ? 15_000 : 0);
  for (;;) {
    const response = await fetch(`${base}/api/conversations/${id}`);
    const { messages } = (await response.json()) as { messages: Message[] };
    const lastCustomer = messages.map((message) => message.role).lastIndexOf('customer');
    const replies = messages.slice(lastCustomer + 1).filter((message) => message.role !== 'customer');
    // Pending: the notice came with the turn; the answer is what follows it.
    if (!pending || replies.length > 1 || Date.now() > deadline)
      return replies.map((message) => message.text);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function play(base: string, conversation: Conversation): Promise<TurnVerdict[]> {
  const who =
    conversation.as === 'visitor'
      ? {}
      : { email: conversation.as, identity: signIdentity(conversation.as, SECRET) };
  const started = await post(`${base}/api/conversations`, who);
  if (started.status !== 201) throw new Error(`${conversation.id}: start answered ${started.status}`);
  const id = String(started.json.id);
  const verdicts: TurnVerdict[] = [];
  for (const turn of conversation.turns) {
    const answered = await post(`${base}/api/conversations/${id}/messages`, { text: turn.say });
    const replies =
      answered.status === 200
        ? await repliesToLastTurn(base, id, answered.json.pending === true)
        : [`HTTP ${answered.status}`];
    verdicts.push(judge(turn, replies));
  }
  return verdicts;
}

function percent(part: number, whole: number): string {
  return `${part}/${whole} (${((100 * part) / Math.max(whole, 1)).toFixed(1)}%)`;
}

/**
 * The held-out act paraphrases (test/conversations/probes/acts.jsonl) the act reader knows, read
 * with every act accepted and the topics competing, as at a repair point of a conversation.
 * Acts of the code lexicon (yes, no, done, not_yet) are not the reader's and are left out.
 */
function actFigures(file: string, intentsDir: string): string[] {
  const intents = loadIntentsOrThrow(intentsDir);
  const dialogue = loadDialogueOrThrow(intentsDir, intents);
  const reader = ActReader.train(dialogue, intents);
  const known = new Set(Object.keys(dialogue.acts));
  const rows = readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => z.object({ act: z.string(), text: z.string() }).parse(JSON.parse(line)))
    .filter((row) => known.has(row.act));
  const perAct = new Map<string, { amongActs: number; withTopics: number; all: number }>();
  for (const row of rows) {
    const entry = perAct.get(row.act) ?? { amongActs: 0, withTopics: 0, all: 0 };
    entry.all += 1;
    // Among acts: as a scope that takes no new topic reads it; with topics: as a repair point does.
    if (reader.read(row.text, known, false)?.act === row.act) entry.amongActs += 1;
    if (reader.read(row.text, known, true)?.act === row.act) entry.withTopics += 1;
    perAct.set(row.act, entry);
  }
  const sum = (key: 'amongActs' | 'withTopics') =>
    [...perAct.values()].reduce((total, entry) => total + entry[key], 0);
  return [
    `held-out act paraphrases right: among acts ${percent(sum('amongActs'), rows.length)}, with topics competing ${percent(sum('withTopics'), rows.length)}`,
    ...[...perAct]
      .sort()
      .map(
        ([act, entry]) =>
          `  ${act.padEnd(24)} ${percent(entry.amongActs, entry.all).padEnd(14)} ${percent(entry.withTopics, entry.all)}`,
      ),
  ];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      file: { type: 'string', default: 'test/conversations/probes/conversations.yaml' },
      only: { type: 'string' },
      failures: { type: 'string' },
      redis: { type: 'string', default: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' },
      acts: { type: 'string', default: 'test/conversations/probes/acts.jsonl' },
    },
  });
  process.stdout.write(`${actFigures(values.acts, DEFAULT_INTENTS_DIR).join('\n')}\n\n`);
  let conversations = z.array(conversationSchema).parse(parseYaml(readFileSync(values.file, 'utf8')));
  if (values.only) conversations = conversations.filter((c) => values.only?.split(',').includes(c.id));
  const prefix = `bench-probes-${process.pid}`;
  const config = loadConfig({
    PORT: '0',
    REDIS_URL: values.redis,
    QUEUE_PREFIX: prefix,
    LOG_LEVEL: 'silent',
    CHAT_IDENTITY_SECRET: SECRET,
    RATE_LIMIT_PER_IP: '1000000',
  });
  const service = await startService(config, createLogger('silent'));
  const results: { conversation: Conversation; verdicts: TurnVerdict[] }[] = [];
  try {
    for (const conversation of conversations) {
      // Each conversation meets the demo accounts as DOMAIN.md describes them: one that lifted
      // hold@'s hold must not leave the next one with nothing to lift.
      service.runtime.accounts?.embedded?.reset();
      results.push({ conversation, verdicts: await play(service.url, conversation) });
    }
  } finally {
    await service.close();
    const redis = createRedis(values.redis);
    await deleteKeysUnder(redis, prefix);
    redis.disconnect();
  }
  report(results, values.failures);
}

function report(
  results: { conversation: Conversation; verdicts: TurnVerdict[] }[],
  failuresFile?: string,
): void {
  const turns = results.flatMap((result) => result.verdicts);
  const rightTurns = turns.filter((verdict) => verdict.right).length;
  const rightConversations = results.filter((result) =>
    result.verdicts.every((verdict) => verdict.right),
  ).length;
  const byAccount = new Map<string, { right: number; all: number }>();
  for (const { conversation, verdicts } of results) {
    const entry = byAccount.get(conversation.as) ?? { right: 0, all: 0 };
    entry.all += 1;
    if (verdicts.every((verdict) => verdict.right)) entry.right += 1;
    byAccount.set(conversation.as, entry);
  }
  process.stdout.write(`bot turns right       ${percent(rightTurns, turns.length)}\n`);
  process.stdout.write(`conversations right   ${percent(rightConversations, results.length)}\n\n`);
  for (const [who, entry] of [...byAccount].sort())
    process.stdout.write(`  ${who.padEnd(24)} ${percent(entry.right, entry.all)}\n`);
  const failures = results
    .filter((result) => result.verdicts.some((verdict) => !verdict.right))
    .map(({ conversation, verdicts }) => ({
      id: conversation.id,
      as: conversation.as,
      note: conversation.note,
      verdicts,
    }));
  if (failuresFile !== undefined) writeFileSync(failuresFile, `${JSON.stringify(failures, null, 2)}\n`);
}

await main();
