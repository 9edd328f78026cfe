// Accessibility of the built example site in a real browser.
//
// Builds the bundled example (the repository root) with target/debug/casebook, serves it on
// 127.0.0.1, opens one page of every page type in headless Chromium and runs axe-core with the
// WCAG 2.0/2.1 A and AA and WCAG 2.2 AA rules at 1280 and 375 px, where no page may scroll
// sideways; checks that no request is answered 404 (the site icon is linked and served), that
// the case-study page reflows at 320 CSS px (WCAG 1.4.10), saving screenshots of it to
// tests/browser/screenshots/, and that a site's brand colour and icon reach its pages. The
// accessibility statement that `casebook new accessibility-statement` writes says exactly this.
//
//   node --test tests/browser/            # skips when Chromium or node_modules is missing
//   CASEBOOK_REQUIRE_BROWSER=1 node --test tests/browser/   # fails instead (CI)

import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';

import {
  REPO_ROOT,
  SCREENSHOT_DIR,
  browserTestsCanRun,
  buildAndServe,
  buildSite,
  formatViolations,
  launchBrowser,
  newTrackedPage,
  pageTypeUrls,
  runAxe,
  serveDir,
  tempDir,
  visit,
} from './lib.mjs';

const REFLOW_WIDTH = 320;
/** The viewport widths every page type is checked at: a desktop and a phone. */
const AXE_WIDTHS = [1280, 375];

test('every page type passes axe-core (WCAG 2.2 AA) and the case study reflows at 320px', { timeout: 900_000 }, async (t) => {
  if (!browserTestsCanRun(t, { axe: true })) return;

  const site = await buildAndServe();
  t.after(() => site.close());
  const browser = await launchBrowser();
  t.after(() => browser.close());
  const origin = site.url.replace(/\/$/, '');
  const abs = (p) => new URL(p, site.url).href;

  const { found, missing } = await pageTypeUrls(site.outDir);
  for (const type of missing) {
    await t.test(`the output has a page of type "${type}"`, () => {
      assert.fail(`no page of type "${type}" in ${site.outDir} nor in its sitemap.xml`);
    });
  }

  const report = {};
  const loadProblems = {};
  for (const [type, urlPath] of found) {
    await t.test(`axe at 1280 and 375 px, no sideways scroll at 375: ${type} ${urlPath}`, async () => {
      const page = await newTrackedPage(browser, { origin });
      try {
        const failures = [];
        for (const width of [1280, 375]) {
          await page.setViewport({ width, height: width === 375 ? 812 : 800, deviceScaleFactor: 1 });
          await visit(page, abs(urlPath));
          const violations = await runAxe(page);
          report[`${urlPath} @${width}`] = { type, violations };
          if (violations.length) {
            const nodes = violations.reduce((n, v) => n + v.nodes.length, 0);
            failures.push(`${violations.length} axe rule(s) failed on ${nodes} element(s) at ${width}px:\n${formatViolations(violations)}`);
          }
          if (width === 375) {
            const w = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
            if (w[0] > w[1]) failures.push(`the page scrolls sideways at 375px: ${w[0]}px wide in ${w[1]}px`);
          }
        }
        if (page.problems.length) loadProblems[urlPath] = [...page.problems];
        if (failures.length) assert.fail(`the ${type} page ${urlPath}:\n${failures.join('\n')}`);
      } finally {
        await page.close();
      }
    });
  }

  await t.test('every request is answered: the site icon is linked and served, nothing is missing', async () => {
    const page = await newTrackedPage(browser, { origin });
    try {
      await visit(page, abs('/'));
      const icon = await page.$eval('link[rel="icon"]', (l) => l.href);
      const status = await page.evaluate((href) => fetch(href).then((r) => r.status), icon);
      assert.equal(status, 200, `${icon} answered ${status}`);
      const missing = site.server.requests.filter((r) => r.status === 404);
      assert.deepEqual(missing, [], 'no request of any page load was answered 404');
    } finally {
      await page.close();
    }
  });

  await t.test('pages load without broken same-origin resources or script errors', () => {
    const lines = Object.entries(loadProblems).flatMap(([p, probs]) => probs.map((x) => `  ${p}: ${x}`));
    if (lines.length) assert.fail(`problems while loading pages:\n${lines.join('\n')}`);
  });

  const caseStudy = found.get('case study');
  await t.test(`case study reflows at ${REFLOW_WIDTH}px without horizontal scrolling`, async (t2) => {
    if (!caseStudy) return t2.skip('no case-study page was found (reported above)');
    await fs.mkdir(SCREENSHOT_DIR, { recursive: true });

    const wide = await newTrackedPage(browser, { origin });
    try {
      await wide.setViewport({ width: 1280, height: 800, deviceScaleFactor: 1 });
      await visit(wide, abs(caseStudy));
      await wide.screenshot({ path: path.join(SCREENSHOT_DIR, 'case-study-1280.png'), fullPage: true });
      await wide.screenshot({ path: path.join(SCREENSHOT_DIR, 'case-study-1280-top.png') });
    } finally {
      await wide.close();
    }

    const page = await newTrackedPage(browser, { origin });
    try {
      await page.setViewport({ width: REFLOW_WIDTH, height: 640, deviceScaleFactor: 1 });
      await visit(page, abs(caseStudy));
      await page.screenshot({ path: path.join(SCREENSHOT_DIR, `case-study-${REFLOW_WIDTH}.png`), fullPage: true });
      const m = await page.evaluate(() => {
        const root = document.documentElement;
        const vw = root.clientWidth;
        const describe = (el) => {
          let s = el.tagName.toLowerCase();
          if (el.id) s += `#${el.id}`;
          if (el.classList.length) s += '.' + [...el.classList].join('.');
          return s;
        };
        // Elements sticking out past the viewport, not counting those inside a scroll container
        // (a wide table in an overflow-x: auto wrapper is allowed by WCAG 1.4.10).
        const clipped = (el) => {
          for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
            const ox = getComputedStyle(a).overflowX;
            if (ox === 'auto' || ox === 'scroll' || ox === 'hidden' || ox === 'clip') return true;
          }
          return false;
        };
        const over = [];
        for (const el of document.body.querySelectorAll('*')) {
          const r = el.getBoundingClientRect();
          if (r.width > 0 && r.right > vw + 0.5 && !clipped(el)) {
            over.push(`${describe(el)} (right edge at ${Math.round(r.right)}px, width ${Math.round(r.width)}px)`);
          }
        }
        return { scrollWidth: root.scrollWidth, clientWidth: vw, over: over.slice(0, 20) };
      });
      assert.ok(
        m.scrollWidth <= REFLOW_WIDTH,
        `document.documentElement.scrollWidth is ${m.scrollWidth}px at a ${REFLOW_WIDTH}px viewport on ${caseStudy}; ` +
          `elements wider than the viewport:\n  ${m.over.join('\n  ') || '(none found outside scroll containers)'}`,
      );
    } finally {
      await page.close();
    }
  });

  await fs.mkdir(SCREENSHOT_DIR, { recursive: true });
  await fs.writeFile(path.join(SCREENSHOT_DIR, 'axe-report.json'), JSON.stringify(report, null, 2) + '\n');
});

test("a site's brand colour colours the header, through css/brand.css, and its own icon replaces the theme's", { timeout: 300_000 }, async (t) => {
  if (!browserTestsCanRun(t)) return;
  const tmp = await tempDir('casebook-brand-');
  t.after(() => tmp.cleanup());
  const root = path.join(tmp.dir, 'site');
  await fs.cp(path.join(REPO_ROOT, 'content'), path.join(root, 'content'), { recursive: true });
  await fs.writeFile(path.join(root, 'casebook.yaml'), 'title: Brand test\nbrand_colour: "#330072"\n');
  // The example's own static files (its diagram), then an icon of the site's own beside them.
  await fs.cp(path.join(REPO_ROOT, 'static'), path.join(root, 'static'), { recursive: true });
  const ownIcon = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><rect width="1" height="1"/></svg>\n';
  await fs.writeFile(path.join(root, 'static', 'favicon.svg'), ownIcon);
  const out = path.join(tmp.dir, 'public');
  const server = await serveDir(out);
  t.after(() => server.close());
  await buildSite({ root, output: out, baseUrl: server.url });
  assert.equal(await fs.readFile(path.join(out, 'favicon.svg'), 'utf8'), ownIcon);

  const browser = await launchBrowser();
  t.after(() => browser.close());
  const page = await newTrackedPage(browser, { origin: server.url.replace(/\/$/, '') });
  await visit(page, new URL('case-studies/', server.url).href);
  assert.equal(await page.$eval('.site-header', (h) => getComputedStyle(h).backgroundColor), 'rgb(51, 0, 114)');
  assert.equal(await page.$$eval('[style]', (els) => els.length), 0, 'no inline style attributes');
  assert.deepEqual(page.problems, []);
  await page.close();
});
