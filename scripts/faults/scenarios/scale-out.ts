/**
 * scale-out: two service instances and a worker on one Redis. One conversation's turns alternate
 * between the instances and must keep their state and order (each answered in context), and an
 * event stream opened on instance A must receive the messages of a turn taken by instance B.
 */

import { SECRETS } from '../canaries.ts';
import {
  type Answer,
  answersTo,
  type BotMessage,
  call,
  openEvents,
  say,
  startConversation,
  transcript,
} from '../client.ts';
import { blankOutcome, type Context, type Outcome, type Scenario } from '../context.ts';
import { sleep, waitFor } from '../processes.ts';
import { tally } from './customers.ts';

/** Each turn only makes sense after the one before it: the reconnect offer, then questions about it. */
const TURNS: { on: 'a' | 'b'; text: string; expect: RegExp }[] = [
  { on: 'a', text: 'my account is missing from the carriers page', expect: /not connected to your store/ },
  { on: 'b', text: 'how long will that take?', expect: /Customer Success agent approves/ },
  { on: 'a', text: 'will I lose my balance?', expect: /does not make a new account/ },
  { on: 'b', text: 'yes', expect: /asked our Customer Success team to reconnect/ },
];

/** The transcript holds the customer's lines in the order sent, each followed by its in-context answer. */
function judgeTranscript(messages: BotMessage[], outcome: Outcome): void {
  const said = messages.filter((message) => message.role === 'customer').map((message) => message.text);
  if (said.join('\n') !== TURNS.map((turn) => turn.text).join('\n'))
    outcome.failures.push(`transcript order differs: ${JSON.stringify(said)}`);
  for (const turn of TURNS) {
    const after = answersTo(messages, turn.text) ?? [];
    if (!after.some((message) => turn.expect.test(message.text))) {
      outcome.lost++;
      outcome.failures.push(`"${turn.text}" (instance ${turn.on.toUpperCase()}) not answered in context`);
    }
  }
}

async function run(context: Context): Promise<Outcome> {
  const topology = await context.clusterTopology();
  topology.proxy.reset();
  const urls = {
    a: topology.services.get('service-a')?.url ?? '',
    b: topology.services.get('service-b')?.url ?? '',
  };
  const outcome = blankOutcome('scale-out');
  const started = await startConversation(urls.a, 'disconnected@demo.test', SECRETS.identity);
  const answers: Answer[] = [started];
  const id = started.body?.id;
  if (id === undefined) throw new Error(`could not start a conversation (${started.status})`);
  const events = openEvents(urls.a, id);
  try {
    await waitFor('the event stream on A', () => (events.status() === 200 ? true : undefined), 5_000, 50);
    for (const turn of TURNS) answers.push(await say(urls[turn.on], id, turn.text));
    const lastTurn = answers.at(-1)?.body as { messages?: { id: string }[] } | undefined;
    const fromB = new Set((lastTurn?.messages ?? []).map((message) => message.id));
    const heard = await waitFor(
      'a turn of B on the stream of A',
      () => (events.received.some((message) => fromB.has(message.id)) ? true : undefined),
      5_000,
      50,
    ).catch(() => false);
    if (!heard) outcome.failures.push("the event stream on A did not receive B's messages");
  } finally {
    events.close();
  }
  await sleep(200);
  judgeTranscript((await transcript(urls.b, id)) ?? [], outcome);
  tally(outcome, answers);
  outcome.duplicated = topology.proxy.duplicates();
  // Also read through A: both instances must show the same conversation.
  const throughA = await call<{ messages: unknown[] }>('GET', `${urls.a}/api/conversations/${id}`);
  if (throughA.status !== 200)
    outcome.failures.push(`instance A could not read the conversation (${throughA.status})`);
  return outcome;
}

export const scaleOut: Scenario = {
  name: 'scale-out',
  budgetMs: 60_000,
  prepare: (context) => context.clusterTopology(),
  run,
};
