//! Step 2: the authorization system (account, subscription, project) in the chosen cloud.
use leptos::prelude::*;

use super::{server_message, Continue, Page};
use crate::{
    components::field_errors::FieldErrors,
    form::{names, plain_form::PlainFormStoreFields, Field},
};

pub(super) fn step(page: Page) -> AnyView {
    let (form, cloud, errors, hydrated) = (page.form, page.cloud, page.errors, page.hydrated);
    let systems = page.loads.systems;
    view! {
        <fieldset id="step-2" class="step" disabled=move || cloud.get().is_none()>
            <legend>{move || format!("2. {}", cloud.get().map(|c| { let n = c.system_noun(); format!("{}{}", n[..1].to_uppercase(), &n[1..]) }).unwrap_or_else(|| "Authorization system".to_owned()))}</legend>
            <Transition fallback=|| view! { <p aria-busy="true">"Loading…"</p> }>
                {move || systems.get().map(|r| match r {
                    Err(e) => view! { <p class="error" role="alert">{server_message(&e)}</p> }.into_any(),
                    Ok(None) => view! { <p class="muted">"Choose a cloud first."</p> }.into_any(),
                    Ok(Some(list)) if list.is_empty() => view! { <p class="empty">"This cloud has no authorization systems in Permissions Management."</p> }.into_any(),
                    Ok(Some(list)) => {
                        let first = list.iter().position(|s| s.disabled_reason.is_none());
                        view! {
                        <div class="choices">
                            {list.into_iter().enumerate().map(|(i, s)| {
                                let id = s.id.clone();
                                let checked_id = s.id.clone();
                                let mine = move || form.system().with(|system| *system == checked_id);
                                let reason_id = format!("system-{}-reason", s.id);
                                let disabled = s.disabled_reason.is_some();
                                view! {
                                    <label class="choice" class:disabled=disabled>
                                        // The first that can be chosen is where the error summary's link goes.
                                        <input type="radio" name=names::SYSTEM value=s.id.clone() disabled=disabled id=(first == Some(i)).then_some("system")
                                            aria-describedby=reason_id.clone()
                                            checked=mine.clone() prop:checked=mine
                                            on:change=move |_| page.choose_system(id.clone())/>
                                        <span class="choice-text">
                                            <span>{s.name.clone()}" "<code>{s.id.clone()}</code></span>
                                            " "<span class="unavailable" id=reason_id>{s.disabled_reason.clone().map(|r| format!("Unavailable: {r}"))}</span>
                                        </span>
                                    </label>
                                }
                            }).collect_view()}
                        </div>
                    }.into_any()
                    }
                })}
            </Transition>
            <FieldErrors errors field=Field::System/>
            <Continue hydrated to=3/>
        </fieldset>
    }
    .into_any()
}
