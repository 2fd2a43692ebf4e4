/**
 * A redis-server of the suite's own, on a free loopback port: never the shared 127.0.0.1:6379.
 * It can be stopped and started again on the same port (with an append-only file, so that its data
 * survives the restart as a production Redis's would) or frozen with SIGSTOP.
 */
import { mkdirSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { keysUnder } from '../../src/queue/redis.ts';
import { launch, type Managed, stop, waitFor } from './processes.ts';

/** A port nobody listens on now (the kernel's pick, released at once). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no free port');
  return address.port;
}

/** One PING over a raw socket: answers true or false within `timeoutMs`, never hangs. */
export function ping(port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}

export class RedisServer {
  private process: Managed | undefined;

  private constructor(
    readonly port: number,
    private readonly args: string[],
    private readonly logDir: string,
  ) {}

  static async start(options: { logDir: string; persistent: boolean }): Promise<RedisServer> {
    const port = await freePort();
    const dir = join(options.logDir, `redis-${port}`);
    mkdirSync(dir, { recursive: true });
    const persistence = options.persistent
      ? ['--appendonly', 'yes', '--appendfsync', 'always']
      : ['--appendonly', 'no'];
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--dir', dir, ...persistence];
    const server = new RedisServer(port, args, options.logDir);
    await server.resume();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.process?.pid;
  }

  /** Starts (again) on the same port and waits until it answers PING. */
  async resume(): Promise<void> {
    this.process = launch('redis', 'redis-server', this.args, { logDir: this.logDir });
    const current = this.process;
    await waitFor(
      `redis-server on port ${this.port}`,
      async () => {
        if (current.done()) throw new Error(`redis-server exited: ${current.output().slice(-500)}`);
        return (await ping(this.port, 500)) ? true : undefined;
      },
      15_000,
      100,
    );
  }

  /** A graceful shutdown (SIGTERM: the append-only file is flushed); waits for the process to leave. */
  async halt(): Promise<void> {
    if (this.process === undefined) return;
    if ((await stop(this.process, 'SIGTERM', 10_000)) === 'timeout')
      await stop(this.process, 'SIGKILL', 5_000);
  }

  freeze(): void {
    if (this.process) process.kill(this.process.pid, 'SIGSTOP');
  }

  thaw(): void {
    if (this.process) process.kill(this.process.pid, 'SIGCONT');
  }

  /** A short-lived client whose commands fail instead of waiting for a Redis that does not answer. */
  client(): Redis {
    return new Redis(this.port, '127.0.0.1', {
      maxRetriesPerRequest: 1,
      commandTimeout: 5_000,
      connectTimeout: 2_000,
      retryStrategy: () => null,
    });
  }

  /** Runs `use` on a fresh client and disconnects it whatever happens. */
  async with<T>(use: (redis: Redis) => Promise<T>): Promise<T> {
    const redis = this.client();
    redis.on('error', () => undefined);
    try {
      return await use(redis);
    } finally {
      redis.disconnect();
    }
  }

  /** Active jobs of a BullMQ queue under `prefix` (BullMQ keeps them in the list `prefix:queue:active`). */
  activeJobs(prefix: string, queue: string): Promise<number> {
    return this.with((redis) => redis.llen(`${prefix}:${queue}:active`));
  }

  /** Every key and value under `prefix`, as text: strings, hashes, lists, sets, sorted sets, streams. */
  dump(prefix: string): Promise<string> {
    return this.with(async (redis) => {
      const parts: string[] = [];
      for (const key of await keysUnder(redis, prefix)) parts.push(key, await readValue(redis, key));
      return parts.join('\n');
    });
  }
}

async function readValue(redis: Redis, key: string): Promise<string> {
  switch (await redis.type(key)) {
    case 'string':
      return (await redis.get(key)) ?? '';
    case 'hash':
      return JSON.stringify(await redis.hgetall(key));
    case 'list':
      return JSON.stringify(await redis.lrange(key, '0', '-1'));
    case 'set':
      return JSON.stringify(await redis.smembers(key));
    case 'zset':
      return JSON.stringify(await redis.zrange(key, '0', '-1'));
    case 'stream':
      return JSON.stringify(await redis.xrange(key, '-', '+'));
    default:
      return '';
  }
}
