//! The table of open connections: how many may be open at once, and which one gives way
//! when the table is full.
//!
//! Every accepted connection gets a [`Slot`] before its thread starts, and gives it back when
//! the thread ends, so there are never more connection threads than [`Limits::connections`].
//! A connection is *reading* until its whole request head has arrived, then *answering*.
//! When the table is full, a new connection takes the place of the connection that has been
//! reading the longest: that one is shut down (its blocked read returns at once) and the new
//! one waits for its thread to end. Only when every connection is answering is a new one
//! refused. So clients that open connections and send nothing, or send a head a byte at a
//! time (slowloris), can delay nobody: a request whose head arrives promptly always finds a
//! slot. Addresses are not counted separately: every client of a local preview is usually
//! 127.0.0.1, so age is the only fair measure.
//!
//! Live-reload streams are not in the table: their thread hands them to the event hub and
//! gives its slot back.

use std::collections::BTreeMap;
use std::net::{Shutdown, TcpStream};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// The server's limits. [`Limits::default`] is what `casebook serve` uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Connections open at once (live-reload streams aside); each has its own thread.
    pub connections: usize,
    /// Time from accepting a connection to the end of its request head; later, 408.
    pub head: Duration,
    /// Time to write one answer; a client that reads more slowly is cut off.
    pub answer: Duration,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            connections: 128,
            head: Duration::from_secs(10),
            answer: Duration::from_secs(30),
        }
    }
}

/// How long a new connection waits for the connection it displaced to go.
const DISPLACE_WAIT: Duration = Duration::from_secs(1);

/// The open connections, shared by the accepting thread and the connection threads.
#[derive(Debug)]
pub(crate) struct Table {
    limit: usize,
    open: Mutex<Open>,
    /// Signalled whenever a slot is given back.
    freed: Condvar,
}

#[derive(Debug, Default)]
struct Open {
    next: u64,
    /// By number, so in the order they were accepted.
    slots: BTreeMap<u64, State>,
}

#[derive(Debug)]
enum State {
    /// Waiting for its request head; the handle can shut it down.
    Reading(TcpStream),
    /// Shut down to make room; its thread has not ended yet.
    Displaced,
    /// Its head arrived: it is being answered and keeps its slot until done.
    Answering,
}

/// A place in the [`Table`], given back when dropped.
#[derive(Debug)]
pub(crate) struct Slot {
    table: Arc<Table>,
    number: u64,
    /// When the connection was accepted.
    pub since: Instant,
}

impl Table {
    /// A table of at most `limit` connections.
    pub(crate) fn new(limit: usize) -> Arc<Table> {
        Arc::new(Table {
            limit: limit.max(1),
            open: Mutex::default(),
            freed: Condvar::new(),
        })
    }

    /// A slot for `stream`, displacing the connection that has been reading longest when the
    /// table is full; `None` when every connection is being answered (answer 503).
    pub(crate) fn admit(self: &Arc<Table>, stream: &TcpStream) -> Option<Slot> {
        let handle = stream.try_clone().ok()?;
        let since = Instant::now();
        let mut open = self.lock();
        while open.slots.len() >= self.limit {
            let displacing = open.slots.values().any(|s| matches!(s, State::Displaced));
            if !displacing && !open.displace_longest_reading() {
                return None;
            }
            let (next, wait) = self
                .freed
                .wait_timeout(open, DISPLACE_WAIT)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            open = next;
            if wait.timed_out() && open.slots.len() >= self.limit {
                return None;
            }
        }
        let number = open.next;
        open.next += 1;
        open.slots.insert(number, State::Reading(handle));
        Some(Slot {
            table: Arc::clone(self),
            number,
            since,
        })
    }

    /// Connections open now.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.lock().slots.len()
    }

    fn lock(&self) -> MutexGuard<'_, Open> {
        // The table stays consistent across a panic: every change is one map operation.
        self.open
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Open {
    /// Shuts down the connection that has waited longest for its head; false if none is.
    fn displace_longest_reading(&mut self) -> bool {
        let Some(state) = self
            .slots
            .values_mut()
            .find(|state| matches!(state, State::Reading(_)))
        else {
            return false;
        };
        if let State::Reading(stream) = std::mem::replace(state, State::Displaced) {
            // Wakes the connection's thread from its read; it then ends and frees the slot.
            let _already_closed = stream.shutdown(Shutdown::Both);
        }
        true
    }
}

impl Slot {
    /// The request head has arrived: from now on the connection cannot be displaced.
    pub(crate) fn answering(&self) {
        if let Some(state) = self.table.lock().slots.get_mut(&self.number)
            && matches!(state, State::Reading(_))
        {
            *state = State::Answering;
        }
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.table.lock().slots.remove(&self.number);
        self.table.freed.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;
    use std::net::TcpListener;

    /// A connected pair: the client's end and the server's.
    fn pair(listener: &TcpListener) -> (TcpStream, TcpStream) {
        let client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (server, _) = listener.accept().unwrap();
        (client, server)
    }

    #[test]
    fn a_full_table_displaces_the_connection_reading_longest() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let table = Table::new(2);
        let (_oldest_client, oldest) = pair(&listener);
        let (_newer_client, newer) = pair(&listener);
        let oldest_slot = table.admit(&oldest).unwrap();
        let newer_slot = table.admit(&newer).unwrap();

        // The oldest connection's thread: blocked reading until it is shut down.
        let mut reading = oldest.try_clone().unwrap();
        let thread = std::thread::spawn(move || {
            let read = reading.read(&mut [0u8; 16]);
            drop(oldest_slot);
            read.map_err(|e| e.kind())
        });
        let (_client, third) = pair(&listener);
        let started = Instant::now();
        let third_slot = table.admit(&third).expect("the oldest reader gives way");
        assert!(started.elapsed() < Duration::from_millis(500));
        assert_eq!(
            thread.join().unwrap(),
            Ok(0),
            "the displaced read ends at once"
        );
        assert_eq!(table.len(), 2);
        drop((newer_slot, third_slot));
        assert_eq!(table.len(), 0);
    }

    #[test]
    fn connections_being_answered_are_never_displaced() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let table = Table::new(1);
        let (_client, answering) = pair(&listener);
        let slot = table.admit(&answering).unwrap();
        slot.answering();
        let (_other_client, other) = pair(&listener);
        assert!(table.admit(&other).is_none(), "busy: 503");
        drop(slot);
        assert!(table.admit(&other).is_some());
    }
}
