import { createInterface } from 'node:readline/promises';
import { z } from 'zod';
import type { Config } from '../config.ts';
import { UsageError } from '../errors.ts';
import { loadIntentsOrThrow } from '../intents/load.ts';
import { createLogger } from '../logger.ts';
import { understanderFor } from '../nlu/understand.ts';
import { createEngine, ensureWorker, openConversations, startCheckRuntime } from '../runtime.ts';
import type { Output } from './checks.ts';

/**
 * `onebalance-bot chat [--as EMAIL]`: the same engine from a terminal, for agents and demos. The
 * terminal user is trusted to act as EMAIL (it runs with the service's own Redis and backend).
 */
export async function runChat(config: Config, as: string | undefined, io: Output): Promise<number> {
  const email = as === undefined ? undefined : z.email().safeParse(as.trim().toLowerCase());
  if (email !== undefined && !email.success)
    throw new UsageError('chat --as needs an email address, e.g. --as declined@demo.test');
  const logger = createLogger(config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL, 2);
  const intents = loadIntentsOrThrow(config.INTENTS_DIR);
  const understander = understanderFor(config, intents);
  const runtime = await startCheckRuntime(config, logger, false);
  const own = await ensureWorker(config, logger, runtime);
  // Tickets from the terminal go to the escalations queue (a service or `npm run worker` sends them).
  const conversations = openConversations(config, logger, runtime, false);
  const { store } = conversations;
  const engine = createEngine(config, logger, {
    understander,
    intents,
    store,
    checks: runtime.queue,
    escalations: conversations.escalations.queue,
    handoffSync: conversations.escalations.handoffSync,
  });
  const print = (text: string) => io.out(`bot> ${text.replaceAll('\n', '\n     ')}`);
  try {
    const { state, messages } = await engine.start(email?.success ? { email: email.data } : null);
    // Each message is printed once, whether the turn or the live subscription brings it first.
    const shown = new Set<string>();
    const show = (message: { id: string; text: string }) => {
      if (shown.has(message.id)) return;
      shown.add(message.id);
      print(message.text);
    };
    // Late messages (a check that outlived its turn) arrive through the subscription.
    const unsubscribe = await store.subscribe(state.id, show);
    for (const message of messages) show(message);
    const lines = createInterface({
      input: process.stdin,
      output: process.stdout,
      terminal: process.stdin.isTTY,
    });
    lines.setPrompt('you> ');
    if (process.stdin.isTTY) lines.prompt();
    for await (const line of lines) {
      const text = line.trim();
      if (text === '') {
        if (process.stdin.isTTY) lines.prompt();
        continue;
      }
      if (text === '/quit' || text === '/exit') break;
      const turn = await engine.handle({ conversationId: state.id, text });
      for (const message of turn.messages) show(message);
      if (process.stdin.isTTY) lines.prompt();
    }
    lines.close();
    await engine.drain();
    await unsubscribe();
    return 0;
  } finally {
    await conversations.close(config.SHUTDOWN_GRACE_MS);
    await own.close(config.SHUTDOWN_GRACE_MS);
    await runtime.close(config.SHUTDOWN_GRACE_MS);
  }
}
