import { describe, expect, it } from 'vitest';
import { demoAccounts, demoCanaries } from '../../../src/accounts/reference/demo-accounts.ts';
import { TEST_IDENTITY_SECRET } from '../../helpers/identity.ts';
import { capturingLogger } from '../../helpers/logs.ts';
import { dumpKeysUnder } from '../../helpers/redis.ts';
import { slashCommand } from '../../helpers/slack-requests.ts';
import { AGENT, CHANNEL, eventually, SIGNING_SECRET, useSlackService } from './setup.ts';

const logs = capturingLogger();
const slack = useSlackService('slack-leak', { LOG_LEVEL: 'debug' }, logs.logger);

const FORBIDDEN = [
  ...demoCanaries(),
  ...demoAccounts(new Date(0)).map((account) => account.accountNumber),
  SIGNING_SECRET,
  TEST_IDENTITY_SECRET,
];

describe('what reaches Slack, Redis and the logs', () => {
  it('carries no canary, full account number, card number, secret or response_url', async () => {
    // A check of every demo account, and a customer who pastes a card number before asking for a person.
    for (const account of demoAccounts(new Date(0))) {
      const id = `leak-${account.email}`;
      await slack.send(
        slashCommand({
          text: `check ${account.email}`,
          userId: AGENT,
          responseUrl: slack.fake().responseUrl(id),
        }),
      );
      await eventually(
        () =>
          slack
            .fake()
            .responses(id)
            .find((each) => each.status === 200),
        `the report of ${account.email}`,
      );
    }
    const conversation = await slack.startAs('declined@demo.test');
    await slack.say(conversation, 'my card 4242 4242 4242 4242 was declined, account 7730010017007');
    await slack.say(conversation, 'I want to talk to a real person');
    await slack
      .fake()
      .waitForMessage(
        (message) =>
          message.channel === CHANNEL && JSON.stringify(message.blocks ?? []).includes(conversation),
      );
    // Slack's own token travels in the Authorization header, as it must; nothing else secret may.
    const sent = slack.fake().allText().replaceAll(slack.fake().botToken, '');
    const stored = await dumpKeysUnder(slack.prefix);
    const logged = logs.lines();
    // The scans read something: the alert, its stored state and the service's logs.
    expect(sent).toContain('declined@demo.test');
    expect(stored).toContain(conversation);
    expect(logged).toMatch(/escalation ticket created/);
    for (const forbidden of [...FORBIDDEN, '4242 4242 4242 4242']) {
      expect(sent).not.toContain(forbidden);
      expect(stored).not.toContain(forbidden);
      expect(logged).not.toContain(forbidden);
    }
    // Once used, a response_url is gone from Redis, and it was never logged nor put in job data.
    expect(stored).not.toContain('/respond/');
    expect(logged).not.toContain('/respond/');
    expect(logged).not.toContain(slack.fake().botToken);
  });
});
