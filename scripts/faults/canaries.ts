/**
 * Values that must never leave the places they belong to: the backend's carrier API tokens, every
 * demo account's full account number, what a customer types that is secret, and the suite's own
 * secrets. Scans take any text (replies, log lines, Redis dumps, tickets) and name what they found.
 */
import { demoAccounts } from '../../src/accounts/reference/demo-accounts.ts';

/** The suite's secrets, given to the processes it starts. None may show up in any output. */
export const SECRETS = {
  identity: 'faults-identity-secret-3f9a1c7e52b8',
  webhook: 'faults-webhook-secret-8d2e6b4a91c0',
  escalations: 'faults-escalations-token-5c7e1a9f',
  backendToken: 'faults-backend-token-2b8d4f6a',
  zendeskToken: 'faults-zendesk-token-7a1c3e5b',
} as const;

/** What the customer types in typed-secrets. */
export const TYPED = {
  card: '4242 4242 4242 4242',
  password: 'Hunter2!x',
} as const;

const luhnValid = (digits: string) => {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) digit = digit * 2 > 9 ? digit * 2 - 9 : digit * 2;
    sum += digit;
  }
  return sum % 10 === 0;
};

/**
 * The customer of typed-secrets: an account whose full number is not also a valid card number,
 * so that only masking of account numbers (not the card filter) can keep it out.
 */
export function typedSecretsCustomer(): { email: string; accountNumber: string } {
  const candidates = demoAccounts(new Date()).filter((account) => account.status === 'active');
  const pick = candidates.find((account) => !luhnValid(account.accountNumber)) ?? candidates[0];
  if (pick === undefined) throw new Error('no active demo account');
  return { email: pick.email, accountNumber: pick.accountNumber };
}

export interface Canary {
  name: string;
  value: string;
}

export function canaries(): Canary[] {
  const accounts = demoAccounts(new Date());
  return [
    { name: 'carrierApiToken', value: 'cat_live_canary_' },
    ...accounts.map((account) => ({
      name: `account number of ${account.email}`,
      value: account.accountNumber,
    })),
    { name: 'typed card number', value: TYPED.card },
    { name: 'typed card number (digits)', value: TYPED.card.replace(/ /g, '') },
    { name: 'typed password', value: TYPED.password },
    ...Object.entries(SECRETS).map(([name, value]) => ({ name: `${name} secret`, value })),
  ];
}

export interface Leak {
  canary: string;
  where: string;
  excerpt: string;
}

/** Every canary found in `text`, with a short excerpt around it (the canary itself masked). */
export function scan(where: string, text: string, list: readonly Canary[] = canaries()): Leak[] {
  const leaks: Leak[] = [];
  for (const canary of list) {
    const at = text.indexOf(canary.value);
    if (at < 0) continue;
    const excerpt = text
      .slice(Math.max(0, at - 60), at + canary.value.length + 20)
      .replaceAll(canary.value, `<${canary.name}>`)
      .replace(/\s+/g, ' ');
    leaks.push({ canary: canary.name, where, excerpt });
  }
  return leaks;
}
