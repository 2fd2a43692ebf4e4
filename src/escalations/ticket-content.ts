import type { ConversationState, TicketRecord } from '../conversations/store.ts';
import { redactSecrets } from '../core/secrets.ts';
import type { TranscriptEntry } from '../core/types.ts';
import type { NewTicket } from './ticket-desk.ts';

interface ReasonText {
  subject: string;
  diagnosis: string;
  next: string;
  priority: NewTicket['priority'];
}

/** What each escalation reason means for the agent who picks the ticket up. */
const REASONS: Record<string, ReasonText> = {
  customer_asked_for_a_person: {
    subject: 'Customer asked to talk to a person',
    diagnosis: 'The customer asked for a person instead of the bot.',
    next: 'Read the transcript and reply to the customer.',
    priority: 'normal',
  },
  plan_without_first_class: {
    subject: 'Stamps.com plan does not allow First Class',
    diagnosis: 'The account plan does not allow First Class labels, which the One Balance plan should.',
    next: 'Restore the First Class-capable One Balance plan with Stamps.com; the customer should not have to change plans.',
    priority: 'high',
  },
  reconnect_request: {
    subject: 'Reconnect a disconnected One Balance account',
    diagnosis:
      'The account exists at Stamps.com but is not connected to the store; the customer agreed to a reconnect request.',
    next: 'Verify the account belongs to this customer, approve the reconnect request, and confirm to the customer.',
    priority: 'normal',
  },
  not_understood_twice: {
    subject: 'The bot did not understand the customer twice',
    diagnosis: 'Two messages in a row were outside what the bot handles.',
    next: 'Read the transcript and answer the customer.',
    priority: 'low',
  },
  registration_persists: {
    subject: 'One Balance registration error persists after troubleshooting',
    diagnosis: 'The registration error is still there after the bot gave the troubleshooting steps.',
    next: 'Check the registration with Stamps.com and help the customer finish it.',
    priority: 'normal',
  },
  fails_though_healthy: {
    subject: 'Postage fails although the account looks healthy',
    diagnosis:
      'The checks found the account active, connected and not suspended, but the customer says postage purchases still fail.',
    next: 'Ask the customer for the failing label and its error, and look at the purchase with Stamps.com.',
    priority: 'normal',
  },
  first_class_fails_though_allowed: {
    subject: 'First Class purchase fails although the plan allows it',
    diagnosis:
      "The account's plan allows First Class, but the customer says First Class purchases still fail.",
    next: 'Ask the customer for the error they see, and look at the purchase with Stamps.com.',
    priority: 'normal',
  },
  suspended_after_stamps_call: {
    subject: 'Still suspended after the customer called Stamps',
    diagnosis:
      'The customer was sent to the Stamps line (855) 889-7867, says they called, and the account is still suspended when checked again.',
    next: 'Take the case up with Stamps.com for the customer, using what they were told on the call (see the transcript).',
    priority: 'high',
  },
  missing_though_connected: {
    subject: 'One Balance account missing from the app although connected',
    diagnosis:
      'The checks found the account connected to the store and active, but the customer still does not see it on ONE BALANCE & CARRIERS after reloading.',
    next: "Look at the store's carrier settings with the customer and reconnect the account if it is needed.",
    priority: 'normal',
  },
};

function reasonText(reason: string): ReasonText {
  const known = REASONS[reason];
  if (known !== undefined) return known;
  const suspension = reason.startsWith('phone:') ? reason.slice('phone:'.length) : reason;
  return {
    subject: `One Balance account suspended (${suspension.replaceAll('_', ' ')})`,
    diagnosis: `The account is still suspended (${suspension}) after the unsuspend attempt; the customer was given the Stamps line (855) 889-7867.`,
    next: 'Follow up with the customer after their call with Stamps; confirm that postage can be bought again.',
    priority: 'high',
  };
}

const speaker: Record<TranscriptEntry['role'], string> = { customer: 'Customer', bot: 'Bot', agent: 'Agent' };

/**
 * The ticket for one escalation: subject, tags and priority from the reason, and an internal note
 * with the diagnosis, the next step, the checks and the transcript. It holds only what the
 * conversation holds: schema-cut check results and an account number's last four digits. Subject
 * and note are masked once more as they leave for the help desk (`redactSecrets`): a transcript
 * written before masking at the store existed, or any text that slipped past it, still carries no
 * card, full account number or password into a ticket.
 */
export function ticketFor(
  state: ConversationState,
  transcript: readonly TranscriptEntry[],
  record: TicketRecord,
): NewTicket {
  const text = reasonText(record.reason);
  const suspensionReason = record.reason.startsWith('phone:')
    ? record.reason.slice('phone:'.length)
    : undefined;
  const account = state.account;
  const lines = [
    `Diagnosis: ${text.diagnosis}`,
    `Suggested next step: ${text.next}`,
    '',
    account
      ? `Account: ${account.accountId}, account number ending in ${account.accountNumberLast4}, status ${account.status}.`
      : 'Account: none found for this customer.',
    '',
    'Checks:',
    ...(record.checks.length === 0
      ? ['  (none in this turn)']
      : record.checks.map(
          (check) =>
            `  ${check.name}: ${check.status}${check.result === undefined ? '' : ` ${JSON.stringify(check.result)}`}`,
        )),
    '',
    'Transcript:',
    ...transcript
      .slice(-40)
      .map(
        (entry) =>
          `  ${speaker[entry.role]}: ${redactSecrets(entry.text.replaceAll('\n', ' '), { passwords: entry.role !== 'bot' }).text}`,
      ),
  ];
  return {
    idempotencyKey: record.id,
    requester: state.customer,
    subject: redactSecrets(`One Balance: ${text.subject}`).text,
    tags: ['one_balance', record.intent, ...(suspensionReason ? [suspensionReason] : [])],
    priority: text.priority,
    // The transcript lines are masked by role above; the rest is the bot's own words.
    internalNote: redactSecrets(lines.join('\n'), { passwords: false }).text,
    externalId: record.id,
  };
}
