// Unit tests of the client's pure logic (search-core.js), no browser and no index needed.
//
//   node --test tests/browser/

import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { S, CORE_PATH, GLUE_PATH, gzipSize, engineFor, engineWith, run } from './helpers.mjs';
import { CASEBOOK_BIN, REQUIRE_BROWSER, buildSite, tempDir } from '../lib.mjs';

test('tokens follow the indexer (same table as src/search/text.rs tokeniser_table)', () => {
  const cases = [
    ['Care home', ['care', 'home']],
    ['Café crème', ['cafe', 'creme']],
    ['Cafe\u0301', ['cafe']],
    ['STRAßE Æsir Œuvre', ['strasse', 'aesir', 'oeuvre']],
    ['Łódź Škoda', ['lodz', 'skoda']],
    ['well-led', ['well', 'led', 'wellled']],
    ['end-of-life care', ['end', 'of', 'life', 'endoflife', 'care']],
    ['- list -dash', ['list', 'dash']],
    ['20% fewer', ['20', 'fewer']],
    ['rose by 3.5 points.', ['rose', 'by', '3.5', 'points']],
    ['£1,200 saved', ['1200', 'saved']],
    ['1, 2, 3', ['1', '2', '3']],
    ["manager's role", ['managers', 'role']],
    ['manager’s', ['managers']],
    ["'quoted'", ['quoted']],
    ['0cost', ['0cost']],
    ['a/b (c)', ['a', 'b', 'c']],
    ['', []],
  ];
  for (const [text, expected] of cases) assert.deepEqual(S.tokens(text), expected, text);
  assert.deepEqual(S.tokens('well-led', true), ['well', 'led']);
  assert.deepEqual(S.tokens('x'.repeat(41) + ' y'), ['y']);
});

test('queries: terms, last-term prefix, exclusions, phrases', () => {
  assert.deepEqual(S.parseQuery('care hom'), {
    terms: [{ token: 'care', prefix: false }, { token: 'hom', prefix: true }], excluded: [], phrases: [],
  });
  assert.equal(S.parseQuery('care hom ').terms[1].prefix, false, 'a trailing space ends the word');
  assert.equal(S.parseQuery('care ho').terms[1].prefix, false, 'no prefix under 3 letters');
  assert.deepEqual(S.parseQuery('falls -night').excluded, ['night']);
  assert.deepEqual(S.parseQuery('-"night shift" falls').excluded, ['night', 'shift']);
  const q = S.parseQuery('"post-fall huddle" Reading');
  assert.deepEqual(q.phrases, [['post', 'fall', 'huddle']]);
  assert.deepEqual(q.terms.map((t) => t.token), ['post', 'fall', 'huddle', 'reading']);
  assert.equal(q.terms[3].prefix, true);
  assert.deepEqual(S.parseQuery('"unclosed phrase').phrases, [['unclosed', 'phrase']]);
  assert.deepEqual(S.parseQuery('care care').terms.length, 1);
  assert.deepEqual(S.parseQuery('   ').terms, []);
  assert.deepEqual(S.parseQuery('-').terms, [], 'a lone dash is no word');
});

test('Damerau-Levenshtein distance and the typo budget', () => {
  assert.equal(S.distance('dementia', 'demntia', 2), 1);
  assert.equal(S.distance('dementia', 'dmeentia', 2), 1, 'adjacent swap counts once');
  assert.equal(S.distance('falls', 'flals', 1), 1);
  assert.equal(S.distance('care', 'core', 1), 1);
  assert.equal(S.distance('kitten', 'sitting', 5), 3);
  assert.equal(S.distance('abc', 'abcdef', 1), 2, 'stops early past the limit');
  assert.equal(S.typoBudget('care'), 0);
  assert.equal(S.typoBudget('falls'), 1);
  assert.equal(S.typoBudget('medicines'), 2);
});

test('excerpts mark matched words with segments, never HTML', () => {
  const text = 'The night team <b>led</b> a huddle after every fall. Falls at night dropped by 20%.';
  const segs = S.excerpt(text, ['fall', 'falls'], [], 30);
  const marked = segs.filter((s) => s.mark).map((s) => s.text);
  assert.deepEqual(marked, ['fall', 'Falls']);
  assert.equal(segs.map((s) => s.text).join(''), text, 'the whole short text, unchanged');
  const long = Array.from({ length: 200 }, (_, i) => `w${i}`).join(' ') + ' dementia care ' + 'x '.repeat(50);
  const cut = S.excerpt(long, ['dementia'], [], 20);
  assert.equal(cut[0].text, '…');
  assert.ok(cut.some((s) => s.mark && s.text === 'dementia'));
  assert.equal(cut.at(-1).text, '…');
  assert.deepEqual(S.excerpt('Demented? no: dementia', [], ['dement'], 10).filter((s) => s.mark).map((s) => s.text), ['Demented', 'dementia']);
});

test('URL state round trips, facets repeat, unknown keys are ignored', () => {
  const state = {
    q: 'falls "night shift"',
    filters: { region: ['north-east', 'london'], setting: ['care-home'] },
    range: { key: 'share:homes-rated-good-or-outstanding', min: 80, max: undefined },
    sort: 'date',
  };
  const qs = S.writeState(state);
  assert.equal(qs, '?q=falls+%22night+shift%22&region=north-east&region=london&setting=care-home&metric=share%3Ahomes-rated-good-or-outstanding&min=80&sort=date');
  assert.deepEqual(S.readState(qs), state);
  assert.deepEqual(S.readState('?q=x&colour=red&min=abc'), { q: 'x', filters: {}, sort: 'relevance', range: { key: '', min: undefined, max: undefined } });
  assert.equal(S.writeState({ q: '', filters: {}, range: {} }), '');
  const orgs = { q: '', filters: { organisation: ['bolton-council', 'skills-for-care'], programme: ['well-led'] }, range: { key: '', min: undefined, max: undefined }, sort: 'relevance' };
  assert.equal(S.writeState(orgs), '?organisation=bolton-council&organisation=skills-for-care&programme=well-led');
  assert.deepEqual(S.readState(S.writeState(orgs)), orgs);
});

test('facet values: chosen ones always, the others with results, most first, up to a limit, found by word prefixes', () => {
  const facet = { values: [
    ['devon-county-council', 'Devon County Council'], ['nhs-devon-ccg', 'NHS Devon Clinical Commissioning Group'],
    ['bolton-council', 'Bolton Council'], ['cafe-de-sante', 'Café de Santé'], ['st-marys', 'St Mary’s Hospice'],
    ['well-led', 'Well-led Network'], ['none', 'No Results Trust'],
  ].map(([key, label]) => ({ key, label, count: 1, ids: [] })) };
  const counts = { 'devon-county-council': 3, 'nhs-devon-ccg': 5, 'bolton-council': 5, 'cafe-de-sante': 1, 'st-marys': 2, 'well-led': 1 };
  const keys = (r) => r.values.map((v) => v.key);
  const all = S.facetValues(facet, counts, [], '', 10);
  assert.deepEqual(keys(all), ['bolton-council', 'nhs-devon-ccg', 'devon-county-council', 'st-marys', 'cafe-de-sante', 'well-led'],
    'most results first, then by label; values without results left out');
  assert.equal(all.total, 6);
  const top = S.facetValues(facet, counts, [], '', 2);
  assert.deepEqual(keys(top), ['bolton-council', 'nhs-devon-ccg']);
  assert.equal(top.total, 6, 'the total says how many more there are');
  assert.deepEqual(keys(S.facetValues(facet, counts, ['none', 'well-led'], '', 2)), ['bolton-council', 'nhs-devon-ccg', 'well-led', 'none'],
    'chosen values are shown past the limit, and without results');
  assert.deepEqual(keys(S.facetValues(facet, counts, [], 'devon', 10)), ['nhs-devon-ccg', 'devon-county-council']);
  assert.deepEqual(keys(S.facetValues(facet, counts, [], 'DEV cou', 10)), ['devon-county-council'], 'every word typed starts a word of the label');
  assert.deepEqual(keys(S.facetValues(facet, counts, [], 'evon', 10)), [], 'words match from their start');
  assert.deepEqual(keys(S.facetValues(facet, counts, [], 'cafe sant', 10)), ['cafe-de-sante'], 'folded like the index');
  assert.deepEqual(keys(S.facetValues(facet, counts, [], 'marys', 10)), ['st-marys'], 'apostrophes as the tokeniser has them');
  assert.deepEqual(keys(S.facetValues(facet, counts, [], 'well-le', 10)), ['well-led']);
  assert.deepEqual(keys(S.facetValues(facet, counts, ['bolton-council'], 'devon', 1)), ['bolton-council', 'nhs-devon-ccg'],
    'a chosen value stays in view whatever is typed');
  const none = S.facetValues(facet, counts, [], 'zzz', 10);
  assert.deepEqual([none.values.length, none.total], [0, 0]);
});

test('result links are relative to /search/ and name index.html over file://', () => {
  assert.equal(S.resultHref('/case-studies/x/', false), '../case-studies/x/');
  assert.equal(S.resultHref('/case-studies/x/', true), '../case-studies/x/index.html');
});

test('the live region text says what happened', () => {
  const base = { unknown: [] };
  assert.equal(S.describe({ ...base, total: 3, mode: 'and' }, 'falls '), '3 results for “falls”.');
  assert.equal(S.describe({ ...base, total: 1, mode: 'and' }, 'x'), '1 result for “x”.');
  assert.equal(S.describe({ ...base, total: 0, mode: 'and', unknown: ['zzz'] }, 'zzz'), 'No results for “zzz”. No page has the word “zzz”.');
  assert.equal(S.describe({ ...base, total: 5, mode: 'or' }, 'a b'), 'No page has all the words; 5 results with some of them.');
});

test('the live region names the filters in force, in one sentence', () => {
  const labels = {
    type: { 'case-study': 'Case study', programme: 'Programme' },
    region: { 'north-west': 'North West', london: 'London' },
    setting: { 'care-home-with-nursing': 'Care home with nursing' },
    rating: { good: 'Good or better', outstanding: 'Outstanding' },
    key_question: { safe: 'Safe', 'well-led': 'Well-led' },
    topic: { falls: 'falls' },
    improved: { rating: 'CQC rating' },
  };
  const numbers = [{ key: 'share:homes-rated-good-or-outstanding', label: 'Homes rated Good or Outstanding', unit: '%' }];
  const words = (filters, range) => S.filterWords({ filters, range }, labels, numbers);
  const and = { unknown: [], mode: 'and' };
  const browse = { unknown: [], mode: 'browse' };
  const fns = words({ region: ['north-west'], setting: ['care-home-with-nursing'], rating: ['good'] });
  assert.equal(S.describe({ ...and, total: 12 }, 'falls', fns), '12 results for “falls” in North West, Care home with nursing, rated Good or better.');
  const cases = words({ type: ['case-study'], rating: ['good'], region: ['north-west'] });
  assert.equal(S.describe({ ...browse, total: 34 }, '', cases), '34 case studies in North West, rated Good or better.');
  assert.equal(S.describe({ ...browse, total: 1 }, '', cases), '1 case study in North West, rated Good or better.');
  assert.equal(S.describe({ ...browse, total: 0 }, '', cases), 'No case studies in North West, rated Good or better.');
  assert.equal(S.describe({ ...browse, total: 3 }, '', words({ type: ['case-study', 'programme'] })), '3 case studies and programmes.');
  assert.equal(S.describe({ ...browse, total: 2 }, '', words({ region: ['north-west', 'london'], key_question: ['safe', 'well-led'] })),
    '2 results in North West or London, on the Safe or Well-led key question.');
  assert.equal(S.describe({ ...browse, total: 2 }, '', words({ rating: ['outstanding', 'good'], improved: ['rating'], topic: ['falls'] })),
    '2 results rated Good or better, whose CQC rating improved, about falls.');
  assert.equal(S.describe({ ...and, total: 5, mode: 'or' }, 'a b', words({ region: ['london'] })), 'No page has all the words in London; 5 results with some of them.');
  const ranged = words({}, { key: 'share:homes-rated-good-or-outstanding', min: 80 });
  assert.equal(S.describe({ ...browse, total: 7 }, '', ranged), '7 results with Homes rated Good or Outstanding at least 80%.');
  // A value whose label is not loaded is named by its key; a range without bounds is no filter.
  assert.equal(words({ organisation: ['bolton-council'] }).where, 'by bolton-council');
  assert.equal(words({}, { key: 'share:homes-rated-good-or-outstanding' }).where, '');
});

test('the client uses no eval and no innerHTML', () => {
  for (const src of [fs.readFileSync(CORE_PATH, 'utf8'), fs.readFileSync(GLUE_PATH, 'utf8')]) {
    assert.doesNotMatch(src, /\beval\(|new Function|innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
  }
});

// The budget counts what a site ships: the build strips the client's comments and indentation
// (src/render/minify.rs). The shipped core must answer exactly as its source does.
test('the client as a build ships it is at most 12 KB gzipped, and answers as its source', async (t) => {
  if (!fs.existsSync(CASEBOOK_BIN)) {
    const why = `no casebook binary at ${CASEBOOK_BIN} (run: cargo build)`;
    if (REQUIRE_BROWSER) throw new Error(why);
    t.skip(why);
    return;
  }
  const { dir, cleanup } = await tempDir('casebook-client-');
  try {
    const out = await buildSite({ output: path.join(dir, 'public') });
    const core = fs.readFileSync(path.join(out, 'js/search-core.js'));
    const glue = fs.readFileSync(path.join(out, 'js/search.js'));
    const size = gzipSize(core) + gzipSize(glue);
    assert.ok(size <= 12 * 1024, `search-core.js + search.js are ${size} bytes gzipped`);
    assert.ok(core.length < fs.statSync(CORE_PATH).size, 'the shipped core is smaller than its source');
    const copy = path.join(dir, 'search-core.cjs');
    fs.writeFileSync(copy, core);
    const shipped = createRequire(import.meta.url)(copy);
    assert.deepEqual(Object.keys(shipped), Object.keys(S));
    for (const q of ['dementia', 'demntia', 'fall', '"post-fall huddle"', 'care -dementia', 'paperl']) {
      const a = await run(engineFor().engine, q, {}, 20);
      const b = await run(engineWith(shipped).engine, q, {}, 20);
      assert.ok(a.result.total > 0, q);
      assert.deepEqual(b.result.docs, a.result.docs, q);
      assert.deepEqual(b.titles, a.titles, q);
    }
  } finally {
    await cleanup();
  }
});
