//! An SMTP sink for tests: a real SMTP server on 127.0.0.1:0 (EHLO, MAIL,
//! RCPT, DATA, RSET, NOOP, QUIT) on its own thread, keeping what it
//! accepted; it can be switched to refuse every recipient with 550 or 451.
//! Tests wait on its counter of accepted mails, never on time.

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// What the sink says to `RCPT TO`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// 250.
    Accept,
    /// 550 (permanent: mailbox unavailable).
    Refuse,
    /// 451 (temporary: try again later).
    Defer,
}

/// One accepted mail.
#[derive(Debug, Clone)]
pub(crate) struct Mail {
    pub(crate) from: String,
    pub(crate) to: Vec<String>,
    /// The DATA as received (headers and body, dot-unstuffed, CRLF).
    pub(crate) data: Vec<u8>,
}

impl Mail {
    /// The headers as received, then the body decoded (base64 when the
    /// headers say so), as text.
    pub(crate) fn text(&self) -> String {
        use base64::Engine as _;
        let raw = String::from_utf8_lossy(&self.data).into_owned();
        let Some((head, body)) = raw.split_once("\r\n\r\n") else {
            return raw;
        };
        let body = if head
            .to_ascii_lowercase()
            .contains("content-transfer-encoding: base64")
        {
            let joined: String = body.split_whitespace().collect();
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(joined)
                .expect("a base64 body");
            String::from_utf8(bytes).expect("a UTF-8 body")
        } else {
            body.to_owned()
        };
        format!("{head}\r\n\r\n{body}")
    }
}

#[derive(Default)]
struct State {
    mails: Mutex<Vec<Mail>>,
    arrived: Condvar,
    /// Every SMTP command line received, in order.
    commands: Mutex<Vec<String>>,
}

/// The running sink; stops when dropped.
pub(crate) struct SmtpSink {
    addr: SocketAddr,
    state: Arc<State>,
    mode: Arc<AtomicU8>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl SmtpSink {
    pub(crate) fn start() -> SmtpSink {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let state = Arc::new(State::default());
        let mode = Arc::new(AtomicU8::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (s, m, st) = (state.clone(), mode.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            for conn in listener.incoming() {
                if st.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(conn) = conn else { continue };
                // One client at a time is all a newsletter run needs.
                let _ = session(conn, &s, &m);
            }
        });
        SmtpSink {
            addr,
            state,
            mode,
            stop,
            thread: Some(thread),
        }
    }

    /// `127.0.0.1:PORT`.
    pub(crate) fn addr(&self) -> String {
        self.addr.to_string()
    }

    pub(crate) fn set_mode(&self, mode: Mode) {
        let code = match mode {
            Mode::Accept => 0,
            Mode::Refuse => 1,
            Mode::Defer => 2,
        };
        self.mode.store(code, Ordering::SeqCst);
    }

    /// Every mail accepted so far.
    pub(crate) fn mails(&self) -> Vec<Mail> {
        self.state.mails.lock().unwrap().clone()
    }

    /// Every command line received so far.
    pub(crate) fn commands(&self) -> Vec<String> {
        self.state.commands.lock().unwrap().clone()
    }

    /// Wait until at least `n` mails were accepted (or fail after `limit`).
    pub(crate) fn wait_for(&self, n: usize, limit: Duration) -> Vec<Mail> {
        let deadline = Instant::now() + limit;
        let mut mails = self.state.mails.lock().unwrap();
        while mails.len() < n {
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(
                !left.is_zero(),
                "the SMTP sink holds {} mails, not {n}",
                mails.len()
            );
            mails = self.state.arrived.wait_timeout(mails, left).unwrap().0;
        }
        mails.clone()
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(self.addr);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn session(conn: TcpStream, state: &State, mode: &AtomicU8) -> std::io::Result<()> {
    conn.set_read_timeout(Some(Duration::from_secs(60)))?;
    let mut out = conn.try_clone()?;
    let mut lines = BufReader::new(conn);
    out.write_all(b"220 sink.test ESMTP tazan test sink\r\n")?;
    let mut from = String::new();
    let mut to: Vec<String> = Vec::new();
    loop {
        let mut line = String::new();
        if lines.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let cmd = line.trim_end().to_owned();
        state.commands.lock().unwrap().push(cmd.clone());
        let upper = cmd.to_ascii_uppercase();
        if upper.starts_with("EHLO") {
            out.write_all(b"250-sink.test\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n")?;
        } else if upper.starts_with("HELO") {
            out.write_all(b"250 sink.test\r\n")?;
        } else if upper.starts_with("MAIL FROM:") {
            from = cmd[10..].trim().to_owned();
            to.clear();
            out.write_all(b"250 2.1.0 OK\r\n")?;
        } else if upper.starts_with("RCPT TO:") {
            match mode.load(Ordering::SeqCst) {
                1 => out.write_all(b"550 5.1.1 mailbox unavailable\r\n")?,
                2 => out.write_all(b"451 4.3.0 try again later\r\n")?,
                _ => {
                    to.push(cmd[8..].trim().to_owned());
                    out.write_all(b"250 2.1.5 OK\r\n")?;
                }
            }
        } else if upper == "DATA" {
            if to.is_empty() {
                out.write_all(b"554 5.5.1 no valid recipients\r\n")?;
                continue;
            }
            out.write_all(b"354 end with <CRLF>.<CRLF>\r\n")?;
            let mut data = Vec::new();
            loop {
                let mut l = Vec::new();
                if lines.read_until(b'\n', &mut l)? == 0 {
                    return Ok(());
                }
                if l == b".\r\n" {
                    break;
                }
                let l = if l.starts_with(b"..") {
                    &l[1..]
                } else {
                    &l[..]
                };
                data.extend_from_slice(l);
            }
            state.mails.lock().unwrap().push(Mail {
                from: from.clone(),
                to: std::mem::take(&mut to),
                data,
            });
            state.arrived.notify_all();
            out.write_all(b"250 2.0.0 queued\r\n")?;
        } else if upper == "RSET" {
            to.clear();
            out.write_all(b"250 2.0.0 OK\r\n")?;
        } else if upper == "NOOP" {
            out.write_all(b"250 2.0.0 OK\r\n")?;
        } else if upper == "QUIT" {
            out.write_all(b"221 2.0.0 bye\r\n")?;
            return Ok(());
        } else {
            out.write_all(b"502 5.5.2 command not implemented\r\n")?;
        }
    }
}
