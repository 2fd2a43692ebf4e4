import { z } from 'zod';
import { type SecondReaderPort, topicLabels } from '../conversations/second-opinion.ts';
import type { OutputGuard } from '../core/output-guard.ts';
import { CodedError, ErrorCode } from '../errors.ts';
import type { IntentDefinition } from '../intents/load.ts';
import { isRequest } from '../intents/schema.ts';
import type { LabelChoice } from '../llm/language-model.ts';
import type { Logger } from '../logger.ts';
import type { Understander } from '../nlu/understand.ts';
import type { CheckRunner, CheckTarget } from '../queue/check-queue.ts';
import { checkAccount, checksForTopics, unanswered } from './account-checks.ts';
import { type DeskComment, type DeskTicket, TicketConflictError, type TriageDesk } from './desk.ts';
import { diagnose } from './diagnosis.ts';
import type { KnownTickets } from './known-tickets.ts';
import { composeNote, type NoteInput, type TriageNote, triageMarker } from './note.ts';
import { type ReadTicket, readByModel, readTicket, type Topic } from './topics.ts';

export interface TicketTriageOptions {
  desk: TriageDesk;
  checks: CheckRunner;
  understander: Understander;
  intents: readonly IntentDefinition[];
  /** Every note passes it: the service's secrets, carrier tokens, card and account numbers. */
  guard: OutputGuard;
  /** The rules' version, in job ids and the note's marker. */
  version: string;
  /** The chats the bot filed tickets from: their account, for a ticket it filed itself. */
  known?: KnownTickets;
  logger: Logger;
  /** A language model that reads a ticket whose sentences name no topic (OPENAI_*); none by default. */
  secondReader?: SecondReaderPort;
  /**
   * How long the checks are awaited before they count as unanswered.
   * @defaultValue 10000
   */
  checkWaitMs?: number;
  /**
   * Safe updates tried before a ticket that keeps changing is left for a later attempt.
   * @defaultValue 5
   */
  maxConflicts?: number;
}

export interface TriageRunOptions {
  /** Compose the note and write nothing. */
  dryRun?: boolean;
  /** Write the note though a check did not answer (the job's last attempt): it says which. */
  acceptIncomplete?: boolean;
  /** The checks' request id. @defaultValue `triage-<ticket id>-<version>` */
  requestId?: string;
}

export type TriageResult =
  | { status: 'written'; note: TriageNote }
  | { status: 'dry_run'; note: TriageNote; alreadyTriaged: boolean }
  | { status: 'already_triaged'; note: string };

/** Some check did not answer: the job tries again later rather than write a note of unknowns. */
export class ChecksIncompleteError extends CodedError {
  constructor(checks: readonly string[]) {
    super(ErrorCode.BackendUnavailable, `No answer yet from ${checks.join(', ')}.`);
    this.name = 'ChecksIncompleteError';
  }
}

/** Said instead of a note the output guard cannot let through (a broken template): agents only. */
export const NOTE_FALLBACK =
  'The bot could not write its triage note safely for this ticket. Please read the ticket and check the account by hand.';

const email = z.email();

/**
 * Triage of one ticket: re-read it from the desk, understand it, check the requester's account
 * (read-only), and write one internal note with tags in one safe update. Exactly once per ticket
 * and rules version: a note already carrying this version's marker ends the run, and a conflict
 * (the ticket changed since it was read) re-reads it, marker included, before trying again.
 */
export class TicketTriage {
  /** The topics a model may pick for a ticket, with their descriptions. */
  private readonly topicLabels: LabelChoice[];

  constructor(private readonly options: TicketTriageOptions) {
    this.topicLabels = topicLabels(options.intents);
  }

  get version(): string {
    return this.options.version;
  }

  async run(ticketId: string, run: TriageRunOptions = {}): Promise<TriageResult> {
    const { desk, version } = this.options;
    const ticket = await desk.ticket(ticketId);
    const comments = await desk.comments(ticketId);
    const marker = triageMarker(ticketId, version);
    const written = markedNote(comments, marker);
    if (written !== undefined && run.dryRun !== true) return { status: 'already_triaged', note: written };
    const note = await this.compose(ticket, run);
    if (run.dryRun === true) return { status: 'dry_run', note, alreadyTriaged: written !== undefined };
    return this.write(ticket, note, marker);
  }

  /** The note for the ticket as it is now; throws ChecksIncompleteError unless `acceptIncomplete`. */
  private async compose(ticket: DeskTicket, run: TriageRunOptions): Promise<TriageNote> {
    const { desk, version, intents } = this.options;
    const requester = ticket.requesterId === null ? null : await desk.user(ticket.requesterId);
    const known = (await this.options.known?.of(ticket.id)) ?? null;
    const read = await this.readOf(ticket, known?.intent ?? null);
    const target = targetOf(known, requester?.email ?? null);
    const findings =
      target === null
        ? null
        : await checkAccount(this.options.checks, {
            target: target.target,
            checks: checksForTopics(read.topics, intents),
            requestId: run.requestId ?? `triage-${ticket.id}-${version}`,
            waitMs: this.options.checkWaitMs ?? 10_000,
          });
    const missing = findings === null ? [] : unanswered(findings);
    if (missing.length > 0 && run.acceptIncomplete !== true) throw new ChecksIncompleteError(missing);
    const input: NoteInput = {
      ticketId: ticket.id,
      version,
      read,
      requester: requester === null ? null : { email: requester.email, verified: requester.verified },
      accountSource: target?.source ?? 'requester_email',
      findings,
      diagnosis: diagnose(findings),
      intents,
    };
    const note = composeNote(input);
    const guarded = this.options.guard(note.text);
    if (guarded.problems.length > 0)
      this.options.logger.warn({ ticketId: ticket.id, problems: guarded.problems }, 'triage note guarded');
    return {
      ...note,
      text: guarded.problems.some((p) => p.kind === 'unknown_placeholder') ? NOTE_FALLBACK : guarded.text,
    };
  }

  /**
   * A ticket the bot filed is about the intent it was filed for; any other is read from its text,
   * and, when no sentence names a topic and a model is configured, by the model as a whole.
   */
  private async readOf(ticket: DeskTicket, knownIntent: string | null): Promise<ReadTicket> {
    if (knownIntent !== null && isRequest(knownIntent))
      return {
        topics: [{ intent: knownIntent as Topic['intent'], confidence: 1 }],
        sentences: 0,
        namesAccountId: false,
      };
    const read = readTicket(this.options.understander, ticket.subject, ticket.description);
    const { secondReader } = this.options;
    if (read.topics.length > 0 || secondReader === undefined) return read;
    const topic = await readByModel(secondReader, this.topicLabels, ticket.subject, ticket.description);
    return topic === undefined ? read : { ...read, topics: [topic] };
  }

  /** One safe update; on a conflict, the ticket is read again (another run may have written) and retried. */
  private async write(first: DeskTicket, note: TriageNote, marker: string): Promise<TriageResult> {
    const { desk, logger } = this.options;
    let ticket = first;
    for (let attempt = 1; ; attempt++) {
      const raise = note.priority === 'high' && ticket.priority !== 'high' && ticket.priority !== 'urgent';
      try {
        await desk.addInternalNote(ticket.id, {
          note: note.text,
          addTags: note.tags,
          ...(raise ? { priority: 'high' as const } : {}),
          updatedStamp: ticket.updatedAt,
        });
        logger.info({ ticketId: ticket.id, tags: note.tags, attempt }, 'triage note written');
        return { status: 'written', note };
      } catch (error) {
        if (!(error instanceof TicketConflictError) || attempt >= (this.options.maxConflicts ?? 5))
          throw error;
      }
      ticket = await desk.ticket(ticket.id);
      const written = markedNote(await desk.comments(ticket.id), marker);
      if (written !== undefined) return { status: 'already_triaged', note: written };
    }
  }
}

/** The internal note that carries `marker`, if the ticket has one. */
function markedNote(comments: readonly DeskComment[], marker: string): string | undefined {
  return comments.find((comment) => !comment.public && comment.body.includes(marker))?.body;
}

/**
 * Whose account is checked: for a ticket the bot filed, the account (or verified customer) of
 * that chat; otherwise the requester's email address. Never anything the ticket's text says.
 */
function targetOf(
  known: { accountId: string | null; email: string | null } | null,
  requesterEmail: string | null,
): { target: CheckTarget; source: NoteInput['accountSource'] } | null {
  if (known?.accountId) return { target: { accountId: known.accountId }, source: 'bot_conversation' };
  if (known?.email) return { target: { email: known.email }, source: 'bot_conversation' };
  const parsed = email.safeParse(requesterEmail?.trim().toLowerCase());
  return parsed.success ? { target: { email: parsed.data }, source: 'requester_email' } : null;
}
