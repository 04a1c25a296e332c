//! What Graph says about the signed-in person, read with their own token while they are here: their
//! manager chain (who may approve their requests) and which configured approver groups they are in
//! (whose requests they may approve). `ssr::auth::users` stores it.
//!
//! Either read failing (an error status, a timeout, a body that does not parse) is an answer of its
//! own, `Unknown`, so what is stored stays: a Graph outage must not erase who approves whom. Tried
//! once, as before: sign-in does not wait out throttling.
use serde::Deserialize;
use uuid::Uuid;

use super::{GraphClient, RetryPolicy};

/// Graph's `checkMemberGroups` takes at most this many group ids per call.
const GROUPS_PER_CHECK: usize = 20;

/// A manager as Graph's `$expand=manager` nests them: each with their own manager inside, where the
/// chain goes on.
#[derive(Debug, Clone, Deserialize)]
pub struct Manager {
    pub id: String,
    #[serde(rename = "displayName", default)]
    pub display_name: Option<String>,
    #[serde(rename = "userPrincipalName", default)]
    pub user_principal_name: Option<String>,
    #[serde(default)]
    pub manager: Option<Box<Manager>>,
}

/// `/me` with only what the expansion brings.
#[derive(Debug, Deserialize)]
struct MeWithManagers {
    /// Absent (or null) when Graph names no manager.
    #[serde(default)]
    manager: Option<Manager>,
}

/// What Graph said about a person's manager chain.
#[derive(Debug, Clone)]
pub enum ManagerAnswer {
    /// The manager and their manager, each `None` where Graph names nobody: Graph's "no manager"
    /// answer clears what is stored.
    Chain {
        manager: Option<Manager>,
        managers_manager: Option<Manager>,
    },
    /// Graph could not say. What is stored is kept.
    Unknown,
}

/// What Graph said about the person's membership of the configured approver groups.
#[derive(Debug, Clone)]
pub enum GroupsAnswer {
    /// The configured groups the person is in, transitively (none when none are configured).
    MemberOf(Vec<Uuid>),
    /// Graph could not say: what is stored is kept.
    Unknown,
}

/// `GET /me?$select=id&$expand=manager($levels=2;$select=...)` with the person's own token: the
/// manager and the manager's manager in one answer, so the two cannot come from different moments.
/// `$levels` is one of Graph's advanced queries, hence `ConsistencyLevel: eventual`.
pub async fn managers(graph: &GraphClient, access_token: &str) -> ManagerAnswer {
    let answer = graph
        .read(
            access_token,
            "me?$select=id&$expand=manager($levels=2;$select=id,displayName,userPrincipalName)",
            &[("ConsistencyLevel", "eventual")],
            RetryPolicy::NEVER,
        )
        .await
        .and_then(|value| {
            serde_json::from_value::<MeWithManagers>(value).map_err(|_| super::GraphError::Decode)
        });
    match answer {
        Ok(me) => {
            let mut manager = me.manager;
            let managers_manager = manager.as_mut().and_then(|m| m.manager.take()).map(|m| *m);
            ManagerAnswer::Chain {
                manager,
                managers_manager,
            }
        }
        Err(e) => {
            tracing::warn!(error = ?e, "could not read the manager chain from Graph; keeping the stored one");
            ManagerAnswer::Unknown
        }
    }
}

#[derive(Debug, Deserialize)]
struct GroupIds {
    value: Vec<Uuid>,
}

/// `POST /me/checkMemberGroups`: which of `groups` the person is in, directly or through nested
/// groups. About the signed-in person it needs only `User.Read`, where asking about someone else
/// needs `GroupMember.Read.All`. A POST that only reads: a lost answer is just no answer.
pub async fn approver_groups(
    graph: &GraphClient,
    access_token: &str,
    groups: &[Uuid],
) -> GroupsAnswer {
    let mut member_of = Vec::new();
    for chunk in groups.chunks(GROUPS_PER_CHECK) {
        let body = serde_json::json!({ "groupIds": chunk });
        let answer = graph
            .post(
                access_token,
                "me/checkMemberGroups",
                Some(&body),
                RetryPolicy::NEVER,
            )
            .await
            .map_err(|e| e.to_string())
            .and_then(|value| serde_json::from_value::<GroupIds>(value).map_err(|e| e.to_string()));
        match answer {
            // Only ids that were asked about: the answer decides who may approve.
            Ok(found) => member_of.extend(found.value.into_iter().filter(|g| chunk.contains(g))),
            Err(e) => {
                tracing::warn!(error = ?e, "could not read approver groups from Graph; keeping the stored ones");
                return GroupsAnswer::Unknown;
            }
        }
    }
    GroupsAnswer::MemberOf(member_of)
}
