//! Keeping the workspace's spools small ([`Workspace::tidy`] copies what is live into a new
//! one once dead space outgrows it), and telling what the workspace holds ([`Held`]).

use std::sync::Arc;

use rayon::prelude::*;

use super::{Files, Layers, Packed, Workspace};
use crate::serve::spool::Spool;

impl Workspace {
    /// Copies the rendered files, and the content's text, each into a new spool when the dead
    /// space of theirs has outgrown `TIDY_AT` and what is still live (a file rendered or
    /// read again leaves its old bytes behind). Returns whether the rendered files moved: the
    /// server is then to be given them again ([`Workspace::files`]). Their bytes are the same.
    pub fn tidy(&mut self) -> bool {
        self.tidy_over(TIDY_AT)
    }

    /// [`Workspace::tidy`] with `least` bytes of dead space at least.
    pub(crate) fn tidy_over(&mut self, least: u64) -> bool {
        let outgrown = |spool: &Option<Arc<Spool>>| {
            spool.as_ref().is_some_and(|spool| {
                let dead = spool.dead();
                dead >= least && dead > spool.size() - dead
            })
        };
        if outgrown(&self.sources_spool)
            && let Ok(fresh) = Spool::create(&self.root)
        {
            for packed in Arc::make_mut(&mut self.sources).values_mut() {
                *packed = packed.respool(&fresh);
            }
            self.sources_spool = Some(fresh);
        }
        if !outgrown(&self.pages_spool) {
            return false;
        }
        let Ok(fresh) = Spool::create(&self.root) else {
            return false;
        };
        let files: Files = self
            .rendered
            .to_map()
            .into_par_iter()
            .map(|(path, packed)| {
                let packed = if packed.spooled_outside(&fresh) {
                    packed.respool(&fresh)
                } else {
                    packed
                };
                (path, packed)
            })
            .collect();
        self.rendered = Layers::from_map(files);
        self.pages_spool = Some(fresh);
        true
    }

    /// What the workspace holds, in memory and in its spools, for `CASEBOOK_TIMINGS=1`.
    pub fn held(&self) -> Held {
        let rendered = self.rendered.to_map();
        let in_memory = |files: &mut dyn Iterator<Item = &Packed>| -> usize {
            files.map(Packed::stored_len).sum()
        };
        let spooled = |spool: &Option<Arc<Spool>>| {
            spool
                .as_ref()
                .map_or((0, 0), |spool| (spool.size(), spool.dead()))
        };
        Held {
            rendered_files: rendered.len(),
            rendered_in_memory: in_memory(&mut rendered.values()),
            search_in_memory: in_memory(&mut self.search.values()),
            sources_in_memory: in_memory(&mut self.sources.values()),
            static_in_memory: in_memory(&mut self.static_files.values()),
            bodies: self
                .site
                .pages
                .iter()
                .map(|page| page.body.markdown.len())
                .sum(),
            pages_spool: spooled(&self.pages_spool),
            sources_spool: spooled(&self.sources_spool),
        }
    }
}

/// Dead space in a spool, in bytes, below which it is never copied ([`Workspace::tidy`]).
const TIDY_AT: u64 = 64 << 20;

/// What a [`Workspace`] holds ([`Workspace::held`]), in bytes unless said otherwise.
#[derive(Debug, Clone, Copy, Default)]
pub struct Held {
    /// Rendered files (a count).
    pub rendered_files: usize,
    /// Bytes of rendered files held in memory (none when they are in a spool).
    pub rendered_in_memory: usize,
    /// Bytes of the current search index's files held in memory.
    pub search_in_memory: usize,
    /// Bytes of the content's text held in memory.
    pub sources_in_memory: usize,
    /// Bytes of static files held in memory.
    pub static_in_memory: usize,
    /// Bytes of Markdown bodies held by the linked site.
    pub bodies: usize,
    /// The rendered files' spool: its size and its dead space.
    pub pages_spool: (u64, u64),
    /// The content text's spool: its size and its dead space.
    pub sources_spool: (u64, u64),
}

impl std::fmt::Display for Held {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mb = |bytes: u64| bytes as f64 / 1e6;
        let mbu = |bytes: usize| mb(bytes as u64);
        write!(
            f,
            "held (MB): {} rendered files {:.1} in memory, search {:.1}, sources {:.1}, static {:.1}, bodies {:.1}; spools: pages {:.1} ({:.1} dead), sources {:.1} ({:.1} dead)",
            self.rendered_files,
            mbu(self.rendered_in_memory),
            mbu(self.search_in_memory),
            mbu(self.sources_in_memory),
            mbu(self.static_in_memory),
            mbu(self.bodies),
            mb(self.pages_spool.0),
            mb(self.pages_spool.1),
            mb(self.sources_spool.0),
            mb(self.sources_spool.1),
        )
    }
}
