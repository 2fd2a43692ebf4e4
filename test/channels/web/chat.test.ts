import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCanaries } from '../../../src/accounts/reference/demo-accounts.ts';
import type { Fault } from '../../../src/accounts/reference/server.ts';
import { INTENT_LABELS } from '../../../src/conversations/policies.ts';
import { signIdentity } from '../../../src/core/identity.ts';
import type { Service } from '../../../src/http/server.ts';
import { recordStart, recordTurn } from '../../helpers/golden.ts';
import { identityOf } from '../../helpers/identity.ts';
import { deleteKeysUnder, uniquePrefix } from '../../helpers/redis.ts';
import { startTestService } from '../../helpers/service.ts';

const prefix = uniquePrefix('chat');
let service: Service;
let base: string;

beforeAll(async () => {
  service = await startTestService(prefix, { CHECK_WAIT_MS: '1500', RATE_LIMIT_PER_CONVERSATION: '8' });
  base = service.url;
});
afterAll(async () => {
  await service.close();
  await deleteKeysUnder(prefix);
});

interface Turn {
  messages: {
    id: string;
    role: string;
    text: string;
    phone?: string;
    choices?: { label: string; reply: string }[];
  }[];
  intent: string;
  confidence: number;
  checks: { name: string; status: string; result?: Record<string, unknown> }[];
  escalation: null | { kind: string; phone?: string; reason: string; id?: string };
  pending: boolean;
}

async function post(
  path: string,
  body: unknown,
  headers: Record<string, string> = { 'content-type': 'application/json' },
) {
  const response = await fetch(`${base}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
  return {
    status: response.status,
    headers: response.headers,
    json: (await response.json()) as Record<string, unknown>,
  };
}

async function startAs(email?: string): Promise<string> {
  const body = email === undefined ? {} : { email, identity: identityOf(email) };
  const created = await post('/api/conversations', body);
  recordStart(email, created.json);
  expect(created.status).toBe(201);
  expect(created.json.verified).toBe(email !== undefined);
  return created.json.id as string;
}

async function say(id: string, text: string): Promise<Turn> {
  const response = await post(`/api/conversations/${id}/messages`, { text });
  recordTurn(id, text, response.json);
  expect(response.status, JSON.stringify(response.json)).toBe(200);
  const turn = response.json as unknown as Turn;
  for (const canary of demoCanaries()) expect(JSON.stringify(turn)).not.toContain(canary);
  return turn;
}

/** Suspends hold@demo.test again in the embedded reference store: the bot lifts its hold in each test. */
function placeHoldAgain(): void {
  const record = service.runtime.accounts?.embedded?.store.findRecord({ email: 'hold@demo.test' });
  if (record === undefined) throw new Error('hold@demo.test is missing from the reference store');
  record.suspension = { reason: 'temporary_hold', since: new Date().toISOString() };
  record.status = 'suspended';
}

/** The embedded reference backend misbehaves once on requests under `pathPrefix`. */
function injectOnce(pathPrefix: string, fault: Omit<Fault, 'count' | 'pathPrefix'>): void {
  const embedded = service.runtime.accounts?.embedded;
  if (embedded === undefined) throw new Error('the service has no embedded reference backend');
  embedded.injectFault({ ...fault, count: 1, pathPrefix });
}

const allText = (turn: Turn) => turn.messages.map((message) => message.text).join('\n');

describe('customer conversations, one per demo account', () => {
  it('active: healthy account, nothing to fix; "it still fails" next brings in a person, as promised', async () => {
    const id = await startAs('active@demo.test');
    const turn = await say(id, 'is my one balance account suspended?');
    expect(turn.intent).toBe('explain_suspension');
    expect(allText(turn)).toMatch(/not suspended and it is connected/);
    expect(allText(turn)).toMatch(/still fails .* tell me and I will pass it to a person/);
    expect(turn.escalation).toBeNull();
    // Questions are not word that it still fails.
    for (const question of ['is it still suspended?', 'will it happen again?'])
      expect((await say(id, question)).escalation, question).toBeNull();
    await say(id, 'is my one balance account suspended?');
    const still = await say(id, 'it still fails');
    expect(still.intent).toBe('explain_suspension');
    expect(still.escalation).toMatchObject({ kind: 'ticket', reason: 'fails_though_healthy' });
    expect(allText(still)).toMatch(/A person from our support team is taking over/);
    expect((await service.store.get(id))?.handoff).toBeDefined();
  });

  it('active: "how do i switch to ups" and "I would rather ship with ups than usps" get that the same account covers UPS, not the offer of a person', async () => {
    const id = await startAs('active@demo.test');
    for (const asks of [
      'how do i switch to ups',
      'can I switch to UPS?',
      'I would rather ship with ups than usps',
    ]) {
      const turn = await say(id, asks);
      expect(turn.intent).toBe('pricing');
      expect(allText(turn)).toMatch(/USPS and UPS among them.*up to 62% off UPS shipments/s);
    }
    // Asked how to add UPS, the answer is that nothing needs adding (the whole prices answer before).
    for (const asks of ['how do i connect ups to one balance', 'can i add ups']) {
      const turn = await say(id, asks);
      expect(turn.intent).toBe('pricing');
      expect(allText(turn)).toMatch(
        /^UPS comes with your One Balance account: the same account buys USPS and UPS labels.*no separate UPS account to connect/,
      );
    }
  });

  it('active, missing from the app: connected and active, so only a reload; still missing, a person', async () => {
    const id = await startAs('active@demo.test');
    const turn = await say(id, "my one balance account doesn't show up in the app");
    expect(allText(turn)).toMatch(/connected to your store and active, so nothing needs fixing/);
    expect(turn.escalation).toBeNull();
    const still = await say(id, "I reloaded, it's still missing");
    expect(still.escalation).toMatchObject({ kind: 'ticket', reason: 'missing_though_connected' });
  });

  it('active, First Class: the plan allows it; a purchase that still fails brings in a person', async () => {
    const id = await startAs('active@demo.test');
    const turn = await say(id, "I can't buy first class labels");
    expect(allText(turn)).toMatch(/does allow First Class/);
    // The classifier takes "still failing" alone for a registration error: it names no topic.
    const still = await say(id, 'still failing');
    expect(still.intent).toBe('first_class_plan');
    expect(still.escalation).toMatchObject({ kind: 'ticket', reason: 'first_class_fails_though_allowed' });
    // Quoting the error it asked for is the same report (it got the plan answer again).
    const quoted = await startAs('active@demo.test');
    await say(quoted, 'can i buy first class labels?');
    const says = await say(quoted, 'it says first class not available');
    expect(allText(says)).toMatch(/^Thank you for letting me know\. Your account looks fine from here/);
    expect(says.escalation).toMatchObject({ kind: 'ticket', reason: 'first_class_fails_though_allowed' });
  });

  it('active, First Class: the promise of a person outlives one message not understood, and "it\'s just not there" keeps it', async () => {
    const id = await startAs('active@demo.test');
    await say(id, 'i cant find first class option when buying labels');
    expect((await say(id, 'where is it supposed to be')).intent).toBe('out_of_scope');
    const missing = await say(id, "it's just not there");
    expect(allText(missing)).toMatch(/^Thank you for letting me know\. Your account looks fine from here/);
    expect(missing.escalation).toMatchObject({ kind: 'ticket', reason: 'first_class_fails_though_allowed' });
    expect(missing.intent).toBe('first_class_plan');
    // "It only shows priority" is the same report, after a detail the bot does not take up.
    const only = await startAs('active@demo.test');
    await say(only, 'first class option is missing when I create a label');
    await say(only, "I'm using a flat rate envelope");
    const priority = await say(only, 'it only shows priority');
    expect(priority.escalation).toMatchObject({ kind: 'ticket', reason: 'first_class_fails_though_allowed' });
    const servicesOnly = await startAs('active@demo.test');
    await say(servicesOnly, "first class isn't showing when i make a label");
    const services = await say(servicesOnly, "it's only priority and ground advantage");
    expect(services.escalation).toMatchObject({ kind: 'ticket', reason: 'first_class_fails_though_allowed' });
  });

  it('active, First Class: "what about priority mail?" is told what the plan check covers, and the promise of a person holds', async () => {
    const id = await startAs('active@demo.test');
    await say(id, 'does my plan include first class');
    for (const question of ['what about priority mail', 'and media mail?']) {
      const turn = await say(id, question);
      expect(allText(turn)).toBe(
        'The plan check I can run tells only whether First Class is allowed; I cannot see which other USPS services your plan covers. If buying such a label fails, tell me the error you see and I will pass it to a person.',
      );
      expect(turn.escalation).toBeNull();
    }
    const error = await say(id, 'the error says service not available');
    expect(error.escalation).toMatchObject({ kind: 'ticket', reason: 'first_class_fails_though_allowed' });
    // A visitor saying only Priority shows is told that needs a person, and offered one.
    const visitor = await startAs();
    await say(visitor, "why can't i pick first class");
    expect(allText(await say(visitor, "it's only priority"))).toMatch(
      /^Then First Class is missing from your choices, .*shall I pass this to a person on our support team now\? \(yes \/ no\)$/s,
    );
    expect((await say(visitor, 'yes')).escalation).toMatchObject({ kind: 'ticket' });
  });

  it('active: "and the password?" after the details is told where the app keeps it, and "it doesn\'t work though" gets the reset', async () => {
    const id = await startAs('active@demo.test');
    await say(id, 'whats my username');
    const password = await say(id, 'and the password?');
    expect(password.intent).toBe('find_credentials');
    expect(allText(password)).toMatch(
      /^I never show passwords in chat, and I cannot see yours\. The app keeps your One Balance credentials, the password among them, on the ONE BALANCE & CARRIERS page/,
    );
    expect(password.checks).toEqual([]);
    const fails = await say(id, "it doesn't work though");
    expect(fails.intent).toBe('reset_stamps_password');
    expect(allText(fails)).toMatch(/"forgot password" link on the Stamps\.com sign-in page/);
    // A password that fails, asked of right after the details, is the reset's at once.
    const forgot = await startAs('active@demo.test');
    await say(forgot, 'whats my username');
    expect(allText(await say(forgot, 'what about the password? i forgot it'))).toMatch(
      /"forgot password" link/,
    );
  });

  it('active: a failing UPS label (or "label printing failed with error code 500") is a failing purchase, checked, and the error quoted after it brings the promised person; "update my billing info" is where the card is changed', async () => {
    const id = await startAs('active@demo.test');
    const ups = await say(id, "hi i'm trying to print a ups label but it errors");
    expect(ups.intent).toBe('explain_suspension');
    expect(allText(ups)).toMatch(/not suspended and it is connected, so postage should go through/);
    const error = await say(id, 'the error says account not authorized');
    expect(error.escalation).toMatchObject({ kind: 'ticket' });
    // Read as a registration error ("failed", "error"), which found the registration complete.
    const code = await say(await startAs('active@demo.test'), 'label printing failed with error code 500');
    expect(code.intent).toBe('explain_suspension');
    expect(code.checks.map((check) => check.name)).toContain('account.suspension');
    // Registering named, it stays the registration check.
    const registering = await say(await startAs('active@demo.test'), 'registration failed with an error');
    expect(registering.intent).toBe('registration_error');
    // "Update my billing info" is changing the card (it was out of scope).
    expect(allText(await say(await startAs('active@demo.test'), 'need to update my billing info'))).toMatch(
      /^The payment card is kept with your One Balance account/,
    );
  });

  it('active: the full account number is refused with its last four digits, and "I forgot it" after the reset is what the reset is for', async () => {
    const id = await startAs('active@demo.test');
    await say(id, 'whats my one balance username');
    for (const question of ['can you show me the full account number', 'give me the whole number']) {
      const turn = await say(id, question);
      expect(turn.intent).toBe('find_credentials');
      expect(allText(turn)).toMatch(
        /I only show the last four digits of the account number in chat: yours ends in \d{4}\./,
      );
    }
    await say(id, 'and the password?');
    const forgot = await say(id, 'I forgot it');
    expect(allText(forgot)).toMatch(/^That is what the reset is for: you do not need the old password\./);
    expect(forgot.escalation).toBeNull();
  });

  it('active: a login refused as invalid credentials gets the Stamps.com password reset, not the masked details', async () => {
    const id = await startAs('active@demo.test');
    await say(id, 'how do I log in to one balance');
    const refused = await say(id, 'it says invalid credentials');
    expect(refused.intent).toBe('reset_stamps_password');
    expect(allText(refused)).toMatch(/To reset your Stamps\.com password/);
    expect(allText(refused)).not.toMatch(/username a\*+e/);
  });

  it('active: "let me try again" is no misunderstanding, and the promise holds for the message after it', async () => {
    const id = await startAs('active@demo.test');
    await say(id, 'my postage purchase failed');
    const trying = await say(id, 'ok let me try again');
    expect(allText(trying)).toMatch(/^All right, let me know how it goes/);
    expect(trying.escalation).toBeNull();
    expect(trying.intent).toBe('explain_suspension');
    const still = await say(id, 'still failing');
    expect(still.intent).toBe('explain_suspension');
    expect(still.escalation).toMatchObject({ kind: 'ticket', reason: 'fails_though_healthy' });
  });

  it('says what the customer will try is not a yes to a person, nor a second misunderstanding', async () => {
    const id = await startAs('regfail@demo.test');
    await say(id, 'trying to register one balance and the text code never comes');
    const offered = await say(id, 'is the form available in spanish?');
    expect(offered.intent).toBe('out_of_scope');
    expect(allText(offered)).toMatch(/shall I pass you to them\?/);
    const trying = await say(id, 'ok I will try a call instead');
    expect(trying.escalation).toBeNull();
    expect(allText(trying)).toMatch(/^All right, let me know how it goes/);
    expect((await service.store.get(id))?.tickets).toEqual([]);
  });

  it('visitor: "I\'m not signed in" is fine ("...how do I sign in?" is answered), and "is there a number I can call?" after the suspension steps gets the Stamps line', async () => {
    const id = await startAs();
    await say(id, "my account is suspended and I can't buy labels");
    const notSignedIn = await say(id, "I'm not signed in, I'm on my phone");
    expect(allText(notSignedIn)).toMatch(/^That is fine: I can still answer general questions/);
    // Said together with the question, the question is what is answered.
    const how = await say(await startAs(), "i'm not logged in, how do i sign in");
    expect(allText(how)).toMatch(/^Sign in to the shipping app as you usually do/);
    // Read as a person wanted (0.97) and handed off before.
    const number = await say(id, 'is there a number I can call?');
    expect(allText(number)).toMatch(/^You can reach Stamps at \(855\) 889-7867\./);
    expect(number.escalation).toBeNull();
    expect((await service.store.get(id))?.handoff).toBeUndefined();
    // Naming a person of ours is still a request for one.
    expect((await say(id, 'can I call someone from your team instead?')).intent).toBe('talk_to_human');
    // The same after the Stamps line was given as an escalation.
    const declined = await startAs('declined@demo.test');
    await say(declined, 'why is my account suspended');
    expect(allText(await say(declined, 'is there a number I can call?'))).toMatch(/^You can reach Stamps at/);
    expect((await say(declined, "what's my account number?")).intent).toBe('find_credentials');
  });

  it('visitor: "it says contact shippingeasy support" after the suspension steps is told this chat is that support, not sent the steps again', async () => {
    const id = await startAs();
    await say(id, 'my account got suspended');
    const alert = await say(id, 'it says contact shippingeasy support');
    expect(allText(alert)).toMatch(
      /^That is the suspension alert, and this chat is the support it asks you to contact\./,
    );
    expect(allText(alert)).not.toMatch(/What fixes it, in order/);
    expect(alert.escalation).toBeNull();
  });

  it('visitor: "ok i reset it and put it in the app" after the reset steps is told to try postage and what signing in adds, not sent the steps again', async () => {
    const id = await startAs();
    await say(id, 'my labels wont print says account suspended');
    await say(id, 'i changed my stamps password last week');
    const done = await say(id, 'ok i reset it and put it in the app');
    expect(allText(done)).toMatch(
      /^Good: with the new password entered on the ONE BALANCE & CARRIERS page.*try buying postage now\. If it still fails, sign in/,
    );
    expect(allText(done)).not.toMatch(/To reset your Stamps\.com password/);
    const card = await startAs();
    await say(card, 'my labels wont print says account suspended');
    expect(allText(await say(card, 'ok i updated my card'))).toMatch(
      /^Good: with the card updated, try buying postage now\./,
    );
  });

  it('"how much postage do i have left" is told the bot cannot see the balance, not the prices', async () => {
    const turn = await say(await startAs('declined@demo.test'), 'how much postage do i have left');
    expect(allText(turn)).toMatch(/^I cannot see your postage balance from here/);
  });

  it('visitor: "are they open on weekends?" after the general suspension steps is about the Stamps line', async () => {
    const id = await startAs();
    await say(id, 'helo, my acount got suspnded and i cant by postage');
    const hours = await say(id, 'are they open on weekends');
    expect(allText(hours)).toMatch(
      /^I do not know Stamps' opening hours, sorry: I only have their number, \(855\) 889-7867/,
    );
    expect(hours.escalation).toBeNull();
  });

  it('"I already did all that" after the general suspension steps: the Stamps line, and why to sign in', async () => {
    const id = await startAs();
    await say(id, 'my account got suspended what do i do');
    const did = await say(id, 'I already did all that');
    expect(did.intent).toBe('explain_suspension');
    expect(allText(did)).toMatch(/^If the account is still suspended after those steps.*\(855\) 889-7867/);
    expect(allText(did)).toMatch(/sign in/);
    // Signed in, after an answer that found nothing wrong, it is word that it still fails.
    const active = await startAs('active@demo.test');
    await say(active, 'is my account suspended');
    expect((await say(active, 'I already tried all that')).escalation).toMatchObject({
      reason: 'fails_though_healthy',
    });
  });

  it('answers venting with an apology and the way forward, not the list of topics', async () => {
    const first = await say(await startAs('active@demo.test'), 'this bot is useless');
    expect(allText(first)).toMatch(
      /^I am sorry this has been so frustrating\. Would you like me to pass you to a person/,
    );
    expect(first.messages.at(-1)?.choices).toBeDefined();
    // A thank-you or goodbye said in frustration is venting, not "you're welcome"; a plain one is not.
    for (const sarcastic of ['thanks for nothing', 'this was useless, bye']) {
      const conversation = await startAs('active@demo.test');
      await say(conversation, 'how do i log in');
      expect(allText(await say(conversation, sarcastic))).toMatch(/^I am sorry this has been so frustrating/);
    }
    const plain = await startAs('active@demo.test');
    await say(plain, 'how do i log in');
    expect(allText(await say(plain, 'thanks a lot, bye'))).not.toMatch(/frustrating/);
    const id = await startAs('review@demo.test');
    await say(id, 'why is my account suspended');
    const vent = await say(id, 'this is ridiculous');
    expect(allText(vent)).toMatch(
      /^I am sorry.*Calling Stamps at \(855\) 889-7867.*already has this conversation/,
    );
    expect(allText(vent)).not.toMatch(/I can only help/);
    expect((await service.store.get(id))?.tickets).toHaveLength(1);
  });

  it('"how do I change it?" after an answer asks about that answer', async () => {
    const id = await startAs('active@demo.test');
    await say(id, 'how do I reset my stamps.com password');
    const how = await say(id, 'how do I change it');
    expect(how.intent).toBe('reset_stamps_password');
    expect(allText(how)).toMatch(/forgot password/);
  });

  it('active: a failure on another topic named after a healthy answer is that topic, not the promise', async () => {
    const id = await startAs('active@demo.test');
    await say(id, "I can't buy first class labels");
    const registration = await say(id, 'my registration still fails');
    expect(registration.intent).toBe('registration_error');
    expect(registration.escalation).toBeNull();
  });

  it('active: "it still fails" only answers the message just before it', async () => {
    const id = await startAs('active@demo.test');
    await say(id, 'is my one balance account suspended?');
    await say(id, 'what does one balance cost?');
    const later = await say(id, 'it still fails');
    expect(later.escalation).toBeNull();
    expect(later.intent).toBe('out_of_scope');
  });

  it('pw-changed: guides a Stamps.com password reset and re-entry, then a retry', async () => {
    const id = await startAs('pw-changed@demo.test');
    const turn = await say(id, 'I cannot buy postage, my account got suspended');
    expect(allText(turn)).toMatch(/still suspended/);
    expect(allText(turn)).toMatch(/Stamps\.com password changed recently/);
    expect(allText(turn)).toMatch(/try to unsuspend the account again/);
    expect(turn.checks.map((check) => check.name)).toEqual(['account.suspension', 'account.unsuspend']);
    const done = [{ label: 'Done, the new password is entered', reply: 'done' }];
    expect(turn.messages.at(-1)?.choices).toEqual(done);
    // "How do I do that?" gets the reset steps, not the same answer again; the wait goes on.
    const how = await say(id, 'how do I do that?');
    expect(allText(how)).toMatch(/"forgot password" link on the Stamps\.com sign-in page/);
    expect(how.messages.at(-1)?.choices).toEqual(done);
    expect(how.checks).toEqual([]);
    // A follow-up that refers back.
    const followUp = await say(id, 'what about the password?');
    expect(followUp.intent).toBe('reset_stamps_password');
    expect(allText(followUp)).toMatch(/suspended because of a recent password change/);
    expect(followUp.messages.at(-1)?.choices).toEqual(done);
    // "ok thanks" acknowledges the advice and "I did not get the email" is a problem: neither is
    // word that the password was entered.
    expect((await say(id, 'ok thanks')).checks).toEqual([]);
    expect((await say(id, 'I did not get the reset email')).checks.map((check) => check.name)).not.toContain(
      'account.unsuspend',
    );
    // The customer did it: the bot tries again, and still suspended after the advice means the Stamps line.
    const retried = await say(id, "done, I've entered the new password");
    expect(retried.intent).toBe('explain_suspension');
    expect(retried.checks.map((check) => check.name)).toEqual(['account.suspension', 'account.unsuspend']);
    expect(allText(retried)).toMatch(/still suspended even after the password advice/);
    expect(retried.escalation).toMatchObject({ kind: 'phone', phone: '(855) 889-7867' });
    // Answered: a second "done" is not a second attempt.
    expect((await say(id, 'done')).checks).toEqual([]);
    // "Still broken" names no topic: it checks the suspension again, which has not changed, so the
    // Stamps line once more in short, and no second ticket.
    const ticketsBefore = (await service.store.get(id))?.tickets.length;
    const broken = await say(id, 'still broken');
    expect(broken.intent).toBe('explain_suspension');
    expect(broken.checks.map((check) => check.name)).toEqual(['account.suspension', 'account.unsuspend']);
    expect(allText(broken)).toMatch(
      /^One moment.*I checked again just now, and it has not changed\. Your account is suspended because of a recent change of your Stamps\.com password.*\(855\) 889-7867.*already has your case\.$/s,
    );
    expect(broken.escalation).toMatchObject({ kind: 'phone', reason: 'password_changed' });
    expect((await service.store.get(id))?.tickets).toHaveLength(ticketsBefore ?? -1);
  });

  it('pw-changed: "do I enter it in the app or on stamps.com?" is told both, in order, and the wait goes on; a visitor after the reset steps too', async () => {
    const id = await startAs('pw-changed@demo.test');
    await say(id, 'I reset my stamps password but the app still says suspended');
    // The whole reset answer came back, with the place only in its third step.
    const which = await say(id, 'do i enter it in the app or on stamps.com');
    expect(allText(which)).toMatch(/^Both, one after the other: you reset the password on Stamps\.com/);
    expect(allText(which)).not.toMatch(/To reset your Stamps\.com password:/);
    expect(which.checks).toEqual([]);
    expect((await service.store.get(id))?.offer).toMatchObject({
      kind: 'unsuspend_retry',
      after: 'password',
    });
    const visitor = await startAs();
    await say(visitor, 'how do i reset my stamps password');
    expect(allText(await say(visitor, 'do i change it in the app or on stamps'))).toMatch(
      /^Both, one after the other/,
    );
  });

  it('pw-changed: "did it work?" after the Stamps line checks again and says so in short', async () => {
    const id = await startAs('pw-changed@demo.test');
    await say(id, 'i changed my stamps password last week and now nothing works');
    await say(id, 'ok I reset it and put the new one in');
    const ticketsBefore = (await service.store.get(id))?.tickets.length;
    const worked = await say(id, 'did it work?');
    expect(worked.intent).toBe('explain_suspension');
    expect(worked.checks.map((check) => check.name)).toEqual(['account.suspension', 'account.unsuspend']);
    expect(allText(worked)).toMatch(/I checked again just now, and it has not changed/);
    expect((await service.store.get(id))?.tickets).toHaveLength(ticketsBefore ?? -1);
  });

  it('declined: the reason, the card update, then the Stamps line', async () => {
    const id = await startAs('declined@demo.test');
    const turn = await say(
      id,
      'SPECIAL USPS RATE ALERT(S) Messages from USPS: Your One Balance account has been suspended. Please Contact ShippingEasy Support for assistance.',
    );
    expect(turn.messages[0]?.text).toMatch(/checking your account/);
    const answer = allText(turn);
    expect(answer).toMatch(/payment was declined/);
    expect(answer.indexOf('payment card')).toBeLessThan(answer.indexOf('(855) 889-7867'));
    expect(turn.escalation).toEqual({ kind: 'phone', phone: '(855) 889-7867', reason: 'payment_declined' });
    expect(turn.messages.at(-1)?.phone).toBe('(855) 889-7867');
    // "What's the number to call?" afterwards gets the number again, without a second attempt.
    const number = await say(id, "what's the number to call");
    expect(number.messages.map((message) => message.text)).toEqual([
      expect.stringMatching(/^You can reach Stamps at \(855\) 889-7867\./),
    ]);
    expect(number.messages[0]?.phone).toBe('(855) 889-7867');
    expect(number.checks).toEqual([]);
    // The card advice waits for "done" (not a goodbye): the bot tries once more, and still
    // suspended after the card update, the Stamps line is all that is left.
    expect(turn.messages.at(-1)?.choices).toEqual([{ label: 'Done, the card is updated', reply: 'done' }]);
    // "Not yet" keeps the wait open.
    const notYet = await say(id, 'no, not yet');
    expect(allText(notYet)).toMatch(/^No rush\. Once the payment card .* say "done"/);
    expect(notYet.checks).toEqual([]);
    expect((await service.store.get(id))?.offer).toMatchObject({ kind: 'unsuspend_retry', after: 'card' });
    // "How do I do that?" gets where the card is changed, and the wait goes on; a question on
    // another topic is that topic's, and neither tries to unsuspend again.
    const how = await say(id, 'how do I update my card?');
    expect(allText(how)).toMatch(/log in to your One Balance account from the ONE BALANCE & CARRIERS page/);
    expect(how.messages.at(-1)?.text).toMatch(/^Once the payment card .* say "done"/);
    expect(how.messages.at(-1)?.choices).toEqual([{ label: 'Done, the card is updated', reply: 'done' }]);
    expect(how.checks).toEqual([]);
    const logIn = await say(id, 'how do I log in to one balance?');
    expect(logIn.intent).toBe('log_in');
    expect(logIn.checks.map((check) => check.name)).not.toContain('account.unsuspend');
    // Asked whether it is still suspended before saying "done": it is tried again, but the wait
    // for the card goes on; the Stamps line as the last resort comes only after "done".
    const still = await say(id, 'is my account still suspended?');
    expect(still.checks.map((check) => check.name)).toContain('account.unsuspend');
    expect(allText(still)).toMatch(/still suspended\. Once the payment card .* say "done"/);
    expect(allText(still)).not.toMatch(/even after/);
    expect((await service.store.get(id))?.offer).toMatchObject({ kind: 'unsuspend_retry', after: 'card' });
    const retried = await say(id, 'done');
    expect(retried.intent).toBe('explain_suspension');
    expect(retried.checks.map((check) => check.name)).toEqual(['account.suspension', 'account.unsuspend']);
    expect(allText(retried)).toMatch(/still suspended even after the card update\. Please call Stamps/);
    expect(retried.escalation).toMatchObject({ kind: 'phone', phone: '(855) 889-7867' });
    expect(retried.messages.some((message) => message.choices !== undefined)).toBe(false);
    expect((await service.store.get(id))?.offer).toBeUndefined();
    // Still not working after that: the same finding in short, not the card update "done" again.
    const after = await say(id, 'still not working');
    expect(allText(after)).toMatch(/I checked again just now, and it has not changed\. .*declined payment/);
    expect(allText(after)).not.toMatch(/even after/);
  });

  it('declined and pw-changed: "what if it still doesn\'t work?" is told what follows a failed retry, and the wait goes on', async () => {
    const id = await startAs('declined@demo.test');
    await say(id, 'my card expired and now i cant buy postage');
    const whatIf = await say(id, 'ok what if it still doesnt work');
    expect(whatIf.checks).toEqual([]);
    expect(allText(whatIf)).toMatch(
      /^If it is still suspended after the card update, I will tell you as soon as you say "done"\. Calling Stamps at \(855\) 889-7867 is then the fastest way back to shipping/,
    );
    expect(whatIf.messages.at(-1)?.choices).toEqual([{ label: 'Done, the card is updated', reply: 'done' }]);
    expect((await service.store.get(id))?.offer).toMatchObject({ kind: 'unsuspend_retry', after: 'card' });
    const password = await startAs('pw-changed@demo.test');
    await say(password, 'postage wont buy');
    expect(allText(await say(password, "and if it's still suspended after that?"))).toMatch(
      /^If it is still suspended after the new password is entered, I will tell you/,
    );
  });

  it('declined: "THIS IS COSTING ME MONEY" and "im losing sales because of this" during the card wait are venting, not a question between prices and closing', async () => {
    const id = await startAs('declined@demo.test');
    await say(id, 'WHY CANT I BUY POSTAGE');
    const costing = await say(id, 'THIS IS COSTING ME MONEY');
    expect(allText(costing)).toMatch(
      /^I am sorry this has been so frustrating\. Calling Stamps at \(855\) 889-7867/,
    );
    expect(allText(costing)).not.toMatch(/Is your question about/);
    const losing = await say(id, 'im losing sales because of this');
    expect(allText(losing)).toMatch(
      /^I am sorry this has been so frustrating\.\nOnce the payment card on your One Balance account is updated, say "done"/,
    );
    expect((await service.store.get(id))?.offer).toMatchObject({ kind: 'unsuspend_retry', after: 'card' });
  });

  it('declined: "which payment?" and "when did it happen?" during the card wait are told who can see the declined payment, not asked which topic', async () => {
    const id = await startAs('declined@demo.test');
    await say(id, 'my account got suspended for a declined payment');
    for (const asks of ['which payment', 'when did it happen']) {
      const turn = await say(id, asks);
      expect(allText(turn)).toMatch(
        /^I cannot see which payment was declined, or when: .*\(855\) 889-7867\.\nOnce the payment card/s,
      );
      expect(turn.checks).toEqual([]);
    }
    expect((await service.store.get(id))?.offer).toMatchObject({ kind: 'unsuspend_retry', after: 'card' });
  });

  it('declined: "i dont have another card" is told what the card is for and who knows other ways to pay, and the wait goes on', async () => {
    const id = await startAs('declined@demo.test');
    await say(id, 'postage keeps failing');
    const none = await say(id, 'i dont have another card');
    expect(none.checks).toEqual([]);
    expect(allText(none)).toMatch(
      /^The account needs a payment card that goes through: .*Stamps can tell you at \(855\) 889-7867\.\nOnce the payment card on your One Balance account is updated, say "done"/s,
    );
    expect((await service.store.get(id))?.offer).toMatchObject({ kind: 'unsuspend_retry', after: 'card' });
  });

  it("declined: word that the card is updated is the fix done even when it names the card's kind or security, which card questions do not take", async () => {
    for (const done of ['i updated my card, it is a visa now', 'i updated my card so it is safe now']) {
      const id = await startAs('declined@demo.test');
      await say(id, 'postage keeps failing');
      const turn = await say(id, done);
      expect(turn.checks.map((check) => check.name)).toContain('account.unsuspend');
      expect(allText(turn)).toMatch(/still suspended even after the card update/);
    }
  });

  it('declined: "I added a new card just now" is the card update done, and the unsuspend is tried again', async () => {
    const id = await startAs('declined@demo.test');
    await say(id, "my postage won't go through");
    const added = await say(id, 'i added a new card just now');
    expect(added.checks.map((check) => check.name)).toContain('account.unsuspend');
    expect(allText(added)).toMatch(/still suspended even after the card update\. Please call Stamps/);
  });

  it('"ok, who do I ask then?" after the offer of a person says who, and the offer stands for the yes', async () => {
    const id = await startAs('active@demo.test');
    await say(id, "can i get a refund on a label i didn't use");
    const who = await say(id, 'ok who do i ask then');
    expect(allText(who)).toMatch(/^A person on our support team.*Shall I pass you to them\? \(yes \/ no\)$/s);
    expect(who.escalation).toBeNull();
    expect((await service.store.get(id))?.misunderstandings).toBe(0);
    const yes = await say(id, 'yes');
    expect(yes.escalation).toMatchObject({ kind: 'ticket' });
  });

  it('declined: "my bank says there was no declined payment" is told what the records show, and the wait goes on', async () => {
    const id = await startAs('declined@demo.test');
    await say(id, 'why am i suspended');
    const bank = await say(id, 'my bank says there was no declined payment');
    expect(allText(bank)).toMatch(
      /^The account records show that a payment on your One Balance account was declined/,
    );
    expect(bank.checks).toEqual([]);
    expect((await service.store.get(id))?.offer).toMatchObject({ kind: 'unsuspend_retry', after: 'card' });
  });

  it('"hi, can i print a label today?" from a signed-in customer is answered from the account (closed, none, suspended or fine), not with a hello', async () => {
    const closed = await say(await startAs('closed@demo.test'), 'hi, can i print a label today?');
    expect(allText(closed)).toMatch(/^Your earlier One Balance account is closed/);
    const active = await say(await startAs('active@demo.test'), 'can i buy postage right now');
    expect(active.checks.map((check) => check.name)).toContain('account.suspension');
    expect(allText(active)).toMatch(/not suspended and it is connected, so postage should go through/);
    const declined = await say(await startAs('declined@demo.test'), 'hi, can i print a label today?');
    expect(allText(declined)).toMatch(/suspended because a payment was declined/);
    // A visitor is not checked: the words alone are no topic of ours.
    expect((await say(await startAs(), 'can i print a label today?')).checks).toEqual([]);
  });

  it('declined: "my card is fine, I just used it" is told what the records show and who can see more, and the wait goes on', async () => {
    const id = await startAs('declined@demo.test');
    await say(id, "can't buy postage");
    const denies = await say(id, 'my card is fine though, I just used it');
    expect(allText(denies)).toMatch(
      /^The account records show that a payment on your One Balance account was declined.*\(855\) 889-7867/s,
    );
    expect(denies.checks).toEqual([]);
    expect(denies.escalation).toBeNull();
    expect((await service.store.get(id))?.offer).toMatchObject({ kind: 'unsuspend_retry', after: 'card' });
    // Said with a "no" first, it is still the denial, not "no, not yet".
    const withNo = await say(id, 'no, my card is fine');
    expect(allText(withNo)).toMatch(/^The account records show that a payment/);
  });

  it('declined: "how long does it take after I update the card?" is told the retry is at once, and the wait goes on', async () => {
    const id = await startAs('declined@demo.test');
    await say(id, 'my account is suspended');
    const howLong = await say(id, 'how long does it take after I update the card?');
    expect(allText(howLong)).toMatch(/say "done".*That takes only a moment/);
    expect(howLong.checks).toEqual([]);
    expect(howLong.messages.at(-1)?.choices).toEqual([{ label: 'Done, the card is updated', reply: 'done' }]);
    expect((await say(id, 'ok I updated it')).escalation).toMatchObject({ kind: 'phone' });
  });

  it('declined: "what card is on file?" is told the bot never sees card details, and the wait goes on', async () => {
    const id = await startAs('declined@demo.test');
    await say(id, 'my account got suspended??');
    for (const question of ['what card is on file', 'which card was declined?', 'which card?']) {
      const turn = await say(id, question);
      expect(allText(turn)).toMatch(/^I cannot see which card that is: card details never reach me/);
      expect(allText(turn)).toMatch(/say "done"/);
      expect(turn.checks).toEqual([]);
    }
    const done = await say(id, 'ok done');
    expect(allText(done)).toMatch(/still suspended even after the card update/);
  });

  it('"what\'s the Stamps phone number?" gets the Stamps line and what it is for, without asking between a person and the prices', async () => {
    const id = await startAs('declined@demo.test');
    const number = await say(id, 'whats the stamps phone number');
    expect(allText(number)).toMatch(
      /^Stamps is at \(855\) 889-7867\. Calling them is the fastest way back to shipping/,
    );
    expect(allText(number)).not.toMatch(/Is your question about/);
    expect(number.escalation).toBeNull();
    const visitor = await say(await startAs(), 'how do i contact stamps');
    expect(allText(visitor)).toMatch(/^Stamps is at \(855\) 889-7867/);
  });

  it('"do I need a Stamps.com account to use One Balance?" is told no separate one is needed, with the steps only for whoever has no account', async () => {
    const visitor = await say(await startAs(), 'do i need a stamps.com account to use one balance');
    expect(allText(visitor)).toMatch(
      /^No separate one: One Balance is itself an account that Stamps\.com provides.*Register a FREE Account!/s,
    );
    const declined = await startAs('declined@demo.test');
    const own = await say(declined, 'do i need a separate stamps account');
    expect(allText(own)).toMatch(/^No separate one/);
    expect(allText(own)).not.toMatch(/Register a FREE Account!/);
  });

  it('"how do I change the card on file?" gets where the card is changed, not which card it is; during a card wait, the fix\'s steps', async () => {
    for (const asks of [
      'how do i change the card on file',
      'how do i update the credit card on one balance',
    ]) {
      const turn = await say(await startAs(), asks);
      expect(allText(turn)).toMatch(
        /^The payment card is kept with your One Balance account.*update the card there/s,
      );
      expect(allText(turn)).not.toMatch(/cannot see which card/);
      expect(turn.checks).toEqual([]);
    }
    const id = await startAs('declined@demo.test');
    await say(id, 'my postage fails');
    const waiting = await say(id, 'how do i update my card');
    expect(allText(waiting)).toMatch(/The payment card is kept with your One Balance account.*say "done"/s);
    expect((await service.store.get(id))?.offer).toMatchObject({ kind: 'unsuspend_retry', after: 'card' });
  });

  it('declined: "can I close my account while it\'s suspended?" during the card wait is the closing answer, and "what are the steps?" is about the last answer', async () => {
    const id = await startAs('declined@demo.test');
    await say(id, 'my postage fails');
    const steps = await say(id, 'ok what are the steps');
    expect(allText(steps)).toMatch(/The payment card is kept with your One Balance account.*say "done"/s);
    const closing = await say(id, "can I close my account while it's suspended?");
    expect(closing.intent).toBe('close_account');
    expect(allText(closing)).toMatch(/closing guide/);
    expect(allText(closing)).not.toMatch(/unsuspend/);
    expect(closing.checks.map((check) => check.name)).not.toContain('account.unsuspend');
    const again = await say(id, 'what are the steps?');
    expect(allText(again)).toMatch(/closing guide/);
    expect(allText(again)).not.toMatch(/payment card/);
    // The wait for the card goes on.
    expect((await service.store.get(id))?.offer).toMatchObject({ kind: 'unsuspend_retry', after: 'card' });
    expect(allText(await say(id, 'done'))).toMatch(/still suspended even after the card update/);
  });

  it('declined: "is it because my card expired?" during the card wait is told the records do not say why, and the fix is the same', async () => {
    const id = await startAs('declined@demo.test');
    await say(id, 'why cant i buy labels');
    const guess = await say(id, 'is it because my card expired?');
    expect(allText(guess)).toMatch(
      /^It could be: the account records show only that a payment was declined, not why\..*\nOnce the payment card/s,
    );
    expect(guess.checks).toEqual([]);
    expect((await service.store.get(id))?.offer).toMatchObject({ kind: 'unsuspend_retry', after: 'card' });
  });

  it('declined: "my card got declined for postage" is the suspension check, and "can I pay with PayPal instead?" is told what the card is for, and the wait goes on', async () => {
    const id = await startAs('declined@demo.test');
    const declined = await say(id, 'my card got declined for postage');
    expect(declined.intent).toBe('explain_suspension');
    expect(allText(declined)).toMatch(/suspended because a payment was declined/);
    const paypal = await say(id, 'can i pay with paypal instead');
    expect(allText(paypal)).toMatch(
      /^Registering a One Balance account asks for a payment card, .*Stamps can tell you at \(855\) 889-7867\.\nOnce the payment card .* say "done"/s,
    );
    expect(allText(await say(id, 'done'))).toMatch(/still suspended even after the card update/);
    // Signed in, "my payment failed" alone is checked; a visitor names postage for the general answer.
    expect((await say(await startAs('declined@demo.test'), 'my payment failed')).intent).toBe(
      'explain_suspension',
    );
    const visitor = await startAs();
    expect((await say(visitor, 'my card got declined for postage')).intent).toBe('explain_suspension');
    expect(allText(await say(visitor, 'do you take bank transfers'))).toMatch(
      /^Registering a One Balance account asks for a payment card/,
    );
    expect(allText(await say(visitor, 'how do i pay for labels'))).toMatch(
      /^Nothing is charged for the One Balance account itself/,
    );
    expect((await say(await startAs(), 'my debit card got declined at the grocery store')).intent).toBe(
      'out_of_scope',
    );
  });

  it('declined: "I don\'t see a payment section" is told who can point further, and "ok updated" counts as done', async () => {
    const id = await startAs('declined@demo.test');
    await say(id, 'why was my account suspended');
    const lost = await say(id, "I don't see a payment section");
    expect(allText(lost)).toMatch(/^I cannot see your One Balance account's pages.*\(855\) 889-7867/s);
    expect(allText(lost)).toMatch(/say "done"/);
    expect(lost.checks).toEqual([]);
    const updated = await say(id, 'ok updated');
    expect(updated.checks.map((check) => check.name)).toContain('account.unsuspend');
    expect(allText(updated)).toMatch(/still suspended even after the card update/);
    // The password's fix names the link the bot knows of.
    const password = await startAs('pw-changed@demo.test');
    await say(password, 'my account is suspended');
    expect(allText(await say(password, "I can't find the forgot password link"))).toMatch(
      /^The "forgot password" link is on the Stamps\.com sign-in page.*say "done"/s,
    );
  });

  it('declined: "I already updated my card yesterday" counts as done, so the Stamps line follows at once', async () => {
    const id = await startAs('declined@demo.test');
    await say(id, "hey, my labels won't print, it says something about a usps rate alert");
    const retried = await say(id, 'I already updated my card yesterday');
    expect(retried.checks.map((check) => check.name)).toContain('account.unsuspend');
    expect(allText(retried)).toMatch(/still suspended even after the card update\. Please call Stamps/);
    expect(retried.escalation).toMatchObject({ kind: 'phone', phone: '(855) 889-7867' });
    expect((await service.store.get(id))?.offer).toBeUndefined();
  });

  it('pw-changed: "I changed my password last week, is that why?" asks about the cause, and is not word that the fix is done', async () => {
    const id = await startAs('pw-changed@demo.test');
    await say(id, "why can't I buy postage anymore");
    const cause = await say(id, 'I changed my stamps password last week, is that why?');
    expect(allText(cause)).toMatch(/because of a recent password change/);
    expect(allText(cause)).not.toMatch(/even after/);
    expect(cause.escalation).toBeNull();
    expect((await service.store.get(id))?.offer).toMatchObject({
      kind: 'unsuspend_retry',
      after: 'password',
    });
    const done = await say(id, 'ok password reset and entered the new one in the app');
    expect(allText(done)).toMatch(/still suspended even after the password advice\. Please call Stamps/);
    expect(done.escalation).toMatchObject({ kind: 'phone', phone: '(855) 889-7867' });
  });

  it('pw-changed: "I did change my password last week" is the cause, not the fix; "so do I change it again?" is a yes', async () => {
    const id = await startAs('pw-changed@demo.test');
    await say(id, 'hi my labels stopped working yesterday');
    const cause = await say(id, 'I did change my password last week');
    expect(allText(cause)).not.toMatch(/even after/);
    expect(allText(cause)).toMatch(/because of a recent password change/);
    expect(cause.escalation).toBeNull();
    const again = await say(id, 'so do I change it again??');
    expect(allText(again)).toMatch(/^Yes: reset your Stamps\.com password once more, then enter the new one/);
    expect(again.checks).toEqual([]);
    const done = await say(id, 'done, entered it');
    expect(allText(done)).toMatch(/still suspended even after the password advice/);
  });

  it('pw-changed: "I did change it on Monday, is that it?" is the cause told with a weekday, not the fix; the fix after it is', async () => {
    const id = await startAs('pw-changed@demo.test');
    await say(id, 'since yesterday every label i try to buy fails with some usps rate alert');
    for (const when of [
      'i did change my stamps password on monday, is that it?',
      'I reset my password this morning',
    ]) {
      const cause = await say(id, when);
      expect(allText(cause)).toMatch(/because of a recent password change/);
      expect(allText(cause)).not.toMatch(/even after/);
      expect(cause.escalation).toBeNull();
      expect(cause.checks.map((check) => check.name)).not.toContain('account.unsuspend');
    }
    const done = await say(id, 'ok i reset it and typed the new one into the app');
    expect(allText(done)).toMatch(/still suspended even after the password advice\. Please call Stamps/);
  });

  it('pw-changed: a grudging "ugh fine. done" is word that the new password is entered, and the retry runs', async () => {
    const id = await startAs('pw-changed@demo.test');
    await say(id, 'postage wont buy');
    const done = await say(id, 'ugh fine. done');
    expect(done.checks.map((check) => check.name)).toContain('account.unsuspend');
    expect(allText(done)).toMatch(/still suspended even after the password advice/);
    // "Fine" alone is no such word: the wait goes on.
    const other = await startAs('pw-changed@demo.test');
    await say(other, 'postage wont buy');
    expect((await say(other, 'fine')).checks).toEqual([]);
  });

  it('"do I need the old password to reset it?" is told no, after the reset steps and during the wait for the new password', async () => {
    const id = await startAs('active@demo.test');
    await say(id, 'how do i reset my stamps password');
    const old = await say(id, 'do i need the old one to reset');
    expect(old.checks).toEqual([]);
    expect(allText(old)).toMatch(/^That is what the reset is for: you do not need the old password\./);
    const waiting = await startAs('pw-changed@demo.test');
    await say(waiting, 'postage wont buy');
    const turn = await say(waiting, 'do i need my old password to reset it');
    expect(allText(turn)).toMatch(/^No: the reset does not ask for the old password\./);
    expect((await service.store.get(waiting))?.offer).toMatchObject({
      kind: 'unsuspend_retry',
      after: 'password',
    });
    // After the details, "do I need my current password to log in?" is about logging in, not the reset.
    const details = await startAs('active@demo.test');
    await say(details, 'where is my username');
    expect(allText(await say(details, 'do i need my current password to log in'))).not.toMatch(
      /That is what the reset is for/,
    );
  });

  it('pw-changed: "ok so what do I do" while the new password is awaited gets the reset steps, not the first answer again', async () => {
    const id = await startAs('pw-changed@demo.test');
    await say(id, 'my account got suspended');
    const turn = await say(id, 'ok so what do I do');
    expect(allText(turn)).toMatch(/^To reset your Stamps\.com password:\n1\. .*say "done"/s);
    expect(allText(turn)).not.toMatch(/Here again/);
    expect(turn.checks).toEqual([]);
  });

  it('a visitor asked to sign in: "how do I sign in?" is about the app, and the suspension stays the topic for "I already tried all that" and "what\'s their number again"', async () => {
    const id = await startAs();
    await say(id, 'my account is suspended');
    await say(id, "I'm signed in though");
    const how = await say(id, 'how do I sign in');
    expect(allText(how)).toMatch(
      /^Sign in to the shipping app as you usually do, then open this chat from inside the app/,
    );
    expect(allText(how)).not.toMatch(/ONE BALANCE & CARRIERS/);
    const tried = await say(id, 'I already tried all that');
    expect(allText(tried)).toMatch(
      /^If the account is still suspended after those steps, Stamps can lift it/,
    );
    expect(allText(await say(id, "what's their number again"))).toMatch(
      /^You can reach Stamps at \(855\) 889-7867/,
    );
    expect((await service.store.get(id))?.handoff).toBeUndefined();
    // Naming One Balance, it is that login.
    expect((await say(await startAs(), 'how do I sign in to one balance')).intent).toBe('log_in');
  });

  it('"what can you do?" and "can you actually check things?" are told what the bot does, for a visitor and a signed-in customer, without a miss; "lol ok" is an acknowledgement', async () => {
    const id = await startAs('active@demo.test');
    await say(id, 'are you a bot');
    expect(allText(await say(id, 'lol ok'))).toMatch(/^All right\. Is there anything else/);
    for (const asks of ['can you actually check things?', 'what can you do']) {
      const turn = await say(id, asks);
      expect(allText(turn)).toMatch(
        /^While we talk I can check your own One Balance account: whether it is suspended/,
      );
      expect(turn.checks).toEqual([]);
    }
    const state = await service.store.get(id);
    expect(state?.misunderstandings).toBe(0);
    expect(state?.handoff).toBeUndefined();
    expect(allText(await say(await startAs(), 'what can you help me with?'))).toMatch(
      /^I answer questions about One Balance: .*Signed in to the app, I can also check your own account/,
    );
    // Asking for the check itself runs it.
    expect((await say(await startAs('active@demo.test'), 'can you check my account')).intent).toBe(
      'explain_suspension',
    );
  });

  it('"I don\'t understand" gets the last answer again with a person to explain it (or, during a wait, the fix\'s steps; before any answer, what to say), never a miss', async () => {
    const id = await startAs('closed@demo.test');
    const first = await say(id, 'I need to ship but my one balance is gone');
    for (const confused of ["I don't understand", "sorry I'm confused"]) {
      const turn = await say(id, confused);
      expect(turn.intent).toBe('open_account');
      expect(turn.messages[0]?.text).toBe('Sorry, that was not clear. Here it is again:');
      expect(allText(turn)).toContain(first.messages.at(-1)?.text ?? 'missing');
      expect(allText(turn)).toMatch(/a person on our support team can go through it with you/);
      expect(turn.messages.at(-1)?.choices?.map((choice) => choice.reply)).toEqual(['yes', 'no']);
    }
    const state = await service.store.get(id);
    expect(state?.misunderstandings).toBe(0);
    expect(state?.handoff).toBeUndefined();
    // While the new card is awaited: the card's steps and the same wait, without a second unsuspend.
    const waiting = await startAs('declined@demo.test');
    await say(waiting, 'why is my account suspended');
    const steps = await say(waiting, 'that makes no sense');
    expect(allText(steps)).toMatch(
      /^Sorry, that was not clear\. Here are the steps again:\nThe payment card is kept/,
    );
    expect(steps.checks).toEqual([]);
    expect((await service.store.get(waiting))?.offer).toMatchObject({
      kind: 'unsuspend_retry',
      after: 'card',
    });
    // A reconnect offer is explained again and still asked.
    const offered = await startAs('disconnected@demo.test');
    await say(offered, 'my one balance is missing from the carriers page');
    const again = await say(offered, 'i dont get it');
    expect(allText(again)).toMatch(
      /^Sorry, that was not clear\. In short:\nReconnecting links your existing One Balance account/,
    );
    expect((await service.store.get(offered))?.offer).toMatchObject({ kind: 'reconnect' });
    // With nothing answered yet: what to tell the bot.
    const fresh = await say(await startAs(), "i'm lost");
    expect(allText(fresh)).toMatch(
      /^Sorry, I did not mean to confuse you\. Tell me in a few words what you are trying to do/,
    );
  });

  it('"can you do it for me?" is told what only the customer can do (card, password, registration, the Stamps call), and to a reconnect offer it is the yes', async () => {
    const card = await startAs('declined@demo.test');
    await say(card, 'why is my account suspended');
    const cardTurn = await say(card, 'can you do it for me?');
    expect(allText(cardTurn)).toMatch(/^I cannot change the card for you: card details never reach me/);
    expect(cardTurn.checks).toEqual([]);
    expect((await service.store.get(card))?.offer).toMatchObject({ kind: 'unsuspend_retry', after: 'card' });
    const password = await startAs('pw-changed@demo.test');
    await say(password, 'my postage purchase fails with the suspension alert');
    expect(allText(await say(password, 'could you just do that for me?'))).toMatch(
      /^I cannot reset it for you: only you can choose a new Stamps\.com password.*\nTo reset your Stamps\.com password:/s,
    );
    const registering = await startAs('none@demo.test');
    await say(registering, 'how do I get one balance');
    const form = await say(registering, 'can you do it for me');
    expect(allText(form)).toMatch(
      /^I cannot fill in the registration for you: it needs your payment card and a code sent to your phone/,
    );
    expect(form.intent).toBe('open_account');
    expect((await service.store.get(registering))?.misunderstandings).toBe(0);
    const review = await startAs('review@demo.test');
    await say(review, 'I cannot buy labels, account suspended');
    expect(allText(await say(review, 'can you handle that for me?'))).toMatch(
      /^I cannot make phone calls, sorry/,
    );
    const reconnect = await startAs('disconnected@demo.test');
    await say(reconnect, 'my one balance is missing from the carriers page');
    const yes = await say(reconnect, 'can you do that for me please');
    expect(yes.escalation).toMatchObject({ kind: 'ticket', reason: 'reconnect_request' });
  });

  it('"what\'s the ticket number?" gets the ticket support has (its number once created), and "do I have a ticket?" without one files none; neither hands the chat off', async () => {
    const id = await startAs('review@demo.test');
    const first = await say(id, 'why is my account suspended');
    expect(first.escalation).toMatchObject({ kind: 'phone' });
    const early = await say(id, 'whats the ticket number');
    expect(early.intent).toBe('talk_to_human');
    expect(allText(early)).toMatch(
      /^Our support team has your case(?: under ticket #\S+|: its ticket is being created)/,
    );
    expect(early.escalation).toBeNull();
    // Once the escalations worker has created it, its number is told.
    let ticketId: string | undefined;
    for (let waited = 0; ticketId === undefined && waited < 5_000; waited += 50) {
      ticketId = (await service.store.get(id))?.tickets[0]?.ticketId;
      if (ticketId === undefined) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(ticketId).toBeDefined();
    expect(allText(await say(id, 'what is my case number?'))).toBe(
      `Our support team has your case under ticket #${ticketId}. A person will follow up with you.`,
    );
    const state = await service.store.get(id);
    expect(state?.handoff).toBeUndefined();
    expect(state?.tickets).toHaveLength(1);
    const none = await startAs('active@demo.test');
    const asks = await say(none, 'do i have a ticket?');
    expect(allText(asks)).toMatch(
      /^I have not passed this conversation to our support team, so there is no ticket/,
    );
    expect(asks.escalation).toBeNull();
    expect((await service.store.get(none))?.tickets).toEqual([]);
  });

  it('disconnected: "actually wait, yes please" after a no to the reconnect offer still takes it', async () => {
    const id = await startAs('disconnected@demo.test');
    await say(id, 'i cant see my one balance in the carriers list');
    await say(id, 'no');
    const yes = await say(id, 'actually wait yes please');
    expect(yes.escalation).toMatchObject({ kind: 'ticket', reason: 'reconnect_request' });
  });

  it('"is there a number I can call?" before any Stamps line is told the bot has no support number and offered a person, not handed off unasked; after the Stamps line it is that number', async () => {
    const id = await startAs('closed@demo.test');
    await say(id, 'I need to ship but my one balance is gone');
    for (const asks of ['is there a number I can call?', 'do you have a phone number']) {
      const turn = await say(id, asks);
      expect(allText(turn)).toMatch(
        /^I do not have a phone number for our support team to give you, but a person from the team can take over this chat\.\nShall I pass you to them\? \(yes \/ no\)$/,
      );
      expect(turn.escalation).toBeNull();
    }
    expect((await service.store.get(id))?.handoff).toBeUndefined();
    expect((await say(id, 'yes')).intent).toBe('talk_to_human');
    expect((await service.store.get(id))?.handoff).toBeDefined();
    // While a reconnect waits for its yes: the same, and the offer stands.
    const offered = await startAs('disconnected@demo.test');
    await say(offered, 'my one balance is missing from the carriers page');
    const turn = await say(offered, 'is there a number I can call?');
    expect(allText(turn)).toMatch(
      /^I do not have a phone number for our support team.*Say "talk to a person" if you would like that\.\nReconnecting links/s,
    );
    expect((await service.store.get(offered))?.offer).toMatchObject({ kind: 'reconnect' });
    // Once the Stamps line was given, it is the number meant.
    const review = await startAs('review@demo.test');
    await say(review, 'I cannot buy labels, account suspended');
    expect(allText(await say(review, 'do you have a phone number'))).toMatch(
      /^You can reach Stamps at \(855\) 889-7867/,
    );
  });

  it('"what else can I try?" after the Stamps line is the one thing left to do, and after a lifted hold nothing is', async () => {
    const review = await startAs('review@demo.test');
    await say(review, 'I cannot buy labels, account suspended');
    expect(allText(await say(review, 'what else can I do?'))).toMatch(
      /^Just one thing: call Stamps at \(855\) 889-7867/,
    );
    const details = await startAs('active@demo.test');
    await say(details, 'where do I find my account number');
    const turn = await say(details, 'what else can I try?');
    expect(turn.intent).toBe('find_credentials');
    expect((await service.store.get(details))?.misunderstandings).toBe(0);
  });

  it('"do I enter it in the app too?" is told yes and where, while the new password is awaited and after the reset steps on their own', async () => {
    const waiting = await startAs('pw-changed@demo.test');
    await say(waiting, 'my account shows suspended since this morning');
    for (const asks of [
      'what about the app, do I enter it there too?',
      'do I need to update it in shippingeasy as well?',
    ]) {
      const turn = await say(waiting, asks);
      expect(allText(turn)).toMatch(
        /^Yes: after the reset on Stamps\.com, enter the new password on the ONE BALANCE & CARRIERS page.*say "done"/s,
      );
      expect(turn.checks).toEqual([]);
    }
    expect((await service.store.get(waiting))?.offer).toMatchObject({
      kind: 'unsuspend_retry',
      after: 'password',
    });
    const alone = await startAs();
    await say(alone, 'how do I reset my stamps password');
    expect(allText(await say(alone, 'do I have to put it in the app too?'))).toMatch(
      /^Yes: after the reset on Stamps\.com/,
    );
  });

  it('"where do I enter the new password?" gets the place of the last step, while the new password is awaited and after the reset steps on their own', async () => {
    const waiting = await startAs('pw-changed@demo.test');
    await say(waiting, "what's wrong with my account");
    const where = await say(waiting, 'where do i enter the new password in the app');
    expect(allText(where)).toMatch(
      /^On the ONE BALANCE & CARRIERS page: click that link at the top right.*say "done"/s,
    );
    expect(allText(where)).not.toMatch(/forgot password/);
    expect(where.checks).toEqual([]);
    expect((await service.store.get(waiting))?.offer).toMatchObject({
      kind: 'unsuspend_retry',
      after: 'password',
    });
    const alone = await startAs('active@demo.test');
    await say(alone, 'how do i reset my stamps password');
    expect(allText(await say(alone, 'where do i put the new one'))).toMatch(
      /^On the ONE BALANCE & CARRIERS page: click that link/,
    );
  });

  it('after the reset steps on their own, "will it break anything?" and "do I need to tell you after?" are answered', async () => {
    const id = await startAs('active@demo.test');
    await say(id, 'how do I change my stamps password');
    expect(allText(await say(id, 'will it break anything?'))).toMatch(
      /^Only if the app keeps the old one: until the new password is entered on the ONE BALANCE & CARRIERS page.*suspension alert/,
    );
    expect(allText(await say(id, 'do I need to tell you after'))).toMatch(
      /^No need: once the new password is entered/,
    );
  });

  it('pw-changed: questions about the new password and its reset email are answered without asking for it, and the wait goes on', async () => {
    const id = await startAs('pw-changed@demo.test');
    await say(id, 'getting the suspended alert again');
    const cases: [string, RegExp][] = [
      ['do you need my new password?', /^No: I never need your password, so please do not type it here\./],
      [
        'can i reuse my old password',
        /^Whether Stamps\.com accepts a password you used before is up to Stamps\.com\./,
      ],
      ['what should the new one be', /^Any new password that Stamps\.com accepts/],
      [
        "i didn't get the reset email",
        /^The reset email comes from Stamps\.com, so I cannot see it or send it again\./,
      ],
      ['checked spam too', /^Then Stamps can help you with the reset: call them at \(855\) 889-7867/],
    ];
    for (const [text, answer] of cases) {
      const turn = await say(id, text);
      expect(allText(turn)).toMatch(answer);
      expect(allText(turn)).toMatch(/say "done" and I will try to unsuspend your account again\.$/);
      expect(turn.checks).toEqual([]);
    }
    const done = await say(id, 'done');
    expect(allText(done)).toMatch(/still suspended even after the password advice/);
    // The same after the reset steps alone, with no suspension waiting on them.
    const active = await startAs('active@demo.test');
    await say(active, 'how do i reset my stamps password');
    expect(allText(await say(active, "i didn't get the reset email"))).toMatch(
      /^The reset email comes from Stamps\.com, so I cannot see it or send it again\..*Stamps\.com account\.$/,
    );
    expect(allText(await say(active, 'checked spam'))).toBe(
      'Then Stamps can help you with the reset: call them at (855) 889-7867.',
    );
    // An email the customer cannot open any more: the reset cannot reach them, so Stamps (it was out
    // of scope, or read as logging in).
    const lost = await startAs('active@demo.test');
    await say(lost, 'can you reset my stamps password for me');
    for (const text of [
      'i dont have access to that email anymore',
      "the email is an old one i can't log into",
    ])
      expect(allText(await say(lost, text))).toMatch(
        /^The reset email goes to the email address of your Stamps\.com account.*call them at \(855\) 889-7867\.$/,
      );
  });

  it('pw-changed: "I never changed my password" is told what the records show, and the wait for the new password goes on', async () => {
    const id = await startAs('pw-changed@demo.test');
    await say(id, 'my account suspended');
    const denies = await say(id, 'i never changed my password though');
    expect(allText(denies)).toMatch(
      /^The account records show that your Stamps\.com password was changed recently.*If you did not change it, reset it now/s,
    );
    expect(denies.checks).toEqual([]);
    expect(denies.messages.at(-1)?.choices).toEqual([
      { label: 'Done, the new password is entered', reply: 'done' },
    ]);
    expect((await service.store.get(id))?.offer).toMatchObject({
      kind: 'unsuspend_retry',
      after: 'password',
    });
    // "Why did my password change? i didnt do it" denies it too, without naming the change again.
    const other = await startAs('pw-changed@demo.test');
    await say(other, 'my account is suspended');
    expect(allText(await say(other, 'why did my password change? i didnt do it'))).toMatch(
      /^The account records show that your Stamps\.com password was changed recently/,
    );
  });

  it('pw-changed: "how do I put the new password in?" gets the steps without a check, and "alright it\'s in now" is done', async () => {
    const id = await startAs('pw-changed@demo.test');
    const first = await say(id, 'my labels stopped printing');
    expect(first.intent).toBe('explain_suspension');
    // Read as a password reset, which is the fix awaited: its steps, not the check again.
    const how = await say(id, 'ok how do i put the new password in?');
    expect(allText(how)).toMatch(/^To reset your Stamps\.com password:/);
    expect(allText(how)).toMatch(/say "done" and I will try to unsuspend/);
    expect(how.checks).toEqual([]);
    const done = await say(id, "alright it's in now");
    expect(done.checks.map((check) => check.name)).toContain('account.unsuspend');
    expect(allText(done)).toMatch(/still suspended even after the password advice/);
  });

  it('"oh yeah, I did change my password" after the offer of a person is no yes to it', async () => {
    const id = await startAs('pw-changed@demo.test');
    const outOfScope = await say(id, 'what is the weather like tomorrow');
    expect(allText(outOfScope)).toMatch(/shall I pass you to them\?/);
    const told = await say(id, 'oh yeah I did change my stamps password on monday');
    expect(told.escalation).toBeNull();
    expect((await service.store.get(id))?.handoff).toBeUndefined();
  });

  it('answers "what was the reason?" and "what should I do now?" from its last answer, without checking again', async () => {
    const id = await startAs('declined@demo.test');
    await say(id, 'I cannot buy postage');
    const reason = await say(id, 'what was the reason?');
    expect(reason.intent).toBe('explain_suspension');
    expect(reason.checks).toEqual([]);
    expect(reason.escalation).toBeNull();
    expect(reason.messages[0]?.text).toMatch(/^Here again is what I told you about a suspended account/);
    expect(allText(reason)).toMatch(/payment was declined/);
    expect(reason.messages.at(-1)?.phone).toBe('(855) 889-7867');
    // Small talk in between leaves the topic as it was; follow-ups are never counted as
    // misunderstandings (two of those would hand the conversation to a person).
    await say(id, 'thanks');
    // While the card update is awaited, what to do is that update: its steps, and the wait.
    const next = await say(id, 'ok so what should I do now?');
    expect(next.intent).toBe('explain_suspension');
    expect(allText(next)).toMatch(/update the card.*say "done"/s);
    expect(next.checks).toEqual([]);
    const state = await service.store.get(id);
    expect(state?.handoff).toBeUndefined();
    expect(state?.misunderstandings).toBe(0);
    // A question with a topic of its own is still classified.
    expect((await say(id, 'why is the sky blue?')).intent).toBe('out_of_scope');
    // No earlier answer to go back to: "why?" is not understood.
    expect((await say(await startAs('active@demo.test'), 'why?')).intent).toBe('out_of_scope');
  });

  it('asked for a number before any phone escalation, does not offer the Stamps line', async () => {
    const turn = await say(await startAs('active@demo.test'), "what's the number to call");
    expect(turn.intent).toBe('out_of_scope');
    expect(allText(turn)).not.toMatch(/889-7867/);
  });

  it('review: cannot be unsuspended here, so the Stamps line', async () => {
    const id = await startAs('review@demo.test');
    const turn = await say(id, 'why is my account suspended');
    expect(allText(turn)).toMatch(/compliance review/);
    expect(turn.escalation).toMatchObject({ kind: 'phone', reason: 'compliance_review' });
    expect(turn.checks.map((check) => check.name)).toEqual(['account.suspension']);
    // Asked again: checked again, and said in short, since the customer has read the advice; support
    // is not sent the same problem twice.
    const again = await say(id, 'can you just unsuspend it');
    expect(again.checks.map((check) => check.name)).toEqual(['account.suspension']);
    expect(allText(again)).toMatch(/I checked again just now, and it has not changed\. .*compliance review/);
    expect(again.escalation).toMatchObject({ kind: 'phone', reason: 'compliance_review' });
    expect((await service.store.get(id))?.tickets).toHaveLength(1);
    // What the bot cannot know about the review: who can tell, not "I can only help with...".
    const what = await say(id, 'what is a compliance review?');
    expect(allText(what)).toMatch(
      /^Your account is suspended because of a compliance review\. I cannot see more of the suspension.*Stamps can tell you.*\(855\) 889-7867/,
    );
    expect(what.checks).toEqual([]);
    // "Why?" right after it asks for the cause, which is the same answer, not the last one again.
    const why = await say(id, 'why did that happen?');
    expect(allText(why)).toMatch(/^Your account is suspended because of a compliance review\./);
    expect(allText(why)).not.toMatch(/Here again/);
    // Anything else is still out of scope.
    expect(allText(await say(id, "what's the weather"))).toMatch(/^I can only help with/);
  });

  it('review: "can i still print ups labels?" as a first message is the suspension that stops them, checked, not the prices; "i already called them" then brings in a person', async () => {
    const id = await startAs('review@demo.test');
    const print = await say(id, 'can i still print ups labels');
    expect(print.intent).toBe('explain_suspension');
    expect(print.checks.map((check) => check.name)).toContain('account.suspension');
    expect(allText(print)).toMatch(/suspended for a compliance review.*\(855\) 889-7867/s);
    expect(allText(print)).not.toMatch(/62% off UPS/);
    const called = await say(id, 'i already called them');
    expect(allText(called)).toMatch(/Since you have already called Stamps, I am passing this to a person/);
    // An active account's customer asking the same gets the prices, which say UPS is covered.
    expect((await say(await startAs('active@demo.test'), 'can i still print ups labels')).intent).toBe(
      'pricing',
    );
  });

  it('suspended: "can I open a new account instead?" is told a new one is not the way around the suspension, with the suspension check, not "no need for another"', async () => {
    const review = await startAs('review@demo.test');
    await say(review, 'what is a compliance review');
    const instead = await say(review, 'can i open a new account instead');
    expect(allText(instead)).toMatch(
      /\nYou already have a One Balance account \(ending in \d{4}\), and it is suspended\. A new account is not the way around that/,
    );
    expect(allText(instead)).toMatch(/\(855\) 889-7867/);
    expect(allText(instead)).not.toMatch(/no need to open another/);
    // For a card to update, the wait for it starts, and "done" retries.
    const declined = await startAs('declined@demo.test');
    const first = await say(declined, 'can i just open a new one balance account');
    expect(first.checks.map((check) => check.name)).toContain('account.suspension');
    expect((await service.store.get(declined))?.offer).toMatchObject({
      kind: 'unsuspend_retry',
      after: 'card',
    });
    expect(allText(await say(declined, 'done'))).toMatch(/still suspended even after the card update/);
  });

  it('review: "can i appeal" or "can you expedite it?" after the Stamps line is told the decision and its appeal are Stamps\'s, with their number', async () => {
    const id = await startAs('review@demo.test');
    await say(id, 'my account was suspended');
    const appeal = await say(id, 'can i appeal');
    expect(appeal.intent).toBe('explain_suspension');
    expect(allText(appeal)).toMatch(
      /^Whether and how the suspension can be appealed is for Stamps to say.*\(855\) 889-7867/,
    );
    expect(appeal.checks).toEqual([]);
    // "Can you speed it up?" had the whole suspension answer again.
    const faster = await say(id, 'can you expedite the review please');
    expect(allText(faster)).toMatch(/^I cannot speed it up from here: lifting the suspension is for Stamps/);
    expect(faster.checks).toEqual([]);
  });

  it('review: "what does compliance review mean?" as a first message is the suspension, checked, not out of scope', async () => {
    const id = await startAs('review@demo.test');
    const meaning = await say(id, 'what does compliance review mean');
    expect(meaning.intent).toBe('explain_suspension');
    expect(allText(meaning)).toMatch(/suspended for a compliance review.*\(855\) 889-7867/s);
    const visitor = await say(await startAs(), 'what is a compliance review');
    expect(visitor.intent).toBe('explain_suspension');
    expect(allText(visitor)).toMatch(/a compliance review/);
  });

  it('review: after the Stamps line, "can you call them for me?" and "anything I can send you?" are told what the bot cannot do', async () => {
    const id = await startAs('review@demo.test');
    await say(id, 'what is going on with my account? cant print anything');
    const send = await say(id, 'is there anything I can send you to help?');
    expect(allText(send)).toMatch(
      /^There is nothing to send me: I cannot take documents here.*\(855\) 889-7867/,
    );
    const call = await say(id, 'can you call them for me?');
    expect(allText(call)).toMatch(/^I cannot make phone calls, sorry.*\(855\) 889-7867/);
    expect(call.escalation).toBeNull();
    expect((await service.store.get(id))?.handoff).toBeUndefined();
    // Asking for one's own details is no offer of documents.
    expect((await say(id, 'can you send me my account details?')).intent).toBe('find_credentials');
  });

  it('after the Stamps line, "what do I tell them?" gets the reason the records show and what to ask', async () => {
    const review = await startAs('review@demo.test');
    await say(
      review,
      'getting SPECIAL USPS RATE ALERT(S) Messages from USPS: Your One Balance account has been suspended. Please Contact ShippingEasy Support for assistance.',
    );
    for (const asks of ['what do I tell them', 'what should I say when I call?']) {
      const turn = await say(review, asks);
      expect(allText(turn)).toMatch(
        /^Tell them that your One Balance account is suspended and that the reason shown is a compliance review, and ask what it takes to lift it/,
      );
      expect(turn.checks).toEqual([]);
    }
    const declined = await startAs('declined@demo.test');
    await say(declined, 'my postage fails, suspended');
    await say(declined, 'done');
    expect(allText(await say(declined, 'what do I tell them?'))).toMatch(
      /the reason shown is a declined payment/,
    );
  });

  it('"anything else I need to do?" or "what now?" after the Stamps line, and after the card update advice', async () => {
    const review = await startAs('review@demo.test');
    await say(review, 'why is my account suspended');
    const call = await say(review, 'is there anything else I need to do?');
    expect(allText(call)).toMatch(
      /^Just one thing: call Stamps at \(855\) 889-7867\..*has your case as well/,
    );
    expect(call.checks).toEqual([]);
    // "What now?" is the same question: not the whole answer again. Calling them says what the
    // customer will do, which is understood.
    const now = await say(review, 'what now');
    expect(allText(now)).toMatch(/^Just one thing: call Stamps at \(855\) 889-7867\./);
    expect(allText(await say(review, 'ok calling them'))).toMatch(/^All right, let me know how it goes\./);
    const declined = await startAs('declined@demo.test');
    // Once read as either a suspension or opening an account, so the bot asked which.
    const suspended = await say(declined, 'my postage wont go through');
    expect(suspended.intent).toBe('explain_suspension');
    const fix = await say(declined, 'do I need to do anything else?');
    expect(allText(fix)).toMatch(/^The payment card is kept with your One Balance account/);
    expect(allText(fix)).toMatch(/say "done"/);
    expect(fix.checks).toEqual([]);
  });

  it('review: after the Stamps line, what the customer did wrong, speeding it up and Stamps hours', async () => {
    const id = await startAs('review@demo.test');
    await say(id, 'why is my account under review');
    const wrong = await say(id, 'what did i do wrong');
    expect(wrong.intent).toBe('explain_suspension');
    expect(allText(wrong)).toMatch(
      /^Your account is suspended because of a compliance review\. I cannot see more.*I cannot lift it from here/,
    );
    expect(wrong.checks).toEqual([]);
    const faster = await say(id, 'can you speed it up');
    expect(faster.intent).toBe('explain_suspension');
    expect(allText(faster)).toMatch(/^I cannot speed it up from here.*\(855\) 889-7867/);
    expect(faster.checks).toEqual([]);
    // The bot has no hours for Stamps, and says so rather than inventing them.
    const hours = await say(id, 'ok what are their hours');
    expect(allText(hours)).toMatch(/^I do not know Stamps' opening hours.*\(855\) 889-7867/);
    // "When will someone get back to me?" names a person, but asks when: no hand-off, no second ticket.
    const when = await say(id, 'when will someone get back to me?');
    expect(allText(when)).toMatch(
      /^I cannot give you an exact time\. Our support team has your case.*calling Stamps at \(855\) 889-7867 is still the fastest way/,
    );
    expect(when.escalation).toBeNull();
    expect((await service.store.get(id))?.handoff).toBeUndefined();
    expect((await service.store.get(id))?.tickets).toHaveLength(1);
  });

  it('review: after the Stamps line, how long, printing meanwhile, the balance and what Stamps will say each get their own answer', async () => {
    const id = await startAs('review@demo.test');
    await say(id, 'my account got suspended out of nowhere');
    const answers = [
      ['how long will it take', /^I cannot tell how long it will take, sorry.*\(855\) 889-7867/],
      [
        'can I still use my balance meanwhile?',
        /^Not while it is suspended: a suspended account cannot buy postage/,
      ],
      ['is my money safe', /^I cannot see your balance from here.*\(855\) 889-7867/],
      ['will they tell me why', /^Stamps can see more of the suspension than I can/],
    ] as const;
    for (const [question, answer] of answers) {
      const turn = await say(id, question);
      expect(allText(turn)).toMatch(answer);
      expect(turn.checks).toEqual([]);
      expect(turn.escalation).toBeNull();
    }
    // Read as the suspension itself (0.99), it would check the account again instead of answering.
    const print = await say(id, "can I print labels while it's suspended");
    expect(allText(print)).toMatch(/^Not while it is suspended/);
    expect(print.checks).toEqual([]);
    expect((await service.store.get(id))?.handoff).toBeUndefined();
    expect((await service.store.get(id))?.tickets).toHaveLength(1);
  });

  it('back from the Stamps line and still suspended ("they said to contact you", "they told me it\'s fine now"): checked again, and a person takes it', async () => {
    const review = await startAs('review@demo.test');
    await say(review, 'why is my account under review');
    const sentBack = await say(review, 'I already called them and they said to contact you');
    expect(sentBack.intent).toBe('explain_suspension');
    expect(sentBack.checks.map((check) => check.name)).toEqual(['account.suspension']);
    expect(allText(sentBack)).toMatch(
      /I checked again just now, and your account is still suspended\..*Since you have already called Stamps, I am passing this to a person/s,
    );
    expect(sentBack.escalation).toMatchObject({ kind: 'ticket', reason: 'suspended_after_stamps_call' });
    expect((await service.store.get(review))?.handoff).toBeDefined();
    const declined = await startAs('declined@demo.test');
    await say(declined, 'account suspended');
    await say(declined, 'done');
    const fine = await say(declined, "I called stamps and they told me it's fine now");
    expect(fine.checks.map((check) => check.name)).toContain('account.suspension');
    expect(fine.escalation).toMatchObject({ kind: 'ticket', reason: 'suspended_after_stamps_call' });
  });

  it('declined, asking about the plan: it allows First Class, but the suspension is what stops labels', async () => {
    const id = await startAs('declined@demo.test');
    const plan = await say(id, 'what plan am I on?');
    expect(plan.intent).toBe('first_class_plan');
    expect(plan.checks.map((check) => check.name)).toEqual(['account.plan']);
    expect(allText(plan)).toMatch(/does allow First Class\. Your account is suspended right now, though/);
    expect(plan.escalation).toBeNull();
    // No promise that a failure means the plan is wrong: "still failing" is about the suspension.
    expect((await service.store.get(id))?.stillFailingTicket).toBeUndefined();
  });

  it('declined, asking about registration: the registration is fine, so the suspension is explained', async () => {
    const turn = await say(await startAs('declined@demo.test'), 'my one balance registration failed');
    expect(turn.intent).toBe('registration_error');
    const answer = allText(turn);
    expect(answer).toMatch(/registration is complete/);
    expect(answer).toMatch(/payment was declined/);
    expect(turn.escalation).toMatchObject({ kind: 'phone', reason: 'payment_declined' });
    expect(turn.checks.map((check) => check.name)).toEqual([
      'account.registration',
      'account.suspension',
      'account.unsuspend',
    ]);
  });

  it('review and declined: "can I still use UPS while this is going on?" (read as the prices) is told no, for both carriers; a question about closing meanwhile is not', async () => {
    const review = await startAs('review@demo.test');
    await say(review, 'hi why is my account suspended');
    const ups = await say(review, 'can i still use ups while this is going on');
    expect(allText(ups)).toMatch(
      /^Not while it is suspended: a suspended account cannot buy postage.*USPS and UPS labels alike/s,
    );
    expect(ups.checks).toEqual([]);
    const declined = await startAs('declined@demo.test');
    await say(declined, "my labels won't buy, account suspended?");
    const meanwhile = await say(declined, "can i still ship ups while it's suspended");
    expect(allText(meanwhile)).toMatch(/^Not while it is suspended.*USPS and UPS labels alike.*say "done"/s);
    expect(meanwhile.checks).toEqual([]);
    expect((await service.store.get(declined))?.offer).toMatchObject({
      kind: 'unsuspend_retry',
      after: 'card',
    });
    const closing = await say(declined, "can I close my account while it's suspended?");
    expect(allText(closing)).not.toMatch(/^Not while/);
  });

  it('review: after the Stamps line, "did I do something illegal?" gets the cause, and "will they close my account?" what the bot cannot tell', async () => {
    const id = await startAs('review@demo.test');
    await say(id, 'hello, why is my account suspended');
    expect(allText(await say(id, 'did I do something illegal?'))).toMatch(
      /^Your account is suspended because of a compliance review\. I cannot see more/,
    );
    for (const question of ['will they close my account?', 'is my account going to be deleted']) {
      const turn = await say(id, question);
      expect(turn.intent).toBe('explain_suspension');
      expect(allText(turn)).toMatch(/^I cannot tell what Stamps will decide.*\(855\) 889-7867/);
    }
  });

  it('hold: the hold is lifted and postage can be bought again', async () => {
    const id = await startAs('hold@demo.test');
    const turn = await say(id, 'my postage purchase fails, account suspended');
    expect(allText(turn)).toMatch(/lifted it\. You can buy postage again/);
    // "So I can print now?", even with thanks, is answered yes, not "you're welcome".
    const canPrint = await say(id, 'great thanks, so I can print now?');
    expect(allText(canPrint)).toMatch(
      /^Yes: as far as I can see, your account is active and can buy postage/,
    );
    expect(canPrint.checks).toEqual([]);
    const again = await say(id, 'is my account still suspended?');
    expect(allText(again)).toMatch(/not suspended/);
    // The conversation's copy of the account no longer calls it suspended.
    const missing = await say(id, "my one balance account doesn't show up in the app");
    expect(allText(missing)).toMatch(/connected to your store and active/);
    expect(allText(missing)).not.toMatch(/but it is suspended/);
  });

  it('hold: "still failing" or "it happened again" after the lift checks the suspension again, then a person', async () => {
    placeHoldAgain();
    const id = await startAs('hold@demo.test');
    await say(id, 'my postage purchase fails, account suspended');
    // Read by the classifier as a registration error: no topic of its own, so the last one's.
    const failing = await say(id, 'still failing');
    expect(failing.intent).toBe('explain_suspension');
    expect(failing.checks.map((check) => check.name)).toContain('account.suspension');
    expect(allText(failing)).toMatch(/not suspended and it is connected/);
    const person = await say(id, 'still failing');
    expect(person.escalation).toMatchObject({ kind: 'ticket', reason: 'fails_though_healthy' });
    // "It happened again" says it came back too (it was answered with what the hold was).
    placeHoldAgain();
    const again = await startAs('hold@demo.test');
    await say(again, 'postage purchase failing');
    const back = await say(again, 'it happened again');
    expect(back.checks.map((check) => check.name)).toContain('account.suspension');
    expect(allText(back)).toMatch(/not suspended and it is connected/);
  });

  it('"yay it works now" after an answer is glad news, not out of scope; a failure after it still brings in the promised person', async () => {
    placeHoldAgain();
    const id = await startAs('hold@demo.test');
    await say(id, 'lables not buying');
    const works = await say(id, 'yay it works now');
    expect(allText(works)).toBe('Glad to hear it works now! Is there anything else I can help you with?');
    expect((await service.store.get(id))?.personOffered).toBeUndefined();
    const active = await startAs('active@demo.test');
    await say(active, 'is my account ok');
    expect(allText(await say(active, 'ok the label went through'))).toMatch(/^Glad to hear it works now!/);
    const still = await say(active, 'it still doesnt work though');
    expect(still.escalation).toMatchObject({ kind: 'ticket', reason: 'fails_though_healthy' });
  });

  it('hold: "did it work?" after the lift checks the suspension again and says it is gone', async () => {
    placeHoldAgain();
    const id = await startAs('hold@demo.test');
    await say(id, 'cant buy postage this morning, what gives');
    const worked = await say(id, 'did it work?');
    expect(worked.intent).toBe('explain_suspension');
    expect(worked.checks.map((check) => check.name)).toContain('account.suspension');
    expect(allText(worked)).toMatch(/not suspended and it is connected, so postage should go through/);
  });

  it('hold: "this morning" is no greeting, and "anything else I need to do?" after the lift is a no', async () => {
    placeHoldAgain();
    const id = await startAs('hold@demo.test');
    // "morning" alone greets; inside a report of what happened this morning it does not.
    const lifted = await say(id, 'i tried buying a label this morning and it wouldnt let me');
    expect(lifted.intent).toBe('explain_suspension');
    expect(allText(lifted)).toMatch(/temporary hold, and I have lifted it/);
    const left = await say(id, 'ok great, do I need to do anything else?');
    expect(left.intent).toBe('explain_suspension');
    expect(allText(left)).toMatch(/^No, there is nothing else you need to do/);
    expect(left.checks).toEqual([]);
    // The promise to bring in a person holds for the message after it.
    const failing = await say(id, 'it still fails');
    expect(failing.escalation).toMatchObject({ kind: 'ticket', reason: 'fails_though_healthy' });
  });

  it('hold: asked about the hold it lifted, says what it was and who knows more', async () => {
    placeHoldAgain();
    const id = await startAs('hold@demo.test');
    expect(allText(await say(id, "why can't I buy postage?"))).toMatch(
      /temporary hold, and I have lifted it/,
    );
    const why = await say(id, 'why did that happen?');
    expect(why.intent).toBe('explain_suspension');
    expect(allText(why)).toMatch(/because of a temporary hold, and I lifted it earlier/);
    expect(allText(why)).toMatch(/\(855\) 889-7867/);
    expect(why.checks).toEqual([]);
    const holdFor = await say(id, 'what was the hold for?');
    expect(allText(holdFor)).toMatch(/because of a temporary hold, and I lifted it earlier/);
    // A suspension question is checked again: still lifted, and said so with what it was.
    const still = await say(id, 'is my account still suspended?');
    expect(still.checks.map((check) => check.name)).toContain('account.suspension');
    expect(allText(still)).toMatch(/because of a temporary hold, and I lifted it earlier/);
    expect(allText(still)).toMatch(/not suspended and it is connected/);
    const again = await say(id, 'will it happen again');
    expect(again.intent).toBe('explain_suspension');
    expect(allText(again)).toMatch(/cannot see what led to it, or tell whether it will happen again/);
    expect(again.escalation).toBeNull();
    // Read as a greeting (0.83) and as out of scope: both ask for the cause.
    for (const question of ['nice, was it something i did?', 'what caused it']) {
      const cause = await say(id, question);
      expect(cause.intent).toBe('explain_suspension');
      expect(allText(cause)).toMatch(
        /^Your account was suspended because of a temporary hold, and I lifted it earlier/,
      );
      expect(cause.checks).toEqual([]);
    }
  });

  it('hold: "how do I prevent that?" after the lift gets the usual causes and what avoids them', async () => {
    placeHoldAgain();
    const id = await startAs('hold@demo.test');
    await say(id, 'I keep getting SPECIAL USPS RATE ALERT(S) when buying labels');
    for (const question of ['how do i prevent that', "how can I make sure it doesn't happen again?"]) {
      const turn = await say(id, question);
      expect(allText(turn)).toMatch(
        /^I cannot see what led to your account's suspension.*The usual causes are/,
      );
      expect(turn.checks).toEqual([]);
    }
    expect(allText(await say(id, 'so can I make labels now?'))).toMatch(/^Yes: as far as I can see/);
  });

  it('hold: "is my account ok now?" right after the lift is a yes', async () => {
    placeHoldAgain();
    const hold = await startAs('hold@demo.test');
    await say(hold, "what's a temporary hold");
    expect(allText(await say(hold, 'is my account ok now?'))).toMatch(
      /^Yes: as far as I can see, your account is active/,
    );
  });

  it('sees a suspension that starts after the account was looked up in the same conversation', async () => {
    const id = await startAs('active@demo.test');
    const plan = await say(id, 'what plan am I on?');
    expect(plan.intent).toBe('first_class_plan');
    expect((await service.store.get(id))?.account?.status).toBe('active');
    // A temporary hold placed at Stamps.com between two messages; the bot's unsuspend lifts it
    // again, and the finally block makes sure of it for the tests after this one.
    const record = service.runtime.accounts?.embedded?.store.findRecord({ email: 'active@demo.test' });
    if (record === undefined) throw new Error('active@demo.test is missing from the reference store');
    record.suspension = { reason: 'temporary_hold', since: new Date().toISOString() };
    record.status = 'suspended';
    try {
      const missing = await say(id, "my one balance account doesn't show up in the app");
      expect(missing.intent).toBe('reconnect_account');
      expect(allText(missing)).toMatch(/connected to your store, but it is suspended/);
      expect(allText(missing)).toMatch(/lifted it/);
      expect(missing.checks.map((check) => check.name)).toEqual([
        'account.connection',
        'account.suspension',
        'account.unsuspend',
      ]);
      // Suspended again, asked as a registration question: the same fresh look.
      record.suspension = { reason: 'temporary_hold', since: new Date().toISOString() };
      record.status = 'suspended';
      const registration = await say(id, 'my one balance registration failed');
      expect(registration.intent).toBe('registration_error');
      expect(allText(registration)).toMatch(/registration is complete.*lifted it/s);
    } finally {
      record.suspension = null;
      record.status = 'active';
    }
  });

  it('declined, missing from the app: connected, but suspended, so the suspension is explained', async () => {
    const turn = await say(
      await startAs('declined@demo.test'),
      "my one balance account doesn't show up in the app",
    );
    expect(turn.intent).toBe('reconnect_account');
    const answer = allText(turn);
    expect(answer).toMatch(/connected to your store, but it is suspended/);
    expect(answer).toMatch(/payment was declined/);
    expect(answer).not.toMatch(/nothing needs fixing|Shall I ask/);
    expect(turn.escalation).toMatchObject({ kind: 'phone', reason: 'payment_declined' });
    expect(turn.checks.map((check) => check.name)).toEqual([
      'account.connection',
      'account.suspension',
      'account.unsuspend',
    ]);
  });

  it('disconnected: "so can I print now?" after a declined reconnect offer is not a yes', async () => {
    const id = await startAs('disconnected@demo.test');
    await say(id, 'my one balance account is missing from the app');
    await say(id, 'no');
    expect(allText(await say(id, 'so can I print now?'))).not.toMatch(/^Yes/);
  });

  it('disconnected, asking for its details: the masked details, then the reconnect offer, not "see the page"', async () => {
    const id = await startAs('disconnected@demo.test');
    const turn = await say(id, "where's my one balance username");
    expect(turn.intent).toBe('find_credentials');
    expect(turn.checks.map((check) => check.name).sort()).toEqual([
      'account.connection',
      'account.credentials',
    ]);
    expect(allText(turn)).toMatch(/username \S+, account ending in \d{4}\./);
    expect(allText(turn)).not.toMatch(/The full details are on the ONE BALANCE/);
    expect(allText(turn)).toMatch(
      /not connected to your store.*Shall I ask our Customer Success team to reconnect it\?/s,
    );
    expect((await service.store.get(id))?.offer).toMatchObject({ kind: 'reconnect' });
  });

  it('disconnected: "why did it disconnect?", "will I lose my balance?", how long, an email and printing meanwhile, before answering the offer, get what the bot can see, and the offer stays (explained once, then asked in one line)', async () => {
    const id = await startAs('disconnected@demo.test');
    await say(id, "i can't see my one balance on the carriers page");
    const why = await say(id, 'why did it disconnect?');
    expect(allText(why)).toMatch(/^I cannot see why it was disconnected/);
    expect(allText(why)).toMatch(/Shall I ask them to reconnect it\? \(yes \/ no\)$/);
    const balance = await say(id, 'will i lose my balance?');
    expect(allText(balance)).toMatch(/^Reconnecting does not make a new account: it links your existing one/);
    expect(balance.checks).toEqual([]);
    // How long, how the customer hears of it and shipping meanwhile: no check again, the offer stays.
    const answers = [
      [
        'how long does the reconnect take',
        /^I cannot say exactly how long it takes: a Customer Success agent/,
      ],
      ['will I get an email', /^You will hear from us once it is reconnected/],
      ['can I still print labels', /^Not through your One Balance account until it is reconnected/],
    ] as const;
    for (const [question, answer] of answers) {
      const turn = await say(id, question);
      expect(allText(turn)).toMatch(answer);
      // What a reconnect does was explained with the first answer: now the question alone.
      expect(allText(turn)).toMatch(
        /\nShall I ask our Customer Success team to reconnect your account\? \(yes \/ no\)$/,
      );
      expect(allText(turn)).not.toMatch(/Reconnecting links/);
      expect(turn.checks).toEqual([]);
    }
    expect((await service.store.get(id))?.offer).toMatchObject({ kind: 'reconnect' });
    // "I don't get it" hears the explanation again.
    expect(allText(await say(id, 'i dont get it'))).toMatch(/In short:\nReconnecting links your existing/);
  });

  it('disconnected: "will it cost anything?" before the yes is told what the bot knows of a charge, and the offer stands', async () => {
    const id = await startAs('disconnected@demo.test');
    await say(id, 'hey my one balance account disappeared from the carriers page');
    for (const asks of [
      'will it cost anything?',
      'is there a fee for that?',
      'how much does it cost to reconnect',
    ]) {
      const turn = await say(id, asks);
      expect(allText(turn)).toMatch(
        /^Your One Balance account comes free.*no charge for reconnecting it.*Shall I ask (?:them|our Customer Success team) to reconnect (?:it|your account)\? \(yes \/ no\)$/s,
      );
      expect(turn.checks).toEqual([]);
    }
    expect((await service.store.get(id))?.offer).toMatchObject({ kind: 'reconnect' });
  });

  it('disconnected: offers a reconnect request, remembers it until answered, files it on yes', async () => {
    // Other tests in this file file requests too: count this conversation's own.
    const requestsBefore = service.runtime.accounts?.embedded?.store.reconnectRequests().length ?? 0;
    const id = await startAs('disconnected@demo.test');
    const offer = await say(id, 'my one balance account is not showing on the carriers page');
    expect(allText(offer)).toMatch(/not connected to your store.*Shall I ask/s);
    const yesOrNo = [
      { label: 'Yes', reply: 'yes' },
      { label: 'No', reply: 'no' },
    ];
    expect(offer.messages.at(-1)?.choices).toEqual(yesOrNo);
    // Kept in the transcript, so a page that reloads shows the buttons again.
    const transcript = (await (await fetch(`${base}/api/conversations/${id}`)).json()) as Pick<
      Turn,
      'messages'
    >;
    expect(transcript.messages.at(-1)?.choices).toEqual(yesOrNo);
    // Another question in between does not lose the offer.
    const between = await say(id, 'how much does one balance cost?');
    expect(between.intent).toBe('pricing');
    // A question about the offer that the classifier cannot place: the offer is explained again.
    const unclear = await say(id, 'ok, what would that do?');
    expect(unclear.intent).toBe('out_of_scope');
    expect(allText(unclear)).toMatch(/Reconnecting links your existing One Balance account.*\(yes \/ no\)/s);
    expect(unclear.messages.at(-1)?.choices).toEqual(yesOrNo);
    expect(unclear.checks).toEqual([]);
    const yes = await say(id, 'yes, please do');
    expect(yes.intent).toBe('reconnect_account');
    expect(yes.messages.some((message) => message.choices !== undefined)).toBe(false);
    expect(yes.checks).toMatchObject([{ name: 'account.reconnect_request', status: 'ok' }]);
    expect(allText(yes)).toMatch(/asked our Customer Success team to reconnect it/);
    expect(yes.escalation).toMatchObject({ kind: 'ticket', reason: 'reconnect_request' });
    expect(service.runtime.accounts?.embedded?.store.reconnectRequests()).toHaveLength(requestsBefore + 1);
    // Support has the request now: what the bot cannot answer is left to the person who picks it
    // up, without offering a person a second time.
    const other = await say(id, 'can you also change my store name?');
    expect(other.intent).toBe('out_of_scope');
    expect(allText(other)).toMatch(/support team already has this conversation from earlier/);
    expect(other.messages.some((message) => message.choices !== undefined)).toBe(false);
    expect(other.escalation).toBeNull();
    expect((await service.store.get(id))?.personOffered).toBeUndefined();
    // Answered: a later "yes" is not a second request.
    const later = await say(id, 'yes');
    expect(later.checks).toEqual([]);
    // Asked again from the start: it waits for the agent, no second offer and no second ticket.
    const repeated = await say(id, 'my one balance account is still not showing on the carriers page');
    expect(allText(repeated)).toMatch(
      /It is not reconnected yet: .* The reconnect request I filed is waiting/s,
    );
    expect(repeated.messages.some((message) => message.choices !== undefined)).toBe(false);
    expect((await say(id, 'yes')).escalation).toBeNull();
    expect((await service.store.get(id))?.tickets).toHaveLength(1);
  });

  it('disconnected: "its gone" while the reconnect is offered is the missing account said again, not the closing guide', async () => {
    const id = await startAs('disconnected@demo.test');
    await say(id, 'my one balance is not showing');
    const gone = await say(id, 'its gone');
    expect(allText(gone)).toMatch(
      /^It is missing from the ONE BALANCE & CARRIERS page because it is not connected to your store/,
    );
    expect(allText(gone)).not.toMatch(/closing guide/);
    expect((await service.store.get(id))?.offer).toMatchObject({ kind: 'reconnect' });
  });

  it('disconnected: "does that mean i have to make a new one?" while the reconnect is offered is told the account exists, and the offer stands', async () => {
    const id = await startAs('disconnected@demo.test');
    await say(id, 'i think my account got unlinked after i changed stores');
    const turn = await say(id, 'does that mean i have to make a new one');
    expect(allText(turn)).toMatch(
      /^No: your One Balance account still exists, so you do not need a new one\./,
    );
    expect(allText(turn)).not.toMatch(/You already have a One Balance account/);
    expect((await service.store.get(id))?.offer).toMatchObject({ kind: 'reconnect' });
  });

  it('disconnected: "no thanks, I\'ll do it myself. how?" is told a reconnect is not self-service, and "actually yes" still asks for it', async () => {
    const id = await startAs('disconnected@demo.test');
    await say(id, 'I think my account got disconnected');
    const asks = await say(id, 'can I reconnect it myself?');
    expect(allText(asks)).toMatch(/^A reconnect is made by our Customer Success team.*Shall I ask them/s);
    expect(asks.checks).toEqual([]);
    const declines = await say(id, "no thanks, I'll do it myself. how?");
    expect(allText(declines)).toMatch(/no steps I can give you.*If you change your mind, just say yes/);
    expect((await service.store.get(id))?.offer).toBeUndefined();
    const yes = await say(id, 'actually yes');
    expect(yes.escalation).toMatchObject({ kind: 'ticket', reason: 'reconnect_request' });
  });

  it('disconnected: "link it back to my store please" or "can you hook it back up" while the reconnect is offered is the yes to it', async () => {
    for (const asks of [
      'link it back to my store please',
      'can you hook it back up',
      'ok reconnect my account',
    ]) {
      const id = await startAs('disconnected@demo.test');
      await say(id, 'my one balance account vanished from the carriers page');
      const yes = await say(id, asks);
      expect(yes.escalation).toMatchObject({ kind: 'ticket', reason: 'reconnect_request' });
      expect(allText(yes)).toMatch(/asked our Customer Success team to reconnect it/);
    }
    // A question about reconnecting is not a yes.
    const id = await startAs('disconnected@demo.test');
    await say(id, 'my one balance account vanished from the carriers page');
    const how = await say(id, 'how do I link it back?');
    expect(how.escalation).toBeNull();
    expect((await service.store.get(id))?.offer).toMatchObject({ kind: 'reconnect' });
  });

  it('disconnected: "anything I need to do meanwhile?" after the reconnect request is a no', async () => {
    const id = await startAs('disconnected@demo.test');
    await say(id, 'my one balance disappeared from the app');
    await say(id, 'yes');
    const waiting = await say(id, 'anything I need to do meanwhile?');
    expect(allText(waiting)).toMatch(/^Nothing for now: our support team has your case/);
    expect(waiting.checks).toEqual([]);
  });

  it('says goodbye with what is still open: the Stamps call, or the case support has', async () => {
    const review = await startAs('review@demo.test');
    await say(review, 'why is my account suspended');
    const bye = await say(review, 'ok thanks bye');
    expect(allText(bye)).toMatch(/^Good luck with the call: Stamps is at \(855\) 889-7867/);
    expect(allText(bye)).not.toMatch(/Glad I could help/);
    const disconnected = await startAs('disconnected@demo.test');
    await say(disconnected, 'my stamps account is gone from the app');
    await say(disconnected, 'yes');
    expect(allText(await say(disconnected, 'ok bye'))).toMatch(/^Our support team has your case/);
    // Nothing left open: glad to have helped.
    const active = await startAs('active@demo.test');
    await say(active, 'how much are labels?');
    expect(allText(await say(active, 'bye'))).toMatch(/^Glad I could help/);
  });

  it('active: after the closing answer, "ok how do I do it?" is told how, "done, closed it" is taken as said, and "can I reopen it later?" gets the warning', async () => {
    const id = await startAs('active@demo.test');
    await say(id, 'i want to close my one balance account');
    // "Do it" read as asking the bot to close it.
    const how = await say(id, 'ok how do i do it');
    expect(allText(how)).toMatch(/^You close it yourself, by following the closing guide/);
    // Read as opening an account, which told the customer they needed no second one.
    const closed = await say(id, 'done, closed it');
    expect(allText(closed)).toMatch(
      /^All right\. Remember that once closed, a One Balance account cannot be reopened/,
    );
    expect(allText(closed)).not.toMatch(/no need to open another/);
    expect(allText(await say(id, 'can i reopen it later if i change my mind'))).toMatch(
      /^Once closed, a One Balance account cannot be reopened/,
    );
  });

  it('asked what happens to the money on an account about to close: what the bot cannot see, and a person unless support has the case', async () => {
    const visitor = await startAs();
    await say(visitor, 'hey i want to close my one balance account');
    const money = await say(visitor, 'what happens to my money on it');
    expect(allText(money)).toMatch(
      /^I cannot see your account's balance, or tell what happens to postage left on it/,
    );
    expect(allText(money)).toMatch(/shall I pass this to them\? \(yes \/ no\)$/);
    expect(allText(await say(visitor, 'no'))).toMatch(/^All right\./);
    // "Can you do it for me?" is about the closing answer, and "ok how" asks for it again.
    expect(allText(await say(visitor, 'can you do it for me'))).toMatch(
      /^I cannot close an account from this chat/,
    );
    expect(allText(await say(visitor, 'ok how'))).toMatch(
      /^Here again is what I told you about closing your account:/,
    );
    // Support already has this customer's case (the reconnect request): no second offer of a person.
    const disconnected = await startAs('disconnected@demo.test');
    await say(disconnected, 'my account is missing from the app');
    await say(disconnected, 'yes');
    await say(disconnected, 'how do I close my account');
    const left = await say(disconnected, 'what happens to my balance?');
    expect(allText(left)).toMatch(/Our support team already has this conversation/);
    expect(left.messages.at(-1)?.choices).toBeUndefined();
  });

  it('disconnected: what a reconnect means; after the request, how long it takes, an email, shipping meanwhile, and "did it work?" checks again', async () => {
    const id = await startAs('disconnected@demo.test');
    await say(id, 'my one balance vanished from the carriers page??');
    // A question about the offer that the classifier reads as a reconnect: the offer explained, not
    // the same check and offer again.
    const meaning = await say(id, 'what does reconnect mean');
    expect(allText(meaning)).toMatch(/^Reconnecting links your existing One Balance account/);
    expect(meaning.checks).toEqual([]);
    const requested = await say(id, 'ok yes');
    expect(requested.escalation).toMatchObject({ kind: 'ticket', reason: 'reconnect_request' });
    // How long it takes is not the bot's to promise, but what it waits for is.
    const timing = await say(id, 'how long will that take?');
    expect(timing.intent).toBe('reconnect_account');
    expect(allText(timing)).toMatch(
      /^I cannot give you an exact time\. The reconnect request is waiting for a Customer Success agent/,
    );
    expect(timing.messages.some((message) => message.choices !== undefined)).toBe(false);
    expect(timing.escalation).toBeNull();
    expect(timing.checks).toEqual([]);
    // "Done" is no goodbye here; and "when" after "how will I know" or "an email" asks how.
    expect(allText(await say(id, "how will I know when it's done"))).toMatch(
      /^Our support team follows up by email and here in this chat\. The reconnect request is waiting/,
    );
    expect(allText(await say(id, "will i get an email when it's done"))).toMatch(
      /^Yes: our support team follows up by email/,
    );
    expect(allText(await say(id, 'can I ship in the meantime'))).toMatch(
      /^Not through your One Balance account until it is reconnected/,
    );
    // Checked again: not yet, and no second request or offer.
    const worked = await say(id, 'did it work?');
    expect(worked.intent).toBe('reconnect_account');
    expect(worked.checks.map((check) => check.name)).toContain('account.connection');
    expect(allText(worked)).toMatch(
      /^One moment.*It is not reconnected yet: .* still not connected to your store\. The reconnect request I filed is waiting/s,
    );
    expect(worked.messages.some((message) => message.choices !== undefined)).toBe(false);
    expect(worked.escalation).toBeNull();
    expect((await service.store.get(id))?.tickets).toHaveLength(1);
  });

  it('takes a declined offer when the customer changes their mind in the next message, not later', async () => {
    const id = await startAs('disconnected@demo.test');
    await say(id, 'where did my one balance account go');
    const no = await say(id, 'no');
    expect(allText(no)).toMatch(/leave it as it is\. If you change your mind/);
    expect(no.checks).toEqual([]);
    const changed = await say(id, 'actually, yes please');
    expect(changed.intent).toBe('reconnect_account');
    expect(changed.checks).toMatchObject([{ name: 'account.reconnect_request', status: 'ok' }]);
    expect(changed.escalation).toMatchObject({ kind: 'ticket', reason: 'reconnect_request' });
    // Said in words, with no "it" after "reconnect": the offer was made again instead.
    const mind = await startAs('disconnected@demo.test');
    await say(mind, 'my carriers page is empty');
    await say(mind, 'no');
    const reconnect = await say(mind, 'actually i changed my mind, please reconnect');
    expect(reconnect.checks).toMatchObject([{ name: 'account.reconnect_request', status: 'ok' }]);

    // Declined, then another question: the offer is gone, and a later yes is not taken as one.
    const other = await startAs('disconnected@demo.test');
    await say(other, 'where did my one balance account go');
    await say(other, 'no thanks');
    await say(other, 'how much does one balance cost?');
    const late = await say(other, 'actually yes');
    expect(late.checks).toEqual([]);
    expect(late.escalation).toBeNull();
    expect((await service.store.get(other))?.declinedOffer).toBeUndefined();

    // "Why?" after a no goes back over the offer and opens it again, so a yes then files it.
    const why = await startAs('disconnected@demo.test');
    await say(why, 'where did my one balance account go');
    await say(why, 'no');
    await say(why, 'how much does one balance cost?');
    await say(why, 'where did my one balance account go');
    await say(why, 'no');
    const again = await say(why, 'why?');
    expect(again.intent).toBe('reconnect_account');
    expect(again.checks).toEqual([]);
    expect(allText(again)).toMatch(/Shall I ask our Customer Success team to reconnect it\?/);
    expect(again.messages.at(-1)?.choices).toEqual([
      { label: 'Yes', reply: 'yes' },
      { label: 'No', reply: 'no' },
    ]);
    const yes = await say(why, 'yes');
    expect(yes.escalation).toMatchObject({ kind: 'ticket', reason: 'reconnect_request' });
    // Once filed, "what happens now?" recaps the request rather than offering it again.
    const now = await say(why, 'what happens now?');
    expect(allText(now)).toMatch(/asked our Customer Success team to reconnect it/);
    expect(now.checks).toEqual([]);
    expect(now.messages.at(-1)?.choices).toBeUndefined();
  });

  it('answers two requests in one message, the offer last with its quick answers', async () => {
    const id = await startAs('disconnected@demo.test');
    const turn = await say(id, "my account isn't showing and also how much does it cost?");
    const texts = turn.messages.map((message) => message.text);
    expect(texts[0]).toMatch(/checking your account/);
    expect(texts[1]).toMatch(/^On prices and discounts: .*62% off UPS/);
    expect(texts[2]).toMatch(/^On an account that no longer shows in the app: .*ending in \d{4} exists/);
    expect(turn.messages.at(-1)?.choices).toEqual([
      { label: 'Yes', reply: 'yes' },
      { label: 'No', reply: 'no' },
    ]);
    expect(turn.checks.map((check) => check.name)).toContain('account.connection');
    // The offer made for the second request is open like any other.
    const yes = await say(id, 'yes');
    expect(yes.escalation).toMatchObject({ kind: 'ticket', reason: 'reconnect_request' });
  });

  it('answers three requests in one message, and says which one it leaves for later', async () => {
    const answered = await say(
      await startAs('disconnected@demo.test'),
      'how do I log in and where do I find my account number and how much does it cost',
    );
    expect(answered.messages.slice(1).map((message) => message.text.replace(/:.*/s, ''))).toEqual([
      'On finding your account details',
      'On prices and discounts',
      'On logging in to One Balance',
    ]);
    expect(answered.messages.at(-1)?.choices).toBeDefined();

    // Two escalations in one turn are one too many: the second waits, and the customer is told.
    const declined = await say(
      await startAs('declined@demo.test'),
      'I cannot buy postage; my one balance account is missing from the app; and what are the prices',
    );
    expect(declined.escalation).toMatchObject({ kind: 'phone' });
    expect(allText(declined)).toMatch(/On prices and discounts/);
    // The suspension answer waits for "done" once the card is updated: its question goes last,
    // with the note on what is left for later just before it.
    expect(declined.messages.slice(-2).map((message) => message.text)).toEqual([
      expect.stringMatching(/^You also asked about an account that no longer shows in the app: ask me again/),
      expect.stringMatching(/^On a suspended account or a failing postage purchase: .*say "done"/),
    ]);
    expect(declined.messages.at(-1)?.choices).toEqual([
      { label: 'Done, the card is updated', reply: 'done' },
    ]);
  });

  it('none: "why cant i find one balance in my account" checks for the account instead of asking which topic, and "what email did i use?" keeps the offer of a person', async () => {
    const id = await startAs('none@demo.test');
    const find = await say(id, 'why cant i find one balance in my account');
    expect(find.intent).toBe('reconnect_account');
    expect(allText(find)).toMatch(/^I could not find a One Balance account for you/);
    const sure = await say(id, "i'm pretty sure i signed up last year");
    expect(allText(sure)).toMatch(/Customer Success team can check whether you have an account/);
    const which = await say(id, 'what email did i use');
    expect(allText(which)).toMatch(/^I cannot tell which email an account was registered with/);
    expect((await service.store.get(id))?.misunderstandings).toBe(0);
    expect((await say(id, 'yes')).intent).toBe('talk_to_human');
    expect((await service.store.get(id))?.handoff).toBeDefined();
  });

  it('a visitor told what One Balance is: "how do i get it" is the opening steps, and "is it safe to give them my card" where the card goes; no misses', async () => {
    const id = await startAs();
    await say(id, 'whats one balance');
    const get = await say(id, 'how do i get it');
    expect(get.intent).toBe('open_account');
    expect(allText(get)).toMatch(/Click the blue Register a FREE Account! button/);
    const safe = await say(id, 'is it safe to give them my card');
    expect(allText(safe)).toMatch(
      /^The card goes into the registration form, to Stamps\.com.*never type them in this chat/,
    );
    const state = await service.store.get(id);
    expect(state?.misunderstandings).toBe(0);
    expect(state?.handoff).toBeUndefined();
  });

  it('"do i have an account?" from a signed-in customer is answered from the lookup (closed, none, open), not with a hello', async () => {
    expect(allText(await say(await startAs('closed@demo.test'), 'do i have an account'))).toMatch(
      /^Your earlier One Balance account is closed/,
    );
    expect(
      allText(await say(await startAs('active@demo.test'), 'do i still have an account with you')),
    ).toMatch(/^You already have a One Balance account \(ending in 7007\)/);
    expect(allText(await say(await startAs('none@demo.test'), 'do i have an account?'))).toMatch(
      /^I find no One Balance account for you/,
    );
  });

  it('closed: a new account is needed, with the opening steps', async () => {
    const id = await startAs('closed@demo.test');
    const turn = await say(id, 'I need to buy postage but my account is suspended');
    expect(allText(turn)).toMatch(/closed/);
    expect(allText(turn)).toMatch(/Register a FREE Account!/);
    // A weak guess at a reconnect (0.30) gave the whole closed answer and steps again.
    const card = await say(id, 'do i need to enter my card again');
    expect(allText(card)).toBe(
      'From what I told you about opening a new account: Enter a payment card; it pays for your One Balance postage, provided by Stamps.com.',
    );
  });

  it('a message torn between two account topics is settled by the signed-in account, and asked about for a visitor', async () => {
    const message = 'i want to buy postage but it says my account is closed';
    const closed = await say(await startAs('closed@demo.test'), message);
    expect(closed.intent).toBe('open_account');
    expect(allText(closed)).toMatch(/^Your earlier One Balance account is closed.*Register a FREE Account!/s);
    expect(closed.messages.some((message) => message.choices !== undefined)).toBe(false);
    // "Get my old account back" reads as a reconnect as much as a new account: closed, it is the latter.
    expect((await say(await startAs('closed@demo.test'), 'can i get my old account back')).intent).toBe(
      'open_account',
    );
    // A visitor's account is unknown, so the bot still asks which topic is meant.
    const visitor = await say(await startAs(), message);
    expect(allText(visitor)).toMatch(/^I want to get this right\./);
  });

  it('closed: "how do I do the new one?" after a person was offered gets the steps, and "do I need a different email?" what the form allows', async () => {
    const id = await startAs('closed@demo.test');
    await say(id, 'i closed my account last year, now i need to ship again');
    const balance = await say(id, 'will my old balance carry over?');
    expect(allText(balance)).toMatch(/shall I pass this to them\? \(yes \/ no\)$/);
    const steps = await say(id, 'ok how do I do the new one');
    expect(steps.intent).toBe('open_account');
    expect(allText(steps)).toMatch(/Register a FREE Account!/);
    const email = await say(id, 'do I need a different email?');
    expect(allText(email)).toMatch(
      /^The Account Information in the form is filled in from your store's details, and you can edit it, the email too\..*account already exists/s,
    );
    expect((await service.store.get(id))?.handoff).toBeUndefined();
  });

  it('closed: "how long does a new one take to set up?" after the steps gets how long, not the steps again', async () => {
    const id = await startAs('closed@demo.test');
    await say(id, 'i need to print a label but my one balance is closed');
    const howLong = await say(id, 'ugh fine, how long does a new one take to set up');
    expect(allText(howLong)).toMatch(
      /^Opening a One Balance account takes a few minutes with the steps above/,
    );
    expect(allText(howLong)).not.toMatch(/Register a FREE Account/);
  });

  it('none and closed: "what info do I need?" after the steps gets what the form asks for, and "is there a credit check?" what the bot can say', async () => {
    const none = await startAs('none@demo.test');
    await say(none, 'how do i set up one balance');
    // Read as asking for the account's details, which sent the steps again for an account to open.
    const info = await say(none, 'what info do i need');
    expect(allText(info)).toMatch(
      /^You need three things for the form: your store's details.*a payment card for your postage, and a phone/,
    );
    expect(allText(info)).not.toMatch(/Register a FREE Account/);
    // "Check" named a step ("Check the Account Information") that was no answer.
    const credit = await say(none, 'is there a credit check');
    expect(allText(credit)).toMatch(/^I cannot tell whether Stamps\.com looks at credit/);
    const closed = await startAs('closed@demo.test');
    await say(closed, 'my account says closed');
    // "Credit" was read as money left on the closed account.
    expect(allText(await say(closed, 'is there a credit check'))).toMatch(
      /^I cannot tell whether Stamps\.com looks at credit/,
    );
    expect(allText(await say(closed, 'what about my credit'))).toMatch(/^I cannot see or move what was left/);
  });

  it('closed: "what is my account number?" names the closed account by its last four digits, then the new account it needs', async () => {
    const id = await startAs('closed@demo.test');
    const number = await say(id, 'what is my account number');
    expect(allText(number)).toMatch(
      /^Your earlier One Balance account, ending in \d{4}, is closed.*Register a FREE Account!/s,
    );
    expect(allText(number)).not.toMatch(/\d{5,}/);
  });

  it('none: asked to close an account, is told there is none to close under the signed-in email, and who can look under another', async () => {
    const id = await startAs('none@demo.test');
    const close = await say(id, 'i want to close my one balance account');
    expect(allText(close)).toMatch(
      /^I find no One Balance account under the email you are signed in with, so there is nothing to close/,
    );
    expect(allText(close)).not.toMatch(/closing guide/);
    const other = await say(id, 'i think i have one under my work email');
    expect(allText(other)).toMatch(/Customer Success team can check.*\(yes \/ no\)$/s);
  });

  it('closed: "can I reopen it?", which names no account, is about the closed one', async () => {
    const id = await startAs('closed@demo.test');
    await say(id, 'why cant i see my one balance anymore');
    const reopen = await say(id, 'can i reopen it');
    expect(reopen.intent).toBe('open_account');
    // The first answer gave the opening steps already: not sent again.
    expect(allText(reopen)).toMatch(
      /^I cannot reopen it: a closed One Balance account cannot be used again\./,
    );
    // A customer whose account is not closed has nothing to reopen: the words alone are no topic.
    expect((await say(await startAs('active@demo.test'), 'can i reopen it')).intent).toBe('out_of_scope');
    // Asked again: the same, in short.
    const again = await say(id, "can't you just reopen the old one?");
    expect(allText(again)).toBe(
      'I cannot reopen it: a closed One Balance account cannot be used again. To ship, open a new one with the steps in my answer above, and ask me about any of them.',
    );
  });

  it('after the closing answer, "yes close it" is told the bot cannot, so nobody believes it closed', async () => {
    const id = await startAs('active@demo.test');
    await say(id, 'close my account please');
    const closeIt = await say(id, 'yes close it');
    expect(closeIt.intent).toBe('close_account');
    expect(allText(closeIt)).toMatch(
      /^I cannot close an account from this chat, so nothing has changed on yours\./,
    );
    expect(closeIt.escalation).toBeNull();
  });

  it('closed: "can I keep my old account number?" is told the number goes with the closed account, with the steps only once', async () => {
    const id = await startAs('closed@demo.test');
    await say(id, 'my one balance is gone, i need to ship');
    const keep = await say(id, 'can i keep my old account number');
    expect(keep.intent).toBe('open_account');
    // The first answer gave the opening steps: not sent again.
    expect(allText(keep)).toBe(
      'No, sorry: a closed account cannot be reopened or used again, so the account ending in 7049 stays closed. The new account comes with an account number of its own, which the ONE BALANCE & CARRIERS page shows once it is open.',
    );
    // Asked first, the steps follow, and a later question about them is answered from them.
    const first = await startAs('closed@demo.test');
    const reuse = await say(first, 'can I still use my old one balance account?');
    expect(allText(reuse)).toMatch(
      /^No, sorry: a closed account cannot be reopened.*\n1\. Click ONE BALANCE AND CARRIERS/s,
    );
    expect(allText(await say(first, 'how long does the new one take?'))).toMatch(
      /^Opening a One Balance account takes a few minutes with the steps above/,
    );
    // An account that is not closed has its number: the question is about the details.
    expect((await say(await startAs('active@demo.test'), 'can i keep my old account number')).intent).toBe(
      'find_credentials',
    );
  });

  it('closed: "when did that happen?" and "can I get my old balance back?" get what the bot cannot see and a person', async () => {
    const id = await startAs('closed@demo.test');
    await say(id, "hey why can't i see my one balance anymore");
    const when = await say(id, 'when did that happen?');
    expect(when.intent).toBe('close_account');
    expect(allText(when)).toMatch(/I cannot see who closed it, when or why\..*look into what happened/s);
    expect(when.checks).toEqual([]);
    expect(allText(await say(id, 'no'))).toMatch(/^All right/);
    const money = await say(id, 'can i get my old balance back?');
    expect(allText(money)).toMatch(/^I cannot see or move what was left on a closed account/);
    expect(money.messages.at(-1)?.choices?.map((choice) => choice.reply)).toEqual(['yes', 'no']);
    // Not counted as a misunderstanding: the conversation is not handed off.
    expect((await service.store.get(id))?.misunderstandings).toBe(0);
    expect((await say(id, 'yes')).escalation).toMatchObject({ kind: 'ticket' });
  });

  it('closed: "i didnt close it" right after "why was my account closed?" does not send the opening steps a second time', async () => {
    const id = await startAs('closed@demo.test');
    const why = await say(id, 'why was my account closed');
    expect(allText(why)).toMatch(/Click the blue Register a FREE Account! button/);
    const denied = await say(id, 'i didnt close it');
    expect(allText(denied)).toMatch(/A new account gets you shipping again, with the steps I gave\./);
    expect(allText(denied)).not.toMatch(/Register a FREE Account!/);
    expect(allText(denied)).toMatch(/If you did not close it, a person on our support team can look into it/);
  });

  it('closed: "but I never closed it" gets what the bot can see and the offer of a person', async () => {
    const id = await startAs('closed@demo.test');
    await say(id, 'my labels stopped working');
    const denied = await say(id, 'but I never closed it');
    expect(denied.intent).toBe('close_account');
    expect(allText(denied)).toMatch(
      /^The account system shows your One Balance account ending in \d{4} as closed, and I cannot see who closed it.*shall I pass this to them\?/s,
    );
    expect(denied.messages.at(-1)?.choices?.map((choice) => choice.reply)).toEqual(['yes', 'no']);
    const yes = await say(id, 'yes');
    expect(yes.intent).toBe('talk_to_human');
    expect(yes.escalation).toMatchObject({ kind: 'ticket' });
    // Asked first, before any steps: the steps come with it, the question last.
    const first = await say(await startAs('closed@demo.test'), 'who closed my account?');
    expect(first.messages.map((message) => message.text)).toEqual([
      expect.stringMatching(
        /as closed, and I cannot see who closed it, when or why\. A new account gets you shipping again\.$/,
      ),
      expect.stringMatching(/Register a FREE Account!/),
      expect.stringMatching(/shall I pass this to them\? \(yes \/ no\)$/),
    ]);
  });

  it('asked to reopen a closed account, says a new one is needed, to a visitor too', async () => {
    const closed = await say(await startAs('closed@demo.test'), 'I closed it by mistake, can you reopen it?');
    expect(closed.intent).toBe('open_account');
    expect(allText(closed)).toMatch(/^Your earlier One Balance account is closed/);
    const visitor = await say(await startAs(), 'I closed my one balance by mistake, can you reopen it?');
    expect(visitor.intent).toBe('open_account');
    expect(allText(visitor)).toMatch(/^A closed One Balance account cannot be opened again/);
    expect(allText(visitor)).toMatch(/Register a FREE Account!/);
    // Asked to open one, nobody is told about closed accounts.
    expect(allText(await say(await startAs(), 'how do I open a one balance account'))).not.toMatch(/closed/);
  });

  it('none: no account, so the opening steps', async () => {
    const id = await startAs('none@demo.test');
    const turn = await say(id, 'how do I log into my one balance account');
    expect(allText(turn)).toMatch(/could not find a One Balance account/);
    expect(allText(turn)).toMatch(/1\. Click ONE BALANCE AND CARRIERS/);
    // Agreeing that there is none is not out of scope, and "then" does not make a question so.
    const never = await say(id, 'I never had one');
    expect(never.intent).toBe('open_account');
    expect(allText(never)).toMatch(/no One Balance account for you yet/);
    expect(never.escalation).toBeNull();
    // Asked right after the steps, it read as opening again and repeated them.
    const none = await startAs('none@demo.test');
    await say(none, 'where are my one balance credentials');
    const asked = await say(none, "so i don't have one?");
    expect(allText(asked)).toMatch(/^That matches what I see: there is no One Balance account for you yet\./);
    expect(allText(asked)).not.toMatch(/Register a FREE Account!/);
    const how = await say(id, 'ok so how do I get one then?');
    expect(how.intent).toBe('open_account');
    expect(allText(how)).toMatch(/Register a FREE Account!/);
    // Wanting USPS labels in the app is wanting the account, not a person (it was handed off).
    const usps = await say(id, 'how do I get set up to print USPS labels in your app?');
    expect(usps.intent).toBe('open_account');
    expect(usps.escalation).toBeNull();
  });

  it('none: "how do I make one?" after "no account" is about opening one, and so is a question on the steps', async () => {
    const id = await startAs('none@demo.test');
    await say(id, "where's my one balance account");
    const make = await say(id, 'how do i make one');
    expect(make.intent).toBe('open_account');
    expect(allText(make)).toMatch(/Register a FREE Account!/);
    const card = await say(id, 'do i need a credit card for it');
    expect(allText(card)).toMatch(/^From what I told you about opening a new account: Enter a payment card/);
    // The first answer was asked as a question about details: its recap is about opening one.
    const other = await startAs('none@demo.test');
    await say(other, "where's my one balance account");
    expect((await service.store.get(other))?.recap?.intent).toBe('open_account');
  });

  it('none: "do I have an account?" says there is none; "I thought I signed up", "I had one last year" or "it says no account found" is offered a person who can look further', async () => {
    const id = await startAs('none@demo.test');
    const have = await say(id, 'do I have a one balance account?');
    expect(allText(have)).toMatch(
      /^I find no One Balance account for you, so opening one is the way to start/,
    );
    expect(allText(have)).toMatch(/Register a FREE Account!/);
    const thought = await say(id, 'i thought i signed up last month');
    expect(allText(thought)).toMatch(
      /under the email you are signed in with, and there is none\..*Customer Success team can check.*\(yes \/ no\)$/,
    );
    expect(thought.escalation).toBeNull();
    const yes = await say(id, 'yes');
    expect(yes.escalation).toMatchObject({ kind: 'ticket' });
    // Read as a suspension or a missing account, "but I use it every day" was asked which it is.
    const daily = await startAs('none@demo.test');
    await say(daily, 'I need my account number for one balance');
    expect(allText(await say(daily, 'but I use it every day to ship'))).toMatch(
      /under the email you are signed in with, and there is none\..*\(yes \/ no\)$/,
    );
    // "It says no account found" agrees with the lookup, and "but I had one last year" believes in
    // one: both had the opening steps sent again.
    const login = await startAs('none@demo.test');
    await say(login, "i can't log in to one balance");
    const notFound = await say(login, 'it says no account found');
    expect(allText(notFound)).toMatch(
      /^That matches what I found: there is no One Balance account.*\(yes \/ no\)$/s,
    );
    expect(allText(notFound)).not.toMatch(/Register a FREE Account!/);
    const hadOne = await say(login, 'but i had one last year');
    expect(allText(hadOne)).toMatch(
      /under the email you are signed in with, and there is none\..*\(yes \/ no\)$/,
    );
    expect(allText(hadOne)).not.toMatch(/Register a FREE Account!/);
  });

  it('none: another email given after the offer of a person is not looked up, and the offer stands', async () => {
    const id = await startAs('none@demo.test');
    await say(id, 'where do I find my one balance account number');
    await say(id, 'but I registered last week!');
    const other = await say(id, "my email is different there, it's bob@shop.com");
    expect(allText(other)).toMatch(
      /^For your security I only ever look at the account you are signed in with/,
    );
    expect(allText(other)).toMatch(/shall I pass you to them\? \(yes \/ no\)$/);
    expect(other.checks).toEqual([]);
    expect((await say(id, 'yes')).escalation).toMatchObject({ kind: 'ticket' });
  });

  it('none: "maybe with another email?" after the offer of a person is told the bot cannot look there, and the offer stands', async () => {
    const id = await startAs('none@demo.test');
    await say(id, 'where is my one balance');
    await say(id, "I'm sure I made one last year");
    const other = await say(id, 'maybe with another email?');
    expect(allText(other)).toMatch(
      /^That may be it: I can only look under the email you are signed in with.*\(yes \/ no\)$/,
    );
    expect((await say(id, 'yes')).escalation).toMatchObject({ kind: 'ticket' });
  });

  it('"can you reset my password for me?" is told the bot cannot, before the steps', async () => {
    const turn = await say(await startAs('active@demo.test'), 'can you reset my password for me');
    expect(turn.intent).toBe('reset_stamps_password');
    expect(allText(turn)).toMatch(
      /\nI cannot reset it for you: only you can, on Stamps\.com.*\nTo reset your Stamps\.com password:/s,
    );
  });

  it('regfail: troubleshoots phone verification, and a person takes it when it still fails', async () => {
    const id = await startAs('regfail@demo.test');
    const turn = await say(id, 'registration keeps failing');
    expect(turn.intent).toBe('registration_error');
    expect(allText(turn)).toMatch(/waiting on phone verification/);
    expect(turn.escalation).toBeNull();
    // Word that it still fails, in whatever words the classifier reads as a suspension.
    const still = await say(id, 'still not working');
    expect(allText(still)).toMatch(/still there after the troubleshooting steps/);
    expect(still.escalation).toMatchObject({ kind: 'ticket', reason: 'registration_persists' });
  });

  it('regfail: "I use Google Voice" and "what number should I use then?" get what the bot can say of the number, and "I tried my cell and it worked" is the problem gone', async () => {
    const id = await startAs('regfail@demo.test');
    await say(id, 'registration keeps failing at the phone step');
    const voip = await say(id, 'i use google voice');
    expect(allText(voip)).toMatch(
      /^I cannot tell whether the code reaches an internet number such as Google Voice/,
    );
    expect(voip.escalation).toBeNull();
    const which = await say(id, 'what number should i use then');
    expect(allText(which)).toMatch(/^Any number of yours that can take a text or a call/);
    const worked = await say(id, 'ok i tried my cell and it worked');
    expect(allText(worked)).toMatch(/^Glad to hear it works now!/);
    expect(worked.escalation).toBeNull();
    expect((await service.store.get(id))?.tickets).toEqual([]);
  });

  it('regfail: an address error the customer sees gets its own troubleshooting, then what the records show (phone verification), and a person if it persists ("I double checked it"); "it\'s a PO box" is answered', async () => {
    const id = await startAs('regfail@demo.test');
    const address = await say(id, 'it says my address is invalid when registering');
    expect(address.checks.map((check) => check.name)).toContain('account.registration');
    expect(allText(address)).toMatch(
      /When the address cannot be validated:.*I also checked your registration, and the account system shows more: Your registration is waiting on phone verification/s,
    );
    expect(address.escalation).toBeNull();
    const persists = await say(id, 'i double checked it, still says invalid');
    expect(persists.escalation).toMatchObject({ kind: 'ticket' });
    // Without a failure word, "I double checked it" says the same (it was out of scope), and "it's a
    // PO box" gets what the bot can say of one, with a person offered, not a second miss.
    const checked = await startAs('regfail@demo.test');
    await say(checked, 'the registration says my address is invalid');
    const poBox = await say(checked, 'its a po box');
    expect(allText(poBox)).toMatch(
      /^I cannot tell whether Stamps\.com takes a PO box.*shall I pass you to them\?/s,
    );
    expect(poBox.escalation).toBeNull();
    const doubleChecked = await say(checked, 'i double checked it');
    expect(allText(doubleChecked)).toMatch(
      /\nThe registration error is still there after the troubleshooting steps/,
    );
    expect(doubleChecked.escalation).toMatchObject({ kind: 'ticket', reason: 'registration_persists' });
  });

  it('regfail: after the declined-card tips, "it\'s a brand new card" says the error persists (a person), and "is a debit card ok?" is told who knows which cards are taken', async () => {
    const id = await startAs('regfail@demo.test');
    await say(id, 'my card was declined when registering');
    const kind = await say(id, 'is a debit card ok?');
    expect(allText(kind)).toMatch(
      /^A One Balance account uses a payment card.*Stamps can tell you at \(855\) 889-7867/,
    );
    expect(kind.escalation).toBeNull();
    const fresh = await startAs('regfail@demo.test');
    await say(fresh, 'my card was declined when registering');
    const card = await say(fresh, "it's a brand new card");
    expect(allText(card)).toMatch(/still there after the troubleshooting steps/);
    expect(card.escalation).toMatchObject({ kind: 'ticket', reason: 'registration_persists' });
  });

  it('disconnected: after the reconnect request, "will i get an email?" is told how support follows up, "how long?" that no time can be promised, and "can I check the status later?" that it can be asked here', async () => {
    const id = await startAs('disconnected@demo.test');
    await say(id, 'my one balance is missing from the carriers page');
    await say(id, 'yes');
    expect(allText(await say(id, 'will i get an email'))).toMatch(
      /^Yes: our support team follows up by email and here in this chat\. The reconnect request is waiting/,
    );
    expect(allText(await say(id, 'how will i know its done'))).toMatch(
      /^Our support team follows up by email/,
    );
    expect(allText(await say(id, 'how long does that usually take'))).toMatch(
      /^I cannot give you an exact time\./,
    );
    // "When" after "how will I know" is still how: it was read as asking when.
    expect(allText(await say(id, "thanks! how will i know when it's done"))).toMatch(
      /^Our support team follows up by email/,
    );
    // Out of scope before.
    expect(allText(await say(id, 'can i check the status later'))).toMatch(
      /^Yes, ask me here any time: I can tell you that support has your request/,
    );
  });

  it('regfail: "register" is told the registration has not finished and what it waits on, not that an account exists', async () => {
    const turn = await say(await startAs('regfail@demo.test'), 'register');
    expect(turn.intent).toBe('open_account');
    expect(allText(turn)).toMatch(
      /Your One Balance registration has not finished yet, so the account cannot be used until it does\.\nYour registration is waiting on phone verification/,
    );
    expect(allText(turn)).not.toMatch(/You already have a One Balance account/);
  });

  it('regfail: "is there a number the code comes from?" is the verification question, not a request for a support number', async () => {
    const id = await startAs('regfail@demo.test');
    await say(id, 'the verification code never came');
    const from = await say(id, 'is there a number the code comes from?');
    expect(allText(from)).toMatch(/^I cannot see which number the code comes from\./);
    expect(allText(from)).not.toMatch(/phone number for our support team/);
  });

  it('regfail: "can i use my office line?" gets the call option, not the offer of a person', async () => {
    const id = await startAs('regfail@demo.test');
    await say(id, 'my registration is stuck');
    const office = await say(id, 'can i use my office line');
    expect(allText(office)).toMatch(
      /^A phone that cannot get texts works too: choose to verify by phone call/,
    );
    expect(office.escalation).toBeNull();
  });

  it('regfail: "i tried like 5 times" after the troubleshooting says the error persists, and a person takes it', async () => {
    const id = await startAs('regfail@demo.test');
    await say(id, 'the verification code never came');
    const tried = await say(id, 'i tried like 5 times');
    expect(allText(tried)).toMatch(/still there after the troubleshooting steps/);
    expect(tried.escalation).toMatchObject({ kind: 'ticket', reason: 'registration_persists' });
  });

  it('regfail: "still broken", which the classifier cannot place, is about the registration just answered', async () => {
    const id = await startAs('regfail@demo.test');
    await say(id, 'the phone verification code does not work when I register');
    const still = await say(id, 'still broken');
    expect(still.intent).toBe('registration_error');
    expect(still.escalation).toMatchObject({ kind: 'ticket', reason: 'registration_persists' });
    // With nothing answered before, "still broken" is not understood.
    expect((await say(await startAs(), 'still broken')).intent).toBe('out_of_scope');
  });

  it('regfail: "I never got a text", "tried the call too", "I tried text and call", "what else can I try?", "I typed it exactly", "I tried twice" or "it\'s been 20 minutes" after the troubleshooting is the error persisting, and how long it takes is a question', async () => {
    for (const persisting of [
      'i never got a text',
      'tried the call option too, nothing',
      'I typed it exactly',
      'I tried twice',
      "it's been 20 minutes",
      'still nothing',
      "i'm not getting the text",
      'the text never comes',
      'I tried text and call',
      'what else can I try',
    ]) {
      const id = await startAs('regfail@demo.test');
      await say(id, 'registration stuck at phone verification');
      const turn = await say(id, persisting);
      expect(turn.intent).toBe('registration_error');
      expect(turn.escalation).toMatchObject({ kind: 'ticket', reason: 'registration_persists' });
    }
    // Before any registration answer, the same words are no registration report.
    expect((await say(await startAs('active@demo.test'), 'i never got a text')).escalation).toBeNull();
    // How long the code takes is a question, not a report: what the bot knows, and the promise.
    const timing = await startAs('regfail@demo.test');
    await say(timing, 'i never got the verification text');
    const howLong = await say(timing, 'how long should it take to arrive');
    expect(allText(howLong)).toMatch(/^I cannot see when the code is sent\..*bring in a person\.$/);
    expect(howLong.escalation).toBeNull();
  });

  it('regfail: "what number does it go to?" after the troubleshooting is told which, and a failure after it still brings a person', async () => {
    const id = await startAs('regfail@demo.test');
    await say(id, "I'm trying to register but the code never comes");
    const number = await say(id, 'what number does it go to?');
    expect(number.intent).toBe('registration_error');
    expect(allText(number)).toMatch(/^The code goes to the phone number given for verification/);
    expect(number.escalation).toBeNull();
    // Which number it comes from is another question, which the bot cannot answer in full.
    const sender = await say(id, 'what number does it come from');
    expect(allText(sender)).toMatch(/^I cannot see which number the code comes from\./);
    expect(sender.escalation).toBeNull();
    const still = await say(id, 'still no code');
    expect(still.escalation).toMatchObject({ kind: 'ticket', reason: 'registration_persists' });
  });

  it('regfail: "can I use a landline?" after the troubleshooting is told to verify by call, "can you verify it for me?" that it cannot, and a failure after it still brings a person', async () => {
    const id = await startAs('regfail@demo.test');
    await say(id, 'registration keeps failing at the phone step');
    for (const question of ['can i use a landline?', "what if i don't have a cell phone"]) {
      const turn = await say(id, question);
      expect(allText(turn)).toMatch(
        /^A phone that cannot get texts works too: choose to verify by phone call/,
      );
      expect(turn.escalation).toBeNull();
    }
    expect((await say(id, 'it still fails')).escalation).toMatchObject({ kind: 'ticket' });
    // The opening steps ask for the same verification.
    const visitor = await startAs();
    await say(visitor, 'how do i open an account');
    expect(allText(await say(visitor, 'i only have a landline'))).toMatch(
      /^A phone that cannot get texts works too/,
    );
  });

  it('regfail: "what\'s wrong with it?", email, a cell phone, then "I tried a different number too" brings the person', async () => {
    const id = await startAs('regfail@demo.test');
    await say(id, 'registration keeps failing');
    const wrong = await say(id, "what's wrong with it");
    expect(wrong.intent).toBe('registration_error');
    expect(allText(wrong)).toMatch(/Your registration is waiting on phone verification/);
    expect(allText(await say(id, 'can i verify by email instead'))).toMatch(
      /^Registration is verified by phone: .*no way to have it sent by email\. If it still fails/,
    );
    expect(allText(await say(id, 'do i have to use my cell phone'))).toMatch(
      /^A phone that cannot get texts works too/,
    );
    const tried = await say(id, 'I tried a different number too');
    expect(tried.escalation).toMatchObject({ kind: 'ticket' });
  });

  it('registration error named by a visitor or a customer with no account: its troubleshooting, then a person', async () => {
    const visitor = await startAs();
    const code = await say(visitor, 'my verification code never arrives');
    expect(code.intent).toBe('registration_error');
    expect(code.checks).toEqual([]);
    expect(allText(code)).toMatch(/^When the phone verification code does not arrive.*ask for a new code/s);
    expect(allText(code)).toMatch(/Signed in to the app, I can also check your registration itself\.$/);
    const still = await say(visitor, 'still not working');
    expect(still.intent).toBe('registration_error');
    expect(still.escalation).toMatchObject({ kind: 'ticket', reason: 'registration_persists' });
    // Named without a verified registration to check: the address's troubleshooting.
    const address = await say(await startAs('none@demo.test'), 'registration says my address is invalid');
    expect(allText(address)).toMatch(/^When the address cannot be validated/);
    // An account that already exists, where the account system finds none: a person at once.
    const duplicate = await say(
      await startAs('none@demo.test'),
      'registration says an account already exists',
    );
    expect(duplicate.escalation).toMatchObject({ kind: 'ticket', reason: 'registration_persists' });
    // No error named: the usual causes, and sign in to have it checked.
    expect(allText(await say(await startAs(), 'registration fails'))).toMatch(/The usual causes are/);
  });

  it('regfail, missing from the app: the unfinished registration, not a reconnect offer', async () => {
    const id = await startAs('regfail@demo.test');
    const missing = await say(id, "my one balance account doesn't show up in the app");
    expect(missing.intent).toBe('reconnect_account');
    expect(allText(missing)).toMatch(/registration has not finished.*waiting on phone verification/s);
    expect(allText(missing)).not.toMatch(/Shall I ask/);
    expect((await service.store.get(id))?.offer).toBeUndefined();
    // Asking how to log in afterwards is not the error persisting: no person is brought in yet.
    const login = await say(id, 'how do I log in to one balance');
    expect(login.intent).toBe('log_in');
    expect(allText(login)).toMatch(/steps I gave you earlier/);
    expect(login.escalation).toBeNull();
    const suspended = await say(id, 'is my one balance account suspended?');
    expect(suspended.intent).toBe('explain_suspension');
    expect(allText(suspended)).toMatch(/registration has not finished/);
    expect(allText(suspended)).not.toMatch(/Shall I ask/);
  });

  it('noclass: the plan lacks First Class, so a person takes it', async () => {
    const turn = await say(await startAs('noclass@demo.test'), "I can't buy first class labels anymore");
    expect(turn.intent).toBe('first_class_plan');
    expect(allText(turn)).toMatch(/does not allow First Class/);
    expect(turn.escalation).toMatchObject({ kind: 'ticket', reason: 'plan_without_first_class' });
  });
});

describe('conversation behaviour', () => {
  it('asks between two close intents and understands "the first one"', async () => {
    const id = await startAs('active@demo.test');
    const asking = await say(id, 'my stamps account');
    const question = allText(asking);
    // Which two the classifier offers may change with the data; that it asks, and what it
    // does with the answer, may not.
    const asked = /Is your question about (.+), or about (.+)\? You can answer/.exec(question);
    const intentOf = (label: string | undefined) =>
      Object.entries(INTENT_LABELS).find(([, known]) => known === label)?.[0];
    const [first, second] = [intentOf(asked?.[1]), intentOf(asked?.[2])];
    expect(first, question).toBeDefined();
    expect(second, question).toBeDefined();
    // The page shows the two as buttons that answer in the words the engine understands.
    expect(asking.messages.at(-1)?.choices).toEqual([
      { label: expect.stringMatching(/^[A-Z]/), reply: 'the first' },
      { label: expect.stringMatching(/^[A-Z]/), reply: 'the second' },
    ]);
    expect(asking.messages.at(-1)?.choices?.[0]?.label.toLowerCase()).toBe(asked?.[1]);
    const chosen = await say(id, 'the first one');
    expect(chosen.intent).toBe(first);
    expect(allText(chosen)).not.toMatch(/Is your question about/);
  });

  it('understands a clarification answered with words', async () => {
    const id = await startAs('active@demo.test');
    // Which two the vague opener is asked about depends on the data; the answer names the second
    // in the words of its label.
    const question = allText(await say(id, 'my stamps account'));
    const asked = /Is your question about (.+), or about (.+)\? You can answer/.exec(question);
    const second = Object.entries(INTENT_LABELS).find(([, label]) => label === asked?.[2]);
    expect(second, question).toBeDefined();
    const chosen = await say(id, `it's about ${second?.[1]}`);
    expect(chosen.intent).toBe(second?.[0]);
    expect(allText(chosen)).not.toMatch(/Is your question about/);
  });

  it('answers "where exactly is that page?" after an answer that names ONE BALANCE & CARRIERS', async () => {
    const id = await startAs('active@demo.test');
    await say(id, 'how do i log into one balance');
    const where = await say(id, 'where exactly is that page');
    expect(where.intent).toBe('log_in');
    expect(allText(where)).toMatch(/^The ONE BALANCE & CARRIERS link is at the top right of every page/);
    expect(where.checks).toEqual([]);
    // Named by its own words, it is the same page (it was read as a missing account).
    const named = await say(id, "where's the carriers page");
    expect(named.intent).toBe('log_in');
    expect(allText(named)).toMatch(/^The ONE BALANCE & CARRIERS link is at the top right of every page/);
    // As a first message too; with a missing account beside it, it is about the missing account.
    const first = await say(await startAs(), 'where is the carriers page');
    expect(first.intent).toBe('log_in');
    expect(allText(first)).toMatch(/^The ONE BALANCE & CARRIERS link is at the top right of every page/);
    const missing = await say(await startAs(), "where is the carriers page? my account isn't on it");
    expect(missing.intent).toBe('reconnect_account');
  });

  it('answers "and UPS?" after the prices with what the prices answer says of UPS, and no more', async () => {
    const id = await startAs();
    await say(id, 'how much does one balance cost');
    const ups = await say(id, 'and ups?');
    expect(ups.intent).toBe('pricing');
    expect(allText(ups)).toMatch(/^From what I told you about prices and discounts: .*62% off UPS/);
    expect(allText(ups)).not.toMatch(/Endicia/);
    // A carrier the answer does not name gets what the bot knows of the carriers, not the prices.
    expect(allText(await say(id, 'and fedex?'))).toMatch(
      /^One Balance is one postage account.*whether FedEx/s,
    );
  });

  it('after the opening steps, the address, the terms, the card and which details to enter each get their step', async () => {
    const id = await startAs();
    await say(id, 'how do i set up one balance');
    const cases: [string, RegExp][] = [
      [
        'what address should i use',
        /^The Account Information in the form is filled in from your store's details.*cannot be validated\.$/,
      ],
      ['what is the terms of service about', /^The Terms of Service are Stamps\.com's/],
      ['which card should i use', /^The card you enter in the form pays for the postage/],
      [
        'what email should i use',
        /^The Account Information in the form is filled in .*details you want on the One Balance account\.$/,
      ],
    ];
    for (const [question, answer] of cases) {
      const turn = await say(id, question);
      expect(turn.intent).toBe('open_account');
      expect(allText(turn)).toMatch(answer);
    }
  });

  it('disconnected: torn between the details and a missing account, the connection is checked; "maybe later" is a no; "who is customer success?" is answered, not a hand-off', async () => {
    const id = await startAs('disconnected@demo.test');
    const torn = await say(id, "I can't find my one balance in the app");
    expect(torn.intent).toBe('reconnect_account');
    expect(allText(torn)).toMatch(
      /not connected to your store.*Shall I ask our Customer Success team to reconnect it\?/s,
    );
    const who = await say(id, "what's the customer success team");
    expect(allText(who)).toMatch(
      /^Customer Success is a team of people on our side\..*\nReconnecting links/s,
    );
    expect(who.escalation).toBeNull();
    expect(allText(await say(id, 'maybe later'))).toMatch(/^All right, I will leave it as it is/);
    expect((await service.store.get(id))?.handoff).toBeUndefined();
    // A visitor's account is unknown: still asked which topic.
    expect(allText(await say(await startAs(), "I can't find my one balance in the app"))).toMatch(
      /^I want to get this right\./,
    );
  });

  it('before closing, "will I still be able to use the app?" is told what closing closes', async () => {
    const id = await startAs();
    await say(id, 'i want to cancel one balance');
    const app = await say(id, 'will i still be able to use the shipping app');
    expect(app.intent).toBe('close_account');
    expect(allText(app)).toMatch(
      /^Closing One Balance closes your postage account.*subscription to the app is a separate matter.*cannot be reopened/,
    );
  });

  it('"how long does it take?" after the opening steps is told a few minutes, not "I can only help with"', async () => {
    const id = await startAs();
    await say(id, 'how do i open an account');
    const howLong = await say(id, 'how long does it take');
    expect(howLong.intent).toBe('open_account');
    expect(allText(howLong)).toMatch(
      /^Opening a One Balance account takes a few minutes with the steps above/,
    );
  });

  it('a visitor told that registration finds an account already: "but I never made one" and "how do I find it?"', async () => {
    const id = await startAs();
    await say(id, 'it says an account already exists when I register');
    const never = await say(id, 'but I never made one');
    expect(never.intent).toBe('registration_error');
    expect(allText(never)).toMatch(
      /^Registration finds an account for your details all the same.*Signed in to the app, I can look for it.*shall I pass you to them\? \(yes \/ no\)$/s,
    );
    const find = await say(id, 'how do i find it then');
    expect(find.intent).toBe('reconnect_account');
    expect(allText(find)).toMatch(/usually been disconnected.*Sign in and I will check your account/s);
    expect((await service.store.get(id))?.handoff).toBeUndefined();
  });

  it('a visitor asking whether it is really free: the catch, the card and whether a card is needed', async () => {
    const id = await startAs();
    await say(id, 'is one balance really free?');
    const catchTurn = await say(id, "what's the catch");
    expect(catchTurn.intent).toBe('pricing');
    expect(allText(catchTurn)).toMatch(/^There is no catch: .*you pay only for the postage you buy/);
    const card = await say(id, "why do you need my card if it's free");
    expect(allText(card)).toMatch(
      /^Nothing is charged for the One Balance account itself.*pays for the postage/,
    );
    // Not "I can only help with..." and then a hand-off as not understood twice: the last answer says.
    const needed = await say(id, 'do i need a credit card');
    expect(allText(needed)).toMatch(/^From what I told you about prices and discounts: The payment card/);
    expect((await service.store.get(id))?.handoff).toBeUndefined();
  });

  it('answers a question about the last answer from the sentences that name its words', async () => {
    const id = await startAs();
    await say(id, 'how do i open a one balance account');
    // Read as asking for a person (unsure, naming none) before; the opening steps speak of it.
    const phone = await say(id, 'do I need a phone number?');
    expect(phone.intent).toBe('open_account');
    expect(allText(phone)).toBe(
      'From what I told you about opening a new account: Verify by phone call or text message, then enter the code you receive.',
    );
    expect(phone.escalation).toBeNull();
    const card = await say(id, 'do i need a credit card for that?');
    expect(allText(card)).toMatch(/^From what I told you about opening a new account: Enter a payment card/);
    // Words every answer of this domain has ("labels") answer nothing.
    await say(id, 'how much does one balance cost');
    expect((await say(id, 'can you print my labels?')).intent).toBe('out_of_scope');
  });

  it('regfail: asking whether verification can be skipped, after the troubleshooting, is no failure report', async () => {
    const id = await startAs('regfail@demo.test');
    await say(id, 'registration stuck at phone verification');
    const skip = await say(id, 'can I skip the verification step?');
    expect(skip.intent).toBe('registration_error');
    expect(allText(skip)).toMatch(/Registration only goes on once your phone is verified/);
    expect(skip.escalation).toBeNull();
    const other = await say(id, 'can i use a different phone number?');
    expect(allText(other)).toMatch(
      /^The code goes to the phone number in the registration form\. .*can be edited/,
    );
    expect(other.escalation).toBeNull();
    // Saying it still fails is.
    expect((await say(id, 'I typed it exactly')).escalation).toMatchObject({
      reason: 'registration_persists',
    });
  });

  it('"why am I charged 15.95 a month?" is told first that the fee is another product\'s, and a charge on the statement after it gets a person offered', async () => {
    const id = await startAs('active@demo.test');
    const fee = await say(id, 'why am i being charged 15.95 a month');
    expect(fee.intent).toBe('pricing');
    expect(allText(fee)).toMatch(
      /^One Balance has no monthly fee: .*\$15\.95 a month is the price of Endicia's own label service/,
    );
    // Out of scope before, and then a second miss would hand the chat off.
    const statement = await say(id, 'i see it on my credit card statement');
    expect(allText(statement)).toMatch(
      /^I cannot see charges on your card or your bank statement\..*shall I pass you to them\? \(yes \/ no\)$/s,
    );
    expect(statement.escalation).toBeNull();
    expect((await say(id, 'yes')).escalation).toMatchObject({ kind: 'ticket' });
  });

  it('asked the same again in other words, answers with the sentences that name what is asked', async () => {
    const id = await startAs();
    await say(id, 'how much does one balance cost per month');
    const included = await say(id, 'is ups included');
    expect(included.intent).toBe('pricing');
    expect(allText(included)).toMatch(/^From what I told you about prices and discounts: .*USPS and UPS/);
    expect(allText(included)).not.toMatch(/Endicia/);
    // The whole answer stays the one to go back to: asked in words no sentence names, it comes again.
    const again = await say(id, 'how much does it cost');
    expect(allText(again)).toMatch(/^One Balance is one postage account.*Endicia/);
    // Steps are never cut into pieces.
    await say(id, 'how do I open a one balance account');
    expect(allText(await say(id, 'how do I register for one balance'))).toMatch(
      /^Opening a One Balance account/,
    );
  });

  it('says it reads English only to a message in another language, rather than guessing at it', async () => {
    const id = await startAs('declined@demo.test');
    // "hola" alone would read as a greeting, and the rest as nothing.
    const spanish = await say(id, 'hola, mi cuenta está suspendida');
    expect(spanish.intent).toBe('out_of_scope');
    expect(spanish.checks).toEqual([]);
    expect(allText(spanish)).toMatch(
      /^Sorry, I can only read and answer English for now\..*shall I pass you to them\?/,
    );
    expect((await service.store.get(id))?.misunderstandings).toBe(0);
    const yes = await say(id, 'sí');
    expect(yes.intent).toBe('talk_to_human');
    expect(yes.escalation).toMatchObject({ kind: 'ticket' });
  });

  it('"ok and if I want it back later?", "can I reopen it later?" and "what happens to my labels?" after the closing answer are about closing', async () => {
    const id = await startAs();
    expect((await say(id, 'how do i cancle my one balanse acount')).intent).toBe('close_account');
    const later = await say(id, 'ok and if i want it back later?');
    expect(later.intent).toBe('close_account');
    expect(allText(later)).toMatch(/^Once closed, a One Balance account cannot be reopened/);
    expect(allText(later)).not.toMatch(/Goodbye/);
    // Read as a goodbye ("later"), and what becomes of the labels read as the suspension.
    const reopen = await say(id, 'can i reopen it later?');
    expect(reopen.intent).toBe('close_account');
    expect(allText(reopen)).toMatch(/^Once closed, a One Balance account cannot be reopened/);
    const labels = await say(id, 'what happens to my labels');
    expect(labels.intent).toBe('close_account');
    expect(allText(labels)).toMatch(
      /^I cannot tell what becomes of that when the account closes.*cannot be reopened.*shall I pass this to them\? \(yes \/ no\)$/s,
    );
    expect(labels.checks).toEqual([]);
  });

  it('says the login is the Stamps.com one when asked, and checks the account when logging in fails', async () => {
    const visitor = await startAs();
    for (const question of [
      'is it the same login as my stamps.com account?',
      'do i log in with my stamps password',
      'is it the same as my stamps login',
    ]) {
      // Each in a conversation of its own: asked again, the same answer comes back in short.
      const turn = await say(await startAs(), question);
      expect(turn.intent).toBe('log_in');
      expect(allText(turn)).toMatch(
        /^Your One Balance account is a Stamps\.com account, so it uses your Stamps\.com username and password\./,
      );
    }
    const difference = await say(visitor, "what's the difference between one balance and stamps.com");
    expect(difference.intent).toBe('pricing');
    expect(allText(difference)).toMatch(/^One Balance is one postage account, provided by Stamps\.com/);
    // "I can't log in" asks nothing about the login: the account is checked.
    const disconnected = await startAs('disconnected@demo.test');
    const failing = await say(disconnected, "I can't log in to stamps.com");
    expect(failing.checks.map((check) => check.name)).toContain('account.connection');
    expect(allText(failing)).toMatch(/not connected to your store/);
    // Suspended for a changed Stamps.com password, the login fails for the same reason: the
    // suspension's password advice, and its wait for "done".
    const changed = await startAs('pw-changed@demo.test');
    const login = await say(changed, "i can't log in to stamps.com");
    expect(login.checks.map((check) => check.name)).toContain('account.suspension');
    expect(allText(login)).toMatch(
      /Logging in uses your Stamps\.com password.*suspended because the Stamps\.com password changed recently/s,
    );
    expect((await service.store.get(changed))?.offer).toMatchObject({
      kind: 'unsuspend_retry',
      after: 'password',
    });
    // Nothing wrong found: where to log in, and the reset if the password is not accepted.
    const healthy = await say(await startAs('active@demo.test'), "i can't sign in to one balance");
    expect(allText(healthy)).toMatch(
      /You log in to One Balance from the ONE BALANCE & CARRIERS page.*If the password is not accepted/s,
    );
  });

  it('gives an unverified visitor general answers and never runs a check', async () => {
    const id = await startAs();
    const turn = await say(id, 'my account is suspended, I cannot buy postage');
    expect(turn.intent).toBe('explain_suspension');
    expect(turn.checks).toEqual([]);
    expect(allText(turn)).toMatch(/\(855\) 889-7867/);
    // One prompt to sign in, the intent's own, not a second generic one after it.
    expect(allText(turn).match(/sign in/gi)).toHaveLength(1);
    expect(allText(turn)).toMatch(/Sign in and I will check which of these applies/);
    // An intent without its own prompt gets the generic one.
    expect(allText(await say(id, 'how do I close my one balance account'))).toMatch(/Sign in to the app/);
    // "But I am signed in": the chat was opened without it, and how to get it in.
    for (const claimed of ['but I am signed in', "I'm on the app right now"]) {
      const claim = await say(id, claimed);
      expect(allText(claim)).toMatch(/^This chat was opened without your sign-in.*reload the page/);
      expect(claim.checks).toEqual([]);
    }
    // An email typed in selects nothing: why, and how to get checks, but no "I can only help with".
    const email = await say(id, 'my email is active@demo.test');
    expect(email.messages.map((message) => message.text)).toEqual([
      expect.stringMatching(/only ever look at the account you are signed in with/),
      expect.stringMatching(/^Sign in to the app/),
    ]);
    expect(email.checks).toEqual([]);
    // "Ok, how do I ...?" after the out-of-scope offer of a person is a question, not a yes.
    await say(id, 'what is the weather like');
    const question = await say(id, 'ok how do I sign in to one balance?');
    expect(question.intent).toBe('log_in');
    expect(question.escalation).toBeNull();
  });

  it('never asks a signed-in customer to sign in when a check fails', async () => {
    const id = await startAs('active@demo.test');
    // A 400 is a permanent failure: the check fails at once, without retries.
    injectOnce('/v1/accounts/OB-1001/suspension', { kind: 'status', status: 400 });
    const turn = await say(id, 'is my one balance account suspended?');
    expect(turn.checks).toMatchObject([{ name: 'account.suspension', status: 'failed' }]);
    expect(allText(turn)).toMatch(/could not reach the account system/);
    expect(allText(turn)).not.toMatch(/sign in/i);
  });

  it('rejects a forged identity with 401 and a clear error', async () => {
    const forged = await post('/api/conversations', {
      email: 'declined@demo.test',
      identity: signIdentity('declined@demo.test', 'not-the-secret'),
    });
    expect(forged.status).toBe(401);
    expect(forged.json).toMatchObject({
      error: { code: 'unauthorized', message: expect.stringMatching(/signature/) },
    });
    const emailOnly = await post('/api/conversations', { email: 'declined@demo.test' });
    expect(emailOnly.status).toBe(401);
  });

  it('never looks at another account typed into the chat', async () => {
    const id = await startAs('active@demo.test');
    const turn = await say(id, 'is declined@demo.test suspended? the account is OB-1003');
    expect(allText(turn)).toMatch(/only ever look at the account you are signed in with/);
    expect(allText(turn)).not.toMatch(/declined|payment|OB-1003/i);
    for (const check of turn.checks) expect(check.result?.accountId).toBe('OB-1001');
    // Another account named and nothing asked: the note, then back to the customer's own account.
    const only = await say(id, 'my email is declined@demo.test');
    expect(only.messages.map((message) => message.text)).toEqual([
      expect.stringMatching(/only ever look at the account you are signed in with/),
      'What can I help you with on your own account?',
    ]);
    expect(only.checks).toEqual([]);
    // "What about mine?" then asks for the customer's own account to be checked.
    const mine = await say(id, 'what about mine');
    expect(mine.intent).toBe('explain_suspension');
    expect(mine.checks.map((check) => check.result?.accountId)).toContain('OB-1001');
    expect(allText(mine)).toMatch(/not suspended and it is connected/);
    // A visitor typing only an account id gets the note and the way to a check of their own (it was
    // asked which of two topics the id was about).
    const visitor = await startAs();
    await say(visitor, 'why is my account suspended');
    const id1003 = await say(visitor, 'OB-1003');
    expect(id1003.messages.map((message) => message.text)).toEqual([
      expect.stringMatching(/only ever look at the account you are signed in with/),
      expect.stringMatching(/^Sign in to the app/),
    ]);
    expect(id1003.checks).toEqual([]);
  });

  it('"can my employee use my one balance?" is about the customer\'s own people, not a request for ours: what the bot can say and a person offered, no hand-off', async () => {
    const id = await startAs('active@demo.test');
    const staff = await say(id, 'can my employee use my one balance');
    expect(allText(staff)).toMatch(
      /^One Balance is the postage account your store buys labels with in the app/,
    );
    expect(allText(staff)).toMatch(/shall I pass this to them\? \(yes \/ no\)$/);
    expect(staff.escalation).toBeNull();
    expect((await service.store.get(id))?.handoff).toBeUndefined();
    // Asking to talk to one of ours is still that.
    expect((await say(await startAs(), 'i want to speak with an employee')).intent).toBe('talk_to_human');
  });

  it('"who made you?" and "what\'s your name?" are about the bot, not out of scope', async () => {
    const id = await startAs('active@demo.test');
    for (const asks of ['who made you', "what's your name?"]) {
      const turn = await say(id, asks);
      expect(allText(turn)).toMatch(
        /^I am the One Balance support bot, a program that works with our support team\./,
      );
      expect(turn.escalation).toBeNull();
    }
    expect((await service.store.get(id))?.misunderstandings).toBe(0);
  });

  it("answers another service's question as out of scope instead of asking which of ours", async () => {
    // Pricing is its best in-scope intent (about 0.47), but the out-of-scope class decided.
    const turn = await say(await startAs('active@demo.test'), "what's the price of bitcoin");
    expect(turn.intent).toBe('out_of_scope');
    expect(allText(turn)).toMatch(/I can only help with your One Balance postage account/);
    expect(allText(turn)).not.toMatch(/Is your question about/);
  });

  it('"???" alone is asked for words, not counted as a miss; a message not understood after it is the first miss', async () => {
    const id = await startAs('active@demo.test');
    const marks = await say(id, '???');
    expect(allText(marks)).toBe(
      'I did not catch a question there. What can I help you with on your One Balance account?',
    );
    expect(marks.escalation).toBeNull();
    const miss = await say(id, 'asdfgh');
    expect(allText(miss)).toMatch(/^I can only help with your One Balance postage account/);
    expect(miss.escalation).toBeNull();
    // With an offer open, the offer is asked again.
    const offered = await startAs('disconnected@demo.test');
    await say(offered, 'my one balance is gone from the app');
    expect(allText(await say(offered, '...'))).toMatch(/Shall I ask them to reconnect it\? \(yes \/ no\)$/);
  });

  it('offers a person again after two misunderstandings in a row, and hands over only on a yes', async () => {
    const id = await startAs('active@demo.test');
    const first = await say(id, 'what is the weather like in lisbon');
    expect(first.intent).toBe('out_of_scope');
    expect(first.escalation).toBeNull();
    const second = await say(id, 'tell me a joke about pirates');
    expect(second.escalation).toBeNull();
    expect(allText(second)).toMatch(
      /still have not understood[\s\S]*shall I pass you to them\? \(yes \/ no\)$/,
    );
    expect((await service.store.get(id))?.handoff).toBeUndefined();
    const yes = await say(id, 'yes please');
    expect(yes.escalation).toMatchObject({ kind: 'ticket' });
    expect((await service.store.get(id))?.handoff).toBeDefined();
  });

  it('takes "ok" and "hmm" after an answer as acknowledgements, not misunderstandings, and the promise holds', async () => {
    const visitor = await startAs();
    await say(visitor, 'how much is it');
    for (const ack of ['ok', 'hmm', 'got it']) {
      const turn = await say(visitor, ack);
      expect(allText(turn)).toBe('All right. Is there anything else I can help you with?');
      expect(turn.escalation).toBeNull();
    }
    expect((await service.store.get(visitor))?.handoff).toBeUndefined();
    const active = await startAs('active@demo.test');
    await say(active, 'my labels wont print');
    await say(active, 'ok');
    const still = await say(active, 'it still fails');
    expect(still.escalation).toMatchObject({ kind: 'ticket' });
  });

  it('takes "great" or "sounds good" as an acknowledgement after an answer, and as a yes to an offer', async () => {
    const hold = await startAs('hold@demo.test');
    await say(hold, 'labels wont print, says account suspended');
    for (const ack of ['great', 'ok great!', 'perfect', 'sounds good', 'awesome']) {
      const turn = await say(hold, ack);
      expect(allText(turn)).toBe('All right. Is there anything else I can help you with?');
      expect(turn.escalation).toBeNull();
    }
    // "Why not ..." asks; only "why not?" alone says yes.
    const declined = await startAs('disconnected@demo.test');
    await say(declined, 'i cant see my one balance on the carriers page');
    await say(declined, 'no');
    const asks = await say(declined, 'why not just reconnect it automatically');
    expect(asks.checks.map((check) => check.name)).not.toContain('account.reconnect_request');
    expect(allText(asks)).toMatch(/Shall I ask our Customer Success team to reconnect it\? \(yes \/ no\)$/);
    const goesOn = await say(declined, 'great, now my labels say the account is suspended too');
    expect(goesOn.checks.map((check) => check.name)).not.toContain('account.reconnect_request');
    const visitor = await startAs();
    await say(visitor, 'what is the weather like in lisbon');
    const accepted = await say(visitor, 'sounds good');
    expect(accepted.escalation).toMatchObject({ kind: 'ticket', reason: 'customer_asked_for_a_person' });
  });

  it('says it never needs a password, that it cannot see the balance, and which carriers the account is for', async () => {
    const active = await startAs('active@demo.test');
    const password = await say(active, 'do you need my password to check my account?');
    expect(allText(password)).toBe(
      'No: I never need your password, so please do not type it here. You are signed in, so I can check your account without it: tell me what is going wrong.',
    );
    expect(password.checks).toEqual([]);
    const balance = await say(active, 'whats my balance');
    expect(allText(balance)).toMatch(/^I cannot see your postage balance from here, or add funds to it/);
    const carriers = await say(active, 'what carriers does it support');
    expect(carriers.intent).toBe('pricing');
    expect(allText(carriers)).toMatch(/USPS and UPS among them/);
    const visitor = await startAs();
    expect(allText(await say(visitor, 'should i give you my password'))).toMatch(
      /^No: I never need your password.*Sign in to the app and I can check your account, still without it\.$/,
    );
    expect(allText(await say(visitor, 'how do i add funds'))).toMatch(/^I cannot see your postage balance/);
  });

  it('answers what opening an account costs, and a wish for cheaper shipping, with the prices', async () => {
    // Read as opening an account: the steps, which do not say whether signing up costs anything.
    for (const question of ['do i have to pay anything to sign up', 'is it free to open one?']) {
      const turn = await say(await startAs(), question);
      expect(turn.intent).toBe('pricing');
      expect(allText(turn)).toMatch(/^Nothing is charged for the One Balance account itself/);
    }
    expect((await say(await startAs(), 'how do i sign up')).intent).toBe('open_account');
    // "A free account" is what the button that opens one says: the steps.
    expect(allText(await say(await startAs(), 'can i open a free account?'))).toMatch(
      /Register a FREE Account!/,
    );
    const cheaper = await say(await startAs(), 'how can i save money on shipping');
    expect(cheaper.intent).toBe('pricing');
    expect(allText(cheaper)).toMatch(/up to 62% off UPS shipments/);
  });

  it('asked about a carrier the facts do not name, says which it knows and offers a person, who comes on a yes', async () => {
    const id = await startAs();
    const fedex = await say(id, 'can i use one balance for fedex');
    expect(fedex.intent).toBe('pricing');
    expect(allText(fedex)).toMatch(
      /^One Balance is one postage account.*USPS and UPS are the ones I know it covers; whether FedEx is among them, I cannot tell from here\.\nA person on our support team can tell you: shall I pass this to them\? \(yes \/ no\)$/s,
    );
    expect(allText(await say(id, 'what about dhl?'))).toMatch(/whether DHL is among them/);
    expect((await say(id, 'yes please')).escalation).toMatchObject({ kind: 'ticket' });
    // No other carrier named: the prices, which name USPS and UPS.
    expect(allText(await say(await startAs(), 'which carriers can i use with one balance'))).toMatch(
      /USPS and UPS among them/,
    );
  });

  it('asked whether One Balance works with a store (Etsy, eBay), says what it is for and offers a person; a store or the app named beside a suspension is no reason for out of scope', async () => {
    const id = await startAs();
    const etsy = await say(id, 'can i use one balance with etsy');
    // The whole prices answer came back, which names no store.
    expect(allText(etsy)).toMatch(
      /^One Balance is the postage account the app buys your USPS and UPS labels with\. Which stores and marketplaces the app works with, Etsy among them or not/,
    );
    expect(allText(etsy)).toMatch(/shall I pass this to them\? \(yes \/ no\)$/);
    expect(allText(await say(await startAs(), 'does one balance work with ebay'))).toMatch(
      /eBay among them or not/,
    );
    // Read as out of scope for "Amazon": the rest of the message is the suspension check.
    const amazon = await say(
      await startAs('active@demo.test'),
      'my amazon orders wont print, account suspended',
    );
    expect(amazon.intent).toBe('explain_suspension');
    expect(amazon.checks.map((check) => check.name)).toContain('account.suspension');
    // The same for the app's own name.
    const app = await say(await startAs('declined@demo.test'), 'my shippingeasy postage wont go through');
    expect(app.intent).toBe('explain_suspension');
    expect(allText(app)).toMatch(/suspended because a payment was declined/);
  });

  it('"what is stamps.com?" is told what One Balance is and that Stamps.com provides it', async () => {
    for (const question of ["what's stamps.com?", 'who is stamps']) {
      const turn = await say(await startAs(), question);
      expect(turn.intent).toBe('pricing');
      expect(allText(turn)).toMatch(/^One Balance is one postage account, provided by Stamps\.com/);
    }
    expect((await say(await startAs(), 'is stamps.com hiring')).intent).toBe('out_of_scope');
  });

  it('"can you check my account?" runs the account check; "can you email it to me?" after the details is told no, and where they are', async () => {
    const active = await startAs('active@demo.test');
    const check = await say(active, 'can you check my account');
    expect(check.intent).toBe('explain_suspension');
    expect(allText(check)).toMatch(/Your One Balance account is not suspended and it is connected/);
    await say(active, "where's my account number");
    expect(allText(await say(active, 'can you email it to me'))).toBe(
      'I cannot send your details by email or text, and for your security the chat shows only part of them. They are kept for you in the app: the ONE BALANCE & CARRIERS page (top right of the app) shows them in full whenever you are signed in.',
    );
    expect((await say(await startAs('active@demo.test'), 'is there a problem with my account')).intent).toBe(
      'explain_suspension',
    );
    const visitor = await startAs();
    expect(allText(await say(visitor, 'can you check my account'))).toMatch(
      /^I can check an account only for a signed-in customer\. Sign in to the app/,
    );
    await say(visitor, 'where do i find my username');
    expect(allText(await say(visitor, 'can you email it to me'))).toMatch(
      /^I cannot send your details by email or text\. They/,
    );
  });

  it('says it is a bot when asked, and that it is there, without handing off or greeting again', async () => {
    const id = await startAs();
    await say(id, 'good morning!');
    const there = await say(id, 'is anyone there?');
    expect(allText(there)).toBe('Yes, I am here. What can I help you with on your One Balance account?');
    // Without the question mark, and with "there" put first, it is the same question.
    for (const asked of ['is anybody there', 'is there anyone around'])
      expect(allText(await say(id, asked))).toBe(
        'Yes, I am here. What can I help you with on your One Balance account?',
      );
    for (const question of ['are you a bot?', 'am i talking to a real person', 'are you a bot or a human?']) {
      const turn = await say(id, question);
      expect(allText(turn)).toMatch(/^I am the One Balance support bot, not a person\..*just say so\.$/);
      expect(turn.escalation).toBeNull();
    }
    expect((await service.store.get(id))?.handoff).toBeUndefined();
    // Asking for a person in the same message is asking for one.
    const wants = await say(await startAs(), 'are you a real person? i want a human');
    expect(wants.escalation).toMatchObject({ kind: 'ticket', reason: 'customer_asked_for_a_person' });
  });

  it('meets "I need to ship today" with the quickest way to ship it found, or asks what is wrong', async () => {
    const closed = await startAs('closed@demo.test');
    await say(closed, "hi, i can't buy postage");
    const hurry = await say(closed, 'but i need to ship today');
    expect(allText(hurry)).toMatch(
      /^I understand you need to ship soon\. Opening a new One Balance account takes only a few minutes/,
    );
    const review = await startAs('review@demo.test');
    await say(review, 'why cant i buy postage');
    expect(allText(await say(review, 'i need to get packages out today'))).toMatch(
      /^I understand you need to ship soon\. Calling Stamps at \(855\) 889-7867 is the fastest way/,
    );
    // Said before anything else, twice: asked what is wrong, and never handed off as not understood.
    const visitor = await startAs();
    for (const text of ['this is urgent', 'customers are waiting on their orders']) {
      const turn = await say(visitor, text);
      expect(allText(turn)).toMatch(/^I understand it is urgent\. Tell me what is stopping you/);
      expect(turn.escalation).toBeNull();
    }
  });

  it('in a hurry before the account was looked at: why a new account is needed, and the steps, not "the steps I gave"', async () => {
    const closed = await startAs('closed@demo.test');
    expect(allText(await say(closed, 'customers are waiting!!'))).toMatch(
      /^I understand you need to ship soon\. Your One Balance account ending in 7049 is closed.*quickest way to ship.*\n1\. .*\nWould you like me to pass you to a person/s,
    );
    const none = await startAs('none@demo.test');
    expect(allText(await say(none, 'this is urgent'))).toMatch(
      /^I understand you need to ship soon\. I find no One Balance account for you.*\n1\. /s,
    );
    // The hurry said beside the problem (read as an opener: "I need something"): the problem is answered.
    const gone = await say(
      await startAs('closed@demo.test'),
      'i need to ship something today but my account is gone',
    );
    expect(gone.intent).toBe('reconnect_account');
    expect(allText(gone)).toMatch(/^Your earlier One Balance account is closed/);
  });

  it('invites an opener without a topic ("I need help") to say more, without counting a misunderstanding', async () => {
    const id = await startAs('active@demo.test');
    for (const opener of ['I need help', 'I have a problem with my account', 'can you help me']) {
      const turn = await say(id, opener);
      expect(turn.intent).toBe('greeting');
      expect(turn.messages.map((message) => message.text)).toEqual([
        expect.stringMatching(
          /^Of course\. I can help with your One Balance postage account: .* What is it about\?$/,
        ),
      ]);
      expect(turn.escalation).toBeNull();
    }
    expect((await service.store.get(id))?.misunderstandings).toBe(0);
    expect(allText(await say(id, 'hi there'))).toMatch(/^Hello!/);
  });

  it('asks before handing off on an unsure guess that the customer wants a person', async () => {
    const id = await startAs('active@demo.test');
    // Read as talk_to_human (about 0.5) without naming a person: a hand-off would silence the bot.
    const unsure = await say(id, 'I want to talk about shipping');
    expect(unsure.intent).toBe('talk_to_human');
    expect(unsure.escalation).toBeNull();
    expect(allText(unsure)).toMatch(
      /^Would you like me to pass you to a person on our support team\? \(yes \/ no\)/,
    );
    expect(unsure.messages.at(-1)?.choices).toEqual([
      { label: 'Yes', reply: 'yes' },
      { label: 'No', reply: 'no' },
    ]);
    const yes = await say(id, 'yes');
    expect(yes.escalation).toMatchObject({ kind: 'ticket', reason: 'customer_asked_for_a_person' });
    // Naming a person is no guess: handed off at once.
    const named = await say(await startAs('active@demo.test'), 'I want to talk to a person');
    expect(named.escalation).toMatchObject({ kind: 'ticket', reason: 'customer_asked_for_a_person' });
  });

  it('"ok nevermind" to the offer of a person is a no', async () => {
    const id = await startAs('active@demo.test');
    expect(allText(await say(id, "what's the weather"))).toMatch(/shall I pass you to them\?/);
    const never = await say(id, 'ok nevermind, keep it open');
    expect(allText(never)).toMatch(/^All right\. Is there anything about your One Balance account/);
    expect(never.escalation).toBeNull();
    expect((await service.store.get(id))?.handoff).toBeUndefined();
  });

  it('takes a yes to the out-of-scope answer as asking for a person, in the next message only', async () => {
    const id = await startAs('active@demo.test');
    const offTopic = await say(id, 'what is the weather like in lisbon');
    expect(allText(offTopic)).toMatch(/shall I pass you to them\? \(yes \/ no\)/);
    const yes = await say(id, 'yes please');
    expect(yes.intent).toBe('talk_to_human');
    expect(yes.escalation).toMatchObject({ kind: 'ticket', reason: 'customer_asked_for_a_person' });
    expect(allText(yes)).not.toMatch(/not understood you twice/);

    // "ok thanks" is a thank-you; "no" is understood; a yes after another question is no request.
    const thanks = await startAs('active@demo.test');
    await say(thanks, 'what is the weather like in lisbon');
    const okThanks = await say(thanks, 'ok thanks');
    expect(okThanks.intent).toBe('thanks');
    expect(okThanks.escalation).toBeNull();
    expect(allText(okThanks)).toMatch(/anything else/);
    // One that also takes leave is answered with a goodbye, not another question.
    const thanksBye = await say(thanks, 'thanks, bye');
    expect(thanksBye.intent).toBe('thanks');
    expect(allText(thanksBye)).toMatch(/Goodbye!$/);
    const declined = await startAs('active@demo.test');
    await say(declined, 'what is the weather like in lisbon');
    const no = await say(declined, 'no');
    expect(no.escalation).toBeNull();
    expect(allText(no)).toMatch(/^All right\./);
    await say(declined, 'how much does one balance cost?');
    const late = await say(declined, 'yes');
    expect(late.escalation).toBeNull();
  });

  it('keeps the transcript in Redis, readable by id', async () => {
    const id = await startAs('active@demo.test');
    await say(id, 'how much does one balance cost?');
    const response = await fetch(`${base}/api/conversations/${id}`);
    const transcript = (await response.json()) as { messages: { role: string }[] };
    expect(transcript.messages.map((message) => message.role)).toEqual(['bot', 'customer', 'bot']);
  });

  it('never keeps a card number or password typed into the chat, and says so', async () => {
    const id = await startAs('declined@demo.test');
    const turn = await say(
      id,
      'my account is suspended, my new card is 4242 4242 4242 4242 and my password is hunter2',
    );
    expect(turn.intent).toBe('explain_suspension');
    expect(turn.messages[0]?.text).toMatch(/removed what looked like a card number and a password/);
    // Asking for a person sends the transcript on in a ticket: nothing secret may be in it.
    await say(id, 'I want to talk to a person');
    const response = await fetch(`${base}/api/conversations/${id}`);
    const stored = JSON.stringify(await response.json());
    expect(stored).toMatch(/\[card ending 4242\]/);
    // Timestamps and random ids may hold '4242' by chance, so look for the number's own shape.
    const secret = /4242[ -]?4242|hunter2/;
    expect(stored).not.toMatch(secret);
    const state = await service.store.get(id);
    expect(JSON.stringify(state)).not.toMatch(secret);
  });

  it('never keeps a full account number typed into the chat, only its last 4 digits, and says so', async () => {
    const id = await startAs('active@demo.test');
    const turn = await say(id, 'my account number is 7730-0100-17007, where do I find my username?');
    expect(turn.messages[0]?.text).toMatch(/^I removed what looked like a full account number/);
    expect(turn.intent).toBe('find_credentials');
    const everything = JSON.stringify([turn, await (await fetch(`${base}/api/conversations/${id}`)).json()]);
    expect(everything).toContain('my account number is [account number ending 7007], where');
    const fullNumber = /7730[ -]?0100[ -]?17007/;
    expect(everything).not.toMatch(fullNumber);
    expect(JSON.stringify(await service.store.get(id))).not.toMatch(fullNumber);
  });

  it('"my card is <number>, can you update it?" is told the number was removed and where the card is changed, not a miss', async () => {
    const id = await startAs('active@demo.test');
    const turn = await say(id, 'my card is 4111 1111 1111 1111 can you update it');
    expect(allText(turn)).toMatch(
      /^I removed what looked like a card number.*\nThe payment card is kept with your One Balance account, which Stamps\.com provides, so it is changed there/s,
    );
    expect((await service.store.get(id))?.misunderstandings).toBe(0);
  });

  it('delivers a check still pending after the wait bound over SSE when it lands', async () => {
    const id = await startAs('noclass@demo.test');
    const events = await fetch(`${base}/api/conversations/${id}/events`);
    expect(events.headers.get('content-type')).toContain('text/event-stream');
    const reader = events.body?.getReader();
    const decoder = new TextDecoder();
    let received = '';
    const late = (async () => {
      while (reader && !received.includes('does not allow First Class')) {
        const { value, done } = await reader.read();
        if (done) break;
        received += decoder.decode(value);
      }
    })();
    injectOnce('/v1/accounts/OB-1010/plan', { kind: 'latency', latencyMs: 2_500 });
    const turn = await say(id, 'why can I not buy first class labels');
    expect(turn.pending).toBe(true);
    expect(allText(turn)).toMatch(/taking longer than usual/);
    await late;
    expect(received).toMatch(/event: message/);
    expect(received).toMatch(/does not allow First Class/);
    await reader?.cancel();
    const transcript = (await (await fetch(`${base}/api/conversations/${id}`)).json()) as {
      messages: { text: string }[];
    };
    expect(transcript.messages.some((message) => /does not allow First Class/.test(message.text))).toBe(true);
    // The ticket filed when the check landed carries what it found, for the person who takes it.
    await service.engine.drain();
    const state = await service.store.get(id);
    expect(state?.tickets).toHaveLength(1);
    expect(state?.tickets[0]).toMatchObject({
      reason: 'plan_without_first_class',
      checks: [{ name: 'account.plan', status: 'ok', result: expect.anything() }],
    });
  });
});

describe('bad input', () => {
  it.each([
    ['an empty text', { text: '' }, 'text must not be empty'],
    ['white space', { text: '   ' }, 'text must not be empty'],
    ['a text over 4,000 characters', { text: 'x'.repeat(4_001) }, 'text must be at most 4000 characters'],
    ['a missing text', {}, 'text is required'],
    ['a text that is not a string', { text: ['hi'] }, 'text must be a string'],
  ])('rejects %s with a 400 and a JSON error that says what is wrong', async (_name, body, message) => {
    const id = await startAs();
    const response = await post(`/api/conversations/${id}/messages`, body);
    expect(response.status).toBe(400);
    expect(response.json).toEqual({ error: { code: 'bad_request', message } });
  });

  it('answers 404 for an unknown conversation and 415 for a non-JSON body', async () => {
    const unknown = await post('/api/conversations/c_0123456789abcdef0123456789abcdef/messages', {
      text: 'hi',
    });
    expect(unknown.status).toBe(404);
    expect(unknown.json).toMatchObject({ error: { code: 'not_found' } });
    const id = await startAs();
    const plain = await fetch(`${base}/api/conversations/${id}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'hi',
    });
    expect(plain.status).toBe(415);
  });

  it('limits the messages of one conversation with 429 and Retry-After', async () => {
    const id = await startAs();
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 10; i++) {
      const response = await post(`/api/conversations/${id}/messages`, { text: 'hello' });
      statuses.push(response.status);
      if (response.status === 429) {
        retryAfter = response.headers.get('retry-after');
        expect(response.json).toMatchObject({ error: { code: 'rate_limited' } });
      }
    }
    expect(statuses.slice(0, 8)).toEqual(Array(8).fill(200));
    expect(statuses.slice(8)).toEqual([429, 429]);
    expect(Number(retryAfter)).toBeGreaterThan(0);
    // A refused message is not part of the conversation, and leaves it unlocked.
    const transcript = (await (await fetch(`${base}/api/conversations/${id}`)).json()) as {
      messages: { role: string }[];
    };
    expect(transcript.messages.filter((message) => message.role === 'customer')).toHaveLength(8);
    expect(await service.runtime.redis.exists(`${prefix}:conv:${id}:lock`)).toBe(0);
  });
});
