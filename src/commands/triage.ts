import { randomUUID } from 'node:crypto';
import { type Config, zendeskSettings } from '../config.ts';
import { UsageError } from '../errors.ts';
import { loadIntentsOrThrow } from '../intents/load.ts';
import { createLogger } from '../logger.ts';
import { understanderFor } from '../nlu/understand.ts';
import { ensureWorker, openConversations, startCheckRuntime, startTriage } from '../runtime.ts';
import type { TriageResult } from '../triage/triage.ts';
import type { Output } from './checks.ts';

/**
 * `onebalance-bot triage TICKET_ID [--dry-run]`: triages one Zendesk ticket by hand, as the queue
 * would (one note per rules version: a ticket that has its note gets no second one), and prints
 * the note. `--dry-run` writes nothing and prints the note it would write.
 */
export async function runTriage(
  config: Config,
  args: readonly string[],
  dryRun: boolean,
  io: Output,
): Promise<number> {
  const [ticketId, ...rest] = args;
  if (ticketId === undefined || !/^\d{1,20}$/.test(ticketId) || rest.length > 0)
    throw new UsageError('triage needs one Zendesk ticket id: onebalance-bot triage TICKET_ID [--dry-run]');
  if (zendeskSettings(config) === undefined)
    throw new UsageError(
      'triage reads Zendesk tickets: set ZENDESK_URL (or ZENDESK_SUBDOMAIN), ZENDESK_EMAIL and ZENDESK_TOKEN.',
    );
  const logger = createLogger(config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL, 2);
  const intents = loadIntentsOrThrow(config.INTENTS_DIR);
  const runtime = await startCheckRuntime(config, logger, false);
  const own = await ensureWorker(config, logger, runtime);
  const conversations = openConversations(config, logger, runtime, false, { intents });
  const triage = startTriage(
    config,
    logger,
    runtime,
    {
      store: conversations.store,
      intents,
      understander: understanderFor(config, intents),
    },
    false,
  );
  try {
    // A dry run asks its checks afresh; a real run shares the queue's request id, as a retry would.
    const result = await triage?.triage.run(ticketId, {
      dryRun,
      ...(dryRun ? { acceptIncomplete: true, requestId: `cli-${randomUUID()}` } : {}),
    });
    if (result !== undefined) io.out(describe(ticketId, config.TRIAGE_RULES_VERSION, result));
    return 0;
  } finally {
    await triage?.close(0);
    await own.close(config.SHUTDOWN_GRACE_MS);
    await conversations.close(0);
    await runtime.close(config.SHUTDOWN_GRACE_MS);
  }
}

function describe(ticketId: string, version: string, result: TriageResult): string {
  switch (result.status) {
    case 'already_triaged':
      return `Ticket ${ticketId} already has its triage note (rules version ${version}), unchanged:\n\n${result.note}`;
    case 'dry_run':
    case 'written': {
      const head =
        result.status === 'written'
          ? `Wrote this internal note to ticket ${ticketId}`
          : `Dry run: nothing written. Ticket ${ticketId} would get this internal note${result.alreadyTriaged ? ' (it already has one of this rules version, so a real run would write none)' : ''}`;
      const priority = result.note.priority === undefined ? '' : `; priority ${result.note.priority}`;
      return `${head} (tags ${result.note.tags.join(' ')}${priority}):\n\n${result.note.text}`;
    }
  }
}
