//! Steps 2 to 4 for Microsoft Entra roles, in place of the clouds' system, identity and what: the
//! role (one the person is eligible for, at its scope), for whom (always themselves), and what the
//! role's PIM policy asks. Steps 5 to 7 are the clouds' own, with the policy's limits.
use leptos::prelude::*;

use super::{server_message, Continue, Page};
use crate::{
    components::field_errors::FieldErrors,
    form::{entra::choice_value, names, plain_form::PlainFormStoreFields, Field},
    views::entra::EntraRoleOption,
};

pub(super) fn role_step(page: Page) -> AnyView {
    let Page {
        entra,
        errors,
        hydrated,
        ..
    } = page;
    view! {
        <fieldset id="step-2" class="step">
            <legend>"2. Role"</legend>
            <p class="muted">"The Microsoft Entra roles you are eligible for in Privileged Identity Management. Once your approver agrees, the role is active for you for the time you ask."</p>
            <Transition fallback=|| view! { <p aria-busy="true">"Loading your eligible roles…"</p> }>
                {move || entra.get().map(|r| match r {
                    Err(e) => view! { <p class="error" role="alert">{server_message(&e)}</p> }.into_any(),
                    Ok(None) => ().into_any(),
                    Ok(Some(found)) if found.roles.is_empty() => view! { <p class="empty">"You are not eligible for any Microsoft Entra role."</p> }.into_any(),
                    Ok(Some(found)) => {
                        let first = found.roles.iter().position(|r| r.policy.is_some());
                        view! {
                            <div class="choices" role="radiogroup" aria-label="Eligible roles">
                                {found.roles.into_iter().enumerate().map(|(i, role)| option(page, role, i, first == Some(i))).collect_view()}
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

/// One eligible role (the `n`th): its name and scope, what it may do, and its id beneath.
fn option(page: Page, role: EntraRoleOption, n: usize, first: bool) -> impl IntoView {
    let form = page.form;
    let (id, scope) = (
        role.role_definition_id.clone(),
        role.directory_scope_id.clone(),
    );
    let mine = {
        let (id, scope) = (id.clone(), scope.clone());
        move || form.system().with(|s| *s == scope) && form.items().with(|i| i.first() == Some(&id))
    };
    let choose = {
        let (id, scope) = (id.clone(), scope.clone());
        move |_| {
            form.system().set(scope.clone());
            form.items().set(vec![id.clone()]);
            page.checked.set(None);
        }
    };
    let value = choice_value(&id, &scope);
    let described = format!("entra-role-{n}-about");
    let unavailable = role.policy.is_none();
    view! {
        <label class="choice" class:disabled=unavailable>
            <input type="radio" name=names::ENTRA_ROLE value=value id=first.then_some("system")
                disabled=unavailable aria-describedby=described.clone()
                checked=mine.clone() prop:checked=mine on:change=choose/>
            <span class="choice-text">
                <span>{format!("{} in {}", role.name, role.scope_name)}</span>
                <span class="muted choice-about" id=described>
                    {role.description.clone()}" "<code class="id">{role.role_definition_id.clone()}</code>
                    {role.problem.clone().map(|p| format!(" Unavailable: the role's PIM policy could not be read ({p})."))}
                </span>
            </span>
        </label>
    }
}

pub(super) fn for_step(page: Page) -> AnyView {
    let Page {
        options, hydrated, ..
    } = page;
    view! {
        <fieldset id="step-3" class="step">
            <legend>"3. For whom"</legend>
            <p data-testid="entra-for">
                <Transition fallback=|| "For yourself.">
                    {move || options.get().and_then(|o| o.ok()).map(|o| format!("For yourself, {}: a Microsoft Entra role is activated only for the person eligible for it.", o.upn))}
                </Transition>
            </p>
            <Continue hydrated to=4/>
        </fieldset>
    }
    .into_any()
}

pub(super) fn policy_step(page: Page) -> AnyView {
    let hydrated = page.hydrated;
    let words = move || match page.entra_role() {
        None => "Choose a role first.".to_owned(),
        Some(role) => match (&role.policy, page.entra_portal_max()) {
            (Some(policy), Some(max)) => format!(
                "{} in {}: {}",
                role.name,
                role.scope_name,
                policy.describe(max)
            ),
            _ => format!("The PIM policy of {} could not be read.", role.name),
        },
    };
    view! {
        <fieldset id="step-4" class="step">
            <legend>"4. The role's policy"</legend>
            <p data-testid="entra-policy" aria-live="polite">
                <Transition fallback=|| ()>{words}</Transition>
            </p>
            <Continue hydrated to=5/>
        </fieldset>
    }
    .into_any()
}
