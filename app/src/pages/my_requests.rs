//! "My requests": the reader's own requests, newest first, a page of 25 at a time. Which ones
//! (`?show=`) and where the page starts (`?before=`) live in the address, so the tabs and "Older
//! requests" are plain links: they work before the page is interactive, and a list can be shared
//! or reloaded as it is.
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::{
    api::my_requests::{get_my_requests, MyRequest},
    app::ViewerResource,
    components::{
        local_time::{browser_offset, when},
        status_badge::StatusBadge,
    },
    domain::{elapsed::elapsed_words, my_requests::Show, policy::Capability},
};

/// The address of the page after `cursor` in the list `show` names.
fn older_href(show: Show, cursor: &str) -> String {
    let sep = if show == Show::All { '?' } else { '&' };
    format!("{}{sep}before={cursor}", show.href())
}

/// "1 h 20 min left, until 3 Dec 2026 at 11:00 UTC", or when it ends when the time left is not known.
pub fn time_left(item: &MyRequest, offset: time::UtcOffset) -> Option<String> {
    let ends = item.ends_at.as_deref().map(|e| when(e, offset))?;
    Some(match item.seconds_left {
        Some(left) => format!("{} left, until {ends}", elapsed_words(left)),
        None => format!("ends {ends}"),
    })
}

#[component]
pub fn MyRequestsPage() -> impl IntoView {
    let query = use_query_map();
    let list = Resource::new(
        move || query.with(|q| (q.get("show"), q.get("before"))),
        |(show, before)| get_my_requests(show, before),
    );
    let viewer = expect_context::<ViewerResource>();
    let can_request = move || {
        viewer
            .get()
            .and_then(Result::ok)
            .flatten()
            .is_some_and(|v| v.can(Capability::Request))
    };
    let shown = move || query.with(|q| Show::parse(q.get_str("show")).unwrap_or_default());
    let offset = browser_offset();

    view! {
        <Title text="My requests"/>
        <section class="panel">
            <h1>"My requests"</h1>
            <nav aria-label="Which requests">
                <ul class="tabs">
                    {Show::ALL.map(|show| view! {
                        <li>
                            <a href=show.href() data-testid=format!("show-{}", show.as_str())
                                aria-current=move || (shown() == show).then_some("page")>
                                {show.label()}
                            </a>
                        </li>
                    }).collect_view()}
                </ul>
            </nav>
            <Transition fallback=|| view! { <p aria-busy="true">"Loading…"</p> }>
                {move || list.get().map(|r| match r {
                    Err(e) => view! { <p class="error" role="alert" data-testid="my-requests-error">{e.to_string()}</p> }.into_any(),
                    Ok(page) if page.items.is_empty() => {
                        let later_page = query.with(|q| q.get_str("before").is_some_and(|b| !b.is_empty()));
                        view! {
                            <p class="empty" data-testid="my-requests-empty">
                                {if later_page { "There are no older requests." } else { page.show.empty_words() }}
                            </p>
                            {move || can_request().then(|| view! { <p><a class="button" href="/requests/new">"Request access"</a></p> })}
                        }.into_any()
                    }
                    Ok(page) => {
                        let show = page.show;
                        let older = page.older.clone();
                        let first = query.with(|q| q.get_str("before").is_none_or(str::is_empty));
                        view! {
                            <ol class="my-requests" aria-label=format!("{} requests, newest first", show.label())>
                                {page.items.into_iter().map(|item| view! { <Item item offset/> }).collect_view()}
                            </ol>
                            {(older.is_some() || !first).then(|| view! {
                                <p class="pages">
                                    {(!first).then(|| view! { <a href=show.href()>"Newest requests"</a> })}
                                    {older.map(|c| view! { <a href=older_href(show, &c) rel="next" data-testid="older-requests">"Older requests"</a> })}
                                </p>
                            })}
                        }.into_any()
                    }
                })}
            </Transition>
        </section>
    }
}

/// One request: what, its status, where and for whom, the ticket, when it was asked for.
#[component]
fn Item(item: MyRequest, offset: RwSignal<time::UtcOffset>) -> impl IntoView {
    let created = item.created_at.clone();
    let left = {
        let item = item.clone();
        move || time_left(&item, offset.get())
    };
    view! {
        <li class="my-request" data-testid="my-request" data-request=item.id.clone()>
            <p class="what">
                <a href=format!("/requests/{}", item.id)>{item.what.clone()}</a>
                " "<StatusBadge status=item.status occurrence=item.occurrence/>
            </p>
            <p class="muted">
                {format!("{}, {} · {} · {}", item.cloud, item.system_name, item.identity_name, crate::domain::ticket::ticket_words(&item.ticket))}
            </p>
            <p class="muted">
                {move || format!("Asked on {}", when(&created, offset.get()))}
                {move || left().map(|l| format!(" · {l}"))}
            </p>
        </li>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{ids::CloudKind, lifecycle::RequestStatus};

    fn granted(ends_at: Option<&str>, seconds_left: Option<i64>) -> MyRequest {
        MyRequest {
            id: "67e55044-10b1-426f-9247-bb680e5fe0c8".to_owned(),
            status: RequestStatus::Submitted,
            occurrence: None,
            cloud: CloudKind::Aws,
            system_name: "development".to_owned(),
            identity_name: "alex".to_owned(),
            what: "AWS policy ReadOnlyAccess".to_owned(),
            ticket: "INC1234567".to_owned(),
            created_at: "2026-12-03T09:00:00Z".to_owned(),
            ends_at: ends_at.map(str::to_owned),
            seconds_left,
        }
    }

    #[test]
    fn the_next_page_keeps_the_list_it_pages_through() {
        assert_eq!(older_href(Show::All, "c"), "/requests?before=c");
        assert_eq!(older_href(Show::Past, "c"), "/requests?show=past&before=c");
    }

    #[test]
    fn time_left_is_said_when_known_else_when_it_ends() {
        let utc = time::UtcOffset::UTC;
        assert_eq!(
            time_left(&granted(Some("2026-12-03T11:00:00Z"), Some(4800)), utc).as_deref(),
            Some("1 h 20 min left, until 3 Dec 2026 at 11:00 UTC")
        );
        assert_eq!(
            time_left(&granted(Some("2026-12-03T11:00:00Z"), None), utc).as_deref(),
            Some("ends 3 Dec 2026 at 11:00 UTC")
        );
        assert_eq!(time_left(&granted(None, None), utc), None);
    }
}
