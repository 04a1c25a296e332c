//! Step 7: the review. The browser checks the form with the same parser as the server first; only a
//! form it accepts goes to the server, which checks it against the inventory and answers with the
//! request in words and the exact Graph JSON. Submitting creates the request.
use leptos::prelude::*;

use super::{browser, server_message, Page};
use crate::{
    api::requests::{create_request, preview_request, Checked, FormOptions},
    domain::ids::Upn,
    form::{names, FieldError, FormContext, RequestForm},
};

/// The browser's own check, with the options the server sent (who is asking, limits, ticket rule).
fn local_check(options: &FormOptions, form: &RequestForm) -> Result<(), Vec<FieldError>> {
    let Ok(submitter) = Upn::parse(&options.upn) else {
        return Ok(());
    };
    let limits = Page::limits(options);
    form.parse(&FormContext {
        now: browser::now(),
        limits: &limits,
        ticket_pattern: &options.ticket_pattern,
        submitter: &submitter,
    })
    .map(|_| ())
}

/// `problem`: why the earlier request or the server's review could not be loaded. `created`: where
/// the person goes once the request exists.
pub(super) fn step(
    page: Page,
    problem: Option<String>,
    created: impl Fn(String) + Clone + Send + Sync + 'static,
) -> AnyView {
    let Page {
        errors,
        checked,
        options,
        ..
    } = page;
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
        let f = page.request_form();
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
    Effect::new(move |_| match create.value().get() {
        Some(Ok(Checked::Created { id })) => created(id.to_string()),
        Some(Ok(Checked::Invalid { errors: e })) => {
            errors.set(e);
            checked.set(None);
        }
        Some(Ok(_)) => {}
        Some(Err(e)) => server_error.set(Some(server_message(&e))),
        None => {}
    });
    view! {
        <section id="step-7" class="step review" aria-labelledby="review-heading">
            <h2 id="review-heading">"7. Review"</h2>
            <button type="submit" name=names::REVIEW value="1" formaction=super::step_action(7) on:click=review disabled=move || preview.pending().get()>"Review the request"</button>
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
                        on:click=move |_| { create.dispatch(page.request_form()); } disabled=move || create.pending().get()>"Submit request"</button>
                }.into_any(),
                _ => ().into_any(),
            }}
        </section>
    }
    .into_any()
}
