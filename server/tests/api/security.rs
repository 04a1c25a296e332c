//! CSRF defence, security headers and cookie flags.
use entra_sim::people::PATTI;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use super::{
    harness::{browser, raw_exchange, TestApp},
    oidc_world::World,
};

#[sqlx::test(migrations = false)]
async fn a_mutation_from_another_origin_or_no_origin_is_refused(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let world = World::start(connect).await;
    let admin = browser();
    world.sign_in(&admin, PATTI).await;
    let post = |origin: Option<&str>| {
        let mut request = admin
            .post(world.app.url("/api/portal_health"))
            .header("content-type", "application/x-www-form-urlencoded");
        if let Some(origin) = origin {
            request = request.header("origin", origin);
        }
        request.send()
    };
    assert_eq!(
        post(Some("https://evil.example")).await.unwrap().status(),
        403
    );
    assert_eq!(post(None).await.unwrap().status(), 403);
    assert_eq!(post(Some(&world.app.base_url)).await.unwrap().status(), 200);

    // Sign-out is a mutation too: a forged one leaves the session alone.
    let forged = admin
        .post(world.app.url("/auth/logout"))
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);
    assert_eq!(
        admin
            .get(world.app.url("/api/me"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
}

#[sqlx::test(migrations = false)]
async fn pages_carry_a_nonce_csp_and_the_other_security_headers(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let app = TestApp::spawn(connect).await;
    let response = app.get("/").await;
    let h = response.headers().clone();
    let csp = h["content-security-policy"].to_str().unwrap().to_string();
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["referrer-policy"], "same-origin");
    assert_eq!(h["cache-control"], "no-store");
    assert!(
        h.get("strict-transport-security").is_none(),
        "no HSTS over plain http"
    );

    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .unwrap()
        .split('\'')
        .next()
        .unwrap()
        .to_string();
    let html = response.text().await.unwrap();
    let scripts: Vec<&str> = html.split("<script").skip(1).collect();
    assert!(!scripts.is_empty());
    for script in scripts {
        assert!(
            script.contains(&format!("nonce=\"{nonce}\"")),
            "an inline script without this response's nonce: {script}"
        );
    }
}

#[sqlx::test(migrations = false)]
async fn over_https_the_session_cookie_is_secure_host_only_and_hsts_is_sent(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let world = World::start_with(connect, |c| {
        c.public_url = "https://access.example.com".into()
    })
    .await;
    let response = world.app.get("/auth/login").await;
    assert_eq!(response.status(), 303);
    assert!(response.headers().contains_key("strict-transport-security"));
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(cookie.starts_with("__Host-portal_session="), "{cookie}");
    for flag in ["HttpOnly", "Secure", "SameSite=Lax", "Path=/"] {
        assert!(cookie.contains(flag), "{flag} missing: {cookie}");
    }
}

#[sqlx::test(migrations = false)]
async fn over_http_the_session_cookie_is_still_http_only_and_same_site(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let world = World::start(connect).await;
    let response = world.app.get("/auth/login").await;
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
}

#[sqlx::test(migrations = false)]
async fn by_default_the_csp_allows_no_live_reload_websocket(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let app = TestApp::spawn(connect).await;
    let response = app.get("/").await;
    let csp = response.headers()["content-security-policy"]
        .to_str()
        .unwrap();
    assert!(!csp.contains("ws:"), "{csp}");
    assert!(csp.contains("connect-src 'self';"), "{csp}");
}

#[sqlx::test(migrations = false)]
async fn malformed_server_function_arguments_get_400_without_serde_internals(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let app = TestApp::spawn(connect).await;
    let send = |endpoint: &str, content_type: &str, body: &'static str| {
        app.client
            .post(app.url(endpoint))
            .header("origin", &app.base_url)
            .header("content-type", content_type)
            .body(body)
            .send()
    };
    for (endpoint, content_type, body) in [
        // URL-encoded without the `id` argument.
        (
            "/api/get_request",
            "application/x-www-form-urlencoded",
            "nonsense=1",
        ),
        // JSON cut short.
        (
            "/api/create_request",
            "application/json",
            r#"{"form": {"cloud": "#,
        ),
        // Not JSON at all.
        ("/api/create_request", "application/json", "\u{fffd}"),
    ] {
        let response = send(endpoint, content_type, body).await.unwrap();
        assert_eq!(response.status(), 400, "{endpoint} {body}");
        let text = response.text().await.unwrap();
        for internal in [
            "missing field",
            "EOF",
            "line ",
            "column",
            "serde",
            "expected",
        ] {
            assert!(!text.contains(internal), "{endpoint}: {text}");
        }
    }
}

#[sqlx::test(migrations = false)]
async fn a_server_function_body_past_the_limit_gets_413(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let app = TestApp::spawn(connect).await;
    // Declared and not sent: the server must answer without waiting for three megabytes.
    let head = format!(
        "POST /api/create_request HTTP/1.1\r\nHost: {addr}\r\nOrigin: {origin}\r\n\
         Content-Type: application/json\r\nContent-Length: 3000000\r\nConnection: close\r\n\r\n",
        addr = app.addr(),
        origin = app.base_url,
    );
    let answer = raw_exchange(app.addr(), head.as_bytes()).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");

    // Sent in chunks without a declared length, past the limit.
    let big = "a".repeat(server::routes::server_fns::BODY_MAX + 1);
    let chunked = format!(
        "POST /api/create_request HTTP/1.1\r\nHost: {addr}\r\nOrigin: {origin}\r\n\
         Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n\
         {len:x}\r\n{big}\r\n0\r\n\r\n",
        addr = app.addr(),
        origin = app.base_url,
        len = big.len(),
    );
    let answer = raw_exchange(app.addr(), chunked.as_bytes()).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
}
