//! Server-Sent Events for live reload: the open connections of `/__casebook/events` and the
//! messages sent to all of them.
//!
//! A connection costs no thread: once its response head is written, its stream joins the
//! [`Hub`], and each broadcast writes to every stream in turn with a short write timeout,
//! dropping the ones that fail. The number of open connections is bounded.

use std::io::Write;
use std::net::TcpStream;
use std::sync::Mutex;
use std::time::Duration;

/// Most live-reload connections open at once; more are answered 503.
pub const MAX_CLIENTS: usize = 256;

/// How long a write to one client may block before the client is dropped.
const WRITE_TIMEOUT: Duration = Duration::from_secs(2);

/// The open event streams.
#[derive(Debug, Default)]
pub struct Hub {
    clients: Mutex<Vec<TcpStream>>,
}

impl Hub {
    /// Adds a client whose response head has been written, sending it `first` (the current
    /// state). Gives the stream back when the hub is full.
    pub fn join(&self, mut stream: TcpStream, first: &str) -> Result<(), TcpStream> {
        let mut clients = self.lock();
        if clients.len() >= MAX_CLIENTS {
            return Err(stream);
        }
        let _timeout_is_best_effort = stream.set_write_timeout(Some(WRITE_TIMEOUT));
        if stream
            .write_all(first.as_bytes())
            .and_then(|()| stream.flush())
            .is_ok()
        {
            clients.push(stream);
        }
        Ok(())
    }

    /// Sends one event to every client; clients that cannot take it are dropped.
    pub fn broadcast(&self, event: &str) {
        let mut clients = self.lock();
        clients.retain_mut(|stream| {
            stream
                .write_all(event.as_bytes())
                .and_then(|()| stream.flush())
                .is_ok()
        });
    }

    /// Open connections.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether no client is connected.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<TcpStream>> {
        // A panic while holding the lock leaves a list of streams that is still usable.
        self.clients
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// One SSE message: `event: <name>` and its data, one `data:` line per line.
pub fn message(name: &str, data: &str) -> String {
    let mut out = format!("event: {name}\n");
    for line in data.lines() {
        out.push_str("data: ");
        out.push_str(line);
        out.push('\n');
    }
    if data.is_empty() {
        out.push_str("data: \n");
    }
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_put_each_line_in_a_data_field() {
        assert_eq!(
            message("reload", "{\"a\":\n1}"),
            "event: reload\ndata: {\"a\":\ndata: 1}\n\n"
        );
        assert_eq!(message("x", ""), "event: x\ndata: \n\n");
    }
}
