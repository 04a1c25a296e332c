//! The inventory server functions against the stand-in's seed: clouds, systems with the reason some
//! cannot be chosen, identities (own first), paged, server-side searches, and Graph's throttling.
use entra_sim::{
    people::{ALEX, MEGAN},
    FaultSpec, RouteFamily,
};
use serde_json::{json, Value};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use super::{
    harness::browser,
    oidc_world::World,
    requests::{call, form_call, signed_in, world_as},
};

fn strings(v: &Value, key: &str) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|i| i[key].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[sqlx::test(migrations = false)]
async fn clouds_and_systems_say_which_can_be_chosen_and_why_not(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let (world, alex) = world_as(connect, ALEX).await;
    let (status, clouds) = form_call(&world, &alex, "inventory_clouds", &[]).await;
    assert_eq!(status, 200, "{clouds:#}");
    assert_eq!(strings(&clouds, "cloud"), ["aws", "azure", "gcp", "entra"]);
    assert_eq!(clouds[0]["systems"], 4);
    assert_eq!(clouds[0]["requestable"], 1);

    let (_, systems) = form_call(&world, &alex, "inventory_systems", &[("cloud", "aws")]).await;
    let systems = systems.as_array().unwrap();
    assert_eq!(systems[0]["id"], "956987887735");
    assert!(systems[0]["disabled_reason"].is_null());
    let reason = |id: &str| {
        systems.iter().find(|s| s["id"] == id).unwrap()["disabled_reason"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(reason("377596131774"), "It is offline");
    assert_eq!(
        reason("123456789012"),
        "Permissions modification is not configured"
    );
    assert_eq!(
        reason("210987654321"),
        "Data collection is not set up for it"
    );
}

#[sqlx::test(migrations = false)]
async fn identities_are_searched_by_name_or_external_id_with_ones_own_first(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let (world, alex) = world_as(connect, ALEX).await;
    let search = |q: &'static str| {
        let alex = alex.clone();
        let world = &world;
        async move {
            form_call(
                world,
                &alex,
                "inventory_identities",
                &[("cloud", "aws"), ("system", "956987887735"), ("q", q)],
            )
            .await
        }
    };
    let (status, all) = search("").await;
    assert_eq!(status, 200, "{all:#}");
    assert_eq!(all["items"][0]["external_id"], "rsn:alex@contoso.com");
    assert_eq!(all["items"][0]["own"], true);
    let (_, by_name) = search("megan").await;
    assert_eq!(
        strings(&by_name["items"], "external_id"),
        ["rsn:megan@contoso.com"]
    );
    let (_, by_arn) = search("role/saml").await;
    assert_eq!(by_arn["items"][0]["identity_type"], "role");
    let (_, none) = search("zzz-nobody").await;
    assert_eq!(none["items"].as_array().unwrap().len(), 0);

    // Megan is not in the GCP project's identities under another name: her own comes first there too.
    let megan = signed_in(&world, MEGAN).await;
    let (_, gcp) = form_call(
        &world,
        &megan,
        "inventory_identities",
        &[
            ("cloud", "gcp"),
            ("system", "carbide-bonsai-205017"),
            ("q", ""),
        ],
    )
    .await;
    assert_eq!(gcp["items"][0]["external_id"], "megan@contoso.com");
}

#[sqlx::test(migrations = false)]
async fn actions_are_searched_a_page_at_a_time_with_severity_and_type(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let (world, alex) = world_as(connect, ALEX).await;
    let s3_actions = |next: String| {
        let (world, alex) = (&world, &alex);
        async move {
            let fields = [
                ("what", "aws_statements"),
                ("system", "956987887735"),
                ("q", "s3:"),
                ("next", next.as_str()),
            ];
            form_call(world, alex, "inventory_items", &fields).await
        }
    };
    let (status, first) = s3_actions(String::new()).await;
    assert_eq!(status, 200, "{first:#}");
    let items = first["items"].as_array().unwrap();
    assert_eq!(items.len(), 25);
    assert!(first["total"].as_u64().unwrap() > 25);
    let delete = items.iter().find(|i| i["id"] == "s3:DeleteBucket").unwrap();
    assert_eq!(delete["severity"], "high");
    assert_eq!(delete["action_type"], "delete");
    let next = first["next"].as_str().unwrap().to_owned();
    let (_, second) = s3_actions(next).await;
    let second_ids = strings(&second["items"], "id");
    assert!(!second_ids.is_empty());
    assert!(second_ids
        .iter()
        .all(|id| !strings(&first["items"], "id").contains(id)));

    let (_, roles) = form_call(
        &world,
        &alex,
        "inventory_roles",
        &[
            ("system", "956987887735"),
            ("identity", "rsn:alex@contoso.com"),
        ],
    )
    .await;
    assert!(strings(&roles, "id").contains(&"arn:aws:iam::956987887735:role/saml-user".to_owned()));

    let (_, gcp_roles) = form_call(
        &world,
        &alex,
        "inventory_items",
        &[
            ("what", "gcp_roles"),
            ("system", "carbide-bonsai-205017"),
            ("q", "viewer"),
        ],
    )
    .await;
    assert!(
        strings(&gcp_roles["items"], "id").contains(&"roles/viewer".to_owned()),
        "{gcp_roles:#}"
    );
}

/// How many inventory requests the stand-in received, and how many of them it throttled.
fn inventory_requests(world: &World) -> (usize, usize) {
    let received: Vec<_> = world
        .sim
        .received()
        .into_iter()
        .filter(|r| r.family == RouteFamily::GraphInventory.name())
        .collect();
    let throttled = received
        .iter()
        .filter(|r| r.fault.as_deref() == Some("429"))
        .count();
    (received.len(), throttled)
}

/// The clouds read while the stand-in throttles inventory reads (`times` times, or always), with
/// Retry-After: 1.
async fn clouds_while_throttled(world: &World, times: Option<u64>) -> (u16, Value) {
    let alex = signed_in(world, ALEX).await;
    world
        .sim
        .set_fault(
            RouteFamily::GraphInventory,
            FaultSpec {
                rate_429: 1.0,
                retry_after_seconds: 1,
                times,
                ..Default::default()
            },
        )
        .unwrap();
    form_call(world, &alex, "inventory_clouds", &[]).await
}

#[sqlx::test(migrations = false)]
async fn an_inventory_read_throttled_once_is_retried_and_succeeds(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let world = World::start(connect).await;
    let (status, clouds) = clouds_while_throttled(&world, Some(1)).await;
    assert_eq!(status, 200, "{clouds:#}");
    assert_eq!(strings(&clouds, "cloud"), ["aws", "azure", "gcp", "entra"]);
    assert_eq!(
        inventory_requests(&world),
        (2, 1),
        "one throttled, one retry"
    );
}

#[sqlx::test(migrations = false)]
async fn an_inventory_read_that_stays_throttled_gives_up_after_two_retries_saying_how_long_to_wait(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let world = World::start(connect).await;
    let (status, error) = clouds_while_throttled(&world, None).await;
    assert_eq!(status, 502, "{error:#}");
    let message = error.to_string();
    assert!(
        message.contains("Microsoft Graph is busy (it asks to wait 1 s)"),
        "{message}"
    );
    assert_eq!(
        inventory_requests(&world),
        (3, 3),
        "the first try and two retries"
    );
}

/// `inventory_chosen`: the page asks it for the names of chosen items it knows only by id.
#[sqlx::test(migrations = false)]
async fn chosen_items_are_named_from_their_ids_within_the_clouds_limit_for_signed_in_people_only(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let (world, alex) = world_as(connect, ALEX).await;
    let azure = "87eefd90-95a3-480a-ba42-56ff299a05ee";
    let cost_reader = "72fafb9e-0641-4937-9268-a91bfd8191a3";
    let chosen = |what: &str, system: &str, ids: Vec<String>| json!({ "what": what, "system": system, "ids": ids });
    // A role by its id, an id the system does not have (left out), blanks and a repeat ignored.
    let (status, named) = call(
        &world,
        &alex,
        "inventory_chosen",
        chosen(
            "azure_roles",
            azure,
            vec![
                cost_reader.into(),
                "00000000-0000-4000-8000-000000000000".into(),
                " ".into(),
                cost_reader.into(),
            ],
        ),
    )
    .await;
    assert_eq!(status, 200, "{named:#}");
    assert_eq!(strings(&named, "id"), [cost_reader]);
    assert_eq!(named[0]["name"], "Cost Management Reader");
    // Actions come with their severity, as the search gives them.
    let (status, actions) = call(
        &world,
        &alex,
        "inventory_chosen",
        chosen(
            "gcp_actions",
            "carbide-bonsai-205017",
            vec!["aiplatform.datasets.delete".into()],
        ),
    )
    .await;
    assert_eq!(status, 200, "{actions:#}");
    assert_eq!(actions[0]["severity"], "high", "{actions:#}");
    // Nothing chosen: nothing asked of Graph, nothing answered.
    let (status, none) = call(
        &world,
        &alex,
        "inventory_chosen",
        chosen("aws_policies", "956987887735", vec![]),
    )
    .await;
    assert_eq!((status, none), (200, json!([])));

    // Refusals, each in words: more ids than a request may name, an id longer than any, no such
    // kind, no such system, and nobody signed in.
    let many: Vec<String> = (0..101)
        .map(|i| format!("arn:aws:iam::aws:policy/P{i}"))
        .collect();
    let (status, refused) = call(
        &world,
        &alex,
        "inventory_chosen",
        chosen("aws_policies", "956987887735", many),
    )
    .await;
    assert_eq!(status, 400, "{refused:#}");
    assert!(refused.to_string().contains("At most 100"), "{refused:#}");
    let (status, refused) = call(
        &world,
        &alex,
        "inventory_chosen",
        chosen("aws_policies", "956987887735", vec!["a".repeat(3000)]),
    )
    .await;
    assert_eq!(status, 400, "{refused:#}");
    let (status, refused) = call(
        &world,
        &alex,
        "inventory_chosen",
        chosen("nonsense", azure, vec![cost_reader.into()]),
    )
    .await;
    assert_eq!(status, 400, "{refused:#}");
    let (status, refused) = call(
        &world,
        &alex,
        "inventory_chosen",
        chosen(
            "azure_roles",
            "no-such-subscription",
            vec![cost_reader.into()],
        ),
    )
    .await;
    assert_eq!(status, 404, "{refused:#}");
    let (status, _) = call(
        &world,
        &browser(),
        "inventory_chosen",
        chosen("azure_roles", azure, vec![cost_reader.into()]),
    )
    .await;
    assert_eq!(status, 401);
}
