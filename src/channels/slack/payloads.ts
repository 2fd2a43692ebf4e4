import { z } from 'zod';

const id = z.string().min(1).max(64);

/**
 * What reaches POST /slack/events, after its signature is checked: loose objects, since Slack adds
 * fields over time; only what the bot reads is required. Anything else is a 400.
 */
export const urlVerificationSchema = z.object({
  type: z.literal('url_verification'),
  challenge: z.string().max(200),
});

export const eventCallbackSchema = z.looseObject({
  type: z.literal('event_callback'),
  team_id: id,
  event_id: id,
  event: z.looseObject({ type: z.string().min(1).max(64) }),
});

export const slashCommandSchema = z.looseObject({
  command: z.string().min(2).max(64),
  text: z.string().max(4_000).default(''),
  user_id: id,
  team_id: id,
  channel_id: id,
  response_url: z.url({ protocol: /^https?$/ }),
  trigger_id: z.string().max(200).optional(),
});

export const interactionSchema = z.looseObject({
  type: z.enum(['block_actions', 'view_submission', 'view_closed', 'shortcut', 'message_action']),
  team: z.looseObject({ id }).nullable(),
  user: z.looseObject({ id }),
});

export type SlackPayloadKind = 'url_verification' | 'event' | 'command' | 'interaction';

/** The payload's kind and its team, or the schema's complaint. */
export function classifyPayload(
  body: unknown,
):
  | { ok: true; kind: SlackPayloadKind; teamId: string | undefined; eventId?: string }
  | { ok: false; issues: string } {
  const verification = urlVerificationSchema.safeParse(body);
  if (verification.success) return { ok: true, kind: 'url_verification', teamId: undefined };
  const event = eventCallbackSchema.safeParse(body);
  if (event.success)
    return { ok: true, kind: 'event', teamId: event.data.team_id, eventId: event.data.event_id };
  const command = slashCommandSchema.safeParse(body);
  if (command.success) return { ok: true, kind: 'command', teamId: command.data.team_id };
  const interaction = interactionSchema.safeParse(body);
  if (interaction.success) return { ok: true, kind: 'interaction', teamId: interaction.data.team?.id };
  return { ok: false, issues: 'not a Slack event, slash command or interaction payload' };
}

/** A form body as Slack sends it: interactions carry their JSON in `payload`, commands are the fields. */
export function parseFormBody(raw: string): unknown {
  const fields = Object.fromEntries(new URLSearchParams(raw));
  if (typeof fields.payload === 'string') return JSON.parse(fields.payload);
  return fields;
}
