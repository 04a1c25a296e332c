//! The browser bundle: named by its version in every page, sent as the compressed copy the browser
//! accepts, kept for good; pages and JSON compressed on the way, and never stored.
use std::path::{Path, PathBuf};

use reqwest::header::{ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING, VARY};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use super::harness::TestApp;

/// A site as scripts/build-site.sh lays it out, each compressed copy told apart by its content.
struct Site(PathBuf);

impl Site {
    fn new() -> Self {
        let root = std::env::temp_dir().join(format!("site-{}", uuid::Uuid::new_v4()));
        let pkg = root.join("pkg");
        std::fs::create_dir_all(&pkg).unwrap();
        for (name, content) in [
            ("app.wasm", &b"\0asm the bundle, as built"[..]),
            ("app.wasm.br", b"the brotli copy"),
            ("app.wasm.gz", b"the gzip copy"),
            ("app.js", b"export default function init() {}"),
            ("app.css", b"body { margin: 0 }"),
        ] {
            std::fs::write(pkg.join(name), content).unwrap();
        }
        Self(root)
    }

    fn root(&self) -> &Path {
        &self.0
    }
}

impl Drop for Site {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `path` with `Accept-Encoding: encoding`: status, content encoding, cache control, body.
async fn fetch(
    app: &TestApp,
    path: &str,
    encoding: &str,
) -> (u16, Option<String>, Option<String>, Vec<u8>) {
    let response = app
        .client
        .get(app.url(path))
        .header(ACCEPT_ENCODING, encoding)
        .send()
        .await
        .unwrap();
    let header = |name| {
        response
            .headers()
            .get(name)
            .map(|v: &reqwest::header::HeaderValue| v.to_str().unwrap().to_owned())
    };
    let (encoding, cache) = (header(CONTENT_ENCODING), header(CACHE_CONTROL));
    // Whatever was sent under a version, a cache must know the answer depends on Accept-Encoding.
    let varies = header(VARY).is_some_and(|v| v.to_ascii_lowercase().contains("accept-encoding"));
    assert!(
        varies || response.status() != 200 || (encoding.is_none() && path.matches('/').count() < 3),
        "{path} with {encoding:?} does not vary by Accept-Encoding"
    );
    let status = response.status().as_u16();
    (
        status,
        encoding,
        cache,
        response.bytes().await.unwrap().to_vec(),
    )
}

/// The address of the bundle's `file` as the signed-out page names it.
async fn named_in_page(app: &TestApp, file: &str) -> String {
    let html = app.get("/signed-out").await.text().await.unwrap();
    let at = html
        .find(&format!("/{file}\""))
        .unwrap_or_else(|| panic!("the page names no {file}: {html}"));
    let start = html[..at].rfind('"').unwrap() + 1;
    html[start..at + file.len() + 1].to_owned()
}

#[sqlx::test(migrations = false)]
async fn the_bundle_is_served_under_its_version_compressed_as_accepted_and_kept_for_good(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let site = Site::new();
    let app = TestApp::spawn_with_site(connect, |_| {}, Some(site.root())).await;
    let wasm = named_in_page(&app, "app.wasm").await;
    let css = named_in_page(&app, "app.css").await;
    let version = wasm
        .strip_prefix("/pkg/")
        .and_then(|rest| rest.strip_suffix("/app.wasm"))
        .unwrap_or_else(|| panic!("{wasm}"));
    assert_eq!(version.len(), 16, "{wasm}");
    assert_eq!(css, format!("/pkg/{version}/app.css"));
    assert!(named_in_page(&app, "app.js")
        .await
        .starts_with(&format!("/pkg/{version}/")));

    let forever = Some("public, max-age=31536000, immutable".to_owned());
    assert_eq!(
        fetch(&app, &wasm, "gzip, deflate, br").await,
        (
            200,
            Some("br".into()),
            forever.clone(),
            b"the brotli copy".to_vec()
        )
    );
    assert_eq!(
        fetch(&app, &wasm, "gzip").await,
        (
            200,
            Some("gzip".into()),
            forever.clone(),
            b"the gzip copy".to_vec()
        )
    );
    assert_eq!(
        fetch(&app, &wasm, "identity").await,
        (
            200,
            None,
            forever.clone(),
            b"\0asm the bundle, as built".to_vec()
        )
    );
    // Without a compressed copy, the file as it is.
    let (status, _, cache, body) = fetch(&app, &css, "identity").await;
    assert_eq!(
        (status, cache, body),
        (200, forever, b"body { margin: 0 }".to_vec())
    );

    // Another build's version is not this one's files.
    let (status, ..) = fetch(&app, "/pkg/0123456789abcdef/app.wasm", "br").await;
    assert_eq!(status, 404);
    // The unversioned path still answers, checked again on each use.
    let (status, _, cache, _) = fetch(&app, "/pkg/app.wasm", "identity").await;
    assert_eq!((status, cache.as_deref()), (200, Some("no-cache")));
}

#[sqlx::test(migrations = false)]
async fn pages_are_compressed_when_the_browser_accepts_it_and_never_stored(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let app = TestApp::spawn(connect).await;
    let (status, encoding, cache, body) = fetch(&app, "/signed-out", "br").await;
    assert_eq!(status, 200);
    assert_eq!(encoding.as_deref(), Some("br"));
    assert_eq!(cache.as_deref(), Some("no-store"));
    assert!(
        !body.starts_with(b"<!DOCTYPE"),
        "the body is brotli, not HTML"
    );

    let (status, encoding, _, body) = fetch(&app, "/signed-out", "identity").await;
    assert_eq!((status, encoding), (200, None));
    assert!(String::from_utf8(body)
        .unwrap()
        .starts_with("<!DOCTYPE html>"));
}

#[sqlx::test(migrations = false)]
async fn the_icon_every_page_names_is_served_and_the_browsers_own_guess_leads_to_it(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let app = TestApp::spawn(connect).await;
    let html = app.get("/signed-out").await.text().await.unwrap();
    assert!(
        html.contains(r#"<link rel="icon" type="image/svg+xml" href="/favicon.svg">"#),
        "{html}"
    );
    let icon = app.get("/favicon.svg").await;
    assert_eq!(icon.status(), 200);
    assert_eq!(
        icon.headers()[reqwest::header::CONTENT_TYPE],
        "image/svg+xml"
    );
    assert!(icon.text().await.unwrap().starts_with("<svg"));
    // What browsers ask for unprompted leads to it, never a 404.
    let guessed = app.get("/favicon.ico").await;
    assert_eq!(guessed.status(), 308);
    assert_eq!(guessed.headers()[reqwest::header::LOCATION], "/favicon.svg");
}
