//! PIM for Microsoft Entra roles (Graph v1.0 `roleManagement/directory`): the writes a submission
//! worker and a requester's cancel make to `roleAssignmentScheduleRequests`, and the read the status
//! poller makes of each.
//!
//! - An activation (`selfActivate`) must come from the principal, so it goes with the requester's own
//!   token. Its body is the request's frozen `graph_body` with the portal's reference at the end of
//!   `justification` ([`with_reference`]), the one free text PIM keeps and shows; after a lost answer
//!   [`find_by_reference`] looks among the requester's own requests for it.
//! - PIM answers a token that lacks what the role's policy asks with a claims challenge
//!   ([`challenge_in`]): the request then waits for the requester's second sign-in.
//! - A requester ends their request with `cancel` while PIM has not activated it yet, and with a
//!   `selfDeactivate` request once it is active.
use serde::Deserialize;
use serde_json::{json, Value};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{encode, GraphClient, GraphError, RetryPolicy, WriteError};
use crate::domain::lifecycle::{GraphStatus, GraphStatusDetail, OccurrenceStatus};

/// `access_requests.cloud` of a request for a Microsoft Entra role.
pub const CLOUD: &str = crate::domain::ids::CloudKind::Entra.as_str();

const SET: &str = "roleManagement/directory/roleAssignmentScheduleRequests";

/// At most this many pages are read looking for a reference (PIM pages by 50 or more; one person
/// has few requests for one role).
const MAX_PAGES: usize = 10;

/// The longest claims challenge the portal keeps and sends back to the authority.
pub const CLAIMS_MAX: usize = 2048;

/// A `unifiedRoleAssignmentScheduleRequest` as Graph answers it, the parts the portal reads.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScheduleRequest {
    pub id: String,
    pub status: String,
    #[serde(default)]
    pub action: Option<String>,
    #[serde(default)]
    pub justification: Option<String>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub created_date_time: Option<OffsetDateTime>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub completed_date_time: Option<OffsetDateTime>,
}

/// How the portal's id reads in `justification`.
pub fn reference_marker(reference: Uuid) -> String {
    format!("[access-portal:{reference}]")
}

/// `body` with the portal's reference at the end of its `justification`; unchanged when it is
/// already there.
pub fn with_reference(body: &Value, reference: Uuid) -> Value {
    let mut body = body.clone();
    let marker = reference_marker(reference);
    if let Value::Object(fields) = &mut body {
        let justification = match fields.get("justification").and_then(Value::as_str) {
            Some(text) if text.contains(&marker) => return body,
            Some(text) if !text.trim().is_empty() => format!("{text} {marker}"),
            _ => marker,
        };
        fields.insert("justification".to_owned(), Value::String(justification));
    }
    body
}

/// What a refused activation asks of the requester's next sign-in: the OIDC `claims` parameter.
///
/// PIM says it in the error message: `RoleAssignmentRequestAcrsValidationFailed` carries
/// `&claims=<percent-encoded JSON>` (an authentication context the token lacks); a policy's MFA rule
/// (`MfaRule` among the failed rules) carries none, so `mfa_claims` (configuration) is asked then.
/// `None` when the refusal is about something a second sign-in cannot fix. A challenge is kept only
/// when it is a JSON object of bounded size.
pub fn challenge_in(message: &str, mfa_claims: &str) -> Option<String> {
    if let Some(start) = message.find("claims=") {
        let rest = &message[start + "claims=".len()..];
        let end = rest
            .find(|c: char| c.is_whitespace() || c == '&' || c == '"' || c == '\'')
            .unwrap_or(rest.len());
        let decoded = percent_encoding::percent_decode_str(&rest[..end])
            .decode_utf8()
            .ok()?;
        return json_object(&decoded);
    }
    if message.contains("MfaRule") {
        return json_object(mfa_claims);
    }
    None
}

/// `text` when it is a JSON object no longer than [`CLAIMS_MAX`], written compactly.
fn json_object(text: &str) -> Option<String> {
    match serde_json::from_str::<Value>(text.trim()) {
        Ok(value @ Value::Object(_)) => {
            let compact = value.to_string();
            (compact.len() <= CLAIMS_MAX).then_some(compact)
        }
        _ => None,
    }
}

/// `POST …/roleAssignmentScheduleRequests` with `body` (the frozen `selfActivate`, with its
/// reference) and the requester's token.
pub async fn activate(
    graph: &GraphClient,
    token: &str,
    body: &Value,
    policy: RetryPolicy,
) -> Result<ScheduleRequest, WriteError> {
    graph.post_as(token, SET, body, policy).await
}

/// `POST …/roleAssignmentScheduleRequests/{id}/cancel` (204): withdraws an activation PIM has not
/// made active yet (waiting for PIM's approver, or for its start).
pub async fn cancel(
    graph: &GraphClient,
    token: &str,
    graph_id: &str,
    policy: RetryPolicy,
) -> Result<(), WriteError> {
    let path = format!("{SET}/{}/cancel", encode(graph_id));
    graph.post(token, &path, None, policy).await.map(|_| ())
}

/// A `selfDeactivate` of the role and scope `activation` (a stored `selfActivate` body) names: ends
/// an active assignment now. Graph answers with a new request (status `Revoked`).
pub async fn deactivate(
    graph: &GraphClient,
    token: &str,
    activation: &Value,
    policy: RetryPolicy,
) -> Result<ScheduleRequest, WriteError> {
    let field = |name: &str| activation.get(name).cloned().unwrap_or(Value::Null);
    let body = json!({
        "action": "selfDeactivate",
        "principalId": field("principalId"),
        "roleDefinitionId": field("roleDefinitionId"),
        "directoryScopeId": field("directoryScopeId"),
    });
    graph.post_as(token, SET, &body, policy).await
}

/// `GET …/roleAssignmentScheduleRequests/{id}`, fresh.
pub async fn get(
    graph: &GraphClient,
    token: &str,
    graph_id: &str,
    policy: RetryPolicy,
) -> Result<ScheduleRequest, GraphError> {
    let value = graph
        .read(token, &format!("{SET}/{}", encode(graph_id)), &[], policy)
        .await?;
    serde_json::from_value(value).map_err(|_| GraphError::Decode)
}

/// Whether the assignment activation `graph_id` (of the role and scope `activation` names) made is
/// still in `roleAssignmentScheduleInstances`. Real PIM may leave an ended activation's request
/// `Provisioned`; what is certain is that its instance is gone, so that is how an end is seen.
pub async fn instance_exists(
    graph: &GraphClient,
    token: &str,
    graph_id: &str,
    activation: &Value,
    policy: RetryPolicy,
) -> Result<bool, GraphError> {
    let field = |name: &str| {
        activation
            .get(name)
            .and_then(Value::as_str)
            .unwrap_or_default()
    };
    let filter = format!(
        "principalId eq {} and roleDefinitionId eq {} and directoryScopeId eq {}",
        super::literal(field("principalId")),
        super::literal(field("roleDefinitionId")),
        super::literal(field("directoryScopeId")),
    );
    let path = format!(
        "roleManagement/directory/roleAssignmentScheduleInstances?$filter={}",
        encode(&filter)
    );
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Instance {
        #[serde(default)]
        role_assignment_schedule_id: Option<String>,
        #[serde(default)]
        assignment_type: Option<String>,
    }
    let instances: Vec<Instance> = graph.read_all(token, &path, MAX_PAGES, policy).await?;
    Ok(instances.iter().any(|i| {
        i.assignment_type.as_deref() == Some("Activated")
            && i.role_assignment_schedule_id.as_deref() == Some(graph_id)
    }))
}

/// The request carrying `reference` in its justification among the token owner's own requests for
/// the role `activation` names, if PIM has one.
pub async fn find_by_reference(
    graph: &GraphClient,
    token: &str,
    reference: Uuid,
    activation: &Value,
    policy: RetryPolicy,
) -> Result<Option<ScheduleRequest>, GraphError> {
    let role = activation
        .get("roleDefinitionId")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let path = format!(
        "{SET}/filterByCurrentUser(on='principal')?$filter={}",
        encode(&format!("roleDefinitionId eq {}", super::literal(role)))
    );
    let marker = reference_marker(reference);
    let found: Vec<ScheduleRequest> = graph
        .read_all::<ScheduleRequest>(token, &path, MAX_PAGES, policy)
        .await?
        .into_iter()
        .filter(|r| r.action.as_deref().unwrap_or("selfActivate") == "selfActivate")
        .filter(|r| {
            r.justification
                .as_deref()
                .is_some_and(|j| j.contains(&marker))
        })
        .collect();
    if found.len() > 1 {
        tracing::warn!(%reference, count = found.len(), "several PIM requests carry one portal reference; taking the first");
    }
    Ok(found.into_iter().next())
}

/// PIM's `status` of an activation in the terms the portal keeps for every target: where the
/// request stands (`statusDetail`) and whether access is held (`activeOccurrenceStatus`).
///
/// | PIM | detail | access |
/// | --- | --- | --- |
/// | PendingApproval, PendingAdminDecision | submitted | – |
/// | Granted, PendingScheduleCreation, ScheduleCreated (approved, not started) | approved | – |
/// | PendingProvisioning | approved | granting |
/// | Provisioned | approved | granted |
/// | Revoked (ended, or deactivated) | completed | revoked |
/// | Failed | completed | granting failed |
/// | Canceled | canceled | – |
/// | Denied | rejected | – |
///
/// A status PIM adds later is `unknownFutureValue`, as OData's evolvable enums intend.
pub fn status_of(pim_status: &str) -> GraphStatus {
    use GraphStatusDetail as D;
    use OccurrenceStatus as O;
    let (detail, occurrence) = match pim_status {
        "PendingApproval" | "PendingAdminDecision" => (D::Submitted, None),
        "Granted" | "PendingScheduleCreation" | "ScheduleCreated" => (D::Approved, None),
        "PendingProvisioning" => (D::Approved, Some(O::Granting)),
        "Provisioned" => (D::Approved, Some(O::Granted)),
        "Revoked" => (D::Completed, Some(O::Revoked)),
        "Failed" => (D::Completed, Some(O::GrantingFailed)),
        "Canceled" => (D::Canceled, None),
        "Denied" => (D::Rejected, None),
        _ => (D::UnknownFutureValue, None),
    };
    GraphStatus { detail, occurrence }
}

/// Whether PIM has made the activation active (or is making it): ending it is a `selfDeactivate`,
/// not a `cancel`.
pub fn is_active(graph: Option<GraphStatus>) -> bool {
    graph
        .and_then(|g| g.occurrence)
        .is_some_and(OccurrenceStatus::is_active)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reference_ends_the_justification_once() {
        let id = Uuid::from_u128(7);
        let marker = "[access-portal:00000000-0000-0000-0000-000000000007]";
        let body = json!({ "action": "selfActivate", "justification": "Rotate the keys" });
        let once = with_reference(&body, id);
        assert_eq!(
            once["justification"],
            format!("Rotate the keys {marker}").as_str()
        );
        assert_eq!(with_reference(&once, id), once);
        assert_eq!(
            with_reference(&json!({ "action": "selfActivate" }), id)["justification"],
            marker
        );
    }

    const MFA: &str = r#"{"access_token":{"acrs":{"essential":true,"value":"c1"}}}"#;

    #[test]
    fn a_claims_challenge_is_read_from_pims_message() {
        let message = "&claims=%7B%22access_token%22%3A%7B%22acrs%22%3A%7B%22essential%22%3Atrue%2C%22value%22%3A%22c2%22%7D%7D%7D";
        assert_eq!(
            challenge_in(message, MFA).as_deref(),
            Some(r#"{"access_token":{"acrs":{"essential":true,"value":"c2"}}}"#)
        );
        // Words around it, and Graph's spaces after commas, as users report real PIM sending it.
        let spaced = "Authentication context required &claims=%7B%22access_token%22%3A%7B%22acrs%22%3A%7B%22essential%22%3Atrue%2C%20%22value%22%3A%22c1%22%7D%7D%7D please";
        assert_eq!(challenge_in(spaced, "{}").as_deref(), Some(MFA));
    }

    #[test]
    fn an_mfa_rule_asks_the_configured_claims_and_other_refusals_ask_nothing() {
        let mfa = r#"The following policy rules failed: ["MfaRule"]"#;
        assert_eq!(challenge_in(mfa, MFA).as_deref(), Some(MFA));
        let other = r#"The following policy rules failed: ["ExpirationRule","TicketingRule"]"#;
        assert_eq!(challenge_in(other, MFA), None);
        assert_eq!(
            challenge_in("The Role assignment already exists", MFA),
            None
        );
    }

    #[test]
    fn a_challenge_that_is_not_a_json_object_or_too_long_is_not_kept() {
        assert_eq!(challenge_in("&claims=%5B1%2C2%5D", MFA), None);
        assert_eq!(challenge_in("&claims=not-json", MFA), None);
        assert_eq!(challenge_in("&claims=%FF%FE", MFA), None);
        let long = format!(
            "&claims={}",
            encode(&format!(
                r#"{{"access_token":{{"x":"{}"}}}}"#,
                "a".repeat(CLAIMS_MAX)
            ))
        );
        assert_eq!(challenge_in(&long, MFA), None);
        // A misconfigured MFA claims value asks nothing rather than something broken.
        assert_eq!(challenge_in(r#"["MfaRule"]"#, "c1"), None);
    }

    #[test]
    fn each_pim_status_reads_as_a_detail_and_an_access_state() {
        use GraphStatusDetail as D;
        use OccurrenceStatus as O;
        let cases = [
            ("PendingApproval", D::Submitted, None),
            ("PendingAdminDecision", D::Submitted, None),
            ("Granted", D::Approved, None),
            ("ScheduleCreated", D::Approved, None),
            ("PendingProvisioning", D::Approved, Some(O::Granting)),
            ("Provisioned", D::Approved, Some(O::Granted)),
            ("Revoked", D::Completed, Some(O::Revoked)),
            ("Failed", D::Completed, Some(O::GrantingFailed)),
            ("Canceled", D::Canceled, None),
            ("Denied", D::Rejected, None),
            ("SomethingNew", D::UnknownFutureValue, None),
        ];
        for (pim, detail, occurrence) in cases {
            assert_eq!(status_of(pim), GraphStatus { detail, occurrence }, "{pim}");
        }
        assert!(is_active(Some(status_of("Provisioned"))));
        assert!(is_active(Some(status_of("PendingProvisioning"))));
        assert!(!is_active(Some(status_of("Granted"))));
        assert!(!is_active(Some(status_of("Revoked"))));
        assert!(!is_active(None));
    }
}
