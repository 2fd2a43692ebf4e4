/**
 * typed-secrets: a customer types their own full account number (which the bot never showed),
 * a Luhn-valid card number and a password, then asks for a person. None of those values may
 * appear in a reply, the transcript, a log line of any process, anything under the Redis prefix,
 * or the ticket.
 */

import { type Canary, type Leak, SECRETS, scan, TYPED, typedSecretsCustomer } from '../canaries.ts';
import { type Answer, replies, say, startConversation, type TurnBody, transcript } from '../client.ts';
import { blankOutcome, type Context, type Outcome, type Scenario } from '../context.ts';
import { started, waitFor } from '../processes.ts';
import { tally } from './customers.ts';

async function run(context: Context): Promise<Outcome> {
  const topology = await context.clusterTopology();
  const base = topology.services.get('service-b')?.url ?? '';
  const customer = typedSecretsCustomer();
  const typed: Canary[] = [
    { name: 'full account number', value: customer.accountNumber },
    { name: 'card number', value: TYPED.card },
    { name: 'card digits', value: TYPED.card.replace(/ /g, '') },
    { name: 'password', value: TYPED.password },
  ];
  const replyMark = replies.length;
  const start = await startConversation(base, customer.email, SECRETS.identity);
  const id = start.body?.id ?? '';
  const answers: Answer[] = [start];
  for (const text of [
    `my account number is ${customer.accountNumber}, is that the right one?`,
    `my card is ${TYPED.card}`,
    `my password is ${TYPED.password}`,
    'I want to talk to a person',
  ])
    answers.push(await say(base, id, text));
  const escalation = (answers.at(-1)?.body as TurnBody | undefined)?.escalation?.id;
  const ticket = await waitFor(
    'the ticket',
    () => topology.zendesk?.tickets.find((t) => t.body.ticket.external_id === escalation),
    20_000,
    200,
  ).catch(() => undefined);

  const outcome = blankOutcome('typed-secrets');
  tally(outcome, answers);
  if (ticket === undefined) outcome.failures.push('no ticket reached the help desk');
  const leaks: Leak[] = [
    ...scan('replies', replies.slice(replyMark).join('\n'), typed),
    ...scan('transcript', JSON.stringify((await transcript(base, id)) ?? []), typed),
    ...scan('ticket', JSON.stringify(ticket?.body ?? {}), typed),
    ...scan('redis', await topology.redis.dump(topology.prefix), typed),
    ...started.flatMap((process) => scan(`log of ${process.name}`, process.output(), typed)),
  ];
  // Replies and log lines are counted by the runner's own scan; these two only here.
  outcome.leaks = leaks.filter((leak) => leak.where === 'ticket' || leak.where === 'redis').length;
  for (const leak of leaks)
    outcome.failures.push(`${leak.canary} in the ${leak.where}: ...${leak.excerpt}...`);
  return outcome;
}

export const typedSecrets: Scenario = {
  name: 'typed-secrets',
  budgetMs: 60_000,
  prepare: (context) => context.clusterTopology(),
  run,
};
