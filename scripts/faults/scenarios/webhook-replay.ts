/**
 * webhook-replay: a conversation with two tickets (a reconnect request, which a person does not
 * take over, then a request for a person, which hands the conversation off). One signed agent
 * comment, then the same body, timestamp and signature five more times under new invocation ids:
 * exactly one agent message may reach the transcript. Then a signed "solved" for the other ticket
 * (the reconnect request) must not end the hand-off of the open one.
 */
import { randomUUID } from 'node:crypto';
import { signZendeskWebhook } from '../../../src/channels/zendesk/verify-signature.ts';
import { SECRETS } from '../canaries.ts';
import { type Answer, call, say, startConversation, type TurnBody, transcript } from '../client.ts';
import { blankOutcome, type Context, type Outcome, type Scenario } from '../context.ts';
import { waitFor } from '../processes.ts';
import type { Topology } from '../topology.ts';
import { tally } from './customers.ts';

const REPLAYS = 5;

function deliver(base: string, body: string, timestamp: string, invocation = randomUUID()) {
  return call<{ status?: string }>('POST', `${base}/webhooks/zendesk`, {
    body: JSON.parse(body) as unknown,
    headers: {
      'x-zendesk-webhook-signature': signZendeskWebhook(body, timestamp, SECRETS.webhook),
      'x-zendesk-webhook-signature-timestamp': timestamp,
      'x-zendesk-webhook-invocation-id': invocation,
    },
  });
}

/** The Zendesk id of the ticket made for an escalation the bot reported (the fake records external_id). */
function ticketOf(topology: Topology, escalationId: string | undefined): Promise<number> {
  return waitFor(
    `the ticket of escalation ${escalationId}`,
    () => topology.zendesk?.tickets.find((ticket) => ticket.body.ticket.external_id === escalationId)?.id,
    20_000,
    200,
  );
}

/** A conversation with a reconnect-request ticket and, after it, a hand-off ticket. */
async function twoTickets(topology: Topology, base: string, answers: Answer[]) {
  const started = await startConversation(base, 'disconnected@demo.test', SECRETS.identity);
  answers.push(started);
  const id = started.body?.id ?? '';
  const lines = ['my account is missing from the carriers page', 'yes', 'I want to talk to a person'];
  const escalations: (string | undefined)[] = [];
  for (const line of lines) {
    const turn = await say(base, id, line);
    answers.push(turn);
    escalations.push((turn.body as TurnBody | undefined)?.escalation?.id);
  }
  const [reconnectTicket, handoffTicket] = await Promise.all([
    ticketOf(topology, escalations[1]),
    ticketOf(topology, escalations[2]),
  ]);
  return { id, reconnectTicket, handoffTicket };
}

async function run(context: Context): Promise<Outcome> {
  const topology = await context.clusterTopology();
  const base = topology.services.get('service-a')?.url ?? '';
  const outcome = blankOutcome('webhook-replay');
  const answers: Answer[] = [];
  const { id, reconnectTicket, handoffTicket } = await twoTickets(topology, base, answers);
  // Letters only: a digit run in the note would be masked as an account number on its way in.
  const note = `Agent note ${randomUUID().replace(/[-\d]/g, '')}`;
  const comment = JSON.stringify({
    event: 'comment_added',
    ticket_id: String(handoffTicket),
    comment: { body: note, public: true, author_role: 'agent' },
  });
  const timestamp = new Date().toISOString();
  const deliveries: Answer[] = [await deliver(base, comment, timestamp)];
  for (let i = 0; i < REPLAYS; i++) deliveries.push(await deliver(base, comment, timestamp));
  const solved = JSON.stringify({
    event: 'status_changed',
    ticket_id: String(reconnectTicket),
    status: 'solved',
  });
  deliveries.push(await deliver(base, solved, new Date().toISOString()));
  if (deliveries[0]?.status !== 200)
    outcome.failures.push(`the first signed delivery got ${deliveries[0]?.status}`);

  const messages = (await transcript(base, id)) ?? [];
  const relayed = messages.filter((message) => message.role === 'agent' && message.text === note).length;
  if (relayed !== 1) outcome.failures.push(`${relayed} agent message(s) in the transcript for one comment`);
  outcome.duplicated = Math.max(0, relayed - 1);
  outcome.lost = relayed === 0 ? 1 : 0;
  // Still handed off: the bot only says where the conversation is (it does not chat), and no
  // "solved" notice was written.
  const after = await say(base, id, 'hello? is anyone there?');
  answers.push(after);
  const botChats = ((after.body as TurnBody | undefined)?.messages ?? []).some(
    (message) => !/with our support team/.test(message.text),
  );
  const solvedNotice = messages.some((message) => /marked as solved/.test(message.text));
  if (botChats || solvedNotice)
    outcome.failures.push(
      `"solved" for ticket ${reconnectTicket} ended the hand-off of ticket ${handoffTicket}`,
    );
  tally(outcome, [...answers, ...deliveries]);
  return outcome;
}

export const webhookReplay: Scenario = {
  name: 'webhook-replay',
  budgetMs: 60_000,
  prepare: (context) => context.clusterTopology(),
  run,
};
