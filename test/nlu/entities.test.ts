import { describe, expect, it } from 'vitest';
import { extractEntities } from '../../src/nlu/entities.ts';

describe('extractEntities', () => {
  it('finds an email, an account id and a phone number with their offsets', () => {
    const text = 'I am Pat@Demo.test, account ob 1003, call me at +1 (555) 123-4567';
    const entities = extractEntities(text);
    expect(entities.map(({ type, value }) => ({ type, value }))).toEqual([
      { type: 'email', value: 'pat@demo.test' },
      { type: 'account_id', value: 'OB-1003' },
      { type: 'phone', value: '(555) 123-4567' },
    ]);
    for (const entity of entities) expect(text.slice(entity.start, entity.end).length).toBeGreaterThan(0);
    expect(text.slice(entities[0]?.start, entities[0]?.end)).toBe('Pat@Demo.test');
  });

  it('recognises the pasted suspension alert as one entity', () => {
    const alert =
      'SPECIAL USPS RATE ALERT(S) Messages from USPS: Your One Balance account has been suspended. Please Contact ShippingEasy Support for assistance.';
    const [entity, ...rest] = extractEntities(`Hi, I keep getting this: ${alert} What now?`);
    expect(rest).toEqual([]);
    expect(entity?.type).toBe('alert_text');
    expect(entity?.value).toBe(alert);
  });

  it('does not read an account id or a short number as a phone number', () => {
    expect(extractEntities('OB-1003 and 12345')).toEqual([
      { type: 'account_id', value: 'OB-1003', start: 0, end: 7 },
    ]);
  });

  it('returns nothing for empty text and emoji', () => {
    expect(extractEntities('')).toEqual([]);
    expect(extractEntities('😀😀😀')).toEqual([]);
  });
});
