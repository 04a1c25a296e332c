//! Step 1: the cloud, with how many of its systems there are and how many can be chosen; for
//! Microsoft Entra roles, how many roles the person is eligible for.
use leptos::prelude::*;

use super::{server_message, Continue, Page};
use crate::{
    components::field_errors::FieldErrors,
    domain::ids::CloudKind,
    form::{names, Field},
};

pub(super) fn step(page: Page) -> AnyView {
    let clouds = page.loads.clouds;
    let Page {
        cloud,
        errors,
        hydrated,
        ..
    } = page;
    view! {
        <fieldset id="step-1" class="step">
            <legend>"1. Cloud"</legend>
            <Transition fallback=|| view! { <p aria-busy="true">"Loading clouds…"</p> }>
                {move || clouds.get().map(|r| match r {
                    Err(e) => view! { <p class="error" role="alert">{server_message(&e)}</p> }.into_any(),
                    Ok(list) => view! {
                        <div class="choices">
                            {list.into_iter().enumerate().map(|(i, c)| {
                                let plural = if c.systems == 1 { "" } else { "s" };
                                let label = if c.cloud == CloudKind::Entra {
                                    format!("Microsoft Entra roles — {} role{plural} you are eligible for, {} can be chosen", c.systems, c.requestable)
                                } else {
                                    format!("{} — {} {}{plural}, {} can be chosen", c.cloud, c.systems, c.cloud.system_noun(), c.requestable)
                                };
                                let mine = move || cloud.get() == Some(c.cloud);
                                view! {
                                    <label class="choice">
                                        // The first choice is where the error summary's link goes.
                                        <input type="radio" name=names::CLOUD value=c.cloud.as_str() id=(i == 0).then_some("cloud")
                                            checked=mine prop:checked=mine
                                            on:change=move |_| page.choose_cloud(c.cloud)/>
                                        <span class="choice-text">{label}</span>
                                    </label>
                                }
                            }).collect_view()}
                        </div>
                    }.into_any(),
                })}
            </Transition>
            <FieldErrors errors field=Field::Cloud/>
            <Continue hydrated to=2/>
        </fieldset>
    }
    .into_any()
}
