//! "Request access": the guided form, every step on one page. Each step reads the inventory one page
//! at a time from the server; the review runs the same parser as the server first, then asks the
//! server to check against the inventory and show the exact Graph JSON.
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{
    hooks::{use_navigate, use_query_map},
    params::ParamsMap,
};
use serde::{Deserialize, Serialize};

use crate::{
    api::{
        inventory::{
            assignable_roles, list_clouds, list_systems, search_identities, search_items,
            search_scopes,
        },
        requests::{
            create_request, get_form_options, preview_request, request_again, Checked, FormOptions,
        },
    },
    components::raw_text::rcdata,
    domain::{
        duration::DurationPreset,
        ids::{CloudKind, Upn},
        permissions::{AwsEffect, AwsStatementInput},
        recurrence::DayOfWeek,
        schedule::{offset_from_minutes, offset_label},
    },
    form::{
        choices::{EffectChoice, Length},
        Field, FieldError, FormContext, PlainForm, RequestForm, WhatKind,
    },
    inventory::{IdentityOption, ItemOption},
};

/// The person's UTC offset in minutes, from the browser; UTC while rendered on the server.
fn browser_offset_minutes() -> i32 {
    #[cfg(feature = "hydrate")]
    {
        -(js_sys::Date::new_0().get_timezone_offset() as i32)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        0
    }
}

/// The browser's UTC offset at a `datetime-local` value (which may fall the other side of a
/// daylight-saving change from today); `None` on the server or for a value that is not a date-time.
fn browser_offset_at(local: &str) -> Option<i32> {
    #[cfg(feature = "hydrate")]
    {
        if local.trim().is_empty() {
            return None;
        }
        // A date-time without an offset is read as the browser's local time.
        let at = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(local.trim()));
        (!at.get_time().is_nan()).then(|| -(at.get_timezone_offset() as i32))
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = local;
        None
    }
}

/// The IANA name of the person's time zone, from the browser; empty while rendered on the server.
/// Empty too when the browser's answer is not a name the shared parser accepts (a legacy name such
/// as `EST5EDT`): the request then goes without a zone, as without JavaScript, rather than being
/// refused for something the person cannot change.
fn browser_time_zone() -> String {
    #[cfg(feature = "hydrate")]
    {
        let options =
            js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new())
                .resolved_options();
        js_sys::Reflect::get(&options, &wasm_bindgen::JsValue::from_str("timeZone"))
            .ok()
            .and_then(|z| z.as_string())
            .and_then(|z| crate::domain::zone::TimeZoneName::parse(&z).ok())
            .map(|z| z.to_string())
            .unwrap_or_default()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        String::new()
    }
}

/// "America/Los_Angeles (UTC-08:00)", or the offset alone when the zone is unknown.
fn zone_label(zone: &str, offset_minutes: i32) -> String {
    let offset = offset_label(offset_from_minutes(offset_minutes));
    if zone.is_empty() {
        offset
    } else {
        format!("{zone} ({offset})")
    }
}

/// The errors on one field, shown under it and named by its `aria-describedby`.
#[component]
fn FieldErrors(errors: RwSignal<Vec<FieldError>>, field: Field) -> impl IntoView {
    let id = format!("{}-error", field.as_str());
    let mine = move || {
        errors
            .get()
            .into_iter()
            .filter(|e| e.field == field)
            .map(|e| e.message())
            .collect::<Vec<_>>()
    };
    view! {
        <p class="field-error" id=id role="alert" hidden=move || mine().is_empty()>
            {move || mine().join(" ")}
        </p>
    }
}

fn described(field: Field) -> String {
    format!("{}-error", field.as_str())
}

/// What the page starts from: the inputs (from the address, or an earlier request), and, when the
/// address asks for the review, the server's check of them. Loaded on the server before the first
/// render, so every step and the review show before the page is interactive.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Initial {
    plain: PlainForm,
    checked: Option<Checked>,
    /// Why the earlier request or the review could not be loaded.
    problem: Option<String>,
}

async fn load(query: ParamsMap) -> Initial {
    let mut initial = Initial {
        plain: PlainForm::read(|name| query.get_all(name).unwrap_or_default()),
        checked: None,
        problem: None,
    };
    if let Some(from) = query.get("from").filter(|f| !f.is_empty()) {
        match request_again(from).await {
            Ok(form) => initial.plain = PlainForm::from_request_form(form),
            Err(e) => initial.problem = Some(server_message(&e)),
        }
    } else if initial.plain.review {
        match preview_request(initial.plain.to_request_form()).await {
            Ok(c) => initial.checked = Some(c),
            Err(e) => initial.problem = Some(server_message(&e)),
        }
    }
    initial
}

/// A server function's error as its message alone.
fn server_message(e: &ServerFnError) -> String {
    match e {
        ServerFnError::ServerError(message) => message.clone(),
        other => other.to_string(),
    }
}

#[component]
pub fn NewRequestPage() -> impl IntoView {
    let query = use_query_map();
    let initial = Resource::new(move || query.get(), load);
    view! {
        <Title text="Request access"/>
        <Suspense fallback=|| view! { <section class="panel"><h1>"Request access"</h1><p aria-busy="true">"Loading the form…"</p></section> }>
            {move || initial.get().map(|initial| view! { <RequestFormView initial/> })}
        </Suspense>
    }
}

/// A "Continue" button for the page before it is interactive: it sends the form to the server,
/// which shows the next step. Hidden once the page handles the steps itself.
#[component]
fn Continue(
    hydrated: RwSignal<bool>,
    to: u8,
    #[prop(default = "Continue")] label: &'static str,
) -> impl IntoView {
    view! {
        <button type="submit" class="secondary" hidden=move || hydrated.get()
            formaction=format!("/requests/new#step-{to}")>{label}</button>
    }
}

/// An Azure system's own subscription: the scope until the person picks another. None elsewhere.
fn default_scope(cloud: Option<CloudKind>, system: &str) -> String {
    if cloud == Some(CloudKind::Azure) && !system.is_empty() {
        format!("/subscriptions/{system}")
    } else {
        String::new()
    }
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

#[component]
fn RequestFormView(initial: Initial) -> impl IntoView {
    let Initial {
        plain: init,
        checked: initial_checked,
        problem,
    } = initial;
    let options = Resource::new(|| (), |_| get_form_options());
    let clouds = Resource::new(|| (), |_| list_clouds());

    // The form, step by step.
    let cloud = RwSignal::new(CloudKind::parse(&init.cloud).ok());
    let system = RwSignal::new(init.system.clone());
    let identity = RwSignal::new(
        crate::form::parse_identity_type(&init.identity_type)
            .filter(|_| !init.identity.is_empty())
            .map(|t| IdentityOption {
                external_id: init.identity.clone(),
                name: init.identity.clone(),
                identity_type: t,
                own: false,
            }),
    );
    let identity_q = RwSignal::new(init.identity_search.clone());
    let identity_next = RwSignal::new(init.identity_page.clone());
    let what = RwSignal::new(WhatKind::parse(&init.what));
    let item = |id: &String| ItemOption {
        id: id.clone(),
        name: id.clone(),
        kind: None,
        severity: None,
        action_type: None,
        service: None,
    };
    let items = RwSignal::new(init.items.iter().map(item).collect::<Vec<_>>());
    let items_q = RwSignal::new(init.item_search.clone());
    let items_next = RwSignal::new(init.item_page.clone());
    let assign_to_role = RwSignal::new(init.assign_to_role.clone());
    let scope = RwSignal::new(if init.scope.is_empty() {
        default_scope(cloud.get_untracked(), &init.system)
    } else {
        init.scope.clone()
    });
    let statements = RwSignal::new(init.statements.clone());
    let resources = RwSignal::new(init.resources.clone());
    let not_resources = RwSignal::new(init.not_resources.clone());
    let not_actions = RwSignal::new(init.not_actions.clone());
    let effect = RwSignal::new(init.effect.as_str().to_owned());
    let condition = RwSignal::new(init.condition.clone());
    let start_later = RwSignal::new(init.start_later);
    let start = RwSignal::new(init.start.clone());
    let length = RwSignal::new(init.length.as_str().to_owned());
    let custom_duration = RwSignal::new(init.custom_duration.clone());
    let end = RwSignal::new(init.end.clone());
    let recurrence = RwSignal::new(init.recurrence.clone());
    let justification = RwSignal::new(init.justification.clone());
    let notes = RwSignal::new(init.notes.clone());
    let ticket = RwSignal::new(init.ticket.clone());
    let approver = RwSignal::new(init.approver.clone());
    let offset = RwSignal::new(init.offset_minutes);
    let zone = RwSignal::new(init.time_zone.clone());
    let errors = RwSignal::new(match &initial_checked {
        Some(Checked::Invalid { errors }) => errors.clone(),
        _ => Vec::new(),
    });
    let checked = RwSignal::new(initial_checked.filter(|c| matches!(c, Checked::Valid { .. })));
    // Set once the browser has taken over: before that, each step has a Continue button that asks
    // the server for the next one.
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| {
        // Both from the browser, together: a zone never travels with another source's offset.
        offset.set(browser_offset_minutes());
        zone.set(browser_time_zone());
        hydrated.set(true);
    });

    // The manager is the default approver.
    Effect::new(move |_| {
        if let Some(Ok(o)) = options.get() {
            if approver.get_untracked().is_empty() {
                if let Some(first) = o.approvers.first() {
                    approver.set(first.upn.clone());
                }
            }
        }
    });

    let systems = Resource::new(
        move || cloud.get(),
        |cloud| async move {
            match cloud {
                Some(c) => list_systems(c.as_str().to_owned()).await.map(Some),
                None => Ok(None),
            }
        },
    );
    let identities = Resource::new(
        move || {
            (
                cloud.get(),
                system.get(),
                identity_q.get(),
                identity_next.get(),
            )
        },
        |(cloud, system, q, next)| async move {
            match cloud {
                Some(c) if !system.is_empty() => {
                    search_identities(c.as_str().to_owned(), system, q, next)
                        .await
                        .map(Some)
                }
                _ => Ok(None),
            }
        },
    );
    let found_items = Resource::new(
        move || (what.get(), system.get(), items_q.get(), items_next.get()),
        |(what, system, q, next)| async move {
            match what {
                Some(w) if !system.is_empty() => {
                    search_items(w.as_str().to_owned(), system, q, next)
                        .await
                        .map(Some)
                }
                _ => Ok(None),
            }
        },
    );
    let roles = Resource::new(
        move || {
            (
                cloud.get(),
                system.get(),
                identity.get().map(|i| i.external_id),
            )
        },
        |(cloud, system, identity)| async move {
            match (cloud, identity) {
                (Some(CloudKind::Aws), Some(i)) if !system.is_empty() => {
                    assignable_roles(system, i).await.map(Some)
                }
                _ => Ok(None),
            }
        },
    );
    let scopes = Resource::new(
        move || (cloud.get(), system.get()),
        |(cloud, system)| async move {
            match cloud {
                Some(CloudKind::Azure) if !system.is_empty() => {
                    search_scopes(system, String::new()).await.map(Some)
                }
                _ => Ok(None),
            }
        },
    );

    // Changing an early step clears what depended on it.
    let choose_cloud = move |c: CloudKind| {
        cloud.set(Some(c));
        system.set(String::new());
        identity.set(None);
        what.set(Some(WhatKind::of(c)[0]));
        items.set(Vec::new());
        statements.set(Vec::new());
        identity_next.set(None);
        items_next.set(None);
        assign_to_role.set(String::new());
        scope.set(String::new());
        checked.set(None);
    };
    let choose_system = move |id: String| {
        system.set(id.clone());
        identity.set(None);
        identity_next.set(None);
        items.set(Vec::new());
        statements.set(Vec::new());
        assign_to_role.set(String::new());
        scope.set(default_scope(cloud.get_untracked(), &id));
        checked.set(None);
    };

    // Everything the inputs hold, as plain HTML would send it; the parser reads it as the server does.
    let plain = move || -> PlainForm {
        let i = identity.get();
        PlainForm {
            cloud: cloud
                .get()
                .map(|c| c.as_str().to_owned())
                .unwrap_or_default(),
            system: system.get(),
            identity: i
                .as_ref()
                .map(|i| i.external_id.clone())
                .unwrap_or_default(),
            identity_type: i
                .map(|i| i.identity_type.graph_name().to_owned())
                .unwrap_or_default(),
            what: what
                .get()
                .map(|w| w.as_str().to_owned())
                .unwrap_or_default(),
            items: items.get().into_iter().map(|i| i.id).collect(),
            assign_to_role: assign_to_role.get(),
            scope: scope.get(),
            statements: statements.get(),
            resources: resources.get(),
            not_resources: not_resources.get(),
            not_actions: not_actions.get(),
            effect: EffectChoice::parse(&effect.get()),
            condition: condition.get(),
            start_later: start_later.get(),
            start: start.get(),
            length: Length::parse(&length.get()),
            custom_duration: custom_duration.get(),
            end: end.get(),
            recurrence: recurrence.get(),
            justification: justification.get(),
            notes: notes.get(),
            ticket: ticket.get(),
            approver: approver.get(),
            // The offset in force when the schedule starts (or ends, for "now until an end
            // time"), not today's: a date past a daylight-saving change is read as the person means
            // it. One offset serves the whole form, so an end on the other side of a change from a
            // later start is an hour off; the recurrence's own days follow the zone name.
            offset_minutes: {
                let at = if start_later.get() {
                    browser_offset_at(&start.get())
                } else if length.get() == "end" {
                    browser_offset_at(&end.get())
                } else {
                    None
                };
                at.unwrap_or_else(|| offset.get())
            },
            time_zone: zone.get(),
            ..PlainForm::default()
        }
    };
    let form = move || plain().to_request_form();
    // AWS statements: the one being edited joins the added ones, and the editor starts afresh.
    let add_statement = move |_| {
        if let Some(s) = plain().editing_statement() {
            statements.update(|all| all.push(s));
            items.set(Vec::new());
            resources.set("*".to_owned());
            not_resources.set(String::new());
            not_actions.set(String::new());
            effect.set("allow".to_owned());
            condition.set(String::new());
            checked.set(None);
        }
    };

    // The browser checks first with the same parser; only a form it accepts goes to the server.
    let local_check =
        move |options: &FormOptions, form: &RequestForm| -> Result<(), Vec<FieldError>> {
            let Ok(submitter) = Upn::parse(&options.upn) else {
                return Ok(());
            };
            let limits = |c: CloudKind| {
                options
                    .limits(c)
                    .unwrap_or(crate::domain::schedule::ScheduleLimits::WIDEST)
            };
            form.parse(&FormContext {
                now: now(),
                limits: &limits,
                ticket_pattern: &options.ticket_pattern,
                submitter: &submitter,
            })
            .map(|_| ())
        };
    let preview = Action::new(|form: &RequestForm| {
        let form = form.clone();
        async move { preview_request(form).await }
    });
    let create = Action::new(|form: &RequestForm| {
        let form = form.clone();
        async move { create_request(form).await }
    });
    let server_error = RwSignal::new(problem);
    let review = move |_| {
        let f = form();
        server_error.set(None);
        if let Some(Ok(o)) = options.get_untracked() {
            if let Err(e) = local_check(&o, &f) {
                errors.set(e);
                checked.set(None);
                return;
            }
        }
        errors.set(Vec::new());
        preview.dispatch(f);
    };
    Effect::new(move |_| match preview.value().get() {
        Some(Ok(Checked::Invalid { errors: e })) => {
            errors.set(e);
            checked.set(None);
        }
        Some(Ok(c)) => checked.set(Some(c)),
        Some(Err(e)) => server_error.set(Some(server_message(&e))),
        None => {}
    });
    let navigate = use_navigate();
    Effect::new(move |_| match create.value().get() {
        Some(Ok(Checked::Created { id })) => {
            navigate(&format!("/requests/{id}"), Default::default())
        }
        Some(Ok(Checked::Invalid { errors: e })) => {
            errors.set(e);
            checked.set(None);
        }
        Some(Ok(_)) => {}
        Some(Err(e)) => server_error.set(Some(server_message(&e))),
        None => {}
    });

    let step_done = move |n: u8| match n {
        1 => cloud.get().is_some(),
        2 => !system.get().is_empty(),
        3 => identity.get().is_some(),
        4 => !items.get().is_empty() || !statements.get().is_empty(),
        5 => true,
        6 => !justification.get().trim().is_empty() && !ticket.get().trim().is_empty(),
        _ => checked.get().is_some(),
    };
    let step_names = [
        "Cloud", "System", "Identity", "What", "Schedule", "Why", "Review",
    ];

    view! {
        <section class="panel request-form" data-hydrated=move || hydrated.get().to_string()>
            <h1>"Request access"</h1>
            <p class="muted" hidden=move || hydrated.get()>"Until the page has loaded (or without JavaScript), use Continue after each step."</p>
            <ol class="progress" aria-label="Progress">
                {step_names.iter().enumerate().map(|(i, name)| {
                    let n = (i + 1) as u8;
                    view! {
                        <li class:done=move || step_done(n)>
                            <a href=format!("#step-{n}")>{format!("{n}. {name}")}</a>
                            <span class="visually-hidden">{move || if step_done(n) { " (done)" } else { "" }}</span>
                        </li>
                    }
                }).collect_view()}
            </ol>
            // Before the page is interactive this is a plain form: each Continue sends every input to
            // the server, which renders the next step; Submit posts it. Afterwards the page handles
            // the steps itself and the form is never sent.
            // `novalidate`: the browser's own checks would block Continue on an empty required
            // field of a later step; the server checks everything and says so by field.
            <form method="get" action="/requests/new" novalidate on:submit=|ev| ev.prevent_default()>
            <input type="hidden" name="offset" value=move || offset.get().to_string()/>
            <input type="hidden" name="zone" value=move || zone.get()/>

            // Each step is its own view (type-erased): one nested type for the page would
            // overflow the server's stack when rendered.
            {view! {
            <fieldset id="step-1" class="step">
                <legend>"1. Cloud"</legend>
                <Transition fallback=|| view! { <p aria-busy="true">"Loading clouds…"</p> }>
                    {move || clouds.get().map(|r| match r {
                        Err(e) => view! { <p class="error" role="alert">{server_message(&e)}</p> }.into_any(),
                        Ok(list) => view! {
                            <div class="choices">
                                {list.into_iter().map(|c| {
                                    let label = format!("{} — {} {}{}, {} can be chosen", c.cloud, c.systems, c.cloud.system_noun(), if c.systems == 1 { "" } else { "s" }, c.requestable);
                                    let mine = move || cloud.get() == Some(c.cloud);
                                    view! {
                                        <label class="choice">
                                            <input type="radio" name="cloud" value=c.cloud.as_str()
                                                checked=mine prop:checked=mine
                                                on:change=move |_| choose_cloud(c.cloud)/>
                                            {label}
                                        </label>
                                    }
                                }).collect_view()}
                            </div>
                        }.into_any(),
                    })}
                </Transition>
                <FieldErrors errors field=Field::Cloud/>
                <Continue hydrated to=2/>
            </fieldset> }.into_any()}

            {view! {
            <fieldset id="step-2" class="step" disabled=move || cloud.get().is_none()>
                <legend>{move || format!("2. {}", cloud.get().map(|c| { let n = c.system_noun(); format!("{}{}", n[..1].to_uppercase(), &n[1..]) }).unwrap_or_else(|| "Authorization system".to_owned()))}</legend>
                <Transition fallback=|| view! { <p aria-busy="true">"Loading…"</p> }>
                    {move || systems.get().map(|r| match r {
                        Err(e) => view! { <p class="error" role="alert">{server_message(&e)}</p> }.into_any(),
                        Ok(None) => view! { <p class="muted">"Choose a cloud first."</p> }.into_any(),
                        Ok(Some(list)) if list.is_empty() => view! { <p class="empty">"This cloud has no authorization systems in Permissions Management."</p> }.into_any(),
                        Ok(Some(list)) => view! {
                            <div class="choices">
                                {list.into_iter().map(|s| {
                                    let id = s.id.clone();
                                    let checked_id = s.id.clone();
                                    let mine = move || system.get() == checked_id;
                                    let reason_id = format!("system-{}-reason", s.id);
                                    let disabled = s.disabled_reason.is_some();
                                    view! {
                                        <label class="choice" class:disabled=disabled>
                                            <input type="radio" name="system" value=s.id.clone() disabled=disabled
                                                aria-describedby=reason_id.clone()
                                                checked=mine.clone() prop:checked=mine
                                                on:change=move |_| choose_system(id.clone())/>
                                            <span>{s.name.clone()}" "<code>{s.id.clone()}</code></span>
                                            <span class="reason" id=reason_id>{s.disabled_reason.clone().map(|r| format!("Unavailable: {r}"))}</span>
                                        </label>
                                    }
                                }).collect_view()}
                            </div>
                        }.into_any(),
                    })}
                </Transition>
                <FieldErrors errors field=Field::System/>
                <Continue hydrated to=3/>
            </fieldset> }.into_any()}

            {view! {
            <fieldset id="step-3" class="step" disabled=move || system.get().is_empty()>
                <legend>"3. Identity"</legend>
                <label for="identity-q">"Search by name or external id"</label>
                <input id="identity-q" name="iq" type="search" autocomplete="off"
                    value=init.identity_search.clone()
                    prop:value=move || identity_q.get()
                    on:input=move |ev| { identity_q.set(event_target_value(&ev)); identity_next.set(None); }/>
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
                        Ok(Some(page)) if page.items.is_empty() => view! { <p class="empty">{format!("No identities match '{}'", identity_q.get_untracked())}</p> }.into_any(),
                        Ok(Some(page)) => {
                            let next = page.next.clone();
                            // The chosen identity stays chosen (and sent) while other results show.
                            let chosen_elsewhere = identity.get_untracked().filter(|i| !page.items.iter().any(|x| x.external_id == i.external_id));
                            view! {
                            {chosen_elsewhere.map(|i| view! { <input type="hidden" name="identity" value=PlainForm::identity_value(i.identity_type.graph_name(), &i.external_id)/> })}
                            <div class="choices" role="group" aria-label="Identities">
                                {page.items.into_iter().map(|i| {
                                    let chosen = i.clone();
                                    let ext = i.external_id.clone();
                                    let mine = move || identity.get().map(|x| x.external_id) == Some(ext.clone());
                                    view! {
                                        <label class="choice">
                                            <input type="radio" name="identity" value=PlainForm::identity_value(i.identity_type.graph_name(), &i.external_id)
                                                checked=mine.clone() prop:checked=mine
                                                on:change=move |_| { identity.set(Some(chosen.clone())); assign_to_role.set(String::new()); }/>
                                            <span>{i.name.clone()}{i.own.then_some(" (you)")}</span>
                                            <span class="muted">{format!(" {} · {}", i.identity_type, i.external_id)}</span>
                                        </label>
                                    }
                                }).collect_view()}
                            </div>
                            <p class="muted">
                                {page.total.map(|t| format!("{t} match. "))}
                                {next.map(|n| view! {
                                    <button type="submit" class="secondary" name="inext" value=n.clone() formaction="/requests/new#step-3"
                                        on:click=move |_| identity_next.set(Some(n.clone()))>"More identities"</button>
                                })}
                            </p>
                        }.into_any()
                        }
                    })}
                </Transition>
                <FieldErrors errors field=Field::Identity/>
                <Continue hydrated to=4/>
            </fieldset> }.into_any()}

            {view! {
            <fieldset id="step-4" class="step" disabled=move || identity.get().is_none()>
                <legend>"4. What"</legend>
                <div class="choices" role="radiogroup" aria-label="What to ask for">
                    {move || cloud.get().map(|c| WhatKind::of(c).into_iter().map(|w| {
                        let mine = move || what.get() == Some(w);
                        view! {
                        <label class="choice">
                            <input type="radio" name="what" value=w.as_str()
                                checked=mine prop:checked=mine
                                on:change=move |_| { what.set(Some(w)); items.set(Vec::new()); items_next.set(None); statements.set(Vec::new()); }/>
                            {w.label()}
                        </label>
                    }}).collect_view())}
                </div>
                <FieldErrors errors field=Field::What/>

                <Show when=move || cloud.get() == Some(CloudKind::Aws)>
                    <label for="assign-to-role">"Role to assign to"</label>
                    <select id="assign-to-role" name="role" aria-describedby=described(Field::AssignToRole)
                        prop:value=move || assign_to_role.get()
                        on:change=move |ev| assign_to_role.set(event_target_value(&ev))>
                        <option value="">"Choose a role"</option>
                        <Transition fallback=|| ()>
                            {move || roles.get().map(|r| r.ok().flatten().unwrap_or_default().into_iter().map(|o| {
                                let id = o.id.clone();
                                view! { <option value=o.id.clone() selected=move || assign_to_role.get() == id>{format!("{} ({})", o.name, o.id)}</option> }
                            }).collect_view())}
                        </Transition>
                    </select>
                    <FieldErrors errors field=Field::AssignToRole/>
                </Show>
                <Show when=move || cloud.get() == Some(CloudKind::Azure)>
                    <label for="scope">"Scope (resourceId)"</label>
                    <select id="scope" name="scope" aria-describedby=described(Field::Scope)
                        prop:value=move || scope.get()
                        on:change=move |ev| scope.set(event_target_value(&ev))>
                        <Transition fallback=|| ()>
                            {move || scopes.get().map(|r| r.ok().flatten().unwrap_or_default().into_iter().map(|o| {
                                let id = o.id.clone();
                                view! { <option value=o.id.clone() selected=move || scope.get() == id>{format!("{} — {}", o.name, o.id)}</option> }
                            }).collect_view())}
                        </Transition>
                    </select>
                    <FieldErrors errors field=Field::Scope/>
                </Show>

                <Show when=move || what.get() == Some(WhatKind::AwsStatements) && !statements.get().is_empty()>
                    <h3>"Statements added"</h3>
                    <ol class="chosen" data-testid="statements">
                        {move || statements.get().into_iter().enumerate().map(|(n, s)| {
                            let json = serde_json::to_string(&s).unwrap_or_default();
                            view! {
                                <li>
                                    <input type="hidden" name="statement" value=json/>
                                    {statement_words(&s)}
                                    " "
                                    <button type="button" class="link" hidden=move || !hydrated.get()
                                        on:click=move |_| { statements.update(|all| { if n < all.len() { all.remove(n); } }); checked.set(None); }>
                                        {format!("Remove statement {}", n + 1)}
                                    </button>
                                </li>
                            }
                        }).collect_view()}
                    </ol>
                    <h3>{move || format!("Statement {}", statements.get().len() + 1)}</h3>
                </Show>

                <label for="items-q">{move || if what.get().is_some_and(WhatKind::is_actions) { "Search actions" } else { "Search by name or id" }}</label>
                <input id="items-q" name="q" type="search" autocomplete="off"
                    value=init.item_search.clone()
                    prop:value=move || items_q.get()
                    on:input=move |ev| { items_q.set(event_target_value(&ev)); items_next.set(None); }/>
                <Continue hydrated to=4 label="Search"/>
                <Transition fallback=|| view! { <p aria-busy="true">"Searching…"</p> }>
                    {move || found_items.get().map(|r| match r {
                        Err(e) => view! { <p class="error" role="alert">{server_message(&e)}</p> }.into_any(),
                        Ok(None) => view! { <p class="muted">"Choose what to ask for first."</p> }.into_any(),
                        Ok(Some(page)) if page.items.is_empty() => view! { <p class="empty">{format!("Nothing matches '{}'", items_q.get_untracked())}</p> }.into_any(),
                        Ok(Some(page)) => {
                            let next = page.next.clone();
                            view! {
                                <ul class="results" aria-label="Search results">
                                    {page.items.into_iter().map(|o| {
                                        let id = o.id.clone();
                                        let toggled = o.clone();
                                        let risky = o.is_risky();
                                        let mine = move || items.get().iter().any(|i| i.id == id);
                                        view! {
                                            <li class:risky=risky>
                                                <label class="choice">
                                                    <input type="checkbox" name="item" value=o.id.clone()
                                                        checked=mine.clone() prop:checked=mine
                                                        on:change=move |ev| {
                                                            let on = event_target_checked(&ev);
                                                            let t = toggled.clone();
                                                            items.update(|v| { v.retain(|i| i.id != t.id); if on { v.push(t); } });
                                                        }/>
                                                    <span>{o.name.clone()}</span>
                                                    {(o.name != o.id).then(|| view! { <code>{o.id.clone()}</code> })}
                                                    {o.severity.is_some().then(|| view! { <span class="badge" class:danger=risky>{o.risk_words()}</span> })}
                                                    {o.kind.clone().map(|k| view! { <span class="badge">{k}</span> })}
                                                </label>
                                            </li>
                                        }
                                    }).collect_view()}
                                </ul>
                                <p class="muted">
                                    {page.total.map(|t| format!("{t} match. "))}
                                    {next.map(|n| view! {
                                        <button type="submit" class="secondary" name="next" value=n.clone() formaction="/requests/new#step-4"
                                            on:click=move |_| items_next.set(Some(n.clone()))>"Next page"</button>
                                    })}
                                </p>
                            }.into_any()
                        }
                    })}
                </Transition>
                <h3>"Chosen"</h3>
                <ul class="chosen" data-testid="chosen-items">
                    {move || items.get().into_iter().map(|o| {
                        let id = o.id.clone();
                        view! {
                            <li class:risky=o.is_risky()>
                                // Sent with the form, so a choice survives a search or a next page.
                                <input type="hidden" name="item" value=o.id.clone()/>
                                {o.id.clone()}
                                {o.is_risky().then(|| view! { <span class="badge danger">{o.risk_words()}</span> })}
                                " "
                                <button type="submit" class="link" name="remove" value=o.id.clone() formaction="/requests/new#step-4"
                                    on:click=move |_| items.update(|v| v.retain(|i| i.id != id))>
                                    {format!("Remove {}", o.id)}
                                </button>
                            </li>
                        }
                    }).collect_view()}
                </ul>
                <FieldErrors errors field=Field::Items/>
                <Show when=move || what.get() == Some(WhatKind::AwsStatements)>
                    <div class="statement">
                        <label for="resources">"Resources (one ARN per line, * for all)"</label>
                        <textarea id="resources" name="resources" prop:value=move || resources.get() on:input=move |ev| resources.set(event_target_value(&ev))>{rcdata(resources.get_untracked())}</textarea>
                        <label for="not-resources">"Not resources (instead of resources)"</label>
                        <textarea id="not-resources" name="not_resources" prop:value=move || not_resources.get() on:input=move |ev| not_resources.set(event_target_value(&ev))>{rcdata(not_resources.get_untracked())}</textarea>
                        <label for="not-actions">"Not actions (instead of the chosen actions)"</label>
                        <textarea id="not-actions" name="not_actions" prop:value=move || not_actions.get() on:input=move |ev| not_actions.set(event_target_value(&ev))>{rcdata(not_actions.get_untracked())}</textarea>
                        <label for="effect">"Effect"</label>
                        <select id="effect" name="effect" prop:value=move || effect.get() on:change=move |ev| effect.set(event_target_value(&ev))>
                            <option value="allow" selected=move || effect.get() == "allow">"Allow"</option>
                            <option value="deny" selected=move || effect.get() == "deny">"Deny"</option>
                        </select>
                        <label for="condition">"Condition (JSON, optional)"</label>
                        <textarea id="condition" name="condition" placeholder=r#"{"NumericLessThanEquals": {"aws:MultiFactorAuthAge": "3600"}}"#
                            prop:value=move || condition.get() on:input=move |ev| condition.set(event_target_value(&ev))>{rcdata(condition.get_untracked())}</textarea>
                        <button type="button" class="secondary" hidden=move || !hydrated.get() on:click=add_statement
                            disabled=move || items.get().is_empty() && not_actions.get().trim().is_empty()>"Add this statement and start another"</button>
                    </div>
                    <FieldErrors errors field=Field::Statements/>
                </Show>
                <Continue hydrated to=5/>
            </fieldset> }.into_any()}

            {view! {
            <fieldset id="step-5" class="step">
                <legend>"5. Schedule"</legend>
                <p class="muted" data-testid="timezone">{move || format!("Times are in your time zone, {}; they are stored in UTC.", zone_label(&zone.get(), offset.get()))}</p>
                <div class="choices" role="radiogroup" aria-label="Start">
                    <label class="choice"><input type="radio" name="start" value="now" checked=move || !start_later.get() prop:checked=move || !start_later.get() on:change=move |_| start_later.set(false)/>"As soon as it is approved"</label>
                    <label class="choice"><input type="radio" name="start" value="later" checked=move || start_later.get() prop:checked=move || start_later.get() on:change=move |_| start_later.set(true)/>"Later"</label>
                </div>
                // Shown before the page is interactive too: the server reads it only with "Later".
                <div hidden=move || hydrated.get() && !start_later.get()>
                    <label for="start-at">"Start"</label>
                    <input id="start-at" name="start_at" type="datetime-local" aria-describedby=described(Field::Start) value=init.start.clone() prop:value=move || start.get() on:input=move |ev| start.set(event_target_value(&ev))/>
                </div>
                <FieldErrors errors field=Field::Start/>
                <div class="choices" role="radiogroup" aria-label="Duration">
                    {DurationPreset::ALL.into_iter().map(|p| {
                        let value = p.duration().to_string();
                        let v2 = value.clone();
                        let mine = move || length.get() == v2;
                        view! { <label class="choice"><input type="radio" name="length" value=value.clone() checked=mine.clone() prop:checked=mine on:change=move |_| length.set(value.clone())/>{p.label()}</label> }
                    }).collect_view()}
                    <label class="choice"><input type="radio" name="length" value="custom" checked=move || length.get() == "custom" prop:checked=move || length.get() == "custom" on:change=move |_| length.set("custom".into())/>"Custom duration"</label>
                    <label class="choice"><input type="radio" name="length" value="end" checked=move || length.get() == "end" prop:checked=move || length.get() == "end" on:change=move |_| length.set("end".into())/>"Until an end time"</label>
                </div>
                <div hidden=move || hydrated.get() && length.get() != "custom">
                    <label for="custom-duration">"Duration (ISO 8601, such as PT2H30M)"</label>
                    <input id="custom-duration" name="custom_duration" aria-describedby=described(Field::Duration) value=init.custom_duration.clone() prop:value=move || custom_duration.get() on:input=move |ev| custom_duration.set(event_target_value(&ev))/>
                </div>
                <FieldErrors errors field=Field::Duration/>
                <div hidden=move || hydrated.get() && length.get() != "end">
                    <label for="end-at">"End"</label>
                    <input id="end-at" name="end_at" type="datetime-local" aria-describedby=described(Field::End) value=init.end.clone() prop:value=move || end.get() on:input=move |ev| end.set(event_target_value(&ev))/>
                </div>
                <FieldErrors errors field=Field::End/>
                <label for="repeat">"Repeat"</label>
                <select id="repeat" name="repeat" on:change=move |ev| { let v = event_target_value(&ev); recurrence.update(|r| r.kind = v); }>
                    {[("", "Does not repeat"), ("daily", "Daily"), ("weekly", "Weekly"), ("monthly", "Monthly on a day")].into_iter().map(|(v, label)| view! {
                        <option value=v selected=move || recurrence.get().kind == v>{label}</option>
                    }).collect_view()}
                </select>
                <div hidden=move || hydrated.get() && recurrence.get().kind.is_empty()>
                    <label for="interval">"Every (days, weeks or months)"</label>
                    <input id="interval" name="interval" type="number" min="1" max="99" value=init.recurrence.interval.clone() prop:value=move || recurrence.get().interval on:input=move |ev| { let v = event_target_value(&ev); recurrence.update(|r| r.interval = v); }/>
                    <div hidden=move || hydrated.get() && recurrence.get().kind != "weekly">
                        <div class="choices" role="group" aria-label="Days of the week">
                            {[DayOfWeek::Monday, DayOfWeek::Tuesday, DayOfWeek::Wednesday, DayOfWeek::Thursday, DayOfWeek::Friday, DayOfWeek::Saturday, DayOfWeek::Sunday].into_iter().map(|d| {
                                let name = d.graph_name().to_owned();
                                let n2 = name.clone();
                                let mine = move || recurrence.get().days.contains(&n2);
                                view! { <label class="choice"><input type="checkbox" name="day" value=name.clone() checked=mine.clone() prop:checked=mine on:change=move |ev| { let on = event_target_checked(&ev); let n = name.clone(); recurrence.update(|r| { r.days.retain(|x| *x != n); if on { r.days.push(n); } }); }/>{d.to_string()}</label> }
                            }).collect_view()}
                        </div>
                    </div>
                    <div hidden=move || hydrated.get() && recurrence.get().kind != "monthly">
                        <label for="day-of-month">"Day of the month"</label>
                        <input id="day-of-month" name="day_of_month" type="number" min="1" max="31" value=init.recurrence.day_of_month.clone() prop:value=move || recurrence.get().day_of_month on:input=move |ev| { let v = event_target_value(&ev); recurrence.update(|r| r.day_of_month = v); }/>
                    </div>
                    <label for="range">"Ends"</label>
                    <select id="range" name="range" on:change=move |ev| { let v = event_target_value(&ev); recurrence.update(|r| r.range = v); }>
                        {[("end_date", "On a date"), ("numbered", "After a number of times")].into_iter().map(|(v, label)| view! {
                            <option value=v selected=move || recurrence.get().range == v>{label}</option>
                        }).collect_view()}
                    </select>
                    <div hidden=move || hydrated.get() && !matches!(recurrence.get().range.as_str(), "" | "end_date")>
                        <label for="end-date">"Last day"</label>
                        <input id="end-date" name="end_date" type="date" value=init.recurrence.end_date.clone() prop:value=move || recurrence.get().end_date on:input=move |ev| { let v = event_target_value(&ev); recurrence.update(|r| r.end_date = v); }/>
                    </div>
                    <div hidden=move || hydrated.get() && recurrence.get().range != "numbered">
                        <label for="occurrences">"Number of times"</label>
                        <input id="occurrences" name="occurrences" type="number" min="1" value=init.recurrence.occurrences.clone() prop:value=move || recurrence.get().occurrences on:input=move |ev| { let v = event_target_value(&ev); recurrence.update(|r| r.occurrences = v); }/>
                    </div>
                </div>
                <FieldErrors errors field=Field::Recurrence/>
                <p class="summary" data-testid="schedule-summary" aria-live="polite">
                    <Transition fallback=|| ()>
                    {move || {
                        let f = form();
                        let Some(Ok(o)) = options.get() else { return String::new() };
                        let Ok(me) = Upn::parse(&o.upn) else { return String::new() };
                        let c = cloud.get().unwrap_or(CloudKind::Aws);
                        let limits = |c: CloudKind| o.limits(c).unwrap_or(crate::domain::schedule::ScheduleLimits::WIDEST);
                        match f.parse_schedule(c, &FormContext { now: now(), limits: &limits, ticket_pattern: &o.ticket_pattern, submitter: &me }) {
                            Ok(s) => s.summary_in(f.offset()),
                            Err(e) => e.iter().map(ToString::to_string).collect::<Vec<_>>().join(" "),
                        }
                    }}
                    </Transition>
                </p>
                <Continue hydrated to=6/>
            </fieldset> }.into_any()}

            {view! {
            <fieldset id="step-6" class="step">
                <legend>"6. Why"</legend>
                <label for="justification">"Justification (required, 10 to 1000 characters)"</label>
                <textarea id="justification" name="justification" required aria-describedby=described(Field::Justification) maxlength="1000" prop:value=move || justification.get() on:input=move |ev| justification.set(event_target_value(&ev))>{rcdata(justification.get_untracked())}</textarea>
                <FieldErrors errors field=Field::Justification/>
                <label for="notes">"Notes (optional)"</label>
                <textarea id="notes" name="notes" aria-describedby=described(Field::Notes) prop:value=move || notes.get() on:input=move |ev| notes.set(event_target_value(&ev))>{rcdata(notes.get_untracked())}</textarea>
                <FieldErrors errors field=Field::Notes/>
                <label for="ticket">
                    "ServiceNow ticket number "
                    <Transition fallback=|| ()>
                        <span class="muted">{move || options.get().and_then(|o| o.ok()).map(|o| format!("({})", o.ticket_pattern.rule()))}</span>
                    </Transition>
                </label>
                <input id="ticket" name="ticket" autocomplete="off" aria-describedby=described(Field::Ticket) value=init.ticket.clone() prop:value=move || ticket.get() on:input=move |ev| ticket.set(event_target_value(&ev))/>
                <FieldErrors errors field=Field::Ticket/>
                <label for="approver">"Approver"</label>
                <select id="approver" name="approver" aria-describedby=described(Field::Approver) on:change=move |ev| approver.set(event_target_value(&ev))>
                    <Transition fallback=|| ()>
                        {move || options.get().and_then(|o| o.ok()).map(|o| o.approvers.into_iter().map(|a| {
                            let upn = a.upn.clone();
                            view! { <option value=a.upn.clone() selected=move || approver.get() == upn>{format!("{} ({}), {}", a.name, a.upn, a.relation.words())}</option> }
                        }).collect_view())}
                    </Transition>
                </select>
                <FieldErrors errors field=Field::Approver/>
            </fieldset> }.into_any()}

            {view! {
            <section id="step-7" class="step review" aria-labelledby="review-heading">
                <h2 id="review-heading">"7. Review"</h2>
                <button type="submit" name="review" value="1" formaction="/requests/new#step-7" on:click=review disabled=move || preview.pending().get()>"Review the request"</button>
                <p class="error" role="alert" hidden=move || errors.get().is_empty()>
                    {move || format!("{} to fix: {}", errors.get().len(), errors.get().iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))}
                </p>
                <p class="error" role="alert" hidden=move || server_error.get().is_none()>{move || server_error.get()}</p>
                {move || match checked.get() {
                    Some(Checked::Valid { review, graph_json, flagged, other_identity }) => view! {
                        <dl class="facts" data-testid="review">
                            {review.into_iter().map(|l| view! { <dt>{l.label}</dt><dd>{l.text}</dd> }).collect_view()}
                        </dl>
                        {other_identity.map(|identity| view! {
                            <div class="warning" role="note" data-testid="other-identity">
                                <strong>"Not your own identity: "</strong>
                                {format!("{identity}. Your approver will see this request flagged as being for an identity that is not the requester's own.")}
                            </div>
                        })}
                        {(!flagged.is_empty()).then(|| view! {
                            <div class="warning" role="note">
                                <strong>"High-risk actions: "</strong>
                                {flagged.iter().map(|f| format!("{} ({})", f.id, f.risk_words())).collect::<Vec<_>>().join(", ")}
                            </div>
                        })}
                        <details>
                            <summary>"The JSON that will be sent to Microsoft Graph"</summary>
                            <pre data-testid="graph-json" tabindex="0">{graph_json}</pre>
                        </details>
                        <button type="submit" formmethod="post" formaction="/requests/new"
                            on:click=move |_| { create.dispatch(form()); } disabled=move || create.pending().get()>"Submit request"</button>
                    }.into_any(),
                    _ => ().into_any(),
                }}
            </section> }.into_any()}
            </form>
        </section>
    }
}

/// The clock, for the browser's own checks (the server checks again with its clock).
fn now() -> time::OffsetDateTime {
    #[cfg(feature = "hydrate")]
    {
        let ms = js_sys::Date::now();
        time::OffsetDateTime::from_unix_timestamp_nanos((ms as i128) * 1_000_000)
            .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        time::OffsetDateTime::now_utc()
    }
}
