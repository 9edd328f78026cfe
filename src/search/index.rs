//! The inverted index: stems, surface forms, and postings with quantised BM25F impacts.
//!
//! Each (document, stem) pair gets one score, BM25F with the field weights of
//! [`FIELD_WEIGHTS`] (k1 1.2, b 0.75, per-field length normalisation), stored as a byte 1–255
//! against the stem's highest score; the stem's [`scale`] (in its vocabulary entries) says how
//! that highest score compares with the index's. A query sums impact × scale over its terms, so
//! ranking needs no document lengths, positions or idf in the browser, and common words keep
//! 255 levels (one global scale would leave them one or two).

use std::collections::HashMap;

use rayon::prelude::*;
use rust_stemmers::{Algorithm, Stemmer};

use crate::search::codec::{Postings, VocabEntry};
use crate::search::docs::{FIELD_WEIGHTS, FIELDS, SearchDoc};
use crate::search::text::for_each_token;

/// BM25 saturation.
pub const K1: f64 = 1.2;
/// BM25 length normalisation.
pub const B: f64 = 0.75;

/// Term counts of one document: per stem, the count in each field.
type FieldCounts = [u32; FIELDS];

/// The Fx hash (as in rustc): much faster than SipHash on short words, and no output order
/// depends on it (everything written is sorted first).
#[derive(Default, Clone, Copy)]
struct FxHasher(u64);

impl std::hash::Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
    }
    fn write_u8(&mut self, byte: u8) {
        self.add(u64::from(byte));
    }
    fn write_usize(&mut self, value: usize) {
        self.add(value as u64);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

impl FxHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

type FxMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<FxHasher>>;

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
    let mut tf = 0.0;
    for f in 0..FIELDS {
        if counts[f] == 0 || average[f] <= 0.0 {
            continue;
        }
        let norm = 1.0 - B + B * f64::from(lengths[f]) / average[f];
        tf += FIELD_WEIGHTS[f] * f64::from(counts[f]) / norm;
    }
    let df = f64::from(df);
    let idf = (1.0 + (n as f64 - df + 0.5) / (df + 0.5)).ln();
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
}

/// The term counts of one document, by surface form, with its field lengths: made in
/// parallel, then added to an [`IndexBuilder`] one at a time.
pub struct DocCounts {
    counts: FxMap<String, FieldCounts>,
    lengths: FieldCounts,
}

impl DocCounts {
    /// Counts the tokens of each field (title, summary, headings, tags, body).
    pub fn of(fields: &[String; FIELDS]) -> DocCounts {
        let mut counts: FxMap<String, FieldCounts> =
            FxMap::with_capacity_and_hasher(512, Default::default());
        let mut lengths = [0u32; FIELDS];
        for (f, text) in fields.iter().enumerate() {
            for_each_token(text, |token| {
                lengths[f] += 1;
                match counts.get_mut(token) {
                    Some(c) => c[f] += 1,
                    None => {
                        let mut c = [0; FIELDS];
                        c[f] = 1;
                        counts.insert(token.to_owned(), c);
                    }
                }
            });
        }
        DocCounts { counts, lengths }
    }
}

/// One document as the builder keeps it: its stems (builder ids, ascending) with their counts
/// per field, saturated at `u16::MAX` (BM25 has long stopped growing there), and its field
/// lengths. About 14 bytes a distinct stem, where the counts by surface string took ten times
/// that.
struct DocTerms {
    stems: Box<[u32]>,
    counts: Box<[[u16; FIELDS]]>,
    lengths: FieldCounts,
}

/// Builds an [`Index`] one document at a time, keeping only what scoring needs: each surface
/// form and stem once, and per document its stems and counts. Documents' text is not kept.
pub struct IndexBuilder {
    stemmer: Stemmer,
    /// Surface form → builder stem id.
    surfaces: FxMap<Box<str>, u32>,
    /// Stem → builder stem id (in order of first sight).
    stem_ids: FxMap<Box<str>, u32>,
    docs: Vec<DocTerms>,
    /// Reused between documents.
    scratch: Vec<(u32, FieldCounts)>,
}

impl Default for IndexBuilder {
    fn default() -> IndexBuilder {
        IndexBuilder {
            stemmer: english(),
            surfaces: FxMap::default(),
            stem_ids: FxMap::default(),
            docs: Vec::new(),
            scratch: Vec::new(),
        }
    }
}

impl IndexBuilder {
    /// Adds the next document (its doc id is the number of documents added before it).
    pub fn add(&mut self, doc: DocCounts) {
        self.scratch.clear();
        for (surface, counts) in doc.counts {
            let id = match self.surfaces.get(surface.as_str()) {
                Some(id) => *id,
                None => {
                    let stemmed = stem(&self.stemmer, &surface);
                    let next = self.stem_ids.len() as u32;
                    let id = *self
                        .stem_ids
                        .entry(stemmed.into_boxed_str())
                        .or_insert(next);
                    self.surfaces.insert(surface.into_boxed_str(), id);
                    id
                }
            };
            self.scratch.push((id, counts));
        }
        self.scratch.sort_unstable_by_key(|(id, _)| *id);
        let mut stems: Vec<u32> = Vec::with_capacity(self.scratch.len());
        let mut counts: Vec<[u16; FIELDS]> = Vec::with_capacity(self.scratch.len());
        for (id, c) in &self.scratch {
            let c = c.map(|n| n.min(u32::from(u16::MAX)) as u16);
            if stems.last() == Some(id) {
                if let Some(total) = counts.last_mut() {
                    for (sum, count) in total.iter_mut().zip(c) {
                        *sum = sum.saturating_add(count);
                    }
                }
            } else {
                stems.push(*id);
                counts.push(c);
            }
        }
        self.docs.push(DocTerms {
            stems: stems.into_boxed_slice(),
            counts: counts.into_boxed_slice(),
            lengths: doc.lengths,
        });
    }

    /// Scores every posting and sorts the vocabulary.
    pub fn finish(self) -> Index {
        let n = self.docs.len();
        // Stems sorted; `rank[builder id]` is the stem's id in the index.
        let mut order: Vec<(&str, u32)> = self
            .stem_ids
            .iter()
            .map(|(stem, id)| (stem.as_ref(), *id))
            .collect();
        order.sort_unstable();
        let mut rank = vec![0u32; order.len()];
        for (position, (_, id)) in order.iter().enumerate() {
            rank[*id as usize] = position as u32;
        }
        let stems: Vec<String> = order.iter().map(|(stem, _)| (*stem).to_owned()).collect();

        let mut df = vec![0u32; stems.len()];
        let mut total = [0f64; FIELDS];
        for doc in &self.docs {
            for id in &doc.stems {
                df[rank[*id as usize] as usize] += 1;
            }
            for (sum, length) in total.iter_mut().zip(doc.lengths) {
                *sum += f64::from(length);
            }
        }
        let average = total.map(|t| if n == 0 { 0.0 } else { t / n as f64 });
        let score = |doc: &DocTerms, i: usize| {
            let id = rank[doc.stems[i] as usize];
            let counts = doc.counts[i].map(u32::from);
            (
                id,
                bm25f(&counts, &doc.lengths, &average, df[id as usize], n),
            )
        };

        // Each stem's impacts use the full byte against its own highest score; the stem's
        // scale (its highest score against the index's) restores the weight between stems.
        // Scores are cheap to compute, so they are computed twice rather than stored.
        let stem_max: Vec<f64> = self
            .docs
            .par_iter()
            .fold(
                || vec![0.0f64; stems.len()],
                |mut max, doc| {
                    for i in 0..doc.stems.len() {
                        let (id, s) = score(doc, i);
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
        let mut postings: Vec<Postings> = df
            .iter()
            .map(|&df| Postings {
                docs: Vec::with_capacity(df as usize),
                impacts: Vec::with_capacity(df as usize),
            })
            .collect();
        for (number, doc) in self.docs.iter().enumerate() {
            for i in 0..doc.stems.len() {
                let (id, s) = score(doc, i);
                let p = &mut postings[id as usize];
                p.docs.push(number as u32);
                p.impacts.push(quantise(s, stem_max[id as usize]));
            }
        }
        drop(self.docs);
        let mut vocab: Vec<VocabEntry> = self
            .surfaces
            .into_iter()
            .map(|(surface, id)| {
                let stem = rank[id as usize];
                VocabEntry {
                    surface: surface.into_string(),
                    stem,
                    df: df[stem as usize],
                    scale: scale(stem_max[stem as usize], max),
                }
            })
            .collect();
        vocab.sort_unstable_by(|a, b| a.surface.cmp(&b.surface));
        Index {
            n,
            stems,
            vocab,
            postings,
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
