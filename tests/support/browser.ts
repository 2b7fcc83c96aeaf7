import { mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { expect } from 'vitest';

/**
 * Real Chromium for end-to-end tests (playwright-core drives the system browser; nothing is downloaded),
 * axe-core accessibility checks, and the folder the screenshots go to.
 */

/** Where the e2e run writes the page screenshots (phone and desktop, English and Arabic). */
export const SCREENSHOT_DIR = fileURLToPath(new URL('../../test-results/screenshots/', import.meta.url));

/** Launches the system Chromium headless, with nothing that reaches beyond loopback. */
export function launchChromium(): Promise<Browser> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-gpu',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

const axeSource = readFileSync(fileURLToPath(new URL('../../node_modules/axe-core/axe.min.js', import.meta.url)), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/**
 * Runs axe-core on the page (WCAG 2.1 A/AA and best practices) and returns the violations.
 * Injected through the DevTools protocol, so the page's CSP (no inline scripts) stays on.
 */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  const loaded = await page.evaluate(() => typeof (window as { axe?: unknown }).axe !== 'undefined');
  if (!loaded) await page.evaluate(axeSource);
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, o: object) => Promise<{ violations: any[] }> } }).axe;
    const result = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
    });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n: { target: string[] }) => n.target.join(' ')),
    }));
  });
}

/**
 * Collects what should never happen on a page: uncaught errors, console errors (a CSP violation is one).
 * @example const problems = watch(page); …; expect(problems).toEqual([]);
 */
export function watch(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  return problems;
}

/** The two screens every page is checked on. */
export const PHONE = { width: 360, height: 780 };
export const DESKTOP = { width: 1200, height: 860 };

export interface VisitorOptions {
  viewport?: typeof DESKTOP;
  locale?: string;
  timezoneId?: string;
}

/** A fresh browser context as a visitor (own locale and zone), its page, and the page's console problems. */
export async function openVisitor(browser: Browser, options: VisitorOptions & { timezoneId: string }) {
  const context = await browser.newContext({
    viewport: options.viewport ?? DESKTOP,
    locale: options.locale ?? 'en-US',
    timezoneId: options.timezoneId,
    reducedMotion: 'reduce',
  });
  const page = await context.newPage();
  return { context, page, problems: watch(page) };
}

/** Fails the test with every axe-core violation on the page, labelled with `what`. */
export async function expectAxeClean(page: Page, what: string): Promise<void> {
  const violations = await axeViolations(page);
  expect(violations, `${what}: ${JSON.stringify(violations, null, 1)}`).toEqual([]);
}
