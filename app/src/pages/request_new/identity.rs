//! Step 3: the identity in the chosen system, searched on the server a page at a time.
use leptos::prelude::*;

use super::{server_message, step_action, Continue, Page};
use crate::{
    components::{field_errors::FieldErrors, pager::Pager},
    form::{names, plain_form::PlainFormStoreFields, Field, PlainForm},
};

pub(super) fn step(page: Page) -> AnyView {
    let Page {
        form,
        identity,
        errors,
        hydrated,
        ..
    } = page;
    let identities = page.loads.identities;
    let show_page = Callback::new(move |n: String| form.identity_page().set(Some(n)));
    view! {
        <fieldset id="step-3" class="step" disabled=move || form.system().with(String::is_empty)>
            <legend>"3. Identity"</legend>
            <label for="identity-q">"Search by name or external id"</label>
            <input id="identity-q" name=names::IDENTITY_SEARCH type="search" autocomplete="off"
                value=form.identity_search().get_untracked()
                prop:value=move || form.identity_search().get()
                on:input=move |ev| { form.identity_search().set(event_target_value(&ev)); form.identity_page().set(None); }/>
            <Continue hydrated to=3 label="Search"/>
            <p class="muted" data-testid="chosen-identity">{move || identity.get().map(|i| if i.name == i.external_id {
                format!("Chosen: {} ({})", i.external_id, i.identity_type)
            } else {
                format!("Chosen: {} ({}, {})", i.name, i.identity_type, i.external_id)
            }).unwrap_or_else(|| "No identity chosen yet.".to_owned())}</p>
            <Transition fallback=|| view! { <p aria-busy="true">"Searching…"</p> }>
                {move || identities.get().map(|r| match r {
                    Err(e) => view! { <p class="error" role="alert">{server_message(&e)}</p> }.into_any(),
                    Ok(None) => view! { <p class="muted">"Choose a system first."</p> }.into_any(),
                    Ok(Some(found)) if found.items.is_empty() => view! { <p class="empty">{format!("No identities match '{}'", form.identity_search().get_untracked())}</p> }.into_any(),
                    Ok(Some(found)) => {
                        // The chosen identity stays chosen (and sent) while other results show.
                        let chosen_elsewhere = identity.get_untracked().filter(|i| !found.items.iter().any(|x| x.external_id == i.external_id));
                        view! {
                        {chosen_elsewhere.map(|i| view! { <input type="hidden" name=names::IDENTITY value=PlainForm::identity_value(i.identity_type.graph_name(), &i.external_id)/> })}
                        <div class="choices" role="group" aria-label="Identities">
                            {found.items.into_iter().map(|i| {
                                let chosen = i.clone();
                                let ext = i.external_id.clone();
                                let mine = move || identity.get().map(|x| x.external_id) == Some(ext.clone());
                                view! {
                                    <label class="choice">
                                        <input type="radio" name=names::IDENTITY value=PlainForm::identity_value(i.identity_type.graph_name(), &i.external_id)
                                            checked=mine.clone() prop:checked=mine
                                            on:change=move |_| choose(page, chosen.clone())/>
                                        <span class="choice-text">
                                            <span>{i.name.clone()}{i.own.then_some(" (you)")}</span>
                                            <span class="muted">{format!(" {} · {}", i.identity_type, i.external_id)}</span>
                                        </span>
                                    </label>
                                }
                            }).collect_view()}
                        </div>
                        <Pager total=found.total next=found.next name=names::IDENTITY_PAGE action=step_action(3)
                            label="More identities" on_next=show_page/>
                    }.into_any()
                    }
                })}
            </Transition>
            <FieldErrors errors field=Field::Identity/>
            <Continue hydrated to=4/>
        </fieldset>
    }
    .into_any()
}

/// Choosing an identity forgets the role chosen for the previous one.
fn choose(page: Page, chosen: crate::views::inventory::IdentityOption) {
    let form = page.form;
    // First, so the chosen identity reads with its name.
    page.known_identity.set_value(Some(chosen.clone()));
    form.identity_type()
        .set(chosen.identity_type.graph_name().to_owned());
    form.identity().set(chosen.external_id);
    form.assign_to_role().set(String::new());
}
