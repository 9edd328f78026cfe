// The client against the Rust-built fixture index (tests/browser/fixtures/search-index/, made
// by `cargo test --test it search` from tests/fixtures/search-site/): a judged query set, typos,
// prefixes, phrases, exclusion, facet counts, numeric ranges, sorting, and the byte and request
// budgets of search-design.md §5.4 at fixture scale, counted by a loader that gzips each file.

import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { S, CORE_PATH, GLUE_PATH, FIXTURE_INDEX, engineFor, gzipSize, run } from './helpers.mjs';

const has = (word) => (title) => title.toLowerCase().includes(word);
const DEMENTIA = [
  'Calmer afternoons for people living with dementia in Hastings',
  'Dementia care that starts with a conversation',
  'Knowing the person: dementia care at Sunderland General Hospital',
  'Knowing the person: dementia care at Willow Court Care at Home',
];

// Judged queries: [query, judgement of the first results]. `top` lists titles that must all
// be among the first `top.length` results, in any order; `first` is the title of result 1;
// `every(k, predicate)` checks the first k titles.
const every = (k, predicate, what) => ({ every: [k, predicate, what] });
const JUDGED = [
  ['dementia', { top: DEMENTIA }],
  ['Dementia', { top: DEMENTIA }],
  ['DEMENTÍA', { top: DEMENTIA }],
  ['demntia', every(3, has('dementia'), 'dementia')],
  ['dementa', { top: DEMENTIA }],
  ['dementia care', { top: DEMENTIA }],
  ['deme', { top: DEMENTIA }],
  ['falls', every(5, has('fall'), 'fall')],
  ['fall', every(5, has('fall'), 'fall')],
  ['prevent falls', every(2, has('fall'), 'fall')],
  ['flals', every(3, has('fall'), 'fall')],
  ['medicines', every(5, (t) => has('medicines')(t) || has('tablets')(t), 'medicines or tablets')],
  ['medicine', every(3, has('medicines'), 'medicines')],
  ['medicnes', every(3, has('medicines'), 'medicines')],
  ['discharge', every(3, has('discharge'), 'discharge')],
  ['paperless', { top: ['Going paperless at Thornbury Home Care', 'Going paperless at Willow Court Domiciliary Care'] }],
  ['paperl', { top: ['Going paperless at Thornbury Home Care', 'Going paperless at Willow Court Domiciliary Care'] }],
  ['paperles', { top: ['Going paperless at Thornbury Home Care', 'Going paperless at Willow Court Domiciliary Care'] }],
  ['trusted assessors', { top: ['Trusted assessors that people actually trust', 'Trusted assessors that people actually trust'] }],
  ['"trusted assessors"', { top: ['Trusted assessors that people actually trust', 'Trusted assessors that people actually trust'] }],
  ['trusted assesors', { top: ['Trusted assessors that people actually trust', 'Trusted assessors that people actually trust'] }],
  ['infection', { top: ['Keeping infection out at Millbrook Nursing Home', 'Infection prevention champions at Kingsmead Care at Home'] }],
  ['infection prevention champions', { first: 'Infection prevention champions at Kingsmead Care at Home' }],
  ['retention', { first: 'Why people stay: retention at Highcroft Homecare Services' }],
  ['hospice', { first: 'Working with the hospice in Bedford' }],
  ['digital care record', { first: 'What we learned switching to a digital care record in Newark' }],
  ['run charts handover', { top: ['Run charts at handover in Aylesbury', 'Run charts at handover in Taunton'] }],
  ['small tests of change', { first: 'Small tests of change at Rosemount Court' }],
  ['requires improvement to good', { first: 'How Highcroft House moved from requires improvement to good' }],
  ['three managers', { first: 'Steadying a service after three managers in two years' }],
  ['friday discharge', { top: ['Ending the Friday afternoon discharge at Elmhurst Lodge', 'Ending the Friday afternoon discharge at The Laurels Homecare Services'] }],
  ['advance care planning wigan', { first: 'Advance care planning in a care home in Wigan' }],
  ['senior carers', { first: 'How senior carers at Oakfield Residential Home took the lead' }],
  ['growing leaders', { top: ['Growing leaders from within at Bolton and District NHS Trust', 'Growing leaders from within at Thornbury Nursing and Residential Home'] }],
];

test('judged queries rank the pages a reader would expect first', async (t) => {
  const { engine } = engineFor();
  assert.ok(JUDGED.length >= 30, `${JUDGED.length} judged queries`);
  for (const [q, judgement] of JUDGED) {
    await t.test(q, async () => {
      const { titles, result } = await run(engine, q, {}, 10);
      const shown = `\n  got: ${titles.slice(0, 6).join(' | ')}`;
      if (judgement.top) {
        const firstK = titles.slice(0, judgement.within || judgement.top.length);
        for (const title of judgement.top) assert.ok(firstK.includes(title), `“${title}” not in the first ${firstK.length} for ${q}${shown}`);
      }
      if (judgement.first) assert.equal(titles[0], judgement.first, `first result for ${q}${shown}`);
      if (judgement.every) {
        const [k, predicate, what] = judgement.every;
        assert.ok(titles.length >= k, `fewer than ${k} results for ${q}${shown}`);
        titles.slice(0, k).forEach((title, i) => assert.ok(predicate(title), `result ${i + 1} for ${q} lacks ${what}${shown}`));
      }
      assert.equal(result.mode, 'and');
    });
  }
});

test('a complete word ranks its own pages first: longer words count far less, however rare', async () => {
  const { engine } = engineFor();
  // As typed, “work” and “care” also match “worker”, “workforce”, “carers” and “career” (the
  // last word may be unfinished). Those are rarer words, so their own scores run higher.
  for (const word of ['work', 'care']) {
    const exact = await engine.search(word + ' ', {}); // a trailing space: that word only
    const typed = await engine.search(word, {});
    const own = new Map(exact.docs.map((d, i) => [d, exact.scores[i]]));
    const best = exact.scores[0];
    typed.docs.forEach((d, i) => {
      const bound = Math.max(own.get(d) || 0, 0.2 * best);
      assert.ok(typed.scores[i] <= bound, `${word}: doc ${d} scores ${typed.scores[i]}, more than its own ${own.get(d)} or 0.2 × ${best}`);
    });
    assert.deepEqual(typed.docs.slice(0, 5), exact.docs.slice(0, 5), `${word}: the first results are those of the word`);
  }
});

test('a word that occurs nowhere gives no results and is named; with others, OR is stated', async () => {
  const { engine } = engineFor();
  const none = await run(engine, 'zzzz');
  assert.equal(none.result.total, 0);
  assert.deepEqual(none.result.unknown, ['zzzz']);
  assert.match(S.describe(none.result, 'zzzz'), /No results for “zzzz”/);
  const or = await run(engine, 'hospice retention');
  assert.equal(or.result.mode, 'or', 'no page has both: OR fallback');
  assert.match(S.describe(or.result, 'hospice retention'), /No page has all the words/);
  assert.ok(or.titles.slice(0, 6).some(has('hospice')) && or.titles.slice(0, 6).some(has('retention')));
});

test('exclusion removes every page with the word', async () => {
  const { engine } = engineFor();
  const all = await run(engine, 'medicines', {}, 50);
  const without = await run(engine, 'medicines -ipswich', {}, 50);
  assert.ok(all.titles.includes('Do not disturb: medicines in Ipswich'));
  assert.ok(!without.titles.includes('Do not disturb: medicines in Ipswich'));
  assert.ok(without.result.total < all.result.total);
  const dementia = await run(engine, 'dementia -hastings', {}, 50);
  assert.ok(!dementia.titles.includes(DEMENTIA[0]));
  assert.ok(dementia.result.total > 0);
});

// A card's words in order, as the client tokenises them (the whole page's when it is short).
const cardWords = (card) => ' ' + S.tokens([card.t, card.s, card.x].join('\n'), true).join(' ') + ' ';

test('phrases keep exactly the pages with the words in that order', async () => {
  const { engine } = engineFor();
  const loose = await run(engine, 'fall post huddle', {}, 200);
  const phrase = await run(engine, '"post-fall huddle"', {}, 200);
  assert.ok(phrase.result.total > 0 && phrase.result.total < loose.result.total);
  // Words match in any of their forms, as unquoted ones do ("post-fall huddles").
  const has = (item) => / post fall huddles? /.test(cardWords(item.card));
  // Every page whose card has the phrase is found; a page found has it in its card, unless
  // its card holds only the start of a long page.
  assert.deepEqual(loose.items.filter(has).map((i) => i.doc).filter((d) => !phrase.result.docs.includes(d)), []);
  for (const item of phrase.items) {
    assert.ok(has(item) || item.card.x.length > 5900, item.card.t);
  }
  const reversed = await run(engine, '"huddle fall post"', {}, 50);
  assert.equal(reversed.result.total, 0);
  // Quotes ask for the words as written: no typo is forgiven inside them (docs/search.md).
  assert.equal((await run(engine, '"post-fall hudle"', {}, 50)).result.total, 0);
  assert.ok((await run(engine, 'post-fall hudle', {}, 50)).result.total > 0);
});

test('phrases are found anywhere in a page, not only in the text its card carries', async () => {
  // The fixture's long case studies close on "Agree what good looks like before changing
  // anything.", past the 6,000 bytes of text a card keeps.
  const content = path.join(FIXTURE_INDEX, '../../../fixtures/search-site/content');
  const pages = fs.readdirSync(content, { recursive: true })
    .filter((f) => f.endsWith('.md'))
    .filter((f) => /agree what good looks like/i.test(fs.readFileSync(path.join(content, f), 'utf8')));
  assert.ok(pages.length >= 3, pages.join(' '));
  const { engine, stats } = engineFor();
  const found = await run(engine, '"agree what good looks like"', {}, 50);
  assert.equal(found.result.total, pages.length);
  for (const item of found.items) {
    assert.ok(!cardWords(item.card).includes(' agree what good looks like '), `${item.card.t}: past its card`);
  }
  assert.ok(stats.paths.some((p) => p.startsWith('pos/')), 'positions are fetched for a phrase');
  assert.equal((await run(engine, '"good what agree"', {}, 50)).result.total, 0);
  // Little words keep no positions: in a phrase they stand for any word.
  assert.equal((await run(engine, '"agree the good looks like"', {}, 50)).result.total, pages.length);
  assert.equal((await run(engine, '"agree good looks like"', {}, 50)).result.total, 0);
  // Without quotes no positions are fetched.
  const plain = engineFor();
  await run(plain.engine, 'agree what good looks like', {}, 10);
  assert.ok(!plain.stats.paths.some((p) => p.startsWith('pos/')));
});

test('highlighting marks the stems matched, in every form the vocabulary has', async () => {
  const { engine } = engineFor();
  const { result, items } = await run(engine, 'falls', {}, 3);
  assert.ok(result.marks.includes('falls') && result.marks.includes('fall'), result.marks.join(' '));
  const segs = S.excerpt(items[0].card.s + '\n' + items[0].card.x, result.marks, result.prefixes, 30);
  assert.ok(segs.some((s) => s.mark && /^falls?$/i.test(s.text)), JSON.stringify(segs));
});

async function facetDocs(engine, facet, key) {
  const f = await engine.facet(facet);
  return new Set(f.values.find((v) => v.key === key).ids);
}

test('facet filters AND across facets, OR within one, and counts leave their own facet out', async () => {
  const { engine } = engineFor();
  const count = ['type', 'region', 'setting', 'key_question', 'topic', 'programme'];
  const text = await run(engine, 'care', { count }, 200);
  const total = text.result.total;
  const regionCounts = text.result.counts.region;
  assert.ok(Object.keys(regionCounts).length >= 5);
  // Each count is the number of results once that value is chosen.
  for (const [key, n] of Object.entries(regionCounts)) {
    const one = await engine.search('care', { filters: { region: [key] } });
    assert.equal(one.total, n, `region ${key}`);
  }
  const two = Object.keys(regionCounts).filter((k) => regionCounts[k] > 0).slice(0, 2);
  const both = await engine.search('care', { filters: { region: two }, count });
  assert.equal(both.total, regionCounts[two[0]] + regionCounts[two[1]], 'OR within a facet');
  assert.deepEqual(both.counts.region, regionCounts, 'a facet’s own filter does not change its counts');
  const setting = Object.entries(both.counts.setting).find(([, n]) => n > 0)[0];
  const and = await engine.search('care', { filters: { region: two, setting: [setting] } });
  const inSetting = await facetDocs(engine, 'setting', setting);
  assert.equal(and.total, both.docs.filter((d) => inSetting.has(d)).length, 'AND across facets');
  assert.ok(and.total <= total);
  // Browsing: no words, a filter only.
  const browse = await engine.search('', { filters: { type: ['case-study'] }, sort: 'date' });
  assert.equal(browse.mode, 'browse');
  assert.equal(browse.total, 40);
});

// search.js counts the filters of at most LAZY values with every query; larger ones (the
// organisations of a big site) only once the reader opens them or the URL chooses a value.
const GLUE = fs.readFileSync(GLUE_PATH, 'utf8');
const LAZY = Number(GLUE.match(/var LAZY = (\d+)/)[1]);
const FIND = Number(GLUE.match(/var FIND = (\d+)/)[1]);
const eagerFacets = (m) => m.facets.filter((f) => f.size <= LAZY).map((f) => f.key);

test('organisation and programme filters: results, counts and OR within each', async () => {
  const { engine } = engineFor();
  await engine.init();
  const orgs = await engine.facet('organisation');
  const two = orgs.values.filter((v) => v.count === 2).slice(0, 2);
  assert.equal(two.length, 2);
  // Browsing by one organisation gives exactly its pages; two give either.
  const one = await engine.search('', { filters: { organisation: [two[0].key] } });
  assert.equal(one.mode, 'browse');
  assert.deepEqual([...one.docs].sort((a, b) => a - b), [...two[0].ids]);
  const either = await engine.search('', { filters: { organisation: two.map((v) => v.key) } });
  assert.deepEqual([...either.docs].sort((a, b) => a - b), [...new Set([...two[0].ids, ...two[1].ids])].sort((a, b) => a - b));
  // With words: each organisation's count is the number of results once it is chosen.
  const care = await engine.search('care', { count: ['organisation', 'programme'] });
  const counted = Object.entries(care.counts.organisation).filter(([, n]) => n > 0);
  assert.ok(counted.length > 10, `${counted.length} organisations have results for “care”`);
  for (const [key, n] of counted.slice(0, 8)) {
    assert.equal((await engine.search('care', { filters: { organisation: [key] } })).total, n, key);
  }
  // What the page shows of them: the top 10 by count, the rest behind “Show more” or found by name.
  const shown = S.facetValues(orgs, care.counts.organisation, [], '', 10);
  assert.equal(shown.values.length, 10);
  assert.equal(shown.total, counted.length);
  const devon = S.facetValues(orgs, care.counts.organisation, [], 'devon', 10).values.map((v) => v.label);
  assert.ok(devon.length >= 1 && devon.every((l) => /devon/i.test(l)), devon.join(', '));
  // Programme, and organisation with programme (AND across filters).
  const programme = (await engine.facet('programme')).values[0];
  const inProgramme = await engine.search('', { filters: { programme: [programme.key] }, count: ['organisation'] });
  assert.equal(inProgramme.total, programme.count);
  const [orgKey, n] = Object.entries(inProgramme.counts.organisation).find(([, k]) => k > 0);
  const both = await engine.search('', { filters: { programme: [programme.key], organisation: [orgKey] } });
  assert.equal(both.total, n);
  assert.ok(both.docs.every((d) => programme.ids.includes(d)));
});

test('the organisation filter stays off the first-query path: loaded only when counted or chosen', async () => {
  const { engine, stats } = engineFor();
  const m = await engine.init();
  const org = m.facets.find((f) => f.key === 'organisation');
  assert.ok(org.size > LAZY, `the fixture has ${org.size} organisations, more than LAZY (${LAZY}): the Chromium test opens the lazy filter`);
  assert.ok(org.size > FIND, 'and it has a box to find one');
  assert.ok(eagerFacets(m).includes('programme') && !eagerFacets(m).includes('organisation'));
  await engine.search('care', {});
  await engine.search('care', { count: eagerFacets(m) });
  assert.ok(!stats.paths.some((p) => p.startsWith('f/organisation')), stats.paths.join(' '));
  const before = stats.gzip;
  await engine.search('care', { count: [...eagerFacets(m), 'organisation'] });
  assert.deepEqual(stats.paths.filter((p) => p.startsWith('f/')).slice(-1), [`f/organisation.${org.h}.js`]);
  assert.ok(stats.gzip - before < 10 * 1024, `opening it costs ${stats.gzip - before} bytes here`);
  // Chosen in the URL: the filter loads because it filters.
  const chosen = engineFor();
  await chosen.engine.search('', { filters: { organisation: ['bolton-council'] } });
  assert.ok(chosen.stats.paths.some((p) => p.startsWith('f/organisation')));
});

test('numeric ranges, with a facet and words in one query; sort by date', async () => {
  const { engine } = engineFor();
  const key = 'share:survey-agreement';
  const column = await (async () => {
    await engine.search('', { range: { key, min: 0 } });
    const m = engine.manifest();
    const i = m.numbers.findIndex((f) => f.key === key);
    const src = fs.readFileSync(path.join(FIXTURE_INDEX, 'n', `${i}.${m.numbers[i].h}.js`), 'utf8');
    const b64 = src.match(/"([A-Za-z0-9+/=]*)"\);/)[1];
    return S.decodeNumeric(S.unbase64(b64), m.n);
  })();
  const inRange = [...column.keys()].filter((d) => column[d] >= 80);
  const r = await engine.search('', { range: { key, min: 80 } });
  assert.deepEqual([...r.docs].sort((a, b) => a - b), inRange);
  assert.ok(r.total > 0 && r.total < 29);
  const capped = await engine.search('', { range: { key, min: 60, max: 80 } });
  for (const d of capped.docs) assert.ok(column[d] >= 60 && column[d] <= 80);
  const combined = await engine.search('staff', { range: { key, min: 70 }, filters: { type: ['case-study'] }, count: ['region'] });
  assert.ok(combined.total > 0);
  for (const d of combined.docs) assert.ok(column[d] >= 70);
  const byDate = await run(engine, 'care', { sort: 'date' }, 20);
  // Cards write dates as the pages do ("20 January 2025"); newest first means falling times.
  const times = byDate.items.map((i) => (i.card.d ? Date.parse(`${i.card.d} UTC`) : 0));
  assert.ok(times.every((t) => !Number.isNaN(t)), byDate.items.map((i) => i.card.d).join(', '));
  assert.deepEqual(times, [...times].sort((a, b) => b - a));
});

test('budgets of search-design.md §5.4 hold at fixture scale', async () => {
  const client = gzipSize(fs.readFileSync(CORE_PATH)) + gzipSize(fs.readFileSync(GLUE_PATH));
  const manifest = gzipSize(fs.readFileSync(path.join(FIXTURE_INDEX, 'manifest.js')));
  assert.ok(client + manifest <= 20 * 1024, `T4: client ${client} + manifest ${manifest} bytes`);

  const first = engineFor();
  await run(first.engine, 'dementia', {}, 10);
  const t1 = client + first.stats.gzip;
  assert.ok(t1 <= 75 * 1024, `T1: ${t1} bytes for a first one-word query with 10 cards`);
  assert.ok(first.stats.requests + 2 <= 15, `T5: ${first.stats.requests + 2} requests (${first.stats.paths.join(', ')})`);

  const two = engineFor();
  await run(two.engine, 'care home', {}, 10);
  assert.ok(client + two.stats.gzip <= 150 * 1024, `T2: ${client + two.stats.gzip} bytes`);

  const facets = engineFor();
  await facets.engine.search('dementia', {});
  const before = facets.stats.gzip;
  await facets.engine.search('dementia', { count: eagerFacets(facets.engine.manifest()) });
  assert.ok(facets.stats.gzip - before <= 40 * 1024, `T3: ${facets.stats.gzip - before} bytes for facet counts`);

  const typo = engineFor();
  await run(typo.engine, 'demntia', {}, 3);
  assert.ok(typo.stats.paths.filter((p) => p.startsWith('v/')).length <= 2, 'a typo inside one vocabulary shard loads no other');
});

test('the same query twice fetches nothing more; as-you-type prefixes reuse the shards', async () => {
  const { engine, stats } = engineFor();
  for (const q of ['dem', 'deme', 'demen', 'dementia']) await engine.search(q, {});
  const after = stats.requests;
  await engine.search('dementia', {});
  assert.equal(stats.requests, after);
  assert.ok(stats.paths.filter((p) => p.startsWith('v/')).length <= 2, stats.paths.join(' '));
});

test('the client tokenises card text exactly as the indexer did: every token is in the vocabulary', async () => {
  const m = (() => {
    let manifest;
    const src = fs.readFileSync(path.join(FIXTURE_INDEX, 'manifest.js'), 'utf8');
    new Function('__CS_SHARD', src)((k, d) => (manifest = d));
    return manifest;
  })();
  const words = new Set();
  m.v.forEach((_, i) => {
    const src = fs.readFileSync(path.join(FIXTURE_INDEX, 'v', `${i}.${m.vh.slice(i * 8, i * 8 + 8)}.js`), 'utf8');
    S.decodeVocab(S.unbase64(src.match(/"([A-Za-z0-9+/=]*)"\);/)[1])).words.forEach((w) => words.add(w));
  });
  const { engine } = engineFor();
  await engine.init();
  const cards = await engine.cards([...Array(m.n).keys()]);
  let checked = 0;
  for (const card of cards) {
    // The card text may be cut mid-word at its size limit: its last token is left out.
    const tokens = S.tokens([card.t, card.s, card.x.replace(/\S*$/, '')].join('\n'));
    for (const t of tokens) assert.ok(words.has(t), `“${t}” of ${card.u} is not in the vocabulary`);
    checked += tokens.length;
  }
  assert.ok(checked > 10000, `${checked} tokens checked`);
});
