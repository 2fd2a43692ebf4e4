import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { type WebSocket, WebSocketServer } from 'ws';

/**
 * Socket Mode on the Slack fake: `apps.connections.open` (with the app token) answers this
 * server's WebSocket address; a connected app is greeted with `hello`, and a test sends it
 * envelopes (a slash command, an interaction, an event) and reads the ack the app sends back.
 */
export class SlackSocketSide {
  private readonly sockets: WebSocket[] = [];
  private readonly acks = new Map<string, (payload: unknown) => void>();
  private readonly server: WebSocketServer;

  constructor(
    http: Server,
    readonly appToken: string,
  ) {
    this.server = new WebSocketServer({ server: http, path: '/socket' });
    this.server.on('connection', (socket) => {
      this.sockets.push(socket);
      socket.on('message', (data) => this.acked(String(data)));
      socket.send(
        JSON.stringify({ type: 'hello', num_connections: 1, connection_info: { app_id: 'A0FAKEAPP' } }),
      );
    });
  }

  /** The answer of `apps.connections.open` for this origin. */
  openAnswer(origin: string): { ok: true; url: string } {
    return { ok: true, url: `${origin.replace(/^http/, 'ws')}/socket` };
  }

  /** Waits until an app is connected. */
  async connected(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.sockets.every((socket) => socket.readyState !== socket.OPEN)) {
      if (Date.now() > deadline) throw new Error('no Socket Mode connection');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Sends an envelope to the connected app; resolves with the payload of its ack. */
  send(
    type: 'slash_commands' | 'interactive' | 'events_api',
    payload: unknown,
    timeoutMs = 5_000,
  ): Promise<unknown> {
    const socket = this.sockets.findLast((each) => each.readyState === each.OPEN);
    if (socket === undefined) throw new Error('no Socket Mode connection');
    const envelopeId = randomUUID();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ack for ${type}`)), timeoutMs);
      this.acks.set(envelopeId, (ack) => {
        clearTimeout(timer);
        resolve(ack);
      });
      socket.send(
        JSON.stringify({
          envelope_id: envelopeId,
          type,
          payload,
          accepts_response_payload: true,
          retry_attempt: 0,
        }),
      );
    });
  }

  private acked(data: string): void {
    try {
      const { envelope_id: envelopeId, payload } = JSON.parse(data) as {
        envelope_id?: string;
        payload?: unknown;
      };
      if (envelopeId !== undefined) this.acks.get(envelopeId)?.(payload ?? null);
    } catch {
      // Not an ack: ignored, as Slack would.
    }
  }

  close(): void {
    for (const socket of this.sockets) socket.terminate();
    this.server.close();
  }
}
