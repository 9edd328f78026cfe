/* casebook search, pure logic (no DOM; search.js is the glue). A classic script, so that it
   loads from file://: global `CasebookSearch`, or a CommonJS module under node. The build
   ships it without comments or indentation (src/render/minify.rs); its 12 KB gzipped budget
   counts what is shipped. It is one file of ~770 lines because it is one classic script with
   no module loader: the tokeniser, the shard decoders (search/codec.rs's formats), the engine
   (matching with prefixes and typos, facets, numbers, ranking), and excerpts, the address
   state and the words describing a result; splitting it would cost the reader a request per
   part. */
(function (root) {
  'use strict';

  // Same string as FOLD_TABLE in src/search/text.rs (a Rust test compares them).
  var FOLD = "àa áa âa ãa äa åa āa ăa ąa æae çc ćc ĉc ċc čc ďd đd ðd èe ée êe ëe ēe ĕe ėe ęe ěe ĝg ğg ġg ģg ĥh ħh ìi íi îi ïi ĩi īi ĭi įi ıi ĵj ķk ĺl ļl ľl ŀl łl ñn ńn ņn ňn òo óo ôo õo öo øo ōo ŏo őo œoe ŕr ŗr řr śs ŝs şs šs ßss ţt ťt ŧt þth ùu úu ûu üu ũu ūu ŭu ůu űu ųu ŵw ýy ÿy ŷy źz żz žz";
  var MAX_TOKEN = 40;
  var MIN_PREFIX = 3;
  var PREFIX_TOP = 20;
  var WEIGHT = { exact: 1, prefix: 0.7, longer: 0.2, typo1: 0.5, typo2: 0.35 };
  var FACETS = ['type', 'region', 'setting', 'key_question', 'rating', 'improved', 'topic', 'organisation', 'programme'];
  // The rating filter's values, best first: they nest, so several chosen mean the last.
  var RATINGS = ['outstanding', 'good', 'requires-improvement', 'inadequate'];
  // How the status line names the filters after the type, in this order: the words before and
  // after their values' labels (region and care setting share one "in").
  var SAY = [['region', 'in '], ['setting', 'in '], ['key_question', 'on the ', ' key question'],
    ['rating', 'rated '], ['improved', 'whose ', ' improved'], ['topic', 'about '],
    ['organisation', 'by '], ['programme', 'from ']];

  var foldMap = {};
  FOLD.split(' ').forEach(function (e) {
    var chars = Array.from(e);
    foldMap[chars[0]] = chars.slice(1).join('');
  });
  var WORD = /[\p{Alphabetic}\p{N}]/u;
  var isWord = function (c) { return c !== undefined && WORD.test(c); };
  var isDigit = function (c) { return c !== undefined && c >= '0' && c <= '9'; };

  /** Lower case, combining marks dropped, Latin letters folded (é → e, ß → ss). */
  function normalise(text) {
    var out = '';
    for (var c of text.toLowerCase()) {
      var code = c.codePointAt(0);
      if (code < 128) out += c;
      else if (code < 0x300 || code > 0x36f) out += foldMap[c] !== undefined ? foldMap[c] : c;
    }
    return out;
  }

  /** Tokens as the indexer makes them; `partsOnly` drops hyphenated words' joined form. */
  function tokens(text, partsOnly) {
    var out = [];
    var chars = Array.from(normalise(text));
    var word = '';
    var parts = [];
    var keep = function (t) { return Array.from(t).length <= MAX_TOKEN; };
    var flush = function () {
      if (word) parts.push(word);
      parts.forEach(function (p) { if (keep(p)) out.push(p); });
      var joined = parts.join('');
      if (parts.length > 1 && !partsOnly && keep(joined)) out.push(joined);
      parts = [];
      word = '';
    };
    for (var i = 0; i < chars.length; i++) {
      var c = chars[i], prev = chars[i - 1], next = chars[i + 1];
      var words = isWord(prev) && isWord(next), digits = isDigit(prev) && isDigit(next);
      if (isWord(c)) word += c;
      else if (word && ((/['\u2019\u02bc]/.test(c) && words) || (c === ',' && digits))) continue;
      else if (word && c === '.' && digits) word += '.';
      else if (word && /[-\u2010\u2011]/.test(c) && words) { parts.push(word); word = ''; }
      else flush();
    }
    flush();
    return out;
  }

  /** A query: required terms (the last may be a prefix), excluded words, quoted phrases. */
  function parseQuery(q) {
    var terms = [], excluded = [], phrases = [], seen = {};
    var add = function (t, prefix) {
      if (seen[t] !== undefined) { terms[seen[t]].prefix = terms[seen[t]].prefix && prefix; return; }
      seen[t] = terms.length;
      terms.push({ token: t, prefix: prefix });
    };
    var re = /(-?)"([^"]*)"?|(\S+)/g, m, last = null;
    while ((m = re.exec(q))) {
      if (m[2] !== undefined) {
        var ph = tokens(m[2], true);
        if (m[1]) { excluded.push.apply(excluded, ph); continue; }
        if (ph.length > 1) phrases.push(ph);
        ph.forEach(function (t) { add(t, false); });
        last = null;
      } else if (m[3].length > 1 && m[3][0] === '-') {
        excluded.push.apply(excluded, tokens(m[3].slice(1), true));
        last = null;
      } else {
        var ts = tokens(m[3], true);
        ts.forEach(function (t) { add(t, false); });
        last = ts.length ? ts[ts.length - 1] : null;
      }
    }
    if (last && !/\s$/.test(q) && Array.from(last).length >= MIN_PREFIX) terms[seen[last]].prefix = true;
    return { terms: terms, excluded: excluded, phrases: phrases };
  }

  /** Damerau-Levenshtein (OSA) distance, or max+1 once past `max`. */
  function distance(a, b, max) {
    a = Array.from(a); b = Array.from(b);
    if (Math.abs(a.length - b.length) > max) return max + 1;
    var prev2 = null, prev = [], i, j;
    for (j = 0; j <= b.length; j++) prev[j] = j;
    for (i = 1; i <= a.length; i++) {
      var cur = [i], best = i;
      for (j = 1; j <= b.length; j++) {
        var cost = a[i - 1] === b[j - 1] ? 0 : 1;
        var v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
        if (prev2 && i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2] + 1);
        cur[j] = v;
        if (v < best) best = v;
      }
      if (best > max) return max + 1;
      prev2 = prev; prev = cur;
    }
    return prev[b.length];
  }

  /** Typo budget by length: 1 from 5 letters, 2 from 9. */
  function typoBudget(token) {
    var n = Array.from(token).length;
    return n >= 9 ? 2 : n >= 5 ? 1 : 0;
  }

  function unbase64(s) {
    var bin = atob(s), out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }

  // decoding: the formats of src/search/codec.rs

  function Reader(bytes) { this.b = bytes; this.at = 0; }
  Reader.prototype.varint = function () {
    var v = 0, mul = 1, byte;
    do {
      if (this.at >= this.b.length) throw new Error('corrupt search shard');
      byte = this.b[this.at++];
      v += (byte & 127) * mul;
      mul *= 128;
    } while (byte & 128);
    return v;
  };

  function readIds(r, len, n, dense) {
    var ids = new Uint32Array(len), k = 0, i;
    if (dense) {
      var bytes = Math.ceil(n / 8);
      for (i = 0; i < bytes; i++) {
        var byte = r.b[r.at + i];
        for (var bit = 0; byte && bit < 8; bit++) if (byte & (1 << bit)) ids[k++] = i * 8 + bit;
      }
      r.at += bytes;
    } else {
      var last = 0;
      for (i = 0; i < len; i++) { last = i ? last + r.varint() : r.varint(); ids[i] = last; }
    }
    return ids;
  }

  /** A doc set: `(len << 1 | dense)` then ids. */
  function decodeDocSet(r, n) {
    var head = r.varint();
    return readIds(r, Math.floor(head / 2), n, head & 1);
  }

  /** Vocabulary shard → { words (sorted), stems, df, scale, shard (its postings shard), part
      (the part of that shard's positions with its stem), hashes: { shard: hash } }. */
  function decodeVocab(bytes) {
    var r = new Reader(bytes), count = r.varint(), dec = new TextDecoder();
    var words = [], stems = new Uint32Array(count), df = new Uint32Array(count), scale = new Uint32Array(count), shard = new Uint32Array(count), part = new Uint32Array(count);
    var prev = new Uint8Array(0), hashes = {}, i;
    for (i = 0; i < count; i++) {
      var shared = r.varint(), len = r.varint();
      var w = new Uint8Array(shared + len);
      w.set(prev.subarray(0, shared));
      w.set(bytes.subarray(r.at, r.at + len), shared);
      r.at += len;
      words.push(dec.decode(w));
      stems[i] = r.varint();
      df[i] = r.varint();
      scale[i] = r.varint();
      shard[i] = r.varint();
      part[i] = r.varint();
      prev = w;
    }
    for (i = r.varint(); i > 0; i--) {
      var j = r.varint(), h = '';
      for (var k = 0; k < 4; k++) h += (256 + bytes[r.at++]).toString(16).slice(1);
      hashes[j] = h;
    }
    return { words: words, stems: stems, df: df, scale: scale, shard: shard, part: part, hashes: hashes };
  }

  /** Postings or positions shard → { first, offsets, lens } (records: `postingsOf`, `placesOf`). */
  function decodePostingsShard(bytes) {
    var r = new Reader(bytes), first = r.varint(), count = r.varint(), offsets = [], lens = [];
    for (var i = 0; i < count; i++) { var len = r.varint(); offsets.push(r.at); lens.push(len); r.at += len; }
    return { first: first, offsets: offsets, lens: lens, bytes: bytes };
  }

  function postingsOf(shard, stem, n) {
    var r = new Reader(shard.bytes);
    r.at = shard.offsets[stem - shard.first];
    var head = r.varint(), len = Math.floor(head / 2);
    var docs = readIds(r, len, n, head & 1);
    var impacts = shard.bytes.subarray(r.at, r.at + len);
    return { docs: docs, impacts: impacts };
  }

  /** A stem's positions record → per doc of its postings, its word positions; null for a
      little word whose positions are not kept. Each is `gap << 1 | is_last`. */
  function placesOf(shard, stem, docs) {
    var r = new Reader(shard.bytes), out = [], at, list, v;
    if (!shard.lens[stem - shard.first]) return null;
    r.at = shard.offsets[stem - shard.first];
    for (; docs > 0; docs--) {
      out.push(list = []);
      at = 0;
      do { v = r.varint(); list.push(at += Math.floor(v / 2)); } while (v % 2 === 0);
    }
    return out;
  }

  /** → Float64Array(n), NaN where no value. */
  function decodeNumeric(bytes, n) {
    var r = new Reader(bytes), count = r.varint(), out = new Float64Array(n).fill(NaN), doc = 0;
    for (var i = 0; i < count; i++) {
      doc = i ? doc + r.varint() : r.varint();
      var z = r.varint();
      out[doc] = (z % 2 ? -(z + 1) / 2 : z / 2) / 100;
    }
    return out;
  }

  /** Facet file → { values: [{ key, label, count, ids }], listed (show values in this order) }. */
  function decodeFacet(data, n) {
    var r = new Reader(unbase64(data.ids));
    return {
      values: data.values.map(function (v) {
        return { key: v[0], label: v[1], count: v[2], ids: decodeDocSet(r, n) };
      }),
      listed: data.listed === true,
    };
  }

  function lowerBound(arr, x) {
    var lo = 0, hi = arr.length;
    while (lo < hi) { var mid = (lo + hi) >> 1; if (arr[mid] < x) lo = mid + 1; else hi = mid; }
    return lo;
  }
  /** Index of the last element <= x, or -1. */
  function floorIndex(arr, x) {
    var lo = 0, hi = arr.length;
    while (lo < hi) { var mid = (lo + hi) >> 1; if (arr[mid] <= x) lo = mid + 1; else hi = mid; }
    return lo - 1;
  }

  // the engine

  /** An engine over one site's shards; `loadScript(path)` runs `search/<path>`, which calls
      `engine.register`. */
  function createEngine(loadScript) {
    var registry = {}, pending = {}, m = null, n = 0;
    var vocab = {}, postings = {}, spots = {}, facets = {}, numbers = {}, decoded = new Map(), places = new Map();
    var allVocab = false;

    function register(key, data) {
      registry[key] = data;
    }

    function load(key, path) {
      if (key in registry) return Promise.resolve(registry[key]);
      if (!pending[key]) {
        pending[key] = Promise.resolve(loadScript(path)).then(function () {
          delete pending[key];
          if (!(key in registry)) throw new Error('search: ' + path + ' did not register ' + key);
          return registry[key];
        }, function (e) { delete pending[key]; throw e; });
      }
      return pending[key];
    }

    function init() {
      return load('manifest', 'manifest.js').then(function (manifest) {
        m = manifest;
        n = m.n;
        return m;
      });
    }

    function hash(list, i) { return list.slice(i * 8, i * 8 + 8); }

    function vocabShard(i) {
      if (vocab[i]) return Promise.resolve(vocab[i]);
      return load('v/' + i, 'v/' + i + '.' + hash(m.vh, i) + '.js').then(function (b64) {
        return (vocab[i] = decodeVocab(unbase64(b64)));
      });
    }

    function postingsShard(j, h) {
      if (postings[j]) return Promise.resolve(postings[j]);
      return load('p/' + j, 'p/' + j + '.' + h + '.js').then(function (b64) {
        return (postings[j] = decodePostingsShard(unbase64(b64)));
      });
    }

    /** A stem's word positions, per doc of its (decoded) postings: fetched for phrases only. */
    function positions(stem, c) {
      if (places.has(stem)) return Promise.resolve(places.get(stem));
      var key = 'pos/' + c.shard + '-' + c.part;
      return load(key, key + '.' + c.hash + '.js').then(function (b64) {
        if (!spots[key]) spots[key] = decodePostingsShard(unbase64(b64));
        places.set(stem, placesOf(spots[key], stem, decoded.get(stem).docs.length));
        return places.get(stem);
      });
    }

    /** A test of whether a doc has every phrase, word after word (by the words' exact stems),
        for docs asked in ascending order; a little word without positions stands for any word. */
    function phraseTest(parsed, resolved) {
      var exact = function (t) {
        var hit = null;
        resolved[parsed.terms.findIndex(function (x) { return x.token === t; })].forEach(function (c, s) {
          if (c.kind === 'exact') hit = { stem: s, c: c };
        });
        return hit;
      };
      var phrases = parsed.phrases.map(function (p) { return p.map(exact); });
      var words = [].concat.apply([], phrases);
      if (words.indexOf(null) >= 0) return function () { return false; };
      return Promise.all(words.map(function (w) { return positions(w.stem, w.c); })).then(function () {
        // Docs are asked in ascending order: each word keeps a cursor into its postings.
        var ws = phrases.map(function (p) {
          return p.map(function (w) { return { docs: decoded.get(w.stem).docs, places: places.get(w.stem), at: 0 }; });
        });
        var here = function (w, doc) {
          while (w.at < w.docs.length && w.docs[w.at] < doc) w.at++;
          return w.docs[w.at] === doc;
        };
        return function (doc) {
          return ws.every(function (phrase) {
            var anchor = -1;
            for (var k = 0; k < phrase.length; k++) {
              if (!phrase[k].places) continue;
              if (!here(phrase[k], doc)) return false;
              if (anchor < 0) anchor = k;
            }
            if (anchor < 0) return true;
            // The anchor's positions that each other word follows at its distance (both lists
            // ascending: one walk each).
            var starts = phrase[anchor].places[phrase[anchor].at];
            for (k = anchor + 1; k < phrase.length && starts.length; k++) {
              if (!phrase[k].places) continue;
              var list = phrase[k].places[phrase[k].at], kept = [], j = 0;
              for (var i = 0; i < starts.length; i++) {
                while (j < list.length && list[j] < starts[i] + k - anchor) j++;
                if (list[j] === starts[i] + k - anchor) kept.push(starts[i]);
              }
              starts = kept;
            }
            return starts.length > 0;
          });
        };
      });
    }

    function facet(key) {
      if (facets[key]) return Promise.resolve(facets[key]);
      var f = m.facets.filter(function (x) { return x.key === key; })[0];
      if (!f) return Promise.resolve(null);
      return load('f/' + key, 'f/' + key + '.' + f.h + '.js').then(function (data) {
        return (facets[key] = decodeFacet(data, n));
      });
    }

    function numeric(key) {
      if (numbers[key]) return Promise.resolve(numbers[key]);
      var i = -1, h = m.date;
      if (key === 'date') i = 'date';
      else m.numbers.forEach(function (f, k) { if (f.key === key) { i = k; h = f.h; } });
      if (i === -1) return Promise.resolve(null);
      return load('n/' + i, 'n/' + i + '.' + h + '.js').then(function (b64) {
        return (numbers[key] = decodeNumeric(unbase64(b64), n));
      });
    }

    function card(doc) {
      return load('d/' + doc, 'd/' + m.cards + '/' + doc + '.js');
    }

    /** Vocabulary shards whose words may start with `token` (or equal it). */
    function shardRange(token, prefix) {
      var from = Math.max(0, floorIndex(m.v, token));
      var to = prefix ? Math.max(from, floorIndex(m.v, token + '\uffff')) : from;
      var out = [];
      for (var i = from; i <= to && i < m.v.length; i++) out.push(i);
      return out;
    }

    /** A term's candidate stems: Map stem → { weight, kind, shard, hash }. */
    function resolveTerm(term) {
      var shards = shardRange(term.token, term.prefix);
      return Promise.all(shards.map(vocabShard)).then(function (vs) {
        var found = new Map(), budget = typoBudget(term.token);
        var add = function (v, k, weight, kind) {
          var had = found.get(v.stems[k]);
          weight *= v.scale[k];
          if (!had || had.weight < weight) found.set(v.stems[k], { weight: weight, kind: kind, shard: v.shard[k], part: v.part[k], hash: v.hashes[v.shard[k]] });
        };
        var prefixes = [];
        vs.forEach(function (v) {
          var i = lowerBound(v.words, term.token);
          if (v.words[i] === term.token) add(v, i, WEIGHT.exact, 'exact');
          if (term.prefix) {
            for (var k = i; k < v.words.length && v.words[k].startsWith(term.token); k++) {
              if (v.words[k] !== term.token) prefixes.push({ v: v, k: k, stem: v.stems[k], df: v.df[k] });
            }
          }
        });
        prefixes.sort(function (a, b) { return b.df - a.df || a.stem - b.stem; });
        // A complete word typed: a few of its longer forms count, far less, however rare.
        var top = found.size && found.values().next().value.weight;
        prefixes.slice(0, top ? 5 : PREFIX_TOP).forEach(function (p) {
          add(p.v, p.k, top ? WEIGHT.longer * Math.min(1, top / p.v.scale[p.k]) : WEIGHT.prefix, 'prefix');
        });
        var typos = function (shardsToScan) {
          shardsToScan.forEach(function (v) {
            for (var k = 0; k < v.words.length; k++) {
              var d = distance(term.token, v.words[k], budget);
              if (d > 0 && d <= budget) add(v, k, d === 1 ? WEIGHT.typo1 : WEIGHT.typo2, 'typo');
            }
          });
        };
        if (found.size === 0 && budget > 0) {
          typos(vs);
          if (found.size === 0 && !allVocab) {
            var every = m.v.map(function (_, i) { return i; });
            return Promise.all(every.map(vocabShard)).then(function (all) {
              allVocab = true;
              typos(all);
              return found;
            });
          }
        }
        return found;
      });
    }

    /** A term's docs and best weighted impact per doc. */
    function termDocs(candidates) {
      var stems = Array.from(candidates.keys());
      return Promise.all(stems.map(function (s) {
        var c = candidates.get(s);
        return postingsShard(c.shard, c.hash);
      })).then(function () {
        var scores = new Float64Array(n), docs = [];
        stems.forEach(function (s) {
          var p = decoded.get(s), c = candidates.get(s), w = c.weight;
          if (!p) decoded.set(s, (p = postingsOf(postings[c.shard], s, n)));
          for (var i = 0; i < p.docs.length; i++) {
            var d = p.docs[i], v = w * p.impacts[i];
            if (scores[d] === 0) docs.push(d);
            if (v > scores[d]) scores[d] = v;
          }
        });
        return { scores: scores, docs: docs };
      });
    }

    /** Loaded words whose stem is in `stems` (to highlight). */
    function surfaceForms(stems) {
      var out = [];
      Object.keys(vocab).forEach(function (i) {
        var v = vocab[i];
        for (var k = 0; k < v.words.length; k++) if (stems.has(v.stems[k])) out.push(v.words[k]);
      });
      return out;
    }

    /** Runs a query; opts: { filters: { facet: [keys] }, range: { key, min, max }, sort:
        'relevance' | 'date', count: [facets to count] }. */
    function search(query, opts) {
      opts = opts || {};
      var parsed = typeof query === 'string' ? parseQuery(query) : query;
      var filters = opts.filters || {};
      var active = Object.keys(filters).filter(function (f) { return filters[f] && filters[f].length; });
      var range = opts.range && opts.range.key && (isFinite(opts.range.min) || isFinite(opts.range.max)) ? opts.range : null;
      var countKeys = opts.count || [];
      var needFacets = active.concat(countKeys);
      return init().then(function () {
        return Promise.all([
          Promise.all(parsed.terms.map(resolveTerm)),
          Promise.all(parsed.excluded.map(function (t) { return resolveTerm({ token: t, prefix: false }); })),
          Promise.all(needFacets.map(facet)),
          range ? numeric(range.key) : null,
          opts.sort === 'date' || !parsed.terms.length ? numeric('date') : null,
        ]);
      }).then(function (r) {
        var resolved = r[0], excludedStems = r[1], column = r[3], dates = r[4];
        var unknown = parsed.terms.filter(function (t, i) { return resolved[i].size === 0; }).map(function (t) { return t.token; });
        return Promise.all(resolved.map(termDocs)).then(function (lists) {
          return Promise.all(excludedStems.map(function (c) {
            var exact = new Map();
            c.forEach(function (v, s) { if (v.kind === 'exact') exact.set(s, v); });
            return termDocs(exact);
          }).concat(parsed.phrases.length ? phraseTest(parsed, resolved) : null)).then(function (excl) {
            var phrase = excl.pop();
            return finish(parsed, lists, excl, phrase, unknown, resolved, column, dates, filters, active, range, countKeys, opts);
          });
        });
      });
    }

    /** The result from the terms' doc lists: candidates (AND, or OR when no page has every
        word and there is no phrase), less phrase misses, exclusions and pages out of range;
        facet counts, each leaving its own facet's filter out; the filtered docs, ranked. */
    function finish(parsed, lists, excl, phrase, unknown, resolved, column, dates, filters, active, range, countKeys, opts) {
      var mode, score = new Float64Array(n), cand = new Uint8Array(n), d, i;
      if (!parsed.terms.length) {
        if (!active.length && !range) return { docs: [], total: 0, mode: 'empty', unknown: [], marks: [], prefixes: [], counts: {} };
        mode = 'browse';
        cand.fill(1);
      } else {
        mode = 'and';
        var live = lists.filter(function (l) { return l.docs.length; });
        if (live.length === lists.length) {
          var smallest = lists.slice().sort(function (a, b) { return a.docs.length - b.docs.length; })[0];
          smallest.docs.forEach(function (doc) {
            if (lists.every(function (l) { return l.scores[doc] > 0; })) cand[doc] = 1;
          });
        }
        var any = false;
        for (i = 0; i < n && !any; i++) any = cand[i] === 1;
        if (!any && lists.length > 1 && !parsed.phrases.length) {
          mode = 'or';
          live.forEach(function (l) { l.docs.forEach(function (doc) { cand[doc] = 1; }); });
        }
        if (phrase) for (d = 0; d < n; d++) if (cand[d] && !phrase(d)) cand[d] = 0;
        lists.forEach(function (l) { l.docs.forEach(function (doc) { if (cand[doc]) score[doc] += l.scores[doc]; }); });
      }
      excl.forEach(function (l) { l.docs.forEach(function (doc) { cand[doc] = 0; }); });
      if (range) {
        var lo = isFinite(range.min) ? range.min : -Infinity, hi = isFinite(range.max) ? range.max : Infinity;
        for (d = 0; d < n; d++) if (cand[d] && !(column && column[d] >= lo && column[d] <= hi)) cand[d] = 0;
      }
      // One mask per active facet (values OR'ed), so that counts can leave their own out.
      var masks = {};
      active.forEach(function (f) {
        var mask = new Uint8Array(n), wanted = filters[f];
        (facets[f] ? facets[f].values : []).forEach(function (v) {
          if (wanted.indexOf(v.key) >= 0) v.ids.forEach(function (doc) { mask[doc] = 1; });
        });
        masks[f] = mask;
      });
      var counts = {};
      countKeys.forEach(function (f) {
        if (!facets[f]) return;
        var base = new Uint8Array(n);
        for (d = 0; d < n; d++) {
          if (!cand[d]) continue;
          var ok = 1;
          for (var k = 0; k < active.length && ok; k++) if (active[k] !== f && !masks[active[k]][d]) ok = 0;
          base[d] = ok;
        }
        var c = {};
        facets[f].values.forEach(function (v) {
          var t = 0;
          for (var j = 0; j < v.ids.length; j++) t += base[v.ids[j]];
          c[v.key] = t;
        });
        counts[f] = c;
      });
      var docs = [];
      for (d = 0; d < n; d++) {
        if (!cand[d]) continue;
        var pass = true;
        for (i = 0; i < active.length && pass; i++) pass = masks[active[i]][d] === 1;
        if (pass) docs.push(d);
      }
      var date = function (x) { return dates && dates[x] === dates[x] ? dates[x] : 0; };
      // Without words there is no relevance: filters alone list their pages newest first.
      if (opts.sort === 'date' || mode === 'browse') {
        docs.sort(function (a, b) { return date(b) - date(a) || score[b] - score[a] || a - b; });
      } else {
        // One key per doc: score, then doc.
        var keys = new Float64Array(docs.length);
        docs.forEach(function (x, k) { keys[k] = Math.round(score[x]) * 1048576 + 1048575 - x; });
        keys.sort().reverse();
        docs = Array.from(keys, function (k) { return 1048575 - (k % 1048576); });
      }
      var stems = new Set();
      resolved.forEach(function (c) { c.forEach(function (_, s) { stems.add(s); }); });
      return {
        docs: docs, scores: docs.map(function (x) { return score[x]; }), total: docs.length, mode: mode,
        unknown: unknown, marks: surfaceForms(stems),
        prefixes: parsed.terms.filter(function (t) { return t.prefix; }).map(function (t) { return t.token; }),
        counts: counts,
      };
    }

    /** Cards of `docs`, in order. */
    function cards(docs) {
      return Promise.all(docs.map(card));
    }

    /** The cards of results `from` to `from + size`. */
    function page(result, from, size) {
      var slice = result.docs.slice(from, from + size);
      return cards(slice).then(function (cs) {
        return slice.map(function (doc, i) { return { doc: doc, card: cs[i] }; });
      });
    }

    return {
      register: register, init: init, search: search, page: page, cards: cards, facet: facet,
      manifest: function () { return m; },
    };
  }

  var RUN = /[\p{Alphabetic}\p{N}\p{M}]+(?:['\u2019\u02bc.,\-\u2010\u2011][\p{Alphabetic}\p{N}\p{M}]+)*/gu;

  // presentation helpers

  /**
   * An excerpt of `text` from just before the first marked word: segments { text, mark },
   * about `words` words long, … where cut. `marks` are surface forms; words starting with one
   * of `prefixes` are marked too.
   */
  function excerpt(text, marks, prefixes, words) {
    words = words || 30;
    var set = new Set(marks || []), runs = [], m;
    var hit = function (t) {
      return set.has(t) || (prefixes || []).some(function (p) { return t.startsWith(p); });
    };
    var marked = function (w) {
      var lower = w.toLowerCase();
      return /^[a-z0-9]+$/.test(lower) ? hit(lower) : tokens(w).some(hit);
    };
    RUN.lastIndex = 0;
    var firstMark = -1;
    while ((firstMark < 0 || runs.length < firstMark + words) && (m = RUN.exec(text))) {
      runs.push({ start: m.index, end: m.index + m[0].length, mark: marked(m[0]) });
      if (firstMark < 0 && runs[runs.length - 1].mark) firstMark = runs.length - 1;
    }
    if (m && RUN.exec(text)) runs.more = true;
    if (!runs.length) return [];
    var i, bestAt = Math.max(0, firstMark - 3);
    if (runs.length <= words) bestAt = 0;
    var lastAt = Math.min(runs.length, bestAt + words) - 1;
    var first = runs[bestAt], last = runs[lastAt];
    var end = lastAt === runs.length - 1 && !runs.more ? text.length : last.end;
    var out = [], at = bestAt ? first.start : 0;
    if (bestAt > 0) out.push({ text: '…', mark: false });
    for (i = bestAt; i < runs.length && runs[i].start <= last.start; i++) {
      if (!runs[i].mark) continue;
      if (runs[i].start > at) out.push({ text: text.slice(at, runs[i].start), mark: false });
      out.push({ text: text.slice(runs[i].start, runs[i].end), mark: true });
      at = runs[i].end;
    }
    if (end > at) out.push({ text: text.slice(at, end), mark: false });
    if (end < text.length) out.push({ text: '…', mark: false });
    return out.map(function (s) { return { text: s.text.replace(/\s+/g, ' '), mark: s.mark }; });
  }

  /** The link to a result from the search page (at `<base>/search/`), relative so that it
      works under any base path and from file:// (where folders need index.html). */
  function resultHref(url, isFile) {
    return '../' + url.replace(/^\//, '') + (isFile && /\/$/.test(url) ? 'index.html' : '');
  }

  /** The state in a URL query string: q, facets (repeated), metric, min, max, sort. */
  function readState(search) {
    var p = new URLSearchParams(search), filters = {};
    FACETS.forEach(function (f) { var v = p.getAll(f).filter(Boolean); if (v.length) filters[f] = v; });
    var num = function (k) { var v = p.get(k); return v === null || v === '' || isNaN(+v) ? undefined : +v; };
    return {
      q: p.get('q') || '', filters: filters, sort: p.get('sort') === 'date' ? 'date' : 'relevance',
      range: { key: p.get('metric') || '', min: num('min'), max: num('max') },
    };
  }

  function writeState(state) {
    var p = new URLSearchParams();
    if (state.q) p.append('q', state.q);
    FACETS.forEach(function (f) { ((state.filters || {})[f] || []).forEach(function (v) { p.append(f, v); }); });
    var r = state.range || {};
    if (r.key) {
      p.append('metric', r.key);
      if (isFinite(r.min)) p.append('min', String(r.min));
      if (isFinite(r.max)) p.append('max', String(r.max));
    }
    if (state.sort === 'date') p.append('sort', 'date');
    var s = p.toString();
    return s ? '?' + s : '';
  }

  /** Chosen values, and at most `limit` others with results and words starting with `find`:
      most results first, or in the file's order for a listed facet (the steps of a scale). */
  function facetValues(facet, counts, chosen, find, limit) {
    var want = tokens(find || '', true), n = function (v) { return counts[v.key] || 0; };
    var all = facet.values.filter(function (v) {
      return chosen.indexOf(v.key) >= 0 || n(v) > 0 && want.every(function (w) {
        return (v.words || (v.words = tokens(v.label))).some(function (x) { return x.startsWith(w); });
      });
    });
    if (!facet.listed) all.sort(function (a, b) { return n(b) - n(a) || (a.label < b.label ? -1 : 1); });
    var k = 0;
    return { values: all.filter(function (v) { return chosen.indexOf(v.key) >= 0 || k++ < limit; }), total: all.length };
  }

  /** 'A', 'A or B', 'A, B or C'. */
  function either(list) {
    return list.length > 1 ? list.slice(0, -1).join(', ') + ' or ' + list[list.length - 1] : list.join('');
  }

  /**
   * The filters in force in words, for the live region: `noun` (what the results are, named by
   * the type filter: [one, several]) and `where` ("in North West, Care home, rated Good or
   * better"). `labels` gives each facet's value labels ({ facet: { key: label } }; a key stands
   * in for a missing one); `numbers` is the manifest's list of outcome measures.
   */
  function filterWords(state, labels, numbers) {
    var filters = state.filters || {}, parts = [], noun = null;
    var named = function (f) {
      var keys = filters[f] || [];
      // Ratings nest (Good or better includes Outstanding): the widest chosen says it all.
      if (f === 'rating') keys = RATINGS.filter(function (k) { return keys.indexOf(k) >= 0; }).slice(-1);
      return keys.map(function (k) { return ((labels || {})[f] || {})[k] || k; });
    };
    var types = named('type').map(function (l) { return l.toLowerCase(); });
    if (types.length) noun = [types.join(' or '), types.map(function (l) { return l.replace(/y$/, 'ie') + 's'; }).join(' and ')];
    SAY.forEach(function (say) {
      var values = named(say[0]);
      if (!values.length) return;
      var before = say[1] === 'in ' && parts.length && parts[parts.length - 1].indexOf('in ') === 0 ? '' : say[1];
      parts.push(before + either(values) + (say[2] || ''));
    });
    var r = state.range || {};
    var measure = (numbers || []).filter(function (f) { return f.key === r.key; })[0];
    if (measure && (isFinite(r.min) || isFinite(r.max))) {
      var pct = measure.unit === '%', v = function (x) { return x + (pct ? '%' : ''); };
      parts.push('with ' + measure.label + (measure.unit && !pct ? ' (' + measure.unit + ')' : '') + ' ' +
        (!isFinite(r.max) ? 'at least ' + v(r.min) : !isFinite(r.min) ? 'at most ' + v(r.max) : 'from ' + v(r.min) + ' to ' + v(r.max)));
    }
    return { noun: noun, where: parts.join(', ') };
  }

  /** What the live region says about a result; `words` names the filters (`filterWords`). */
  function describe(result, q, words) {
    var n = result.total, noun = (words && words.noun) || ['result', 'results'];
    var where = words && words.where ? ' ' + words.where : '';
    var count = n === 1 ? '1 ' + noun[0] : n + ' ' + noun[1];
    if (result.mode === 'empty') return 'Type words to search, or choose filters.';
    var unknown = result.unknown.length ? ' No page has the word ' + result.unknown.map(function (w) { return '“' + w + '”'; }).join(', ') + '.' : '';
    if (result.mode === 'or') return 'No page has all the words' + where + '; ' + count + ' with some of them.' + unknown;
    var some = n ? count : 'No ' + noun[1];
    if (result.mode === 'browse') return some + where + '.';
    return some + ' for “' + q.trim() + '”' + where + '.' + unknown;
  }

  var api = {
    FOLD: FOLD, FACETS: FACETS, normalise: normalise, tokens: tokens, parseQuery: parseQuery,
    distance: distance, typoBudget: typoBudget, unbase64: unbase64, decodeVocab: decodeVocab,
    decodePostingsShard: decodePostingsShard, postingsOf: postingsOf, decodeNumeric: decodeNumeric,
    decodeFacet: decodeFacet, createEngine: createEngine, excerpt: excerpt, resultHref: resultHref,
    readState: readState, writeState: writeState, describe: describe, filterWords: filterWords,
    facetValues: facetValues,
  };
  if (typeof module === 'object' && module.exports) module.exports = api;
  else root.CasebookSearch = api;
})(typeof globalThis !== 'undefined' ? globalThis : this);
