import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ADMIN_TOKEN, type TestHandoff } from './handoff.ts';

const CHROMIUM = '/usr/bin/chromium';

/**
 * Debian's chromium, installed on first use when missing (the machine reaches Debian's packages
 * but not Playwright's browser downloads). Flags: headless on a closed network, as root.
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'ignore' });
    execFileSync('apt-get', ['install', '-y', '-qq', 'chromium'], {
      stdio: 'ignore',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Signs `page` in to the console at `base` with the test admin token, as "Amy". */
export async function signInToConsole(page: Page, base: string): Promise<void> {
  await page.goto(`${base}/login`);
  await page.fill('input[name=secret]', ADMIN_TOKEN);
  await page.fill('input[name=name]', 'Amy');
  await page.click('button[type=submit]');
}

/** A fresh Chromium with one page at desktop width on `base`, the address `handoff` now listens on. */
export interface ConsoleInChromium {
  browser: Browser;
  page: Page;
  base: string;
}

/**
 * Makes `handoff` listen on a free local port and opens a page for it (1100 × 900) in a fresh
 * Chromium, signed in to the console when `signIn` is set.
 */
export async function openInChromium(
  handoff: TestHandoff,
  options: { signIn?: boolean } = {},
): Promise<ConsoleInChromium> {
  const base = await handoff.server.listen({ port: 0, host: '127.0.0.1' });
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  if (options.signIn === true) await signInToConsole(page, base);
  return { browser, page, base };
}

/** Adds to `violations` each Content-Security-Policy violation Chromium reports on `page`'s console (blocked inline styles, scripts or loads). */
export function recordCspViolations(page: Page, violations: string[]): void {
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(`${page.url()}: ${message.text()}`);
  });
}
