// Helpers of the client's node tests: the client's pure core (search-core.js, a classic
// script that is also a CommonJS module) and a loader of the Rust-built fixture index that
// counts requests and bytes as a browser would fetch them (gzip on the wire).

import fs from 'node:fs/promises';
import path from 'node:path';
import vm from 'node:vm';
import zlib from 'node:zlib';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const HERE = path.dirname(fileURLToPath(import.meta.url));
export const REPO = path.resolve(HERE, '..', '..', '..');
export const CORE_PATH = path.join(REPO, 'themes/default/static/js/search-core.js');
export const GLUE_PATH = path.join(REPO, 'themes/default/static/js/search.js');
export const FIXTURE_INDEX = path.join(REPO, 'tests/browser/fixtures/search-index');
// The index of tests/fixtures/ratings/, whose outcome filters' answers were worked out by hand.
export const RATINGS_INDEX = path.join(REPO, 'tests/browser/fixtures/ratings-index');
export const S = require(CORE_PATH);

export const gzipSize = (buf) => zlib.gzipSync(buf, { level: 9 }).length;

/** An engine over the index in `dir`, with `stats` of every script it loaded. */
export function engineFor(dir = FIXTURE_INDEX) {
  return engineWith(S, dir);
}

/** The same with another copy of the client's core (as a build ships it). */
export function engineWith(core, dir = FIXTURE_INDEX) {
  const stats = { requests: 0, bytes: 0, gzip: 0, paths: [] };
  const engine = core.createEngine(async (p) => {
    const src = await fs.readFile(path.join(dir, p));
    stats.requests++;
    stats.bytes += src.length;
    stats.gzip += gzipSize(src);
    stats.paths.push(p);
    vm.runInNewContext(src.toString('utf8'), { __CS_SHARD: engine.register });
  });
  return { engine, stats };
}

/** Runs `q` and resolves to the result and the cards of its first `size` results. */
export async function run(engine, q, opts = {}, size = 10) {
  const result = await engine.search(q, opts);
  const items = await engine.page(result, 0, size);
  return { result, items, titles: items.map((i) => i.card.t), urls: items.map((i) => i.card.u) };
}
