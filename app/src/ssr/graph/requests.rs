//! The writes a submission worker makes to Graph (spec §6): create a `scheduledPermissionsRequest`,
//! `cancelAll` one, and, when a create's outcome is unknown, look for it before trying again.
//!
//! The portal's own id of a request travels to Graph in `notes` ([`with_reference`]), the one free
//! text a request keeps; Graph offers no client reference of its own nor a `$filter` on `notes`. So
//! [`find_by_reference`] lists the requests the same person created since a moment before the lost
//! POST (`filterByCurrentUser(on='createdBy')`, `$filter` on `createdDateTime`) and reads their
//! notes.
use serde_json::Value;
use time::{format_description::well_known::Rfc3339, OffsetDateTime};
use uuid::Uuid;

use super::{encode, wire, GraphClient, GraphError, RetryPolicy, WriteError};

const SET: &str = "identityGovernance/permissionsManagement/scheduledPermissionsRequests";

/// At most this many pages (100 requests each by default) are read looking for a reference; a
/// person creates far fewer in the window a worker looks at.
const MAX_PAGES: usize = 20;

/// How the portal's id reads in `notes`.
pub fn reference_marker(reference: Uuid) -> String {
    format!("[access-portal:{reference}]")
}

/// `body` with the portal's reference at the end of its `notes` (the whole note when it has none);
/// unchanged when the notes already carry it.
pub fn with_reference(body: &Value, reference: Uuid) -> Value {
    let mut body = body.clone();
    add_reference(&mut body, reference);
    body
}

/// [`with_reference`] in place, for a body the caller owns (a new request's: no copy made).
pub fn add_reference(body: &mut Value, reference: Uuid) {
    let marker = reference_marker(reference);
    if let Value::Object(fields) = body {
        let notes = match fields.get("notes").and_then(Value::as_str) {
            Some(notes) if notes.contains(&marker) => return,
            Some(notes) if !notes.trim().is_empty() => format!("{notes}\n\n{marker}"),
            _ => marker,
        };
        fields.insert("notes".to_owned(), Value::String(notes));
    }
}

/// What is POSTed for a request approved by `approver`: its frozen body, with its reference (requests
/// stored before the reference was part of the body get it here) and the person who approved as
/// `ticketApproverIdentityId` (an admin deciding in the designated approver's place is named).
pub fn for_submission(body: &Value, reference: Uuid, approver_upn: &str) -> Value {
    let mut body = with_reference(body, reference);
    if let Some(Value::Object(ticket)) = body.get_mut("ticketInfo") {
        ticket.insert(
            "ticketApproverIdentityId".to_owned(),
            Value::String(approver_upn.to_owned()),
        );
    }
    body
}

/// `POST …/scheduledPermissionsRequests` with `body` (the frozen `graph_body`, with its reference)
/// and the approver's token. Graph's answer carries the new request's `id`.
pub async fn create(
    graph: &GraphClient,
    token: &str,
    body: &Value,
    policy: RetryPolicy,
) -> Result<wire::ScheduledPermissionsRequest, WriteError> {
    graph.post_as(token, SET, body, policy).await
}

/// `POST …/scheduledPermissionsRequests/{id}/cancelAll` (204, no body).
pub async fn cancel_all(
    graph: &GraphClient,
    token: &str,
    graph_id: &str,
    policy: RetryPolicy,
) -> Result<(), WriteError> {
    let path = format!("{SET}/{}/cancelAll", encode(graph_id));
    graph.post(token, &path, None, policy).await.map(|_| ())
}

/// The request carrying `reference` in its notes among those the token's owner created at or after
/// `created_since`, if Graph has one. `created_since` should be a little before the first POST, to
/// allow for the two clocks differing.
pub async fn find_by_reference(
    graph: &GraphClient,
    token: &str,
    reference: Uuid,
    created_since: OffsetDateTime,
    policy: RetryPolicy,
) -> Result<Option<wire::ScheduledPermissionsRequest>, GraphError> {
    let since = created_since
        .format(&Rfc3339)
        .map_err(|_| GraphError::Decode)?;
    let path = format!(
        "{SET}/filterByCurrentUser(on='createdBy')?$filter={}",
        encode(&format!("createdDateTime ge {since}"))
    );
    let marker = reference_marker(reference);
    let mut found: Vec<wire::ScheduledPermissionsRequest> = graph
        .read_all::<wire::ScheduledPermissionsRequest>(token, &path, MAX_PAGES, policy)
        .await?
        .into_iter()
        .filter(|r| r.notes.as_deref().is_some_and(|n| n.contains(&marker)))
        .collect();
    if found.len() > 1 {
        // The worker never POSTs again without looking first, so this is someone else's doing.
        tracing::warn!(%reference, count = found.len(), "several Graph requests carry one portal reference; taking the first");
    }
    Ok(if found.is_empty() {
        None
    } else {
        Some(found.swap_remove(0))
    })
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use entra_sim::{faults::FaultSpec, faults::RouteFamily, RunningSim, SimConfig};
    use serde_json::json;

    use super::*;

    const MEGAN: &str = "megan@contoso.com";

    fn documented_body() -> Value {
        serde_json::from_str(include_str!(
            "../../../../testdata/graph-requests/aws-policy.json"
        ))
        .unwrap()
    }

    async fn sim() -> (RunningSim, GraphClient, String) {
        let sim = entra_sim::start(SimConfig::for_tests()).await.unwrap();
        let graph = GraphClient::new(
            &sim.graph_base_url(),
            Duration::from_secs(30),
            Duration::ZERO,
            1,
        )
        .unwrap();
        let token = sim.access_token_for(MEGAN).unwrap();
        (sim, graph, token)
    }

    /// A moment before anything the stand-in (on its frozen clock) will stamp.
    fn before(sim: &RunningSim) -> OffsetDateTime {
        sim.clock().now() - time::Duration::minutes(5)
    }

    /// What a worker does when it does not know whether its create was made: look for it.
    async fn look_for(
        sim: &RunningSim,
        graph: &GraphClient,
        token: &str,
        reference: Uuid,
    ) -> Option<wire::ScheduledPermissionsRequest> {
        find_by_reference(
            graph,
            token,
            reference,
            before(sim),
            RetryPolicy::BACKGROUND,
        )
        .await
        .unwrap()
    }

    fn posts(sim: &RunningSim) -> usize {
        sim.received()
            .iter()
            .filter(|r| r.method == "POST" && r.path.ends_with("scheduledPermissionsRequests"))
            .count()
    }

    /// Graph answers only with what may retry it: no wait between tries.
    fn once(spec: FaultSpec) -> FaultSpec {
        FaultSpec {
            times: Some(1),
            retry_after_seconds: 0,
            ..spec
        }
    }

    #[test]
    fn the_reference_is_added_to_the_notes_or_becomes_them() {
        let id = Uuid::from_u128(7);
        let marker = "[access-portal:00000000-0000-0000-0000-000000000007]";
        assert_eq!(
            with_reference(&json!({ "notes": "Pretty Please" }), id),
            json!({ "notes": format!("Pretty Please\n\n{marker}") })
        );
        assert_eq!(
            with_reference(&json!({ "justification": "x" }), id),
            json!({ "justification": "x", "notes": marker })
        );
        let once = with_reference(&json!({ "notes": "Pretty Please" }), id);
        assert_eq!(with_reference(&once, id), once, "added once only");
    }

    #[test]
    fn the_body_sent_names_who_approved() {
        let id = Uuid::from_u128(7);
        let body = for_submission(&documented_body(), id, "patti@contoso.com");
        assert_eq!(
            body["ticketInfo"]["ticketApproverIdentityId"],
            "patti@contoso.com"
        );
        assert!(body["notes"]
            .as_str()
            .unwrap()
            .ends_with("[access-portal:00000000-0000-0000-0000-000000000007]"));
    }

    #[tokio::test]
    async fn a_created_request_has_graphs_id_and_is_found_by_its_reference() {
        let (sim, graph, token) = sim().await;
        let reference = Uuid::new_v4();
        let body = with_reference(&documented_body(), reference);
        let created = create(&graph, &token, &body, RetryPolicy::BACKGROUND)
            .await
            .unwrap();
        assert_eq!(sim.request_ids(), std::slice::from_ref(&created.id));
        assert_eq!(created.status_detail.as_deref(), Some("submitted"));

        let found = look_for(&sim, &graph, &token, reference).await;
        assert_eq!(found.map(|r| r.id), Some(created.id));
        let other = look_for(&sim, &graph, &token, Uuid::new_v4()).await;
        assert_eq!(other, None);
    }

    #[tokio::test]
    async fn a_create_graph_throttles_is_tried_again_and_made_once() {
        let (sim, graph, token) = sim().await;
        sim.set_fault(
            RouteFamily::GraphRequests,
            once(FaultSpec {
                rate_429: 1.0,
                ..FaultSpec::default()
            }),
        )
        .unwrap();
        create(&graph, &token, &documented_body(), RetryPolicy::BACKGROUND)
            .await
            .unwrap();
        assert_eq!(posts(&sim), 2, "the throttled POST and its retry");
        assert_eq!(sim.request_ids().len(), 1);
    }

    #[tokio::test]
    async fn a_create_still_unavailable_after_the_retries_is_not_done() {
        let (sim, graph, token) = sim().await;
        sim.set_fault(
            RouteFamily::GraphRequests,
            FaultSpec {
                rate_503: 1.0,
                ..FaultSpec::default()
            },
        )
        .unwrap();
        let policy = RetryPolicy {
            max_retries: 1,
            ..RetryPolicy::BACKGROUND
        };
        let error = create(&graph, &token, &documented_body(), policy)
            .await
            .unwrap_err();
        assert_eq!(
            error,
            WriteError::NotDone(GraphError::Unavailable { status: 503 })
        );
        assert_eq!(posts(&sim), 2);
        assert!(sim.request_ids().is_empty());
    }

    #[tokio::test]
    async fn a_create_whose_connection_drops_is_outcome_unknown_and_not_repeated() {
        let (sim, graph, token) = sim().await;
        sim.set_fault(
            RouteFamily::GraphRequests,
            once(FaultSpec {
                drop_rate: 1.0,
                ..FaultSpec::default()
            }),
        )
        .unwrap();
        let reference = Uuid::new_v4();
        let body = with_reference(&documented_body(), reference);
        let error = create(&graph, &token, &body, RetryPolicy::BACKGROUND)
            .await
            .unwrap_err();
        assert_eq!(error, WriteError::OutcomeUnknown);
        assert_eq!(
            posts(&sim),
            1,
            "an unknown outcome is never repeated blindly"
        );
        // What the worker does next: look. This drop happened before Graph acted, so nothing is there.
        let found = look_for(&sim, &graph, &token, reference).await;
        assert_eq!(found, None);
    }

    #[tokio::test]
    async fn a_refused_create_keeps_graphs_message_and_is_not_repeated() {
        let (sim, graph, token) = sim().await;
        let mut body = documented_body();
        body["requestedPermissions"]["authorizationSystemInfo"]["authorizationSystemId"] =
            json!("000000000000");
        let error = create(&graph, &token, &body, RetryPolicy::BACKGROUND)
            .await
            .unwrap_err();
        let WriteError::NotDone(GraphError::Refused { status, message }) = error else {
            panic!("expected a refusal, got {error:?}");
        };
        assert_eq!(status, 400);
        assert!(message.contains("000000000000"), "{message}");
        assert_eq!(posts(&sim), 1);
    }

    #[tokio::test]
    async fn cancel_all_cancels_and_graph_refuses_a_second_one() {
        let (sim, graph, token) = sim().await;
        let created = create(&graph, &token, &documented_body(), RetryPolicy::BACKGROUND)
            .await
            .unwrap();
        // The approver's token created it, so the approver is its requestor and may cancel it.
        cancel_all(&graph, &token, &created.id, RetryPolicy::BACKGROUND)
            .await
            .unwrap();
        let listed: Value = graph
            .read(
                &token,
                &format!("{SET}/{}", created.id),
                &[],
                RetryPolicy::NEVER,
            )
            .await
            .unwrap();
        assert_eq!(listed["statusDetail"], "canceled");
        let again = cancel_all(&graph, &token, &created.id, RetryPolicy::BACKGROUND).await;
        assert!(
            matches!(
                again,
                Err(WriteError::NotDone(GraphError::Refused { status: 400, .. }))
            ),
            "{again:?}"
        );
        drop(sim);
    }
}
