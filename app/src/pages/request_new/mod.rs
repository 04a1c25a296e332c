//! "Request access": the guided form, every step on one page, one file per step. The form's state is
//! one store of [`PlainForm`], the same type the server reads the plain HTML form into, so the page
//! and the server agree on every input by construction. Each step reads the inventory one page at a
//! time from the server; the review runs the same parser as the server first, then asks the server
//! to check against the inventory and show the exact Graph JSON.
mod browser;
mod cloud;
mod entra;
mod error_summary;
mod identity;
mod keep;
mod loads;
mod review;
mod schedule;
mod statement;
mod system;
mod what;
mod why;

use leptos::{prelude::*, reactive::computed::suspense::SuspenseContext};
use leptos_meta::Title;
use leptos_router::{
    hooks::{use_navigate, use_query_map},
    params::ParamsMap,
};
use reactive_stores::Store;
use serde::{Deserialize, Serialize};

use crate::{
    api::{
        inventory::list_entra_roles,
        requests::{get_form_options, preview_request, request_again, Checked, FormOptions},
    },
    domain::{
        duration::IsoDuration,
        ids::{CloudKind, Upn},
        permissions_kind::PermissionsKind,
        schedule::ScheduleLimits,
    },
    error::AppError,
    form::{
        choices::Length, names, parse_identity_type, plain_form::PlainFormStoreFields,
        set_aside::SetAside, Field, FieldError, FormContext, PlainForm, RequestForm,
    },
    views::{
        entra::{EntraRoleOption, EntraRoles},
        inventory::{IdentityOption, ItemOption},
    },
};

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
    if let Some(from) = query.get(names::FROM).filter(|f| !f.is_empty()) {
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

pub use keep::forget as forget_draft;

/// A server function's error as the person reads it.
fn server_message(e: &AppError) -> String {
    e.to_string()
}

#[component]
pub fn NewRequestPage() -> impl IntoView {
    let query = use_query_map();
    let initial = Resource::new(move || query.get(), load);
    // The form made for the last starting point, with its owner. Leptos walks the Suspense's
    // children again (re-running the closure below) to find reads nested behind `initial`; the
    // walk must find the same form and its loads, not make new ones (see `loads`).
    let owner = Owner::current().unwrap_or_default();
    let made = StoredValue::new(None::<(Initial, Page, Owner)>);
    let page_for = move |initial: &Initial| {
        let kept = made.with_value(|m| {
            m.as_ref()
                .filter(|(for_initial, ..)| for_initial == initial)
                .map(|(_, page, _)| *page)
        });
        kept.unwrap_or_else(|| {
            // The form's own reads (its memos read the options) still count as the Suspense's, so
            // the server waits for them as it did when the form was made inside it.
            let suspense = use_context::<SuspenseContext>();
            let own = owner.child();
            let page = own.with(|| {
                if let Some(suspense) = suspense {
                    provide_context(suspense);
                }
                Page::new(initial.plain.clone(), initial.checked.clone())
            });
            let replaced = made.try_update_value(|m| m.replace((initial.clone(), page, own)));
            if let Some(Some((.., old))) = replaced {
                old.cleanup();
            }
            page
        })
    };
    view! {
        <Title text="Request access"/>
        <Suspense fallback=|| view! { <section class="panel"><h1>"Request access"</h1><p aria-busy="true">"Loading the form…"</p></section> }>
            {move || initial.get().map(|initial| {
                let page = page_for(&initial);
                view! { <RequestFormView page problem=initial.problem/> }
            })}
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
            formaction=step_action(to)>{label}</button>
    }
}

/// Where a button that sends the form for step `n` goes: the server renders the page at that step.
fn step_action(n: u8) -> String {
    format!("/requests/new#step-{n}")
}

/// An Azure system's own subscription: the scope until the person picks another. None elsewhere.
fn default_scope(cloud: Option<CloudKind>, system: &str) -> String {
    if cloud == Some(CloudKind::Azure) && !system.is_empty() {
        format!("/subscriptions/{system}")
    } else {
        String::new()
    }
}

/// What every step shares: the form, what is known about its choices, and the page's own state.
#[derive(Clone, Copy)]
struct Page {
    form: Store<PlainForm>,
    /// The choices read from the form's text, for the steps that depend on them.
    cloud: Memo<Option<CloudKind>>,
    what: Memo<Option<PermissionsKind>>,
    identity: Memo<Option<IdentityOption>>,
    /// What the searches said about chosen items and the chosen identity (names, severity), for
    /// showing them; the form holds only their ids.
    known_items: StoredValue<Vec<ItemOption>>,
    known_identity: StoredValue<Option<IdentityOption>>,
    /// What the last check (the browser's or the server's) found, and the form it checked.
    reported: RwSignal<Vec<FieldError>>,
    reported_for: RwSignal<Option<RequestForm>>,
    /// The errors as the page shows them. While the form is as it was checked, the check's own;
    /// once anything changes, the shared parser's reading of the form as it is now, so no message
    /// describes a value the field no longer holds. Empty until a check has found a problem.
    errors: Signal<Vec<FieldError>>,
    /// Counts the checks that found problems: each moves the focus to the error summary.
    summary_focus: RwSignal<u32>,
    /// The shared parser's reading of the form as it is now (`None` until the options that reading
    /// needs have arrived): what the progress list marks steps done by.
    live_errors: Memo<Option<Vec<FieldError>>>,
    /// The server's check of the form as it stood at the last review; cleared by a change that
    /// makes it stale.
    checked: RwSignal<Option<Checked>>,
    /// Set once the browser has taken over: before that, each step has a Continue button that asks
    /// the server for the next one.
    hydrated: RwSignal<bool>,
    options: Resource<Result<FormOptions, AppError>>,
    /// What a change of cloud, system or kind set aside, to bring back on changing back.
    set_aside: RwSignal<SetAside>,
    /// The draft kept across a reload, and whether leaving asks first.
    keeping: keep::Keeping,
    /// Whether Microsoft Entra roles are the chosen cloud (a memo: the steps that differ are
    /// redrawn only when this changes, not when one cloud is changed for another).
    entra_chosen: Memo<bool>,
    /// The Microsoft Entra roles the person is eligible for, read once Entra is the chosen cloud.
    entra: Resource<Result<Option<EntraRoles>, AppError>>,
    /// What the steps read from the server.
    loads: loads::Loads,
}

impl Page {
    fn new(init: PlainForm, checked: Option<Checked>) -> Self {
        let mut init = init;
        if init.scope.is_empty() {
            init.scope = default_scope(CloudKind::parse(&init.cloud).ok(), &init.system);
        }
        let reported = RwSignal::new(match &checked {
            Some(Checked::Invalid { errors }) => errors.clone(),
            _ => Vec::new(),
        });
        let reported_for = RwSignal::new(Some(init.to_request_form()));
        let form = Store::new(init);
        let options = Resource::new(|| (), |_| get_form_options());
        let is_entra =
            Memo::new(move |_| CloudKind::parse(&form.cloud().get()) == Ok(CloudKind::Entra));
        let entra = Resource::new(
            move || is_entra.get(),
            |on| async move {
                if on {
                    list_entra_roles().await.map(Some)
                } else {
                    Ok(None)
                }
            },
        );
        let roles = move || entra.get().and_then(Result::ok).flatten();
        let live_errors = Memo::new(move |_| match options.get() {
            Some(Ok(o)) => Some(
                local_check(&o, roles().as_ref(), &request_form_of(form))
                    .err()
                    .unwrap_or_default(),
            ),
            _ => None,
        });
        let errors = Memo::new(move |_| {
            let reported_errors = reported.get();
            if reported_errors.is_empty() {
                return reported_errors;
            }
            let now = request_form_of(form);
            if reported_for.with(|f| f.as_ref() == Some(&now)) {
                return reported_errors;
            }
            match options.get() {
                Some(Ok(o)) => local_check(&o, roles().as_ref(), &now)
                    .err()
                    .unwrap_or_default(),
                _ => reported_errors,
            }
        });
        let known_identity = StoredValue::new(None::<IdentityOption>);
        let known_items = StoredValue::new(Vec::new());
        let cloud = Memo::new(move |_| CloudKind::parse(&form.cloud().get()).ok());
        let what = Memo::new(move |_| PermissionsKind::parse(&form.what().get()));
        let identity = Memo::new(move |_| {
            let external_id = form.identity().get();
            let identity_type = parse_identity_type(&form.identity_type().get())
                .filter(|_| !external_id.is_empty())?;
            let known = known_identity
                .get_value()
                .filter(|i| i.external_id == external_id && i.identity_type == identity_type);
            Some(known.unwrap_or(IdentityOption {
                name: external_id.clone(),
                external_id,
                identity_type,
                own: false,
            }))
        });
        Page {
            form,
            cloud,
            what,
            identity,
            known_items,
            known_identity,
            loads: loads::Loads::new(form, cloud, what, identity, known_items),
            reported,
            reported_for,
            errors: errors.into(),
            summary_focus: RwSignal::new(0),
            live_errors,
            checked: RwSignal::new(checked.filter(|c| matches!(c, Checked::Valid { .. }))),
            hydrated: RwSignal::new(false),
            options,
            set_aside: RwSignal::new(SetAside::default()),
            keeping: keep::Keeping::new(),
            entra_chosen: is_entra,
            entra,
        }
    }

    /// The eligible Entra role the form names (its role and scope), once the roles are known.
    fn entra_role(&self) -> Option<EntraRoleOption> {
        let roles = self.entra.get()?.ok()??;
        let role = self.form.items().with(|i| i.first().cloned())?;
        self.form
            .system()
            .with(|scope| roles.find(&role, scope).cloned())
    }

    /// The portal's cap on an Entra activation, once known.
    fn entra_portal_max(&self) -> Option<IsoDuration> {
        Some(self.entra.get()?.ok()??.portal_max)
    }

    /// The longest access the chosen cloud allows (for an Entra role, within its policy's
    /// maximum); `None` until the options have arrived.
    fn max_duration(&self) -> Option<IsoDuration> {
        let options = self.options.get()?.ok()?;
        let cloud = self.cloud.get()?;
        let max = options.limits(cloud)?.max_duration;
        let policy = (cloud == CloudKind::Entra)
            .then(|| self.entra_role())
            .flatten()
            .and_then(|r| r.policy);
        Some(policy.map_or(max, |p| p.max_duration(max)))
    }

    /// Whether Microsoft Entra roles are the chosen cloud.
    fn is_entra(&self) -> bool {
        self.entra_chosen.get()
    }

    /// A check of `form` found `errors` (none: it passed): shown by their fields and in the summary,
    /// which takes the focus when there are any.
    fn report(&self, form: RequestForm, errors: Vec<FieldError>) {
        let any = !errors.is_empty();
        self.reported_for.set(Some(form));
        self.reported.set(errors);
        if any {
            self.checked.set(None);
            self.summary_focus.update(|n| *n += 1);
        }
    }

    /// What is known of the item `id`: from the searches, else from `named` (the inventory's answer
    /// for items known only by id), else only its id.
    fn item(&self, id: &str, named: &[ItemOption]) -> ItemOption {
        self.known_items
            .with_value(|known| known.iter().find(|i| i.id == id).cloned())
            .or_else(|| {
                named
                    .iter()
                    .find(|i| i.id.eq_ignore_ascii_case(id))
                    .map(|i| ItemOption {
                        id: id.to_owned(),
                        ..i.clone()
                    })
            })
            .unwrap_or_else(|| ItemOption {
                id: id.to_owned(),
                name: id.to_owned(),
                kind: None,
                severity: None,
                action_type: None,
                service: None,
            })
    }

    /// Changing the cloud sets aside everything that depended on it (changing back brings it back).
    fn choose_cloud(&self, c: CloudKind) {
        let mut next = self.form.get_untracked();
        self.set_aside.update(|a| a.choose_cloud(&mut next, c));
        keep::put_changed(self.form, next);
        self.checked.set(None);
    }

    /// Changing the system sets aside the identity and what was asked for in it.
    fn choose_system(&self, id: String) {
        let mut next = self.form.get_untracked();
        let scope = default_scope(self.cloud.get_untracked(), &id);
        self.set_aside
            .update(|a| a.choose_system(&mut next, &id, scope));
        keep::put_changed(self.form, next);
        self.checked.set(None);
    }

    /// Changing what is asked for sets aside the items and statements chosen for the other kind.
    fn choose_what(&self, w: PermissionsKind) {
        let mut next = self.form.get_untracked();
        self.set_aside.update(|a| a.choose_what(&mut next, w));
        keep::put_changed(self.form, next);
        self.checked.set(None);
    }

    /// What the parser reads, as the server would read the form; tracks every field. The offset is
    /// the one in force when the schedule starts (or ends, for "now until an end time"), not today's:
    /// a date past a daylight-saving change is read as the person means it. One offset serves the
    /// whole form, so an end on the other side of a change from a later start is an hour off; the
    /// recurrence's own days follow the zone name.
    fn request_form(&self) -> RequestForm {
        request_form_of(self.form)
    }

    /// The cloud's limits for the browser's own check; the widest before the options arrive (the
    /// server checks again with its own).
    fn limits(options: &FormOptions) -> impl Fn(CloudKind) -> ScheduleLimits + '_ {
        |c: CloudKind| options.limits(c).unwrap_or(ScheduleLimits::WIDEST)
    }

    /// Whether step `n` is done, for the progress list: the shared parser finds nothing wrong with
    /// its fields as they are now (steps 2 to 5 also need a cloud, without which they are not read),
    /// and the review is done once the server has checked the form as it is now. Only the server
    /// can say more (the inventory), so a step may still turn out wrong at the review.
    fn step_done(&self, n: u8) -> bool {
        if n == 7 {
            let now = self.request_form();
            return self.checked.with(Option::is_some)
                && self.reported_for.with(|f| f.as_ref() == Some(&now));
        }
        let Some(errors) = self.live_errors.get() else {
            return false;
        };
        let fields = step_fields(n);
        let needs_cloud = (2..=5).contains(&n);
        (!needs_cloud || self.cloud.get().is_some())
            && !errors.iter().any(|e| fields.contains(&e.field))
    }
}

/// The fields of step `n`, 1 to 6.
fn step_fields(n: u8) -> &'static [Field] {
    match n {
        1 => &[Field::Cloud],
        2 => &[Field::System],
        3 => &[Field::Identity],
        4 => &[
            Field::What,
            Field::Items,
            Field::AssignToRole,
            Field::Scope,
            Field::Statements,
        ],
        5 => &[Field::Start, Field::Duration, Field::End, Field::Recurrence],
        _ => &[
            Field::Justification,
            Field::Notes,
            Field::Ticket,
            Field::Approver,
        ],
    }
}

/// [`Page::request_form`], for what is built before the page.
fn request_form_of(form: Store<PlainForm>) -> RequestForm {
    let mut plain = form.get();
    let at = if plain.start_later {
        browser::offset_at(&plain.start)
    } else if plain.length == Length::End {
        browser::offset_at(&plain.end)
    } else {
        None
    };
    if let Some(at) = at {
        plain.offset_minutes = at;
    }
    plain.to_request_form()
}

/// The progress list: each step's number and name (Entra roles name steps 2 to 4 their own way),
/// marked done as the shared parser reads the form. Type-erased, like the steps.
fn progress(page: Page) -> AnyView {
    let names = move |n: u8| {
        let names = if page.is_entra() {
            [
                "Cloud", "Role", "For whom", "Policy", "Schedule", "Why", "Review",
            ]
        } else {
            [
                "Cloud", "System", "Identity", "What", "Schedule", "Why", "Review",
            ]
        };
        names[usize::from(n - 1)]
    };
    view! {
        <ol class="progress" aria-label="Progress">
            {(1..=7u8).map(|n| view! {
                <li class:done=move || page.step_done(n)>
                    <a href=format!("#step-{n}")>{move || format!("{n}. {}", names(n))}</a>
                    <span class="visually-hidden">{move || if page.step_done(n) { " (done)" } else { "" }}</span>
                </li>
            }).collect_view()}
        </ol>
    }
    .into_any()
}

/// Step `entra` while Microsoft Entra roles are chosen, else the clouds' `cloud`; redrawn only when
/// that changes (`Page::is_entra` reads a memo).
fn entra_or(page: Page, entra: fn(Page) -> AnyView, cloud: fn(Page) -> AnyView) -> AnyView {
    (move || {
        if page.is_entra() {
            entra(page)
        } else {
            cloud(page)
        }
    })
    .into_any()
}

/// The browser's own check, with the options the server sent (who is asking, limits, ticket rule),
/// and for an Entra role the eligible roles with their policies, as the server checks it.
fn local_check(
    options: &FormOptions,
    entra: Option<&EntraRoles>,
    form: &RequestForm,
) -> Result<(), Vec<FieldError>> {
    let Ok(submitter) = Upn::parse(&options.upn) else {
        return Ok(());
    };
    let limits = Page::limits(options);
    let now = browser::now();
    let request = form
        .clone()
        .as_requester(&options.oid)
        .parse(&FormContext {
            now,
            limits: &limits,
            ticket_pattern: &options.ticket_pattern,
            submitter: &submitter,
        })?;
    let errors = entra
        .map(|roles| {
            crate::form::entra::policy_errors(
                &request,
                &roles.roles,
                roles.portal_max,
                &options.ticket_pattern,
                now,
            )
        })
        .unwrap_or_default();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

#[component]
fn RequestFormView(page: Page, problem: Option<String>) -> impl IntoView {
    let (form, hydrated, options) = (page.form, page.hydrated, page.options);
    Effect::new(move |_| {
        // Both from the browser, together: a zone never travels with another source's offset.
        form.offset_minutes().set(browser::offset_minutes());
        form.time_zone().set(browser::time_zone());
        hydrated.set(true);
    });
    // The manager is the default approver.
    Effect::new(move |_| {
        if let Some(Ok(o)) = options.get() {
            if form.approver().get_untracked().is_empty() {
                if let Some(first) = o.approvers.first() {
                    form.approver().set(first.upn.clone());
                }
            }
        }
    });
    keep::install(page);
    let keeping = page.keeping;
    let navigate = use_navigate();
    let created = move |id: String| {
        // Made: the draft goes, and leaving no longer asks.
        keeping.done();
        navigate(&format!("/requests/{id}"), Default::default())
    };

    view! {
        // GOV.UK's pattern: the title says there are errors too, the first thing a screen reader reads
        // of the plain form's page after a review with problems.
        <Show when=move || !page.errors.with(Vec::is_empty)><Title text="Error: Request access"/></Show>
        <section class="panel request-form" data-hydrated=move || hydrated.get().to_string()>
            <h1>"Request access"</h1>
            <p class="muted" hidden=move || hydrated.get()>"Until the page has loaded (or without JavaScript), use Continue after each step."</p>
            {progress(page)}
            // Before the page is interactive this is a plain form: each Continue sends every input to
            // the server, which renders the next step; Submit posts it. Afterwards the page handles
            // the steps itself and the form is never sent.
            // `novalidate`: the browser's own checks would block Continue on an empty required
            // field of a later step; the server checks everything and says so by field.
            // Anything typed or chosen makes the form changed (kept, and asked about before leaving);
            // the step focused last is where a reload brings the person back.
            <form method="get" action="/requests/new" novalidate on:submit=|ev| ev.prevent_default()
                on:input=move |_| keeping.dirty.set(true) on:change=move |_| keeping.dirty.set(true)
                on:focusin=move |ev| { if let Some(n) = keep::step_of_event(&ev) { keeping.step.set(n) } }>
            {keep::notice(keeping)}
            {error_summary::view(page)}
            <input type="hidden" name=names::OFFSET value=move || form.offset_minutes().get().to_string()/>
            <input type="hidden" name=names::ZONE value=move || form.time_zone().get()/>
            // Each step is its own view (type-erased, `AnyView`): one nested type for the page would
            // overflow the server's stack when rendered.
            {cloud::step(page)}
            // Entra roles have steps 2 to 4 of their own, each switched on its own (not one nested
            // view of three: the page's type would grow past the server's stack in a debug build).
            {entra_or(page, entra::role_step, system::step)}
            {entra_or(page, entra::for_step, identity::step)}
            {entra_or(page, entra::policy_step, what::step)}
            {schedule::step(page)}
            {why::step(page)}
            {review::step(page, problem, created)}
            </form>
        </section>
    }
}
