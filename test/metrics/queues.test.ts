import { createServer, type Server, type Socket } from 'node:net';
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueueGauges } from '../../src/metrics/queues.ts';

/** A "Redis" that accepts connections and never answers: the slowest Redis there is. */
async function silentRedis(): Promise<{ port: number; server: Server; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as { port: number }).port, server, sockets };
}

describe('queue gauges with a Redis that does not answer', () => {
  let silent: Awaited<ReturnType<typeof silentRedis>>;
  let redis: Redis;
  beforeAll(async () => {
    silent = await silentRedis();
    redis = new Redis({
      host: '127.0.0.1',
      port: silent.port,
      maxRetriesPerRequest: null,
      lazyConnect: true,
    });
    redis.on('error', () => {});
  });
  afterAll(async () => {
    redis.disconnect();
    for (const socket of silent.sockets) socket.destroy();
    await new Promise<void>((resolve) => silent.server.close(() => resolve()));
  });

  it('scrapes within the bound, without the queue series, and says which queues are missing', async () => {
    const registry = new Registry();
    const gauges = new QueueGauges(
      registry,
      { connection: redis, prefix: 'p', names: ['checks', 'turns'] },
      200,
    );
    const started = performance.now();
    const text = await registry.metrics();
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(text).not.toContain('onebalance_queue_jobs{');
    expect(text).toContain('onebalance_queue_counts_missing{queue="checks"} 1');
    expect(text).toContain('onebalance_queue_counts_missing{queue="turns"} 1');
    await gauges.close();
  });
});
