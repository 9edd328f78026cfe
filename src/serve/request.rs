//! Reading a request head: where it ends, what it asks for, and whether it may be answered.
//!
//! The parser is strict where leniency could be abused and lenient where RFC 9112 allows it:
//!
//! - Lines may end in CRLF or a bare LF (RFC 9112 §2.2 lets a recipient accept LF); a CR
//!   anywhere else is refused.
//! - The request line is exactly `method SP target SP version`; the target must be visible
//!   ASCII (no control characters, spaces or bytes above 0x7E), so nothing taken from it can
//!   break a response header.
//! - Header names are tokens; values hold no control character but tab; folded lines and
//!   whitespace before the colon are refused.
//! - An HTTP/1.1 request must carry exactly one `Host`, and the host it names must be this
//!   machine's loopback or the address the preview listens on ([`host_allowed`]): a web page
//!   whose domain was rebound to 127.0.0.1 (DNS rebinding) names its own domain and is
//!   refused.

use std::net::{IpAddr, SocketAddr};

/// A request head that can be answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Request {
    /// `GET`, `HEAD`, … (case-sensitive, as HTTP methods are).
    pub method: String,
    /// The request target as sent: visible ASCII only.
    pub target: String,
    /// The `Host` header's value, when there is one (always for HTTP/1.1).
    pub host: Option<String>,
}

/// Why a request head is refused: the status to answer and a short plain-text reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Refusal {
    /// 400, 421 or 505.
    pub status: u16,
    /// One line for the person who sent it.
    pub reason: &'static str,
}

const fn bad(reason: &'static str) -> Refusal {
    Refusal {
        status: 400,
        reason,
    }
}

/// The end of the head in `bytes` (just past its empty line), searching from `from` on:
/// the caller passes how far it had already searched, so a head that arrives a byte at a
/// time is still scanned once.
pub(crate) fn head_end(bytes: &[u8], from: usize) -> Option<usize> {
    // The terminator is LF LF or LF CR LF; its first LF may be up to two bytes back.
    let start = from.saturating_sub(2);
    memchr::memchr_iter(b'\n', &bytes[start..])
        .map(|at| start + at)
        .find_map(|lf| match &bytes[lf + 1..] {
            [b'\n', ..] => Some(lf + 2),
            [b'\r', b'\n', ..] => Some(lf + 3),
            _ => None,
        })
}

/// Parses a whole request head (as cut by [`head_end`]).
pub(crate) fn parse(head: &[u8]) -> Result<Request, Refusal> {
    let mut lines = head
        .split(|&byte| byte == b'\n')
        .map(|line| line.strip_suffix(b"\r").unwrap_or(line));
    let (method, target, version) = request_line(lines.next().unwrap_or_default())?;
    let mut host = None;
    for line in lines.take_while(|line| !line.is_empty()) {
        let (name, value) = header(line)?;
        if name.eq_ignore_ascii_case(b"host") {
            if host.is_some() {
                return Err(bad("more than one Host header"));
            }
            host = Some(String::from_utf8_lossy(value).into_owned());
        }
    }
    if version == Version::Http11 && host.is_none() {
        return Err(bad("an HTTP/1.1 request needs a Host header"));
    }
    Ok(Request {
        method,
        target,
        host,
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Version {
    Http10,
    Http11,
}

fn request_line(line: &[u8]) -> Result<(String, String, Version), Refusal> {
    let mut parts = line.split(|&byte| byte == b' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad("the request line is not `METHOD target HTTP/1.1`"));
    };
    if method.is_empty() || !method.iter().copied().all(is_token) {
        return Err(bad("the method is not a token"));
    }
    if target.is_empty() || !target.iter().all(u8::is_ascii_graphic) {
        return Err(bad(
            "the request target holds a control character, a space or a non-ASCII byte",
        ));
    }
    let version = match version {
        b"HTTP/1.1" => Version::Http11,
        b"HTTP/1.0" => Version::Http10,
        [b'H', b'T', b'T', b'P', b'/', major, b'.', minor]
            if major.is_ascii_digit() && minor.is_ascii_digit() =>
        {
            return Err(Refusal {
                status: 505,
                reason: "only HTTP/1.0 and HTTP/1.1 are served",
            });
        }
        _ => return Err(bad("the protocol version is not HTTP/1.x")),
    };
    // Every byte was checked to be ASCII above.
    let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
    Ok((text(method), text(target), version))
}

/// A header line's name and value (surrounding spaces and tabs trimmed).
fn header(line: &[u8]) -> Result<(&[u8], &[u8]), Refusal> {
    let colon = line
        .iter()
        .position(|&byte| byte == b':')
        .ok_or(bad("a header line has no colon"))?;
    let (name, value) = (&line[..colon], &line[colon + 1..]);
    // Also refuses folded lines (which start with a space or tab) and space before the colon.
    if name.is_empty() || !name.iter().copied().all(is_token) {
        return Err(bad("a header name is not a token"));
    }
    if value
        .iter()
        .any(|&byte| byte != b'\t' && (byte < 0x20 || byte == 0x7f))
    {
        return Err(bad("a header value holds a control character"));
    }
    Ok((name, value.trim_ascii()))
}

/// RFC 9110's `tchar`.
fn is_token(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&byte)
}

/// The refusal of a `Host` the preview does not answer to.
pub(crate) const WRONG_HOST: Refusal = Refusal {
    status: 421,
    reason: "this preview answers only to localhost, *.localhost, 127.0.0.1, [::1] and the address it listens on; open it by one of those",
};

/// Whether `host` (a `Host` header value: a name or address and an optional port) names this
/// preview, which listens on `bound`:
///
/// - `localhost` and any `*.localhost` name (RFC 6761 reserves them for loopback, and
///   browsers resolve them to it themselves, so no outside DNS can answer for them);
/// - a loopback address (`127.0.0.1`, `[::1]`, …);
/// - the address the preview listens on, or any IP address when it listens on all of them
///   (`0.0.0.0`, `::`): an address typed as such cannot be rebound.
///
/// Any port is accepted (the preview may sit behind a forwarded port). Other names are
/// refused, so a page whose domain was made to resolve to 127.0.0.1 cannot read the preview.
pub(crate) fn host_allowed(host: &str, bound: SocketAddr) -> bool {
    let Some((name, port)) = split_port(host) else {
        return false;
    };
    if port.is_some_and(|port| port.is_empty() || port.len() > 5 || port.parse::<u16>().is_err()) {
        return false;
    }
    if let Some(address) = name
        .strip_prefix('[')
        .and_then(|inner| inner.strip_suffix(']'))
    {
        return address
            .parse::<std::net::Ipv6Addr>()
            .is_ok_and(|ip| address_allowed(IpAddr::V6(ip), bound.ip()));
    }
    if let Ok(ip) = name.parse::<std::net::Ipv4Addr>() {
        return address_allowed(IpAddr::V4(ip), bound.ip());
    }
    is_localhost_name(name)
}

/// `host` split into its name (an IPv6 address keeps its brackets) and its port, when it has
/// one; `None` when it cannot be a host at all.
fn split_port(host: &str) -> Option<(&str, Option<&str>)> {
    if host.starts_with('[') {
        let close = host.find(']')?;
        let (name, rest) = host.split_at(close + 1);
        return match rest {
            "" => Some((name, None)),
            _ => Some((name, Some(rest.strip_prefix(':')?))),
        };
    }
    match host.split_once(':') {
        Some((_, port)) if port.contains(':') => None,
        Some((name, port)) => Some((name, Some(port))),
        None => Some((host, None)),
    }
}

fn address_allowed(ip: IpAddr, bound: IpAddr) -> bool {
    ip.is_loopback() || ip == bound || bound.is_unspecified()
}

/// `localhost` or `<labels>.localhost`, in any case.
fn is_localhost_name(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    let Some(labels) = name.strip_suffix("localhost") else {
        return false;
    };
    if labels.is_empty() {
        return true;
    }
    labels.strip_suffix('.').is_some_and(|labels| {
        labels.split('.').all(|label| {
            !label.is_empty()
                && label
                    .bytes()
                    .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-')
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(head: &str) -> Result<Request, Refusal> {
        let bytes = head.as_bytes();
        let end = head_end(bytes, 0).expect("a complete head");
        parse(&bytes[..end])
    }

    #[test]
    fn heads_end_at_an_empty_line_with_or_without_cr() {
        assert_eq!(
            head_end(b"GET / HTTP/1.1\r\nHost: a\r\n\r\nbody", 0),
            Some(27)
        );
        assert_eq!(head_end(b"GET / HTTP/1.1\nHost: a\n\nbody", 0), Some(24));
        assert_eq!(head_end(b"GET / HTTP/1.1\nHost: a\n\r\n", 0), Some(25));
        assert_eq!(head_end(b"GET / HTTP/1.1\r\nHost: a\r\n", 0), None);
        assert_eq!(head_end(b"GET / HTTP/1.1\r\r\r\r", 0), None);
        // Searching again from where the last search stopped still finds a split terminator.
        let head = b"GET / HTTP/1.1\r\nHost: a\r\n\r\n";
        assert_eq!(head_end(head, 26), Some(27));
        assert_eq!(head_end(head, 25), Some(27));
    }

    #[test]
    fn ordinary_heads_parse() {
        let request = parsed("GET /a/?q=1 HTTP/1.1\r\nHost: 127.0.0.1:1111\r\nAccept: */*\r\n\r\n");
        assert_eq!(
            request,
            Ok(Request {
                method: "GET".into(),
                target: "/a/?q=1".into(),
                host: Some("127.0.0.1:1111".into()),
            })
        );
        let bare_lf = parsed("HEAD / HTTP/1.1\nhost:\tlocalhost \n\n").unwrap();
        assert_eq!(bare_lf.host.as_deref(), Some("localhost"));
        assert_eq!(parsed("GET / HTTP/1.0\r\n\r\n").unwrap().host, None);
    }

    #[test]
    fn control_characters_in_the_request_line_are_refused() {
        for head in [
            "GET /case-studies?a\rSet-Cookie:x=1 HTTP/1.1\r\nHost: localhost\r\n\r\n",
            "GET /a\0b HTTP/1.1\r\nHost: localhost\r\n\r\n",
            "GET /a\x1bb HTTP/1.1\r\nHost: localhost\r\n\r\n",
            "GET /a\x7fb HTTP/1.1\r\nHost: localhost\r\n\r\n",
            "GET /a\tb HTTP/1.1\r\nHost: localhost\r\n\r\n",
            "GET /caf\u{e9} HTTP/1.1\r\nHost: localhost\r\n\r\n",
            "GET  / HTTP/1.1\r\nHost: localhost\r\n\r\n",
            "GET / HTTP/1.1 x\r\nHost: localhost\r\n\r\n",
            "GET / HTTP/1.1\r\r\nHost: localhost\r\n\r\n",
            "G\rT / HTTP/1.1\r\nHost: localhost\r\n\r\n",
        ] {
            assert_eq!(parsed(head).map_err(|r| r.status), Err(400), "{head:?}");
        }
    }

    #[test]
    fn malformed_headers_are_refused() {
        for head in [
            "GET / HTTP/1.1\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
            "GET / HTTP/1.1\r\nHost : localhost\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: localhost\r\n folded\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: local\rhost\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: localhost\r\nX: a\0b\r\n\r\n",
            "GET / HTTP/1.1\r\nno colon\r\n\r\n",
            "GET / FTP/1.1\r\nHost: localhost\r\n\r\n",
        ] {
            assert_eq!(parsed(head).map_err(|r| r.status), Err(400), "{head:?}");
        }
        assert_eq!(
            parsed("GET / HTTP/2.0\r\nHost: localhost\r\n\r\n").map_err(|r| r.status),
            Err(505)
        );
    }

    #[test]
    fn only_loopback_and_the_bound_address_are_allowed_hosts() {
        let loopback: SocketAddr = "127.0.0.1:1111".parse().unwrap();
        for host in [
            "localhost",
            "LOCALHOST:1111",
            "preview.localhost",
            "a-b.c.localhost:8080",
            "127.0.0.1",
            "127.0.0.1:1111",
            "127.1.2.3:9",
            "[::1]",
            "[::1]:1111",
        ] {
            assert!(host_allowed(host, loopback), "{host} is allowed");
        }
        for host in [
            "evil.example.com",
            "evil.example.com:1111",
            "localhost.evil.example.com",
            "evillocalhost",
            ".localhost",
            "a..localhost",
            "localhost:",
            "localhost:99999",
            "localhost:1x",
            "192.168.1.5",
            "[::1",
            "::1",
            "[evil.example.com]",
            "[::1]x",
            "",
        ] {
            assert!(!host_allowed(host, loopback), "{host} is refused");
        }
        let lan: SocketAddr = "192.168.1.5:1111".parse().unwrap();
        assert!(host_allowed("192.168.1.5:1111", lan));
        assert!(!host_allowed("192.168.1.6:1111", lan));
        assert!(!host_allowed("my-laptop.lan:1111", lan));
        let everywhere: SocketAddr = "0.0.0.0:1111".parse().unwrap();
        assert!(host_allowed("10.0.0.7:1111", everywhere));
        assert!(!host_allowed("evil.example.com", everywhere));
    }
}
