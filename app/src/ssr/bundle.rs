//! The browser bundle is split at the lazy routes (scripts/wasm-split): a page that renders one asks
//! the browser, by `Link` headers on its response, to fetch that route's chunks beside the main
//! bundle rather than once the main bundle runs and reaches the route (a round trip later).
//!
//! The chunks come from the manifest the server reads at start (`server::assets`). Leptos would add
//! preload links itself from the same manifest, but it looks the manifest up on a path that names
//! the bundle's version (`pkg/<version>/`), which exists only as a route here, not on disk.
use axum::http::{header, HeaderValue};
use leptos::prelude::*;

/// Adds a preload hint for each chunk the lazy split point `split_point` needs (its name as the lazy
/// macros make it, without their `__` and the `_<hash>` that follows). Nothing without a manifest
/// (the bundle was not split, or this is not a page's response).
pub fn hint_chunks(split_point: &str) {
    let (Some(manifest), Some(response)) = (
        use_context::<leptos::WasmSplitManifest>(),
        use_context::<leptos_axum::ResponseOptions>(),
    ) else {
        return;
    };
    let Some(manifest) = manifest.0.try_read_value() else {
        return;
    };
    let (pkg, chunks, _) = &*manifest;
    let needed = chunks
        .iter()
        .filter(|(point, _)| is_point(point, split_point))
        .flat_map(|(_, files)| files);
    for file in needed {
        // `crossorigin`: the loader fetches chunks in CORS mode (same origin), as the hint must.
        let hint = format!(
            "<{pkg}/{file}.wasm>; rel=preload; as=fetch; type=\"application/wasm\"; crossorigin"
        );
        if let Ok(value) = HeaderValue::from_str(&hint) {
            response.append_header(header::LINK, value);
        }
    }
}

/// Whether the manifest's `key` (`__<name>_<hash>`) names the split point `name`.
fn is_point(key: &str, name: &str) -> bool {
    key.strip_prefix("__")
        .and_then(|k| k.strip_prefix(name))
        .and_then(|k| k.strip_prefix('_'))
        .is_some_and(|hash| !hash.is_empty() && hash.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::is_point;

    #[test]
    fn a_split_point_is_told_from_one_whose_name_ends_like_it() {
        assert!(is_point(
            "__request_route_view_1641843550",
            "request_route_view"
        ));
        assert!(!is_point(
            "__new_request_route_view_1641843550",
            "request_route_view"
        ));
        assert!(!is_point(
            "__request_route_view_extra_1641843550",
            "request_route_view"
        ));
        assert!(!is_point("__request_route_view_", "request_route_view"));
        assert!(!is_point(
            "request_route_view_1641843550",
            "request_route_view"
        ));
    }
}
