import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Service } from '../../src/http/server.ts';
import { deleteKeysUnder, uniquePrefix } from '../helpers/redis.ts';
import { startTestService } from '../helpers/service.ts';

const TOKEN = 'admin-token-for-tests-0123456789';
const CSP_SELF_ONLY = /default-src 'self'; script-src 'self'; style-src 'self';/;

describe('/admin without ADMIN_TOKEN', () => {
  const prefix = uniquePrefix('admin-off');
  let service: Service;
  beforeAll(async () => {
    service = await startTestService(prefix);
  });
  afterAll(async () => {
    await service.close();
    await deleteKeysUnder(prefix);
  });

  it('says how to set the token, and serves no data', async () => {
    const page = await fetch(`${service.url}/admin`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toMatch(CSP_SELF_ONLY);
    const text = await page.text();
    expect(text).toMatch(/The dashboard is off/);
    expect(text).toMatch(/Set <code>ADMIN_TOKEN<\/code> to a secret of at least\s+16 characters/);
    expect(text).not.toMatch(/Containment|<form/);
    const stats = await fetch(`${service.url}/admin/api/stats`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(stats.status).toBe(404);
    const signIn = await fetch(`${service.url}/admin/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `token=${TOKEN}`,
    });
    expect(signIn.status).not.toBe(303);
  });
});

describe('/admin with ADMIN_TOKEN', () => {
  const prefix = uniquePrefix('admin-on');
  let service: Service;
  beforeAll(async () => {
    service = await startTestService(prefix, { ADMIN_TOKEN: TOKEN, RATE_LIMIT_PER_IP: '1000' });
  });
  afterAll(async () => {
    await service.close();
    await deleteKeysUnder(prefix);
  });
  const signIn = (token: string) =>
    fetch(`${service.url}/admin/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token }).toString(),
      redirect: 'manual',
    });

  it('requires the token for the stats, and answers them with it', async () => {
    const none = await fetch(`${service.url}/admin/api/stats`);
    expect(none.status).toBe(401);
    expect(((await none.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
    const wrong = await fetch(`${service.url}/admin/api/stats`, {
      headers: { authorization: 'Bearer nope' },
    });
    expect(wrong.status).toBe(401);
    const right = await fetch(`${service.url}/admin/api/stats?days=7`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(right.status).toBe(200);
    expect(right.headers.get('cache-control')).toBe('no-store');
    const stats = (await right.json()) as { days: number; perDay: unknown[]; totals: { started: number } };
    expect(stats.days).toBe(7);
    expect(stats.perDay).toHaveLength(7);
    expect(stats.totals.started).toBe(0);
  });

  it.each(['0', '401', 'abc', '2.5'])('answers 400 to days=%s', async (days) => {
    const response = await fetch(`${service.url}/admin/api/stats?days=${days}`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(response.status).toBe(400);
  });

  it('shows the sign-in form, not the figures, to a browser without the cookie', async () => {
    const page = await fetch(`${service.url}/admin`);
    expect(page.status).toBe(200);
    const text = await page.text();
    expect(text).toMatch(/<form method="post" action="\/admin\/sign-in"/);
    expect(text).not.toMatch(/stats-data|Containment/);
  });

  it('refuses a wrong token, and signs in with the right one: an HttpOnly cookie on /admin', async () => {
    const wrong = await signIn('not-the-token');
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toMatch(/not the admin token/);
    const right = await signIn(TOKEN);
    expect(right.status).toBe(303);
    expect(right.headers.get('location')).toBe('/admin');
    const cookie = right.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^ob_admin=.+; Path=\/admin; HttpOnly; SameSite=Strict/);
    const page = await fetch(`${service.url}/admin?days=7`, {
      headers: { cookie: cookie.split(';')[0] ?? '' },
    });
    const text = await page.text();
    expect(text).toMatch(/<option value="7" selected>Last 7 days<\/option>/);
    expect(text).toMatch(/id="stats-data"/);
    expect(page.headers.get('content-security-policy')).toMatch(CSP_SELF_ONLY);
  });

  it('serves Chart.js and its own assets from the service', async () => {
    for (const name of ['chart.js', 'dashboard.js', 'dashboard.css']) {
      const asset = await fetch(`${service.url}/admin/assets/${name}`);
      expect(asset.status).toBe(200);
    }
    const chart = await fetch(`${service.url}/admin/assets/chart.js`).then((response) => response.text());
    expect(chart).toMatch(/Chart\.js v4/);
    expect((await fetch(`${service.url}/admin/assets/..%2Fpackage.json`)).status).toBe(404);
  });

  it('limits sign-in tries per address', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await signIn('guess')).status);
    expect(statuses).toContain(429);
  });
});
