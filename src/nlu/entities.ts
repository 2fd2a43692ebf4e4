import type { EntityKind } from '../intents/schema.ts';
import { MAX_FEATURE_CHARS } from './text.ts';

/** A piece of the message with a meaning of its own; `start`/`end` are UTF-16 offsets in the text. */
export interface Entity {
  type: EntityKind;
  value: string;
  start: number;
  end: number;
}

/**
 * Entities are looked for in a longer prefix than features (a pasted alert can follow a long
 * preamble), but still a bounded one.
 */
const MAX_ENTITY_CHARS = MAX_FEATURE_CHARS * 4;

const PATTERNS: readonly { type: EntityKind; pattern: RegExp; normalize: (match: string) => string }[] = [
  {
    type: 'alert_text',
    pattern:
      /(?:special usps rate alert\(?s?\)?[^\n]{0,40}?)?your one balance account has been suspended\.?(?:\s*please contact \w+ support for assistance\.?)?|special usps rate alert\(?s?\)?/giu,
    normalize: (match) => match.replace(/\s+/g, ' ').trim(),
  },
  {
    type: 'email',
    pattern: /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.\p{L}{2,}/gu,
    normalize: (match) => match.toLowerCase(),
  },
  {
    type: 'account_id',
    pattern: /\bOB[-\s]?(\d{4,})\b/giu,
    normalize: (match) => `OB-${match.replace(/\D/g, '')}`,
  },
  {
    type: 'phone',
    pattern: /(?<![\w-])(?:\+?1[\s.-]?)?(?:\(\d{3}\)|\d{3})[\s.-]?\d{3}[\s.-]?\d{4}(?![\w-])/gu,
    normalize: (match) => {
      const digits = match.replace(/\D/g, '').replace(/^1(?=\d{10}$)/, '');
      return `(${digits.slice(0, 3)}) ${digits.slice(3, 6)}-${digits.slice(6)}`;
    },
  },
];

/** Finds the entities in a message, in order of position; overlapping matches keep the first kind. */
export function extractEntities(text: string): Entity[] {
  const input = text.length > MAX_ENTITY_CHARS ? text.slice(0, MAX_ENTITY_CHARS) : text;
  const found: Entity[] = [];
  for (const { type, pattern, normalize } of PATTERNS) {
    for (const match of input.matchAll(pattern)) {
      const start = match.index;
      const end = start + match[0].length;
      if (found.some((entity) => start < entity.end && entity.start < end)) continue;
      found.push({ type, value: normalize(match[0]), start, end });
    }
  }
  return found.sort((a, b) => a.start - b.start);
}
