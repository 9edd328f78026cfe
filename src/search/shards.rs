//! The index as files under `search/`: each a classic script calling
//! `__CS_SHARD(key, data)`, so that it loads by `<script>` injection from `file://` and under a
//! strict CSP. `data` is base64 of a `codec` format, or a JSON object.
//!
//! | file | key | data |
//! |---|---|---|
//! | `manifest.js` | `manifest` | JSON: N, vocabulary shard boundaries and hashes, facets, numeric fields (postings shards are named by the vocabulary shards, so the manifest stays the same size as N grows) |
//! | `v/<i>.<hash>.js` | `v/<i>` | vocabulary shard |
//! | `p/<i>.<hash>.js` | `p/<i>` | postings shard |
//! | `pos/<i>-<part>.<hash>.js` | `pos/<i>-<part>` | positions shard: the word positions of some stems of `p/<i>`, for quoted phrases |
//! | `f/<facet>.<hash>.js` | `f/<facet>` | JSON: values `[key, label, count]`, `ids`: their doc sets, `listed`: whether the values are shown in this order (else by count) |
//! | `n/<i>.<hash>.js`, `n/date.<hash>.js` | `n/<i>`, `n/date` | numeric column |
//! | `d/<hash>/<doc>.js` | `d/<doc>` | JSON result card |
//!
//! Names carry a hash of their content (cards: of all cards; a postings shard and its positions
//! shards: of them all), so a host may cache them forever; only `manifest.js` keeps its name.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Range;

use rayon::prelude::*;

use serde_json::{Value, json};

use crate::search::codec::{
    self, Hasher, Postings, VocabShard, base64, base64_into, encode_doc_set, encode_numeric,
    encode_positions_shard, encode_postings, encode_postings_shard, encode_vocab_shard,
};
use crate::search::docs::{FACETS, SearchDoc};
use crate::search::index::Index;
use crate::write::OutputFile;

mod card;
pub use card::card;

/// Format version, in the manifest.
pub const FORMAT: u32 = 1;

/// How big shards may grow, in raw (not yet base64) bytes.
#[derive(Debug, Clone, Copy)]
pub struct ShardSizes {
    /// Vocabulary shards.
    pub vocab: usize,
    /// Postings shards (a single stem larger than this gets a shard of its own).
    pub postings: usize,
    /// Positions shards: a postings shard's positions are cut in parts of about this size (a
    /// single stem's may be larger).
    pub positions: usize,
}

impl Default for ShardSizes {
    fn default() -> ShardSizes {
        ShardSizes {
            vocab: 6 * 1024,
            postings: 32 * 1024,
            positions: 64 * 1024,
        }
    }
}

/// What the index files need of each page once its card is written, a page at a time in page
/// order: its facet values and outcome numbers as numbers into tables of the distinct ones
/// (each kept with the label and unit first seen, as the files show), and its date as a
/// number. At 100,000 pages the pages' own copies of these strings took about 1.5 KB a page.
#[derive(Debug, Default)]
pub struct Facts {
    /// Distinct facet values: facet (index into [`FACETS`]), key, label.
    values: Vec<(usize, Box<str>, Box<str>)>,
    /// Per facet: value key → its number in `values`.
    value_ids: Vec<FoldMap<Box<str>, u32>>,
    /// Distinct numeric fields: key, label, unit.
    fields: Vec<(Box<str>, Box<str>, Box<str>)>,
    /// Field key → its number in `fields`.
    field_ids: FoldMap<Box<str>, u32>,
    docs: Vec<DocFacts>,
}

/// A hash map with foldhash's fast hasher (short keys; nothing written depends on its order).
type FoldMap<K, V> = HashMap<K, V, foldhash::fast::FixedState>;

/// One page's [`Facts`].
#[derive(Debug)]
struct DocFacts {
    /// Numbers in [`Facts::values`], in the page's order.
    facets: Box<[u32]>,
    /// Numbers in [`Facts::fields`] with the page's value.
    numbers: Box<[(u32, f64)]>,
    /// The date's digits as a number (`20240501`).
    date: Option<f64>,
}

impl Facts {
    /// The facts of `docs`, in order.
    pub fn of(docs: &[SearchDoc]) -> Facts {
        let mut facts = Facts::default();
        for doc in docs {
            facts.add(doc);
        }
        facts
    }

    /// Adds the next page.
    pub fn add(&mut self, doc: &SearchDoc) {
        if self.value_ids.is_empty() {
            self.value_ids = vec![FoldMap::default(); FACETS.len()];
        }
        let facets = doc
            .facets
            .iter()
            .map(|(facet, value, label)| {
                let ids = &mut self.value_ids[*facet];
                match ids.get(value.as_str()) {
                    Some(id) => *id,
                    None => {
                        let id = self.values.len() as u32;
                        self.values
                            .push((*facet, value.as_str().into(), label.as_str().into()));
                        ids.insert(value.as_str().into(), id);
                        id
                    }
                }
            })
            .collect();
        let numbers = doc
            .numbers
            .iter()
            .map(|(key, label, unit, value)| {
                let id = match self.field_ids.get(key.as_str()) {
                    Some(id) => *id,
                    None => {
                        let id = self.fields.len() as u32;
                        self.fields.push((
                            key.as_str().into(),
                            label.as_str().into(),
                            unit.as_str().into(),
                        ));
                        self.field_ids.insert(key.as_str().into(), id);
                        id
                    }
                };
                (id, *value)
            })
            .collect();
        let date = doc.date.as_ref().and_then(|date| {
            let digits: String = date.chars().filter(char::is_ascii_digit).collect();
            digits.parse::<f64>().ok()
        });
        self.docs.push(DocFacts {
            facets,
            numbers,
            date,
        });
    }

    /// Pages added.
    pub fn len(&self) -> usize {
        self.docs.len()
    }

    /// Whether no page was added.
    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }
}

/// A numeric field while it is gathered: label, unit, `(doc, value)` pairs.
type NumericField<'a> = (&'a str, &'a str, Vec<(u32, f64)>);

/// Bins of the histogram of each numeric field, in the manifest (for sliders).
pub const HISTOGRAM_BINS: usize = 10;

fn script(key: &str, data: &str) -> Vec<u8> {
    let key = Value::from(key).to_string();
    let mut out = Vec::with_capacity(key.len() + data.len() + 16);
    for part in ["__CS_SHARD(", &key, ",", data, ");\n"] {
        out.extend_from_slice(part.as_bytes());
    }
    out
}

fn binary_script(key: &str, bytes: &[u8]) -> Vec<u8> {
    let key = Value::from(key).to_string();
    let mut out = Vec::with_capacity(key.len() + bytes.len().div_ceil(3) * 4 + 20);
    for part in ["__CS_SHARD(", &key, ",\""] {
        out.extend_from_slice(part.as_bytes());
    }
    base64_into(&mut out, bytes);
    out.extend_from_slice(b"\");\n");
    out
}

fn hashed(folder: &str, name: &str, contents: Vec<u8>) -> (String, OutputFile) {
    let hash = codec::hash(&contents);
    (
        hash.clone(),
        OutputFile::new(format!("search/{folder}/{name}.{hash}.js"), contents),
    )
}

/// Every file of the index of `docs`, paths under `search/`, sorted by path; the result cards
/// are made from the docs' `text`.
pub fn index_files(docs: &[SearchDoc], index: &Index, sizes: ShardSizes) -> Vec<OutputFile> {
    let cards: Vec<Vec<u8>> = docs
        .iter()
        .enumerate()
        .map(|(doc, d)| card(doc, d))
        .collect();
    let mut hasher = Hasher::default();
    for contents in &cards {
        hasher.update(contents);
    }
    let cards_hash = hasher.finish();
    let files: Vec<OutputFile> = cards
        .into_iter()
        .enumerate()
        .map(|(doc, contents)| {
            OutputFile::new(format!("{}/{doc}.js", cards_folder(&cards_hash)), contents)
        })
        .collect();
    let files = std::sync::Mutex::new(files);
    let collect = |file| -> Result<(), std::convert::Infallible> {
        files
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(file);
        Ok(())
    };
    match emit_index_files(docs, index, sizes, &cards_hash, collect) {
        Ok(()) => {}
        Err(never) => match never {},
    }
    let mut files = files
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files
}

/// Where result cards are written before the hash of them all, which names their folder, is
/// known (`search/d/<hash>/<doc>.js` once renamed).
pub const PENDING_CARDS: &str = "search/d/new";

/// The folder of the result cards whose hash (of them all) is `cards_hash`.
pub fn cards_folder(cards_hash: &str) -> String {
    format!("search/d/{cards_hash}")
}

/// The final path of a card written under [`PENDING_CARDS`], given the hash of all cards.
pub fn card_path(pending: &str, cards_hash: &str) -> String {
    match pending
        .strip_prefix(PENDING_CARDS)
        .filter(|rest| rest.starts_with('/'))
    {
        Some(rest) => format!("{}{rest}", cards_folder(cards_hash)),
        None => pending.to_owned(),
    }
}

/// Hands every file of the index of `docs` but the result cards to `emit`, in no particular
/// order, stopping at its first error. `cards_hash` names the cards' folder. Each file goes
/// to `emit` as soon as it is made (a shard's postings and positions together, once their
/// hash is known): at 100,000 pages the index files are about 260 MB, never all held.
pub fn emit_index_files<E: Send>(
    docs: &[SearchDoc],
    index: &Index,
    sizes: ShardSizes,
    cards_hash: &str,
    emit: impl Fn(OutputFile) -> Result<(), E> + Sync,
) -> Result<(), E> {
    emit_facts_files(&Facts::of(docs), index, sizes, cards_hash, emit)
}

/// [`emit_index_files`] of pages known by their [`Facts`].
pub fn emit_facts_files<E: Send>(
    docs: &Facts,
    index: &Index,
    sizes: ShardSizes,
    cards_hash: &str,
    emit: impl Fn(OutputFile) -> Result<(), E> + Sync,
) -> Result<(), E> {
    let n = index.n;

    // Postings and positions, first: each vocabulary entry names its stem's postings shard and
    // hash, which is also its positions shards' hash, and the part of them with its stem. The
    // shards are cut in order, then made (and handed to `emit`) on every thread.
    let record_sizes: Vec<usize> = index
        .postings
        .par_iter()
        .map_init(Vec::new, |record, postings| {
            record.clear();
            encode_postings(record, postings, n);
            record.len()
        })
        .collect();
    let postings_shards = cut(&record_sizes, sizes.postings, |size| size + 3);
    let made: Vec<(String, Vec<u32>)> = postings_shards
        .par_iter()
        .enumerate()
        .map(|(i, range)| {
            let (hash, parts, files) = postings_shard(index, i, range.clone(), sizes);
            files.into_iter().try_for_each(&emit)?;
            Ok((hash, parts))
        })
        .collect::<Result<_, E>>()?;
    let mut shard_of_stem: Vec<u32> = vec![0; index.postings.len()];
    let mut part_of_stem: Vec<u32> = Vec::with_capacity(index.postings.len());
    let mut postings_hashes: Vec<String> = Vec::with_capacity(made.len());
    for (i, (range, (hash, parts))) in postings_shards.iter().zip(made).enumerate() {
        shard_of_stem[range.clone()].fill(i as u32);
        part_of_stem.extend(parts);
        postings_hashes.push(hash);
    }

    // Vocabulary.
    let vocab_sizes: Vec<usize> = index.vocab.iter().map(|e| e.surface.len() + 8).collect();
    let vocab_shards = cut(&vocab_sizes, sizes.vocab, |size| size);
    let vocab_hashes: Vec<String> = vocab_shards
        .par_iter()
        .enumerate()
        .map(|(i, range)| {
            let entries = index.vocab[range.clone()].to_vec();
            let postings: Vec<u32> = entries
                .iter()
                .map(|e| shard_of_stem[e.stem as usize])
                .collect();
            let parts: Vec<u32> = entries
                .iter()
                .map(|e| part_of_stem[e.stem as usize])
                .collect();
            let named: BTreeSet<u32> = postings.iter().copied().collect();
            let hashes = named
                .into_iter()
                .map(|j| (j, postings_hashes[j as usize].clone()))
                .collect();
            let data = encode_vocab_shard(&VocabShard {
                entries,
                postings,
                parts,
                hashes,
            });
            let (hash, file) = hashed("v", &i.to_string(), binary_script(&format!("v/{i}"), &data));
            emit(file)?;
            Ok(hash)
        })
        .collect::<Result<_, E>>()?;
    let vocab_first: Vec<&str> = vocab_shards
        .iter()
        .map(|range| index.vocab[range.start].surface.as_str())
        .collect();
    let vocab_hashes = vocab_hashes.concat();

    // Facets.
    let mut facets = Vec::new();
    for (f, facet) in FACETS.iter().enumerate() {
        let mut values: BTreeMap<&str, (&str, Vec<u32>)> = BTreeMap::new();
        for (doc, d) in docs.docs.iter().enumerate() {
            for id in &d.facets {
                let (facet, value, value_label) = &docs.values[*id as usize];
                if *facet == f {
                    let entry = values.entry(value).or_insert((value_label, Vec::new()));
                    if entry.1.last() != Some(&(doc as u32)) {
                        entry.1.push(doc as u32);
                    }
                }
            }
        }
        let mut values: Vec<_> = values.into_iter().collect();
        if let Some(order) = facet.order {
            values.sort_by_key(|(value, _)| order.iter().position(|o| o == value));
        }
        let mut ids = Vec::new();
        let mut listed = Vec::new();
        for (value, (value_label, docs)) in &values {
            encode_doc_set(&mut ids, docs, n);
            listed.push(json!([value, value_label, docs.len()]));
        }
        let mut data = json!({ "values": listed, "ids": base64(&ids) });
        if facet.order.is_some() {
            data["listed"] = json!(true);
        }
        let key = facet.key;
        let (hash, file) = hashed("f", key, script(&format!("f/{key}"), &data.to_string()));
        emit(file)?;
        facets.push(json!({ "key": key, "label": facet.label, "h": hash, "size": values.len() }));
    }

    // Numeric fields.
    let mut fields: BTreeMap<&str, NumericField<'_>> = BTreeMap::new();
    for (doc, d) in docs.docs.iter().enumerate() {
        for (id, value) in &d.numbers {
            let (key, label, unit) = &docs.fields[*id as usize];
            fields
                .entry(key)
                .or_insert((label, unit, Vec::new()))
                .2
                .push((doc as u32, *value));
        }
    }
    let mut numbers = Vec::new();
    for (i, (key, (label, unit, pairs))) in fields.iter().enumerate() {
        let (hash, file) = hashed(
            "n",
            &i.to_string(),
            binary_script(&format!("n/{i}"), &encode_numeric(pairs)),
        );
        emit(file)?;
        let min = pairs.iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
        let max = pairs.iter().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max);
        let mut histogram = [0usize; HISTOGRAM_BINS];
        for (_, value) in pairs {
            let bin = if max > min {
                (((value - min) / (max - min)) * HISTOGRAM_BINS as f64) as usize
            } else {
                0
            };
            histogram[bin.min(HISTOGRAM_BINS - 1)] += 1;
        }
        numbers.push(json!({
            "key": key, "label": label, "unit": unit, "count": pairs.len(),
            "min": min, "max": max, "hist": histogram, "h": hash,
        }));
    }
    let dates: Vec<(u32, f64)> = docs
        .docs
        .iter()
        .enumerate()
        .filter_map(|(doc, d)| Some((doc as u32, d.date?)))
        .collect();
    let (date_hash, file) = hashed(
        "n",
        "date",
        binary_script("n/date", &encode_numeric(&dates)),
    );
    emit(file)?;

    let manifest = json!({
        "format": FORMAT,
        "n": n,
        "stems": index.stems.len(),
        "v": vocab_first,
        "vh": vocab_hashes,
        "facets": facets,
        "numbers": numbers,
        "date": date_hash,
        "cards": cards_hash,
    });
    emit(OutputFile::new(
        "search/manifest.js".to_owned(),
        script("manifest", &manifest.to_string()),
    ))
}

/// Cuts items of these sizes into consecutive ranges: a range ends before the item that would
/// take it over `limit` (counting each item as `cost(size)`), and holds at least one item.
fn cut(sizes: &[usize], limit: usize, cost: impl Fn(usize) -> usize) -> Vec<Range<usize>> {
    let mut ranges = Vec::new();
    let mut start = 0;
    let mut bytes = 0;
    for (i, &size) in sizes.iter().enumerate() {
        if i > start && bytes + size > limit {
            ranges.push(start..i);
            start = i;
            bytes = 0;
        }
        bytes += cost(size);
    }
    if start < sizes.len() {
        ranges.push(start..sizes.len());
    }
    ranges
}

/// The files of postings shard `i`, of the stems `stems`, and of its positions shards: their
/// hash (of them all), the positions part of each stem, and the files.
fn postings_shard(
    index: &Index,
    i: usize,
    stems: Range<usize>,
    sizes: ShardSizes,
) -> (String, Vec<u32>, Vec<OutputFile>) {
    let (from, to) = (stems.start, stems.end);
    let mut scripts = vec![(
        format!("p/{i}"),
        binary_script(
            &format!("p/{i}"),
            &encode_postings_shard(from as u32, &index.postings[from..to], index.n),
        ),
    )];
    let mut part_of_stem = Vec::with_capacity(to - from);
    let mut part_start = from;
    let mut part_bytes = 0;
    for stem in from..=to {
        let size = index.positions.get(stem).map_or(0, Vec::len) + 3;
        if stem == to || (stem > part_start && part_bytes + size > sizes.positions) {
            let part = scripts.len() - 1;
            let key = format!("pos/{i}-{part}");
            let data =
                encode_positions_shard(part_start as u32, &index.positions[part_start..stem]);
            scripts.push((key.clone(), binary_script(&key, &data)));
            part_of_stem.resize(stem - from, part as u32);
            part_start = stem;
            part_bytes = 0;
        }
        part_bytes += size;
    }
    let mut all = Hasher::default();
    for (_, contents) in &scripts {
        all.update(contents);
    }
    let hash = all.finish();
    let files = scripts
        .into_iter()
        .map(|(key, contents)| OutputFile::new(format!("search/{key}.{hash}.js"), contents))
        .collect();
    (hash, part_of_stem, files)
}

/// Reads a shard file back: its key and its data (base64 decoded, or JSON text).
pub fn read_script(contents: &[u8]) -> Option<(String, ShardData)> {
    let text = std::str::from_utf8(contents).ok()?;
    let inner = text
        .trim_end()
        .strip_prefix("__CS_SHARD(")?
        .strip_suffix(");")?;
    let mut stream = serde_json::Deserializer::from_str(inner).into_iter::<Value>();
    let key = stream.next()?.ok()?;
    let rest = inner.get(stream.byte_offset()..)?.strip_prefix(',')?;
    let data: Value = serde_json::from_str(rest).ok()?;
    let data = match data {
        Value::String(b64) => ShardData::Bytes(codec::unbase64(&b64).ok()?),
        other => ShardData::Json(other),
    };
    Some((key.as_str()?.to_owned(), data))
}

/// The data of a shard file.
#[derive(Debug, Clone, PartialEq)]
pub enum ShardData {
    /// A binary format.
    Bytes(Vec<u8>),
    /// A JSON object.
    Json(Value),
}

/// Postings of every stem as stored (for tests and tools): decodes all postings shards.
pub fn read_all_postings(files: &[OutputFile], n: usize) -> Option<Vec<Postings>> {
    let mut shards: Vec<(u32, Vec<Postings>)> = Vec::new();
    for file in files.iter().filter(|f| f.path.starts_with("search/p/")) {
        if let (_, ShardData::Bytes(bytes)) = read_script(&file.contents)? {
            shards.push(codec::decode_postings_shard(&bytes, n).ok()?);
        }
    }
    shards.sort_by_key(|(first, _)| *first);
    Some(shards.into_iter().flat_map(|(_, p)| p).collect())
}
