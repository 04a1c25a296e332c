//! Step 6: why access is needed, the ServiceNow ticket and who approves.
use leptos::prelude::*;

use super::Page;
use crate::{
    components::{
        field_errors::{described, FieldErrors},
        raw_text::rcdata,
    },
    form::{names, plain_form::PlainFormStoreFields, Field},
};

pub(super) fn step(page: Page) -> AnyView {
    let Page {
        form,
        errors,
        options,
        ..
    } = page;
    view! {
        <fieldset id="step-6" class="step">
            <legend>"6. Why"</legend>
            <label for="justification">"Justification (required, 10 to 1000 characters)"</label>
            <textarea id="justification" name=names::JUSTIFICATION required aria-describedby=described(Field::Justification) maxlength="1000" prop:value=move || form.justification().get() on:input=move |ev| form.justification().set(event_target_value(&ev))>{rcdata(form.justification().get_untracked())}</textarea>
            <FieldErrors errors field=Field::Justification/>
            <label for="notes">"Notes (optional)"</label>
            <textarea id="notes" name=names::NOTES aria-describedby=described(Field::Notes) prop:value=move || form.notes().get() on:input=move |ev| form.notes().set(event_target_value(&ev))>{rcdata(form.notes().get_untracked())}</textarea>
            <FieldErrors errors field=Field::Notes/>
            <label for="ticket">
                "ServiceNow ticket number "
                // An Entra role needs one only when its PIM policy says so.
                <span data-testid="ticket-required">{move || page.is_entra().then(|| match page.entra_role().and_then(|r| r.policy) {
                    Some(p) if p.ticket => "(required by the role's policy) ",
                    _ => "(optional for this role) ",
                })}</span>
                <Transition fallback=|| ()>
                    <span class="muted">{move || options.get().and_then(|o| o.ok()).map(|o| format!("({})", o.ticket_pattern.rule()))}</span>
                </Transition>
            </label>
            <input id="ticket" name=names::TICKET autocomplete="off" aria-describedby=described(Field::Ticket)
                aria-required=move || (!page.is_entra() || page.entra_role().and_then(|r| r.policy).is_some_and(|p| p.ticket)).to_string() value=form.ticket().get_untracked() prop:value=move || form.ticket().get() on:input=move |ev| form.ticket().set(event_target_value(&ev))/>
            <FieldErrors errors field=Field::Ticket/>
            <label for="approver">"Approver"</label>
            <select id="approver" name=names::APPROVER aria-describedby=described(Field::Approver) on:change=move |ev| form.approver().set(event_target_value(&ev))>
                <Transition fallback=|| ()>
                    {move || options.get().and_then(|o| o.ok()).map(|o| o.approvers.into_iter().map(|a| {
                        let upn = a.upn.clone();
                        view! { <option value=a.upn.clone() selected=move || form.approver().with(|chosen| *chosen == upn)>{format!("{} ({}), {}", a.name, a.upn, a.relation.words())}</option> }
                    }).collect_view())}
                </Transition>
            </select>
            <FieldErrors errors field=Field::Approver/>
        </fieldset>
    }
    .into_any()
}
