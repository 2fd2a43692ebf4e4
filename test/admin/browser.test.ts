import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DayCounters, daysEndingAt } from '../../src/analytics/day-counters.ts';
import { loadConfig } from '../../src/config.ts';
import { type Service, startService } from '../../src/http/server.ts';
import { createLogger } from '../../src/logger.ts';
import { chromiumAvailable, launchChromium } from '../helpers/chromium.ts';
import { deleteKeysUnder, REDIS_URL, uniquePrefix } from '../helpers/redis.ts';

const available = chromiumAvailable();
const ARTIFACTS = join(process.cwd(), 'test', 'artifacts');
const TOKEN = 'admin-token-for-browser-0123456789';
const prefix = uniquePrefix('admin-browser');
let service: Service;
let browser: Browser;

type Identity = { email: string; identity: string };

async function post(path: string, body: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${service.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status).toBeLessThan(300);
  return (await response.json()) as Record<string, unknown>;
}

/** A demo conversation through the chat API; returns its id and the last turn. */
async function converse(identities: Identity[], email: string, texts: string[]) {
  const identity = identities.find((each) => each.email === email);
  const { id } = await post('/api/conversations', identity ?? {});
  let turn: Record<string, unknown> = {};
  for (const text of texts) turn = await post(`/api/conversations/${id}/messages`, { text });
  return { id: id as string, turnId: turn.turnId as string };
}

/**
 * The seeded set: four conversations today through the real service (one rated yes, one rated no,
 * one reconnect ticket, one Stamps line), and six earlier days written as counters.
 */
async function seed(): Promise<void> {
  const identities = (await fetch(`${service.url}/api/dev/identities`).then((r) => r.json())) as Identity[];
  const yes = await converse(identities, 'active@demo.test', ['what plan am I on?']);
  await post(`/api/conversations/${yes.id}/rating`, { turnId: yes.turnId, solved: true });
  const no = await converse(identities, 'active@demo.test', ['what plan am I on?']);
  await post(`/api/conversations/${no.id}/rating`, { turnId: no.turnId, solved: false });
  await converse(identities, 'disconnected@demo.test', [
    'my one balance account is not showing on the carriers page',
    'yes',
  ]);
  await converse(identities, 'review@demo.test', ['my account is suspended']);
  const redis = new Redis(REDIS_URL);
  const counters = new DayCounters(redis, prefix);
  for (const day of daysEndingAt(new Date(), 7).slice(0, 6)) {
    await redis.hset(counters.keyOf(day), {
      started: 10,
      turns: 30,
      person: 2,
      'intent:pricing': 20,
      'rating:yes': 3,
      'rating:no': 1,
    });
  }
  // The counters of the live turns are written just after each turn: wait until all five are in.
  for (let tries = 0; tries < 50; tries++) {
    if (Number(await redis.hget(counters.keyOf(daysEndingAt(new Date(), 1)[0] ?? ''), 'turns')) >= 5) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  redis.disconnect();
}

async function signedIn(width: number): Promise<{ page: Page; refused: string[] }> {
  // Reduced motion: the page draws its charts without animating them (and the screenshot shows them whole).
  const page = await browser.newPage({ viewport: { width, height: 900 }, reducedMotion: 'reduce' });
  const refused: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy|Refused/i.test(message.text())) refused.push(message.text());
  });
  await page.goto(`${service.url}/admin`);
  await page.getByLabel('Admin token (ADMIN_TOKEN)').fill(TOKEN);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Bot dashboard' }).waitFor();
  await page.getByLabel('Period').selectOption('7');
  await page.getByRole('button', { name: 'Show' }).click();
  await page.locator('#days option[value="7"][selected]').waitFor({ state: 'attached' });
  return { page, refused };
}

const text = (page: Page, selector: string) => page.locator(selector).textContent();

describe.skipIf(!available)('the dashboard and the rating buttons in Chromium', () => {
  beforeAll(async () => {
    // No CHAT_IDENTITY_SECRET: the demo sign-in is on, as on a fresh machine.
    const config = loadConfig({
      PORT: '0',
      REDIS_URL,
      QUEUE_PREFIX: prefix,
      LOG_LEVEL: 'silent',
      ADMIN_TOKEN: TOKEN,
      RATE_LIMIT_PER_IP: '10000',
    });
    service = await startService(config, createLogger('silent'));
    browser = await launchChromium();
    await seed();
  });
  afterAll(async () => {
    await browser?.close();
    await service?.close();
    await deleteKeysUnder(prefix);
  });

  it('shows the seeded counts as text beside drawn charts at 1280 px, under a self-only CSP', async () => {
    const { page, refused } = await signedIn(1280);
    expect(await text(page, '#started')).toBe('64');
    expect(await text(page, '#reached-person')).toBe('13');
    expect(await text(page, '#contained')).toBe('51');
    expect(await text(page, '#containment')).toBe('79.7%');
    expect(await text(page, '#ratings-yes')).toBe('19');
    expect(await text(page, '#ratings-no')).toBe('7');
    expect(await text(page, '#ratings-share')).toBe('73.1%');
    const escalations = page.getByRole('table', { name: 'Escalations by reason' });
    expect(await escalations.getByRole('row', { name: /reconnect_request/ }).textContent()).toMatch(
      /ticket\s*1/,
    );
    expect(await escalations.getByRole('row', { name: /compliance_review/ }).textContent()).toMatch(
      /phone\s*1/,
    );
    const intents = page.getByRole('table', { name: 'Messages by intent' });
    expect(await intents.getByRole('row', { name: /pricing/ }).textContent()).toMatch(/120/);
    expect(await intents.getByRole('row', { name: /first_class_plan/ }).textContent()).toMatch(/2$/);
    const days = page.getByRole('table', { name: 'Conversations per day (UTC)' }).locator('tbody tr');
    expect(await days.count()).toBe(7);
    expect(await days.last().textContent()).toMatch(/^\d{4}-\d\d-\d\d4\d+$/);
    expect(
      await page
        .getByRole('table', { name: /slowest first/ })
        .getByRole('row', { name: /account\.plan/ })
        .count(),
    ).toBe(1);
    // Chart.js drew on its canvases, and nothing was refused by the CSP.
    for (const chart of ['conversations', 'containment', 'ratings', 'escalations', 'intents']) {
      const box = await page.locator(`#chart-${chart}`).boundingBox();
      expect(box?.width ?? 0).toBeGreaterThan(100);
    }
    expect(await page.evaluate('Object.keys(window.Chart.instances).length')).toBe(5);
    expect(refused).toEqual([]);
    // The review inbox, from the service's own API (what the seeded turns put there, if anything).
    await page.getByText(/^(Nothing to review\.|\d+ message\(s\) to review\.)$/).waitFor();
    mkdirSync(ARTIFACTS, { recursive: true });
    const shot = join(ARTIFACTS, 'dashboard.png');
    await page.screenshot({ path: shot, fullPage: true });
    console.log(`dashboard screenshot: ${shot}`);
  });

  it('fits 360 px without horizontal scrolling, and the keyboard reaches the period selector', async () => {
    const { page } = await signedIn(360);
    expect(await text(page, '#started')).toBe('64');
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(360);
    // Nor inside: no table is wider than its box.
    const wider = await page.evaluate(
      `[...document.querySelectorAll('.figures, .scroll')].filter((box) => box.scrollWidth > box.clientWidth).length`,
    );
    expect(wider).toBe(0);
    await page.goto(`${service.url}/admin?days=7`);
    let reached = false;
    for (let tabs = 0; tabs < 5 && !reached; tabs++) {
      await page.keyboard.press('Tab');
      reached = (await page.evaluate('document.activeElement.id')) === 'days';
    }
    expect(reached).toBe(true);
    // Visible focus: the selector has an outline when reached from the keyboard.
    expect(await page.evaluate('getComputedStyle(document.activeElement).outlineStyle')).toBe('solid');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.waitForURL(/days=30/);
    expect(await page.locator('#chart-conversations').count()).toBe(1);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-360.png'), fullPage: true });
  });

  it('lists the review inbox by its contract, labels one message and dismisses another', async () => {
    // The inbox API's answers made up in the browser (the contract of src/review/routes.ts), so that
    // the page's listing, labelling and dismissing are tested on known items.
    const item = (id: string, text: string) => ({
      id,
      at: '2026-01-02T10:00:00Z',
      conversationId: 'c_1',
      text,
      reason: 'not_solved',
      reading: { intent: 'pricing', confidence: 0.41, reader: 'local' },
      context: [{ role: 'bot', text: 'Our prices <b>start</b> at…' }],
      status: 'open',
    });
    const posted: { url: string; body: string | null }[] = [];
    const page = await browser.newPage({ viewport: { width: 360, height: 900 } });
    await page.route('**/admin/api/review**', async (route) => {
      const request = route.request();
      if (request.method() === 'POST') {
        posted.push({ url: new URL(request.url()).pathname, body: request.postData() });
        return route.fulfill({ status: 204 });
      }
      const labels = [{ id: 'first_class_plan', kind: 'intent', description: 'First Class' }];
      const body = request.url().includes('/labels')
        ? { labels }
        : { items: [item('r_1', 'is first <i>class</i> included?'), item('r_2', 'hmm')] };
      return route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(body) });
    });
    await page.goto(`${service.url}/admin`);
    await page.getByLabel('Admin token (ADMIN_TOKEN)').fill(TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('2 message(s) to review.').waitFor();
    // Customer text is shown as text, never as markup.
    expect(await page.locator('#review-items blockquote').first().textContent()).toBe(
      'is first <i>class</i> included?',
    );
    expect(await page.locator('#review-items i, #review-items b').count()).toBe(0);
    await page.getByLabel('Should have been').first().selectOption('first_class_plan');
    await page.getByRole('button', { name: 'Label' }).first().click();
    await page.getByText('Labelled as first_class_plan.').waitFor();
    await page.getByRole('button', { name: 'Dismiss' }).click();
    await page.getByText('Dismissed.').waitFor();
    expect(posted).toEqual([
      { url: '/admin/api/review/r_1/label', body: '{"label":"first_class_plan"}' },
      { url: '/admin/api/review/r_2/dismiss', body: null },
    ]);
    expect(await page.locator('#review-items li').count()).toBe(0);
  });

  it('asks "Did this solve it?" under a resolving answer in the chat; No brings the offer of a person', async () => {
    const page = await browser.newPage({ viewport: { width: 360, height: 740 } });
    await page.goto(service.url);
    await page.getByLabel('Sign in as (development)').selectOption({ label: 'active@demo.test' });
    await page.getByRole('button', { name: 'Start' }).click();
    await page.locator('.log li.bot').filter({ hasText: 'You are signed in' }).waitFor({ timeout: 15_000 });
    await page.locator('#text').fill('what plan am I on?');
    await page.locator('#text').press('Enter');
    const rating = page.getByRole('group', { name: 'Did this solve it?' });
    await rating.waitFor({ timeout: 15_000 });
    const no = rating.getByRole('button', { name: 'No' });
    await no.focus();
    await page.keyboard.press('Enter');
    await page
      .locator('.log li.bot')
      .filter({ hasText: 'sorry that did not help' })
      .waitFor({ timeout: 15_000 });
    expect(await no.isDisabled()).toBe(true);
    expect(await rating.getByRole('button', { name: 'Yes' }).isDisabled()).toBe(true);
    expect(await page.getByRole('status').filter({ hasText: 'Thank you' }).count()).toBe(1);
    const choices = page.getByRole('group', { name: 'Quick answers' });
    expect(await choices.getByRole('button').allTextContents()).toEqual(['Yes', 'No']);
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(360);
    await page.screenshot({ path: join(ARTIFACTS, 'chat-rating-no-360.png') });
    // The offer's Yes is the request for a person.
    await choices.getByRole('button', { name: 'Yes' }).click();
    await page
      .locator('.log li.bot')
      .filter({ hasText: 'passing this conversation to a person' })
      .waitFor({ timeout: 15_000 });
    // Asked only under an answer that resolves: not under the hand-off.
    expect(await rating.isHidden()).toBe(true);
  });
});
