//! The preview's rendered files kept on disk rather than in the process: a [`Spool`] is one
//! unnamed temporary file that pages are appended to, each then read back by its place in it
//! ([`Extent`]) when it is asked for. The operating system's page cache keeps the pages read
//! often in memory and gives the rest back when memory is short; the process holds only
//! where each file is. At 10,000 case studies the pages are 560 MB and the Markdown 104 MB;
//! kept deflated in memory, the pages alone took some 190 MB of the server's resident memory
//! (they deflate only 3.5×), and two search indexes and the text more.
//!
//! The file has no name from the start (or loses it at once where a file cannot be made
//! without one), so the system removes it when the process ends, however it ends: a preview
//! stopped with Ctrl-C or killed leaves nothing behind, and nothing needs cleaning at the
//! next start. It is made in the site's `.casebook/` folder, on the site's disk, and in the
//! system's temporary folder only when that cannot be written (a temporary folder in memory,
//! `tmpfs`, would hold the pages in memory again).
//!
//! A spool only grows: a file rendered again is appended and its old bytes are dead space
//! until the spool is let go. [`Spool::dead`] says how much; the workspace copies what is
//! still live into a new spool when the dead space outgrows it, and starts a new spool for
//! each full render and each search index, whose old spools go when nothing refers to them.

use std::fs::File;
use std::io;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// One unnamed temporary file that files are appended to.
#[derive(Debug)]
pub struct Spool {
    file: File,
    /// Bytes appended so far (where the next file goes).
    end: AtomicU64,
    /// Bytes of the files some [`Extent`] still refers to.
    live: AtomicU64,
}

/// The place of one file's bytes in a [`Spool`]. The spool stays open while an extent of it
/// is held; dropping the extent makes its bytes dead space.
#[derive(Debug)]
pub struct Extent {
    spool: Arc<Spool>,
    offset: u64,
    len: usize,
}

impl Spool {
    /// A new, empty spool in `<site_root>/.casebook/`, else in the system's temporary folder.
    pub fn create(site_root: &Path) -> io::Result<Arc<Spool>> {
        let folder = site_root.join(".casebook");
        let file = std::fs::create_dir_all(&folder)
            .and_then(|()| tempfile::tempfile_in(&folder))
            .or_else(|_| tempfile::tempfile())?;
        Ok(Arc::new(Spool {
            file,
            end: AtomicU64::new(0),
            live: AtomicU64::new(0),
        }))
    }

    /// Appends `bytes`; any thread may do so at any time.
    pub fn put(self: &Arc<Spool>, bytes: &[u8]) -> io::Result<Extent> {
        let offset = self.end.fetch_add(bytes.len() as u64, Ordering::SeqCst);
        write_at(&self.file, bytes, offset)?;
        self.live.fetch_add(bytes.len() as u64, Ordering::SeqCst);
        Ok(Extent {
            spool: Arc::clone(self),
            offset,
            len: bytes.len(),
        })
    }

    /// Bytes appended to this spool so far (its size on disk).
    pub fn size(&self) -> u64 {
        self.end.load(Ordering::SeqCst)
    }

    /// Bytes of this spool no [`Extent`] refers to any more (or that a failed write left).
    pub fn dead(&self) -> u64 {
        self.size().saturating_sub(self.live.load(Ordering::SeqCst))
    }
}

impl Extent {
    /// The bytes.
    pub fn read(&self) -> io::Result<Vec<u8>> {
        let mut bytes = vec![0; self.len];
        read_at(&self.spool.file, &mut bytes, self.offset)?;
        Ok(bytes)
    }

    /// The length of the bytes.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the bytes are empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Whether these bytes are in `spool`.
    pub fn is_in(&self, spool: &Arc<Spool>) -> bool {
        Arc::ptr_eq(&self.spool, spool)
    }
}

impl Drop for Extent {
    fn drop(&mut self) {
        self.spool.live.fetch_sub(self.len as u64, Ordering::SeqCst);
    }
}

#[cfg(unix)]
fn write_at(file: &File, bytes: &[u8], offset: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::write_all_at(file, bytes, offset)
}

#[cfg(unix)]
fn read_at(file: &File, bytes: &mut [u8], offset: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, bytes, offset)
}

#[cfg(windows)]
fn write_at(file: &File, mut bytes: &[u8], mut offset: u64) -> io::Result<()> {
    while !bytes.is_empty() {
        match std::os::windows::fs::FileExt::seek_write(file, bytes, offset) {
            Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(n) => {
                bytes = &bytes[n..];
                offset += n as u64;
            }
            Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
            Err(error) => return Err(error),
        }
    }
    Ok(())
}

#[cfg(windows)]
fn read_at(file: &File, mut bytes: &mut [u8], mut offset: u64) -> io::Result<()> {
    while !bytes.is_empty() {
        match std::os::windows::fs::FileExt::seek_read(file, bytes, offset) {
            Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
            Ok(n) => {
                bytes = &mut bytes[n..];
                offset += n as u64;
            }
            Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
            Err(error) => return Err(error),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_put_are_read_back_from_any_thread_and_dead_space_is_counted() {
        let temp = tempfile::tempdir().unwrap();
        let spool = Spool::create(temp.path()).unwrap();
        let extents: Vec<(Vec<u8>, Extent)> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..8u8)
                .map(|i| {
                    let spool = &spool;
                    scope.spawn(move || {
                        let bytes = vec![i; 1000 + usize::from(i) * 37];
                        let extent = spool.put(&bytes).unwrap();
                        (bytes, extent)
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let total: u64 = extents.iter().map(|(bytes, _)| bytes.len() as u64).sum();
        assert_eq!(spool.size(), total);
        assert_eq!(spool.dead(), 0);
        for (bytes, extent) in &extents {
            assert_eq!(&extent.read().unwrap(), bytes);
            assert_eq!(extent.len(), bytes.len());
            assert!(extent.is_in(&spool));
        }
        let empty = spool.put(b"").unwrap();
        assert!(empty.is_empty() && empty.read().unwrap().is_empty());
        let mut extents = extents;
        let (first, _) = extents.remove(0);
        assert_eq!(
            spool.dead(),
            first.len() as u64,
            "a dropped file is dead space"
        );
        // The file has no name: nothing is left in the folder, even while it is open.
        let left: Vec<_> = std::fs::read_dir(temp.path().join(".casebook"))
            .unwrap()
            .collect();
        assert!(left.is_empty(), "{left:?}");
    }
}
