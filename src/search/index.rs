//! The inverted index: stems, surface forms, and postings with quantised BM25F impacts.
//!
//! Each (document, stem) pair gets one score, BM25F with the field weights of
//! [`FIELD_WEIGHTS`] (k1 1.2, b 0.75, per-field length normalisation), stored as a byte 1–255
//! against the stem's highest score; the stem's [`scale`] (in its vocabulary entries) says how
//! that highest score compares with the index's. A query sums impact × scale over its terms, so
//! ranking needs no document lengths, positions or idf in the browser, and common words keep
//! 255 levels (one global scale would leave them one or two).

use std::collections::{BTreeSet, HashMap, HashSet};

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

/// Counts the tokens of each field of `doc`, by surface form, and the field lengths.
fn count_surfaces(doc: &SearchDoc) -> (FxMap<String, FieldCounts>, FieldCounts) {
    let mut counts: FxMap<String, FieldCounts> =
        FxMap::with_capacity_and_hasher(512, Default::default());
    let mut lengths = [0u32; FIELDS];
    for (f, text) in doc.fields.iter().enumerate() {
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
    (counts, lengths)
}

impl Index {
    /// Builds the index of `docs` (doc id = position).
    pub fn build(docs: &[SearchDoc]) -> Index {
        let n = docs.len();
        let counted: Vec<(FxMap<String, FieldCounts>, FieldCounts)> =
            docs.par_iter().map(count_surfaces).collect();

        let mut distinct: HashSet<&str, std::hash::BuildHasherDefault<FxHasher>> =
            HashSet::default();
        for (counts, _) in &counted {
            distinct.extend(counts.keys().map(String::as_str));
        }
        let mut surfaces: Vec<&str> = distinct.into_iter().collect();
        surfaces.sort_unstable();
        let stemmed: Vec<String> = surfaces
            .par_iter()
            .map_init(english, |stemmer, surface| stem(stemmer, surface))
            .collect();
        let stems: Vec<String> = stemmed
            .iter()
            .cloned()
            .collect::<BTreeSet<String>>()
            .into_iter()
            .collect();
        let stem_id: HashMap<&str, u32> = stems
            .iter()
            .enumerate()
            .map(|(i, s)| (s.as_str(), i as u32))
            .collect();
        let surface_stem: FxMap<&str, u32> = surfaces
            .iter()
            .zip(&stemmed)
            .map(|(surface, stem)| (*surface, stem_id[stem.as_str()]))
            .collect();

        // Per document, counts by stem id (sorted by id for deterministic iteration).
        let per_doc: Vec<(Vec<(u32, FieldCounts)>, FieldCounts)> = counted
            .par_iter()
            .map(|(counts, lengths)| {
                let mut by_stem: Vec<(u32, FieldCounts)> = counts
                    .iter()
                    .map(|(surface, c)| (surface_stem[surface.as_str()], *c))
                    .collect();
                by_stem.sort_unstable_by_key(|(id, _)| *id);
                let mut merged: Vec<(u32, FieldCounts)> = Vec::with_capacity(by_stem.len());
                for (id, c) in by_stem {
                    match merged.last_mut() {
                        Some((last, total)) if *last == id => {
                            for f in 0..FIELDS {
                                total[f] += c[f];
                            }
                        }
                        _ => merged.push((id, c)),
                    }
                }
                (merged, *lengths)
            })
            .collect();

        let mut df = vec![0u32; stems.len()];
        let mut total = [0f64; FIELDS];
        for (by_stem, lengths) in &per_doc {
            for (id, _) in by_stem {
                df[*id as usize] += 1;
            }
            for f in 0..FIELDS {
                total[f] += f64::from(lengths[f]);
            }
        }
        let average = total.map(|t| if n == 0 { 0.0 } else { t / n as f64 });

        let scored: Vec<Vec<(u32, f64)>> = per_doc
            .par_iter()
            .map(|(by_stem, lengths)| {
                by_stem
                    .iter()
                    .map(|(id, c)| (*id, bm25f(c, lengths, &average, df[*id as usize], n)))
                    .collect()
            })
            .collect();
        // Each stem's impacts use the full byte against its own highest score; the stem's
        // scale (its highest score against the index's) restores the weight between stems.
        let mut stem_max = vec![0.0f64; stems.len()];
        for (id, score) in scored.iter().flatten() {
            let m = &mut stem_max[*id as usize];
            *m = m.max(*score);
        }
        let max = stem_max.iter().copied().fold(0.0f64, f64::max);
        let mut postings = vec![Postings::default(); stems.len()];
        for (doc, scores) in scored.iter().enumerate() {
            for (id, score) in scores {
                let p = &mut postings[*id as usize];
                p.docs.push(doc as u32);
                p.impacts.push(quantise(*score, stem_max[*id as usize]));
            }
        }
        let vocab = surfaces
            .iter()
            .map(|surface| {
                let stem = surface_stem[surface];
                VocabEntry {
                    surface: (*surface).to_owned(),
                    stem,
                    df: df[stem as usize],
                    scale: scale(stem_max[stem as usize], max),
                }
            })
            .collect();
        Index {
            n,
            stems,
            vocab,
            postings,
        }
    }
}
