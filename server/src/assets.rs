//! The browser bundle (`app.js`, `app.wasm`, `app.css`) served from a path that names its content,
//! `/pkg/<version>/…`, so a browser keeps each file for a year and never asks again: a new build has a
//! new version and pages name the new path. The version is a digest of the files, taken once at
//! start, so every replica running the same build agrees on it. Files are sent as the brotli or gzip
//! copies scripts/build-site.sh makes beside them when the browser accepts one (compressed once, at
//! build time, at the highest level). The unversioned `/pkg/…` paths still answer, revalidated on
//! every use, for whatever kept an old page.
use std::{
    collections::HashMap,
    path::{Path, PathBuf},
};

use axum::{
    http::{header, HeaderValue},
    Router,
};
use leptos::prelude::ArcStoredValue;
use sha2::{Digest, Sha256};
use tower_http::{services::ServeDir, set_header::SetResponseHeaderLayer};

/// Hex digits of the digest in the path: plenty to tell builds apart.
const VERSION_DIGITS: usize = 16;

/// What scripts/wasm-split writes beside the bundle: which chunks each lazy route needs, and the
/// module that loads them (named as Leptos expects).
const SPLIT_MANIFEST: &str = "__wasm_split_manifest.json";
const SPLIT_LOADER: &str = "__wasm_split.______________________.js";

/// A year: what `immutable` means in practice.
const FOREVER: &str = "public, max-age=31536000, immutable";

/// The bundle's directory and the version its files have now.
#[derive(Clone, Debug)]
pub struct Assets {
    dir: PathBuf,
    version: String,
}

impl Assets {
    /// The bundle in `dir`, versioned by what it holds. A directory that is missing or unreadable
    /// (the integration tests run before the site is built) gets the version of no files.
    pub fn load(dir: &Path) -> Self {
        Self {
            dir: dir.to_path_buf(),
            version: digest(dir),
        }
    }

    pub fn version(&self) -> &str {
        &self.version
    }

    /// Where pages find the bundle, as Leptos' `site_pkg_dir` (no leading slash).
    pub fn pkg_path(&self, pkg_dir: &str) -> String {
        format!("{}/{}", pkg_dir.trim_matches('/'), self.version)
    }

    /// Which chunks each lazy route needs, from the manifest scripts/wasm-split writes, for the pages'
    /// preload hints (`app::ssr::bundle`); none for a bundle that was not split (or a manifest
    /// unreadable, said in the log: the chunks then load when first needed, a round trip later).
    pub fn split_manifest(&self, pkg_dir: &str) -> Option<leptos::WasmSplitManifest> {
        let path = self.dir.join(SPLIT_MANIFEST);
        let text = std::fs::read_to_string(&path).ok()?;
        let chunks: HashMap<String, Vec<String>> = serde_json::from_str(&text)
            .map_err(|e| tracing::warn!(error = %e, path = %path.display(), "unreadable bundle split manifest"))
            .ok()?;
        Some(leptos::WasmSplitManifest(ArcStoredValue::new((
            format!("/{}", self.pkg_path(pkg_dir)),
            chunks,
            SPLIT_LOADER.to_owned(),
        ))))
    }

    /// `/pkg/<version>/*` from the directory, compressed copies preferred, cached for good.
    pub fn router<S: Clone + Send + Sync + 'static>(&self, pkg_dir: &str) -> Router<S> {
        let files = ServeDir::new(&self.dir)
            .precompressed_br()
            .precompressed_gzip();
        Router::new().nest_service(
            &format!("/{}", self.pkg_path(pkg_dir)),
            tower::ServiceBuilder::new()
                .layer(SetResponseHeaderLayer::overriding(
                    header::CACHE_CONTROL,
                    HeaderValue::from_static(FOREVER),
                ))
                // Which copy is sent depends on Accept-Encoding: a shared cache must know.
                .layer(SetResponseHeaderLayer::overriding(
                    header::VARY,
                    HeaderValue::from_static("accept-encoding"),
                ))
                .service(files),
        )
    }
}

/// The first [`VERSION_DIGITS`] hex digits of SHA-256 over each file's name and content, in name
/// order (the compressed copies follow from the originals and are left out).
fn digest(dir: &Path) -> String {
    let mut names: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.is_file())
                .filter(|p| !matches!(p.extension().and_then(|e| e.to_str()), Some("br" | "gz")))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    let mut hash = Sha256::new();
    for path in names {
        let Ok(content) = std::fs::read(&path) else {
            continue;
        };
        let name = path
            .file_name()
            .map(|n| n.as_encoded_bytes())
            .unwrap_or_default();
        hash.update((name.len() as u64).to_le_bytes());
        hash.update(name);
        hash.update((content.len() as u64).to_le_bytes());
        hash.update(&content);
    }
    hash.finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<String>()
        .chars()
        .take(VERSION_DIGITS)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bundle(files: &[(&str, &[u8])]) -> tempdir::Dir {
        let dir = tempdir::Dir::new();
        for (name, content) in files {
            std::fs::write(dir.path().join(name), content).unwrap();
        }
        dir
    }

    #[test]
    fn the_version_changes_with_any_file_and_ignores_the_compressed_copies() {
        let one = bundle(&[("app.js", b"js"), ("app.wasm", b"wasm")]);
        let same = bundle(&[
            ("app.js", b"js"),
            ("app.wasm", b"wasm"),
            ("app.wasm.br", b"x"),
        ]);
        let changed = bundle(&[("app.js", b"js"), ("app.wasm", b"wasm2")]);
        let renamed = bundle(&[("app.js", b"js"), ("app2.wasm", b"wasm")]);
        let v = Assets::load(one.path()).version().to_owned();
        assert_eq!(v.len(), VERSION_DIGITS);
        assert_eq!(Assets::load(same.path()).version(), v);
        assert_ne!(Assets::load(changed.path()).version(), v);
        assert_ne!(Assets::load(renamed.path()).version(), v);
        let missing = Assets::load(Path::new("/nonexistent/pkg"));
        assert_eq!(
            missing.pkg_path("/pkg/"),
            format!("pkg/{}", missing.version())
        );
    }

    /// A directory removed when the test ends (no dependency for one test).
    mod tempdir {
        pub struct Dir(std::path::PathBuf);

        impl Dir {
            pub fn new() -> Self {
                let path = std::env::temp_dir().join(format!("assets-{}", uuid::Uuid::new_v4()));
                std::fs::create_dir_all(&path).unwrap();
                Self(path)
            }

            pub fn path(&self) -> &std::path::Path {
                &self.0
            }
        }

        impl Drop for Dir {
            fn drop(&mut self) {
                let _ = std::fs::remove_dir_all(&self.0);
            }
        }
    }
}
