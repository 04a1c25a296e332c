//! The document shell, the header with the signed-in person, and the route table.
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    Lazy, ParamSegment, SsrMode, StaticSegment,
};

use crate::{
    api::{approvals::approvals_waiting, session::get_viewer},
    auth::Viewer,
    components::raw_text::rcdata,
    domain::policy::Capability,
    error::AppError,
    pages::{
        admin::AdminPage,
        audit::{AccessNowPage, AuditListPage},
        home::HomePage,
        lazy::{ApprovalsRoute, NewRequestRoute, RequestRoute},
        my_requests::MyRequestsPage,
        not_found::NotFound,
        request_new::forget_draft,
        signed_out::SignedOutPage,
    },
};

/// The HTML document the server renders around the application.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light dark"/>
                <link rel="stylesheet" id="portal" href=format!("/{}/app.css", options.site_pkg_dir)/>
                <link rel="icon" type="image/svg+xml" href="/favicon.svg"/>
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

/// The signed-in person for every page, loaded once per navigation.
pub type ViewerResource = Resource<Result<Option<Viewer>, AppError>>;

/// How many requests wait for the signed-in person's decision (0 for whoever does not approve), for
/// the header and the home page; a page that decides refetches it.
#[derive(Clone, Copy)]
pub struct Waiting(pub Resource<Result<i64, AppError>>);

impl Waiting {
    /// The count, once loaded and when it could be.
    pub fn count(&self) -> Option<i64> {
        self.0.get().and_then(Result::ok)
    }

    pub fn refetch(&self) {
        self.0.refetch();
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let viewer: ViewerResource = Resource::new(|| (), |_| get_viewer());
    provide_context(viewer);
    provide_context(Waiting(Resource::new(|| (), |_| approvals_waiting())));
    // A navigation in the browser waits for the next page's data and, for a lazy route, its chunk of
    // the bundle: said at the top meanwhile (and to screen readers), not an old page that looks idle.
    let (routing, set_routing) = signal(false);

    view! {
        <Title formatter=|page: String| rcdata(if page.is_empty() { "Access Portal".to_string() } else { format!("{page} · Access Portal") })/>
        <Router set_is_routing=set_routing>
            <p class="routing" role="status">{move || routing.get().then_some("Loading the page…")}</p>
            <a class="skip" href="#main">"Skip to content"</a>
            <header class="topbar">
                <a class="brand" href="/">"Access Portal"</a>
                <Transition fallback=|| ()>
                    {move || viewer.get().map(|v| view! { <Account viewer=v.ok().flatten()/> })}
                </Transition>
            </header>
            <main id="main">
                <Routes fallback=NotFound>
                    <Route path=StaticSegment("") view=HomePage/>
                    <Route path=StaticSegment("admin") view=AdminPage/>
                    <Route path=StaticSegment("approvals") view={Lazy::<ApprovalsRoute>::new()}/>
                    // The auditors' pages: their filters are the address, read whole on the server.
                    <Route path=StaticSegment("audit") view=AuditListPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("audit"), StaticSegment("active")) view=AccessNowPage ssr=SsrMode::Async/>
                    <Route path=StaticSegment("signed-out") view=SignedOutPage/>
                    // Rendered whole before they are sent (not streamed), so they read and work
                    // before the browser runs any of the application: see `pages::request_new`.
                    <Route path=(StaticSegment("requests"), StaticSegment("new")) view={Lazy::<NewRequestRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("requests"), ParamSegment("id")) view={Lazy::<RequestRoute>::new()} ssr=SsrMode::Async/>
                    // Its tabs and pages are links in the address: whole on the server, like the above.
                    <Route path=StaticSegment("requests") view=MyRequestsPage ssr=SsrMode::Async/>
                </Routes>
            </main>
        </Router>
    }
}

/// The links the roles allow, then name, roles and sign-out; or the sign-in link.
#[component]
fn Account(viewer: Option<Viewer>) -> impl IntoView {
    match viewer {
        None => view! {
            <nav class="account sign-in" aria-label="Account">
                // `rel=external`: a server route, not a page of the client-side router.
                <a class="button" href="/auth/login" rel="external">"Sign in"</a>
            </nav>
        }
        .into_any(),
        Some(v) => {
            let admin = v.can(Capability::Administer);
            let request = v.can(Capability::Request);
            let approve = v.can(Capability::Approve);
            let audit = v.can(Capability::Audit);
            view! {
                <nav class="account" aria-label="Account">
                    {request.then(|| view! { <a href="/requests" data-testid="my-requests-link">"My requests"</a> })}
                    {request.then(|| view! { <a href="/requests/new">"Request access"</a> })}
                    {approve.then(|| view! { <ApprovalsLink/> })}
                    {audit.then(|| view! { <a href="/audit" data-testid="audit-link">"Audit"</a> })}
                    {admin.then(|| view! { <a href="/admin">"Portal health"</a> })}
                </nav>
                // Who is signed in, apart from the links: on a phone it shares the first row with
                // the brand, and the links take the second.
                <div class="identity">
                    <span class="who">
                        <span class="name" data-testid="viewer-name">{v.name.clone()}</span>
                        <span class="upn">{v.upn.to_string()}</span>
                    </span>
                    <ul class="roles" aria-label="Your roles" data-testid="viewer-roles">
                        {v.roles.iter().map(|r| view! { <li class="badge">{r.label()}</li> }).collect_view()}
                    </ul>
                    // A plain form posts even before the page is interactive; the server checks its origin.
                    <form method="post" action="/auth/logout" on:submit=|_| forget_draft()>
                        <button type="submit" class="secondary">"Sign out"</button>
                    </form>
                </div>
            }
            .into_any()
        }
    }
}

/// "Approvals" with the number waiting, read out as "Approvals, 3 waiting".
#[component]
fn ApprovalsLink() -> impl IntoView {
    let waiting = expect_context::<Waiting>();
    view! {
        <Transition fallback=|| view! { <a href="/approvals">"Approvals"</a> }>
            {move || {
                let count = waiting.count();
                let label = match count {
                    Some(0) => "Approvals, none waiting".to_owned(),
                    Some(n) => format!("Approvals, {n} waiting"),
                    None => "Approvals".to_owned(),
                };
                view! {
                    <a href="/approvals" aria-label=label data-testid="approvals-link">
                        "Approvals"
                        {count.filter(|n| *n > 0).map(|n| view! { " "<span class="count">{n}</span> })}
                    </a>
                }
            }}
        </Transition>
    }
}
