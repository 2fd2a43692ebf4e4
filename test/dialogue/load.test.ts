import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_INTENTS_DIR } from '../../src/config.ts';
import { loadDialogue } from '../../src/dialogue/load.ts';
import { loadIntentsOrThrow } from '../../src/intents/load.ts';

const intents = loadIntentsOrThrow(DEFAULT_INTENTS_DIR);
const copies: string[] = [];
afterAll(() => {
  for (const dir of copies) rmSync(dir, { recursive: true, force: true });
});

/** A copy of intents/ whose dialogue file `name` has `edit` applied. */
function copyWith(name: string, edit: (text: string) => string): string {
  const dir = mkdtempSync(join(tmpdir(), 'dialogue-'));
  copies.push(dir);
  cpSync(DEFAULT_INTENTS_DIR, dir, { recursive: true });
  const path = join(dir, 'dialogue', name);
  writeFileSync(path, edit(readFileSync(path, 'utf8')));
  return dir;
}

const messagesOf = (dir: string) =>
  loadDialogue(dir, intents).problems.map((problem) => `${problem.line}: ${problem.message}`);

describe('loadDialogue', () => {
  it('loads the bundled acts and follow-ups without a problem', () => {
    const { dialogue, problems } = loadDialogue(DEFAULT_INTENTS_DIR, intents);
    expect(problems).toEqual([]);
    expect(Object.keys(dialogue.acts)).toContain('how_long');
    expect(dialogue.followups.some((followup) => followup.in === 'handoff')).toBe(true);
  });

  it('is an empty dialogue for an intents folder without one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dialogue-none-'));
    copies.push(dir);
    expect(loadDialogue(dir, intents)).toEqual({ dialogue: { acts: {}, followups: [] }, problems: [] });
  });

  it('reports a condition on an unknown fact, with its line and the closest known one', () => {
    const dir = copyWith('followups.yaml', (text) =>
      text.replace('when: customer.signed_in\n', 'when: customer.signedin\n'),
    );
    expect(messagesOf(dir).join('\n')).toMatch(
      /^\d+: .*unknown fact customer\.signedin.*customer\.signed_in/m,
    );
  });

  it('reports an unknown act, an unknown placeholder and an answer no intent has', () => {
    const dir = copyWith('followups.yaml', (text) =>
      text
        .replace('act: cost', 'act: costs')
        .replace('{{answer:pricing.default}}', '{{answer:pricing.nothing}} {{accountNumber}}'),
    );
    const messages = messagesOf(dir).join('\n');
    expect(messages).toMatch(/unknown act "costs"/);
    expect(messages).toMatch(/unknown placeholder \{\{accountNumber\}\}/);
    expect(messages).toMatch(/no answer pricing\.nothing in intents\//);
  });

  it('reports an unknown placeholder in any message of a variant that says several', () => {
    const dir = copyWith('account.yaml', (text) =>
      text.replace('- "{{answer:open_account.default}}"\n', '- "{{answer:open_account.nothing}}"\n'),
    );
    expect(messagesOf(dir).join('\n')).toMatch(/\d+: .*no answer open_account\.nothing in intents\//);
  });

  it('reports an act example that is also a topic example, or under another act', () => {
    const dir = copyWith('acts.yaml', (text) =>
      text.replace(
        '      - is there a fee\n',
        '      - is there a fee\n      - what is one balance\n      - why is that\n',
      ),
    );
    const messages = messagesOf(dir).join('\n');
    expect(messages).toMatch(/example also under why: "why is that"/);
  });

  it("reports a claim that is no topic's example, and a claimed example another act has too", () => {
    const dir = copyWith('acts.yaml', (text) =>
      text
        .replace(
          '    claims:\n      - is anybody there\n',
          '    claims:\n      - is anybody there out there\n',
        )
        .replace('      - is there a fee\n', '      - is there a fee\n      - hey, anyone there?\n'),
    );
    const messages = messagesOf(dir).join('\n');
    expect(messages).toMatch(/"is anybody there out there" is no topic's example/);
    expect(messages).toMatch(/example also under claimed:still_there: "hey, anyone there\?"/);
  });

  it("reports a word list's phrase that cannot match", () => {
    const dir = copyWith('signals.yaml', (text) => text.replace('      - asap\n', '      - asap ...\n'));
    expect(messagesOf(dir).join('\n')).toMatch(/"asap \.\.\." must begin and end with a word/);
  });

  it("reports a follow-up's own example that is also a topic's example", () => {
    const topicExample = intents.find((intent) => intent.id === 'close_account')?.examples[0] ?? '';
    const dir = copyWith('followups.yaml', (text) =>
      text.replace(
        '      - can i reopen it later\n',
        `      - can i reopen it later\n      - ${topicExample}\n`,
      ),
    );
    expect(messagesOf(dir).join('\n')).toContain(`example also under close_account: "${topicExample}"`);
  });

  it('reports a follow-up that can never apply after one that answers every message of its scope', () => {
    const dir = copyWith('followups.yaml', (text) =>
      text.replace(
        '  - id: handoff.ticket_status\n',
        '  - id: handoff.everything\n    in: handoff\n    say: hi\n  - id: handoff.ticket_status\n',
      ),
    );
    expect(messagesOf(dir).join('\n')).toMatch(
      /never applies: handoff\.everything answers every message in scope handoff first/,
    );
  });
});

describe('loadDialogue over several files', () => {
  const extra = (body: string): string => {
    const dir = copyWith('followups.yaml', (text) => text);
    writeFileSync(join(dir, 'dialogue', 'zz-extra.yaml'), body);
    return dir;
  };

  it('reads follow-ups of another file after the others, with the acts of every file', () => {
    const dir = extra(
      'acts:\n  extra_act:\n    description: a test act\n    examples: [one a, two b, three c, four d, five e, six f, seven g, eight h]\nfollowups:\n  - id: extra.one\n    in: global\n    act: extra_act\n    say: An extra answer.\n',
    );
    const { dialogue, problems } = loadDialogue(dir, intents);
    expect(problems).toEqual([]);
    expect(dialogue.followups.at(-1)?.id).toBe('extra.one');
    expect(Object.keys(dialogue.acts)).toEqual(expect.arrayContaining(['extra_act', 'how_long']));
  });

  it('reports a follow-up id used twice, in the file and line of the second', () => {
    const dir = extra(
      'followups:\n  - id: handoff.how_long\n    in: global\n    act: how_long\n    say: Again.\n',
    );
    expect(loadDialogue(dir, intents).problems).toEqual([
      expect.objectContaining({
        file: expect.stringContaining('zz-extra.yaml'),
        message: expect.stringMatching(/used twice/),
      }),
    ]);
  });
});
