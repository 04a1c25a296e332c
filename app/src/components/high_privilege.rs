//! High-privilege grants in words (not colour alone): on the review, the inbox card and the request's
//! page, so the requester and the approver read the same thing.
use leptos::prelude::*;

use crate::domain::risk::HighPrivilegeGrant;

/// Nothing when `grants` is empty.
#[component]
pub fn HighPrivilege(grants: Vec<HighPrivilegeGrant>) -> impl IntoView {
    (!grants.is_empty()).then(|| {
        view! {
            <div class="warning" role="note" data-testid="high-privilege">
                <strong>"High privilege: "</strong>
                "this request gives administrator-like power."
                <ul class="flagged">
                    {grants.into_iter().map(|g| view! { <li><code>{g.item}</code>{format!(": {}", g.why)}</li> }).collect_view()}
                </ul>
            </div>
        }
    })
}
