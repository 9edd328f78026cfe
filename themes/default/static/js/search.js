/* casebook search page: DOM glue around search-core.js. Enhances the GET form of /search/:
   results as you type, facets with counts, an outcome range, sort, URL state, a live region.
   Classic script, no inline handlers, no eval: works from file:// and under a strict CSP.
   Text from the index is only ever set as text (`el()`), never parsed as HTML. */
(function () {
  'use strict';
  var S = window.CasebookSearch;
  var script = document.currentScript;
  var form = document.querySelector('main form.search-form');
  var results = document.getElementById('search-results');
  var status = document.getElementById('search-status');
  var controls = document.getElementById('search-controls');
  if (!S || !script || !form || !results || !status || !controls) return;
  var input = form.querySelector('input[name="q"]');
  var fallback = document.getElementById('search-fallback');
  var toggle = document.getElementById('search-toggle'); // folds the filters on a phone (CSS)
  if (fallback) fallback.hidden = true;

  var PAGE = 10;
  var DEBOUNCE = 40;
  var TOP = 10; // values a filter shows (and adds per "Show more")
  var FIND = 20; // more values: a box to find them
  var LAZY = 60; // more: not loaded until opened (T3)
  var ui = {}, focusNext = null; // per filter: { limit, find, open }
  var isFile = location.protocol === 'file:';
  var base = new URL('../search/', script.src).href;
  var engine = S.createEngine(function (path) {
    return new Promise(function (resolve, reject) {
      var s = document.createElement('script');
      s.src = base + path;
      s.onload = function () { s.remove(); resolve(); };
      s.onerror = function () { s.remove(); reject(new Error('cannot load ' + path)); };
      document.head.appendChild(s);
    });
  });
  window.__CS_SHARD = engine.register;

  var state = S.readState(location.search);
  var seq = 0, current = null, shown = 0, timer = 0;

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function field(id, label, control) {
    var p = el('p', { class: 'search-controls__field' });
    p.append(el('label', { for: id }, label), ' ', control);
    return p;
  }

  var sort, metric, min, max, facetBox;
  function buildControls(m) {
    sort = el('select', { id: 'search-sort' });
    sort.append(el('option', { value: 'relevance' }, 'Relevance'), el('option', { value: 'date' }, 'Newest first'));
    metric = el('select', { id: 'search-metric' });
    metric.append(el('option', { value: '' }, 'Any outcome'));
    m.numbers.forEach(function (f) {
      metric.append(el('option', { value: f.key }, f.label + (f.unit === '%' ? ' (%)' : f.unit ? ' (' + f.unit + ')' : '') + ' – ' + f.count));
    });
    min = el('input', { id: 'search-min', type: 'number', step: 'any', inputmode: 'decimal' });
    max = el('input', { id: 'search-max', type: 'number', step: 'any', inputmode: 'decimal' });
    var range = el('fieldset', { class: 'search-range' });
    range.append(el('legend', {}, 'Outcome figure'), field('search-metric', 'Measure', metric),
      field('search-min', 'At least', min), field('search-max', 'At most', max));
    facetBox = el('div', { class: 'search-facets' });
    controls.append(field('search-sort', 'Sort by', sort), range, facetBox);
    controls.hidden = false;
    if (toggle) {
      toggle.hidden = false;
      toggle.addEventListener('click', function () {
        toggle.setAttribute('aria-expanded', toggle.getAttribute('aria-expanded') !== 'true');
      });
    }
    [sort, metric, min, max].forEach(function (c) { c.addEventListener('change', function () { readControls(); run('push'); }); });
  }

  function syncControls() {
    input.value = state.q;
    if (!sort) return;
    sort.value = state.sort;
    metric.value = state.range.key || '';
    min.value = isFinite(state.range.min) ? state.range.min : '';
    max.value = isFinite(state.range.max) ? state.range.max : '';
  }

  function readControls() {
    state.q = input.value;
    if (!sort) return;
    state.sort = sort.value;
    var num = function (i) { return i.value === '' || isNaN(+i.value) ? undefined : +i.value; };
    state.range = { key: metric.value, min: num(min), max: num(max) };
  }

  /** Large filters count once opened or chosen. */
  function counted() {
    return engine.manifest().facets.filter(function (f) {
      return f.size <= LAZY || (ui[f.key] || {}).open || state.filters[f.key];
    }).map(function (f) { return f.key; });
  }

  function count(my) {
    var opts = { filters: state.filters, range: state.range, sort: state.sort, count: counted() };
    return engine.search(state.q, opts).then(function (result) { if (my === seq) return renderFacets(result, my); });
  }

  function renderFacets(result, my) {
    var all = engine.manifest().facets, keys = counted();
    return Promise.all(all.map(function (f) { return keys.indexOf(f.key) >= 0 ? engine.facet(f.key) : null; })).then(function (data) {
      if (my !== seq) return;
      var focused = document.activeElement && facetBox.contains(document.activeElement) ? document.activeElement.id : null;
      facetBox.textContent = '';
      all.forEach(function (f, i) {
        var u = ui[f.key] || (ui[f.key] = { limit: TOP, find: '' });
        var counts = result.counts[f.key] || {}, chosen = state.filters[f.key] || [], name = f.label.toLowerCase();
        var set = el('fieldset', { class: 'search-facet' }), list = el('ul', { class: 'search-facet__list' });
        var more = el('button', { type: 'button', class: 'search-facet__more' }), note = el('p', { class: 'search-facet__note', role: 'status' });
        set.append(el('legend', {}, f.label));
        if (!data[i]) {
          if (!result.total) return;
          var open = el('button', { type: 'button', id: 'open-' + f.key, class: 'search-facet__more' }, 'Show ' + name + ' filter');
          open.addEventListener('click', function () {
            u.open = true;
            focusNext = 'find-' + f.key;
            count(seq).catch(fail);
          });
          set.append(open);
          return facetBox.append(set);
        }
        var fill = function () {
          var r = S.facetValues(data[i], counts, chosen, u.find, u.limit);
          list.textContent = '';
          r.values.forEach(function (v) {
            var id = 'facet-' + f.key + '-' + v.key.replace(/[^a-z0-9-]/gi, '-');
            var box = el('input', { type: 'checkbox', id: id, value: v.key });
            box.checked = chosen.indexOf(v.key) >= 0;
            box.addEventListener('change', function () {
              var now = (state.filters[f.key] || []).filter(function (k) { return k !== v.key; });
              if (box.checked) now.push(v.key);
              state.filters[f.key] = now;
              readControls();
              run('push');
            });
            var li = el('li');
            li.append(box, ' ', el('label', { for: id }, v.label + ' (' + (counts[v.key] || 0) + ')'));
            list.append(li);
          });
          note.textContent = r.total ? 'Showing ' + r.values.length + ' of ' + r.total : 'None match';
          more.textContent = 'Show ' + Math.min(TOP, r.total - r.values.length) + ' more';
          more.hidden = r.values.length >= r.total;
          return r.total;
        };
        if (!fill() && !u.find) return;
        more.addEventListener('click', function () {
          var at = list.children.length;
          u.limit += TOP;
          fill();
          if (list.children[at]) list.children[at].querySelector('input').focus();
        });
        if (f.size > FIND) {
          var find = el('input', { type: 'search', id: 'find-' + f.key, autocomplete: 'off' });
          find.value = u.find;
          find.addEventListener('input', function () {
            u.find = find.value;
            u.limit = TOP;
            fill();
          });
          set.append(field(find.id, 'Find ' + name, find), note);
        }
        set.append(list, more);
        facetBox.append(set);
      });
      var again = document.getElementById(focusNext) || document.getElementById(focused);
      if (again) again.focus();
      if (again && again.id === focusNext) focusNext = null;
    });
  }

  function renderItems(result, items, list) {
    items.forEach(function (item) {
      var c = item.card, li = el('li', { class: 'search-result' });
      var h = el('h2', { class: 'search-result__title' });
      h.append(el('a', { href: S.resultHref(c.u, isFile) }, c.t));
      var meta = [c.k, c.d].concat(c.f || []).filter(Boolean).join(' · ');
      var text = el('p', { class: 'search-result__excerpt' });
      S.excerpt(c.s + '\n' + c.x, result.marks, result.prefixes, 32).forEach(function (s) {
        text.append(s.mark ? el('mark', {}, s.text) : document.createTextNode(s.text));
      });
      li.append(h, el('p', { class: 'search-result__meta' }, meta));
      if (c.h) li.append(el('p', { class: 'search-result__headline' }, c.h));
      li.append(text);
      list.append(li);
    });
  }

  function render(result, items, words) {
    results.textContent = '';
    if (!items.length) return;
    var list = el('ol', { class: 'search-results__list' });
    renderItems(result, items, list);
    results.append(list);
    shown = items.length;
    if (shown < result.total) {
      var more = el('button', { type: 'button', class: 'search-more' }, 'More results');
      more.addEventListener('click', function () {
        engine.page(result, shown, PAGE).then(function (next) {
          var firstNew = list.children.length;
          renderItems(result, next, list);
          shown += next.length;
          status.textContent = S.describe(result, state.q, words) + ' Showing ' + shown + '.';
          if (shown >= result.total) more.remove();
          var link = list.children[firstNew] && list.children[firstNew].querySelector('a');
          if (link) link.focus();
        });
      });
      results.append(more);
    }
  }

  /** The filters in force in words, with the labels of their values (their files are loaded
      by the search that applied them). */
  function namedFilters() {
    var keys = Object.keys(state.filters).filter(function (f) { return state.filters[f].length; });
    return Promise.all(keys.map(engine.facet)).then(function (data) {
      var labels = {};
      keys.forEach(function (f, i) {
        labels[f] = {};
        (data[i] ? data[i].values : []).forEach(function (v) { labels[f][v.key] = v.label; });
      });
      return S.filterWords(state, labels, engine.manifest().numbers);
    });
  }

  function fail() {
    status.textContent = 'Search could not load its index. Browse the lists instead.';
    if (fallback) fallback.hidden = false;
  }

  function run(history_) {
    var my = ++seq;
    var url = location.pathname + S.writeState(state);
    if (history_ === 'push' && url !== location.pathname + location.search) history.pushState(null, '', url);
    else if (history_ === 'replace') history.replaceState(null, '', url);
    var opts = { filters: state.filters, range: state.range, sort: state.sort };
    if (toggle) {
      var n = Object.keys(state.filters).reduce(function (n, f) { return n + state.filters[f].length; }, state.range.key ? 1 : 0);
      toggle.lastChild.textContent = '(' + n + ' chosen)';
    }
    // Results first, then counts.
    engine.search(state.q, opts)
      .then(function (result) {
        if (my !== seq) return;
        current = result;
        return Promise.all([engine.page(result, 0, PAGE), namedFilters()]).then(function (r) {
          if (my !== seq) return;
          render(result, r[0], r[1]);
          status.textContent = S.describe(result, state.q, r[1]);
          return count(my);
        });
      })
      .catch(function () { if (my === seq) fail(); });
  }

  form.addEventListener('submit', function (e) {
    e.preventDefault();
    clearTimeout(timer);
    readControls();
    run('push');
  });
  input.addEventListener('input', function () {
    clearTimeout(timer);
    timer = setTimeout(function () { readControls(); run('replace'); }, DEBOUNCE);
  });
  window.addEventListener('popstate', function () {
    state = S.readState(location.search);
    syncControls();
    run(null);
  });

  syncControls();
  engine.init().then(function (m) {
    buildControls(m);
    syncControls();
    run(null);
  }, fail);
  S.page = { engine: engine, current: function () { return current; } };
})();
