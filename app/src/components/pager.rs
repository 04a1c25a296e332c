//! The foot of a page of search results: how many match, and a button for the next page.
use leptos::prelude::*;

/// Before the page is interactive the button submits the form with `name` set to the next page's
/// token, to `action`, and the server renders that page; once interactive, `on_next` shows it in place.
#[component]
pub fn Pager(
    total: Option<u64>,
    next: Option<String>,
    name: &'static str,
    action: String,
    label: &'static str,
    on_next: Callback<String>,
) -> impl IntoView {
    view! {
        <p class="muted">
            {total.map(|t| format!("{t} match. "))}
            {next.map(|n| view! {
                <button type="submit" class="secondary" name=name value=n.clone() formaction=action
                    on:click=move |_| on_next.run(n.clone())>{label}</button>
            })}
        </p>
    }
}
