import { z } from 'zod';
import type { LabelChoice, ModelEntity, ReadingRequest } from './language-model.ts';

/** The kinds of entity the model may report; anything else it finds is `other`. */
export const ENTITY_TYPES = ['email', 'account_number', 'phone', 'carrier', 'other'] as const;

const ids = (labels: readonly LabelChoice[]): string[] => labels.map((label) => label.id);

/**
 * The JSON schema of an answer, made per request so that its enums are exactly the labels offered
 * now: a model under constrained decoding (OpenAI's strict mode, vLLM, llama.cpp, Ollama) then
 * cannot even spell another label. Nullable act as `anyOf` with `{ type: 'null' }`: the form
 * OpenAI's strict mode documents, and one that llama.cpp's and vLLM's grammar builders accept.
 */
export function readingJsonSchema(request: ReadingRequest): Record<string, unknown> {
  const actIds = ids(request.acts);
  return {
    type: 'object',
    additionalProperties: false,
    required: ['topic', 'act', 'entities'],
    properties: {
      topic: { type: 'string', enum: ids(request.topics) },
      act:
        actIds.length === 0
          ? { type: 'null' }
          : { anyOf: [{ type: 'string', enum: actIds }, { type: 'null' }] },
      entities: {
        type: 'array',
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['type', 'value'],
          properties: { type: { type: 'string', enum: [...ENTITY_TYPES] }, value: { type: 'string' } },
        },
      },
    },
  };
}

const nonEmpty = (values: string[]): [string, ...string[]] => {
  const [first, ...rest] = values;
  if (first === undefined) throw new TypeError('A reading needs at least one topic to offer.');
  return [first, ...rest];
};

/** The same contract as the JSON schema, checked on our side: a server may not enforce it. */
export function readingParser(request: ReadingRequest) {
  const actIds = ids(request.acts);
  return z.object({
    topic: z.enum(nonEmpty(ids(request.topics))),
    act: actIds.length === 0 ? z.null() : z.enum(nonEmpty(actIds)).nullable(),
    entities: z.array(z.object({ type: z.enum(ENTITY_TYPES), value: z.string() })),
  });
}

/**
 * The entities whose value the customer actually wrote in the message being read (ignoring case):
 * the model may point at what is there, never add to it.
 */
export function entitiesInText(entities: readonly ModelEntity[], text: string): ModelEntity[] {
  const haystack = text.toLowerCase();
  const kept: ModelEntity[] = [];
  for (const entity of entities) {
    const value = entity.value.trim();
    if (value === '' || !haystack.includes(value.toLowerCase())) continue;
    if (kept.some((seen) => seen.type === entity.type && seen.value === value)) continue;
    kept.push({ type: entity.type, value });
  }
  return kept;
}

/** The text of the message being read: the last customer turn (normally the last turn). */
export function lastCustomerText(request: ReadingRequest): string {
  return request.turns.findLast((turn) => turn.role === 'customer')?.text ?? '';
}
