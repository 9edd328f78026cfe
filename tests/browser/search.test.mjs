// Search end to end in headless Chromium, over http://127.0.0.1 (under a strict CSP) and over
// file://: type a query, filter by a facet with the keyboard, narrow by an outcome figure,
// follow a result and come back; axe-core on /search/ with results shown.
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

async function journey(t, page, searchUrl, { isFile }) {
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
  if (isFile) assert.match(page.url(), /^file:.*\/index\.html$/);
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
}

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
      await journey(t, page, new URL('search/', server.url).href, { isFile: false });
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
      // Stylesheets use site-absolute paths that file:// cannot resolve; scripts must all load.
      const scriptProblems = page.problems.filter((p) => /\.js\b|script error|console error/.test(p));
      assert.deepEqual(scriptProblems, []);
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
    } finally {
      await page.close();
    }
  });
});
