/**
 * Customers of the cluster scenarios: each signs in, may say something first (to open an offer),
 * then asks one question whose right answer is known from the demo account (DOMAIN.md).
 */

import { SECRETS } from '../canaries.ts';
import { type Answer, answeredInTime, answersTo, say, startConversation, transcript } from '../client.ts';
import type { Outcome } from '../context.ts';
import { sleep } from '../processes.ts';

export const SUSPENDED_QUESTION = "my labels won't print, is my account suspended?";

export interface Case {
  email: string;
  /** Said before the question, without injected latency (the reconnect offer, for instance). */
  setup?: string[];
  text: string;
  /** The right answer, somewhere in the bot's messages after `text`. */
  expect: RegExp;
}

export interface Customer {
  case: Case;
  conversationId: string | undefined;
  answers: Answer[];
}

/** The demo accounts' right answers to the suspension question (and the reconnect yes). */
export const RIGHT = {
  hold: { email: 'hold@demo.test', text: SUSPENDED_QUESTION, expect: /temporary hold, and I have lifted it/ },
  declined: { email: 'declined@demo.test', text: SUSPENDED_QUESTION, expect: /payment was declined/ },
  pwChanged: { email: 'pw-changed@demo.test', text: SUSPENDED_QUESTION, expect: /password changed recently/ },
  reconnect: {
    email: 'disconnected@demo.test',
    setup: ['my account is missing from the carriers page'],
    text: 'yes',
    expect: /asked our Customer Success team to reconnect/,
  },
} satisfies Record<string, Case>;

/** Signs in and says the setup lines; the question is asked later, with `ask`. */
export async function arrive(base: string, which: Case): Promise<Customer> {
  const started = await startConversation(base, which.email, SECRETS.identity);
  const customer: Customer = { case: which, conversationId: started.body?.id, answers: [started] };
  for (const line of which.setup ?? []) {
    if (customer.conversationId === undefined) break;
    customer.answers.push(await say(base, customer.conversationId, line));
  }
  return customer;
}

export async function ask(base: string, customer: Customer): Promise<void> {
  if (customer.conversationId === undefined) return;
  customer.answers.push(await say(base, customer.conversationId, customer.case.text, 20_000));
}

/** The customer's question has its right answer in the transcript (read through `base`). */
async function answeredRight(base: string, customer: Customer): Promise<boolean> {
  if (customer.conversationId === undefined) return false;
  const messages = await transcript(base, customer.conversationId);
  const after = messages ? answersTo(messages, customer.case.text) : undefined;
  return after?.some((message) => customer.case.expect.test(message.text)) ?? false;
}

/** Polls until every customer has the right answer or `deadline` passes; returns who has not. */
export async function waitForRightAnswers(base: string, customers: Customer[], deadline: number) {
  let missing = customers;
  for (;;) {
    const checks = await Promise.all(missing.map((customer) => answeredRight(base, customer)));
    missing = missing.filter((_, i) => !checks[i]);
    if (missing.length === 0 || Date.now() > deadline) return missing;
    await sleep(500);
  }
}

/** What the bot last said to this customer, for the failure message. */
export async function lastWords(base: string, customer: Customer): Promise<string> {
  if (customer.conversationId === undefined) return 'no conversation';
  const messages = await transcript(base, customer.conversationId);
  const after = messages ? answersTo(messages, customer.case.text) : undefined;
  const text = after?.at(-1)?.text ?? 'nothing';
  return text.length > 90 ? `${text.slice(0, 90)}...` : text;
}

/** Attempts, answered and slowest from every request these customers made. */
export function tally(outcome: Outcome, answers: readonly Answer[]): void {
  outcome.attempts += answers.length;
  outcome.answered += answers.filter(answeredInTime).length;
  outcome.slowestMs = Math.max(outcome.slowestMs, ...answers.map((answer) => answer.ms));
}
