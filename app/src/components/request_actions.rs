//! The buttons that act on one request: approve, reject (with its reason), cancel (after a
//! confirmation) and an admin's "send again". Which ones show is the server's answer for the
//! viewer (`RequestAction`); each server function applies the rules again, and its refusal is
//! shown as it came, beside the buttons.
use leptos::{html, prelude::*};

use crate::{
    api::approvals::{cancel_request, decide_request, retry_submission, Decision},
    components::local_time::interactive,
    domain::lifecycle::RequestStatus,
    views::requests::RequestAction,
};

/// What the person asked the server to do.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Step {
    Approve,
    Reject(String),
    Cancel,
    Retry,
}

impl Step {
    /// What the person did, once it is done ("You cancelled it.").
    fn done(&self) -> &'static str {
        match self {
            Step::Approve => "You approved it.",
            Step::Reject(_) => "You rejected it.",
            Step::Cancel => "You cancelled it.",
            Step::Retry => "You sent it again.",
        }
    }
}

/// What an action did: the request's status afterwards, and the action in words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Done {
    pub status: RequestStatus,
    pub words: &'static str,
}

/// Which confirmation is open: a rejection's reason or "Cancel this request?".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Open {
    Reject,
    Cancel,
}

/// `id`: the request. `actions`: what the viewer may do to it now. `label`: whose request, for the
/// group's accessible name where several are on one page. `on_done` runs with the new status once
/// the server has done it (the page reloads what it shows).
#[component]
pub fn RequestActions(
    id: String,
    actions: Vec<RequestAction>,
    #[prop(into)] label: String,
    #[prop(into)] on_done: Callback<Done>,
) -> impl IntoView {
    if actions.is_empty() {
        return ().into_any();
    }
    let ready = interactive();
    let open = RwSignal::new(None::<Open>);
    let reason = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let reason_box = NodeRef::<html::Textarea>::new();
    let act = {
        let id = id.clone();
        Action::new(move |step: &Step| {
            let (id, step) = (id.clone(), step.clone());
            async move {
                match step {
                    Step::Approve => decide_request(id, Decision::Approve).await,
                    Step::Reject(reason) => decide_request(id, Decision::Reject { reason }).await,
                    Step::Cancel => cancel_request(id).await,
                    Step::Retry => retry_submission(id).await,
                }
            }
        })
    };
    // The step under way, for its button's words ("Approving…").
    let busy = RwSignal::new(None::<Step>);
    Effect::new(move |_| {
        let Some(result) = act.value().get() else {
            return;
        };
        let words = busy
            .get_untracked()
            .map(|step| step.done())
            .unwrap_or_default();
        busy.set(None);
        match result {
            Ok(status) => {
                error.set(None);
                open.set(None);
                reason.set(String::new());
                on_done.run(Done { status, words });
            }
            Err(e) => error.set(Some(e.to_string())),
        }
    });
    let run = move |step: Step| {
        error.set(None);
        busy.set(Some(step.clone()));
        act.dispatch(step);
    };
    let idle = move || ready.get() && busy.with(Option::is_none);
    let doing = move |step: fn(&Step) -> bool| busy.with(|b| b.as_ref().is_some_and(step));
    let may = |a: RequestAction| actions.contains(&a);

    let reject_form = format!("reject-{id}");
    let reason_id = format!("reason-{id}");
    let cancel_box = format!("cancel-{id}");
    let cancel_question = format!("cancel-question-{id}");
    let error_id = format!("actions-error-{id}");

    view! {
        <div class="actions" role="group" aria-label=format!("Decide on {label}") data-testid="request-actions">
            <div class="buttons">
                {may(RequestAction::Approve).then(|| view! {
                    <button type="button" disabled=move || !idle() on:click=move |_| run(Step::Approve)>
                        {move || if doing(|s| *s == Step::Approve) { "Approving…" } else { "Approve" }}
                    </button>
                })}
                {may(RequestAction::Reject).then(|| {
                    let controls = reject_form.clone();
                    view! {
                        <button type="button" class="secondary" aria-expanded=move || (open.get() == Some(Open::Reject)).to_string() aria-controls=controls
                            disabled=move || !idle()
                            on:click=move |_| {
                                let opening = open.get_untracked() != Some(Open::Reject);
                                open.set(opening.then_some(Open::Reject));
                                if opening {
                                    // Once the form is shown: a hidden textarea cannot take the focus.
                                    request_animation_frame(move || {
                                        if let Some(t) = reason_box.get_untracked() {
                                            let _ = t.focus();
                                        }
                                    });
                                }
                            }>
                            "Reject"
                        </button>
                    }
                })}
                {may(RequestAction::Cancel).then(|| {
                    let controls = cancel_box.clone();
                    view! {
                        <button type="button" class="secondary" aria-expanded=move || (open.get() == Some(Open::Cancel)).to_string() aria-controls=controls
                            disabled=move || !idle()
                            on:click=move |_| open.update(|o| *o = if *o == Some(Open::Cancel) { None } else { Some(Open::Cancel) })>
                            "Cancel request"
                        </button>
                    }
                })}
                {may(RequestAction::Retry).then(|| view! {
                    <button type="button" disabled=move || !idle() on:click=move |_| run(Step::Retry)>
                        {move || if doing(|s| *s == Step::Retry) { "Sending…" } else { "Send again" }}
                    </button>
                })}
            </div>
            {may(RequestAction::Reject).then(|| view! {
                // The browser refuses an empty reason (`required`); one of spaces reaches the
                // server, whose refusal shows below.
                <form id=reject_form.clone() class="reason" hidden=move || open.get() != Some(Open::Reject)
                    on:submit=move |ev| {
                        ev.prevent_default();
                        run(Step::Reject(reason.get_untracked()));
                    }>
                    <label for=reason_id.clone()>"Why do you reject it? (required; the requester reads it)"</label>
                    <textarea id=reason_id.clone() name="reason" required maxlength="1000" node_ref=reason_box
                        aria-describedby=error_id.clone()
                        prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev))></textarea>
                    <div class="buttons">
                        <button type="submit" disabled=move || !idle()>
                            {move || if doing(|s| matches!(s, Step::Reject(_))) { "Rejecting…" } else { "Reject request" }}
                        </button>
                        <button type="button" class="secondary" on:click=move |_| open.set(None)>"Keep it waiting"</button>
                    </div>
                </form>
            })}
            {may(RequestAction::Cancel).then(|| view! {
                <div id=cancel_box.clone() class="confirm" role="group" aria-labelledby=cancel_question.clone() hidden=move || open.get() != Some(Open::Cancel)>
                    <p id=cancel_question.clone()>"Cancel this request?"</p>
                    <div class="buttons">
                        <button type="button" disabled=move || !idle() on:click=move |_| run(Step::Cancel)>
                            {move || if doing(|s| *s == Step::Cancel) { "Cancelling…" } else { "Yes, cancel it" }}
                        </button>
                        <button type="button" class="secondary" on:click=move |_| open.set(None)>"No, keep it"</button>
                    </div>
                </div>
            })}
            <p id=error_id.clone() class="error" role="alert" data-testid="action-error" hidden=move || error.with(Option::is_none)>{move || error.get()}</p>
        </div>
    }
    .into_any()
}
