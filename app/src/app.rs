//! The document shell and the route table.
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    StaticSegment,
};

use crate::pages::{home::HomePage, not_found::NotFound};

/// The HTML document the server renders around the application.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light dark"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();

    view! {
        <Stylesheet id="portal" href="/pkg/app.css"/>
        <Title formatter=|page: String| {
            if page.is_empty() { "Access Portal".to_string() } else { format!("{page} · Access Portal") }
        }/>
        <Router>
            <header class="topbar">
                <a class="brand" href="/">"Access Portal"</a>
            </header>
            <main id="main">
                <Routes fallback=NotFound>
                    <Route path=StaticSegment("") view=HomePage/>
                </Routes>
            </main>
        </Router>
    }
}
