// Accessibility of the built example site in a real browser.
//
// Builds the bundled example (the repository root) with target/debug/casebook, serves it on
// 127.0.0.1, opens one page of every page type in headless Chromium and runs axe-core with the
// WCAG 2.0/2.1 A and AA and WCAG 2.2 AA rules, at 1280 and 375 CSS px. Also checks that the
// case-study page reflows at 320 CSS px (WCAG 1.4.10) and saves screenshots of it to
// tests/browser/screenshots/.
//
//   node --test tests/browser/            # skips when Chromium or node_modules is missing
//   CASEBOOK_REQUIRE_BROWSER=1 node --test tests/browser/   # fails instead (CI)

import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';

import {
  SCREENSHOT_DIR,
  browserTestsCanRun,
  buildAndServe,
  formatViolations,
  launchBrowser,
  newTrackedPage,
  pageTypeUrls,
  runAxe,
  visit,
} from './lib.mjs';

const REFLOW_WIDTH = 320;
/** Desktop and phone widths at which every page type is checked. */
const AXE_WIDTHS = [1280, 375];

test('every page type passes axe-core (WCAG 2.2 AA) at 1280 and 375px and the case study reflows at 320px', { timeout: 900_000 }, async (t) => {
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
  for (const [type, urlPath] of found) for (const width of AXE_WIDTHS) {
    await t.test(`axe: ${type} ${urlPath} at ${width}px`, async () => {
      const page = await newTrackedPage(browser, { origin });
      try {
        await page.setViewport({ width, height: 800, deviceScaleFactor: 1 });
        await visit(page, abs(urlPath));
        const violations = await runAxe(page);
        report[`${urlPath} at ${width}px`] = { type, violations };
        if (page.problems.length) loadProblems[urlPath] = [...page.problems];
        if (violations.length) {
          const nodes = violations.reduce((n, v) => n + v.nodes.length, 0);
          assert.fail(
            `${violations.length} axe rule(s) failed on ${nodes} element(s) of the ${type} page ${urlPath} at ${width}px:\n` +
              formatViolations(violations),
          );
        }
      } finally {
        await page.close();
      }
    });
  }

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
