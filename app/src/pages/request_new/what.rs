//! Step 4: what is asked for (Graph's six kinds), the role or scope it is assigned on, and the
//! policies, roles or actions themselves, searched on the server a page at a time. AWS statements
//! have their own editor (`statement.rs`).
use leptos::prelude::*;

use super::{server_message, statement, step_action, Continue, Page};
use crate::{
    components::{
        field_errors::{described, FieldErrors},
        pager::Pager,
    },
    domain::{ids::CloudKind, permissions_kind::PermissionsKind},
    form::{names, plain_form::PlainFormStoreFields, Field},
};

pub(super) fn step(page: Page) -> AnyView {
    let Page {
        form,
        cloud,
        what,
        identity,
        errors,
        hydrated,
        ..
    } = page;
    let found_items = page.loads.found_items;
    let roles = page.loads.roles;
    let scopes = page.loads.scopes;
    let chosen_named = page.loads.chosen_named;
    let choose_what = move |w: PermissionsKind| page.choose_what(w);
    // What the other kind holds is set aside, neither lost nor sent: said in words.
    let set_aside = move || page.set_aside.with(|a| form.with(|f| a.other_kinds(f)));
    let show_page = Callback::new(move |n: String| form.item_page().set(Some(n)));
    view! {
        <fieldset id="step-4" class="step" disabled=move || identity.get().is_none()>
            <legend>"4. What"</legend>
            <div class="choices" role="radiogroup" aria-label="What to ask for">
                {move || cloud.get().map(|c| PermissionsKind::of(c).iter().copied().enumerate().map(|(i, w)| {
                    let mine = move || what.get() == Some(w);
                    view! {
                    <label class="choice">
                        <input type="radio" name=names::WHAT value=w.as_str() id=(i == 0).then_some("what")
                            checked=mine prop:checked=mine
                            on:change=move |_| choose_what(w)/>
                        <span class="choice-text">{w.label()}</span>
                    </label>
                }}).collect_view())}
            </div>
            <p class="muted" role="status" data-testid="set-aside">
                {move || {
                    let kept = set_aside();
                    (!kept.is_empty()).then(|| format!(
                        "Not sent, but kept in case you switch back: {}.",
                        kept.join("; ")
                    ))
                }}
            </p>
            <FieldErrors errors field=Field::What/>

            <Show when=move || cloud.get() == Some(CloudKind::Aws)>
                <label for="assign-to-role">"Role to assign to"</label>
                <select id="assign-to-role" name=names::ROLE aria-describedby=described(Field::AssignToRole)
                    prop:value=move || form.assign_to_role().get()
                    on:change=move |ev| form.assign_to_role().set(event_target_value(&ev))>
                    <option value="">"Choose a role"</option>
                    <Transition fallback=|| ()>
                        {move || roles.get().map(|r| r.ok().flatten().unwrap_or_default().into_iter().map(|o| {
                            let id = o.id.clone();
                            view! { <option value=o.id.clone() selected=move || form.assign_to_role().with(|r| *r == id)>{format!("{} ({})", o.name, o.id)}</option> }
                        }).collect_view())}
                    </Transition>
                </select>
                <FieldErrors errors field=Field::AssignToRole/>
            </Show>
            <Show when=move || cloud.get() == Some(CloudKind::Azure)>
                <label for="scope">"Scope (resourceId)"</label>
                <select id="scope" name=names::SCOPE aria-describedby=described(Field::Scope)
                    prop:value=move || form.scope().get()
                    on:change=move |ev| form.scope().set(event_target_value(&ev))>
                    <Transition fallback=|| ()>
                        {move || scopes.get().map(|r| r.ok().flatten().unwrap_or_default().into_iter().map(|o| {
                            let id = o.id.clone();
                            view! { <option value=o.id.clone() selected=move || form.scope().with(|s| *s == id)>{format!("{} — {}", o.name, o.id)}</option> }
                        }).collect_view())}
                    </Transition>
                </select>
                <FieldErrors errors field=Field::Scope/>
            </Show>

            <Show when=move || what.get() == Some(PermissionsKind::AwsStatements) && !form.statements().with(Vec::is_empty)>
                {statement::added(page)}
            </Show>

            <label for="items-q">{move || if what.get().is_some_and(PermissionsKind::is_actions) { "Search actions" } else { "Search by name or id" }}</label>
            <input id="items-q" name=names::ITEM_SEARCH type="search" autocomplete="off"
                value=form.item_search().get_untracked()
                prop:value=move || form.item_search().get()
                on:input=move |ev| { form.item_search().set(event_target_value(&ev)); form.item_page().set(None); }/>
            <Continue hydrated to=4 label="Search"/>
            <Transition fallback=|| view! { <p aria-busy="true">"Searching…"</p> }>
                {move || found_items.get().map(|r| match r {
                    Err(e) => view! { <p class="error" role="alert">{server_message(&e)}</p> }.into_any(),
                    Ok(None) => view! { <p class="muted">"Choose what to ask for first."</p> }.into_any(),
                    Ok(Some(found)) if found.items.is_empty() => view! { <p class="empty">{format!("Nothing matches '{}'", form.item_search().get_untracked())}</p> }.into_any(),
                    Ok(Some(found)) => view! {
                        <ul class="results" aria-label="Search results">
                            {found.items.into_iter().map(|o| {
                                let id = o.id.clone();
                                let toggled = o.clone();
                                let risky = o.is_risky();
                                let mine = move || form.items().with(|items| items.contains(&id));
                                view! {
                                    <li class:risky=risky>
                                        <label class="choice">
                                            <input type="checkbox" name=names::ITEM value=o.id.clone()
                                                checked=mine.clone() prop:checked=mine
                                                on:change=move |ev| toggle(page, toggled.clone(), event_target_checked(&ev))/>
                                            // The name, what it is, and the id on a line of its own.
                                            <span class="choice-text">
                                                <span class="item-name">{o.name.clone()}</span>
                                                {o.severity.is_some().then(|| view! { " "<span class="badge" class:danger=risky>{o.risk_words()}</span> })}
                                                {o.kind_words().map(|k| view! { " "<span class="badge">{k}</span> })}
                                                {(o.name != o.id).then(|| view! { <code class="item-id">{o.id.clone()}</code> })}
                                            </span>
                                        </label>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                        <Pager total=found.total next=found.next name=names::ITEM_PAGE action=step_action(4)
                            label="Next page" on_next=show_page/>
                    }.into_any(),
                })}
            </Transition>
            <h3>"Chosen"</h3>
            <ul class="chosen" data-testid="chosen-items">
                <Transition fallback=|| ()>
                {move || {
                let named = chosen_named.get().unwrap_or_default();
                form.items().get().into_iter().map(|id| {
                    let o = page.item(&id, &named);
                    view! {
                        <li class:risky=o.is_risky()>
                            // Sent with the form, so a choice survives a search or a next page.
                            <input type="hidden" name=names::ITEM value=o.id.clone()/>
                            {(o.name != o.id).then(|| view! { <span class="item-name">{o.name.clone()}</span>" " })}
                            <code class="item-id">{o.id.clone()}</code>
                            {o.is_risky().then(|| view! { <span class="badge danger">{o.risk_words()}</span> })}
                            " "
                            <button type="submit" class="link" name=names::REMOVE value=o.id.clone() formaction=step_action(4)
                                on:click=move |_| form.items().update(|v| v.retain(|i| *i != id))>
                                "Remove"<span class="visually-hidden">{format!(" {}", o.name)}</span>
                            </button>
                        </li>
                    }
                }).collect_view()
                }}
                </Transition>
            </ul>
            <FieldErrors errors field=Field::Items/>
            <Show when=move || what.get() == Some(PermissionsKind::AwsStatements)>
                {statement::editor(page)}
            </Show>
            <Continue hydrated to=5/>
        </fieldset>
    }
    .into_any()
}

/// Choosing an item keeps what the search said about it, to show it among the chosen ones.
fn toggle(page: Page, item: crate::views::inventory::ItemOption, on: bool) {
    let id = item.id.clone();
    if on {
        page.known_items.update_value(|known| {
            known.retain(|k| k.id != id);
            known.push(item);
        });
    }
    page.form.items().update(|v| {
        v.retain(|i| *i != id);
        if on {
            v.push(id);
        }
    });
}
