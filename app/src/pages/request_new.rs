//! "Request access": the guided form, every step on one page. Each step reads the inventory one page
//! at a time from the server; the review runs the same parser as the server first, then asks the
//! server to check against the inventory and show the exact Graph JSON.
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_query_map};

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
    domain::{
        duration::{DurationPreset, IsoDuration},
        ids::{CloudKind, Upn},
        permissions::{AwsEffect, AwsStatementInput},
        recurrence::DayOfWeek,
        schedule::offset_label,
    },
    inventory::{IdentityOption, ItemOption},
    request_form::{Field, FieldError, FormContext, RecurrenceForm, RequestForm, WhatKind},
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

fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
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

#[component]
pub fn NewRequestPage() -> impl IntoView {
    let query = use_query_map();
    let options = Resource::new(|| (), |_| get_form_options());
    let clouds = Resource::new(|| (), |_| list_clouds());

    // The form, step by step.
    let cloud = RwSignal::new(
        query
            .get_untracked()
            .get("cloud")
            .and_then(|c| CloudKind::parse(&c).ok()),
    );
    let system = RwSignal::new(query.get_untracked().get("system").unwrap_or_default());
    let identity = RwSignal::new(None::<IdentityOption>);
    let identity_q = RwSignal::new(String::new());
    let what = RwSignal::new(None::<WhatKind>);
    let items = RwSignal::new(Vec::<ItemOption>::new());
    let items_q = RwSignal::new(String::new());
    let items_next = RwSignal::new(None::<String>);
    let assign_to_role = RwSignal::new(String::new());
    let scope = RwSignal::new(String::new());
    let resources = RwSignal::new("*".to_owned());
    let not_resources = RwSignal::new(String::new());
    let not_actions = RwSignal::new(String::new());
    let effect = RwSignal::new("allow".to_owned());
    let condition = RwSignal::new(String::new());
    let start_later = RwSignal::new(false);
    let start = RwSignal::new(String::new());
    let length = RwSignal::new("PT1H".to_owned());
    let custom_duration = RwSignal::new(String::new());
    let end = RwSignal::new(String::new());
    let recurrence = RwSignal::new(RecurrenceForm::default());
    let justification = RwSignal::new(String::new());
    let notes = RwSignal::new(String::new());
    let ticket = RwSignal::new(String::new());
    let approver = RwSignal::new(String::new());
    let offset = RwSignal::new(0i32);
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let checked = RwSignal::new(None::<Checked>);
    // Set once the browser has taken over: before that, the choices are links-free radio buttons that
    // do nothing, and tests (and people, through the note) can tell.
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| {
        offset.set(browser_offset_minutes());
        hydrated.set(true);
    });

    // Request again: the earlier request fills the form.
    let from = query.get_untracked().get("from");
    let prefill = Resource::new(
        move || from.clone(),
        |from| async move {
            match from {
                Some(id) => request_again(id).await.ok(),
                None => None,
            }
        },
    );
    Effect::new(move |_| {
        if let Some(Some(form)) = prefill.get() {
            cloud.set(CloudKind::parse(&form.cloud).ok());
            system.set(form.system.clone());
            identity.set(
                crate::request_form::parse_identity_type(&form.identity_type).map(|t| {
                    IdentityOption {
                        external_id: form.identity.clone(),
                        name: form.identity.clone(),
                        identity_type: t,
                        own: false,
                    }
                }),
            );
            what.set(WhatKind::parse(&form.what));
            items.set(
                form.items
                    .iter()
                    .map(|i| ItemOption {
                        id: i.clone(),
                        name: i.clone(),
                        kind: None,
                        severity: None,
                        action_type: None,
                        service: None,
                    })
                    .collect(),
            );
            if let Some(s) = form.statements.first() {
                items.set(
                    s.actions
                        .iter()
                        .map(|i| ItemOption {
                            id: i.clone(),
                            name: i.clone(),
                            kind: None,
                            severity: None,
                            action_type: None,
                            service: None,
                        })
                        .collect(),
                );
                resources.set(s.resources.join("\n"));
                not_resources.set(s.not_resources.join("\n"));
                not_actions.set(s.not_actions.join("\n"));
            }
            assign_to_role.set(form.assign_to_role.clone());
            scope.set(form.scope.clone());
            length.set(form.duration.clone());
            justification.set(form.justification.clone());
            notes.set(form.notes.clone());
            approver.set(form.approver.clone());
        }
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
        move || (cloud.get(), system.get(), identity_q.get()),
        |(cloud, system, q)| async move {
            match cloud {
                Some(c) if !system.is_empty() => {
                    search_identities(c.as_str().to_owned(), system, q, None)
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
        assign_to_role.set(String::new());
        scope.set(String::new());
        checked.set(None);
    };
    let choose_system = move |id: String| {
        system.set(id.clone());
        identity.set(None);
        items.set(Vec::new());
        assign_to_role.set(String::new());
        scope.set(if cloud.get_untracked() == Some(CloudKind::Azure) {
            format!("/subscriptions/{id}")
        } else {
            String::new()
        });
        checked.set(None);
    };

    let form = move || -> RequestForm {
        let w = what.get();
        let ids: Vec<String> = items.get().into_iter().map(|i| i.id).collect();
        let statements = if w == Some(WhatKind::AwsStatements) {
            vec![AwsStatementInput {
                statement_id: None,
                actions: ids.clone(),
                not_actions: lines(&not_actions.get()),
                resources: lines(&resources.get()),
                not_resources: lines(&not_resources.get()),
                effect: Some(if effect.get() == "deny" {
                    AwsEffect::Deny
                } else {
                    AwsEffect::Allow
                }),
                condition: {
                    let text = condition.get();
                    if text.trim().is_empty() {
                        None
                    } else {
                        Some(serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text)))
                    }
                },
            }]
        } else {
            Vec::new()
        };
        let (duration, end_at) = match length.get().as_str() {
            "custom" => (custom_duration.get(), String::new()),
            "end" => (String::new(), end.get()),
            preset => (preset.to_owned(), String::new()),
        };
        let i = identity.get();
        RequestForm {
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
            what: w.map(|w| w.as_str().to_owned()).unwrap_or_default(),
            items: if w == Some(WhatKind::AwsStatements) {
                Vec::new()
            } else {
                ids
            },
            assign_to_role: assign_to_role.get(),
            scope: scope.get(),
            statements,
            start: if start_later.get() {
                start.get()
            } else {
                String::new()
            },
            offset_minutes: offset.get(),
            duration,
            end: end_at,
            recurrence: recurrence.get(),
            justification: justification.get(),
            notes: notes.get(),
            ticket: ticket.get(),
            approver: approver.get(),
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
                    .unwrap_or(crate::domain::schedule::ScheduleLimits {
                        max_duration: IsoDuration::MAX,
                        max_start_ahead: IsoDuration::MAX,
                    })
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
    let server_error = RwSignal::new(None::<String>);
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
        Some(Err(e)) => server_error.set(Some(e.to_string())),
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
        Some(Err(e)) => server_error.set(Some(e.to_string())),
        None => {}
    });

    let step_done = move |n: u8| match n {
        1 => cloud.get().is_some(),
        2 => !system.get().is_empty(),
        3 => identity.get().is_some(),
        4 => !items.get().is_empty(),
        5 => true,
        6 => !justification.get().trim().is_empty() && !ticket.get().trim().is_empty(),
        _ => checked.get().is_some(),
    };
    let step_names = [
        "Cloud", "System", "Identity", "What", "Schedule", "Why", "Review",
    ];

    view! {
        <Title text="Request access"/>
        <section class="panel request-form" data-hydrated=move || hydrated.get().to_string()>
            <h1>"Request access"</h1>
            <noscript><p class="error">"This form needs JavaScript."</p></noscript>
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

            <fieldset id="step-1" class="step">
                <legend>"1. Cloud"</legend>
                <Transition fallback=|| view! { <p aria-busy="true">"Loading clouds…"</p> }>
                    {move || clouds.get().map(|r| match r {
                        Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                        Ok(list) => view! {
                            <div class="choices">
                                {list.into_iter().map(|c| {
                                    let label = format!("{} — {} {}{}, {} can be chosen", c.cloud, c.systems, c.cloud.system_noun(), if c.systems == 1 { "" } else { "s" }, c.requestable);
                                    view! {
                                        <label class="choice">
                                            <input type="radio" name="cloud" value=c.cloud.as_str()
                                                prop:checked=move || cloud.get() == Some(c.cloud)
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
            </fieldset>

            <fieldset id="step-2" class="step" disabled=move || cloud.get().is_none()>
                <legend>{move || format!("2. {}", cloud.get().map(|c| { let n = c.system_noun(); format!("{}{}", n[..1].to_uppercase(), &n[1..]) }).unwrap_or_else(|| "Authorization system".to_owned()))}</legend>
                <Transition fallback=|| view! { <p aria-busy="true">"Loading…"</p> }>
                    {move || systems.get().map(|r| match r {
                        Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                        Ok(None) => view! { <p class="muted">"Choose a cloud first."</p> }.into_any(),
                        Ok(Some(list)) => view! {
                            <div class="choices">
                                {list.into_iter().map(|s| {
                                    let id = s.id.clone();
                                    let checked_id = s.id.clone();
                                    let reason_id = format!("system-{}-reason", s.id);
                                    let disabled = s.disabled_reason.is_some();
                                    view! {
                                        <label class="choice" class:disabled=disabled>
                                            <input type="radio" name="system" value=s.id.clone() disabled=disabled
                                                aria-describedby=reason_id.clone()
                                                prop:checked=move || system.get() == checked_id
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
            </fieldset>

            <fieldset id="step-3" class="step" disabled=move || system.get().is_empty()>
                <legend>"3. Identity"</legend>
                <label for="identity-q">"Search by name or external id"</label>
                <input id="identity-q" type="search" autocomplete="off"
                    prop:value=move || identity_q.get()
                    on:input=move |ev| identity_q.set(event_target_value(&ev))/>
                <p class="muted" data-testid="chosen-identity">{move || identity.get().map(|i| format!("Chosen: {} ({}, {})", i.name, i.identity_type, i.external_id)).unwrap_or_else(|| "No identity chosen yet.".to_owned())}</p>
                <Transition fallback=|| view! { <p aria-busy="true">"Searching…"</p> }>
                    {move || identities.get().map(|r| match r {
                        Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                        Ok(None) => view! { <p class="muted">"Choose a system first."</p> }.into_any(),
                        Ok(Some(page)) if page.items.is_empty() => view! { <p class="empty">{format!("No identities match '{}'", identity_q.get_untracked())}</p> }.into_any(),
                        Ok(Some(page)) => view! {
                            <div class="choices" role="group" aria-label="Identities">
                                {page.items.into_iter().map(|i| {
                                    let chosen = i.clone();
                                    let ext = i.external_id.clone();
                                    view! {
                                        <label class="choice">
                                            <input type="radio" name="identity" value=i.external_id.clone()
                                                prop:checked=move || identity.get().map(|x| x.external_id) == Some(ext.clone())
                                                on:change=move |_| { identity.set(Some(chosen.clone())); assign_to_role.set(String::new()); }/>
                                            <span>{i.name.clone()}{i.own.then_some(" (you)")}</span>
                                            <span class="muted">{format!(" {} · {}", i.identity_type, i.external_id)}</span>
                                        </label>
                                    }
                                }).collect_view()}
                            </div>
                            <p class="muted">{page.total.map(|t| format!("{t} match; refine the search to see others."))}</p>
                        }.into_any(),
                    })}
                </Transition>
                <FieldErrors errors field=Field::Identity/>
            </fieldset>

            <fieldset id="step-4" class="step" disabled=move || identity.get().is_none()>
                <legend>"4. What"</legend>
                <div class="choices" role="radiogroup" aria-label="What to ask for">
                    {move || cloud.get().map(|c| WhatKind::of(c).into_iter().map(|w| view! {
                        <label class="choice">
                            <input type="radio" name="what" value=w.as_str()
                                prop:checked=move || what.get() == Some(w)
                                on:change=move |_| { what.set(Some(w)); items.set(Vec::new()); items_next.set(None); }/>
                            {w.label()}
                        </label>
                    }).collect_view())}
                </div>
                <FieldErrors errors field=Field::What/>

                <Show when=move || cloud.get() == Some(CloudKind::Aws)>
                    <label for="assign-to-role">"Role to assign to"</label>
                    <select id="assign-to-role" aria-describedby=described(Field::AssignToRole)
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
                    <select id="scope" aria-describedby=described(Field::Scope)
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

                <label for="items-q">{move || if what.get().is_some_and(WhatKind::is_actions) { "Search actions" } else { "Search by name or id" }}</label>
                <input id="items-q" type="search" autocomplete="off"
                    prop:value=move || items_q.get()
                    on:input=move |ev| { items_q.set(event_target_value(&ev)); items_next.set(None); }/>
                <Transition fallback=|| view! { <p aria-busy="true">"Searching…"</p> }>
                    {move || found_items.get().map(|r| match r {
                        Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
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
                                        view! {
                                            <li class:risky=risky>
                                                <label class="choice">
                                                    <input type="checkbox" value=o.id.clone()
                                                        prop:checked=move || items.get().iter().any(|i| i.id == id)
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
                                    {next.map(|n| view! { <button type="button" class="secondary" on:click=move |_| items_next.set(Some(n.clone()))>"Next page"</button> })}
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
                                {o.id.clone()}
                                {o.is_risky().then(|| view! { <span class="badge danger">{o.risk_words()}</span> })}
                                " "
                                <button type="button" class="link" on:click=move |_| items.update(|v| v.retain(|i| i.id != id))>
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
                        <textarea id="resources" prop:value=move || resources.get() on:input=move |ev| resources.set(event_target_value(&ev))></textarea>
                        <label for="not-resources">"Not resources (instead of resources)"</label>
                        <textarea id="not-resources" prop:value=move || not_resources.get() on:input=move |ev| not_resources.set(event_target_value(&ev))></textarea>
                        <label for="not-actions">"Not actions (instead of the chosen actions)"</label>
                        <textarea id="not-actions" prop:value=move || not_actions.get() on:input=move |ev| not_actions.set(event_target_value(&ev))></textarea>
                        <label for="effect">"Effect"</label>
                        <select id="effect" on:change=move |ev| effect.set(event_target_value(&ev))>
                            <option value="allow">"Allow"</option>
                            <option value="deny">"Deny"</option>
                        </select>
                        <label for="condition">"Condition (JSON, optional)"</label>
                        <textarea id="condition" placeholder=r#"{"NumericLessThanEquals": {"aws:MultiFactorAuthAge": "3600"}}"#
                            prop:value=move || condition.get() on:input=move |ev| condition.set(event_target_value(&ev))></textarea>
                    </div>
                    <FieldErrors errors field=Field::Statements/>
                </Show>
            </fieldset>

            <fieldset id="step-5" class="step">
                <legend>"5. Schedule"</legend>
                <p class="muted" data-testid="timezone">{move || format!("Times are in your time zone, {}; they are stored in UTC.", offset_label(time::UtcOffset::from_whole_seconds(offset.get() * 60).unwrap_or(time::UtcOffset::UTC)))}</p>
                <div class="choices" role="radiogroup" aria-label="Start">
                    <label class="choice"><input type="radio" name="start" prop:checked=move || !start_later.get() on:change=move |_| start_later.set(false)/>"As soon as it is approved"</label>
                    <label class="choice"><input type="radio" name="start" prop:checked=move || start_later.get() on:change=move |_| start_later.set(true)/>"Later"</label>
                </div>
                <Show when=move || start_later.get()>
                    <label for="start-at">"Start"</label>
                    <input id="start-at" type="datetime-local" aria-describedby=described(Field::Start) prop:value=move || start.get() on:input=move |ev| start.set(event_target_value(&ev))/>
                </Show>
                <FieldErrors errors field=Field::Start/>
                <div class="choices" role="radiogroup" aria-label="Duration">
                    {DurationPreset::ALL.into_iter().map(|p| {
                        let value = p.duration().to_string();
                        let v2 = value.clone();
                        view! { <label class="choice"><input type="radio" name="length" value=value.clone() prop:checked=move || length.get() == v2 on:change=move |_| length.set(value.clone())/>{p.label()}</label> }
                    }).collect_view()}
                    <label class="choice"><input type="radio" name="length" value="custom" prop:checked=move || length.get() == "custom" on:change=move |_| length.set("custom".into())/>"Custom duration"</label>
                    <label class="choice"><input type="radio" name="length" value="end" prop:checked=move || length.get() == "end" on:change=move |_| length.set("end".into())/>"Until an end time"</label>
                </div>
                <Show when=move || length.get() == "custom">
                    <label for="custom-duration">"Duration (ISO 8601, such as PT2H30M)"</label>
                    <input id="custom-duration" aria-describedby=described(Field::Duration) prop:value=move || custom_duration.get() on:input=move |ev| custom_duration.set(event_target_value(&ev))/>
                </Show>
                <FieldErrors errors field=Field::Duration/>
                <Show when=move || length.get() == "end">
                    <label for="end-at">"End"</label>
                    <input id="end-at" type="datetime-local" aria-describedby=described(Field::End) prop:value=move || end.get() on:input=move |ev| end.set(event_target_value(&ev))/>
                </Show>
                <FieldErrors errors field=Field::End/>
                <label for="repeat">"Repeat"</label>
                <select id="repeat" on:change=move |ev| { let v = event_target_value(&ev); recurrence.update(|r| r.kind = v); }>
                    <option value="">"Does not repeat"</option>
                    <option value="daily">"Daily"</option>
                    <option value="weekly">"Weekly"</option>
                    <option value="monthly">"Monthly on a day"</option>
                </select>
                <Show when=move || !recurrence.get().kind.is_empty()>
                    <label for="interval">"Every (days, weeks or months)"</label>
                    <input id="interval" type="number" min="1" max="99" prop:value=move || recurrence.get().interval on:input=move |ev| { let v = event_target_value(&ev); recurrence.update(|r| r.interval = v); }/>
                    <Show when=move || recurrence.get().kind == "weekly">
                        <div class="choices" role="group" aria-label="Days of the week">
                            {[DayOfWeek::Monday, DayOfWeek::Tuesday, DayOfWeek::Wednesday, DayOfWeek::Thursday, DayOfWeek::Friday, DayOfWeek::Saturday, DayOfWeek::Sunday].into_iter().map(|d| {
                                let name = d.graph_name().to_owned();
                                let n2 = name.clone();
                                view! { <label class="choice"><input type="checkbox" prop:checked=move || recurrence.get().days.contains(&n2) on:change=move |ev| { let on = event_target_checked(&ev); let n = name.clone(); recurrence.update(|r| { r.days.retain(|x| *x != n); if on { r.days.push(n); } }); }/>{d.to_string()}</label> }
                            }).collect_view()}
                        </div>
                    </Show>
                    <Show when=move || recurrence.get().kind == "monthly">
                        <label for="day-of-month">"Day of the month"</label>
                        <input id="day-of-month" type="number" min="1" max="31" prop:value=move || recurrence.get().day_of_month on:input=move |ev| { let v = event_target_value(&ev); recurrence.update(|r| r.day_of_month = v); }/>
                    </Show>
                    <label for="range">"Ends"</label>
                    <select id="range" on:change=move |ev| { let v = event_target_value(&ev); recurrence.update(|r| r.range = v); }>
                        <option value="no_end">"Never"</option>
                        <option value="end_date">"On a date"</option>
                        <option value="numbered">"After a number of times"</option>
                    </select>
                    <Show when=move || recurrence.get().range == "end_date">
                        <label for="end-date">"Last day"</label>
                        <input id="end-date" type="date" on:input=move |ev| { let v = event_target_value(&ev); recurrence.update(|r| r.end_date = v); }/>
                    </Show>
                    <Show when=move || recurrence.get().range == "numbered">
                        <label for="occurrences">"Number of times"</label>
                        <input id="occurrences" type="number" min="1" on:input=move |ev| { let v = event_target_value(&ev); recurrence.update(|r| r.occurrences = v); }/>
                    </Show>
                </Show>
                <FieldErrors errors field=Field::Recurrence/>
                <p class="summary" data-testid="schedule-summary" aria-live="polite">
                    <Transition fallback=|| ()>
                    {move || {
                        let f = form();
                        let Some(Ok(o)) = options.get() else { return String::new() };
                        let Ok(me) = Upn::parse(&o.upn) else { return String::new() };
                        let c = cloud.get().unwrap_or(CloudKind::Aws);
                        let limits = |c: CloudKind| o.limits(c).unwrap_or(crate::domain::schedule::ScheduleLimits { max_duration: IsoDuration::MAX, max_start_ahead: IsoDuration::MAX });
                        match f.parse_schedule(c, &FormContext { now: now(), limits: &limits, ticket_pattern: &o.ticket_pattern, submitter: &me }) {
                            Ok(s) => s.summary_in(f.offset()),
                            Err(e) => e.iter().map(ToString::to_string).collect::<Vec<_>>().join(" "),
                        }
                    }}
                    </Transition>
                </p>
            </fieldset>

            <fieldset id="step-6" class="step">
                <legend>"6. Why"</legend>
                <label for="justification">"Justification (required, 10 to 1000 characters)"</label>
                <textarea id="justification" required aria-describedby=described(Field::Justification) maxlength="1000" prop:value=move || justification.get() on:input=move |ev| justification.set(event_target_value(&ev))></textarea>
                <FieldErrors errors field=Field::Justification/>
                <label for="notes">"Notes (optional)"</label>
                <textarea id="notes" aria-describedby=described(Field::Notes) prop:value=move || notes.get() on:input=move |ev| notes.set(event_target_value(&ev))></textarea>
                <FieldErrors errors field=Field::Notes/>
                <label for="ticket">
                    "ServiceNow ticket number "
                    <Transition fallback=|| ()>
                        <span class="muted">{move || options.get().and_then(|o| o.ok()).map(|o| format!("({})", o.ticket_pattern.rule()))}</span>
                    </Transition>
                </label>
                <input id="ticket" autocomplete="off" aria-describedby=described(Field::Ticket) prop:value=move || ticket.get() on:input=move |ev| ticket.set(event_target_value(&ev))/>
                <FieldErrors errors field=Field::Ticket/>
                <label for="approver">"Approver"</label>
                <select id="approver" aria-describedby=described(Field::Approver) on:change=move |ev| approver.set(event_target_value(&ev))>
                    <Transition fallback=|| ()>
                        {move || options.get().and_then(|o| o.ok()).map(|o| o.approvers.into_iter().map(|a| {
                            let upn = a.upn.clone();
                            view! { <option value=a.upn.clone() selected=move || approver.get() == upn>{format!("{} ({}){}", a.name, a.upn, if a.manager { ", your manager" } else { "" })}</option> }
                        }).collect_view())}
                    </Transition>
                </select>
                <FieldErrors errors field=Field::Approver/>
            </fieldset>

            <section id="step-7" class="step review" aria-labelledby="review-heading">
                <h2 id="review-heading">"7. Review"</h2>
                <button type="button" on:click=review disabled=move || preview.pending().get()>"Review the request"</button>
                <p class="error" role="alert" hidden=move || errors.get().is_empty()>
                    {move || format!("{} to fix: {}", errors.get().len(), errors.get().iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))}
                </p>
                <p class="error" role="alert" hidden=move || server_error.get().is_none()>{move || server_error.get()}</p>
                {move || match checked.get() {
                    Some(Checked::Valid { review, graph_json, flagged }) => view! {
                        <dl class="facts" data-testid="review">
                            {review.into_iter().map(|l| view! { <dt>{l.label}</dt><dd>{l.text}</dd> }).collect_view()}
                        </dl>
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
                        <button type="button" on:click=move |_| { create.dispatch(form()); } disabled=move || create.pending().get()>"Submit request"</button>
                    }.into_any(),
                    _ => ().into_any(),
                }}
            </section>
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
