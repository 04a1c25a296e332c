//! Step 4 for AWS statements: the statements added so far, and the editor of the next one (its
//! actions are the items chosen above). More than one statement needs the interactive page; before
//! it, the one being edited is sent with the form.
use leptos::prelude::*;

use super::Page;
use crate::{
    components::{field_errors::FieldErrors, raw_text::rcdata},
    domain::permissions::{AwsEffect, AwsStatementInput},
    form::{choices::EffectChoice, names, plain_form::PlainFormStoreFields, Field},
};

/// The statements added so far, each sent as JSON in a hidden input.
pub(super) fn added(page: Page) -> AnyView {
    let Page {
        form,
        hydrated,
        checked,
        ..
    } = page;
    view! {
        <h3>"Statements added"</h3>
        <ol class="chosen" data-testid="statements">
            {move || form.statements().get().into_iter().enumerate().map(|(n, s)| {
                let json = serde_json::to_string(&s).unwrap_or_default();
                view! {
                    <li>
                        <input type="hidden" name=names::STATEMENT value=json/>
                        {statement_words(&s)}
                        " "
                        <button type="button" class="link" hidden=move || !hydrated.get()
                            on:click=move |_| { form.statements().update(|all| { if n < all.len() { all.remove(n); } }); checked.set(None); }>
                            {format!("Remove statement {}", n + 1)}
                        </button>
                    </li>
                }
            }).collect_view()}
        </ol>
        <h3>{move || format!("Statement {}", form.statements().with(Vec::len) + 1)}</h3>
    }
    .into_any()
}

/// The statement being edited: resources, exclusions, effect and condition.
pub(super) fn editor(page: Page) -> AnyView {
    let Page {
        form,
        errors,
        hydrated,
        checked,
        ..
    } = page;
    // The one being edited joins the added ones, and the editor starts afresh.
    let add_statement = move |_| {
        if let Some(s) = form.with_untracked(|f| f.editing_statement()) {
            form.statements().update(|all| all.push(s));
            form.items().set(Vec::new());
            form.resources().set("*".to_owned());
            form.not_resources().set(String::new());
            form.not_actions().set(String::new());
            form.effect().set(EffectChoice::Allow);
            form.condition().set(String::new());
            checked.set(None);
        }
    };
    view! {
        <div class="statement">
            <label for="resources">"Resources (one ARN per line, * for all)"</label>
            <textarea id="resources" name=names::RESOURCES prop:value=move || form.resources().get() on:input=move |ev| form.resources().set(event_target_value(&ev))>{rcdata(form.resources().get_untracked())}</textarea>
            <label for="not-resources">"Not resources (instead of resources)"</label>
            <textarea id="not-resources" name=names::NOT_RESOURCES prop:value=move || form.not_resources().get() on:input=move |ev| form.not_resources().set(event_target_value(&ev))>{rcdata(form.not_resources().get_untracked())}</textarea>
            <label for="not-actions">"Not actions (instead of the chosen actions)"</label>
            <textarea id="not-actions" name=names::NOT_ACTIONS prop:value=move || form.not_actions().get() on:input=move |ev| form.not_actions().set(event_target_value(&ev))>{rcdata(form.not_actions().get_untracked())}</textarea>
            <label for="effect">"Effect"</label>
            <select id="effect" name=names::EFFECT prop:value=move || form.effect().get().as_str() on:change=move |ev| form.effect().set(EffectChoice::parse(&event_target_value(&ev)))>
                {EffectChoice::ALL.into_iter().map(|e| view! {
                    <option value=e.as_str() selected=move || form.effect().get() == e>{e.label()}</option>
                }).collect_view()}
            </select>
            <label for="condition">"Condition (JSON, optional)"</label>
            <textarea id="condition" name=names::CONDITION placeholder=r#"{"NumericLessThanEquals": {"aws:MultiFactorAuthAge": "3600"}}"#
                prop:value=move || form.condition().get() on:input=move |ev| form.condition().set(event_target_value(&ev))>{rcdata(form.condition().get_untracked())}</textarea>
            <button type="button" class="secondary" hidden=move || !hydrated.get() on:click=add_statement
                disabled=move || form.items().with(Vec::is_empty) && form.not_actions().with(|a| a.trim().is_empty())>"Add this statement and start another"</button>
        </div>
        <FieldErrors errors field=Field::Statements/>
    }
    .into_any()
}

/// One added AWS statement in words.
fn statement_words(s: &AwsStatementInput) -> String {
    let effect = match s.effect {
        Some(AwsEffect::Deny) => "Deny",
        _ => "Allow",
    };
    let actions = if s.actions.is_empty() {
        format!("every action except {}", s.not_actions.join(", "))
    } else {
        s.actions.join(", ")
    };
    let resources = if s.resources.is_empty() {
        format!("every resource except {}", s.not_resources.join(", "))
    } else {
        s.resources.join(", ")
    };
    let condition = if s.condition.is_some() {
        ", with a condition"
    } else {
        ""
    };
    format!("{effect} {actions} on {resources}{condition}")
}
