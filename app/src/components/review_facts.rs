//! A request in words as a description list: on the review, the inbox card and the request's page,
//! so the requester and the approver read the same lines. Under "What", each policy, role and scope
//! by the name the inventory gave it, with what it is, and its id on a line of its own beneath.
use leptos::prelude::*;

use crate::domain::{item_names::NamedItem, request::ReviewLine};

/// The `<dt>`/`<dd>` pairs of `lines`, for a `<dl class="facts">`. Erased (`AnyView`): the pages
/// that hold it are deep enough already for the compiler's type limits.
pub fn review_facts(lines: Vec<ReviewLine>) -> AnyView {
    lines
        .into_iter()
        .map(|l| {
            view! {
                <dt>{l.label}</dt>
                <dd>
                    {l.text}
                    {(!l.items.is_empty()).then(|| view! {
                        <ul class="named-items" data-testid="named-items">
                            {l.items.into_iter().map(named_item).collect_view()}
                        </ul>
                    })}
                </dd>
            }
        })
        .collect_view()
        .into_any()
}

/// A name, what it is, and the id beneath; the id alone when the inventory gave no other name.
pub fn named_item(item: NamedItem) -> AnyView {
    let named = item.is_named();
    view! {
        <li>
            {named.then(|| view! { <span class="item-name">{item.name.clone()}</span>" " })}
            {item.kind.map(|k| view! { <span class="badge">{k}</span> })}
            <code class="item-id">{item.id}</code>
        </li>
    }
    .into_any()
}
