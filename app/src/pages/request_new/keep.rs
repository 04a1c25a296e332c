//! Nothing typed is lost: the interactive form keeps its draft (`form::draft`) in the tab's
//! `sessionStorage` and reads it back after a reload, and leaving a changed form asks first (the
//! browser's own prompt on unload; a confirm on the portal's own links, which the router would
//! otherwise follow without unloading).
//!
//! Session storage rather than the address, which the plain form uses: writing the address on every
//! keystroke would reload the page's data (its state is loaded from the query), put the
//! justification into the history and server logs, and run past the 16 KiB an address may hold with
//! AWS statements; the draft also keeps what the address cannot (names from the searches, the
//! choices set aside). It lives as long as the tab, is read only by the person who wrote it and for
//! the address it was written at, and is removed once the request is made.
use leptos::prelude::*;
use reactive_stores::Store;

use super::Page;
use crate::form::{draft::Draft, plain_form::PlainFormStoreFields, PlainForm};

/// What the page knows about its draft.
#[derive(Clone, Copy)]
pub(super) struct Keeping {
    /// The person has typed or chosen something since the page loaded (or a draft came back):
    /// the draft is written, and leaving asks first.
    pub dirty: RwSignal<bool>,
    /// The step the person last worked in, 1 to 7.
    pub step: RwSignal<u8>,
    /// A draft came back: the page says so, with a way to start over.
    pub restored: RwSignal<bool>,
    /// Whether the page has looked for a draft to read back. Nothing is written before: it would
    /// overwrite the one to read.
    looked: RwSignal<bool>,
}

impl Keeping {
    pub fn new() -> Self {
        Keeping {
            dirty: RwSignal::new(false),
            step: RwSignal::new(1),
            restored: RwSignal::new(false),
            looked: RwSignal::new(false),
        }
    }

    /// The request was made: nothing is left to keep or to ask about.
    pub fn done(&self) {
        self.dirty.set(false);
        storage::remove();
    }
}

/// Signing out forgets the draft: the next person in this tab never sees it (it is theirs only by
/// its owner's name, and the storage outlives the session).
pub fn forget() {
    storage::remove();
}

/// Sets into the store each field of `next` that differs from what it holds, so only what changed
/// notifies (a search or a list that depends on an unchanged field is not fetched again).
pub(super) fn put_changed(form: Store<PlainForm>, next: PlainForm) {
    macro_rules! put {
        ($($field:ident),* $(,)?) => {$(
            if form.$field().with_untracked(|now| *now != next.$field) {
                form.$field().set(next.$field);
            }
        )*};
    }
    // The fields a change of cloud, system or kind touches (`form::set_aside`).
    put!(
        cloud,
        system,
        identity,
        identity_type,
        identity_page,
        what,
        items,
        item_page,
        assign_to_role,
        scope,
        statements,
        resources,
        not_resources,
        not_actions,
        effect,
        condition,
    );
}

/// Reads back the draft once the person is known, writes it as the form changes, and guards
/// leaving. Called once by the page.
pub(super) fn install(page: Page) {
    let k = page.keeping;
    Effect::new(move |_| {
        let Some(Ok(options)) = page.options.get() else {
            return;
        };
        if k.looked.get_untracked() {
            return;
        }
        if let Some(draft) = storage::read_after_reload(&options.upn) {
            restore(page, draft);
        }
        k.looked.set(true);
    });
    Effect::new(move |_| {
        if !k.looked.get() {
            return;
        }
        let form = page.form.get();
        let set_aside = page.set_aside.get();
        let step = k.step.get();
        if !k.dirty.get() {
            storage::remove();
            return;
        }
        let Some(Ok(options)) = page.options.get_untracked() else {
            return;
        };
        let draft = Draft::new(
            &options.upn,
            &storage::address(),
            step,
            form,
            set_aside,
            &page.known_items.get_value(),
            page.known_identity.get_value(),
        );
        storage::write(&draft.to_json());
    });
    guard_leaving(k.dirty);
}

/// Puts a draft back: the form, what was set aside, the names the searches gave, then the step.
fn restore(page: Page, draft: Draft) {
    let Draft {
        step,
        mut form,
        set_aside,
        items,
        identity,
        ..
    } = draft;
    // The browser's zone and offset now, not the draft's: the person may have travelled.
    form.offset_minutes = super::browser::offset_minutes();
    form.time_zone = super::browser::time_zone();
    form.review = false;
    page.known_items.set_value(items);
    page.known_identity.set_value(identity);
    page.set_aside.set(set_aside);
    page.checked.set(None);
    page.reported.set(Vec::new());
    page.form.set(form);
    page.keeping.step.set(step);
    page.keeping.dirty.set(true);
    page.keeping.restored.set(true);
    request_animation_frame(move || storage::show_step(step));
}

/// Says that a draft came back, with a way to start over. A live region from the start, so its
/// words are announced when they appear. Its own view (type-erased), like each step.
pub(super) fn notice(k: Keeping) -> AnyView {
    view! {
        <div class:notice=move || k.restored.get() role="status" data-testid="draft-restored">
            <Show when=move || k.restored.get()>
                <p>"What you typed before the page reloaded is back. It has not been sent yet. "
                    <button type="button" class="link" on:click=move |_| start_over(k)>"Start over with an empty form"</button>
                </p>
            </Show>
        </div>
    }
    .into_any()
}

/// "Start over": the draft goes, and the page loads afresh.
pub(super) fn start_over(k: Keeping) {
    k.done();
    storage::reload();
}

/// The step an element is in, from its fieldset's id (`step-4`).
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
pub(super) fn step_of(id: &str) -> Option<u8> {
    id.strip_prefix("step-")?
        .parse()
        .ok()
        .filter(|n| (1..=7).contains(n))
}

/// The step of the element an event happened in (the fieldset or section around it).
pub(super) fn step_of_event(ev: &leptos::ev::FocusEvent) -> Option<u8> {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let step = ev
            .target()?
            .dyn_into::<web_sys::Element>()
            .ok()?
            .closest(".step[id]")
            .ok()??;
        step_of(&step.id())
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = ev;
        None
    }
}

#[cfg(feature = "hydrate")]
fn guard_leaving(dirty: RwSignal<bool>) {
    use wasm_bindgen::{closure::Closure, JsCast};
    /// The words of the confirm before following a link away from a changed form.
    const LEAVE_QUESTION: &str = "Leave this page? Your request has not been sent, and what you typed in the form will be lost.";

    // A reload, a closed tab, an address typed: the browser asks in its own words.
    let unload = window_event_listener(leptos::ev::beforeunload, move |ev| {
        if dirty.get_untracked() {
            ev.prevent_default();
            ev.set_return_value("");
        }
    });
    // The portal's own links: the router follows them without unloading, so it asks first. In the
    // capture phase, before the router's listener, which leaves a prevented click alone.
    let on_click = Closure::<dyn Fn(web_sys::MouseEvent)>::new(move |ev: web_sys::MouseEvent| {
        if !dirty.get_untracked() || ev.default_prevented() || ev.button() != 0 {
            return;
        }
        if ev.ctrl_key() || ev.meta_key() || ev.shift_key() || ev.alt_key() {
            // A new tab or window: this page stays.
            return;
        }
        let Some(link) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|e| e.closest("a[href]").ok().flatten())
            .and_then(|a| a.dyn_into::<web_sys::HtmlAnchorElement>().ok())
        else {
            return;
        };
        let here = window().location();
        let same_page = link.pathname() == here.pathname().unwrap_or_default()
            && link.search() == here.search().unwrap_or_default();
        if same_page || !link.target().is_empty() || link.has_attribute("download") {
            return;
        }
        if window()
            .confirm_with_message(LEAVE_QUESTION)
            .unwrap_or(true)
        {
            // Asked and answered: the unload prompt would ask again.
            dirty.set(false);
            storage::remove();
        } else {
            ev.prevent_default();
            ev.stop_propagation();
        }
    });
    let document = document();
    let _ = document.add_event_listener_with_callback_and_bool(
        "click",
        on_click.as_ref().unchecked_ref(),
        true,
    );
    let kept = send_wrapper::SendWrapper::new((unload, document, on_click));
    on_cleanup(move || {
        let (unload, document, on_click) = kept.take();
        unload.remove();
        let _ = document.remove_event_listener_with_callback_and_bool(
            "click",
            on_click.as_ref().unchecked_ref(),
            true,
        );
    });
}

#[cfg(not(feature = "hydrate"))]
fn guard_leaving(_dirty: RwSignal<bool>) {}

/// The tab's `sessionStorage`, and the page's address and place. Nothing happens on the server.
mod storage {
    use crate::form::draft::Draft;
    #[cfg(feature = "hydrate")]
    use crate::form::draft::STORAGE_KEY;

    #[cfg(feature = "hydrate")]
    fn session() -> Option<web_sys::Storage> {
        // None when the browser refuses storage (a private mode, a policy): the form still works.
        leptos::prelude::window().session_storage().ok().flatten()
    }

    /// The path and query of the page.
    pub fn address() -> String {
        #[cfg(feature = "hydrate")]
        {
            let location = leptos::prelude::window().location();
            format!(
                "{}{}",
                location.pathname().unwrap_or_default(),
                location.search().unwrap_or_default()
            )
        }
        #[cfg(not(feature = "hydrate"))]
        {
            String::new()
        }
    }

    /// The person's draft for this address, only when this document was loaded by a reload (or
    /// back/forward) and only the first time a form is shown in it: following a link to the form
    /// starts a fresh one.
    pub fn read_after_reload(owner: &str) -> Option<Draft> {
        #[cfg(feature = "hydrate")]
        {
            use std::sync::atomic::{AtomicBool, Ordering};
            use wasm_bindgen::JsCast;
            static LOOKED: AtomicBool = AtomicBool::new(false);
            if LOOKED.swap(true, Ordering::Relaxed) {
                return None;
            }
            let window = leptos::prelude::window();
            let entry = window
                .performance()?
                .get_entries_by_type("navigation")
                .get(0)
                .dyn_into::<web_sys::PerformanceNavigationTiming>()
                .ok()?;
            if !matches!(
                entry.type_(),
                web_sys::NavigationType::Reload | web_sys::NavigationType::BackForward
            ) {
                return None;
            }
            let json = session()?.get_item(STORAGE_KEY).ok()??;
            Draft::read(&json, owner, &address())
        }
        #[cfg(not(feature = "hydrate"))]
        {
            let _ = owner;
            None
        }
    }

    pub fn write(json: &str) {
        #[cfg(feature = "hydrate")]
        {
            if let Some(s) = session() {
                // Past the quota the draft is not kept; the form goes on as before.
                let _ = s.set_item(STORAGE_KEY, json);
            }
        }
        #[cfg(not(feature = "hydrate"))]
        {
            let _ = json;
        }
    }

    pub fn remove() {
        #[cfg(feature = "hydrate")]
        {
            if let Some(s) = session() {
                let _ = s.remove_item(STORAGE_KEY);
            }
        }
    }

    pub fn reload() {
        #[cfg(feature = "hydrate")]
        {
            let _ = leptos::prelude::window().location().reload();
        }
    }

    /// Scrolls step `n` into view.
    pub fn show_step(n: u8) {
        #[cfg(feature = "hydrate")]
        {
            let id = format!("step-{n}");
            if let Some(step) = leptos::prelude::document().get_element_by_id(&id) {
                step.scroll_into_view();
            }
        }
        #[cfg(not(feature = "hydrate"))]
        {
            let _ = n;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_step_is_read_from_its_fieldsets_id() {
        assert_eq!(step_of("step-1"), Some(1));
        assert_eq!(step_of("step-7"), Some(7));
        for id in ["step-0", "step-8", "step-", "steps-2", "outcome", "step-x"] {
            assert_eq!(step_of(id), None, "{id}");
        }
    }
}
