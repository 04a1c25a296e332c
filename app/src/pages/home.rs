//! The landing page: what the portal does, and where to start.
use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    app::{ViewerResource, Waiting},
    domain::policy::Capability,
};

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
                                {v.can(Capability::Audit).then(|| view! { <li>"You can read and export the full history."</li> })}
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
        <p class="hydration" data-testid="hydration-state">
            {move || if hydrated.get() { "interactive" } else { "static" }}
        </p>
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
}
