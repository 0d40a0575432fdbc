// Test helper: headless Chromium (Debian's /usr/bin/chromium, never a
// downloaded browser) through playwright-core, and axe-core runs.
import path from 'node:path';
import { chromium } from 'playwright-core';
import { ROOT } from './server.mjs';

export const CHROMIUM = process.env.CHROMIUM_BIN || '/usr/bin/chromium';
export const AXE_PATH = path.join(ROOT, 'node_modules', 'axe-core', 'axe.min.js');
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

export function launch() {
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

/**
 * Collects console errors (CSP violations among them), script errors and
 * failed subresource loads of a page (for assertions). Expected error
 * statuses of the documents themselves are not problems, and neither is the
 * browser's own request for /favicon.ico.
 */
export function watchPage(page) {
  const problems = [];
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    const url = m.location()?.url || '';
    if (/Failed to load resource/.test(m.text())) return; // reported by 'response' below, with its URL
    problems.push(`console: ${m.text()} ${url}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('response', (r) => {
    const req = r.request();
    if (r.status() < 400 || req.resourceType() === 'document' || new URL(r.url()).pathname === '/favicon.ico') return;
    problems.push(`${r.status()} for ${req.resourceType()} ${r.url()}`);
  });
  page.on('requestfailed', (req) => problems.push(`request failed: ${req.url()} ${req.failure()?.errorText}`));
  return problems;
}

/** Formats axe violations readably for an assertion message. */
export function formatViolations(url, violations) {
  const lines = [`${violations.length} axe violation(s) on ${url}:`];
  for (const v of violations) {
    lines.push(`- ${v.id} [${v.impact}] ${v.help} (${v.helpUrl})`);
    for (const n of v.nodes.slice(0, 8)) {
      lines.push(`    at ${n.target.join(' ')}: ${n.html.slice(0, 200)}`);
      if (n.failureSummary) lines.push(`      ${n.failureSummary.replace(/\n/g, '\n      ')}`);
    }
    if (v.nodes.length > 8) lines.push(`    … and ${v.nodes.length - 8} more`);
  }
  return lines.join('\n');
}

/**
 * A browser context for axe runs: bypassCSP (the pages' CSP forbids the
 * injected script) and axe-core from node_modules added to every document
 * (addInitScript: about twice as fast as addScriptTag after each navigation).
 */
export async function axeContext(browser, opts = {}) {
  const ctx = await browser.newContext({ bypassCSP: true, locale: 'de-DE', ...opts });
  await ctx.addInitScript({ path: AXE_PATH });
  return ctx;
}

/**
 * Runs axe-core on the page with the WCAG 2.0/2.1 A and AA rules; injects
 * axe with page.addScriptTag({path}) unless the context already did (the
 * page's CSP forbids that script, so the context needs bypassCSP: true).
 * Resolves the axe results.
 */
export async function runAxe(page) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.addScriptTag({ path: AXE_PATH });
  return page.evaluate(
    (tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] }),
    AXE_TAGS,
  );
}

/** Logs in through the form of /login in page (mouse-free, but not the keyboard test). */
export async function formLogin(page, base, login, password) {
  await page.goto(`${base}/login`);
  await page.fill('#login', login);
  await page.fill('#passwort', password);
  await Promise.all([page.waitForURL(`${base}/`), page.click('button[type="submit"]')]);
}
