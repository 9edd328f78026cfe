//! The preview's output files in memory, each kept deflated ([`Packed`]): a large base shared
//! with the server and a small layer of changes over it, so that a rebuild copies only the
//! entries it changed rather than the map of every file (some 40,000 entries on a site of
//! 10,000 case studies).
//!
//! Pages are mostly the same menus, headers and footers, so DEFLATE keeps them in a fraction
//! of their size; a request inflates its one file (well under a millisecond for a page).
//! Deflating is deterministic, so two files have equal [`Packed`] forms exactly when they have
//! equal bytes, which is how a rebuild finds the files that changed.
//!
//! Share images and resized images do not deflate, and most of a large site's bytes are
//! theirs (some 330 MB of share images at 10,000 case studies); they are in the cache on disk
//! already (`crate::cache`), so a [`Packed`] file may name the cache file that holds its bytes
//! (with their length and hash) instead of holding them, and is read from there per request.
//! A cache file that went, or whose bytes are no longer those, is [`Unreadable::Lost`]: the
//! preview renders everything again, which puts it back (or keeps the bytes in memory when
//! the cache cannot be written).
//!
//! Pages, the search index and the content's text are kept outside the process too, in a
//! spool (`serve::spool`): a [`Packed`] file there is the place of its bytes and their hash,
//! and is read back per request. Files are deflated in memory only when no spool could be
//! made (a site folder and a temporary folder that cannot be written).

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use crate::cache::Cache;
use crate::serve::spool::{Extent, Spool};

/// DEFLATE level: the fastest, which already finds the repeated markup of pages.
const LEVEL: u8 = 1;
/// Files smaller than this are kept as they are: deflating them saves too little.
const SMALL: usize = 256;

/// One file's contents: deflated when that makes them smaller, else as they are, or the cache
/// file that holds them. Cheap to clone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Packed {
    /// Length of the contents.
    len: usize,
    form: Form,
}

#[derive(Debug, Clone)]
enum Form {
    /// As they are.
    Raw(Arc<[u8]>),
    /// Deflated.
    Deflated(Arc<[u8]>),
    /// In a file of the cache, whose bytes must still hash to `hash` (xxh3-128).
    Cached(Arc<(PathBuf, u128)>),
    /// In a spool, with the hash of the bytes (xxh3-128).
    Spooled(Arc<(Extent, u128)>),
}

/// Equal forms hold equal bytes, whichever spool holds them: spooled bytes compare by their
/// hash (with the length, compared by [`Packed`]), the others as they are stored.
impl PartialEq for Form {
    fn eq(&self, other: &Form) -> bool {
        match (self, other) {
            (Form::Raw(a), Form::Raw(b)) | (Form::Deflated(a), Form::Deflated(b)) => a == b,
            (Form::Cached(a), Form::Cached(b)) => a == b,
            (Form::Spooled(a), Form::Spooled(b)) => a.1 == b.1,
            _ => false,
        }
    }
}

impl Eq for Form {}

/// How a file that no cache holds is kept.
#[derive(Debug, Clone, Copy)]
pub enum Keep<'a> {
    /// As it is, in memory (files that do not deflate, such as images).
    AsIs,
    /// Deflated in memory ([`Packed::pack`]).
    Deflated,
    /// In this spool ([`Packed::spool`]).
    Spooled(&'a Arc<Spool>),
}

/// The contents of a [`Packed`] file cannot be had.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Unreadable {
    /// They could not be inflated (never expected: they were deflated by this process).
    #[error("the preview's copy of this file is damaged")]
    Damaged,
    /// The cache file that held them went or changed (`.casebook/cache` was removed).
    #[error("the cached copy of this file went; the preview is making it again")]
    Lost,
}

impl Packed {
    /// Packs `bytes`.
    pub fn pack(bytes: &[u8]) -> Packed {
        if bytes.len() >= SMALL {
            let deflated = miniz_oxide::deflate::compress_to_vec(bytes, LEVEL);
            if deflated.len() < bytes.len() {
                return Packed {
                    len: bytes.len(),
                    form: Form::Deflated(deflated.into()),
                };
            }
        }
        Packed::raw(bytes.into())
    }

    /// Keeps `bytes` as they are (files that do not deflate, such as images).
    pub fn raw(bytes: Arc<[u8]>) -> Packed {
        Packed {
            len: bytes.len(),
            form: Form::Raw(bytes),
        }
    }

    /// Appends `bytes` to `spool`; packs them as [`Packed::pack`] does when the spool
    /// cannot be written.
    pub fn spool(bytes: &[u8], spool: &Arc<Spool>) -> Packed {
        let hash = xxhash_rust::xxh3::xxh3_128(bytes);
        match spool.put(bytes) {
            Ok(extent) => Packed {
                len: bytes.len(),
                form: Form::Spooled(Arc::new((extent, hash))),
            },
            Err(_) => Packed::pack(bytes),
        }
    }

    /// `bytes` kept as `keep` says.
    pub fn keep(bytes: Vec<u8>, keep: Keep<'_>) -> Packed {
        match keep {
            Keep::AsIs => Packed::raw(bytes.into()),
            Keep::Deflated => Packed::pack(&bytes),
            Keep::Spooled(spool) => Packed::spool(&bytes, spool),
        }
    }

    /// `bytes` kept as `keep` says, but `previous` itself when it holds the same bytes in the
    /// same spool (a file rendered again unchanged is not appended again).
    pub fn keep_unless_same(bytes: Vec<u8>, keep: Keep<'_>, previous: Option<&Packed>) -> Packed {
        if let (Keep::Spooled(spool), Some(previous)) = (keep, previous)
            && let Form::Spooled(entry) = &previous.form
            && entry.0.is_in(spool)
            && previous.len == bytes.len()
            && entry.1 == xxhash_rust::xxh3::xxh3_128(&bytes)
        {
            return previous.clone();
        }
        Packed::keep(bytes, keep)
    }

    /// The file of `cache` that holds `bytes`, when `cache` read or stored them (see
    /// [`Cache::remembering`]); else `bytes` kept as `keep` says.
    pub fn held_by(cache: &Cache, bytes: Vec<u8>, keep: Keep<'_>) -> Packed {
        match cache.file_holding(&bytes) {
            Some(file) => Packed {
                len: bytes.len(),
                form: Form::Cached(Arc::new((file, xxhash_rust::xxh3::xxh3_128(&bytes)))),
            },
            None => Packed::keep(bytes, keep),
        }
    }

    /// Whether the contents are in a spool other than `spool` (to be copied into it).
    pub fn spooled_outside(&self, spool: &Arc<Spool>) -> bool {
        matches!(&self.form, Form::Spooled(entry) if !entry.0.is_in(spool))
    }

    /// The same contents appended to `spool` (the same hash, so equal to `self`); `self`
    /// when they cannot be read or `spool` cannot be written.
    pub fn respool(&self, spool: &Arc<Spool>) -> Packed {
        let Form::Spooled(entry) = &self.form else {
            return self.clone();
        };
        match entry.0.read().map(|bytes| spool.put(&bytes)) {
            Ok(Ok(extent)) => Packed {
                len: self.len,
                form: Form::Spooled(Arc::new((extent, entry.1))),
            },
            _ => self.clone(),
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

    /// The bytes held in memory for these contents (none when a cache file holds them).
    pub fn stored_len(&self) -> usize {
        match &self.form {
            Form::Raw(data) | Form::Deflated(data) => data.len(),
            Form::Cached(_) | Form::Spooled(_) => 0,
        }
    }

    /// Whether the contents are read from a spool.
    pub fn is_spooled(&self) -> bool {
        matches!(self.form, Form::Spooled(_))
    }

    /// Whether the contents are read from a cache file.
    pub fn is_cached(&self) -> bool {
        matches!(self.form, Form::Cached(_))
    }

    /// The contents, when they are kept in memory as they are (shared, not copied).
    pub fn shared(&self) -> Option<&Arc<[u8]>> {
        match &self.form {
            Form::Raw(data) => Some(data),
            _ => None,
        }
    }

    /// The contents.
    pub fn unpack(&self) -> Result<Cow<'_, [u8]>, Unreadable> {
        match &self.form {
            Form::Raw(data) => Ok(Cow::Borrowed(data)),
            Form::Deflated(data) => {
                let bytes = miniz_oxide::inflate::decompress_to_vec_with_limit(data, self.len)
                    .map_err(|_| Unreadable::Damaged)?;
                if bytes.len() == self.len {
                    Ok(Cow::Owned(bytes))
                } else {
                    Err(Unreadable::Damaged)
                }
            }
            Form::Cached(entry) => {
                let (file, hash) = entry.as_ref();
                match std::fs::read(file) {
                    Ok(bytes)
                        if bytes.len() == self.len
                            && xxhash_rust::xxh3::xxh3_128(&bytes) == *hash =>
                    {
                        Ok(Cow::Owned(bytes))
                    }
                    _ => Err(Unreadable::Lost),
                }
            }
            Form::Spooled(entry) => match entry.0.read() {
                Ok(bytes) if bytes.len() == self.len => Ok(Cow::Owned(bytes)),
                _ => Err(Unreadable::Lost),
            },
        }
    }
}

/// Output path → contents.
pub type Files = BTreeMap<String, Packed>;

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

    /// This set without the previous files: once no page can still hold the manifest that
    /// names them.
    pub fn without_previous(&self) -> SearchSet {
        SearchSet::new(Arc::clone(&self.current))
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
        let Form::Deflated(data) = &damaged.form else {
            panic!("a repetitive text is deflated")
        };
        let cut: Arc<[u8]> = Arc::from(&data[..data.len() / 2]);
        damaged.form = Form::Deflated(cut);
        assert_eq!(damaged.unpack(), Err(Unreadable::Damaged));
    }

    #[test]
    fn bytes_a_cache_holds_are_read_from_its_file_and_lost_with_it() {
        let temp = tempfile::tempdir().unwrap();
        let cache = Cache::open(temp.path(), "share").remembering();
        let png = b"\x89PNG not really, but bytes a cache holds".repeat(20);
        let key = crate::cache::key(&[b"card"]);
        cache.put(&key, &png);
        let held = Packed::held_by(&cache, png.clone(), Keep::Deflated);
        assert!(held.is_cached());
        assert_eq!(held.stored_len(), 0, "nothing of it is held in memory");
        assert_eq!(held.len(), png.len());
        assert_eq!(held.unpack().unwrap().as_ref(), &png[..]);
        assert_eq!(held, Packed::held_by(&cache, png.clone(), Keep::Deflated));
        // Bytes the cache does not hold are packed as usual.
        let other = Packed::held_by(&cache, b"x".repeat(1000), Keep::Deflated);
        assert!(!other.is_cached() && other.stored_len() < 1000);
        let kept = Packed::held_by(&cache, b"y".repeat(1000), Keep::AsIs);
        assert_eq!(kept.shared().map(|b| b.len()), Some(1000));
        // The file changed (same length) or went: lost, never other bytes.
        let file = cache.file_holding(&png).unwrap();
        let mut changed = png.clone();
        changed[0] ^= 1;
        std::fs::write(&file, &changed).unwrap();
        assert_eq!(held.unpack(), Err(Unreadable::Lost));
        std::fs::remove_file(&file).unwrap();
        assert_eq!(held.unpack(), Err(Unreadable::Lost));
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
