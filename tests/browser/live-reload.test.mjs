// Live reload in a real browser: `casebook serve` on a copy of the bundled example, a case
// study open in headless Chromium; editing the file updates the open page by itself (keeping
// the scroll position), a broken file shows the error overlay at once, and fixing it takes
// the overlay away.
//
//   node --test tests/browser/            # skips when Chromium or node_modules is missing
//   CASEBOOK_REQUIRE_BROWSER=1 node --test tests/browser/   # fails instead (CI)

import test from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';

import {
  CASEBOOK_BIN,
  REPO_ROOT,
  browserTestsCanRun,
  launchBrowser,
  newTrackedPage,
  tempDir,
} from './lib.mjs';

const CASE_FILE = 'content/case-studies/stockton-leadership-and-peer-support-network.md';
const CASE_URL = '/case-studies/stockton-leadership-and-peer-support-network/';

/** Start `casebook serve --port 0` on `root`; resolves to { url, stop(), log() }. */
async function startServer(root) {
  const child = spawn(CASEBOOK_BIN, ['serve', '--root', root, '--port', '0'], {
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`casebook serve printed no address in 30 s:\n${stderr}`)), 30_000);
    child.stderr.on('data', (data) => {
      stderr += data;
      const match = stderr.match(/serving (http:\/\/\S+\/)/);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`casebook serve exited with ${code}:\n${stderr}`));
    });
  });
  return {
    url,
    log: () => stderr,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGINT');
      }),
  };
}

test('an open page updates by itself when its file changes, and shows errors in an overlay', { timeout: 180_000 }, async (t) => {
  if (!browserTestsCanRun(t)) return;

  const tmp = await tempDir('casebook-live-reload-');
  t.after(() => tmp.cleanup());
  const root = path.join(tmp.dir, 'site');
  for (const folder of ['content', 'static']) {
    const from = path.join(REPO_ROOT, folder);
    if (await fs.stat(from).then((s) => s.isDirectory(), () => false)) {
      await fs.cp(from, path.join(root, folder), { recursive: true });
    }
  }
  const server = await startServer(root);
  t.after(() => server.stop());
  const browser = await launchBrowser();
  t.after(() => browser.close());

  const page = await newTrackedPage(browser, { origin: server.url.replace(/\/$/, ''), bypassCSP: false });
  // Not lib.mjs's visit(): the event stream keeps the network busy, so wait for `load` only.
  const response = await page.goto(new URL(CASE_URL, server.url).href, { waitUntil: 'load', timeout: 60_000 });
  assert.equal(response?.status(), 200);
  await page.waitForFunction(() => window.casebookLiveReload?.source.readyState === 1, { timeout: 10_000 });
  await page.evaluate(() => window.scrollTo(0, 600));
  const scrolled = await page.evaluate(() => window.scrollY);
  assert.ok(scrolled > 0, 'the case study is long enough to scroll');

  const file = path.join(root, CASE_FILE);
  const good = await fs.readFile(file, 'utf8');

  await t.test('an edit reaches the open page without touching the browser', async () => {
    await fs.writeFile(file, `${good.trimEnd()}\n\nA sentence written while the page was open.\n`);
    await page.waitForFunction(
      () => document.body.textContent.includes('A sentence written while the page was open.'),
      { timeout: 20_000 },
    );
    await page.waitForFunction(() => document.readyState === 'complete');
    const after = await page.evaluate(() => window.scrollY);
    assert.ok(Math.abs(after - scrolled) < 50, `the scroll position is kept (${scrolled} → ${after})`);
  });

  await t.test('a broken file shows the overlay at once, over the last good page', async () => {
    await fs.writeFile(file, good.replace('published: 2025-01-20', 'published: 2025-02-31'));
    await page.waitForSelector('#casebook-overlay', { timeout: 20_000 });
    const text = await page.$eval('#casebook-overlay', (node) => node.textContent);
    assert.match(text, /E007/);
    assert.match(text, /stockton-leadership-and-peer-support-network\.md:8:12/);
    assert.match(text, /2025-02-31/);
    assert.ok(
      await page.evaluate(() => document.body.textContent.includes('A sentence written while the page was open.')),
      'the last good page stays',
    );
  });

  await t.test('a page opened while a file is broken draws the overlay as it loads', async () => {
    await page.reload({ waitUntil: 'load' });
    await page.waitForSelector('#casebook-overlay', { timeout: 5_000 });
    const text = await page.$eval('#casebook-overlay', (node) => node.textContent);
    assert.match(text, /stockton-leadership-and-peer-support-network\.md:8:12 E007/);
    assert.match(text, /hint: /);
    assert.equal(await page.$$eval('#casebook-overlay', (nodes) => nodes.length), 1, 'one overlay, not two');
  });

  await t.test('fixing the file takes the overlay away', async () => {
    await fs.writeFile(file, good);
    await page.waitForFunction(() => !document.getElementById('casebook-overlay'), { timeout: 20_000 });
    await page.waitForFunction(
      () => !document.body.textContent.includes('A sentence written while the page was open.'),
      { timeout: 20_000 },
    );
  });

  await t.test('no script errors or broken resources', () => {
    assert.deepEqual(page.problems, []);
  });
});
