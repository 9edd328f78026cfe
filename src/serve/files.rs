//! The preview's output files in memory, each kept deflated ([`Packed`]): a large base shared
//! with the server and a small layer of changes over it, so that a rebuild copies only the
//! entries it changed rather than the map of every file (some 40,000 entries on a site of
//! 10,000 case studies).
//!
//! Pages are mostly the same menus, headers and footers, so DEFLATE keeps them in a fraction
//! of their size; a request inflates its one file (well under a millisecond for a page).
//! Deflating is deterministic, so two files have equal [`Packed`] forms exactly when they have
//! equal bytes, which is how a rebuild finds the files that changed.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::Arc;

/// DEFLATE level: the fastest, which already finds the repeated markup of pages.
const LEVEL: u8 = 1;
/// Files smaller than this are kept as they are: deflating them saves too little.
const SMALL: usize = 256;

/// One file's contents: deflated when that makes them smaller, else as they are. Cheap to
/// clone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Packed {
    /// Length of the contents.
    len: usize,
    /// The contents, deflated when `deflated`.
    data: Arc<[u8]>,
    deflated: bool,
}

/// The contents of a [`Packed`] file could not be inflated (never expected: they were
/// deflated by this process).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the preview's copy of this file is damaged")]
pub struct Damaged;

impl Packed {
    /// Packs `bytes`.
    pub fn pack(bytes: &[u8]) -> Packed {
        if bytes.len() >= SMALL {
            let deflated = miniz_oxide::deflate::compress_to_vec(bytes, LEVEL);
            if deflated.len() < bytes.len() {
                return Packed {
                    len: bytes.len(),
                    data: deflated.into(),
                    deflated: true,
                };
            }
        }
        Packed::raw(bytes.into())
    }

    /// Keeps `bytes` as they are (files that do not deflate, such as images).
    pub fn raw(bytes: Arc<[u8]>) -> Packed {
        Packed {
            len: bytes.len(),
            data: bytes,
            deflated: false,
        }
    }

    /// The length of the contents.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the contents are empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The bytes held in memory for these contents.
    pub fn stored_len(&self) -> usize {
        self.data.len()
    }

    /// The contents, when they are kept as they are (shared, not copied).
    pub fn shared(&self) -> Option<&Arc<[u8]>> {
        (!self.deflated).then_some(&self.data)
    }

    /// The contents.
    pub fn unpack(&self) -> Result<Cow<'_, [u8]>, Damaged> {
        if !self.deflated {
            return Ok(Cow::Borrowed(&self.data));
        }
        let bytes = miniz_oxide::inflate::decompress_to_vec_with_limit(&self.data, self.len)
            .map_err(|_| Damaged)?;
        if bytes.len() == self.len {
            Ok(Cow::Owned(bytes))
        } else {
            Err(Damaged)
        }
    }
}

/// Output path → contents.
pub type Files = BTreeMap<String, Packed>;

/// Packs every file of `files`, in parallel.
pub fn pack_all(files: Vec<crate::write::OutputFile>) -> Vec<(String, Packed)> {
    use rayon::prelude::*;
    files
        .into_par_iter()
        .map(|file| {
            let packed = Packed::pack(&file.contents);
            (file.path, packed)
        })
        .collect()
}

/// Changes kept over the base before they are folded into a new base.
const FOLD_AT: usize = 4096;

/// A base map of files and a layer of changes over it (`None`: removed). Cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct Layers {
    base: Arc<Files>,
    top: Arc<BTreeMap<String, Option<Packed>>>,
}

impl Layers {
    /// Layers holding exactly `files`.
    pub fn from_map(files: Files) -> Layers {
        Layers {
            base: Arc::new(files),
            top: Arc::default(),
        }
    }

    /// The contents of the file at `path`.
    pub fn get(&self, path: &str) -> Option<&Packed> {
        match self.top.get(path) {
            Some(entry) => entry.as_ref(),
            None => self.base.get(path),
        }
    }

    /// Whether there are no files at all.
    pub fn is_empty(&self) -> bool {
        self.base.is_empty() && self.top.values().all(Option::is_none)
    }

    /// Every file, as one map.
    pub fn to_map(&self) -> Files {
        let mut files = (*self.base).clone();
        for (path, entry) in self.top.iter() {
            match entry {
                Some(packed) => files.insert(path.clone(), packed.clone()),
                None => files.remove(path),
            };
        }
        files
    }

    /// These layers with the files at `removed` taken out and `files` put in, and the paths
    /// whose contents changed, sorted.
    pub fn update(
        &self,
        removed: &[String],
        files: impl IntoIterator<Item = (String, Packed)>,
    ) -> (Layers, Vec<String>) {
        let mut top = (*self.top).clone();
        let mut gone: BTreeMap<&String, bool> = BTreeMap::new();
        for path in removed {
            gone.insert(path, self.get(path).is_some());
            top.insert(path.clone(), None);
        }
        let mut changed = Vec::new();
        for (path, packed) in files {
            if self.get(&path) != Some(&packed) {
                changed.push(path.clone());
            }
            gone.remove(&path);
            top.insert(path, Some(packed));
        }
        changed.extend(
            gone.into_iter()
                .filter(|(_, existed)| *existed)
                .map(|(path, _)| path.clone()),
        );
        changed.sort();
        changed.dedup();
        let next = Layers {
            base: Arc::clone(&self.base),
            top: Arc::new(top),
        };
        if next.top.len() > FOLD_AT {
            return (Layers::from_map(next.to_map()), changed);
        }
        (next, changed)
    }
}

/// The search index's files as served: the newest complete set, and the hashed files of the
/// set before it. Each set is swapped in whole, so a request gets one set's file, never a mix.
/// A page that loaded the previous `search/manifest.js` just before a swap still finds the
/// shards that manifest names (their names carry a hash of their contents), and
/// `manifest.js`, whose name does not change, always comes from the newest set.
#[derive(Debug, Clone, Default)]
pub struct SearchSet {
    current: Arc<Files>,
    previous: Arc<Files>,
}

/// The one search file whose name carries no hash.
const MANIFEST: &str = "search/manifest.js";

impl SearchSet {
    /// A set with `files` as the newest files and none before them.
    pub fn new(files: Arc<Files>) -> SearchSet {
        SearchSet {
            current: files,
            previous: Arc::default(),
        }
    }

    /// This set with `files` as the newest files, and the newest files so far as the previous.
    pub fn then(&self, files: Arc<Files>) -> SearchSet {
        SearchSet {
            previous: Arc::clone(&self.current),
            current: files,
        }
    }

    /// The file at `path`: from the newest set, else a hashed file of the previous one.
    pub fn get(&self, path: &str) -> Option<&Packed> {
        self.current.get(path).or_else(|| {
            (path != MANIFEST)
                .then(|| self.previous.get(path))
                .flatten()
        })
    }

    /// The newest files.
    pub fn current(&self) -> &Arc<Files> {
        &self.current
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn packed(text: &str) -> Packed {
        Packed::pack(text.as_bytes())
    }

    #[test]
    fn packing_gives_back_the_same_bytes_and_keeps_pages_small() {
        let page = "<li><a href=\"../x/\">A menu entry</a></li>\n".repeat(500);
        let small = "tiny";
        // Bytes that do not deflate, as an image's: the top byte of a 64-bit LCG.
        let mut state = 1u64;
        let noise: Vec<u8> = (0..4096)
            .map(|_| {
                state = state
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                state.to_be_bytes()[0]
            })
            .collect();
        for bytes in [page.as_bytes(), small.as_bytes(), &noise, b""] {
            let packed = Packed::pack(bytes);
            assert_eq!(packed.unpack().unwrap().as_ref(), bytes);
            assert_eq!(packed.len(), bytes.len());
        }
        let page = Packed::pack(page.as_bytes());
        assert!(
            page.stored_len() * 10 < page.len(),
            "a repetitive page deflates: {} of {} bytes",
            page.stored_len(),
            page.len()
        );
        assert!(page.shared().is_none());
        let noise = Packed::pack(&noise);
        assert_eq!(
            noise.stored_len(),
            noise.len(),
            "what does not deflate is kept"
        );
        assert!(noise.shared().is_some());
    }

    #[test]
    fn equal_bytes_pack_equal_and_other_bytes_do_not() {
        let page = "<p>Some text of a page.</p>\n".repeat(40);
        assert_eq!(packed(&page), packed(&page));
        assert_ne!(packed(&page), packed(&(page.clone() + "!")));
    }

    #[test]
    fn damaged_contents_are_an_error_not_a_panic() {
        let mut damaged = packed(&"abc".repeat(200));
        damaged.data = Arc::from(&damaged.data[..damaged.data.len() / 2]);
        assert_eq!(damaged.unpack(), Err(Damaged));
    }

    #[test]
    fn updates_layer_over_the_base() {
        let layers = Layers::from_map(Files::from([
            ("a".to_owned(), packed("1")),
            ("b".to_owned(), packed("2")),
        ]));
        let (next, changed) = layers.update(
            &["a".to_owned(), "x".to_owned()],
            [("b".to_owned(), packed("2")), ("c".to_owned(), packed("3"))],
        );
        assert_eq!(changed, ["a", "c"]);
        assert_eq!(next.get("a"), None);
        assert_eq!(next.get("b"), Some(&packed("2")));
        assert_eq!(
            next.to_map().keys().collect::<Vec<_>>(),
            [&"b".to_owned(), &"c".to_owned()]
        );
        assert_eq!(
            layers.get("a"),
            Some(&packed("1")),
            "the old layers are untouched"
        );
    }

    #[test]
    fn a_search_set_is_swapped_whole_and_keeps_the_previous_hashed_files() {
        let set = |files: &[(&str, &str)]| {
            Arc::new(
                files
                    .iter()
                    .map(|(path, text)| ((*path).to_owned(), packed(text)))
                    .collect::<Files>(),
            )
        };
        let first = SearchSet::new(set(&[
            (MANIFEST, "names v/0.aaa.js"),
            ("search/v/0.aaa.js", "old shard"),
        ]));
        let second = first.then(set(&[
            (MANIFEST, "names v/0.bbb.js"),
            ("search/v/0.bbb.js", "new shard"),
        ]));
        assert_eq!(second.get(MANIFEST), Some(&packed("names v/0.bbb.js")));
        assert_eq!(second.get("search/v/0.bbb.js"), Some(&packed("new shard")));
        assert_eq!(
            second.get("search/v/0.aaa.js"),
            Some(&packed("old shard")),
            "a page holding the old manifest still finds its shards"
        );
        assert_eq!(first.get(MANIFEST), Some(&packed("names v/0.aaa.js")));
        assert_eq!(first.get("search/v/0.bbb.js"), None);
        let third = second.then(Arc::default());
        assert_eq!(
            third.get(MANIFEST),
            None,
            "the manifest only ever comes from the newest set"
        );
        assert_eq!(third.get("search/v/0.aaa.js"), None, "two sets back");
    }
}
