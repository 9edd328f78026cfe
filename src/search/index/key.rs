//! A word's key in the tables of [`DocCounts::of`](super::DocCounts::of) and
//! [`IndexBuilder`](super::IndexBuilder): its bytes read as two `u64`s and its length. A word
//! of up to [`WHOLE`] bytes (nearly every word) is its key: two keys are equal exactly when
//! their words are, so a table compares two integers, not two strings behind pointers, and the
//! word can be read back from the key alone. A longer word's key holds its first and last
//! eight bytes, and its table compares the whole word too.

/// Longest word, in bytes, that its key holds whole.
pub(super) const WHOLE: usize = 16;

/// A word's bytes as two integers and its length: for 8 bytes or more, the first eight and the
/// last eight (overlapping for fewer than 16); for 4 to 7, the first four and the last four in
/// `low`; for 1 to 3, the first, middle and last bytes in `low`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct WordKey {
    low: u64,
    high: u64,
    len: u32,
}

/// `N` bytes of `bytes` from `at` (which the caller has checked are there), little-endian.
#[inline(always)]
fn read<const N: usize>(bytes: &[u8], at: usize) -> u64 {
    let mut buffer = [0u8; 8];
    if let (Some(to), Some(from)) = (buffer.get_mut(..N), bytes.get(at..at + N)) {
        to.copy_from_slice(from);
    }
    u64::from_le_bytes(buffer)
}

impl WordKey {
    /// A key that no word shorter than 4 GiB has (its length says more), for an empty slot.
    pub(super) const NONE: WordKey = WordKey {
        low: 0,
        high: 0,
        len: u32::MAX,
    };

    /// The key of `word`.
    #[inline(always)]
    pub(super) fn of(word: &str) -> WordKey {
        let bytes = word.as_bytes();
        let len = bytes.len();
        let (low, high) = if len >= 8 {
            (read::<8>(bytes, 0), read::<8>(bytes, len - 8))
        } else if len >= 4 {
            (read::<4>(bytes, 0) | read::<4>(bytes, len - 4) << 32, 0)
        } else if len > 0 {
            let (first, middle, last) = (bytes[0], bytes[len / 2], bytes[len - 1]);
            (
                u64::from(first) | u64::from(middle) << 8 | u64::from(last) << 16,
                0,
            )
        } else {
            (0, 0)
        };
        WordKey {
            low,
            high,
            len: len as u32,
        }
    }

    /// The key's hash for a table: foldhash's fast hash with a fixed seed (no output order
    /// depends on it).
    #[inline(always)]
    pub(super) fn hash(&self) -> u64 {
        use std::hash::BuildHasher;
        foldhash::fast::FixedState::default().hash_one((self.low, self.high, self.len))
    }

    /// Whether the key holds its word whole (so that equal keys are equal words).
    #[inline(always)]
    pub(super) fn is_whole(&self) -> bool {
        self.len as usize <= WHOLE
    }

    /// The word of a key that holds it whole ([`WordKey::is_whole`]); `None` for the key of a
    /// longer word.
    pub(super) fn word(&self) -> Option<String> {
        if !self.is_whole() {
            return None;
        }
        let len = self.len as usize;
        let (low, high) = (self.low.to_le_bytes(), self.high.to_le_bytes());
        let mut bytes = vec![0u8; len];
        if len >= 8 {
            bytes[len - 8..].copy_from_slice(&high);
            bytes[..8].copy_from_slice(&low);
        } else if len >= 4 {
            bytes[len - 4..].copy_from_slice(&low[4..]);
            bytes[..4].copy_from_slice(&low[..4]);
        } else if len > 0 {
            bytes[len - 1] = low[2];
            bytes[len / 2] = low[1];
            bytes[0] = low[0];
        }
        String::from_utf8(bytes).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Words of up to 40 characters, ASCII and not.
    fn words() -> impl proptest::strategy::Strategy<Value = String> {
        proptest::string::string_regex("[a-c0-9.é中]{0,40}").expect("a valid pattern")
    }

    proptest::proptest! {
        /// A whole key reads back as its word; a longer word's key says it is not whole.
        #[test]
        fn whole_keys_read_back_as_their_words(word in words()) {
            let key = WordKey::of(&word);
            let expected = (word.len() <= WHOLE).then(|| word.clone());
            proptest::prop_assert_eq!(key.word(), expected);
            proptest::prop_assert_eq!(key.is_whole(), word.len() <= WHOLE);
        }

        /// Equal words have equal keys and hashes; whole keys are equal only for equal words.
        #[test]
        fn keys_are_equal_as_their_words_are(a in words(), b in words()) {
            let (key_a, key_b) = (WordKey::of(&a), WordKey::of(&b));
            if a == b {
                proptest::prop_assert_eq!(key_a, key_b);
                proptest::prop_assert_eq!(key_a.hash(), key_b.hash());
            } else if key_a.is_whole() && key_b.is_whole() {
                proptest::prop_assert_ne!(key_a, key_b);
            }
        }
    }

    /// The pairs of the strategy above rarely share a length; these do, at every length a key
    /// reads differently.
    #[test]
    fn words_of_one_length_that_differ_in_one_byte_have_different_keys() {
        for len in 1..=WHOLE {
            let word = "a".repeat(len);
            for at in 0..len {
                let mut other = word.clone().into_bytes();
                other[at] = b'b';
                let other = String::from_utf8(other).expect("ASCII");
                assert_ne!(WordKey::of(&word), WordKey::of(&other), "{other}");
            }
        }
    }
}
