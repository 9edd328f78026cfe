// Outcomes on a phone: chart text that stays readable and never overlaps, and a "Results at a
// glance" panel that comes before the body and links to every figure's card.
//
// Builds the bundled example and tests/fixtures/outcomes (one outcome of every kind) with
// target/debug/casebook, serves each on 127.0.0.1 and measures the rendered pages in headless
// Chromium at 375 CSS px.

import test from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';

import { REPO_ROOT, browserTestsCanRun, buildAndServe, launchBrowser, newTrackedPage, visit } from './lib.mjs';

const PHONE = { width: 375, height: 800, deviceScaleFactor: 1 };
const MIN_FONT_PX = 12;

const SITES = [
  {
    name: 'the example',
    root: REPO_ROOT,
    pages: [
      '/case-studies/southampton-care-home-manager-leadership-programme/',
      '/programmes/well-led-stockton-on-tees/',
      '/data/well-led-overall-ratings/',
    ],
  },
  {
    name: 'the outcomes fixture',
    root: path.join(REPO_ROOT, 'tests', 'fixtures', 'outcomes'),
    pages: ['/case-studies/all-kinds/', '/programmes/leading-well/'],
  },
];

/**
 * Every piece of text in the page's charts: its rendered font size (scaled by any SVG
 * viewBox it sits in) and the boxes of its lines, and the page's scroll width.
 */
function measureCharts() {
  const texts = [];
  for (const [index, chart] of document.querySelectorAll('.chart').entries()) {
    const walker = document.createTreeWalker(chart, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (!node.textContent.trim()) continue;
      const element = node.parentElement;
      let size = parseFloat(getComputedStyle(element).fontSize);
      const svg = element.closest('svg');
      if (svg) {
        const matrix = element.getScreenCTM();
        size *= Math.hypot(matrix.a, matrix.b);
      }
      const range = document.createRange();
      range.selectNodeContents(node);
      const boxes = [...range.getClientRects()]
        .filter((r) => r.width > 0 && r.height > 0)
        .map((r) => ({ left: r.left, top: r.top, right: r.right, bottom: r.bottom }));
      texts.push({ chart: index, text: node.textContent.trim(), size, boxes });
    }
  }
  return { texts, charts: document.querySelectorAll('.chart').length, scrollWidth: document.documentElement.scrollWidth };
}

/** Whether two boxes share more than a sliver (half a pixel) of area. */
function overlap(a, b) {
  const tolerance = 0.5;
  return (
    Math.min(a.right, b.right) - Math.max(a.left, b.left) > tolerance &&
    Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > tolerance
  );
}

for (const site of SITES) {
  test(`chart text on ${site.name} renders at ${MIN_FONT_PX}px or more at 375px and never overlaps`, { timeout: 300_000 }, async (t) => {
    if (!browserTestsCanRun(t)) return;
    const served = await buildAndServe({ root: site.root });
    t.after(() => served.close());
    const browser = await launchBrowser();
    t.after(() => browser.close());

    for (const urlPath of site.pages) {
      await t.test(urlPath, async () => {
        const page = await newTrackedPage(browser);
        try {
          await page.setViewport(PHONE);
          await visit(page, new URL(urlPath, served.url).href);
          const { texts, charts, scrollWidth } = await page.evaluate(measureCharts);
          assert.ok(charts > 0, `${urlPath} has no chart to measure`);
          assert.ok(scrollWidth <= PHONE.width, `${urlPath} scrolls sideways: scrollWidth ${scrollWidth}px`);

          const small = texts.filter((x) => x.size < MIN_FONT_PX);
          assert.deepEqual(
            small.map((x) => `${x.text} (${x.size.toFixed(1)}px)`),
            [],
            `chart text under ${MIN_FONT_PX}px on ${urlPath}`,
          );

          const lines = texts.flatMap((x) => x.boxes.map((box) => ({ ...x, box })));
          const clashes = [];
          for (let i = 0; i < lines.length; i++) {
            for (let j = i + 1; j < lines.length; j++) {
              if (overlap(lines[i].box, lines[j].box)) clashes.push(`"${lines[i].text}" and "${lines[j].text}"`);
            }
          }
          assert.deepEqual(clashes, [], `overlapping chart text on ${urlPath}`);
        } finally {
          await page.close();
        }
      });
    }
  });
}

test('"Results at a glance" comes before the summary facts and the body and links each figure to its card', { timeout: 300_000 }, async (t) => {
  if (!browserTestsCanRun(t)) return;
  const browser = await launchBrowser();
  t.after(() => browser.close());

  for (const site of SITES) {
    const served = await buildAndServe({ root: site.root });
    t.after(() => served.close());
    // A dataset has no outcomes of its own, so no panel.
    for (const urlPath of site.pages.filter((p) => !p.startsWith('/data/'))) {
      await t.test(`${site.name}: ${urlPath}`, async () => {
        const page = await newTrackedPage(browser);
        try {
          await page.setViewport(PHONE);
          await visit(page, new URL(urlPath, served.url).href);
          const panel = await page.evaluate(() => {
            const glance = document.querySelector('.glance');
            if (!glance) return null;
            const y = (el) => el.getBoundingClientRect().top + window.scrollY;
            const firstBodyHeading = document.querySelector('.prose h2, .prose h3');
            const firstCard = document.querySelector('.case-outcome');
            const facts = document.querySelector('.page-meta');
            return {
              factsY: facts ? y(facts) : null,
              heading: glance.querySelector('h2')?.textContent.trim(),
              y: y(glance),
              beforeBody: firstBodyHeading
                ? Boolean(glance.compareDocumentPosition(firstBodyHeading) & Node.DOCUMENT_POSITION_FOLLOWING)
                : true,
              bodyHeadingY: firstBodyHeading ? y(firstBodyHeading) : null,
              firstCardY: firstCard ? y(firstCard) : null,
              cards: document.querySelectorAll('.case-outcome').length,
              lines: [...glance.querySelectorAll('li')].map((li) => {
                const link = li.querySelector('a');
                const id = link ? decodeURIComponent(new URL(link.href).hash.slice(1)) : '';
                const card = id ? document.getElementById(id) : null;
                return {
                  text: li.textContent.trim(),
                  id,
                  cardIsOutcome: Boolean(card?.classList.contains('case-outcome')),
                  cardTitle: card?.querySelector('h3')?.textContent.trim() ?? null,
                  linkText: link?.textContent.trim() ?? '',
                };
              }),
            };
          });
          assert.ok(panel, `${urlPath} has no "Results at a glance" panel`);
          assert.equal(panel.heading, 'Results at a glance');
          assert.ok(panel.beforeBody, `the panel of ${urlPath} comes after the body's first heading`);
          if (panel.bodyHeadingY !== null) assert.ok(panel.y < panel.bodyHeadingY);
          assert.ok(panel.y < panel.firstCardY, 'the panel is above the first card');
          // On a phone the summary facts fill more than a screen: the results come first.
          if (panel.factsY !== null) assert.ok(panel.y < panel.factsY, `the panel of ${urlPath} is below the summary facts`);
          assert.equal(panel.lines.length, panel.cards, 'one line per outcome card');
          for (const line of panel.lines) {
            assert.ok(line.cardIsOutcome, `"${line.text}" links to #${line.id}, which is not an outcome card`);
            assert.ok(line.linkText.startsWith(line.cardTitle), `"${line.linkText}" does not name its card "${line.cardTitle}"`);
          }
          assert.equal(new Set(panel.lines.map((l) => l.id)).size, panel.lines.length, 'each line links to its own card');
        } finally {
          await page.close();
        }
      });
    }
  }
});
