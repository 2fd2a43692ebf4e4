import { describe, expect, it } from 'vitest';
import { normaliseAnswer, normaliseText } from './golden.ts';

/** The recorder's normalisation: a transcript recorded in support hours reads as one recorded outside. */
describe('golden transcripts normalisation', () => {
  it('replaces ticket numbers, ids, timestamps and the next opening', () => {
    expect(
      normaliseText(
        'ticket #L12 or #1001, c_0123456789abcdef0123456789abcdef, 2026-12-06T23:37:49.123Z, 1b4e28ba-2fa1-11d2-883f-0016d3cca427, from Monday at 09:00 (America/Chicago)',
      ),
    ).toBe('ticket #<ticket> or #<ticket>, <conversation>, <time>, <uuid>, from <opening>');
  });

  it('reads both support-hours answers as <support-when>', () => {
    expect(
      normaliseText('Stays with the team. Someone from the team will answer here as soon as they can.'),
    ).toBe('Stays with the team. <support-when>');
    expect(
      normaliseText(
        'Stays with the team. The team is offline right now and will answer from tomorrow at 09:00 (America/Chicago).',
      ),
    ).toBe('Stays with the team. <support-when>');
  });

  it('leaves out the offline notice, which support hours leave out, and keeps its quick answers', () => {
    const offline =
      'Our support team is offline right now; a person will answer from today at 09:00 (America/Chicago).';
    const choices = [{ label: 'Yes', reply: 'yes' }];
    const inHours = { messages: [{ text: 'Passed on.', choices }], intent: 'x', confidence: 0.914 };
    const outside = { ...inHours, messages: [{ text: 'Passed on.' }, { text: offline, choices }] };
    expect(normaliseAnswer(outside)).toEqual(normaliseAnswer(inHours));
    expect(normaliseText(`You do not need to ask again meanwhile. ${offline}`)).toBe(
      'You do not need to ask again meanwhile.',
    );
    expect(normaliseAnswer(inHours).confidence).toBe(0.91);
  });
});
