//! The inverted index: stems, surface forms, and postings with quantised BM25F impacts.
//!
//! Each (document, stem) pair gets one score, BM25F with the field weights of
//! [`FIELD_WEIGHTS`] (k1 1.2, b 0.75, per-field length normalisation), stored as a byte 1–255
//! against the stem's highest score; the stem's [`scale`] (in its vocabulary entries) says how
//! that highest score compares with the index's. A query sums impact × scale over its terms, so
//! ranking needs no document lengths, positions or idf in the browser, and common words keep
//! 255 levels (one global scale would leave them one or two).
//!
//! Word positions are kept apart from the postings, for quoted phrases only. Each token takes
//! the next position, but the joined form of a hyphenated word (`wellled`) takes its first
//! part's; each field starts one position after the last field's end, so that no phrase spans
//! two fields. The little words of [`UNPOSITIONED`] have no positions: a third of all words,
//! they would take a third of the bytes, and in a phrase they stand for any word.

use std::collections::HashMap;

use hashbrown::HashTable;

use rayon::prelude::*;
use rust_stemmers::{Algorithm, Stemmer};

use crate::search::codec::{Postings, VocabEntry, put_positions};
use crate::search::docs::{FIELD_WEIGHTS, FIELDS, SearchDoc};
pub use counts::DocCounts;
use key::WordKey;
use posting::{POSTING_BATCH, Posting, PostingsPart, stem_ranges};
use terms::{DocTerms, Term, put_term};

/// BM25 saturation.
pub const K1: f64 = 1.2;
/// BM25 length normalisation.
pub const B: f64 = 0.75;

/// Term counts of one document: per stem, the count in each field.
type FieldCounts = [u32; FIELDS];

/// A hash map keyed by words with foldhash's fast hasher: much faster than SipHash on short
/// words, seeded by a constant (no output order depends on it anyway: everything written is
/// sorted first).
type FxMap<K, V> = HashMap<K, V, foldhash::fast::FixedState>;

/// The English stem of a normalised token; numbers and tokens with digits stay as they are.
pub fn stem(stemmer: &Stemmer, token: &str) -> String {
    if token.bytes().any(|b| b.is_ascii_digit()) {
        token.to_owned()
    } else {
        stemmer.stem(token).into_owned()
    }
}

/// The English Snowball stemmer.
pub fn english() -> Stemmer {
    Stemmer::create(Algorithm::English)
}

/// The BM25F score of one stem in one document.
pub fn bm25f(
    counts: &FieldCounts,
    lengths: &FieldCounts,
    average: &[f64; FIELDS],
    df: u32,
    n: usize,
) -> f64 {
    let fields = (0..FIELDS)
        .filter(|&f| counts[f] != 0)
        .fold(0u8, |fields, f| fields | 1 << f);
    bm25f_of(counts, fields, &norms(lengths, average), idf(df, n))
}

/// The inverse document frequency of a stem in `df` of `n` documents.
fn idf(df: u32, n: usize) -> f64 {
    let df = f64::from(df);
    (1.0 + (n as f64 - df + 0.5) / (df + 0.5)).ln()
}

/// A document's length normalisation per field (`None` for a field no document has): the
/// same for every stem of the document, so the index works it out once a document.
fn norms(lengths: &FieldCounts, average: &[f64; FIELDS]) -> [Option<f64>; FIELDS] {
    std::array::from_fn(|f| {
        (average[f] > 0.0).then(|| 1.0 - B + B * f64::from(lengths[f]) / average[f])
    })
}

/// [`bm25f`] from a document's [`norms`] and the stem's [`idf`], given the fields whose counts
/// are not 0 (bit `f` for field `f`), summed in field order.
fn bm25f_of(counts: &FieldCounts, fields: u8, norms: &[Option<f64>; FIELDS], idf: f64) -> f64 {
    let mut tf = 0.0;
    let mut fields = fields;
    while fields != 0 {
        let f = fields.trailing_zeros() as usize;
        fields &= fields - 1;
        if let (Some(&count), Some(Some(norm)), Some(weight)) =
            (counts.get(f), norms.get(f), FIELD_WEIGHTS.get(f))
        {
            tf += weight * f64::from(count) / norm;
        }
    }
    idf * tf * (K1 + 1.0) / (K1 + tf)
}

/// A score as an impact byte, given the largest score of the index.
pub fn quantise(score: f64, max: f64) -> u8 {
    if max <= 0.0 {
        return 1;
    }
    (score / max * 255.0).round().clamp(1.0, 255.0) as u8
}

/// Largest [`scale`] of a stem.
pub const MAX_SCALE: f64 = 65535.0;

/// A stem's weight: its highest score against the index's highest, 1–65535. A posting's score
/// is its impact byte times its stem's scale.
pub fn scale(stem_max: f64, max: f64) -> u32 {
    if max <= 0.0 {
        return 1;
    }
    (stem_max / max * MAX_SCALE).round().clamp(1.0, MAX_SCALE) as u32
}

/// The built index.
#[derive(Debug, Clone, Default)]
pub struct Index {
    /// Number of documents.
    pub n: usize,
    /// Stems, sorted; a stem's id is its position.
    pub stems: Vec<String>,
    /// Every surface form with its stem, sorted by surface form.
    pub vocab: Vec<VocabEntry>,
    /// Postings per stem id.
    pub postings: Vec<Postings>,
    /// Word positions per stem id: for each doc of its postings, in the same order, a list made
    /// by [`put_positions`].
    pub positions: Vec<Vec<u8>>,
}

/// Words whose positions are not kept (by their stems): English function words. Together they
/// are over a third of the words of a case study (the 10,000-page benchmark corpus).
pub const UNPOSITIONED: &[&str] = &[
    "a", "about", "all", "also", "an", "and", "any", "are", "as", "at", "be", "been", "but", "by",
    "can", "could", "did", "do", "each", "for", "from", "had", "has", "have", "he", "her", "his",
    "i", "if", "in", "into", "is", "it", "its", "may", "more", "most", "not", "of", "on", "or",
    "other", "our", "out", "over", "she", "should", "so", "some", "than", "that", "the", "their",
    "them", "then", "there", "these", "they", "this", "to", "up", "us", "was", "we", "were",
    "what", "when", "where", "which", "who", "will", "with", "would", "you", "your",
];

/// Builds an [`Index`] one document at a time, keeping only what scoring needs: each surface
/// form and stem once, and per document its stems and counts. Documents' text is not kept.
pub struct IndexBuilder {
    stemmer: Stemmer,
    /// Surface forms with their builder stem ids, by [`WordKey`]: those a key holds whole
    /// as their keys, longer ones as text.
    surfaces: HashTable<(WordKey, u32)>,
    long_surfaces: HashTable<(Box<str>, u32)>,
    /// Stem → builder stem id (in order of first sight).
    stem_ids: FxMap<Box<str>, u32>,
    /// Per builder stem id: whether its positions are kept (not in [`UNPOSITIONED`]).
    positioned: Vec<bool>,
    /// The stems of [`UNPOSITIONED`].
    unpositioned: Vec<String>,
    docs: Vec<DocTerms>,
    /// Per builder stem id: the documents that have it, and the bytes of their positions
    /// (counted as documents come, so that [`IndexBuilder::finish`], which runs after the last
    /// page, need not read every document an extra time).
    df: Vec<u32>,
    positions_bytes: Vec<usize>,
    /// The sum of the documents' lengths, per field.
    total_lengths: [f64; FIELDS],
    /// Reused between documents: per builder stem id, the last surface number of the document
    /// with that stem ([`NONE`] between documents); per surface number, the one before it with
    /// the same stem; the document's stems; a bitmap of stem ids for [`ascending`]; positions
    /// of a stem.
    heads: Vec<u32>,
    chain: Vec<u32>,
    distinct: Vec<u32>,
    bits: Vec<u64>,
    merged: Vec<u32>,
    /// Reused between documents: a document's packed terms and positions as they are written.
    terms: Vec<u8>,
    positions: Vec<u8>,
}

/// No surface (the end of a chain of [`IndexBuilder`]'s surfaces of one stem).
const NONE: u32 = u32::MAX;

/// Sorts distinct `ids` ascending: by a bitmap of them (`bits`, all zero, left all zero) when
/// they lie close enough together for reading it to cost less than sorting, else by sorting.
fn ascending(ids: &mut Vec<u32>, bits: &mut Vec<u64>) {
    let (Some(&min), Some(&max)) = (ids.iter().min(), ids.iter().max()) else {
        return;
    };
    let (low, high) = (min as usize / 64, max as usize / 64);
    if high - low > 8 * ids.len() {
        ids.sort_unstable();
        return;
    }
    if bits.len() <= high {
        bits.resize(high + 1, 0);
    }
    for &id in ids.iter() {
        bits[id as usize / 64] |= 1 << (id % 64);
    }
    ids.clear();
    for (word, bits) in (low..).zip(&mut bits[low..=high]) {
        let mut set = std::mem::take(bits);
        while set != 0 {
            ids.push((word * 64) as u32 + set.trailing_zeros());
            set &= set - 1;
        }
    }
}

impl Default for IndexBuilder {
    fn default() -> IndexBuilder {
        let stemmer = english();
        let unpositioned = UNPOSITIONED.iter().map(|w| stem(&stemmer, w)).collect();
        IndexBuilder {
            stemmer,
            surfaces: HashTable::new(),
            long_surfaces: HashTable::new(),
            stem_ids: FxMap::default(),
            positioned: Vec::new(),
            unpositioned,
            docs: Vec::new(),
            df: Vec::new(),
            positions_bytes: Vec::new(),
            total_lengths: [0.0; FIELDS],
            heads: Vec::new(),
            chain: Vec::new(),
            terms: Vec::new(),
            positions: Vec::new(),
            distinct: Vec::new(),
            bits: Vec::new(),
            merged: Vec::new(),
        }
    }
}

impl IndexBuilder {
    /// Adds the next document (its doc id is the number of documents added before it).
    pub fn add(&mut self, doc: DocCounts) {
        let mut distinct = std::mem::take(&mut self.distinct);
        distinct.clear();
        self.chain.clear();
        for number in 0..doc.surfaces() {
            let surface = doc.surface(number);
            // The key made again rather than kept: the counts of the documents waiting to be
            // added stay smaller.
            let key = WordKey::of(surface);
            let hash = key.hash();
            let known = if key.is_whole() {
                self.surfaces
                    .find(hash, |(known, _)| *known == key)
                    .map(|(_, id)| *id)
            } else {
                self.long_surfaces
                    .find(hash, |(known, _)| **known == *surface)
                    .map(|(_, id)| *id)
            };
            let id = match known {
                Some(id) => id,
                None => self.new_surface(surface, key, hash),
            };
            let head = &mut self.heads[id as usize];
            if *head == NONE {
                distinct.push(id);
            }
            self.chain.push(*head);
            *head = number;
        }
        ascending(&mut distinct, &mut self.bits);
        let mut terms = std::mem::take(&mut self.terms);
        let mut positions = std::mem::take(&mut self.positions);
        terms.clear();
        positions.clear();
        let mut previous = 0u32;
        for &id in &distinct {
            let last = std::mem::replace(&mut self.heads[id as usize], NONE);
            let single = self.chain[last as usize] == NONE;
            let positioned = self.positioned[id as usize];
            let mut total = [0u16; FIELDS];
            self.merged.clear();
            let mut number = last;
            while number != NONE {
                for (sum, count) in total.iter_mut().zip(doc.counts[number as usize]) {
                    *sum = sum.saturating_add(count.min(u32::from(u16::MAX)) as u16);
                }
                if positioned && !single {
                    self.merged.extend_from_slice(doc.positions_of(number));
                }
                number = self.chain[number as usize];
            }
            self.df[id as usize] += 1;
            let positions_before = positions.len();
            if positioned {
                if single {
                    put_positions(&mut positions, doc.positions_of(last));
                } else {
                    // Several surface forms of one stem (fall, falls): their positions merged.
                    self.merged.sort_unstable();
                    put_positions(&mut positions, &self.merged);
                }
            }
            self.positions_bytes[id as usize] += positions.len() - positions_before;
            put_term(&mut terms, id - previous, &total);
            previous = id;
        }
        self.distinct = distinct;
        for (sum, length) in self.total_lengths.iter_mut().zip(doc.lengths) {
            *sum += f64::from(length);
        }
        // Copied out at their size: a list shrunk in place can keep the block it grew into.
        self.docs.push(DocTerms {
            terms: terms.as_slice().into(),
            positions: positions.as_slice().into(),
            lengths: doc.lengths,
        });
        (self.terms, self.positions) = (terms, positions);
    }

    /// Takes a surface form not seen before (`key` and `hash` its [`WordKey`] and its hash),
    /// stemmed, and gives its builder stem id (out of line: most words are known).
    #[inline(never)]
    fn new_surface(&mut self, surface: &str, key: WordKey, hash: u64) -> u32 {
        let stemmed = stem(&self.stemmer, surface);
        let next = self.stem_ids.len() as u32;
        if !self.stem_ids.contains_key(stemmed.as_str()) {
            self.positioned.push(!self.unpositioned.contains(&stemmed));
            self.df.push(0);
            self.positions_bytes.push(0);
            self.heads.push(NONE);
        }
        let id = *self
            .stem_ids
            .entry(stemmed.into_boxed_str())
            .or_insert(next);
        if key.is_whole() {
            self.surfaces
                .insert_unique(hash, (key, id), |(key, _)| key.hash());
        } else {
            self.long_surfaces
                .insert_unique(hash, (surface.into(), id), |(known, _)| {
                    WordKey::of(known).hash()
                });
        }
        id
    }

    /// Scores every posting and sorts the vocabulary.
    pub fn finish(mut self) -> Index {
        // What only `add` uses goes before the postings are made (the build's peak of memory
        // at 100,000 pages): a word a stem, and a few per word of a document.
        for reused in [
            &mut self.heads,
            &mut self.chain,
            &mut self.distinct,
            &mut self.merged,
        ] {
            *reused = Vec::new();
        }
        self.bits = Vec::new();
        (self.terms, self.positions) = (Vec::new(), Vec::new());
        let docs = std::mem::take(&mut self.docs);
        let n = docs.len();
        // Stems sorted; `rank[builder id]` is the stem's id in the index.
        let mut order: Vec<(&str, u32)> = self
            .stem_ids
            .iter()
            .map(|(stem, id)| (stem.as_ref(), *id))
            .collect();
        order.par_sort_unstable();
        let mut rank = vec![0u32; order.len()];
        for (position, (_, id)) in order.iter().enumerate() {
            rank[*id as usize] = position as u32;
        }
        let stems: Vec<String> = order.iter().map(|(stem, _)| (*stem).to_owned()).collect();

        // Document frequencies by index id.
        let df: Vec<u32> = order.iter().map(|(_, id)| self.df[*id as usize]).collect();
        let total = self.total_lengths;
        let average = total.map(|t| if n == 0 { 0.0 } else { t / n as f64 });
        let idfs: Vec<f64> = df.iter().map(|&df| idf(df, n)).collect();
        let score = |norms: &[Option<f64>; FIELDS], term: &Term| {
            let id = rank[term.stem as usize];
            (
                id,
                bm25f_of(&term.counts, term.fields, norms, idfs[id as usize]),
            )
        };

        // Each stem's impacts use the full byte against its own highest score; the stem's
        // scale (its highest score against the index's) restores the weight between stems.
        // Scores are cheap to compute, so they are computed twice rather than stored.
        let stem_max: Vec<f64> = docs
            .par_iter()
            .fold(
                || vec![0.0f64; stems.len()],
                |mut max, doc| {
                    let norms = norms(&doc.lengths, &average);
                    for term in doc.terms() {
                        let (id, s) = score(&norms, &term);
                        let m = &mut max[id as usize];
                        *m = m.max(s);
                    }
                    max
                },
            )
            .reduce(
                || vec![0.0f64; stems.len()],
                |mut a, b| {
                    for (x, y) in a.iter_mut().zip(b) {
                        *x = x.max(y);
                    }
                    a
                },
            );
        let max = stem_max.iter().copied().fold(0.0f64, f64::max);

        // The postings, made by builder id on every thread: each takes a range of stems and
        // walks every document for them (decoding the terms before its range to find its
        // positions). The documents go a part at a time, each part dropped once posted, so
        // the postings grow into the memory the documents give back.
        let ranges = stem_ranges(
            &self.df,
            &self.positions_bytes,
            rayon::current_num_threads().max(1),
        );
        let mut postings: Vec<Postings> = self
            .df
            .iter()
            .map(|&df| Postings {
                docs: Vec::with_capacity(df as usize),
                impacts: Vec::with_capacity(df as usize),
            })
            .collect();
        // Each positions list is made at its size once (grown by doubling, they held up to
        // twice their bytes).
        let mut positions: Vec<Vec<u8>> = self
            .positions_bytes
            .iter()
            .map(|&bytes| Vec::with_capacity(bytes))
            .collect();
        let mut parts: Vec<PostingsPart<'_>> = Vec::with_capacity(ranges.len());
        let (mut postings_rest, mut positions_rest) = (&mut postings[..], &mut positions[..]);
        for range in &ranges {
            let (p, p_rest) = std::mem::take(&mut postings_rest).split_at_mut(range.len());
            let (q, q_rest) = std::mem::take(&mut positions_rest).split_at_mut(range.len());
            (postings_rest, positions_rest) = (p_rest, q_rest);
            parts.push(PostingsPart {
                first: range.start,
                postings: p,
                positions: q,
            });
        }
        let posting = Posting {
            rank: &rank,
            idfs: &idfs,
            stem_max: &stem_max,
            positioned: &self.positioned,
            average: &average,
        };
        let mut docs = docs.into_iter();
        let mut first_doc = 0u32;
        loop {
            let batch: Vec<DocTerms> = docs.by_ref().take(POSTING_BATCH).collect();
            if batch.is_empty() {
                break;
            }
            parts
                .par_iter_mut()
                .for_each(|part| posting.post(part, &batch, first_doc));
            first_doc += batch.len() as u32;
        }
        drop(parts);
        // Into the index's order (sorted stems).
        let mut postings: Vec<Option<Postings>> = postings.into_iter().map(Some).collect();
        let mut positions: Vec<Option<Vec<u8>>> = positions.into_iter().map(Some).collect();
        let postings: Vec<Postings> = order
            .iter()
            .map(|(_, id)| postings[*id as usize].take().unwrap_or_default())
            .collect();
        let positions: Vec<Vec<u8>> = order
            .iter()
            .map(|(_, id)| positions[*id as usize].take().unwrap_or_default())
            .collect();
        let whole = self
            .surfaces
            .into_iter()
            .map(|(key, id)| (key.word().unwrap_or_default(), id));
        let long = self
            .long_surfaces
            .into_iter()
            .map(|(surface, id)| (surface.into_string(), id));
        let mut vocab: Vec<VocabEntry> = whole
            .chain(long)
            .map(|(surface, id)| {
                let stem = rank[id as usize];
                VocabEntry {
                    surface,
                    stem,
                    df: df[stem as usize],
                    scale: scale(stem_max[stem as usize], max),
                }
            })
            .collect();
        vocab.par_sort_unstable_by(|a, b| a.surface.cmp(&b.surface));
        Index {
            n,
            stems,
            vocab,
            postings,
            positions,
        }
    }
}

impl Index {
    /// Builds the index of `docs` (doc id = position) from their text fields.
    pub fn build(docs: &[SearchDoc]) -> Index {
        let mut builder = IndexBuilder::default();
        for counts in docs
            .par_iter()
            .map(|doc| DocCounts::of(&doc.fields))
            .collect::<Vec<_>>()
        {
            builder.add(counts);
        }
        builder.finish()
    }
}

mod counts;
mod key;
mod posting;
mod terms;
#[cfg(test)]
mod tests;
