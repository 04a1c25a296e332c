//! The auditors' pages: every request (`/audit`), and the access held right now (`/audit/active`),
//! with the same filters. The filters are a GET form, so a filtered view is its address: it works
//! before the page is interactive, reloads as it was, and can be shared as a link. The pages only
//! read; the export is a plain link to the CSV route (`server/src/routes/audit.rs`).
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_location, use_query_map};

use crate::{
    api::audit::{audit_active, audit_requests, AuditItem},
    components::{
        local_time::{browser_offset, when},
        status_badge::StatusBadge,
    },
    domain::{
        audit::{names, AuditFilter, AuditQuery},
        ids::CloudKind,
        lifecycle::RequestStatus,
    },
    pages::my_requests::time_left,
    views::my_requests::MyRequest,
};

/// Which of the two pages.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Tab {
    All,
    Active,
}

impl Tab {
    fn path(self) -> &'static str {
        match self {
            Tab::All => "/audit",
            Tab::Active => "/audit/active",
        }
    }
}

/// The filter the address holds, as far as it reads (the server says what does not).
fn filter_of(search: &str) -> AuditFilter {
    let pairs: Vec<(String, String)> = search
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect();
    AuditQuery::parse(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .map(|q| q.filter)
        .unwrap_or_default()
}

/// Percent-decoding of a query part (`+` is a space, as forms write it); a `%` not followed by
/// two hex digits stays as it is.
fn decode(part: &str) -> String {
    fn hex(b: u8) -> Option<u8> {
        char::from(b)
            .to_digit(16)
            .and_then(|d| u8::try_from(d).ok())
    }
    let bytes = part.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => match (
                bytes.get(i + 1).copied().and_then(hex),
                bytes.get(i + 2).copied().and_then(hex),
            ) {
                (Some(high), Some(low)) => {
                    out.push(high * 16 + low);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The two pages' tabs, each keeping the filter.
#[component]
fn Tabs(tab: Tab, search: Memo<String>) -> impl IntoView {
    let href = move |to: Tab| filter_of(&search.get()).href(to.path(), &[]);
    view! {
        <nav aria-label="Audit views">
            <ul class="tabs">
                <li><a href=move || href(Tab::All) aria-current=(tab == Tab::All).then_some("page") data-testid="audit-tab-all">"All requests"</a></li>
                <li><a href=move || href(Tab::Active) aria-current=(tab == Tab::Active).then_some("page") data-testid="audit-tab-active">"Access now"</a></li>
            </ul>
        </nav>
    }
}

/// The filter form: a GET form to the page itself, each field as the address has it.
#[component]
fn Filters(tab: Tab) -> impl IntoView {
    let query = use_query_map();
    let value = move |name: &'static str| query.with(|q| q.get(name).unwrap_or_default());
    let text = move |name: &'static str, label: &'static str, hint: &'static str| {
        let id = format!("f-{name}");
        view! {
            <div class="filter">
                <label for=id.clone()>{label}</label>
                <input id=id type="text" name=name value=move || value(name) placeholder=hint autocomplete="off"/>
            </div>
        }
    };
    view! {
        <form class="filters" method="get" action=tab.path() role="search" aria-label="Filter requests">
            <div class="filter-grid">
                {text(names::REQUESTER, "Requester", "e.g. alex@contoso.com")}
                {text(names::APPROVER, "Approver", "e.g. megan@contoso.com")}
                <div class="filter">
                    <label for="f-cloud">"Cloud"</label>
                    <select id="f-cloud" name=names::CLOUD>
                        <option value="" selected=move || value(names::CLOUD).is_empty()>"Any cloud"</option>
                        {CloudKind::ALL.map(|c| view! {
                            <option value=c.as_str() selected=move || value(names::CLOUD).eq_ignore_ascii_case(c.as_str())>{c.to_string()}</option>
                        }).collect_view()}
                    </select>
                </div>
                {text(names::SYSTEM, "Authorization system (id or name)", "")}
                {text(names::IDENTITY, "Identity (id or name)", "")}
                <div class="filter">
                    <label for="f-status">"Status"</label>
                    <select id="f-status" name=names::STATUS>
                        <option value="" selected=move || value(names::STATUS).is_empty()>"Any status"</option>
                        {RequestStatus::ALL.iter().map(|s| view! {
                            <option value=s.as_str() selected=move || value(names::STATUS) == s.as_str()>{s.label()}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="filter">
                    <label for="f-from">"Asked from (UTC day)"</label>
                    <input id="f-from" type="date" name=names::FROM value=move || value(names::FROM)/>
                </div>
                <div class="filter">
                    <label for="f-to">"Asked until (UTC day, included)"</label>
                    <input id="f-to" type="date" name=names::TO value=move || value(names::TO)/>
                </div>
                {text(names::TICKET, "Ticket number", "e.g. INC1234567")}
                {text(names::WORDS, "Words in the justification", "e.g. deployment -test")}
            </div>
            <p class="filter-actions">
                <button type="submit">"Apply filters"</button>
                <a href=tab.path()>"Clear filters"</a>
            </p>
        </form>
    }
}

/// The export links for the filter the address holds (all its rows, not only this page's).
#[component]
fn Export(search: Memo<String>) -> impl IntoView {
    let href = move |rows: &'static str| {
        filter_of(&search.get()).href("/audit/export.csv", &[(names::ROWS, rows)])
    };
    view! {
        <p class="export">
            "Download every matching request as CSV: "
            // `rel=external`: a server route, not a page of the client-side router.
            <a href=move || href("requests") rel="external" download data-testid="export-requests">"one row per request"</a>
            " or "
            <a href=move || href("history") rel="external" download data-testid="export-history">"one row per change"</a>
            ". "
            <a href=move || filter_of(&search.get()).href("/audit/charts", &[]) rel="external" data-testid="audit-charts">"See them in charts"</a>
            " or "
            <a href=move || filter_of(&search.get()).href("/audit/report", &[]) rel="external" data-testid="audit-set-report">"print them"</a>
            "."
        </p>
    }
}

/// `/audit`: every request the filters name, newest first, 50 a page.
#[component]
pub fn AuditListPage() -> impl IntoView {
    let location = use_location();
    let search = location.search;
    let list = Resource::new(move || search.get(), |s| audit_requests(Some(s)));
    let offset = browser_offset();
    view! {
        <Title text="Audit"/>
        <section class="panel audit">
            <h1>"Audit: every request"</h1>
            <Tabs tab=Tab::All search/>
            <Filters tab=Tab::All/>
            <Transition fallback=|| view! { <p aria-busy="true">"Loading…"</p> }>
                {move || list.get().map(|r| match r {
                    Err(e) => view! { <p class="error" role="alert" data-testid="audit-error">{e.to_string()}</p> }.into_any(),
                    Ok(page) => {
                        let filter = filter_of(&search.get_untracked());
                        let first = !search.get_untracked().split('&').any(|p| p.starts_with("before="));
                        let older = page.older.clone().map(|c| filter.href(Tab::All.path(), &[(names::BEFORE, &c)]));
                        view! {
                            <p class="count" data-testid="audit-count" aria-live="polite">{page.count.words()}"."</p>
                            <Export search/>
                            {if page.items.is_empty() {
                                view! { <p class="empty" data-testid="audit-empty">{if first { "No request matches these filters." } else { "There are no older requests." }}</p> }.into_any()
                            } else {
                                view! {
                                    <ol class="audit-list" aria-label="Requests, newest first">
                                        {page.items.into_iter().map(|item| view! { <Item item offset/> }).collect_view()}
                                    </ol>
                                }.into_any()
                            }}
                            {(older.is_some() || !first).then(|| view! {
                                <p class="pages">
                                    {(!first).then(|| view! { <a href=filter.href(Tab::All.path(), &[])>"Newest requests"</a> })}
                                    {older.map(|href| view! { <a href=href rel="next" data-testid="audit-next">"Older requests"</a> })}
                                </p>
                            })}
                        }.into_any()
                    }
                })}
            </Transition>
        </section>
    }
}

/// One request: what and its status, who asked and who approved, where, the ticket, when and why.
#[component]
fn Item(item: AuditItem, offset: RwSignal<time::UtcOffset>) -> impl IntoView {
    let created = item.created_at.clone();
    view! {
        <li class="audit-item" data-testid="audit-item" data-request=item.id.clone()>
            <p class="what">
                <a href=format!("/requests/{}", item.id)>{item.what.clone()}</a>
                " "<StatusBadge status=item.status occurrence=item.occurrence/>
            </p>
            <p class="muted">
                {format!("{}, {} · {} · {}", item.cloud, item.system_name, item.identity_name, crate::domain::ticket::ticket_words(&item.ticket))}
            </p>
            <p class="muted">
                {format!("Asked by {} · approver {} · ", item.requester_upn, item.approver_upn)}
                {move || format!("on {}", when(&created, offset.get()))}
            </p>
            <p class="justification">{item.justification.clone()}</p>
            // `rel=external`: a server route (a page to print), not one of the client-side router.
            <p><a href=format!("/audit/requests/{}/report", item.id) rel="external" data-testid="audit-report">"Printable report"</a></p>
        </li>
    }
}

/// `/audit/active`: every grant held right now, by cloud and system, with when it ends.
#[component]
pub fn AccessNowPage() -> impl IntoView {
    let location = use_location();
    let search = location.search;
    let held = Resource::new(move || search.get(), |s| audit_active(Some(s)));
    let offset = browser_offset();
    view! {
        <Title text="Access now"/>
        <section class="panel audit">
            <h1>"Audit: access held now"</h1>
            <p class="muted">"Grants Graph reports as granted and not yet revoked (revoking, or revoking failed, still holds)."</p>
            <Tabs tab=Tab::Active search/>
            <Filters tab=Tab::Active/>
            <Transition fallback=|| view! { <p aria-busy="true">"Loading…"</p> }>
                {move || held.get().map(|r| match r {
                    Err(e) => view! { <p class="error" role="alert" data-testid="audit-error">{e.to_string()}</p> }.into_any(),
                    Ok(now) if now.systems.is_empty() => {
                        let first = !search.get_untracked().split('&').any(|p| p.starts_with("after="));
                        view! {
                            <p class="empty" data-testid="audit-empty">{if first {
                                "Nobody holds access through the portal that these filters name."
                            } else {
                                "There are no more grants held. Open the first page again."
                            }}</p>
                        }.into_any()
                    }
                    Ok(now) => {
                        let filter = filter_of(&search.get_untracked());
                        let first = !search.get_untracked().split('&').any(|p| p.starts_with("after="));
                        let next = now.next.clone().map(|id| filter.href(Tab::Active.path(), &[(names::AFTER, &id)]));
                        let export = filter.href("/audit/export.csv", &[(names::ROWS, "active")]);
                        view! {
                            <p class="count" data-testid="audit-count">{format!("{}.", now.count.grants_words())}</p>
                            <p class="export">
                                <a href=export rel="external" download data-testid="export-active">"Download every grant held now as CSV"</a>
                                "."
                            </p>
                            {now.systems.into_iter().map(|system| {
                                let heading = format!("{}, {} ({})", system.cloud, system.system_name, system.system_id);
                                view! {
                                    <section class="held-system" data-testid="held-system">
                                        <h2>{heading}</h2>
                                        <ul class="audit-list">
                                            {system.items.into_iter().map(|item| view! { <HeldItem item offset/> }).collect_view()}
                                        </ul>
                                    </section>
                                }
                            }).collect_view()}
                            {(next.is_some() || !first).then(|| view! {
                                <p class="pages">
                                    {(!first).then(|| view! { <a href=filter.href(Tab::Active.path(), &[])>"First page"</a> })}
                                    {next.map(|href| view! { <a href=href rel="next" data-testid="audit-next">"More grants"</a> })}
                                </p>
                            })}
                        }.into_any()
                    }
                })}
            </Transition>
        </section>
    }
}

/// One grant held now: what, whose identity, who asked, the ticket, and when it ends.
#[component]
fn HeldItem(item: AuditItem, offset: RwSignal<time::UtcOffset>) -> impl IntoView {
    // "Time left" is said as My requests says it.
    let mine = MyRequest {
        id: item.id.clone(),
        status: item.status,
        occurrence: item.occurrence,
        cloud: item.cloud,
        system_name: item.system_name.clone(),
        identity_name: item.identity_name.clone(),
        what: item.what.clone(),
        ticket: item.ticket.clone(),
        created_at: item.created_at.clone(),
        ends_at: item.ends_at.clone(),
        seconds_left: item.seconds_left,
    };
    let left = move || time_left(&mine, offset.get()).unwrap_or_else(|| "end not known".to_owned());
    view! {
        <li class="audit-item" data-testid="held-item" data-request=item.id.clone()>
            <p class="what">
                <a href=format!("/requests/{}", item.id)>{item.what.clone()}</a>
                " "<StatusBadge status=item.status occurrence=item.occurrence/>
            </p>
            <p class="muted">
                {format!("{} · asked by {} · approver {} · {}", item.identity_name, item.requester_upn, item.approver_upn, crate::domain::ticket::ticket_words(&item.ticket))}
            </p>
            <p class="muted" data-testid="held-ends">{left}</p>
        </li>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_address_is_decoded_as_forms_write_it() {
        assert_eq!(decode("a+b%40c.com"), "a b@c.com");
        assert_eq!(decode("100%"), "100%");
        assert_eq!(decode("%zz"), "%zz");
        assert_eq!(decode("%é"), "%é");
        let f = filter_of("cloud=aws&q=orders+deployment&requester=alex%40contoso.com");
        assert_eq!(f.cloud(), Some(CloudKind::Aws));
        assert_eq!(f.words(), Some("orders deployment"));
        assert_eq!(f.requester(), Some("alex@contoso.com"));
        assert_eq!(
            f.href("/audit/active", &[]),
            "/audit/active?requester=alex%40contoso.com&cloud=aws&q=orders%20deployment"
        );
        // An address the server would refuse keeps no filter in the tabs' links.
        assert!(filter_of("cloud=oracle").is_empty());
    }
}
