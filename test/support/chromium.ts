import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ADMIN_TOKEN } from './handoff.ts';

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
