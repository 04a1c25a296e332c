//! Step 7: the review. The browser checks the form with the same parser as the server first; only a
//! form it accepts goes to the server, which checks it against the inventory and answers with the
//! request in words and the exact Graph JSON. Submitting creates the request.
use leptos::prelude::*;

use super::{local_check, server_message, Page};
use crate::{
    api::requests::{create_request, preview_request, Checked},
    components::{high_privilege::HighPrivilege, review_facts::review_facts},
    form::{names, RequestForm},
};

/// `problem`: why the earlier request or the server's review could not be loaded. `created`: where
/// the person goes once the request exists.
pub(super) fn step(
    page: Page,
    problem: Option<String>,
    created: impl Fn(String) + Clone + Send + Sync + 'static,
) -> AnyView {
    let Page {
        checked, options, ..
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
            let roles = page.entra.get_untracked().and_then(Result::ok).flatten();
            if let Err(e) = local_check(&o, roles.as_ref(), &f) {
                page.report(f, e);
                return;
            }
        }
        page.report(f.clone(), Vec::new());
        preview.dispatch(f);
    };
    // The server's answers are about the form as it was sent (`reported_for`, set above).
    let report = move |e| page.report(page.reported_for.get_untracked().unwrap_or_default(), e);
    Effect::new(move |_| match preview.value().get() {
        Some(Ok(Checked::Invalid { errors: e })) => report(e),
        Some(Ok(c)) => checked.set(Some(c)),
        Some(Err(e)) => server_error.set(Some(server_message(&e))),
        None => {}
    });
    Effect::new(move |_| match create.value().get() {
        Some(Ok(Checked::Created { id })) => created(id.to_string()),
        Some(Ok(Checked::Invalid { errors: e })) => report(e),
        Some(Ok(_)) => {}
        Some(Err(e)) => server_error.set(Some(server_message(&e))),
        None => {}
    });
    view! {
        <section id="step-7" class="step review" aria-labelledby="review-heading">
            <h2 id="review-heading">"7. Review"</h2>
            // To `#outcome`: the error summary when there are problems, else the review itself.
            <button type="submit" name=names::REVIEW value="1" formaction="/requests/new#outcome" on:click=review disabled=move || preview.pending().get()>"Review the request"</button>
            <p class="error" hidden=move || page.errors.with(Vec::is_empty)>
                <a href="#outcome">"There is a problem: see the list at the top of the form"</a>
            </p>
            <p class="error" role="alert" hidden=move || server_error.get().is_none()>{move || server_error.get()}</p>
            {move || match checked.get() {
                Some(Checked::Valid { review, graph_json, flagged, other_identity, high_privilege }) => view! {
                    <dl class="facts" id="outcome" tabindex="-1" data-testid="review">
                        {review_facts(review)}
                    </dl>
                    {other_identity.map(|identity| view! {
                        <div class="warning" role="note" data-testid="other-identity">
                            <strong>"Not your own identity: "</strong>
                            {format!("{identity}. Your approver will see this request flagged as being for an identity that is not the requester's own.")}
                        </div>
                    })}
                    <HighPrivilege grants=high_privilege/>
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
                        on:click=move |_| { let f = page.request_form(); page.reported_for.set(Some(f.clone())); create.dispatch(f); } disabled=move || create.pending().get()>"Submit request"</button>
                }.into_any(),
                _ => ().into_any(),
            }}
        </section>
    }
    .into_any()
}
