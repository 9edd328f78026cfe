//! A document's words counted for the index: each distinct surface form once, with its
//! counts per field and its positions ([`DocCounts`]), made in parallel before the
//! [`IndexBuilder`](super::IndexBuilder) takes the documents one at a time.

use hashbrown::HashTable;

use super::FieldCounts;
use super::key::WordKey;
use crate::search::docs::FIELDS;
use crate::search::text::{WordSink, give_words};

/// Positions left empty after each field, so that no phrase spans two.
const FIELD_GAP: u32 = 1;

/// The term counts and word positions of one document, by surface form, with its field
/// lengths: made in parallel, then added to an [`IndexBuilder`] one at a time.
pub struct DocCounts {
    /// The distinct surface forms in order of first sight, end to end: surface `i` ends at
    /// `ends[i]` and starts where the one before ends.
    words: String,
    ends: Vec<u32>,
    /// Counts per field, by surface number.
    pub(super) counts: Vec<FieldCounts>,
    /// Positions grouped by surface: those of surface `i` are `positions[starts[i]..starts[i +
    /// 1]]`, ascending.
    positions: Vec<u32>,
    starts: Vec<u32>,
    pub(super) lengths: FieldCounts,
}

/// Surface form number `id` of `words`, the forms written end to end, form `i` ending at
/// `ends[i]`.
#[inline]
fn nth_surface<'w>(words: &'w str, ends: &[u32], id: u32) -> &'w str {
    let start = id.checked_sub(1).map_or(0, |before| ends[before as usize]);
    &words[start as usize..ends[id as usize] as usize]
}

/// The distinct surface forms of a document, as [`DocCounts::of`] numbers them in order of
/// first sight: their numbers found by [`WordKey`] (keys compared as integers, the text only
/// for a word longer than a key holds), no allocation a word.
struct Surfaces {
    /// The surfaces last looked up, by a byte of their hash: most words of a text are ones
    /// it used a little before (a third are little words), found here without the table.
    /// Only keys that hold their words whole.
    recent: Box<[(WordKey, u32); 256]>,
    ids: HashTable<u32>,
    words: String,
    ends: Vec<u32>,
    keys: Vec<WordKey>,
    counts: Vec<FieldCounts>,
}

impl Surfaces {
    /// The number of `token`, given a new number if it has none (taken into the tokeniser's
    /// loop with [`Counter::word`]: called for every word).
    #[inline(always)]
    fn number(&mut self, token: &str) -> u32 {
        let key = WordKey::of(token);
        let hash = key.hash();
        let recent = &mut self.recent[usize::from((hash >> 56) as u8)];
        if recent.0 == key {
            return recent.1;
        }
        let id = match self.ids.find(hash, |&id| {
            self.keys[id as usize] == key
                && (key.is_whole() || nth_surface(&self.words, &self.ends, id) == token)
        }) {
            Some(&id) => id,
            None => self.insert(token, key, hash),
        };
        if key.is_whole() {
            self.recent[usize::from((hash >> 56) as u8)] = (key, id);
        }
        id
    }

    /// Numbers a surface form not seen before (out of line: the lookup of the ones seen,
    /// called for every word, stays small).
    #[inline(never)]
    fn insert(&mut self, token: &str, key: WordKey, hash: u64) -> u32 {
        let id = self.counts.len() as u32;
        self.words.push_str(token);
        self.ends.push(self.words.len() as u32);
        self.keys.push(key);
        let keys = &self.keys;
        self.ids
            .insert_unique(hash, id, |&id| keys[id as usize].hash());
        self.counts.push([0; FIELDS]);
        id
    }
}

/// What [`DocCounts::of`] keeps of the words as the tokeniser gives them: their surfaces and
/// counts, and each occurrence as (surface number, position).
struct Counter {
    surfaces: Surfaces,
    occurrences: Vec<(u32, u32)>,
    /// The next word's position, and its field.
    position: u32,
    field: usize,
}

impl WordSink for Counter {
    /// Taken into the tokeniser's loop: called for every word of the site.
    #[inline(always)]
    fn word(&mut self, token: &str, joined_parts: usize) {
        let id = self.surfaces.number(token);
        if let Some(count) = self.surfaces.counts[id as usize].get_mut(self.field) {
            *count += 1;
        }
        if joined_parts == 0 {
            self.occurrences.push((id, self.position));
            self.position += 1;
        } else {
            self.occurrences
                .push((id, self.position - joined_parts as u32));
        }
    }
}

impl DocCounts {
    /// Counts the tokens of each field (title, summary, headings, tags, body) and notes their
    /// positions.
    pub fn of(fields: &[String; FIELDS]) -> DocCounts {
        let surfaces = Surfaces {
            recent: Box::new([(WordKey::NONE, 0); 256]),
            ids: HashTable::with_capacity(512),
            words: String::with_capacity(4096),
            ends: Vec::with_capacity(512),
            keys: Vec::with_capacity(512),
            counts: Vec::with_capacity(512),
        };
        let mut counter = Counter {
            surfaces,
            occurrences: Vec::with_capacity(2048),
            position: 0,
            field: 0,
        };
        let mut lengths = [0u32; FIELDS];
        for (f, text) in fields.iter().enumerate() {
            if f > 0 {
                counter.position += FIELD_GAP;
            }
            counter.field = f;
            let before = counter.occurrences.len();
            give_words(text, &mut counter);
            // A token an occurrence.
            lengths[f] = (counter.occurrences.len() - before) as u32;
        }
        let Counter {
            surfaces,
            occurrences,
            ..
        } = counter;
        let Surfaces {
            words,
            ends,
            counts,
            ..
        } = surfaces;
        // Grouped by surface with a counting sort, which keeps each group in text order.
        let mut starts = vec![0u32; counts.len() + 1];
        for (id, _) in &occurrences {
            starts[*id as usize + 1] += 1;
        }
        for i in 1..starts.len() {
            starts[i] += starts[i - 1];
        }
        let mut next = starts.clone();
        let mut positions = vec![0u32; occurrences.len()];
        for (id, at) in occurrences {
            let slot = &mut next[id as usize];
            positions[*slot as usize] = at;
            *slot += 1;
        }
        DocCounts {
            words,
            ends,
            counts,
            positions,
            starts,
            lengths,
        }
    }

    /// The number of surface forms.
    pub(super) fn surfaces(&self) -> u32 {
        self.ends.len() as u32
    }

    /// Surface form number `surface`.
    pub(super) fn surface(&self, surface: u32) -> &str {
        nth_surface(&self.words, &self.ends, surface)
    }

    pub(super) fn positions_of(&self, surface: u32) -> &[u32] {
        let i = surface as usize;
        &self.positions[self.starts[i] as usize..self.starts[i + 1] as usize]
    }
}
