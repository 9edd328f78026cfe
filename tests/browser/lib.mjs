// Shared helpers for casebook's real-browser tests (accessibility, search, live reload).
//
// Everything here runs against the debug binary (target/debug/casebook, built by
// `cargo test`), Debian's Chromium (/usr/bin/chromium) driven by puppeteer-core, and a tiny
// static server on 127.0.0.1. When a prerequisite is missing, tests skip with a clear message,
// unless CASEBOOK_REQUIRE_BROWSER=1 (set by .ci/run), in which case they fail.

import { spawn } from 'node:child_process';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import fs from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export const HERE = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(HERE, '..', '..');
export const SCREENSHOT_DIR = path.join(HERE, 'screenshots');

const targetDir = process.env.CARGO_TARGET_DIR
  ? path.resolve(REPO_ROOT, process.env.CARGO_TARGET_DIR)
  : path.join(REPO_ROOT, 'target');
export const CASEBOOK_BIN = process.env.CASEBOOK_BIN || path.join(targetDir, 'debug', 'casebook');
export const CHROMIUM = process.env.CASEBOOK_CHROMIUM || '/usr/bin/chromium';
export const REQUIRE_BROWSER = process.env.CASEBOOK_REQUIRE_BROWSER === '1';

/** Flags Chromium needs here: running as root, no GPU, and a closed network. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

function resolvable(name) {
  try {
    require.resolve(name);
    return true;
  } catch {
    return false;
  }
}

/**
 * What is missing for browser tests to run, as a list of human sentences (empty when all is
 * there). `needs` can drop the casebook binary for tests that do not build a site.
 */
export function missingPrerequisites({ binary = true, axe = false } = {}) {
  const missing = [];
  if (!existsSync(CHROMIUM)) {
    missing.push(`no Chromium at ${CHROMIUM} (install it with: apt-get install -y chromium)`);
  }
  if (!resolvable('puppeteer-core')) {
    missing.push(`puppeteer-core is not installed (run: npm ci --prefix ${path.relative(process.cwd(), HERE) || '.'})`);
  }
  if (axe && !resolvable('axe-core')) {
    missing.push(`axe-core is not installed (run: npm ci --prefix ${path.relative(process.cwd(), HERE) || '.'})`);
  }
  if (binary && !existsSync(CASEBOOK_BIN)) {
    missing.push(`no casebook binary at ${CASEBOOK_BIN} (run: cargo build)`);
  }
  return missing;
}

/**
 * Skip the test `t` when a prerequisite is missing, or fail it when CASEBOOK_REQUIRE_BROWSER=1.
 * Returns true when the test may go on.
 */
export function browserTestsCanRun(t, opts) {
  const missing = missingPrerequisites(opts);
  if (missing.length === 0) return true;
  const why = `browser test cannot run: ${missing.join('; ')}`;
  if (REQUIRE_BROWSER) {
    throw new Error(`${why}. CASEBOOK_REQUIRE_BROWSER=1 requires browser tests to run.`);
  }
  t.skip(`${why} (set CASEBOOK_REQUIRE_BROWSER=1 to make this a failure)`);
  return false;
}

/** A fresh temporary folder, removed by the returned `cleanup` unless CASEBOOK_KEEP_OUTPUT=1. */
export async function tempDir(prefix = 'casebook-browser-') {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
  return {
    dir,
    async cleanup() {
      if (process.env.CASEBOOK_KEEP_OUTPUT === '1') {
        console.log(`# kept ${dir}`);
        return;
      }
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}

/** Run the casebook binary; resolves to { code, stdout, stderr }. */
export function runCasebook(args, { cwd = REPO_ROOT, timeoutMs = 300_000, env = {} } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(CASEBOOK_BIN, args, {
      cwd,
      env: { ...process.env, NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`casebook ${args.join(' ')} took longer than ${timeoutMs} ms`));
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? 128, signal, stdout, stderr });
    });
  });
}

/**
 * `casebook build --root ROOT --output OUTPUT [--base-url URL] [--drafts] --quiet`; throws with
 * the command's output when it does not exit 0. Resolves to OUTPUT.
 */
export async function buildSite({ root = REPO_ROOT, output, baseUrl, drafts = false } = {}) {
  if (!output) throw new Error('buildSite: output is required');
  const args = ['build', '--root', root, '--output', output, '--quiet'];
  if (baseUrl) args.push('--base-url', baseUrl);
  if (drafts) args.push('--drafts');
  const r = await runCasebook(args);
  if (r.code !== 0) {
    throw new Error(
      `\`${CASEBOOK_BIN} ${args.join(' ')}\` exited ${r.code}${r.signal ? ` (${r.signal})` : ''}\n` +
        `--- stdout ---\n${r.stdout}\n--- stderr ---\n${r.stderr}`,
    );
  }
  if (!existsSync(path.join(output, 'index.html'))) {
    throw new Error(`casebook build exited 0 but wrote no ${path.join(output, 'index.html')}`);
  }
  return output;
}

const CONTENT_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.pdf': 'application/pdf',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.webmanifest': 'application/manifest+json',
};

function isInside(root, p) {
  return p === root || p.startsWith(root + path.sep);
}

/**
 * Serve the files of `dir` (which need not exist yet) on 127.0.0.1 at an ephemeral port, as a
 * static host would: only files inside `dir`, `index.html` for folders, a redirect from
 * `/folder` to `/folder/`, and `/404.html` with status 404 for anything missing.
 * Resolves to { url, port, close(), requests } where `url` ends with '/' and `requests` logs
 * every { method, path, status }.
 */
export async function serveDir(dir) {
  const root = path.resolve(dir);
  const requests = [];

  async function resolveFile(urlPath) {
    // The real root may change under us (casebook replaces its output folder with renames).
    let realRoot;
    try {
      realRoot = await fs.realpath(root);
    } catch {
      return null;
    }
    const target = path.resolve(realRoot, '.' + path.posix.normalize('/' + urlPath));
    if (!isInside(realRoot, target)) return null;
    let real;
    try {
      real = await fs.realpath(target);
    } catch {
      return null;
    }
    if (!isInside(realRoot, real)) return null; // a symlink out of the folder
    const st = await fs.stat(real);
    if (st.isDirectory()) {
      if (!urlPath.endsWith('/')) return { redirect: urlPath + '/' };
      const index = path.join(real, 'index.html');
      try {
        const realIndex = await fs.realpath(index);
        if (isInside(realRoot, realIndex) && (await fs.stat(realIndex)).isFile()) return { file: realIndex };
      } catch {
        return null;
      }
      return null;
    }
    return st.isFile() ? { file: real } : null;
  }

  const server = http.createServer(async (req, res) => {
    const log = { method: req.method, path: req.url, status: 0 };
    requests.push(log);
    const send = (status, headers, body) => {
      log.status = status;
      res.writeHead(status, headers);
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        return send(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }, 'method not allowed\n');
      }
      let urlPath;
      try {
        urlPath = decodeURIComponent(new URL(req.url, 'http://127.0.0.1').pathname);
      } catch {
        return send(400, { 'content-type': 'text/plain' }, 'bad request\n');
      }
      if (urlPath.includes('\0')) return send(400, { 'content-type': 'text/plain' }, 'bad request\n');
      const found = await resolveFile(urlPath);
      if (found?.redirect) {
        const q = new URL(req.url, 'http://127.0.0.1').search;
        return send(301, { location: encodeURI(found.redirect) + q, 'content-type': 'text/plain' }, 'moved\n');
      }
      if (found?.file) {
        const body = await fs.readFile(found.file);
        const type = CONTENT_TYPES[path.extname(found.file).toLowerCase()] || 'application/octet-stream';
        return send(200, { 'content-type': type, 'content-length': body.length, 'cache-control': 'no-store' }, body);
      }
      const notFound = await resolveFile('/404.html');
      if (notFound?.file) {
        const body = await fs.readFile(notFound.file);
        return send(404, { 'content-type': CONTENT_TYPES['.html'], 'content-length': body.length }, body);
      }
      return send(404, { 'content-type': 'text/plain' }, 'not found\n');
    } catch (err) {
      return send(500, { 'content-type': 'text/plain' }, `server error: ${err.message}\n`);
    }
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

/**
 * Launch Debian's Chromium headless through puppeteer-core with a fresh profile. The returned
 * browser's close() also removes the profile folder.
 */
export async function launchBrowser({ extraArgs = [] } = {}) {
  const { default: puppeteer } = await import('puppeteer-core');
  const profile = await tempDir('casebook-chromium-profile-');
  let browser;
  try {
    browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      userDataDir: profile.dir,
      args: [...CHROMIUM_ARGS, ...extraArgs],
      defaultViewport: { width: 1280, height: 800, deviceScaleFactor: 1 },
      timeout: 60_000,
      protocolTimeout: 120_000,
    });
  } catch (err) {
    await profile.cleanup();
    throw new Error(`could not start ${CHROMIUM}: ${err.message}`);
  }
  const close = browser.close.bind(browser);
  browser.close = async () => {
    try {
      await close();
    } finally {
      await fs.rm(profile.dir, { recursive: true, force: true });
    }
  };
  return browser;
}

/**
 * Build the site at `root` into a fresh temporary folder, serve it on loopback with absolute
 * URLs pointing at the server, and resolve to { outDir, url, server, close() }.
 */
export async function buildAndServe({ root = REPO_ROOT, drafts = false } = {}) {
  const tmp = await tempDir();
  const outDir = path.join(tmp.dir, 'public');
  let server;
  try {
    server = await serveDir(outDir);
    await buildSite({ root, output: outDir, baseUrl: server.url, drafts });
  } catch (err) {
    await server?.close();
    await tmp.cleanup();
    throw err;
  }
  return {
    outDir,
    url: server.url,
    server,
    async close() {
      await server.close();
      await tmp.cleanup();
    },
  };
}

/** Every page of a built site as a URL path: '/', '/case-studies/', '/404.html', … (sorted). */
export async function listSitePages(outDir) {
  const out = [];
  async function walk(dir, prefix) {
    const entries = await fs.readdir(dir, { withFileTypes: true });
    for (const e of entries) {
      if (e.isDirectory()) {
        await walk(path.join(dir, e.name), `${prefix}${e.name}/`);
      } else if (e.isFile() && e.name.endsWith('.html')) {
        out.push(e.name === 'index.html' ? prefix : prefix + e.name);
      }
    }
  }
  await walk(outDir, '/');
  return out.sort();
}

/** The URL paths listed in OUTPUT/sitemap.xml (empty when there is none). */
export async function sitemapPaths(outDir) {
  let xml;
  try {
    xml = await fs.readFile(path.join(outDir, 'sitemap.xml'), 'utf8');
  } catch {
    return [];
  }
  const decode = (s) =>
    s
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&apos;/g, "'")
      .replace(/&amp;/g, '&');
  const paths = [];
  for (const m of xml.matchAll(/<loc>\s*([^<]+?)\s*<\/loc>/g)) {
    try {
      paths.push(new URL(decode(m[1]), 'http://sitemap.invalid/').pathname);
    } catch {
      // not a URL: ignore
    }
  }
  return paths;
}

/** Sections whose `/<section>/<slug>/` pages are one page type each. */
export const SINGLE_PAGE_SECTIONS = {
  'case-studies': 'case study',
  programmes: 'programme',
  modules: 'module',
  cohorts: 'cohort',
  organisations: 'organisation',
  data: 'dataset',
  topics: 'topic term',
  regions: 'region term',
  settings: 'setting term',
  'key-questions': 'key-question term',
};

/** Page types with one fixed URL. */
export const FIXED_PAGES = {
  home: '/',
  'case-study list': '/case-studies/',
  'topics index': '/topics/',
  outcomes: '/outcomes/',
  search: '/search/',
  '404': '/404.html',
  // A general page (content/pages/): the example's accessibility statement.
  page: '/accessibility/',
};

/** Slugs of the bundled example, preferred when present (any other slug of the type will do). */
export const EXAMPLE_SLUGS = {
  'case-studies': ['southampton-care-home-manager-leadership-programme', 'stockton-leadership-and-peer-support-network'],
  programmes: ['well-led-stockton-on-tees'],
  modules: ['well-led-managing-self'],
  cohorts: ['well-led-cohort-1'],
  organisations: ['stockton-on-tees-borough-council'],
  data: ['well-led-overall-ratings'],
};

/**
 * One URL path for every page type, discovered from the output folder and the sitemap.
 * Resolves to { found: Map<type, path>, missing: [type] } in a stable order.
 */
export async function pageTypeUrls(outDir) {
  const known = new Set([...(await listSitePages(outDir)), ...(await sitemapPaths(outDir))]);
  const found = new Map();
  const missing = [];
  const order = [
    'home',
    'case-study list',
    ...Object.entries(SINGLE_PAGE_SECTIONS).flatMap(([section, type]) =>
      section === 'topics' ? [type, 'topics index'] : [type],
    ),
    'outcomes',
    'search',
    'page',
    '404',
  ];
  for (const type of order) {
    const fixed = FIXED_PAGES[type];
    if (fixed) {
      if (known.has(fixed)) found.set(type, fixed);
      else missing.push(type);
      continue;
    }
    const section = Object.keys(SINGLE_PAGE_SECTIONS).find((s) => SINGLE_PAGE_SECTIONS[s] === type);
    const candidates = [...known]
      .filter((p) => {
        const parts = p.split('/').filter(Boolean);
        return p.endsWith('/') && parts.length === 2 && parts[0] === section && parts[1] !== 'page';
      })
      .sort();
    const preferred = (EXAMPLE_SLUGS[section] || []).map((s) => `/${section}/${s}/`).find((p) => known.has(p));
    const chosen = preferred || candidates[0];
    if (chosen) found.set(type, chosen);
    else missing.push(type);
  }
  return { found, missing };
}

let axeSource;
/** The axe-core script, read once from node_modules. */
export function axeScript() {
  axeSource ??= readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  return axeSource;
}

export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

/** Inject axe-core into the loaded page and run it; resolves to a compact list of violations. */
export async function runAxe(page, { tags = WCAG_TAGS } = {}) {
  const hasAxe = await page.evaluate(() => typeof window.axe !== 'undefined');
  if (!hasAxe) await page.addScriptTag({ content: axeScript() });
  return page.evaluate(async (values) => {
    const r = await window.axe.run(document, {
      runOnly: { type: 'tag', values },
      resultTypes: ['violations'],
    });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      helpUrl: v.helpUrl,
      nodes: v.nodes.map((n) => ({
        target: n.target.map((x) => (Array.isArray(x) ? x.join(' >>> ') : x)).join(' '),
        html: n.html.length > 200 ? n.html.slice(0, 200) + '…' : n.html,
        summary: n.failureSummary,
      })),
    }));
  }, tags);
}

/** axe violations as readable text: one block per rule, every failing node's target listed. */
export function formatViolations(violations) {
  return violations
    .map((v) => {
      const nodes = v.nodes
        .map((n) => `    - ${n.target}\n      ${n.html}\n      ${(n.summary || '').replace(/\n/g, '\n      ')}`)
        .join('\n');
      return `  [${v.impact}] ${v.id}: ${v.help} (${v.helpUrl})\n${nodes}`;
    })
    .join('\n');
}

/**
 * A new page that records what went wrong while it loaded: uncaught script errors, console
 * errors, failed requests and same-origin responses with status >= 400.
 */
export async function newTrackedPage(browser, { origin, bypassCSP = true } = {}) {
  const page = await browser.newPage();
  if (bypassCSP) await page.setBypassCSP(true); // so that axe can be injected under a strict CSP
  const problems = [];
  page.on('pageerror', (err) => problems.push(`script error: ${err.message}`));
  page.on('console', (msg) => {
    // Failed loads are reported once, below, with their URL.
    if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) {
      problems.push(`console error: ${msg.text()}`);
    }
  });
  page.on('requestfailed', (req) => {
    const reason = req.failure()?.errorText || 'failed';
    if (reason !== 'net::ERR_ABORTED') problems.push(`request failed: ${req.url()} (${reason})`);
  });
  page.on('response', (res) => {
    const url = res.url();
    if (res.status() >= 400 && (!origin || url.startsWith(origin)) && res.request().resourceType() !== 'document') {
      problems.push(`HTTP ${res.status()}: ${url}`);
    }
  });
  page.problems = problems;
  return page;
}

/** Go to `url` and wait until the network is quiet; throws on a navigation that is not 2xx. */
export async function visit(page, url, { expectStatus } = {}) {
  const res = await page.goto(url, { waitUntil: ['load', 'networkidle0'], timeout: 60_000 });
  if (!res) throw new Error(`no response for ${url}`);
  if (expectStatus !== undefined ? res.status() !== expectStatus : !res.ok()) {
    throw new Error(`${url} answered HTTP ${res.status()}`);
  }
  return res;
}
