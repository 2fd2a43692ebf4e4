import { describe, expect, it } from 'vitest';
import { TicketConflictError, TicketNotFoundError, type TriageDesk } from '../../src/triage/desk.ts';

/** A desk under test and the ways to change it that only its owner (Zendesk, a customer) has. */
export interface DeskHarness {
  desk: TriageDesk;
  /** Files a ticket as a customer's email would; returns its id. */
  file(input: {
    subject: string;
    body: string;
    requester: { email: string | null; verified?: boolean } | null;
  }): string;
  /** The customer replies (a public comment): the ticket's stamp moves. */
  reply(ticketId: string, body: string): void;
  remove(ticketId: string): void;
}

const email = (requester = 'declined@demo.test') => ({
  subject: 'Cannot buy postage',
  body: 'My One Balance account says suspended.',
  requester: { email: requester, verified: false },
});

/** What every TriageDesk must do (the Zendesk adapter and the in-memory reference). */
export function describeTriageDeskConformance(name: string, harness: () => DeskHarness): void {
  describe(`TriageDesk conformance: ${name}`, () => {
    it('reads a ticket, its requester and its comments as filed', async () => {
      const { desk, file } = harness();
      const id = file(email());
      const ticket = await desk.ticket(id);
      expect(ticket).toMatchObject({ id, subject: 'Cannot buy postage', priority: null });
      expect(ticket.description).toBe('My One Balance account says suspended.');
      expect(ticket.updatedAt).toMatch(/\S/);
      const requester = await desk.user(ticket.requesterId ?? '');
      expect(requester).toMatchObject({ email: 'declined@demo.test', verified: false });
      const comments = await desk.comments(id);
      expect(comments).toEqual([
        expect.objectContaining({ body: 'My One Balance account says suspended.', public: true }),
      ]);
    });

    it('writes one internal note with added tags and a priority, and moves the stamp', async () => {
      const { desk, file } = harness();
      const id = file(email());
      const before = await desk.ticket(id);
      await desk.addInternalNote(id, {
        note: 'the diagnosis',
        addTags: ['ob_triaged', 'ob_state_suspended'],
        priority: 'high',
        updatedStamp: before.updatedAt,
      });
      const after = await desk.ticket(id);
      expect(after.tags).toEqual(expect.arrayContaining(['ob_triaged', 'ob_state_suspended']));
      expect(after.priority).toBe('high');
      expect(after.updatedAt).not.toBe(before.updatedAt);
      const notes = (await desk.comments(id)).filter((comment) => !comment.public);
      expect(notes.map((note) => note.body)).toEqual(['the diagnosis']);
    });

    it('refuses a note written against an older stamp, and writes nothing', async () => {
      const { desk, file, reply } = harness();
      const id = file(email());
      const stale = (await desk.ticket(id)).updatedAt;
      reply(id, 'Any news?');
      const writing = desk.addInternalNote(id, {
        note: 'late',
        addTags: ['ob_triaged'],
        updatedStamp: stale,
      });
      await expect(writing).rejects.toBeInstanceOf(TicketConflictError);
      expect((await desk.comments(id)).some((comment) => !comment.public)).toBe(false);
      expect((await desk.ticket(id)).tags).not.toContain('ob_triaged');
    });

    it('reports a ticket that does not exist as not found, for every call', async () => {
      const { desk, file, remove } = harness();
      const id = file(email());
      const { updatedAt } = await desk.ticket(id);
      remove(id);
      await expect(desk.ticket(id)).rejects.toBeInstanceOf(TicketNotFoundError);
      await expect(desk.comments(id)).rejects.toBeInstanceOf(TicketNotFoundError);
      await expect(
        desk.addInternalNote(id, { note: 'x', addTags: [], updatedStamp: updatedAt }),
      ).rejects.toBeInstanceOf(TicketNotFoundError);
    });

    it('answers null for a user that does not exist', async () => {
      expect(await harness().desk.user('987654321')).toBeNull();
    });
  });
}
