//! A request's status as a badge, in words.
use leptos::prelude::*;

use crate::domain::lifecycle::RequestStatus;

#[component]
pub fn StatusBadge(status: RequestStatus) -> impl IntoView {
    view! { <span class="status" data-testid="request-status">{status.label()}</span> }
}
