import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/** Debian's Chromium (`apt-get install -y chromium`), or CHROMIUM_PATH. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Whether the browser tests can run here. Under CI=true a missing Chromium is an error, not a skip:
 * CI must run them; elsewhere the skip says how to install it.
 */
export function chromiumAvailable(): boolean {
  const available = existsSync(CHROMIUM);
  if (!available && process.env.CI === 'true')
    throw new Error(
      `No Chromium at ${CHROMIUM}: CI must run the browser tests (apt-get install -y chromium).`,
    );
  if (!available)
    console.warn(
      `Skipping a browser test: no Chromium at ${CHROMIUM}. Install it with: apt-get install -y chromium`,
    );
  return available;
}

/** Headless Chromium as the project runs it: no sandbox (root), no GPU, no calls home. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}
