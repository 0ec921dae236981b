import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import type { FakeTelegram } from './fakeTelegram.js';

/** Debian's chromium (`apt-get install chromium`); CHROMIUM_PATH for another. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Whether the browser tests can run here. Without chromium they are skipped with a warning;
 * in CI (CI=true) that is an error, as for PostgreSQL.
 */
let available: boolean | undefined;

export function browserAvailable(): boolean {
  available ??= check();
  return available;
}

function check(): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env.CI) throw new Error(`CI must run the browser tests: ${CHROMIUM} is missing (apt-get install chromium; see .ci/run)`);
  process.stderr.write(`\n⚠ ${CHROMIUM} not found (apt-get install chromium): the browser tests are SKIPPED in this run.\n\n`);
  return false;
}

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (bash .ci/run installs it)`);
  // As root (CI containers) chromium refuses to start with its sandbox.
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}

/** A phone the officers carry (360×740), or the station's desktop. */
export async function newContext(browser: Browser, size: 'phone' | 'desktop'): Promise<BrowserContext> {
  const context =
    size === 'phone'
      ? await browser.newContext({ viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'vi-VN' })
      : await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: 'vi-VN' });
  // A step that cannot happen fails with what it waited for, well inside the test's timeout.
  context.setDefaultTimeout(8000);
  return context;
}

/** Opens a login link and presses its one button, as a person would. */
export async function signIn(page: Page, link: string): Promise<void> {
  await page.goto(link);
  await page.getByRole('button', { name: 'Vào trang quản lý' }).click();
  await page.waitForURL((u) => u.pathname === '/board' || u.pathname === '/work');
}

export function loginLinkIn(text: string): string {
  const m = /https?:\/\/[^\s<]+\/login\/[\w-]+/.exec(text);
  if (!m) throw new Error(`no login link in: ${text.slice(0, 300)}`);
  return m[0];
}

/** With SCREENSHOTS set (npm run screenshots), the page is saved under docs/ for the README. */
export async function screenshot(page: Page, name: string): Promise<void> {
  if (!process.env.SCREENSHOTS) return;
  const dir = path.resolve(import.meta.dirname, '../../docs');
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, name), fullPage: true });
}

/**
 * A fresh browser (its own cookies) signed in with the link the bot sends `chatUser` for
 * /dangnhap on the fake Telegram; the context is added to `opened` for the caller to close.
 */
export async function signedInWith(tg: FakeTelegram, browser: Browser, chatUser: number, size: 'phone' | 'desktop', opened: BrowserContext[]): Promise<Page> {
  await tg.text(chatUser, '/dangnhap', chatUser);
  const context = await newContext(browser, size);
  opened.push(context);
  const page = await context.newPage();
  await signIn(page, loginLinkIn(tg.lastTo(chatUser).text));
  return page;
}
