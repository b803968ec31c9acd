import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { createManualClock, type ManualClock } from '@qdesk/core/memory';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { createApp } from '../src/app.js';
import { type AppServices, composeDemo } from '../src/compose.js';
import { readEnv } from '../src/config.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  const message = `\n!!! Browser tests SKIPPED: no Chromium at ${CHROMIUM}. Install it with: apt-get install -y chromium\n`;
  if (process.env.CI) throw new Error(message); // CI installs it (.ci/run); a skip there would hide a failure.
  console.warn(message);
}

/** Debian's Chromium, headless and quiet (no background networking), with `extraArgs` after the house flags. */
export function launchChromium(extraArgs: string[] = []): Promise<Browser> {
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
      '--disable-quic',
      ...extraArgs,
    ],
  });
}

export const SCREENSHOTS = new URL('../../../artifacts/screenshots/', import.meta.url).pathname;

export interface Harness {
  base: string;
  clock: ManualClock;
  services: AppServices;
  browser: Browser;
  technician: BrowserContext;
  close(): Promise<void>;
}

/** The app in demo mode on a loopback port, with a clock the test moves, and Chromium with two contexts. */
export async function startHarness(): Promise<Harness> {
  const clock = createManualClock(Date.UTC(2026, 10, 24, 9, 0, 0));
  const env = readEnv({ PORT: '0', HOST: '127.0.0.1' });
  const services = await composeDemo(env, { clock, quiet: true, stores: { kind: 'pglite', dataDir: null } });
  const { app, runner } = createApp(services, env);
  await runner.settled(); // the demo's first PSA sync, so the matching page has data
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser = await launchChromium();
  const viewport = { width: 420, height: 900 }; // about the width of an Autotask Insight panel
  const technician = await browser.newContext({ viewport });
  mkdirSync(SCREENSHOTS, { recursive: true });
  return {
    base,
    clock,
    services,
    browser,
    technician,
    async close() {
      await browser.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await services.close();
    },
  };
}

/** Where the README's screenshots live; `pnpm screenshots` (QDESK_README_SCREENSHOTS=1) rewrites them from the tests. */
export const README_SCREENSHOTS = new URL('../../../docs/screenshots/', import.meta.url).pathname;

/**
 * Saves a full-page screenshot to artifacts/screenshots. One the README shows (`readme: true`) is copied to
 * docs/screenshots as well when QDESK_README_SCREENSHOTS=1, so the README always shows what a browser test saw.
 */
/**
 * The harness for one test file: started before its tests, closed after them. Read it only inside tests and hooks
 * registered after this call (it starts in `beforeAll`).
 */
export function useHarness(): Harness {
  let started: Harness | undefined;
  beforeAll(async () => {
    started = await startHarness();
  }, 60_000);
  afterAll(async () => {
    await started?.close();
  });
  return new Proxy({} as Harness, {
    get(_target, key) {
      if (!started) throw new Error('The harness starts in beforeAll: use it inside a test or a later hook.');
      return Reflect.get(started, key);
    },
  });
}

export async function shot(page: Page, name: string, options: { readme?: boolean } = {}) {
  const path = `${SCREENSHOTS}${name}.png`;
  await page.screenshot({ path, fullPage: true });
  if (options.readme && process.env.QDESK_README_SCREENSHOTS === '1') {
    mkdirSync(README_SCREENSHOTS, { recursive: true });
    copyFileSync(path, `${README_SCREENSHOTS}${name}.png`);
  }
}

const axeSource: string = (createRequire(import.meta.url)('axe-core') as { source: string }).source;

/**
 * An axe-core scan of the page as it is now (WCAG 2.2 A and AA rules and best practices). Returns the violations
 * as `rule: target` lines, so a failing test says which element broke which rule; expect `[]`.
 */
export async function axeViolations(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol, so the page's Content-Security-Policy does not block axe.
  if (!(await page.evaluate(() => 'axe' in globalThis))) await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run: (o: object) => Promise<AxeResults> } }).axe;
    type AxeResults = { violations: { id: string; nodes: { target: string[] }[] }[] };
    const result = await axe.run({
      runOnly: {
        type: 'tag',
        values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'],
      },
    });
    return result.violations.map((v) => ({ id: v.id, targets: v.nodes.map((n) => n.target.join(' ')) }));
  });
  return violations.flatMap((v) => v.targets.map((t) => `${v.id}: ${t}`));
}

/** How far the page scrolls sideways (0 when it fits its viewport). */
export async function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
}

/**
 * Tabs from the top of the page until the focused element matches `accessibleName` (its text, aria-label or
 * label), at most `max` presses; returns the number of presses. Throws when it is not reached, naming what was.
 */
export async function tabTo(page: Page, accessibleName: string | RegExp, max = 40): Promise<number> {
  const seen: string[] = [];
  for (let i = 1; i <= max; i++) {
    await page.keyboard.press('Tab');
    // Runs in the page: the focused element's accessible name, roughly (aria-label, its label, its text).
    const name = await page.evaluate<string>(`(() => {
      const a = document.activeElement;
      if (!a) return '';
      const label = a.id ? document.querySelector('label[for="' + a.id + '"]')?.textContent : null;
      return (a.getAttribute('aria-label') ?? label ?? a.closest('label')?.textContent ?? a.textContent ?? '')
        .replace(/\\s+/g, ' ').trim();
    })()`);
    seen.push(name);
    if (typeof accessibleName === 'string' ? name === accessibleName : accessibleName.test(name)) return i;
  }
  throw new Error(`Tab never reached ${accessibleName}; focus went through: ${seen.join(' | ')}`);
}

/** Waits for the Insight page to ask for the code, then returns the one sent to `to` (what the caller reads). */
export async function codeFor(h: Harness, page: Page, to: string): Promise<string> {
  await page.getByLabel('Code the caller reads back').or(page.locator('.code')).first().waitFor();
  return codeSentTo(h.services, to);
}

/** The newest code the console channel sent to `to` (what the caller would read from their phone). */
export function codeSentTo(services: AppServices, to: string): string {
  for (const channel of [services.outbox!.sms, services.outbox!.email]) {
    const m = channel.last(to)?.message;
    if (m && m.route !== 'push' && 'code' in m.context) return m.context.code;
  }
  throw new Error(`no code was sent to ${to}`);
}

/** Signs the end-user context in on the self-serve page as `name`. */
export async function endUserPage(
  h: Harness,
  name: string,
  options: { notifications?: 'denied' | 'default' } = {},
) {
  // Each phone is its own browser context: its own cookies, its own device id.
  const context = await h.browser.newContext({ viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  // Closing the page closes its context; when the whole browser is closing, that context is already gone.
  page.on('close', () => context.close().catch(() => undefined));
  if (options.notifications) {
    const state = options.notifications;
    // Runs in the browser: make the page see the notification permission this test wants.
    await page.addInitScript((s) => {
      Object.defineProperty((globalThis as unknown as { Notification: object }).Notification, 'permission', {
        get: () => s,
      });
    }, state);
  }
  await page.goto(`${h.base}/self-serve`);
  await page.getByLabel(name).check();
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: `Hi ${name}` }).waitFor();
  await page.locator('#device-status[data-permission]').waitFor();
  return page;
}

/** A browser of its own signed in as another demo staff member (Jo Park, or Alex Morgan the administrator). */
export async function staffContext(h: Harness, name: 'Jo Park' | 'Alex Morgan') {
  const context = await h.browser.newContext({ viewport: { width: 900, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${h.base}/login`);
  await page.getByLabel(name).check();
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${h.base}/`);
  return { context, page };
}

export async function insight(h: Harness, ticketId: string) {
  const page = await h.technician.newPage();
  await page.goto(`${h.base}/insight?ticketId=${ticketId}`);
  return page;
}

export async function notesOn(h: Harness, ticketId: string) {
  return h.services.autotask!.state.notes(ticketId).map((n) => ({ title: n.title, text: n.text }));
}

/**
 * How far the page scrolls sideways at each viewport width (the height is kept), as `{ width: px }`; the viewport
 * is put back afterwards. Expect every value to be 0.
 */
export async function overflowAt(page: Page, widths: number[]): Promise<Record<number, number>> {
  const before = page.viewportSize();
  const result: Record<number, number> = {};
  for (const width of widths) {
    await page.setViewportSize({ width, height: before?.height ?? 900 });
    result[width] = await horizontalOverflow(page);
  }
  if (before) await page.setViewportSize(before);
  return result;
}
