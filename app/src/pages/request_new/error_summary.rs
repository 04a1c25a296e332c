//! The error summary (GOV.UK's pattern): above the steps, "There is a problem" and a link to each
//! field in error. A check that finds problems moves the focus here, so a screen reader reads the
//! list; each link moves the focus to its field. Rendered by the server too, so the plain form has
//! it: the Review button's address ends in `#outcome`, which is this summary when there are
//! problems, and a browser focuses the target of the address's fragment.
use leptos::prelude::*;

use super::{browser, Page};
use crate::form::{choices::Length, Field, PlainForm};

/// The id of the input a field's link moves to: its own input, or the first of its choices.
pub(super) fn input_id(field: Field, form: &PlainForm) -> &'static str {
    match field {
        Field::Cloud => "cloud",
        Field::System => "system",
        Field::Identity => "identity-q",
        Field::What => "what",
        Field::Items | Field::Statements => "items-q",
        Field::AssignToRole => "assign-to-role",
        Field::Scope => "scope",
        Field::Start if form.start_later => "start-at",
        Field::Start => "start",
        Field::Duration if form.length == Length::Custom => "custom-duration",
        Field::Duration => "length",
        Field::End => "end-at",
        Field::Recurrence => "repeat",
        Field::Justification => "justification",
        Field::Notes => "notes",
        Field::Ticket => "ticket",
        Field::Approver => "approver",
    }
}

pub(super) fn view(page: Page) -> AnyView {
    let Page {
        form,
        errors,
        summary_focus,
        ..
    } = page;
    let summary = NodeRef::<leptos::html::Div>::new();
    // After the summary has been shown (next frame), not before: a hidden element takes no focus.
    Effect::new(move |_| {
        if summary_focus.get() > 0 {
            request_animation_frame(move || {
                if let Some(element) = summary.get_untracked() {
                    let _ = element.focus();
                }
            });
        }
    });
    view! {
        <div class="error-summary" node_ref=summary tabindex="-1" aria-labelledby="error-summary-title"
            id=move || (!errors.with(Vec::is_empty)).then_some("outcome")
            data-testid="error-summary" hidden=move || errors.with(Vec::is_empty)>
            <h2 id="error-summary-title">"There is a problem"</h2>
            <ul>
                {move || {
                    let plain = form.get();
                    errors.get().into_iter().map(|e| {
                        let id = input_id(e.field, &plain);
                        view! {
                            <li><a href=format!("#{id}") on:click=move |ev| {
                                // Where the page handles the link itself: focus and show the field,
                                // its label too (the browser alone would hide the label above it).
                                if browser::focus_field(id) {
                                    ev.prevent_default();
                                }
                            }>{e.message()}</a></li>
                        }
                    }).collect_view()
                }}
            </ul>
        </div>
    }
    .into_any()
}
