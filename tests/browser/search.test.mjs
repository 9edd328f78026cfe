// Search end to end in headless Chromium, over http://127.0.0.1 (under a strict CSP) and over
// file://: type a query, filter by a facet with the keyboard, narrow by an outcome figure,
// follow a result and come back, open the (lazily loaded) organisation filter, find an
// organisation by name and choose it; axe-core on /search/ with results and filters shown. And
// a published filter link (/search/?rating=good) on tests/fixtures/ratings/: its pages, newest
// first, their headline figures, the status line, and the headline line on list cards.
//
// Builds tests/fixtures/search-site/ with target/debug/casebook. Skips when Chromium or
// node_modules is missing, unless CASEBOOK_REQUIRE_BROWSER=1 (then it fails), like a11y.test.mjs.

import test from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import fs from 'node:fs/promises';
import { pathToFileURL } from 'node:url';

import {
  REPO_ROOT,
  SCREENSHOT_DIR,
  browserTestsCanRun,
  buildSite,
  formatViolations,
  launchBrowser,
  newTrackedPage,
  runAxe,
  serveDir,
  tempDir,
} from './lib.mjs';

const FIXTURE = path.join(REPO_ROOT, 'tests/fixtures/search-site');
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'";

/** Serve every document with a strict Content-Security-Policy (no inline script, no eval). */
async function withStrictCsp(page) {
  await page.setRequestInterception(true);
  page.on('request', async (req) => {
    if (req.resourceType() !== 'document' || !req.url().startsWith('http')) return req.continue();
    try {
      const res = await fetch(req.url());
      const body = await res.text();
      await req.respond({
        status: res.status,
        contentType: res.headers.get('content-type') || 'text/html',
        headers: { 'content-security-policy': CSP },
        body,
      });
    } catch {
      await req.abort();
    }
  });
}

const resultCount = (page) => page.$$eval('#search-results li.search-result', (l) => l.length);

async function journey(t, page, searchUrl, { isFile, server }) {
  await page.goto(searchUrl, { waitUntil: 'load' });
  await page.waitForFunction(() => document.getElementById('search-status').textContent.length > 0);
  assert.equal(await page.$eval('#search-fallback', (e) => e.hidden), true, 'the no-JS message is hidden');

  // Type: results appear as you type, the live region counts them, words are marked.
  await page.focus('#search-q');
  await page.keyboard.type('dementia', { delay: 20 });
  await page.waitForFunction(() => /results? for “dementia”/.test(document.getElementById('search-status').textContent));
  const status = await page.$eval('#search-status', (e) => e.textContent);
  const n = await resultCount(page);
  assert.ok(n >= 4, `${n} results shown; status: ${status}`);
  assert.equal(await page.$eval('#search-status', (e) => e.getAttribute('role')), 'status');
  const marks = await page.$$eval('#search-results mark', (ms) => ms.map((m) => m.textContent.toLowerCase()));
  assert.ok(marks.includes('dementia'), `marked: ${marks.join(', ')}`);
  const links = await page.$$eval('#search-results li.search-result', (lis) => lis.map((li) => li.querySelectorAll('a').length));
  assert.ok(links.every((k) => k === 1), 'one link per result');
  assert.match(page.url(), /[?&]q=dementia/);

  // Filter: the first region, by keyboard (focus, Space); the URL and the results follow.
  const box = await page.waitForSelector('#search-controls input[id^="facet-region-"]');
  const label = await page.$eval('#search-controls input[id^="facet-region-"] + label', (l) => l.textContent);
  const expected = Number(label.match(/\((\d+)\)$/)[1]);
  const regionLabel = label.replace(/ \(\d+\)$/, '');
  await box.focus();
  await page.keyboard.press('Space');
  await page.waitForFunction(() => /[?&]region=/.test(location.search));
  await page.waitForFunction((k) => document.querySelectorAll('#search-results li.search-result').length === Math.min(k, 10)
    && /results? for|1 result/.test(document.getElementById('search-status').textContent), {}, expected);
  const metas = await page.$$eval('#search-results .search-result__meta', (ps) => ps.map((p) => p.textContent));
  assert.ok(metas.every((m) => m.includes(regionLabel)), `every result is in ${regionLabel}: ${metas.join(' / ')}`);
  assert.equal(await page.$eval('#search-controls input[id^="facet-region-"]:checked + label', (l) => l.textContent), label);

  // Follow a result and come back: the state is in the URL.
  const title = await page.$eval('#search-results li.search-result a', (a) => a.textContent);
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('#search-results li.search-result a')]);
  assert.equal(await page.$eval('h1', (h) => h.textContent.trim()), title);
  if (isFile) {
    assert.match(page.url(), /^file:.*\/index\.html$/);
    // From a folder too the page is styled, and its links lead to pages, not folder listings.
    // casebook.css sets the body's margin to 0 and the header's colour (browsers: 8px, none).
    assert.equal(await page.$eval('body', (b) => getComputedStyle(b).marginTop), '0px', 'the stylesheet applies');
    assert.notEqual(await page.$eval('.site-header', (h) => getComputedStyle(h).backgroundColor), 'rgba(0, 0, 0, 0)');
    assert.match(await page.$eval('a.site-header__title', (a) => a.href), /^file:.*\/index\.html$/);
    assert.match(await page.$eval('form.search-form--header', (f) => f.action), /^file:.*\/search\/index\.html$/);
  }
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.goBack()]);
  await page.waitForFunction(() => document.querySelectorAll('#search-results li.search-result').length > 0);
  assert.equal(await page.$eval('#search-q', (i) => i.value), 'dementia');
  assert.equal(await page.$eval('#search-controls input[id^="facet-region-"]:checked + label', (l) => l.textContent.replace(/ \(\d+\)$/, '')), regionLabel);

  // An outcome range with words: survey agreement of at least 80 per cent, staff pages.
  await page.goto(searchUrl.replace(/\?.*$/, '') + '?q=staff&metric=share%3Asurvey-agreement&min=80', { waitUntil: 'load' });
  await page.waitForFunction(() => /results? for “staff”/.test(document.getElementById('search-status').textContent));
  assert.equal(await page.$eval('#search-metric', (s) => s.value), 'share:survey-agreement');
  assert.equal(await page.$eval('#search-min', (i) => i.value), '80');
  const ranged = await resultCount(page);
  assert.ok(ranged > 0, 'some staff pages have survey agreement of 80% or more');
  await page.$eval('#search-min', (i) => { i.value = '99.9'; });
  await page.$eval('#search-min', (i) => i.dispatchEvent(new Event('change', { bubbles: true })));
  await page.waitForFunction(() => /min=99.9/.test(location.search));
  await page.waitForFunction((before) => document.querySelectorAll('#search-results li.search-result').length < before, {}, ranged);
  await page.goBack();
  await page.waitForFunction(() => document.getElementById('search-min').value === '80');

  // A quoted phrase that stands past the text the result cards carry (tests/browser/client/
  // fixture.test.mjs counts its pages): its word positions are fetched for it.
  await page.goto(searchUrl.replace(/\?.*$/, '') + '?q=%22agree+what+good+looks+like%22', { waitUntil: 'load' });
  await page.waitForFunction(() => /^\d+ results for “"agree what good looks like"”/.test(document.getElementById('search-status').textContent));
  assert.ok(await resultCount(page) >= 3);
  if (server) assert.ok(server.requests.some((r) => r.path.startsWith('/search/pos/') && r.status === 200), 'positions fetched');

  await organisationJourney(page, searchUrl.replace(/\?.*$/, ''), { server });
}

const orgLabels = (page) => page.$$eval('#search-controls input[id^="facet-organisation-"] + label', (ls) => ls.map((l) => l.textContent));
const fetchedOrganisations = (server) => server.requests.filter((r) => r.path.startsWith('/search/f/organisation.')).length;

/** The organisation filter: not loaded until opened (by keyboard), top 10 by count, “Show
    more”, found by name, chosen with Space; the URL, the results and Back follow. */
async function organisationJourney(page, searchUrl, { server }) {
  await page.goto(searchUrl + '?q=care', { waitUntil: 'load' });
  await page.waitForFunction(() => /results? for “care”/.test(document.getElementById('search-status').textContent)
    && document.querySelector('#search-controls input[id^="facet-region-"]'));
  const all = await resultTotal(page);
  const open = await page.waitForSelector('#open-organisation');
  assert.equal(await page.$eval('#open-organisation', (b) => b.closest('fieldset').querySelector('legend').textContent), 'Organisation');
  assert.equal(await page.$$eval('#search-controls input[id^="facet-organisation-"]', (l) => l.length), 0);
  if (server) assert.equal(fetchedOrganisations(server), 0, 'the organisation filter is not loaded before it is opened');

  await open.focus();
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.activeElement && document.activeElement.id === 'find-organisation');
  if (server) assert.equal(fetchedOrganisations(server), 1);
  assert.equal(await page.$eval('label[for="find-organisation"]', (l) => l.textContent), 'Find organisation');
  const top = await orgLabels(page);
  assert.equal(top.length, 10, top.join(' | '));
  const counts = top.map((l) => Number(l.match(/\((\d+)\)$/)[1]));
  assert.deepEqual(counts, [...counts].sort((x, y) => y - x), 'most results first');
  const note = '#search-controls fieldset:has(#find-organisation) [role="status"]';
  assert.match(await page.$eval(note, (p) => p.textContent), /^Showing 10 of \d+$/);

  // Show more: ten more, and focus on the first of them.
  await page.$eval('#search-controls fieldset:has(#find-organisation) .search-facet__more', (b) => b.focus());
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelectorAll('#search-controls input[id^="facet-organisation-"]').length > 10);
  const shownNow = await orgLabels(page);
  assert.equal(await page.evaluate(() => document.activeElement.nextElementSibling && document.activeElement.nextElementSibling.textContent), shownNow[10]);

  // Type to find, Tab to the first match, Space to choose it.
  await page.focus('#find-organisation');
  await page.keyboard.type('devon', { delay: 20 });
  await page.waitForFunction(() => {
    const ls = [...document.querySelectorAll('#search-controls input[id^="facet-organisation-"] + label')];
    return ls.length > 0 && ls.every((l) => /devon/i.test(l.textContent));
  });
  assert.match(await page.$eval(note, (p) => p.textContent), /^Showing (\d+) of \1$/);
  await page.keyboard.press('Tab');
  const chosen = await page.evaluate(() => ({ id: document.activeElement.id, key: document.activeElement.value, label: document.activeElement.nextElementSibling.textContent }));
  assert.match(chosen.id, /^facet-organisation-/);
  const expected = Number(chosen.label.match(/\((\d+)\)$/)[1]);
  await page.keyboard.press('Space');
  await page.waitForFunction((key) => new URLSearchParams(location.search).getAll('organisation').includes(key), {}, chosen.key);
  await page.waitForFunction((k) => document.querySelectorAll('#search-results li.search-result').length === Math.min(k, 10)
    && window.CasebookSearch.page.current().total === k, {}, expected);
  assert.equal(await page.evaluate(() => document.activeElement.id), chosen.id, 'focus stays on the box');
  assert.equal(await page.$eval(`#${chosen.id}`, (b) => b.checked), true);
  assert.equal(await page.$eval('#find-organisation', (i) => i.value), 'devon', 'what was typed stays');
  const inOrg = await page.evaluate(async (key) => {
    const f = await window.CasebookSearch.page.engine.facet('organisation');
    const ids = f.values.find((v) => v.key === key).ids;
    return window.CasebookSearch.page.current().docs.every((d) => ids.includes(d));
  }, chosen.key);
  assert.ok(inOrg, 'every result is a page of the organisation');

  // Back and forward, as for the other filters.
  await page.goBack();
  await page.waitForFunction(() => !/organisation=/.test(location.search));
  await page.waitForFunction((n) => window.CasebookSearch.page.current().total === n, {}, all);
  await page.waitForFunction((id) => { const b = document.getElementById(id); return !b || !b.checked; }, {}, chosen.id);
  await page.goForward();
  await page.waitForFunction((id) => { const b = document.getElementById(id); return b && b.checked; }, {}, chosen.id);
  assert.equal(await resultTotal(page), expected);

  // A link with the organisation in it opens with the filter loaded and the value chosen.
  await page.goto(`${searchUrl}?organisation=${chosen.key}`, { waitUntil: 'load' });
  await page.waitForFunction((id) => { const b = document.getElementById(id); return b && b.checked; }, {}, chosen.id);
  assert.ok(await resultTotal(page) >= expected);
}

const resultTotal = (page) => page.evaluate(() => window.CasebookSearch.page.current().total);

test('search over http://127.0.0.1 with a strict CSP, and over file://', { timeout: 600_000 }, async (t) => {
  if (!browserTestsCanRun(t, { axe: true })) return;
  const tmp = await tempDir('casebook-search-');
  t.after(() => tmp.cleanup());
  const httpOut = path.join(tmp.dir, 'http');
  const server = await serveDir(httpOut);
  t.after(() => server.close());
  await buildSite({ root: FIXTURE, output: httpOut, baseUrl: server.url });
  const fileOut = path.join(tmp.dir, 'file');
  await buildSite({ root: FIXTURE, output: fileOut });
  const browser = await launchBrowser();
  t.after(() => browser.close());

  await t.test('http://127.0.0.1: type, filter, range, follow a result, go back (strict CSP)', async () => {
    const page = await newTrackedPage(browser, { origin: server.url.replace(/\/$/, ''), bypassCSP: false });
    const violations = [];
    page.on('console', (m) => { if (/Content Security Policy|Refused to/.test(m.text())) violations.push(m.text()); });
    await withStrictCsp(page);
    try {
      await journey(t, page, new URL('search/', server.url).href, { isFile: false, server });
      assert.deepEqual(violations, []);
      assert.deepEqual(page.problems, []);
      const shards = server.requests.filter((r) => r.path.startsWith('/search/') && r.path.endsWith('.js'));
      assert.ok(shards.length > 0 && shards.every((r) => r.status === 200));
    } finally {
      await page.close();
    }
  });

  await t.test('file://: the same journey', async () => {
    const page = await newTrackedPage(browser);
    try {
      await journey(t, page, pathToFileURL(path.join(fileOut, 'search/index.html')).href, { isFile: true });
      // Every link is relative: stylesheets and scripts all load from a folder.
      assert.deepEqual(page.problems, []);
    } finally {
      await page.close();
    }
  });

  await t.test('on a phone (375 × 812) the filters fold behind a counting button and the first result shows', async () => {
    const page = await newTrackedPage(browser, { origin: server.url.replace(/\/$/, '') });
    try {
      await page.setViewport({ width: 375, height: 812, deviceScaleFactor: 1 });
      await page.goto(new URL('search/?q=care', server.url).href, { waitUntil: 'load' });
      await page.waitForFunction(() => document.querySelector('#search-results li.search-result h2')
        && document.querySelector('#search-controls input[id^="facet-region-"]'));
      const title = await page.$eval('#search-results li.search-result h2', (h) => {
        const r = h.getBoundingClientRect();
        return { top: r.top + scrollY, bottom: r.bottom + scrollY };
      });
      assert.ok(title.bottom <= 812, `the first result's title spans y = ${title.top}–${title.bottom}px; it must end within 812px`);
      const toggle = () => page.$eval('#search-toggle', (b) => ({
        shown: b.offsetParent !== null, expanded: b.getAttribute('aria-expanded'), text: b.textContent.trim(),
        filters: document.getElementById('search-controls').offsetParent !== null,
      }));
      assert.deepEqual(await toggle(), { shown: true, expanded: 'false', text: 'Filters (0 chosen)', filters: false });
      await page.click('#search-toggle');
      assert.deepEqual(await toggle(), { shown: true, expanded: 'true', text: 'Filters (0 chosen)', filters: true });
      await page.click('#search-controls input[id^="facet-region-"]');
      await page.waitForFunction(() => /[?&]region=/.test(location.search));
      await page.waitForFunction(() => document.getElementById('search-toggle').textContent.trim() === 'Filters (1 chosen)');
      await page.focus('#search-toggle');
      await page.keyboard.press('Enter');
      assert.deepEqual(await toggle(), { shown: true, expanded: 'false', text: 'Filters (1 chosen)', filters: false });
      const widths = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
      assert.ok(widths[0] <= widths[1], `the page is ${widths[0]}px wide in a ${widths[1]}px viewport`);
      assert.deepEqual(page.problems, []);
    } finally {
      await page.close();
    }
  });

  await t.test('at 1280 px the filters sit beside the results, with no band above the first result', async () => {
    const page = await newTrackedPage(browser, { origin: server.url.replace(/\/$/, '') });
    try {
      await page.setViewport({ width: 1280, height: 800, deviceScaleFactor: 1 });
      await page.goto(new URL('search/?q=care&region=london', server.url).href, { waitUntil: 'load' });
      await page.waitForFunction(() => document.querySelector('#search-results li.search-result')
        && document.querySelector('#search-controls fieldset.search-facet'));
      const m = await page.evaluate(() => {
        const status = document.getElementById('search-status').getBoundingClientRect();
        const first = document.querySelector('#search-results li.search-result').getBoundingClientRect();
        const controls = document.getElementById('search-controls').getBoundingClientRect();
        return {
          gap: first.top - status.bottom,
          beside: controls.right <= first.left,
          toggle: document.getElementById('search-toggle').offsetParent !== null,
        };
      });
      assert.ok(m.gap >= 0 && m.gap <= 32, `${m.gap}px between the status line and the first result`);
      assert.ok(m.beside, 'the filters are to the left of the results');
      assert.equal(m.toggle, false, 'no Filters button at desk width');
    } finally {
      await page.close();
    }
  });

  await t.test('axe-core passes on /search/ with results and filters shown', async () => {
    const page = await newTrackedPage(browser, { origin: server.url.replace(/\/$/, '') });
    try {
      await page.goto(new URL('search/?q=falls&type=case-study', server.url).href, { waitUntil: 'load' });
      await page.waitForFunction(() => document.querySelectorAll('#search-results li.search-result').length > 0
        && document.querySelectorAll('#search-controls fieldset.search-facet').length > 0);
      const violations = await runAxe(page);
      await fs.mkdir(SCREENSHOT_DIR, { recursive: true });
      await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'search-1280.png'), fullPage: true });
      assert.deepEqual(violations, [], formatViolations(violations));
      // The organisation filter open, with a name typed and more values shown.
      await page.click('#open-organisation');
      await page.waitForFunction(() => document.activeElement && document.activeElement.id === 'find-organisation');
      await page.keyboard.type('council');
      await page.waitForFunction(() => /^Showing/.test(document.querySelector('#search-controls fieldset:has(#find-organisation) [role="status"]').textContent));
      const open = await runAxe(page);
      await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'search-organisation-1280.png'), fullPage: true });
      assert.deepEqual(open, [], formatViolations(open));
    } finally {
      await page.close();
    }
  });
});

const RATINGS_FIXTURE = path.join(REPO_ROOT, 'tests/fixtures/ratings');

test('a published filter link: /search/?rating=good lists its pages with their headline figures', { timeout: 300_000 }, async (t) => {
  if (!browserTestsCanRun(t)) return;
  const tmp = await tempDir('casebook-ratings-');
  t.after(() => tmp.cleanup());
  const out = path.join(tmp.dir, 'site');
  const server = await serveDir(out);
  t.after(() => server.close());
  await buildSite({ root: RATINGS_FIXTURE, output: out, baseUrl: server.url });
  const browser = await launchBrowser();
  t.after(() => browser.close());
  const page = await newTrackedPage(browser, { origin: server.url.replace(/\/$/, '') });
  try {
    await ratingJourney(page, server);
  } finally {
    await page.close();
  }
});

async function ratingJourney(page, server) {
  const status = () => page.$eval('#search-status', (e) => e.textContent);
  const titles = () => page.$$eval('#search-results li.search-result h2', (hs) => hs.map((h) => h.textContent));

  // No words, one filter: every page that ends at Good or better, newest first (the answer of
  // tests/fixtures/ratings/FIXTURE.md).
  await page.goto(new URL('search/?rating=good', server.url).href, { waitUntil: 'load' });
  await page.waitForFunction(() => /rated Good or better/.test(document.getElementById('search-status').textContent));
  assert.equal(await status(), '6 results rated Good or better.');
  assert.deepEqual(await titles(), [
    'From Requires improvement to Good at Ashdown House',
    'Birchwood Lodge rated Outstanding',
    'Care homes across the district',
    'Well-led in the East',
    'A new home rated Good for safety',
    'Homes rated Good in the South West',
  ]);
  const headlines = await page.$$eval('#search-results li.search-result', (lis) => lis.map((li) => {
    const h = li.querySelector('.search-result__headline');
    return h && h.textContent;
  }));
  assert.equal(headlines[2], '56 of 60 homes rated Good (93.3%)');
  assert.equal(headlines[1], 'Birchwood Lodge went from Good to Outstanding');
  // The filter shows it is chosen, its values best first, each with its count.
  await page.waitForSelector('#facet-rating-good');
  assert.equal(await page.$eval('#facet-rating-good', (b) => b.checked), true);
  const legend = await page.$eval('#facet-rating-good', (b) => b.closest('fieldset').querySelector('legend').textContent);
  assert.equal(legend, 'CQC rating after');
  assert.deepEqual(await page.$$eval('#search-controls input[id^="facet-rating-"] + label', (ls) => ls.map((l) => l.textContent)), [
    'Outstanding (1)', 'Good or better (6)', 'Requires improvement or better (9)', 'Inadequate or better (9)',
  ]);

  // Narrowed by region, from the region filter itself: the address follows.
  await page.$eval('#facet-region-north-west', (b) => b.focus());
  await page.keyboard.press('Space');
  await page.waitForFunction(() => /[?&]region=north-west/.test(location.search) && /rating=good/.test(location.search));
  await page.waitForFunction(() => document.getElementById('search-status').textContent === '4 results in North West, rated Good or better.');
  assert.equal((await titles()).length, 4);
  assert.deepEqual(page.problems, []);

  // Lists show the same headline line on their cards.
  await page.goto(new URL('case-studies/', server.url).href, { waitUntil: 'load' });
  const cards = await page.$$eval('.card', (cs) => cs.map((c) => [c.querySelector('.card__title').textContent.trim(), (c.querySelector('.card__headline') || {}).textContent]));
  assert.deepEqual(cards.find(([title]) => title === 'Fewer falls at Fernlea'), ['Fewer falls at Fernlea', '1 home']);
  assert.deepEqual(cards.find(([title]) => title === 'Care homes across the district'), ['Care homes across the district', '56 of 60 homes rated Good (93.3%)']);
}
