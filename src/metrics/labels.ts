import { SUSPENSION_REASONS } from '../accounts/model.ts';
import { PROMISED_TICKETS } from '../dialogue/schema.ts';

/** The label value of anything outside a closed set. */
export const OTHER = 'other';

/**
 * A closed set of label values: a value outside it is counted as `other`, so that no input (a
 * channel name, a new reason, a typo in data) can grow the number of series.
 */
export class ClosedLabels {
  private readonly known: ReadonlySet<string>;

  constructor(values: Iterable<string>) {
    this.known = new Set(values);
  }

  of(value: string | undefined): string {
    return value !== undefined && this.known.has(value) ? value : OTHER;
  }
}

/** The channels a turn comes from. */
export const CHANNELS = ['web', 'slack', 'zendesk'] as const;

/** The intent a turn is counted under besides the intents' own ids (see TurnEvent.intent). */
export const HANDED_OFF = 'handed_off';

/**
 * Why the bot escalates: the suspension reasons (the Stamps line), the reasons of the tickets the
 * policies and the follow-ups file (src/conversations/policies.ts and engine.ts, PROMISED_TICKETS).
 */
export const ESCALATION_REASONS: readonly string[] = [
  ...SUSPENSION_REASONS,
  'unknown',
  ...PROMISED_TICKETS,
  'suspended_after_stamps_call',
  'reconnect_request',
  'registration_persists',
  'plan_without_first_class',
  'customer_asked_for_a_person',
  'not_understood_twice',
];
