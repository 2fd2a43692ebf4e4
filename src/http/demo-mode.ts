import { randomBytes } from 'node:crypto';
import type { Config } from '../config.ts';

/**
 * The secrets the service runs with, and whether it is a demo. There are no known development
 * secrets: what the operator did not set is made at random for this run, so nothing handed out by
 * the demo is valid anywhere else, nor after a restart.
 */
export interface RunSecrets {
  /** The key customer emails are signed with: CHAT_IDENTITY_SECRET, or random for this run. */
  identitySecret: string;
  /**
   * "Sign in as" the demo accounts: on while CHAT_IDENTITY_SECRET is unset (no real host app can
   * sign for this service then, so only demo identities exist), or with DEMO_SIGN_IN=true, which
   * the configuration refuses in production.
   */
  demoSignIn: boolean;
  /** Bearer token of GET /api/escalations: ESCALATIONS_TOKEN, random in demo mode, else none (off). */
  escalationsToken: string | undefined;
  /** Whether the escalations token was made for this run (then, and only then, it is printed). */
  escalationsTokenMade: boolean;
}

/** 256 random bits, URL-safe. */
export function randomSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** Reads the secrets from the configuration and makes, for this run, the ones a demo needs. */
export function runSecretsOf(config: Config, random: () => string = randomSecret): RunSecrets {
  const demoSignIn = config.DEMO_SIGN_IN ?? config.CHAT_IDENTITY_SECRET === undefined;
  const escalationsTokenMade = config.ESCALATIONS_TOKEN === undefined && demoSignIn;
  return {
    identitySecret: config.CHAT_IDENTITY_SECRET ?? random(),
    demoSignIn,
    escalationsToken: config.ESCALATIONS_TOKEN ?? (escalationsTokenMade ? random() : undefined),
    escalationsTokenMade,
  };
}

/**
 * What `npm start` prints under its URL about the demo: that the demo sign-in is on, and the
 * escalations token made for this run (the one secret ever printed: it is random, valid for this
 * run only, and printed to the terminal that started the demo, never to a log).
 */
export function demoNotices(
  url: string,
  secrets: RunSecrets,
  options: { escalationsListed: boolean; identitySecretSet: boolean },
): string[] {
  if (!secrets.demoSignIn) return [];
  const why = options.identitySecretSet
    ? 'DEMO_SIGN_IN=true'
    : 'CHAT_IDENTITY_SECRET is not set, so a random one was made for this run';
  const notices = [`Demo sign-in is on (${why}): the chat page offers "sign in as" for the demo accounts.`];
  if (options.escalationsListed && secrets.escalationsTokenMade) {
    notices.push(
      `Escalations: GET ${url}/api/escalations with "Authorization: Bearer ${secrets.escalationsToken}" (a token made for this run; set ESCALATIONS_TOKEN to choose one).`,
    );
  }
  return notices;
}
