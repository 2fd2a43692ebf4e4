import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StreamSlots } from '../../../src/channels/web/stream-slots.ts';
import type { Service } from '../../../src/http/server.ts';
import { deleteKeysUnder, uniquePrefix } from '../../helpers/redis.ts';
import { startTestService } from '../../helpers/service.ts';

describe('StreamSlots', () => {
  it('caps streams per address and per conversation, and a slot released (once or twice) frees one', () => {
    const slots = new StreamSlots({ perAddress: 3, perConversation: 2 });
    const a1 = slots.take('203.0.113.1', 'c_a');
    const a2 = slots.take('203.0.113.1', 'c_a');
    expect(a1.ok && a2.ok).toBe(true);
    expect(slots.take('203.0.113.1', 'c_a')).toEqual({ ok: false, over: 'conversation' });
    // Another address is held to the same conversation cap.
    expect(slots.take('203.0.113.2', 'c_a')).toEqual({ ok: false, over: 'conversation' });
    expect(slots.take('203.0.113.1', 'c_b').ok).toBe(true);
    expect(slots.take('203.0.113.1', 'c_c')).toEqual({ ok: false, over: 'address' });
    if (!a1.ok) throw new Error('unreachable');
    a1.slot.release();
    a1.slot.release();
    expect(slots.openCount()).toEqual({ addresses: 1, conversations: 2, streams: 2 });
    expect(slots.take('203.0.113.1', 'c_c').ok).toBe(true);
    expect(slots.take('203.0.113.1', 'c_d')).toEqual({ ok: false, over: 'address' });
  });
});

describe('the event streams of the web chat', () => {
  const prefix = uniquePrefix('streams');
  let service: Service;
  const open: AbortController[] = [];
  beforeAll(async () => {
    service = await startTestService(prefix, { MAX_STREAMS_PER_IP: '3', MAX_STREAMS_PER_CONVERSATION: '2' });
  });
  afterAll(async () => {
    for (const controller of open) controller.abort();
    await service.close();
    await deleteKeysUnder(prefix);
  });

  const conversation = async () => {
    const response = await fetch(`${service.url}/api/conversations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    return ((await response.json()) as { id: string }).id;
  };
  /** Opens a stream and keeps it open (its controller closes it). */
  const stream = async (id: string) => {
    const controller = new AbortController();
    const response = await fetch(`${service.url}/api/conversations/${id}/events`, {
      signal: controller.signal,
    });
    if (response.status === 200) open.push(controller);
    return { response, close: () => controller.abort() };
  };

  it('refuses streams over the caps with 429, Retry-After and why; a closed stream frees its slot', async () => {
    const [first, second, third] = [await conversation(), await conversation(), await conversation()];
    const kept = [await stream(first), await stream(first)];
    expect(kept.map(({ response }) => response.status)).toEqual([200, 200]);
    const overConversation = (await stream(first)).response;
    expect(overConversation.status).toBe(429);
    expect(Number(overConversation.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await overConversation.json()).toEqual({
      error: {
        code: 'rate_limited',
        message: 'Too many open event streams for this conversation (at most 2); close one and try again.',
      },
    });
    expect((await stream(second)).response.status).toBe(200);
    const overAddress = (await stream(third)).response;
    expect(overAddress.status).toBe(429);
    expect(((await overAddress.json()) as { error: { message: string } }).error.message).toMatch(
      /^Too many open event streams from this address \(at most 3\)/,
    );
    // The client goes away: its slot is free again as soon as the server sees the close.
    kept[0]?.close();
    const deadline = Date.now() + 5_000;
    let reopened = await stream(third);
    while (reopened.response.status === 429 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      reopened = await stream(third);
    }
    expect(reopened.response.status).toBe(200);
  });
});
