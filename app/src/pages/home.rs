//! The landing page: what the portal does, and where to start.
use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    api::my_requests::{get_my_summary, MySummary},
    app::{ViewerResource, Waiting},
    components::{local_time::browser_offset, status_badge::StatusBadge},
    domain::policy::Capability,
    error::AppError,
    pages::my_requests::time_left,
};

/// The link to the reader's own waiting requests ("2 of your requests wait for approval").
fn own_waiting_words(count: i64) -> String {
    match count {
        0 => "none of your requests waits for approval".to_owned(),
        1 => "1 of your requests waits for approval".to_owned(),
        n => format!("{n} of your requests wait for approval"),
    }
}

/// The link to the inbox, saying how many wait ("3 wait for your decision").
fn waiting_words(count: Option<i64>) -> String {
    match count {
        None => "open your approvals".to_owned(),
        Some(0) => "nothing waits for your decision".to_owned(),
        Some(1) => "1 request waits for your decision".to_owned(),
        Some(n) => format!("{n} requests wait for your decision"),
    }
}

#[component]
pub fn HomePage() -> impl IntoView {
    // Rendered as "static" on the server; the browser flips it once the wasm has taken over, which is
    // how people (and the end-to-end test) can tell the page is interactive.
    let (hydrated, set_hydrated) = signal(false);
    Effect::new(move |_| set_hydrated.set(true));

    let (show_steps, set_show_steps) = signal(false);
    let viewer = expect_context::<ViewerResource>();
    let waiting = expect_context::<Waiting>();
    // A requester's own requests, fetched and shown by the browser once the page runs, outside any
    // Transition: rendered by the server beside the approver's count (in the hero's Transition, or
    // in one of their own), they made hydration fail now and then. Before that, and without
    // JavaScript, the header's "My requests" has them all.
    let mine = LocalResource::new(move || async move {
        let requester = viewer
            .await
            .ok()
            .flatten()
            .is_some_and(|v| v.can(Capability::Request));
        if requester {
            Some(get_my_summary().await)
        } else {
            None
        }
    });
    let offset = browser_offset();

    view! {
        <Title text=""/>
        <section class="panel hero">
            <h1>"Just-in-time cloud access"</h1>
            <p class="lede">
                "Ask for the AWS, Azure or GCP permissions you need, for as long as you need them. "
                "Your manager approves, access is granted on schedule and revoked on time, "
                "and every step is kept for audit."
            </p>
            <Transition fallback=|| ()>
                {move || viewer.get().map(|v| match v.ok().flatten() {
                    None => view! {
                        <p><a class="button" href="/auth/login" rel="external">"Sign in with Microsoft"</a></p>
                    }.into_any(),
                    Some(v) => {
                        let first = v.name.split_whitespace().next().unwrap_or("").to_string();
                        view! {
                            <p class="welcome" data-testid="welcome">{format!("Welcome, {first}.")}</p>
                            <ul class="can-do">
                                {v.can(Capability::Request).then(|| view! { <li>"You can ask for access: "<a href="/requests/new">"request access"</a>"."</li> })}
                                {v.can(Capability::Approve).then(|| view! {
                                    <li>"You can decide on your team's requests: "<a href="/approvals" data-testid="home-approvals">{move || waiting_words(waiting.count())}</a>"."</li>
                                })}
                                {v.can(Capability::Audit).then(|| view! {
                                    <li data-testid="home-audit">"You can read and export the full history: "<a href="/audit">"every request"</a>", and "<a href="/audit/active">"who holds access now"</a>"."</li>
                                })}
                                {v.can(Capability::Administer).then(|| view! { <li>"You administer the portal."</li> })}
                            </ul>
                        }.into_any()
                    }
                })}
            </Transition>
            <button
                type="button"
                class="secondary"
                aria-expanded=move || show_steps.get().to_string()
                aria-controls="how-it-works"
                on:click=move |_| set_show_steps.update(|open| *open = !*open)
            >
                {move || if show_steps.get() { "Hide how it works" } else { "How it works" }}
            </button>
            <ol id="how-it-works" class="steps" hidden=move || !show_steps.get()>
                <li>"Pick a cloud, an account, subscription or project, and an identity in it."</li>
                <li>"Choose the roles, policies or actions, a schedule, and give a reason and a ticket."</li>
                <li>"Your manager approves or rejects; approved requests go to Permissions Management."</li>
                <li>"Access starts and ends on schedule; the full history stays here for auditors."</li>
            </ol>
        </section>
        {move || hydrated.get().then(|| view! { <MineOnHome mine offset/> })}
        <p class="hydration" data-testid="hydration-state">
            {move || if hydrated.get() { "interactive" } else { "static" }}
        </p>
    }
}

/// A requester's access held now (with the time left) and their requests waiting for approval.
#[component]
fn MineOnHome(
    mine: LocalResource<Option<Result<MySummary, AppError>>>,
    offset: RwSignal<time::UtcOffset>,
) -> impl IntoView {
    view! {
        {move || mine.get().flatten().map(|r| match r {
                Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                Ok(summary) => view! {
                    <section class="panel mine" aria-labelledby="active-now">
                        <h2 id="active-now">"Active now"</h2>
                        {if summary.active.is_empty() {
                            view! { <p class="muted" data-testid="home-active-empty">"You hold no access through the portal right now."</p> }.into_any()
                        } else {
                            view! {
                                <ul class="active-now" data-testid="home-active">
                                    {summary.active.into_iter().map(|item| {
                                        let left = { let item = item.clone(); move || time_left(&item, offset.get()) };
                                        view! {
                                            <li>
                                                <a href=format!("/requests/{}", item.id)>{item.what.clone()}</a>
                                                {format!(" in {}, {} ", item.cloud, item.system_name)}
                                                <StatusBadge status=item.status occurrence=item.occurrence/>
                                                {move || left().map(|l| view! { <span class="muted">{format!(" · {l}")}</span> })}
                                            </li>
                                        }
                                    }).collect_view()}
                                </ul>
                                <p><a href="/requests?show=active">"All access held now"</a></p>
                            }.into_any()
                        }}
                        <p data-testid="home-mine-waiting">
                            "Waiting for approval: "
                            <a href="/requests?show=waiting">{own_waiting_words(summary.waiting)}</a>"."
                        </p>
                    </section>
                }.into_any(),
            })}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_home_page_says_how_many_requests_wait_in_words() {
        assert_eq!(waiting_words(None), "open your approvals");
        assert_eq!(waiting_words(Some(0)), "nothing waits for your decision");
        assert_eq!(waiting_words(Some(1)), "1 request waits for your decision");
        assert_eq!(waiting_words(Some(4)), "4 requests wait for your decision");
    }

    #[test]
    fn the_home_page_counts_the_readers_own_waiting_requests_in_words() {
        assert_eq!(
            own_waiting_words(0),
            "none of your requests waits for approval"
        );
        assert_eq!(
            own_waiting_words(1),
            "1 of your requests waits for approval"
        );
        assert_eq!(own_waiting_words(3), "3 of your requests wait for approval");
    }
}
