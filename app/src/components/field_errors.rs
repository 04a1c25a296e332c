//! The errors on one field of the request form, under the field and named by its `aria-describedby`.
use leptos::prelude::*;

use crate::form::{Field, FieldError};

/// The errors `errors` holds for `field`; hidden while there are none. Not an alert: the messages
/// follow the field as it is typed in, and the form's error summary is what announces a check.
#[component]
pub fn FieldErrors(#[prop(into)] errors: Signal<Vec<FieldError>>, field: Field) -> impl IntoView {
    let mine = move || {
        errors
            .get()
            .into_iter()
            .filter(|e| e.field == field)
            .map(|e| e.message())
            .collect::<Vec<_>>()
    };
    view! {
        <p class="field-error" id=described(field) hidden=move || mine().is_empty()>
            {move || mine().join(" ")}
        </p>
    }
}

/// The id of a field's errors, for the input's `aria-describedby`.
pub fn described(field: Field) -> String {
    format!("{}-error", field.as_str())
}
