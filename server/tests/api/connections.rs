//! Connections the server closes on its own: headers that never finish, and kept-alive connections
//! left idle. Each test configures a short timeout and then waits generously for the close, so a
//! loaded machine makes it slower, never wrong.
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

use super::harness::TestApp;

/// Reads until the server closes the connection and returns what it sent; fails if it is still open
/// after ten seconds.
async fn read_until_closed(stream: &mut TcpStream) -> String {
    let mut answer = Vec::new();
    let mut chunk = [0u8; 4096];
    let closed = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => answer.extend_from_slice(&chunk[..n]),
            }
        }
    })
    .await;
    assert!(closed.is_ok(), "the connection was still open after 10 s");
    String::from_utf8_lossy(&answer).into_owned()
}

#[sqlx::test(migrations = false)]
async fn a_connection_that_never_finishes_its_headers_is_closed(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let app = TestApp::spawn_with(connect, |c| {
        c.http.header_read_timeout = Duration::from_millis(300);
        c.http.idle_timeout = Duration::from_secs(600);
    })
    .await;
    let mut stream = TcpStream::connect(app.addr()).await.unwrap();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: portal\r\nX-Slow: ")
        .await
        .unwrap();
    let answer = read_until_closed(&mut stream).await;
    assert!(!answer.contains("200 OK"), "{answer}");
}

#[sqlx::test(migrations = false)]
async fn an_idle_kept_alive_connection_is_closed(_: PgPoolOptions, connect: PgConnectOptions) {
    let app = TestApp::spawn_with(connect, |c| {
        c.http.header_read_timeout = Duration::from_secs(600);
        c.http.idle_timeout = Duration::from_millis(300);
    })
    .await;
    let mut stream = TcpStream::connect(app.addr()).await.unwrap();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: portal\r\n\r\n")
        .await
        .unwrap();
    // The answer arrives, then nothing is sent on the kept-alive connection.
    let answer = read_until_closed(&mut stream).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

#[sqlx::test(migrations = false)]
async fn the_default_timeouts_leave_a_prompt_client_served(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let app = TestApp::spawn(connect).await;
    assert_eq!(app.config.http.header_read_timeout, Duration::from_secs(10));
    assert_eq!(app.config.http.idle_timeout, Duration::from_secs(60));
    // Several requests on one kept-alive connection, as a browser makes them.
    for _ in 0..3 {
        assert_eq!(app.get("/healthz").await.status(), 200);
    }
}
