/**
 * What the Redis scenarios share: a stream of check-needing turns that runs across a Redis
 * outage, and the verdict on it once Redis is back.
 */

import { SECRETS } from '../canaries.ts';
import {
  type Answer,
  answeredInTime,
  answersTo,
  isAnswer,
  say,
  startConversation,
  transcript,
} from '../client.ts';
import { blankOutcome, type Context, type Outcome } from '../context.ts';
import { sleep } from '../processes.ts';
import type { RedisServer } from '../redis-server.ts';
import { restartBackend, type Topology } from '../topology.ts';

const EMAILS = ['hold@demo.test', 'declined@demo.test', 'active@demo.test'];
const TEXT = "my labels won't print, is my account suspended?";
const TURNS = 20;
/** Turns start this long before the outage and go on this long after Redis is back. */
const LEAD_MS = 2_000;
const TAIL_MS = 4_000;
/** After Redis is back, answers and active jobs have this long to settle. */
const SETTLE_MS = 30_000;

interface Item {
  conversationId: string | undefined;
  answers: Answer[];
  /** The turn was answered 2xx: the bot owes this conversation an answer in its transcript. */
  promised: boolean;
}

async function oneCustomer(base: string, email: string, delayMs: number): Promise<Item> {
  await sleep(delayMs);
  const started = await startConversation(base, email, SECRETS.identity);
  const item: Item = { conversationId: started.body?.id, answers: [started], promised: false };
  if (started.status !== 201 || item.conversationId === undefined) return item;
  const turn = await say(base, item.conversationId, TEXT);
  item.answers.push(turn);
  item.promised = turn.status === 200;
  return item;
}

/** Customers arrive evenly over `spanMs`, each starting a conversation and asking one question. */
function stream(base: string, spanMs: number): Promise<Item[]> {
  return Promise.all(
    Array.from({ length: TURNS }, (_, i) =>
      oneCustomer(base, EMAILS[i % EMAILS.length] as string, Math.round((i * spanMs) / TURNS)),
    ),
  );
}

async function unanswered(base: string, items: readonly Item[]): Promise<number> {
  let missing = 0;
  for (const item of items) {
    if (!item.promised || item.conversationId === undefined) continue;
    const messages = await transcript(base, item.conversationId);
    if (!(messages && answersTo(messages, TEXT)?.some(isAnswer))) missing++;
  }
  return missing;
}

async function activeJobs(topology: Topology): Promise<number> {
  const counts = await Promise.all(
    ['checks', 'escalations'].map((queue) =>
      topology.redis.activeJobs(topology.prefix, queue).catch(() => -1),
    ),
  );
  return counts.some((count) => count < 0) ? -1 : counts.reduce((sum, count) => sum + count, 0);
}

/** Polls until every promise is kept and no job is active, or until the settle time is over. */
async function settle(topology: Topology, base: string, items: readonly Item[], backAt: number) {
  let lost = 0;
  let active = 0;
  do {
    [lost, active] = await Promise.all([unanswered(base, items), activeJobs(topology)]);
    if (lost === 0 && active === 0) break;
    await sleep(1_000);
  } while (Date.now() < backAt + SETTLE_MS);
  return { lost, active };
}

/**
 * Runs the stream across `disrupt` (which resolves once Redis answers again) and judges it:
 * every request answered within 5 s, every promised answer delivered, no job left active.
 */
export async function runOutage(
  name: string,
  context: Context,
  downMs: number,
  disrupt: (redis: RedisServer) => Promise<void>,
): Promise<Outcome> {
  const topology = await context.outageTopology();
  await restartBackend(topology);
  const service = topology.services.get('outage-service');
  if (service === undefined) throw new Error('outage service missing');
  const customers = stream(service.url, LEAD_MS + downMs + TAIL_MS);
  await sleep(LEAD_MS);
  await disrupt(topology.redis);
  const backAt = Date.now();
  const items = await customers;
  const { lost, active } = await settle(topology, service.url, items, backAt);
  return judge(name, items, lost, active, topology.proxy.duplicates());
}

/** Why an answer does not count: none came, it came too late, or a refusal without a time to retry. */
function describe(answer: Answer): string {
  if (answer.error !== undefined) return `no answer (${answer.error})`;
  if (answer.ms > 5_000) return `${answer.status} after ${(answer.ms / 1000).toFixed(1)} s`;
  return `${answer.status} without Retry-After`;
}

function judge(
  name: string,
  items: readonly Item[],
  lost: number,
  active: number,
  duplicated: number,
): Outcome {
  const answers = items.flatMap((item) => item.answers);
  const outcome = blankOutcome(name);
  outcome.attempts = answers.length;
  outcome.answered = answers.filter(answeredInTime).length;
  outcome.slowestMs = Math.max(0, ...answers.map((answer) => answer.ms));
  outcome.lost = lost;
  outcome.duplicated = duplicated;
  const late = answers.filter((answer) => !answeredInTime(answer));
  if (late.length > 0) {
    const kinds = [...new Set(late.map(describe))];
    outcome.failures.push(`${late.length} request(s) not answered within 5 s (${kinds.join(', ')})`);
  }
  if (lost > 0) outcome.failures.push(`${lost} promised answer(s) missing from the transcript`);
  if (active !== 0)
    outcome.failures.push(
      active < 0 ? 'could not read the queues' : `${active} job(s) still active 30 s after Redis returned`,
    );
  if (duplicated > 0) outcome.failures.push(`${duplicated} mutation(s) applied twice`);
  return outcome;
}
