// The outcome filters against the index of tests/fixtures/ratings/ (built into
// tests/browser/fixtures/ratings-index/ by `cargo test --test it search`): filters alone list
// their pages newest first, `rating` and `improved` select the pages worked out by hand in the
// fixture's FIXTURE.md and count like the other filters, the status line names the filters in
// force, and cards carry the headline outcome.

import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { S, FIXTURE_INDEX, RATINGS_INDEX, engineFor, run } from './helpers.mjs';

const ASHDOWN = '/case-studies/from-requires-improvement-to-good-at-ashdown-house/';
const BIRCHWOOD = '/case-studies/birchwood-lodge-rated-outstanding/';
const CEDARS = '/case-studies/a-slip-at-the-cedars/';
const DISTRICT = '/case-studies/care-homes-across-the-district/';
const EAST = '/case-studies/well-led-in-the-east/';
const MIDLANDS = '/case-studies/homecare-in-the-midlands/';
const NEW_HOME = '/case-studies/a-new-home-rated-good-for-safety/';
const FERNLEA = '/case-studies/fewer-falls-at-fernlea/';
const TURNAROUND = '/programmes/turnaround-programme/';
const SOUTH_WEST = '/case-studies/homes-rated-good-in-the-south-west/';

/** Every result's address, in order. */
async function urls(engine, q, opts) {
  const { urls: all, result } = await run(engine, q, opts, 100);
  return { all, result };
}

test('a filter alone lists every page that matches it, newest first', async () => {
  const { engine } = engineFor(RATINGS_INDEX);
  const good = await urls(engine, '', { filters: { rating: ['good'] } });
  assert.equal(good.result.mode, 'browse');
  assert.deepEqual(good.all, [ASHDOWN, BIRCHWOOD, DISTRICT, EAST, NEW_HOME, SOUTH_WEST]);
  const improved = await urls(engine, '', { filters: { improved: ['rating'] } });
  assert.deepEqual(improved.all, [ASHDOWN, BIRCHWOOD, DISTRICT, MIDLANDS, TURNAROUND]);
  const outstanding = await urls(engine, '', { filters: { rating: ['outstanding'] } });
  assert.deepEqual(outstanding.all, [BIRCHWOOD]);
  const atLeastRi = await urls(engine, '', { filters: { rating: ['requires-improvement'] } });
  assert.deepEqual(atLeastRi.all, [ASHDOWN, BIRCHWOOD, CEDARS, DISTRICT, EAST, MIDLANDS, NEW_HOME, TURNAROUND, SOUTH_WEST]);
  assert.ok(!atLeastRi.all.includes(FERNLEA), 'a page without rating figures is at no rating');
  // Several values of the filter widen it: Outstanding and Good or better is Good or better.
  const both = await urls(engine, '', { filters: { rating: ['outstanding', 'good'] } });
  assert.deepEqual(both.all, good.all);
  // With another filter, the link an academy publishes: ?rating=good&region=north-west.
  const northWest = await urls(engine, '', { filters: { rating: ['good'], region: ['north-west'] } });
  assert.deepEqual(northWest.all, [ASHDOWN, BIRCHWOOD, DISTRICT, NEW_HOME]);
  // And with improved: both must hold.
  const goodAndBetter = await urls(engine, '', { filters: { rating: ['good'], improved: ['rating'] } });
  assert.deepEqual(goodAndBetter.all, [ASHDOWN, BIRCHWOOD, DISTRICT]);
});

test('the rating filters count like the others, each leaving its own filter out', async () => {
  const { engine } = engineFor(RATINGS_INDEX);
  const count = ['region', 'rating', 'improved'];
  const r = await engine.search('', { filters: { region: ['north-west'], rating: ['good'] }, count });
  assert.deepEqual(r.counts.rating, { outstanding: 1, good: 4, 'requires-improvement': 5, inadequate: 5 });
  assert.deepEqual(r.counts.improved, { rating: 3 });
  assert.equal(r.counts.region['north-west'], 4);
  assert.equal(r.counts.region['east-of-england'], 1);
  // Each count is the number of results once that value is chosen instead.
  for (const [key, n] of Object.entries(r.counts.rating)) {
    const one = await engine.search('', { filters: { region: ['north-west'], rating: [key] } });
    assert.equal(one.total, n, key);
  }
  // Shown best first, not by count, and only values with results.
  const facet = await engine.facet('rating');
  assert.equal(facet.listed, true);
  // (Arrays made from the index's data belong to the loader's realm: copy them to compare.)
  const shown = Array.from(S.facetValues(facet, r.counts.rating, ['good'], '', 10).values, (v) => v.label);
  assert.deepEqual(shown, ['Outstanding', 'Good or better', 'Requires improvement or better', 'Inadequate or better']);
  const region = await engine.facet('region');
  assert.equal(region.listed, false);
});

test('with words, the filters narrow the pages that have them', async () => {
  const { engine } = engineFor(RATINGS_INDEX);
  const homes = await urls(engine, 'homes', {});
  const good = await urls(engine, 'homes', { filters: { rating: ['good'] } });
  const expected = homes.all.filter((u) => [ASHDOWN, BIRCHWOOD, DISTRICT, EAST, NEW_HOME, SOUTH_WEST].includes(u));
  assert.ok(good.all.length > 0);
  assert.deepEqual([...good.all].sort(), [...expected].sort());
});

test('the state is in the address: rating and improved are read and written', () => {
  const state = S.readState('?rating=good&region=north-west&improved=rating');
  assert.deepEqual(state.filters, { region: ['north-west'], rating: ['good'], improved: ['rating'] });
  assert.equal(S.writeState(state), '?region=north-west&rating=good&improved=rating');
});

test('the status line names the filters in force', async () => {
  const { engine } = engineFor(RATINGS_INDEX);
  const labelsOf = async (filters) => {
    const labels = {};
    for (const f of Object.keys(filters)) {
      labels[f] = Object.fromEntries((await engine.facet(f)).values.map((v) => [v.key, v.label]));
    }
    return labels;
  };
  const say = async (q, state) => {
    const result = await engine.search(q, { filters: state.filters, range: state.range });
    const words = S.filterWords(state, await labelsOf(state.filters), engine.manifest().numbers);
    return S.describe(result, q, words);
  };
  assert.equal(await say('', { filters: { rating: ['good'], region: ['north-west'] } }),
    '4 results in North West, rated Good or better.');
  assert.equal(await say('', { filters: { type: ['case-study'], rating: ['good'], region: ['north-west'] } }),
    '4 case studies in North West, rated Good or better.');
  assert.equal(await say('', { filters: { type: ['programme'], improved: ['rating'] } }),
    '1 programme whose CQC rating improved.');
  assert.equal(await say('falls', { filters: { region: ['north-west'], setting: ['care-home'], rating: ['requires-improvement'] } }),
    'No results for “falls” in North West, Care home, rated Requires improvement or better.');
  assert.equal(await say('', { filters: { rating: ['outstanding', 'requires-improvement'] } }),
    '9 results rated Requires improvement or better.');
  assert.equal(await say('', { filters: { region: ['north-west', 'london'] }, range: { key: 'count:falls', max: 5 } }),
    '1 result in North West or London, with Falls (count) at most 5.');
});

test('cards carry the headline outcome: the first, or the one the page names', async () => {
  const { engine } = engineFor(RATINGS_INDEX);
  const { items } = await run(engine, '', { filters: { type: ['case-study', 'programme'] } }, 20);
  const headline = Object.fromEntries(items.map((i) => [i.card.u, i.card.h]));
  assert.equal(headline[ASHDOWN], 'Ashdown House went from Requires improvement to Good');
  assert.equal(headline[BIRCHWOOD], 'Birchwood Lodge went from Good to Outstanding', 'headline: cqc-overall-rating');
  assert.equal(headline[DISTRICT], '56 of 60 homes rated Good (93.3%)', 'headline: 2');
  assert.equal(headline[FERNLEA], '1 home', 'a unit of one is singular');
  assert.equal(headline[TURNAROUND], 'The first home supported went from Inadequate to Requires improvement');
});

test('the outcome filter lists every kind of figure with a number, each kind named', () => {
  const src = fs.readFileSync(path.join(FIXTURE_INDEX, 'manifest.js'), 'utf8');
  const manifest = JSON.parse(src.slice(src.indexOf(',') + 1, src.lastIndexOf(')')));
  const units = {};
  for (const f of manifest.numbers) units[f.key.split(':')[0]] = f.unit;
  assert.deepEqual(units, { count: 'count', measure: 'measure', money: '£', 'relative-change': '% change', score: 'score', share: '%' });
  // A metric stated as several kinds gets one entry per kind, told apart by the unit.
  const uti = manifest.numbers.filter((f) => f.key.endsWith(':uti-incidence')).map((f) => `${f.label} (${f.unit})`);
  assert.deepEqual(uti, ['Urinary tract infections (count)', 'Urinary tract infections (measure)', 'Urinary tract infections (% change)']);
});
