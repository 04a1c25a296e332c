//! A request's status as a badge: in words, and in a colour that repeats them (never colour alone).
//! Graph's occurrence status, when given, follows in words: "submitted · access granted".
use leptos::prelude::*;

use crate::domain::lifecycle::{OccurrenceStatus, RequestStatus};

/// The badge's words.
pub fn badge_words(status: RequestStatus, occurrence: Option<OccurrenceStatus>) -> String {
    match occurrence {
        Some(o) => format!("{} · {}", status.label(), o.label()),
        None => status.label().to_owned(),
    }
}

#[component]
pub fn StatusBadge(
    status: RequestStatus,
    #[prop(optional_no_strip)] occurrence: Option<OccurrenceStatus>,
) -> impl IntoView {
    let held = status == RequestStatus::Submitted && occurrence == Some(OccurrenceStatus::Granted);
    view! {
        <span class=format!("status status-{}", status.as_str()) class:held=held data-testid="request-status">
            {badge_words(status, occurrence)}
        </span>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_badge_says_graphs_occurrence_after_the_portals_status() {
        assert_eq!(
            badge_words(RequestStatus::Submitted, Some(OccurrenceStatus::Granted)),
            "submitted · access granted"
        );
        assert_eq!(
            badge_words(RequestStatus::PendingApproval, None),
            "waiting for approval"
        );
    }
}
