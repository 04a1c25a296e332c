//! A small but real SMTP server for the tests, on a random port: it speaks EHLO/HELO, MAIL, RCPT,
//! DATA, RSET, NOOP and QUIT over TCP as RFC 5321 has it, keeps each message it accepted, and can be
//! told to refuse mail (a 4xx or 5xx answer to `MAIL FROM`) or to go down (stop listening and drop
//! every connection) and come back on the same port.
use std::{
    net::SocketAddr,
    sync::{Arc, Mutex},
};

use base64::Engine;
use tokio::{
    io::{AsyncBufReadExt, AsyncWriteExt, BufReader},
    net::{TcpListener, TcpSocket, TcpStream},
    task::JoinSet,
};

/// One message as the server accepted it.
#[derive(Clone, Debug)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    /// The message as sent after DATA (headers and body), dot-stuffing undone.
    pub data: String,
}

impl Received {
    /// A header's value (the first one of that name), unfolded.
    pub fn header(&self, name: &str) -> Option<String> {
        let head = self.data.split("\r\n\r\n").next().unwrap_or_default();
        let unfolded = head.replace("\r\n ", " ").replace("\r\n\t", " ");
        unfolded.lines().find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.eq_ignore_ascii_case(name)
                .then(|| value.trim().to_owned())
        })
    }

    /// The decoded subject (lettre encodes a non-ASCII one; ours are ASCII).
    pub fn subject(&self) -> String {
        self.header("subject").unwrap_or_default()
    }

    /// The decoded body of the part whose content type starts with `content_type`
    /// (`text/plain`, `text/html`).
    pub fn part(&self, content_type: &str) -> Option<String> {
        let content = self.header("content-type")?;
        let boundary = content
            .split(';')
            .find_map(|p| p.trim().strip_prefix("boundary="))?
            .trim_matches('"')
            .to_owned();
        self.data
            .split(&format!("--{boundary}"))
            .skip(1)
            .find_map(|part| {
                let (head, body) = part.split_once("\r\n\r\n")?;
                let head = head.to_ascii_lowercase();
                if !head.contains(&format!("content-type: {content_type}")) {
                    return None;
                }
                Some(
                    if head.contains("content-transfer-encoding: quoted-printable") {
                        quoted_printable(body)
                    } else if head.contains("content-transfer-encoding: base64") {
                        let joined: String = body.split_whitespace().collect();
                        String::from_utf8(
                            base64::engine::general_purpose::STANDARD
                                .decode(joined)
                                .unwrap(),
                        )
                        .unwrap()
                    } else {
                        body.trim_end().to_owned()
                    },
                )
            })
    }
}

fn quoted_printable(body: &str) -> String {
    let joined = body.replace("=\r\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' && i + 2 < bytes.len() {
            if let Ok(byte) = u8::from_str_radix(&joined[i + 1..i + 3], 16) {
                out.push(byte);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap().trim_end().to_owned()
}

#[derive(Default)]
struct Shared {
    messages: Vec<Received>,
    /// The answer to `MAIL FROM` while refusing: `451 …` or `550 …`.
    refusal: Option<String>,
    /// `MAIL FROM` commands answered with a refusal.
    refused: usize,
}

pub struct SmtpServer {
    pub addr: SocketAddr,
    shared: Arc<Mutex<Shared>>,
    accepting: Mutex<Option<JoinSet<()>>>,
    connections: Arc<Mutex<JoinSet<()>>>,
}

impl SmtpServer {
    pub async fn start() -> SmtpServer {
        let listener = listen(([127, 0, 0, 1], 0).into());
        let server = SmtpServer {
            addr: listener.local_addr().unwrap(),
            shared: Arc::default(),
            accepting: Mutex::new(None),
            connections: Arc::default(),
        };
        server.serve(listener);
        server
    }

    fn serve(&self, listener: TcpListener) {
        let shared = self.shared.clone();
        let connections = self.connections.clone();
        let mut accept = JoinSet::new();
        accept.spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let shared = shared.clone();
                connections
                    .lock()
                    .unwrap()
                    .spawn(async move { converse(stream, shared).await });
            }
        });
        *self.accepting.lock().unwrap() = Some(accept);
    }

    /// Answers `MAIL FROM` with `code` (4xx: try later; 5xx: refused) until [`SmtpServer::accept`].
    pub fn refuse(&self, code: u16) {
        self.shared.lock().unwrap().refusal =
            Some(format!("{code} {}.3.2 not now, says the test", code / 100));
    }

    pub fn accept(&self) {
        self.shared.lock().unwrap().refusal = None;
    }

    /// How many `MAIL FROM` were refused.
    pub fn refused(&self) -> usize {
        self.shared.lock().unwrap().refused
    }

    /// Stops listening and drops every connection, as a relay that went down.
    pub fn stop(&self) {
        if let Some(mut accept) = self.accepting.lock().unwrap().take() {
            accept.abort_all();
        }
        self.connections.lock().unwrap().abort_all();
    }

    /// Listens again on the same port.
    pub async fn restart(&self) {
        // The aborted accept task drops its listener asynchronously; give the runtime a turn first.
        tokio::task::yield_now().await;
        self.serve(listen(self.addr));
    }

    pub fn received(&self) -> Vec<Received> {
        self.shared.lock().unwrap().messages.clone()
    }

    /// The messages to `address`.
    pub fn to(&self, address: &str) -> Vec<Received> {
        self.received()
            .into_iter()
            .filter(|m| m.to.iter().any(|t| t.eq_ignore_ascii_case(address)))
            .collect()
    }
}

fn listen(addr: SocketAddr) -> TcpListener {
    let socket = TcpSocket::new_v4().unwrap();
    socket.set_reuseaddr(true).unwrap();
    socket.bind(addr).unwrap();
    socket.listen(64).unwrap()
}

/// `<a@b>` (with any parameters after it) → `a@b`.
fn path(argument: &str) -> String {
    let start = argument.find('<').map_or(0, |i| i + 1);
    let end = argument[start..]
        .find('>')
        .map_or(argument.len(), |i| start + i);
    argument[start..end].to_owned()
}

async fn converse(stream: TcpStream, shared: Arc<Mutex<Shared>>) {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    if write
        .write_all(b"220 test-smtp ESMTP ready\r\n")
        .await
        .is_err()
    {
        return;
    }
    let mut from = None;
    let mut to = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        match lines.read_line(&mut line).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let command = line.trim_end_matches(['\r', '\n']);
        let upper = command.to_ascii_uppercase();
        let answer: String = if upper.starts_with("EHLO") {
            "250-test-smtp greets you\r\n250-8BITMIME\r\n250 SMTPUTF8".into()
        } else if upper.starts_with("HELO") {
            "250 test-smtp".into()
        } else if upper.starts_with("MAIL FROM:") {
            let refusal = {
                let mut shared = shared.lock().unwrap();
                let refusal = shared.refusal.clone();
                if refusal.is_some() {
                    shared.refused += 1;
                }
                refusal
            };
            match refusal {
                Some(refusal) => refusal,
                None => {
                    from = Some(path(&command[10..]));
                    to.clear();
                    "250 2.1.0 OK".into()
                }
            }
        } else if upper.starts_with("RCPT TO:") {
            if from.is_none() {
                "503 5.5.1 MAIL first".into()
            } else {
                to.push(path(&command[8..]));
                "250 2.1.5 OK".into()
            }
        } else if upper == "DATA" {
            if from.is_none() || to.is_empty() {
                "503 5.5.1 MAIL and RCPT first".into()
            } else {
                if write
                    .write_all(b"354 end with <CRLF>.<CRLF>\r\n")
                    .await
                    .is_err()
                {
                    return;
                }
                let mut data = String::new();
                loop {
                    line.clear();
                    match lines.read_line(&mut line).await {
                        Ok(0) | Err(_) => return,
                        Ok(_) => {}
                    }
                    if line == ".\r\n" {
                        break;
                    }
                    let unstuffed = line.strip_prefix('.').unwrap_or(&line);
                    data.push_str(unstuffed);
                }
                shared.lock().unwrap().messages.push(Received {
                    from: from.take().unwrap_or_default(),
                    to: std::mem::take(&mut to),
                    data,
                });
                "250 2.0.0 queued".into()
            }
        } else if upper == "RSET" {
            from = None;
            to.clear();
            "250 2.0.0 OK".into()
        } else if upper.starts_with("NOOP") {
            "250 2.0.0 OK".into()
        } else if upper == "QUIT" {
            let _ = write.write_all(b"221 2.0.0 bye\r\n").await;
            return;
        } else {
            "502 5.5.2 not implemented".into()
        };
        if write
            .write_all(format!("{answer}\r\n").as_bytes())
            .await
            .is_err()
        {
            return;
        }
    }
}
