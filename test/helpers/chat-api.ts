import { afterAll, beforeAll, expect } from 'vitest';
import type { Service } from '../../src/http/server.ts';
import { deleteKeysUnder, uniquePrefix } from './redis.ts';
import { startTestService } from './service.ts';

/** One bot turn as the chat API returns it, with what the conversation tests read of it. */
export interface Turn {
  messages: { text: string }[];
  intent: string;
  escalation: null | { kind: string; reason: string };
}

/**
 * A service of its own for one test file (its own key prefix, removed after), and a POST to its
 * chat API that expects success: the shared setup of the conversation tests that talk to the API.
 */
export function useChatService(
  name: string,
  /** Settings besides the defaults, read when the service starts (after earlier `beforeAll`s). */
  env: () => Record<string, string> = () => ({}),
): {
  service: () => Service;
  post: (path: string, body: unknown) => Promise<Record<string, unknown>>;
} {
  const prefix = uniquePrefix(name);
  let service: Service;
  beforeAll(async () => {
    service = await startTestService(prefix, env());
  });
  afterAll(async () => {
    await service.close();
    await deleteKeysUnder(prefix);
  });
  const post = async (path: string, body: unknown): Promise<Record<string, unknown>> => {
    const response = await fetch(`${service.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(response.status).toBeLessThan(300);
    return (await response.json()) as Record<string, unknown>;
  };
  return { service: () => service, post };
}
