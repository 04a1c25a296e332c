//! The approver's inbox: every request waiting for the reader's decision (every pending one for an
//! admin), oldest first, each with what the approver needs to decide on it without opening it, and
//! low-risk ones selectable to approve together. The server decides what may be decided; the page
//! shows its answers.
use std::collections::BTreeSet;

use leptos::{html, prelude::*};
use leptos_meta::Title;

use crate::{
    api::approvals::{approve_requests, get_inbox, BatchOutcome, InboxItem},
    app::Waiting,
    components::{
        high_privilege::HighPrivilege,
        local_time::{browser_offset, interactive, when},
        request_actions::{Done, RequestActions},
        review_facts::review_facts,
    },
    domain::elapsed::elapsed_words,
    views::requests::RequestAction,
};

/// "3 requests wait for your decision, oldest first.", of `total` waiting with `shown` listed.
fn count_words(total: i64, shown: usize) -> String {
    let shown = shown as i64;
    let mut words = match total {
        0 => return "Nothing waits for your decision.".to_owned(),
        1 => "1 request waits for your decision.".to_owned(),
        n => format!("{n} requests wait for your decision, oldest first."),
    };
    if total > shown {
        words.push_str(&format!(" The oldest {shown} are shown here."));
    }
    words
}

/// "Alex Wilber's request (INC1234567)": how one item is named in messages and labels; by what it
/// asks for when it cites no ticket (an Entra role whose policy asks for none).
fn item_name(item: &InboxItem) -> String {
    let named = match item.request.ticket().number() {
        Some(number) => number.to_string(),
        None => item.request.permissions().permissions().brief(),
    };
    format!("{}'s request ({named})", item.requester_name)
}

/// What an approval of several said, one line each, named as the inbox named them.
#[derive(Clone, Debug, PartialEq, Eq)]
struct BatchLine {
    name: String,
    outcome: BatchOutcome,
}

#[component]
pub fn ApprovalsPage() -> impl IntoView {
    let inbox = Resource::new(|| (), |_| get_inbox());
    let waiting = expect_context::<Waiting>();
    let offset = browser_offset();
    let ready = interactive();
    // What just happened, said where focus goes after a decision (its item is gone from the list).
    let said = RwSignal::new(None::<String>);
    let said_ref = NodeRef::<html::P>::new();
    let reload = move |message: String| {
        said.set(Some(message));
        inbox.refetch();
        waiting.refetch();
        request_animation_frame(move || {
            if let Some(p) = said_ref.get_untracked() {
                let _ = p.focus();
            }
        });
    };

    let selected = RwSignal::new(BTreeSet::<String>::new());
    // A request decided on (here or elsewhere) leaves the selection with the list.
    Effect::new(move |_| {
        if let Some(Ok(now)) = inbox.get() {
            let gone = selected.with_untracked(|s| {
                s.iter()
                    .any(|id| !now.items.iter().any(|item| &item.id == id))
            });
            if gone {
                selected.update(|s| s.retain(|id| now.items.iter().any(|item| &item.id == id)));
            }
        }
    });
    // The names of the selected items, kept at dispatch: the inbox reloads before they are shown.
    let batch_names = RwSignal::new(Vec::<(String, String)>::new());
    let batch = Action::new(|ids: &Vec<String>| approve_requests(ids.clone()));
    let batch_lines = RwSignal::new(None::<Result<Vec<BatchLine>, String>>);
    Effect::new(move |_| {
        let Some(result) = batch.value().get() else {
            return;
        };
        let names = batch_names.get_untracked();
        let name_of = |id: &str| {
            names
                .iter()
                .find(|(i, _)| i == id)
                .map(|(_, n)| n.clone())
                .unwrap_or_else(|| id.to_owned())
        };
        match result {
            Ok(outcomes) => {
                let lines = outcomes
                    .into_iter()
                    .map(|outcome| BatchLine {
                        name: name_of(&outcome.id),
                        outcome,
                    })
                    .collect::<Vec<_>>();
                let approved = lines.iter().filter(|l| l.outcome.error.is_none()).count();
                selected.set(BTreeSet::new());
                batch_lines.set(Some(Ok(lines.clone())));
                reload(format!("Approved {approved} of {}.", lines.len()));
            }
            Err(e) => batch_lines.set(Some(Err(e.to_string()))),
        }
    });
    let approve_selected = move |_| {
        let ids: Vec<String> = selected.get_untracked().into_iter().collect();
        if let Some(Ok(current)) = inbox.get_untracked() {
            batch_names.set(
                current
                    .items
                    .iter()
                    .filter(|i| ids.contains(&i.id))
                    .map(|i| (i.id.clone(), item_name(i)))
                    .collect(),
            );
        }
        batch_lines.set(None);
        said.set(None);
        batch.dispatch(ids);
    };

    view! {
        <Title text="Approvals"/>
        <section class="panel">
            <h1>"Approvals"</h1>
            <p class="muted" role="status" tabindex="-1" node_ref=said_ref data-testid="inbox-said" hidden=move || said.with(Option::is_none)>
                {move || said.get()}
            </p>
            <Transition fallback=|| view! { <p aria-busy="true">"Loading…"</p> }>
                {move || inbox.get().map(|r| match r {
                    Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                    Ok(i) => {
                        let selectable = i.items.iter().any(|i| i.low_risk && i.decidable);
                        view! {
                            <p data-testid="inbox-count">{count_words(i.total, i.items.len())}</p>
                            {selectable.then(|| view! {
                                <div class="batch">
                                    <p class="muted">"Requests without risky actions, for the requester's own identity, can be selected and approved together."</p>
                                    <button type="button" data-testid="approve-selected"
                                        disabled=move || !ready.get() || batch.pending().get() || selected.with(BTreeSet::is_empty)
                                        on:click=approve_selected>
                                        {move || if batch.pending().get() {
                                            "Approving…".to_owned()
                                        } else {
                                            format!("Approve selected ({})", selected.with(BTreeSet::len))
                                        }}
                                    </button>
                                </div>
                            })}
                        }.into_any()
                    }
                })}
            </Transition>
            {move || batch_lines.get().map(|lines| match lines {
                Err(e) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
                Ok(lines) => view! {
                    <ul class="outcomes" data-testid="batch-results">
                        {lines.into_iter().map(|l| {
                            let (text, class) = match (&l.outcome.status, &l.outcome.error) {
                                (_, Some(e)) => (format!("{}: not approved. {e}", l.name), "error"),
                                (Some(s), None) => (format!("{}: {}.", l.name, s.label()), ""),
                                (None, None) => (format!("{}: nothing changed.", l.name), ""),
                            };
                            view! { <li class=class>{text}</li> }
                        }).collect_view()}
                    </ul>
                }.into_any(),
            })}
        </section>
        <Transition fallback=|| ()>
            {move || inbox.get().and_then(Result::ok).map(|i| {
                if i.items.is_empty() {
                    return view! { <p class="panel empty" data-testid="inbox-empty">"Nothing waits for your decision."</p> }.into_any();
                }
                view! {
                    <ol class="inbox" aria-label="Requests waiting for your decision">
                        {i.items.into_iter().map(|item| view! { <Item item offset selected reload/> }).collect_view()}
                    </ol>
                }.into_any()
            })}
        </Transition>
    }
}

/// One waiting request, with its buttons.
#[component]
fn Item(
    item: InboxItem,
    offset: RwSignal<time::UtcOffset>,
    selected: RwSignal<BTreeSet<String>>,
    #[prop(into)] reload: Callback<String>,
) -> impl IntoView {
    let name = item_name(&item);
    let title_id = format!("title-{}", item.id);
    let select_id = format!("select-{}", item.id);
    let request = item.request.clone();
    let names = item.names.clone();
    let created = item.created_at.clone();
    let selectable = item.low_risk && item.decidable;
    let actions = if item.decidable {
        vec![RequestAction::Approve, RequestAction::Reject]
    } else {
        Vec::new()
    };
    let id = item.id.clone();
    let done_name = name.clone();
    let on_done = move |done: Done| {
        reload.run(format!("{done_name} is now {}.", done.status.label()));
    };
    view! {
        <li class="panel inbox-item" aria-labelledby=title_id.clone() data-testid="inbox-item" data-request=item.id.clone()>
            <h2 id=title_id.clone()>
                {item.requester_name.clone()}
                " "<span class="upn">{item.requester_upn.clone()}</span>
            </h2>
            <p class="muted">
                {format!("{}, {} · waiting {}", item.cloud, item.system_name, elapsed_words(item.waiting_seconds))}
                {move || format!(" · asked on {}", when(&created, offset.get()))}
            </p>
            {item.for_other_identity.then(|| view! {
                <p class="warning" role="note" data-testid="other-identity">
                    <strong>"Flagged: "</strong>
                    {format!("for {}, an identity that is not the requester's own.", item.identity_name)}
                </p>
            })}
            <HighPrivilege grants=item.high_privilege.clone()/>
            {(!item.flagged.is_empty()).then(|| view! {
                <div class="warning" role="note" data-testid="flagged-actions">
                    <strong>"Risky actions: "</strong>
                    <ul class="flagged">
                        {item.flagged.iter().map(|f| view! { <li><code>{f.id.clone()}</code>{format!(" ({})", f.risk_words())}</li> }).collect_view()}
                    </ul>
                </div>
            })}
            <dl class="facts">
                <dt>"Identity"</dt><dd>{item.identity_name.clone()}</dd>
                {move || review_facts(request.review_with(offset.get(), &names))}
            </dl>
            <p><a href=format!("/requests/{}", item.id)>{format!("Open {name}")}</a></p>
            {selectable.then(|| {
                let (id, checked_id) = (item.id.clone(), item.id.clone());
                view! {
                    <p class="select">
                        <input type="checkbox" id=select_id.clone()
                            prop:checked=move || selected.with(|s| s.contains(&checked_id))
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                selected.update(|s| { if on { s.insert(id.clone()); } else { s.remove(&id); } });
                            }/>
                        <label for=select_id>{format!("Select {name} to approve together")}</label>
                    </p>
                }
            })}
            {(!item.decidable).then(|| view! {
                <p class="muted" data-testid="not-decidable">"You asked for this one, so you cannot decide on it: another admin or the requester's manager does."</p>
            })}
            <RequestActions id actions label=item_name(&item) on_done/>
        </li>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_inbox_says_nothing_waits() {
        assert_eq!(count_words(0, 0), "Nothing waits for your decision.");
    }

    #[test]
    fn one_request_and_several_are_counted_in_words() {
        assert_eq!(count_words(1, 1), "1 request waits for your decision.");
        assert_eq!(
            count_words(3, 3),
            "3 requests wait for your decision, oldest first."
        );
    }

    #[test]
    fn a_longer_queue_than_the_page_says_how_much_is_shown() {
        assert_eq!(
            count_words(250, 200),
            "250 requests wait for your decision, oldest first. The oldest 200 are shown here."
        );
    }
}
