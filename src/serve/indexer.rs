//! The preview's search indexer: makes the search index on a thread of its own, so that the
//! page of a save is never queued behind the index of the save before it.
//!
//! The indexer has a thread pool of its own, so that the page renders of the next change never
//! queue behind its tasks in the shared pool (the system shares the cores between the two).
//!
//! At most one index is made at a time. A job handed over while one runs waits, and a newer
//! job replaces a waiting one. A job holds the workspace's linked site; a change that must
//! alter it stops the job, which lets go of the site within a chunk of pages, rather than
//! copy a site of 10,000 pages on the way to the page of the save (see `Workspace`); the
//! index of the newer content follows. So while saves come faster than an index is made,
//! search shows the content as it was before them, and catches up once they pause. Each finished index is swapped in whole on the server
//! ([`Shared::publish_search`]), so a search request gets one complete set of files, and is
//! handed back to the rebuild loop ([`Indexer::finished`]), which keeps it in the workspace and
//! tells the terminal.

use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::serve::files::Files;
use crate::serve::http::Shared;
use crate::serve::workspace::SearchJob;

/// How an index is made from a job: [`SearchJob::run`], or a stand-in in tests; `None` when
/// the job was stopped.
pub type Make = dyn Fn(&SearchJob) -> Option<Files> + Send + Sync;

/// An index made and published.
#[derive(Debug)]
pub struct Indexed {
    /// The search index's files.
    pub files: Arc<Files>,
    /// How long making it took.
    pub took: Duration,
}

#[derive(Debug, Default)]
struct State {
    /// The job to run next (the newest handed over).
    waiting: Option<SearchJob>,
    /// Whether a job is being run.
    running: bool,
    /// Set when the indexer is dropped: the thread ends.
    stopped: bool,
}

#[derive(Debug, Default)]
struct Queue {
    state: Mutex<State>,
    changed: Condvar,
}

impl Queue {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The indexing thread and its queue of one. Dropping it stops the thread once the job it
/// runs, if any, is done.
#[derive(Debug)]
pub struct Indexer {
    queue: Arc<Queue>,
    done: Receiver<Indexed>,
}

impl Indexer {
    /// Starts the thread: each index it makes with `make` is published on `shared`.
    pub fn start(shared: Arc<Shared>, make: Box<Make>) -> std::io::Result<Indexer> {
        let queue = Arc::new(Queue::default());
        let (sender, done) = mpsc::channel();
        let thread_queue = Arc::clone(&queue);
        let pool = rayon::ThreadPoolBuilder::new()
            .thread_name(|_| "casebook-search-pool".into())
            .build()
            .map_err(std::io::Error::other)?;
        std::thread::Builder::new()
            .name("casebook-search-index".into())
            .spawn(move || pool.install(|| run(&thread_queue, &shared, &*make, &sender)))?;
        Ok(Indexer { queue, done })
    }

    /// Hands `job` over: it runs when the index being made, if any, is done, unless a newer
    /// job replaces it first. Never waits for an index.
    pub fn submit(&self, job: SearchJob) {
        self.queue.lock().waiting = Some(job);
        self.queue.changed.notify_all();
    }

    /// The indexes made and published since the last call, oldest first.
    pub fn finished(&self) -> Vec<Indexed> {
        self.done.try_iter().collect()
    }

    /// Waits until no job runs or waits, for at most `timeout`; returns whether it is so.
    pub fn wait_idle(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        let mut state = self.queue.lock();
        while state.running || state.waiting.is_some() {
            let Some(left) = deadline.checked_duration_since(Instant::now()) else {
                return false;
            };
            state = self
                .queue
                .changed
                .wait_timeout(state, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        true
    }
}

impl Drop for Indexer {
    fn drop(&mut self) {
        self.queue.lock().stopped = true;
        self.queue.changed.notify_all();
    }
}

fn run(queue: &Queue, shared: &Shared, make: &Make, done: &Sender<Indexed>) {
    loop {
        let job = {
            let mut state = queue.lock();
            loop {
                if state.stopped {
                    return;
                }
                if let Some(job) = state.waiting.take() {
                    state.running = true;
                    break job;
                }
                state = queue
                    .changed
                    .wait(state)
                    .unwrap_or_else(PoisonError::into_inner);
            }
        };
        let started = Instant::now();
        let made = make(&job);
        drop(job);
        if let Some(files) = made.map(Arc::new) {
            shared.publish_search(Arc::clone(&files));
            let _loop_gone = done.send(Indexed {
                files,
                took: started.elapsed(),
            });
        }
        queue.lock().running = false;
        queue.changed.notify_all();
    }
}
