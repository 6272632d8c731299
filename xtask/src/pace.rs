//! A fixed-rate (open-loop) HTTP/1.1 run: request `i` is due at
//! `start + i / rate`, whether or not earlier ones have been answered, and
//! its latency is counted from when it was due, not from when a connection
//! was free to send it (wrk2's correction for coordinated omission). This
//! is what "sustains N asks/s with p99 ≤ X" means: the clients of a busy
//! brand do not wait for each other. `wrk`'s closed loop (a fixed number of
//! connections, each sending when its last answer arrives) measures the
//! most the server can do, and its latency is then only the queue those
//! connections build (Little's law).
//!
//! Used for asks by `cargo xtask bench edge` (`xtask/src/bench_edge/asks.rs`).
//! Debian 12 packages no fixed-rate generator that can vary the body and
//! headers of each request (`wrk2` and `vegeta` are not packaged; `hey`
//! and `h2load` send one fixed body), which the asks need: repeated and new
//! questions, each from its own client address.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// What a paced run measured.
#[derive(Debug, Default, Clone)]
pub struct Paced {
    /// Requests due in the run (rate × seconds).
    pub due: usize,
    /// Answered with a 2xx status.
    pub ok: usize,
    /// Answered with another status.
    pub non_2xx: usize,
    /// Connection or protocol errors (the request is not answered).
    pub errors: usize,
    /// Answers per second over the run (last answer − first due time).
    pub achieved_per_s: f64,
    /// Latency from each request's due time, milliseconds.
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

/// Sends `rate × seconds` requests to `127.0.0.1:port` at a fixed rate over
/// `conns` keep-alive connections; `make(i)` is request `i` (its bytes,
/// with `Content-Length` and without `Connection: close`).
pub fn run(
    port: u16,
    rate: u32,
    seconds: u32,
    conns: usize,
    make: &(dyn Fn(usize) -> Vec<u8> + Sync),
) -> Paced {
    let due = (rate as usize) * (seconds as usize);
    let interval = Duration::from_secs_f64(1.0 / rate.max(1) as f64);
    let start = Instant::now() + Duration::from_millis(50);
    let next = AtomicUsize::new(0);
    let results = Mutex::new((Vec::with_capacity(due), 0usize, 0usize, start));
    std::thread::scope(|scope| {
        for _ in 0..conns.max(1) {
            scope.spawn(|| {
                let mut conn: Option<TcpStream> = None;
                let mut lat = Vec::new();
                let (mut non_2xx, mut errors, mut last) = (0, 0, start);
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= due {
                        break;
                    }
                    let at = start + interval * i as u32;
                    if let Some(wait) = at.checked_duration_since(Instant::now()) {
                        std::thread::sleep(wait);
                    }
                    let req = make(i);
                    match exchange(&mut conn, port, &req) {
                        Ok(status) => {
                            let done = Instant::now();
                            lat.push(done.duration_since(at).as_secs_f64() * 1e3);
                            last = last.max(done);
                            if !(200..300).contains(&status) {
                                non_2xx += 1;
                            }
                        }
                        Err(_) => {
                            conn = None;
                            errors += 1;
                        }
                    }
                }
                let mut r = results.lock().unwrap_or_else(|e| e.into_inner());
                r.0.extend(lat);
                r.1 += non_2xx;
                r.2 += errors;
                r.3 = r.3.max(last);
            });
        }
    });
    let (mut lat, non_2xx, errors, last) = results.into_inner().unwrap_or_else(|e| e.into_inner());
    lat.sort_by(f64::total_cmp);
    let pct = |p: f64| crate::bench_edge::percentile(&lat, p);
    let span = last.duration_since(start).as_secs_f64();
    Paced {
        due,
        ok: lat.len() - non_2xx,
        non_2xx,
        errors,
        achieved_per_s: if span > 0.0 {
            lat.len() as f64 / span
        } else {
            0.0
        },
        p50_ms: pct(50.0),
        p90_ms: pct(90.0),
        p99_ms: pct(99.0),
        max_ms: lat.last().copied().unwrap_or(0.0),
    }
}

/// Sends one request on the connection (opening it if needed) and reads
/// the whole response; returns its status.
fn exchange(conn: &mut Option<TcpStream>, port: u16, req: &[u8]) -> std::io::Result<u16> {
    if conn.is_none() {
        let s = TcpStream::connect(("127.0.0.1", port))?;
        s.set_nodelay(true)?;
        s.set_read_timeout(Some(Duration::from_secs(30)))?;
        *conn = Some(s);
    }
    let Some(s) = conn.as_mut() else {
        return Err(std::io::ErrorKind::NotConnected.into());
    };
    s.write_all(req)?;
    read_response(s)
}

/// Reads one response with a `Content-Length` body; returns its status.
fn read_response(s: &mut impl Read) -> std::io::Result<u16> {
    let bad = |what: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, what.to_string());
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break p + 4;
        }
        let n = s.read(&mut chunk)?;
        if n == 0 {
            return Err(bad("connection closed before the response head"));
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_ascii_lowercase();
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse::<u16>().ok())
        .ok_or_else(|| bad("no status"))?;
    let len = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse::<usize>().ok())
        .ok_or_else(|| bad("no content-length"))?;
    let mut have = buf.len() - head_end;
    while have < len {
        let n = s.read(&mut chunk)?;
        if n == 0 {
            return Err(bad("connection closed in the body"));
        }
        have += n;
    }
    Ok(status)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_response_split_across_reads() {
        let text = b"HTTP/1.1 201 Created\r\nContent-Length: 5\r\nX: y\r\n\r\nhello";
        assert_eq!(read_response(&mut &text[..]).unwrap(), 201);
        // A body cut short is an error, not a success.
        let short = b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nhello";
        assert!(read_response(&mut &short[..]).is_err());
        let no_len = b"HTTP/1.1 200 OK\r\n\r\n";
        assert!(read_response(&mut &no_len[..]).is_err());
    }

    #[test]
    fn paces_requests_and_counts_statuses() {
        // A loopback server answering 201 then 429, alternately.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let served = std::sync::Arc::new(AtomicUsize::new(0));
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let served = served.clone();
                std::thread::spawn(move || {
                    let mut s = stream;
                    let mut buf = [0u8; 1024];
                    while let Ok(k) = s.read(&mut buf) {
                        if k == 0 {
                            break;
                        }
                        let n = served.fetch_add(1, Ordering::SeqCst);
                        let status = if n.is_multiple_of(2) {
                            "201 Created"
                        } else {
                            "429 Too Many"
                        };
                        let _ = s.write_all(
                            format!("HTTP/1.1 {status}\r\nContent-Length: 2\r\n\r\nok").as_bytes(),
                        );
                    }
                });
            }
        });
        let req = b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n".to_vec();
        let t = Instant::now();
        let r = run(port, 200, 1, 2, &|_| req.clone());
        assert_eq!(r.due, 200);
        assert_eq!((r.ok, r.non_2xx, r.errors), (100, 100, 0));
        // Paced: the last of 200 requests is not sent before it is due,
        // 199/200 s after the first (unpaced, they would take milliseconds).
        assert!(t.elapsed() >= Duration::from_millis(995), "{r:?}");
        assert!(r.p50_ms <= r.p99_ms && r.p99_ms <= r.max_ms);
    }
}
