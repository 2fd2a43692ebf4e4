import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.ts';
import { type Service, startService } from '../../../src/http/server.ts';
import { createLogger } from '../../../src/logger.ts';
import { chromiumAvailable, launchChromium } from '../../helpers/chromium.ts';
import { deleteKeysUnder, REDIS_URL, uniquePrefix } from '../../helpers/redis.ts';

const available = chromiumAvailable();

const ARTIFACTS = join(process.cwd(), 'artifacts', 'browser');
const prefix = uniquePrefix('browser');
let service: Service;
// playwright-core starts Chromium with a new, empty profile of its own.
let browser: Browser;

/** A visitor's page, once the greeting is shown, with `text` sent from the keyboard. */
async function visitorAsks(text: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 800, height: 900 } });
  await page.goto(service.url);
  await page.locator('.log li.bot').first().waitFor();
  await page.locator('#text').fill(text);
  await page.locator('#text').press('Enter');
  return page;
}

describe.skipIf(!available)('the web chat page in Chromium', () => {
  beforeAll(async () => {
    // No CHAT_IDENTITY_SECRET, as on a fresh machine: the demo, with its "sign in as", is on.
    const config = loadConfig({ PORT: '0', REDIS_URL, QUEUE_PREFIX: prefix, LOG_LEVEL: 'silent' });
    service = await startService(config, createLogger('silent'));
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await service?.close();
    await deleteKeysUnder(prefix);
  });

  it('signs in as declined@demo.test, asks about failing postage, and sees the suspension and the Stamps line', async () => {
    const page = await browser.newPage({ viewport: { width: 360, height: 740 } });
    await page.goto(service.url);
    await page.getByLabel('Sign in as (development)').selectOption({ label: 'declined@demo.test' });
    await page.getByRole('button', { name: 'Start' }).click();
    await page.locator('#who', { hasText: 'Signed in as declined@demo.test' }).waitFor({ timeout: 15_000 });
    await page.locator('.log li.bot').filter({ hasText: 'You are signed in' }).waitFor();

    // Keyboard only: type and press Enter.
    await page.locator('#text').focus();
    await page.keyboard.type('I cannot buy postage, it says my account has been suspended');
    await page.keyboard.press('Enter');

    const call = page.locator('.log li.bot a[href="tel:+18558897867"]');
    await call.waitFor({ timeout: 15_000 });
    expect(await call.textContent()).toBe('(855) 889-7867');
    const answer = await page
      .locator('.log li.bot')
      .filter({ has: page.locator('a[href="tel:+18558897867"]') })
      .textContent();
    expect(answer).toMatch(/payment was declined/);
    expect(answer).toMatch(/Update the payment card/);
    // The answer may arrive over SSE a moment before the request returns; then the indicator goes.
    await page.locator('#typing').waitFor({ state: 'hidden', timeout: 15_000 });
    // The ticket for support's follow-up arrives later and does not take the "done" button away.
    await page
      .locator('.log li.bot')
      .filter({ hasText: 'Your request is ticket' })
      .waitFor({ timeout: 15_000 });
    expect(
      await page.getByRole('group', { name: 'Quick answers' }).getByRole('button').allTextContents(),
    ).toEqual(['Done, the card is updated']);

    // Usable at 360 px: nothing wider than the screen, new messages announced politely.
    // Runs in the page, where `document` exists; the test itself is typed for Node.
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(360);
    expect(await page.locator('#log').getAttribute('aria-live')).toBe('polite');

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'declined-suspension-360.png'), fullPage: true });
  });

  it('offers Yes and No as buttons for a reconnect offer, and Yes pressed from the keyboard files it', async () => {
    const page = await browser.newPage({ viewport: { width: 360, height: 740 } });
    await page.goto(service.url);
    await page.getByLabel('Sign in as (development)').selectOption({ label: 'disconnected@demo.test' });
    await page.getByRole('button', { name: 'Start' }).click();
    await page.locator('.log li.bot').filter({ hasText: 'You are signed in' }).waitFor({ timeout: 15_000 });
    const choices = page.getByRole('group', { name: 'Quick answers' });
    expect(await choices.isHidden()).toBe(true);

    await page.locator('#text').fill('my one balance account is not showing on the carriers page');
    await page.locator('#text').press('Enter');
    await page.locator('.log li.bot').filter({ hasText: 'Shall I ask' }).waitFor({ timeout: 15_000 });
    await choices.waitFor();
    expect(await choices.getByRole('button').allTextContents()).toEqual(['Yes', 'No']);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'reconnect-offer-choices-360.png') });

    await choices.getByRole('button', { name: 'Yes' }).focus();
    await page.keyboard.press('Enter');
    await page
      .locator('.log li.customer')
      .filter({ hasText: /^You: yes$/ })
      .waitFor();
    await page
      .locator('.log li.bot')
      .filter({ hasText: 'asked our Customer Success team to reconnect it' })
      .waitFor({ timeout: 15_000 });
    // Answered: the buttons go with the question.
    await choices.waitFor({ state: 'hidden' });
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(360);
  });

  it('keeps the newest message and its quick answer in view above the composer when the conversation outgrows the screen', async () => {
    const page = await browser.newPage({ viewport: { width: 360, height: 640 } });
    await page.goto(service.url);
    await page.getByLabel('Sign in as (development)').selectOption({ label: 'pw-changed@demo.test' });
    await page.getByRole('button', { name: 'Start' }).click();
    await page.locator('.log li.bot').filter({ hasText: 'You are signed in' }).waitFor({ timeout: 15_000 });
    for (const [text, answered] of [
      ['my labels fail, says account suspended', 'still suspended'],
      ['how do I do that?', 'forgot password'],
    ] as const) {
      await page.locator('#text').fill(text);
      await page.locator('#text').press('Enter');
      await page.locator('.log li.bot').filter({ hasText: answered }).last().waitFor({ timeout: 15_000 });
    }
    const choices = page.getByRole('group', { name: 'Quick answers' });
    await choices.waitFor();
    // Where things are on the screen (in the page, as a string: the test is typed without the DOM).
    const boxes = (await page.evaluate(`(() => {
      const box = (element) => element.getBoundingClientRect().toJSON();
      const bots = document.querySelectorAll('.log li.bot');
      return {
        header: box(document.querySelector('.chat-header')),
        newest: box(bots[bots.length - 1]),
        choices: box(document.getElementById('choices')),
        composer: box(document.getElementById('composer')),
        scrolled: document.scrollingElement.scrollTop,
      };
    })()`)) as Record<'header' | 'newest' | 'choices' | 'composer', DOMRectLike> & { scrolled: number };
    // The page itself does not scroll: the conversation does, inside it.
    expect(boxes.scrolled).toBe(0);
    expect(boxes.header.top).toBe(0);
    expect(boxes.newest.bottom).toBeLessThanOrEqual(boxes.choices.top);
    expect(boxes.choices.bottom).toBeLessThanOrEqual(boxes.composer.top);
    expect(boxes.composer.bottom).toBeLessThanOrEqual(640);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'long-conversation-360x640.png') });
  });

  it('renders steps as a numbered list for a visitor asking how to open an account', async () => {
    const page = await visitorAsks('how do I open a new one balance account?');
    const steps = page.locator('.log li.bot ol li');
    await steps.first().waitFor({ timeout: 15_000 });
    expect(await steps.count()).toBe(7);
    expect(await steps.nth(1).textContent()).toMatch(/Register a FREE Account!/);
    // Steps are lines of one bubble, not bubbles of their own (no padding, no rounded box).
    // Runs in the page (a string, as above: the test is typed for Node, without the DOM).
    const stepStyle = await page.evaluate(`(() => {
      const style = getComputedStyle(document.querySelector('.log li.bot ol li'));
      return { padding: style.paddingTop, radius: style.borderTopLeftRadius };
    })()`);
    expect(stepStyle).toEqual({ padding: '0px', radius: '0px' });
    await page.screenshot({ path: join(ARTIFACTS, 'open-account-steps.png'), fullPage: true });
  });

  it('heads each answer of a message with two requests with its topic, in bold', async () => {
    const page = await visitorAsks('how do I log in and how much does it cost');
    const topics = page.locator('.log li.bot strong.topic');
    await topics.nth(1).waitFor({ timeout: 15_000 });
    expect(await topics.allTextContents()).toEqual([
      'On logging in to One Balance:',
      'On prices and discounts:',
    ]);
    // The heading is not said twice: the paragraph after it starts with the answer.
    const firstParagraph = page.locator('.log li.bot:has(strong.topic) p').first();
    expect(await firstParagraph.textContent()).not.toMatch(/^On /);
    await page.screenshot({ path: join(ARTIFACTS, 'two-requests.png'), fullPage: true });
  });

  it('embeds the same chat in another site with one script tag and the signed identity', async () => {
    const page = await browser.newPage({ viewport: { width: 1000, height: 800 } });
    // The demo's secret is random for the run: its identity comes from the demo sign-in's list.
    const identities = (await (await fetch(`${service.url}/api/dev/identities`)).json()) as {
      email: string;
      identity: string;
    }[];
    const identity = identities.find((each) => each.email === 'hold@demo.test')?.identity;
    await page.setContent(
      `<!doctype html><html><body><h1>A shop</h1><script src="${service.url}/widget.js" data-email="hold@demo.test" data-identity="${identity}"></script></body></html>`,
    );
    await page.getByRole('button', { name: 'Chat with support' }).click();
    const chat = page.frameLocator('iframe[title="One Balance support chat"]');
    await chat.locator('#who', { hasText: 'Signed in as hold@demo.test' }).waitFor({ timeout: 15_000 });
    await chat.locator('#text').fill('my account is suspended, I cannot buy labels');
    await chat.locator('#text').press('Enter');
    await chat.locator('.log li.bot', { hasText: 'lifted it' }).waitFor({ timeout: 15_000 });
    await page.screenshot({ path: join(ARTIFACTS, 'widget-embedded.png') });
  });
});

/** A DOMRect as `toJSON` gives it. */
interface DOMRectLike {
  top: number;
  bottom: number;
}
