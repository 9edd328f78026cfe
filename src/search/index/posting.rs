//! The postings of [`IndexBuilder::finish`](super::IndexBuilder::finish), made on every
//! thread of its pool: each thread takes a range of the builder's stem ids and walks the
//! documents for them.

use std::ops::Range;

use super::{DocTerms, FIELDS, bm25f_of, norms, quantise};
use crate::search::codec::Postings;

/// Documents posted at a time by [`IndexBuilder::finish`](super::IndexBuilder::finish): each
/// batch is dropped once posted.
pub(super) const POSTING_BATCH: usize = 256;

/// The share of a posting's work that a thread spends on a term it only decodes on its way to
/// its own range of stems.
const SKIP_COST: f64 = 0.3;

/// Cuts the builder's stem ids into `parts` consecutive ranges of about equal work for
/// [`Posting::post`]: a stem's postings and bytes of positions, plus, for each range, the
/// decoding of the terms of the stems before it (builder ids are in order of first sight, so
/// the first stems are the common ones).
pub(super) fn stem_ranges(
    df: &[u32],
    positions_bytes: &[usize],
    parts: usize,
) -> Vec<Range<usize>> {
    let mut prefix = Vec::with_capacity(df.len() + 1);
    let mut sum = 0.0f64;
    prefix.push(sum);
    for (&df, &bytes) in df.iter().zip(positions_bytes) {
        sum += f64::from(df) + bytes as f64 / 8.0;
        prefix.push(sum);
    }
    // The ranges whose work is at most `cost` each (the last takes what is left).
    let cut = |cost: f64| -> Vec<Range<usize>> {
        let mut ranges = Vec::with_capacity(parts);
        let mut start = 0;
        for _ in 1..parts {
            let skipped = prefix[start] * SKIP_COST;
            let end = prefix
                .partition_point(|&p| p - prefix[start] + skipped <= cost)
                .saturating_sub(1)
                .clamp(start, df.len());
            ranges.push(start..end);
            start = end;
        }
        ranges.push(start..df.len());
        ranges
    };
    let last_cost = |ranges: &[Range<usize>]| {
        ranges.last().map_or(0.0, |last| {
            prefix[df.len()] - prefix[last.start] + prefix[last.start] * SKIP_COST
        })
    };
    let (mut low, mut high) = (0.0f64, sum * (1.0 + SKIP_COST) + 1.0);
    for _ in 0..60 {
        let middle = (low + high) / 2.0;
        if last_cost(&cut(middle)) > middle {
            low = middle;
        } else {
            high = middle;
        }
    }
    cut(high)
}

/// The length in bytes of the first list of `bytes`, lists made by
/// [`put_positions`](crate::search::codec::put_positions): [`positions_len`](crate::search::codec::positions_len)
/// for lists the builder wrote itself (which cannot be short; a short one is taken whole).
/// A list ends with the varint whose value's low bit, its first byte's, is set.
pub(super) fn first_list_len(bytes: &[u8]) -> usize {
    let mut starts = true;
    let mut last = false;
    for (i, &byte) in bytes.iter().enumerate() {
        if starts {
            last = byte & 1 == 1;
        }
        starts = byte & 0x80 == 0;
        if starts && last {
            return i + 1;
        }
    }
    bytes.len()
}

/// What every thread of [`IndexBuilder::finish`](super::IndexBuilder::finish) reads to post
/// its stems.
pub(super) struct Posting<'a> {
    /// Index id by builder id.
    pub(super) rank: &'a [u32],
    /// By index id.
    pub(super) idfs: &'a [f64],
    pub(super) stem_max: &'a [f64],
    /// By builder id.
    pub(super) positioned: &'a [bool],
    pub(super) average: &'a [f64; FIELDS],
}

/// The postings and positions of a range of builder ids, `first..first + postings.len()`.
pub(super) struct PostingsPart<'a> {
    pub(super) first: usize,
    pub(super) postings: &'a mut [Postings],
    pub(super) positions: &'a mut [Vec<u8>],
}

impl Posting<'_> {
    /// Posts the stems of `part` in `docs`, whose first doc id is `first_doc`.
    pub(super) fn post(&self, part: &mut PostingsPart<'_>, docs: &[DocTerms], first_doc: u32) {
        let start = part.first as u32;
        let end = start + part.postings.len() as u32;
        for (number, doc) in (first_doc..).zip(docs) {
            let mut rest: &[u8] = &doc.positions;
            let norms = norms(&doc.lengths, self.average);
            for term in doc.terms() {
                let stem = term.stem;
                if stem >= end {
                    break;
                }
                let len = if self.positioned[stem as usize] {
                    first_list_len(rest)
                } else {
                    0
                };
                let (these, after) = rest.split_at(len);
                rest = after;
                if stem < start {
                    continue;
                }
                let id = self.rank[stem as usize] as usize;
                let score = bm25f_of(&term.counts, term.fields, &norms, self.idfs[id]);
                let at = (stem - start) as usize;
                let postings = &mut part.postings[at];
                postings.docs.push(number);
                postings.impacts.push(quantise(score, self.stem_max[id]));
                part.positions[at].extend_from_slice(these);
            }
        }
    }
}
