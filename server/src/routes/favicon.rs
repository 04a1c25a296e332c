//! The portal's icon: `GET /favicon.svg`, which every page's head names, and `GET /favicon.ico`, which
//! browsers ask for on their own, sent on to it. Compiled in, so it is there whatever the site build
//! did, and no page logs a 404 for it.
use axum::{
    http::header,
    response::{IntoResponse, Redirect},
};

const ICON: &str = include_str!("../../../style/favicon.svg");

pub async fn svg() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        ICON,
    )
}

pub async fn ico() -> Redirect {
    Redirect::permanent("/favicon.svg")
}
