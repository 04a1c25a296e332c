//! The pages whose code is a chunk of the browser bundle of its own (cut by scripts/wasm-split at
//! these lazy routes), fetched the first time the page is shown: the three largest, the request form
//! (about half of the application's code), a request's page and the approvals. The main bundle keeps
//! the shell and the other pages. More split points would make the main bundle smaller still but cut
//! the code the pages share into many small chunks (seven points made 48, up to 30 files a page).
//! On the server, a page names its chunks in preload hints (`ssr::bundle`), so they come beside the
//! main bundle rather than after it.
use leptos::prelude::*;
use leptos_router::{lazy_route, LazyRoute};

use super::{approvals, request_new, request_view};

/// `$route`: the route showing `$page` with its code in a chunk of its own. `$point` is the split
/// point's name, which `#[lazy_route]` makes from the route's name in snake case, with `_view`.
macro_rules! lazy_page {
    ($route:ident, $page:path, $point:literal) => {
        pub struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                Self
            }

            fn view(_this: Self) -> AnyView {
                #[cfg(feature = "ssr")]
                crate::ssr::bundle::hint_chunks($point);
                $page().into_any()
            }
        }
    };
}

lazy_page!(
    NewRequestRoute,
    request_new::NewRequestPage,
    "new_request_route_view"
);
lazy_page!(
    RequestRoute,
    request_view::RequestPage,
    "request_route_view"
);
lazy_page!(
    ApprovalsRoute,
    approvals::ApprovalsPage,
    "approvals_route_view"
);
