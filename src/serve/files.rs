//! The preview's output files in memory: a large base shared with the server and a small
//! layer of changes over it, so that a rebuild copies only the entries it changed rather than
//! the map of every file (some 40,000 entries on a site of 10,000 case studies).

use std::collections::BTreeMap;
use std::sync::Arc;

/// Output path → contents.
pub type Files = BTreeMap<String, Arc<[u8]>>;

/// Changes kept over the base before they are folded into a new base.
const FOLD_AT: usize = 4096;

/// A base map of files and a layer of changes over it (`None`: removed). Cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct Layers {
    base: Arc<Files>,
    top: Arc<BTreeMap<String, Option<Arc<[u8]>>>>,
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
    pub fn get(&self, path: &str) -> Option<&Arc<[u8]>> {
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
                Some(bytes) => files.insert(path.clone(), Arc::clone(bytes)),
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
        files: impl IntoIterator<Item = (String, Arc<[u8]>)>,
    ) -> (Layers, Vec<String>) {
        let mut top = (*self.top).clone();
        let mut gone: BTreeMap<&String, bool> = BTreeMap::new();
        for path in removed {
            gone.insert(path, self.get(path).is_some());
            top.insert(path.clone(), None);
        }
        let mut changed = Vec::new();
        for (path, bytes) in files {
            if self.get(&path) != Some(&bytes) {
                changed.push(path.clone());
            }
            gone.remove(&path);
            top.insert(path, Some(bytes));
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

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(text: &str) -> Arc<[u8]> {
        text.as_bytes().into()
    }

    #[test]
    fn updates_layer_over_the_base() {
        let layers = Layers::from_map(Files::from([
            ("a".to_owned(), bytes("1")),
            ("b".to_owned(), bytes("2")),
        ]));
        let (next, changed) = layers.update(
            &["a".to_owned(), "x".to_owned()],
            [("b".to_owned(), bytes("2")), ("c".to_owned(), bytes("3"))],
        );
        assert_eq!(changed, ["a", "c"]);
        assert_eq!(next.get("a"), None);
        assert_eq!(next.get("b"), Some(&bytes("2")));
        assert_eq!(
            next.to_map().keys().collect::<Vec<_>>(),
            [&"b".to_owned(), &"c".to_owned()]
        );
        assert_eq!(
            layers.get("a"),
            Some(&bytes("1")),
            "the old layers are untouched"
        );
    }
}
