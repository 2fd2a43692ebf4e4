/**
 * demo-mode: "sign in as" any demo account is a development convenience. A service given a real
 * identity secret (and no DEMO_SIGN_IN) must not sign identities for anyone, nor accept the
 * published development escalations token; one with no secret at all (development) must still
 * offer the demo identities.
 */

import { SECRETS } from '../canaries.ts';
import { type Answer, call } from '../client.ts';
import { blankOutcome, type Context, type Outcome, type Scenario } from '../context.ts';
import { launchBot, type Managed, shutDown, waitForOutput } from '../processes.ts';
import { RedisServer } from '../redis-server.ts';
import { tally } from './customers.ts';

const PREFIX = 'faults-demo';
const REFUSED = [401, 403, 404];

async function serve(name: string, redis: RedisServer, context: Context, env: Record<string, string>) {
  const process = launchBot(
    name,
    'serve',
    {
      HOST: '127.0.0.1',
      PORT: '0',
      REDIS_URL: redis.url,
      QUEUE_PREFIX: PREFIX,
      RUN_WORKERS: 'false',
      LOG_LEVEL: 'info',
      ...env,
    },
    context.logDir,
  );
  return { process, url: await waitForOutput(process, /is listening at (http:\/\/[0-9.:]+)/, 90_000) };
}

async function judge(secured: string, development: string, outcome: Outcome): Promise<Answer[]> {
  const identities = await call('GET', `${secured}/api/dev/identities`);
  if (!REFUSED.includes(identities.status))
    outcome.failures.push(`with CHAT_IDENTITY_SECRET set, /api/dev/identities answered ${identities.status}`);
  const escalations = await call('GET', `${secured}/api/escalations`, {
    headers: { authorization: 'Bearer development-escalations-token' },
  });
  if (!REFUSED.includes(escalations.status))
    outcome.failures.push(`the development escalations token was accepted (${escalations.status})`);
  const demo = await call<{ email: string }[]>('GET', `${development}/api/dev/identities`);
  const emails = Array.isArray(demo.body) ? demo.body.map((entry) => entry.email) : [];
  if (demo.status !== 200 || !emails.includes('hold@demo.test'))
    outcome.failures.push(
      `with no secret, /api/dev/identities answered ${demo.status} without the demo accounts`,
    );
  return [identities, escalations, demo];
}

async function run(context: Context): Promise<Outcome> {
  const redis = await RedisServer.start({ logDir: context.logDir, persistent: false });
  const processes: Managed[] = [];
  const outcome = blankOutcome('demo-mode');
  try {
    const [secured, development] = await Promise.all([
      serve('demo-secured', redis, context, { CHAT_IDENTITY_SECRET: SECRETS.identity }),
      serve('demo-development', redis, context, {}),
    ]);
    processes.push(secured.process, development.process);
    tally(outcome, await judge(secured.url, development.url, outcome));
  } finally {
    await Promise.all(processes.map((process) => shutDown(process)));
    context.dumps.push({ where: 'redis demo', text: await redis.dump(PREFIX).catch(() => '') });
    await redis.halt();
  }
  return outcome;
}

export const demoMode: Scenario = { name: 'demo-mode', budgetMs: 120_000, run };
