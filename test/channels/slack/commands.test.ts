import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../../src/channels/slack/commands.ts';
import { escapeSlack } from '../../../src/channels/slack/text.ts';

describe('parseCommand', () => {
  it('reads each verb and its argument', () => {
    expect(parseCommand('check Sam@Example.com')).toEqual({ kind: 'check', email: 'sam@example.com' });
    expect(parseCommand('check <mailto:sam@example.com|sam@example.com>')).toEqual({
      kind: 'check',
      email: 'sam@example.com',
    });
    expect(parseCommand('  conversation c_123-abc ')).toEqual({
      kind: 'conversation',
      conversationId: 'c_123-abc',
    });
    expect(parseCommand('HANDBACK c_1')).toEqual({ kind: 'handback', conversationId: 'c_1' });
    expect(parseCommand('tickets')).toEqual({ kind: 'tickets' });
    expect(parseCommand('reconnects')).toEqual({ kind: 'reconnects' });
    expect(parseCommand('')).toEqual({ kind: 'help' });
    expect(parseCommand('help')).toEqual({ kind: 'help' });
  });

  it('answers the usage, saying what was wrong, for anything else', () => {
    expect(parseCommand('check')).toMatchObject({
      kind: 'usage',
      problem: expect.stringMatching(/one email/),
    });
    expect(parseCommand('check not-an-email')).toMatchObject({ kind: 'usage' });
    expect(parseCommand('check a@b.co c@d.co')).toMatchObject({ kind: 'usage' });
    expect(parseCommand('conversation ../../etc')).toMatchObject({ kind: 'usage' });
    const unknown = parseCommand('<!channel> `boom`');
    expect(unknown).toMatchObject({ kind: 'usage' });
    expect(JSON.stringify(unknown)).not.toMatch(/<!channel>/);
  });
});

describe('escapeSlack', () => {
  it('escapes the three characters Slack reads as markup', () => {
    expect(escapeSlack('<!channel> & <@U123> <https://evil.test|bank>')).toBe(
      '&lt;!channel&gt; &amp; &lt;@U123&gt; &lt;https://evil.test|bank&gt;',
    );
  });
});
