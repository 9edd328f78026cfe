//! A document's stems and counts as the index builder keeps them until the finish: a few
//! varint bytes a stem.

use super::{FIELDS, FieldCounts};
use crate::search::codec::put_varint;

/// One document as the builder keeps it: its stems (builder ids, ascending) with their counts
/// per field, saturated at `u16::MAX` (BM25 has long stopped growing there), packed into
/// `terms` by [`put_term`]; their positions (one [`put_positions`](crate::search::codec::put_positions) list per positioned stem,
/// in the same order) and its field lengths. About 3 bytes a distinct stem (its id's gap from
/// the one before, a byte of which fields have it, and the counts of those) and one or two a
/// word: at 100,000 case studies these records are most of what the builder holds.
pub(super) struct DocTerms {
    pub(super) terms: Box<[u8]>,
    pub(super) positions: Box<[u8]>,
    pub(super) lengths: FieldCounts,
}

/// Appends one stem of a [`DocTerms`]: the gap from the previous stem's id (or from 0), a byte
/// with bit `f` set for each field `f` that has the stem, then the count of each of those
/// fields, all as varints.
pub(super) fn put_term(out: &mut Vec<u8>, gap: u32, counts: &[u16; FIELDS]) {
    put_varint(out, u64::from(gap));
    let mut mask = 0u8;
    for (f, &count) in counts.iter().enumerate() {
        if count > 0 {
            mask |= 1 << f;
        }
    }
    out.push(mask);
    for &count in counts {
        if count > 0 {
            put_varint(out, u64::from(count));
        }
    }
}

/// Reads a varint the builder wrote at `*at`, moving past it.
#[inline]
fn take_varint(bytes: &[u8], at: &mut usize) -> u32 {
    match bytes.get(*at) {
        Some(&byte) if byte < 0x80 => {
            *at += 1;
            u32::from(byte)
        }
        _ => take_long_varint(bytes, at),
    }
}

/// [`take_varint`] of a varint of more than one byte.
fn take_long_varint(bytes: &[u8], at: &mut usize) -> u32 {
    let mut value = 0u64;
    let mut shift = 0;
    while let Some(&byte) = bytes.get(*at) {
        *at += 1;
        value |= u64::from(byte & 0x7f) << shift;
        shift += 7;
        if byte & 0x80 == 0 || shift >= 64 {
            break;
        }
    }
    value as u32
}

/// The stems of a [`DocTerms`] with their counts per field, in order.
pub(super) struct Terms<'a> {
    bytes: &'a [u8],
    at: usize,
    stem: u32,
}

/// One stem of a [`DocTerms`].
pub(super) struct Term {
    /// Its builder id.
    pub(super) stem: u32,
    /// Its count per field.
    pub(super) counts: FieldCounts,
    /// Bit `f` set for each field `f` whose count is not 0.
    pub(super) fields: u8,
}

impl Iterator for Terms<'_> {
    type Item = Term;

    #[inline]
    fn next(&mut self) -> Option<Term> {
        if self.at >= self.bytes.len() {
            return None;
        }
        self.stem += take_varint(self.bytes, &mut self.at);
        let fields = self.bytes.get(self.at).copied().unwrap_or(0) & ((1 << FIELDS) - 1);
        let mut mask = fields;
        self.at += 1;
        let mut counts = [0u32; FIELDS];
        // The fields of the mask's bits, lowest first.
        while mask != 0 {
            let f = mask.trailing_zeros() as usize;
            mask &= mask - 1;
            if let Some(count) = counts.get_mut(f) {
                *count = take_varint(self.bytes, &mut self.at);
            }
        }
        Some(Term {
            stem: self.stem,
            counts,
            fields,
        })
    }
}

impl DocTerms {
    pub(super) fn terms(&self) -> Terms<'_> {
        Terms {
            bytes: &self.terms,
            at: 0,
            stem: 0,
        }
    }
}
