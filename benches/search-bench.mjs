// Measures casebook's search client and index on a built site, and Pagefind's on the same site
// when it was indexed into SITE/pagefind/; prints the search-design.md §5.4 table.
//
//   node benches/search-bench.mjs SITE N [casebook_build_s casebook_rss_kb pagefind_s pagefind_rss_kb]
//
// Bytes are gzip -9 sizes of every file a cold client fetched (what a server sends), requests
// are those files. casebook's client (SITE/js/search-core.js) runs in node with a counting
// script loader; Pagefind's runs in headless Chromium (WebAssembly, fetch) against a loopback
// server, and the files it fetched are counted the same way. Called by benches/search.sh.

import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import zlib from 'node:zlib';
import { createRequire } from 'node:module';

const [site, nArg, cbWall, cbRss, pfWall, pfRss] = process.argv.slice(2);
if (!site) {
  console.error('usage: node benches/search-bench.mjs SITE N [build_s rss_kb pagefind_s pagefind_rss_kb]');
  process.exit(2);
}
const require = createRequire(import.meta.url);
const S = require(path.resolve(site, 'js/search-core.js'));
const gzCache = new Map();
const gz = (file) => {
  if (!gzCache.has(file)) gzCache.set(file, zlib.gzipSync(fs.readFileSync(file), { level: 9 }).length);
  return gzCache.get(file);
};
const KB = (b) => (b / 1024).toFixed(1) + ' KB';
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN; };
const p95 = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.ceil(s.length * 0.95) - 1)]; };

const SINGLE = ['care', 'dementia', 'falls', 'staff', 'medicines', 'infection', 'discharge', 'leadership',
  'night', 'training', 'manager', 'hospital', 'families', 'wellbeing', 'recruitment', 'handover', 'hydration',
  'retention', 'paperless', 'hospice'];
// Quoted phrases: two common words, a topic, and a sentence of the corpus's lessons.
const PHRASES = ['"care home"', '"falls prevention"', '"agree what good looks like"'];
const COUNTED = ['type', 'region', 'setting', 'key_question', 'rating', 'improved', 'topic', 'programme'];
const clientFiles = ['js/search-core.js', 'js/search.js'].map((p) => path.join(site, p));
const clientBytes = clientFiles.reduce((t, f) => t + gz(f), 0);

function engine() {
  const stats = { requests: 0, gzip: 0 };
  const e = S.createEngine(async (p) => {
    const file = path.join(site, 'search', p);
    const src = fs.readFileSync(file, 'utf8');
    stats.requests++;
    stats.gzip += gz(file);
    vm.runInNewContext(src, { __CS_SHARD: e.register });
  });
  return { e, stats };
}

async function cold(q, opts = {}, cards = 10) {
  const { e, stats } = engine();
  const t0 = performance.now();
  const result = await e.search(q, opts);
  const items = await e.page(result, 0, cards);
  const ms = performance.now() - t0;
  return { e, result, items, ms, bytes: clientBytes + stats.gzip, requests: clientFiles.length + stats.requests };
}

// ---------------------------------------------------------------- casebook
const manifestBytes = gz(path.join(site, 'search/manifest.js'));
const manifest = (() => { let m; vm.runInNewContext(fs.readFileSync(path.join(site, 'search/manifest.js'), 'utf8'), { __CS_SHARD: (k, d) => (m = d) }); return m; })();
const cb = { single: [], evalMs: [] };
for (const q of SINGLE) {
  const r = await cold(q);
  cb.single.push({ q, bytes: r.bytes, requests: r.requests, total: r.result.total, titles: r.items.map((i) => i.card.t) });
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    await r.e.search(q, {});
    cb.evalMs.push(performance.now() - t0);
  }
}
const two = await cold('care home');
const facetRun = await (async () => {
  const { e, stats } = engine();
  await e.search('dementia', {});
  const before = stats.gzip;
  await e.search('dementia', { count: COUNTED });
  return stats.gzip - before;
})();
const typo = await cold('demntia', {}, 3);
const numericKey = manifest.numbers.find((f) => f.key === 'share:homes-rated-good-or-outstanding') ? 'share:homes-rated-good-or-outstanding' : manifest.numbers[0]?.key;
const combined = await cold('staff', { range: { key: numericKey, min: 80 }, filters: { type: ['case-study'] }, count: ['region'] });
for (const q of ['care home', 'dementia falls north east']) {
  const r = await cold(q);
  for (let i = 0; i < 5; i++) { const t0 = performance.now(); await r.e.search(q, {}); cb.evalMs.push(performance.now() - t0); }
}
// Phrases: bytes and requests cold, and evaluation with the data in memory (its own row: the
// positions make these queries heavier than T7's).
cb.phrases = [];
for (const q of PHRASES) {
  const r = await cold(q);
  const ms = [];
  for (let i = 0; i < 5; i++) { const t0 = performance.now(); await r.e.search(q, {}); ms.push(performance.now() - t0); }
  const words = await cold(q.replace(/"/g, ''));
  cb.phrases.push({ q, bytes: r.bytes, requests: r.requests, total: r.result.total, evalMs: median(ms), wordsBytes: words.bytes, wordsTotal: words.result.total });
}
const sizeOf = (sub) => {
  let total = 0;
  const walk = (d) => { for (const x of fs.readdirSync(d, { withFileTypes: true })) { const p = path.join(d, x.name); if (x.isDirectory()) walk(p); else total += gz(p); } };
  const dir = path.join(site, 'search', sub);
  if (fs.existsSync(dir)) walk(dir);
  return total;
};
const queryPath = sizeOf('v') + sizeOf('p') + sizeOf('f') + sizeOf('n');
const everything = queryPath + sizeOf('d') + manifestBytes;
const positionBytes = sizeOf('pos');
const pages = manifest.n;

// ---------------------------------------------------------------- Chromium: T6, and Pagefind
let pf = null, t6 = null;
const libPath = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../tests/browser/lib.mjs');
let lib = null;
try {
  lib = await import(libPath);
  if (lib.missingPrerequisites({ binary: false }).length) lib = null;
} catch { lib = null; }
if (lib) {
  const server = await lib.serveDir(site);
  const browser = await lib.launchBrowser();
  try {
    // T6: keystroke (input event) to the results announced, on the real /search/ page.
    const times = [];
    for (const q of ['dementia', 'falls', 'medicines', 'care home', 'demntia']) {
      const ctx = await browser.createBrowserContext();
      const page = await ctx.newPage();
      await page.goto(new URL('search/', server.url).href, { waitUntil: 'networkidle0' });
      times.push(await page.evaluate(async (q) => {
        const input = document.getElementById('search-q');
        const status = document.getElementById('search-status');
        const before = status.textContent;
        const t0 = performance.now();
        input.value = q;
        input.dispatchEvent(new Event('input', { bubbles: true }));
        await new Promise((resolve) => {
          const mo = new MutationObserver(() => { if (status.textContent !== before && document.querySelector('#search-results li')) { mo.disconnect(); resolve(); } });
          mo.observe(status, { childList: true, characterData: true, subtree: true });
        });
        return performance.now() - t0;
      }, q));
      await ctx.close();
    }
    t6 = { median: median(times), max: Math.max(...times) };

    if (fs.existsSync(path.join(site, 'pagefind/pagefind.js'))) {
      pf = { single: [], fixed: null };
      const measure = async (q, { cards = 10, facets = false } = {}) => {
        const ctx = await browser.createBrowserContext();
        const page = await ctx.newPage();
        await page.goto(new URL('404.html', server.url).href, { waitUntil: 'load' });
        const start = server.requests.length;
        const r = await page.evaluate(async (q, cards, facets) => {
          const pagefind = await import('/pagefind/pagefind.js');
          await pagefind.init();
          const mark = performance.now();
          if (facets) await pagefind.filters();
          const s = q === null ? null : await pagefind.search(q);
          const data = s ? await Promise.all(s.results.slice(0, cards).map((x) => x.data())) : [];
          return { total: s ? s.results.length : 0, titles: data.map((d) => d.meta && d.meta.title), ms: performance.now() - mark };
        }, q, cards, facets);
        // Files fetched (the first load of the page itself excluded).
        const files = server.requests.slice(start).map((x) => decodeURIComponent(new URL(x.path, 'http://x').pathname)).filter((p) => p.startsWith('/pagefind/'));
        await ctx.close();
        const bytes = files.reduce((t, p) => t + (fs.existsSync(path.join(site, p)) ? gz(path.join(site, p)) : 0), 0);
        return { ...r, bytes, requests: files.length, files };
      };
      pf.fixed = await measure(null);
      for (const q of SINGLE) pf.single.push({ q, ...(await measure(q)) });
      pf.two = await measure('care home');
      pf.typo = await measure('demntia', { cards: 3 });
      pf.facets = await measure('dementia', { facets: true });
      pf.phrases = [];
      for (const q of PHRASES) pf.phrases.push({ q, ...(await measure(q)) });
      pf.index = ['pagefind'].reduce((t) => { let s = 0; const walk = (d) => { for (const x of fs.readdirSync(d, { withFileTypes: true })) { const p = path.join(d, x.name); if (x.isDirectory()) walk(p); else s += fs.statSync(p).size; } }; walk(path.join(site, 'pagefind')); return s; }, 0);
    }
  } finally {
    await browser.close();
    await server.close();
  }
}

// ---------------------------------------------------------------- report
const cbBytes = cb.single.map((s) => s.bytes);
const pfBytes = pf ? pf.single.map((s) => s.bytes) : [];
const ratio = (a, b) => (b ? (a / b).toFixed(2) + '×' : '–');
const rows = [];
const row = (id, what, budget, ours, theirs, ok, r) => rows.push([id, what, budget, ours, theirs ?? '–', r ?? '–', ok === undefined ? '' : ok ? 'ok' : 'OVER']);
const t1w = Math.max(...cbBytes), t1m = median(cbBytes);
row('T1', 'first one-word query + client + 10 cards, worst / median', '≤ 100 / ≤ 75 KB', `${KB(t1w)} / ${KB(t1m)}`,
  pf ? `${KB(Math.max(...pfBytes) + pf.fixed.bytes)} / ${KB(median(pfBytes) + pf.fixed.bytes)}` : null,
  t1w <= 100 * 1024 && t1m <= 75 * 1024, pf ? ratio(t1m, median(pfBytes) + pf.fixed.bytes) : null);
row('T2', 'two-term query "care home"', '≤ 150 KB', KB(two.bytes), pf ? KB(pf.two.bytes + pf.fixed.bytes) : null, two.bytes <= 150 * 1024, pf ? ratio(two.bytes, pf.two.bytes + pf.fixed.bytes) : null);
row('T3', `facet counts (${COUNTED.join(', ')})`, '≤ 40 KB', KB(facetRun), pf ? KB(pf.facets.bytes - pf.fixed.bytes) + ' (filters + dementia)' : null, facetRun <= 40 * 1024);
row('T4', 'fixed cost: client + manifest', '≤ 20 KB', `${KB(clientBytes + manifestBytes)} (${KB(clientBytes)} + ${KB(manifestBytes)})`, pf ? KB(pf.fixed.bytes) : null, clientBytes + manifestBytes <= 20 * 1024, pf ? ratio(clientBytes + manifestBytes, pf.fixed.bytes) : null);
const reqs = cb.single.map((s) => s.requests);
row('T5', 'requests, first query + 10 cards (max)', '≤ 15', String(Math.max(...reqs)), pf ? String(Math.max(...pf.single.map((s) => s.requests + pf.fixed.requests))) : null, Math.max(...reqs) <= 15);
row('T6', 'keystroke → results in Chromium, localhost (median / max, 40 ms debounce included)', '≤ 150 ms', t6 ? `${t6.median.toFixed(0)} / ${t6.max.toFixed(0)} ms` : 'not run (no Chromium)', null, t6 ? t6.median <= 150 : undefined);
row('T7', 'query evaluation, data in memory, p95', '≤ 10 ms', `${p95(cb.evalMs).toFixed(1)} ms`, pf ? `search() ${median(pf.single.map((s) => s.ms)).toFixed(0)} ms median (cold)` : null, p95(cb.evalMs) <= 10);
row('T8', 'query-path index on disk (vocab + postings + facets + numbers), gz', '≤ 1 KB/page', `${(queryPath / 1024 / pages).toFixed(2)} KB/page`, pf ? `${(pf.index / 1024 / pages).toFixed(2)} KB/page (all, raw)` : null, queryPath / 1024 / pages <= 1);
row('T9', 'everything incl. cards with text, gz (positions apart, §5.6)', '≤ 3.5 KB/page', `${(everything / 1024 / pages).toFixed(2)} KB/page`, null, everything / 1024 / pages <= 3.5);
row('T9p', 'word positions for phrases (pos/), gz; everything with them', 'separate', `${(positionBytes / 1024 / pages).toFixed(2)} KB/page; ${((everything + positionBytes) / 1024 / pages).toFixed(2)} KB/page`, pf ? `${(pf.index / 1024 / pages).toFixed(2)} KB/page (whole index, raw)` : null);
row('T10', 'build (whole casebook build incl. index) / peak RSS', '≤ 5 s index, ≤ 600 MB', cbWall ? `${cbWall} s / ${Math.round(cbRss / 1024)} MB (whole build)` : '–', pfWall ? `${pfWall} s / ${Math.round(pfRss / 1024)} MB (index only)` : null);
row('T11', 'file://, strict CSP, no wasm, no worker', 'works', 'works (tests/browser/search.test.mjs)', pf ? 'fails (fetch + wasm)' : null);
// A rough relevance check: reciprocal rank of the first result whose title has the word
// (a page about the word is expected first), averaged over the one-word queries.
const mrr = (runs) => runs.reduce((t, s) => {
  const k = (s.titles || []).findIndex((title) => (title || '').toLowerCase().includes(s.q.slice(0, -1)));
  return t + (k < 0 ? 0 : 1 / (k + 1));
}, 0) / runs.length;
row('MRR', 'title-has-the-word MRR@10, one-word queries', '≥ Pagefind', mrr(cb.single).toFixed(2), pf ? mrr(pf.single).toFixed(2) : null, pf ? mrr(cb.single) >= mrr(pf.single) : undefined);
const typoOk = typo.items.slice(0, 3).every((i) => /dementia/i.test(i.card.t + ' ' + i.card.s));
row('T12', '"demntia": dementia pages in top 3', 'yes', typoOk ? 'yes' : 'no', pf ? `${pf.typo.total} results` : null, typoOk);
row('T13', 'range + facet + text in one query', 'supported', `yes: ${combined.result.total} results for staff, ${numericKey} ≥ 80, case studies`, pf ? 'ranges unsupported' : null);

console.log(`\nsearch benchmark, N = ${nArg} (${pages} pages indexed), ${new Date().toISOString().slice(0, 10)}`);
console.log(`stems ${manifest.stems}, vocabulary shards ${manifest.v.length}, postings shards ${fs.readdirSync(path.join(site, "search/p")).length}, numeric fields ${manifest.numbers.length}\n`);
const header = ['#', 'measure', 'budget', 'casebook', 'pagefind', 'ratio', ''];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
const line = (r) => '| ' + r.map((c, i) => String(c).padEnd(widths[i])).join(' | ') + ' |';
console.log(line(header));
console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
for (const r of rows) console.log(line(r));
console.log('\nphrases (casebook bytes / requests / results / evaluation in memory; the same words unquoted: bytes / results' + (pf ? '; pagefind bytes incl. fixed / requests / results' : '') + '):');
cb.phrases.forEach((s, i) => {
  const p = pf && pf.phrases[i];
  console.log(`  ${s.q.padEnd(30)} ${KB(s.bytes).padStart(9)} ${String(s.requests).padStart(3)} ${String(s.total).padStart(6)} ${s.evalMs.toFixed(1).padStart(6)} ms;  ${KB(s.wordsBytes).padStart(9)} ${String(s.wordsTotal).padStart(6)}` +
    (p ? `;   ${KB(p.bytes + pf.fixed.bytes).padStart(9)} ${String(p.requests + pf.fixed.requests).padStart(3)} ${String(p.total).padStart(6)}` : ''));
});
console.log('\nper query (casebook bytes / requests / results' + (pf ? '; pagefind bytes incl. fixed / requests / results' : '') + '):');
cb.single.forEach((s, i) => {
  const p = pf && pf.single[i];
  console.log(`  ${s.q.padEnd(12)} ${KB(s.bytes).padStart(9)} ${String(s.requests).padStart(3)} ${String(s.total).padStart(6)}` +
    (p ? `   ${KB(p.bytes + pf.fixed.bytes).padStart(9)} ${String(p.requests + pf.fixed.requests).padStart(3)} ${String(p.total).padStart(6)}` : ''));
});
