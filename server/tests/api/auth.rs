//! Sign-in against the Entra stand-in over HTTP: the happy path for every seeded person, and each way a
//! callback can be forged or replayed, refused with a page and no session.
use entra_sim::{
    groups::CLOUD_ACCESS_APPROVERS,
    people::{self, ADELE, ALEX, BIANCA, LEE, MEGAN, NESTOR, PATTI},
    FaultSpec, RouteFamily,
};
use serde_json::Value;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use super::{
    harness::{browser, Logs},
    oidc_world::{location, Tamper, World},
};

async fn me(world: &World, browser: &reqwest::Client) -> reqwest::Response {
    browser.get(world.app.url("/api/me")).send().await.unwrap()
}

/// No trace of a sign-in: not signed in, no user row, no tokens.
async fn assert_not_signed_in(world: &World, browser: &reqwest::Client, oid: &str) {
    assert_eq!(me(world, browser).await.status(), 401);
    let oid = uuid::Uuid::parse_str(oid).unwrap();
    let users: i64 = sqlx::query_scalar("select count(*) from users where oid = $1")
        .bind(oid)
        .fetch_one(&world.app.pool)
        .await
        .unwrap();
    let tokens: i64 = sqlx::query_scalar("select count(*) from user_tokens where oid = $1")
        .bind(oid)
        .fetch_one(&world.app.pool)
        .await
        .unwrap();
    assert_eq!(
        (users, tokens),
        (0, 0),
        "a refused sign-in left rows behind"
    );
}

async fn page_text(response: reqwest::Response) -> (u16, String) {
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

#[sqlx::test(migrations = false)]
async fn every_seeded_person_signs_in_with_their_name_and_mapped_roles(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let world = World::start(connect).await;
    for person in people::all() {
        let b = browser();
        let callback = world.sign_in(&b, person.oid).await;
        assert_eq!(callback.status(), 303, "{}", person.upn);
        assert_eq!(location(&callback), "/");

        let viewer: Value = me(&world, &b).await.json().await.unwrap();
        assert_eq!(viewer["oid"], person.oid);
        assert_eq!(viewer["upn"], person.upn);
        assert_eq!(viewer["name"], person.display_name);
        let roles: Vec<&str> = viewer["roles"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r.as_str().unwrap())
            .collect();
        let mut expected = vec!["requester"];
        for claim in person.roles {
            match *claim {
                "Approver" => expected.push("approver"),
                "Auditor" => expected.push("auditor"),
                "Admin" => expected.push("admin"),
                _ => {}
            }
        }
        assert_eq!(roles, expected, "{}", person.upn);
        assert!(viewer.get("access_token").is_none() && viewer.get("refresh_token").is_none());
    }
}

#[sqlx::test(migrations = false)]
async fn sign_in_records_the_person_and_their_manager_from_graph(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let world = World::start(connect).await;
    let alex = people::by_oid(ALEX).unwrap();
    let manager = people::by_oid(alex.manager.unwrap()).unwrap();
    world.sign_in(&browser(), ALEX).await;
    let (upn, manager_upn, manager_oid): (String, Option<String>, Option<uuid::Uuid>) =
        sqlx::query_as("select upn, manager_upn, manager_oid from users where oid = $1")
            .bind(uuid::Uuid::parse_str(ALEX).unwrap())
            .fetch_one(&world.app.pool)
            .await
            .unwrap();
    assert_eq!(upn, alex.upn);
    assert_eq!(manager_upn.as_deref(), Some(manager.upn));
    assert_eq!(
        manager_oid.map(|o| o.to_string()).as_deref(),
        Some(manager.oid)
    );
    let (_, managers_manager) = stored_managers(&world, ALEX).await;
    assert_eq!(
        managers_manager.map(|(oid, upn)| (oid.to_string(), upn)),
        Some((NESTOR.to_owned(), "nestor@contoso.com".to_owned()))
    );
}

#[sqlx::test(migrations = false)]
async fn approver_groups_are_learned_at_sign_in_and_kept_when_graph_fails(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let approvers: uuid::Uuid = CLOUD_ACCESS_APPROVERS.parse().unwrap();
    let world = World::start_with(connect, move |config| {
        config.requests.approvers.groups = vec![approvers];
    })
    .await;
    let groups = || async {
        let groups: Vec<uuid::Uuid> =
            sqlx::query_scalar("select approver_groups from users where oid = $1")
                .bind(uuid::Uuid::parse_str(BIANCA).unwrap())
                .fetch_one(&world.app.pool)
                .await
                .unwrap();
        groups
    };
    assert_eq!(world.sign_in(&browser(), BIANCA).await.status(), 303);
    assert_eq!(
        groups().await,
        [approvers],
        "through the nested Analytics Leads"
    );
    world
        .sim
        .set_fault(
            RouteFamily::Me,
            FaultSpec {
                rate_503: 1.0,
                retry_after_seconds: 1,
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(world.sign_in(&browser(), BIANCA).await.status(), 303);
    world.sim.clear_faults();
    assert_eq!(groups().await, [approvers]);
}

type Link = Option<(uuid::Uuid, String)>;

/// The manager and the manager's manager stored for `oid`, each as `(oid, upn)`.
async fn stored_managers(world: &World, oid: &str) -> (Link, Link) {
    let row: (
        Option<uuid::Uuid>,
        Option<String>,
        Option<uuid::Uuid>,
        Option<String>,
    ) = sqlx::query_as(
        "select manager_oid, manager_upn, managers_manager_oid, managers_manager_upn
             from users where oid = $1",
    )
    .bind(uuid::Uuid::parse_str(oid).unwrap())
    .fetch_one(&world.app.pool)
    .await
    .unwrap();
    (row.0.zip(row.1), row.2.zip(row.3))
}

#[sqlx::test(migrations = false)]
async fn a_graph_error_at_sign_in_keeps_the_stored_manager(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let world = World::start(connect).await;
    assert_eq!(world.sign_in(&browser(), ALEX).await.status(), 303);
    let before = stored_managers(&world, ALEX).await;
    let upn = |link: &Link| link.as_ref().map(|(_, upn)| upn.clone());
    assert_eq!(
        (upn(&before.0), upn(&before.1)),
        (
            Some("megan@contoso.com".to_owned()),
            Some("nestor@contoso.com".to_owned())
        )
    );

    for status in [500, 503] {
        world
            .sim
            .set_fault(
                RouteFamily::Me,
                FaultSpec {
                    rate_500: if status == 500 { 1.0 } else { 0.0 },
                    rate_503: if status == 503 { 1.0 } else { 0.0 },
                    retry_after_seconds: 1,
                    ..Default::default()
                },
            )
            .unwrap();
        // Graph failing does not block sign-in, and what it said last time stays.
        assert_eq!(world.sign_in(&browser(), ALEX).await.status(), 303);
        world.sim.clear_faults();
        assert_eq!(
            stored_managers(&world, ALEX).await,
            before,
            "after a {status}"
        );
    }
}

#[sqlx::test(migrations = false)]
async fn a_person_graph_says_has_no_manager_is_stored_without_one(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let world = World::start(connect).await;
    // Patti once had a manager (and theirs); Graph now names none.
    sqlx::query(
        "insert into users (oid, tenant_id, display_name, upn, manager_oid, manager_upn,
             managers_manager_oid, managers_manager_upn)
         values ($1, $2, 'Patti Fernandez', 'patti@contoso.com', $3, 'nestor@contoso.com',
             $3, 'nestor@contoso.com')",
    )
    .bind(uuid::Uuid::parse_str(PATTI).unwrap())
    .bind(uuid::Uuid::parse_str(world.sim.tenant_id()).unwrap())
    .bind(uuid::Uuid::parse_str(NESTOR).unwrap())
    .execute(&world.app.pool)
    .await
    .unwrap();
    assert_eq!(world.sign_in(&browser(), PATTI).await.status(), 303);
    assert_eq!(stored_managers(&world, PATTI).await, (None, None));
}

#[sqlx::test(migrations = false)]
async fn the_session_id_changes_at_sign_in(_: PgPoolOptions, connect: PgConnectOptions) {
    let world = World::start(connect).await;
    let b = browser();
    let login = b.get(world.app.url("/auth/login")).send().await.unwrap();
    let before = session_cookie(&login).expect("the pending login lives in a session");
    let callback_url = {
        let authorize = location(&login);
        let mut url = reqwest::Url::parse(&authorize).unwrap();
        let mut form: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        form.push(("login_as".into(), LEE.into()));
        url.set_query(None);
        location(&b.post(url).form(&form).send().await.unwrap())
    };
    let callback = b.get(callback_url).send().await.unwrap();
    let after = session_cookie(&callback).expect("sign-in sets a new session cookie");
    assert_ne!(before, after);
}

fn session_cookie(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("portal_session="))
        .map(|c| c.split(';').next().unwrap_or_default().to_string())
}

#[sqlx::test(migrations = false)]
async fn a_tampered_state_is_refused_without_a_session(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let world = World::start(connect).await;
    let b = browser();
    let callback = world.authorize(&b, ALEX).await;
    let mut url = reqwest::Url::parse(&callback).unwrap();
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .map(|(k, v)| {
            if k == "state" {
                (k.into_owned(), format!("{v}x"))
            } else {
                (k.into_owned(), v.into_owned())
            }
        })
        .collect();
    url.query_pairs_mut().clear().extend_pairs(pairs);
    let (status, page) = page_text(b.get(url).send().await.unwrap()).await;
    assert_eq!(status, 400);
    assert!(
        page.contains("did not match this browser session"),
        "{page}"
    );
    assert_not_signed_in(&world, &b, ALEX).await;
}

#[sqlx::test(migrations = false)]
async fn a_replayed_callback_is_refused(_: PgPoolOptions, connect: PgConnectOptions) {
    let world = World::start(connect).await;
    let b = browser();
    let callback = world.authorize(&b, ALEX).await;
    assert_eq!(b.get(&callback).send().await.unwrap().status(), 303);

    // The same browser again: its pending login was used up.
    let (status, page) = page_text(b.get(&callback).send().await.unwrap()).await;
    assert_eq!(status, 400);
    assert!(page.contains("expired or was already used"), "{page}");

    // Another browser replaying the captured URL gets nothing either.
    let thief = browser();
    let (status, _) = page_text(thief.get(&callback).send().await.unwrap()).await;
    assert_eq!(status, 400);
    assert_eq!(me(&world, &thief).await.status(), 401);
}

#[sqlx::test(migrations = false)]
async fn a_callback_in_a_browser_without_the_pkce_verifier_is_refused(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let world = World::start(connect).await;
    // The code and state were made for one browser session; another one has no verifier to redeem them.
    let callback = world.authorize(&browser(), MEGAN).await;
    let other = browser();
    let (status, page) = page_text(other.get(&callback).send().await.unwrap()).await;
    assert_eq!(status, 400);
    assert!(page.contains("You were not signed in"), "{page}");
    assert_not_signed_in(&world, &other, MEGAN).await;
}

async fn refused_with_tampering(world: &World, tamper: Tamper, oid: &str) {
    world.tamper(tamper);
    let b = browser();
    let (status, page) = page_text(world.sign_in(&b, oid).await).await;
    assert_eq!(status, 400, "{page}");
    assert!(page.contains("could not be trusted"), "{page}");
    assert_not_signed_in(world, &b, oid).await;
}

#[sqlx::test(migrations = false)]
async fn an_id_token_with_the_wrong_nonce_is_refused(_: PgPoolOptions, connect: PgConnectOptions) {
    let world = World::start(connect).await;
    refused_with_tampering(
        &world,
        Tamper::Claims(Box::new(|c| c["nonce"] = "someone-elses-nonce".into())),
        ALEX,
    )
    .await;
}

#[sqlx::test(migrations = false)]
async fn an_id_token_signed_by_another_key_is_refused(_: PgPoolOptions, connect: PgConnectOptions) {
    let world = World::start(connect).await;
    refused_with_tampering(&world, Tamper::ForeignKey, ADELE).await;
}

#[sqlx::test(migrations = false)]
async fn an_id_token_for_another_audience_is_refused(_: PgPoolOptions, connect: PgConnectOptions) {
    let world = World::start(connect).await;
    refused_with_tampering(
        &world,
        Tamper::Claims(Box::new(|c| c["aud"] = "some-other-app".into())),
        PATTI,
    )
    .await;
}

#[sqlx::test(migrations = false)]
async fn an_expired_id_token_is_refused(_: PgPoolOptions, connect: PgConnectOptions) {
    let world = World::start(connect).await;
    refused_with_tampering(
        &world,
        Tamper::Claims(Box::new(|c| {
            let iat = c["iat"].as_i64().unwrap();
            c["iat"] = (iat - 7200).into();
            c["nbf"] = (iat - 7200).into();
            c["exp"] = (iat - 3600).into();
        })),
        LEE,
    )
    .await;
}

#[sqlx::test(migrations = false)]
async fn an_id_token_from_another_issuer_is_refused(_: PgPoolOptions, connect: PgConnectOptions) {
    let world = World::start(connect).await;
    refused_with_tampering(
        &world,
        Tamper::Claims(Box::new(|c| {
            c["iss"] = "https://login.microsoftonline.com/evil/v2.0".into()
        })),
        ALEX,
    )
    .await;
}

#[sqlx::test(migrations = false)]
async fn a_tenant_outside_the_allow_list_is_refused(_: PgPoolOptions, connect: PgConnectOptions) {
    let world = World::start_with(connect, |c| {
        c.auth.allowed_tenants = vec!["00000000-0000-0000-0000-000000000000".into()]
    })
    .await;
    let b = browser();
    let (status, page) = page_text(world.sign_in(&b, ALEX).await).await;
    assert_eq!(status, 400);
    assert!(page.contains("not allowed to use this portal"), "{page}");
    assert_not_signed_in(&world, &b, ALEX).await;
}

#[sqlx::test(migrations = false)]
async fn an_error_from_the_authority_shows_a_page_and_signs_nobody_in(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let world = World::start(connect).await;
    let b = browser();
    b.get(world.app.url("/auth/login")).send().await.unwrap();
    let (status, page) =
        page_text(
            b.get(world.app.url(
                "/auth/callback?error=access_denied&error_description=AADSTS65004%3A+declined",
            ))
            .send()
            .await
            .unwrap(),
        )
        .await;
    assert_eq!(status, 400);
    assert!(page.contains("cancelled or refused"), "{page}");
    assert!(
        !page.contains("AADSTS65004"),
        "the provider's text stays in the log: {page}"
    );
    assert_eq!(me(&world, &b).await.status(), 401);
}

#[sqlx::test(migrations = false)]
async fn tokens_are_stored_encrypted_and_refreshed_before_expiry(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let world = World::start(connect).await;
    world.sign_in(&browser(), ALEX).await;
    let oid = uuid::Uuid::parse_str(ALEX).unwrap();
    let (access, refresh): (Vec<u8>, Option<Vec<u8>>) =
        sqlx::query_as("select access_token, refresh_token from user_tokens where oid = $1")
            .bind(oid)
            .fetch_one(&world.app.pool)
            .await
            .unwrap();
    // A JWT starts with "eyJ"; stored bytes are ciphertext.
    assert!(!access.windows(3).any(|w| w == b"eyJ"));
    assert!(refresh.is_some(), "offline_access gives a refresh token");

    // Far enough ahead that the stored access token counts as expiring: the store refreshes it.
    let later = time::OffsetDateTime::now_utc() + time::Duration::minutes(58);
    let auth = app_auth(&world);
    let token = app::ssr::auth::tokens::access_token_for(
        &world.app.pool,
        &auth.cipher,
        &auth.oidc,
        oid,
        later,
    )
    .await
    .unwrap();
    let graph_me = reqwest::Client::new()
        .get(format!("{}/me", world.sim.graph_base_url()))
        .bearer_auth(token.secret())
        .send()
        .await
        .unwrap();
    assert_eq!(graph_me.status(), 200, "the refreshed token works on Graph");
    let (refreshed,): (Option<Vec<u8>>,) =
        sqlx::query_as("select refresh_token from user_tokens where oid = $1")
            .bind(oid)
            .fetch_one(&world.app.pool)
            .await
            .unwrap();
    assert_ne!(refreshed, refresh, "the rotated refresh token was stored");
}

#[sqlx::test(migrations = false)]
async fn a_fresh_token_is_read_without_a_lock_and_an_expiring_one_is_renewed_once_however_many_ask(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let world = World::start(connect).await;
    world.sign_in(&browser(), ALEX).await;
    let oid = uuid::Uuid::parse_str(ALEX).unwrap();
    let auth = app_auth(&world);
    let refreshes = || {
        world
            .sim
            .received()
            .iter()
            .filter(|r| r.method == "POST" && r.path.ends_with("/token"))
            .filter(|r| r.body.contains("grant_type=refresh_token"))
            .count()
    };
    let before = refreshes();

    // Fresh: served while another connection holds the row locked (a replica renewing it).
    let mut holder = world.app.pool.begin().await.unwrap();
    sqlx::query("select 1 from user_tokens where oid = $1 for update")
        .bind(oid)
        .execute(&mut *holder)
        .await
        .unwrap();
    let now = time::OffsetDateTime::now_utc();
    let fresh = tokio::time::timeout(
        std::time::Duration::from_secs(30),
        app::ssr::auth::tokens::access_token_for(
            &world.app.pool,
            &auth.cipher,
            &auth.oidc,
            oid,
            now,
        ),
    )
    .await
    .expect("a fresh token does not wait for the row lock")
    .unwrap();
    holder.rollback().await.unwrap();
    assert_eq!(refreshes(), before);

    // Expiring: eight callers at once spend the (rotating) refresh token once and agree.
    let later = now + time::Duration::minutes(58);
    let asks = (0..8).map(|_| {
        app::ssr::auth::tokens::access_token_for(
            &world.app.pool,
            &auth.cipher,
            &auth.oidc,
            oid,
            later,
        )
    });
    let tokens: Vec<String> = futures::future::join_all(asks)
        .await
        .into_iter()
        .map(|t| t.unwrap().secret().to_owned())
        .collect();
    assert_eq!(refreshes(), before + 1, "one renewal");
    assert!(
        tokens.iter().all(|t| t == &tokens[0]),
        "all got the renewed token"
    );
    assert_ne!(tokens[0], fresh.secret());
}

/// Each session row's expiry, as the store keeps it.
async fn session_expiries(world: &World) -> Vec<time::OffsetDateTime> {
    sqlx::query_scalar("select expiry_date from tower_sessions.session order by id")
        .fetch_all(&world.app.pool)
        .await
        .unwrap()
}

#[sqlx::test(migrations = false)]
async fn a_session_in_use_is_not_written_on_every_request(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let world = World::start(connect).await;
    let b = browser();
    world.sign_in(&b, ALEX).await;
    let before = session_expiries(&world).await;
    assert_eq!(before.len(), 1);
    for _ in 0..3 {
        assert_eq!(me(&world, &b).await.status(), 200);
        assert_eq!(
            b.get(world.app.url("/")).send().await.unwrap().status(),
            200
        );
    }
    assert_eq!(
        session_expiries(&world).await,
        before,
        "read, never written"
    );
}

#[sqlx::test(migrations = false)]
async fn a_session_in_use_outlives_its_idle_timeout_and_an_idle_one_does_not(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    // Four seconds without a request end a session; the waits below are not measured, only slept.
    let world = World::start_with(connect, |c| {
        c.auth.session_idle_timeout = std::time::Duration::from_secs(4)
    })
    .await;
    let (busy, idle) = (browser(), browser());
    world.sign_in(&busy, ALEX).await;
    world.sign_in(&idle, MEGAN).await;
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    assert_eq!(
        me(&world, &busy).await.status(),
        200,
        "renews the idle lifetime"
    );
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    // Five seconds after sign-in: the session used since is alive, the other has ended.
    assert_eq!(me(&world, &busy).await.status(), 200);
    assert_eq!(me(&world, &idle).await.status(), 401);
}

/// An `Auth` like the server's, from the same settings and token keys (the world configures explicit
/// keys so the test can open the rows the server sealed).
fn app_auth(world: &World) -> app::ssr::auth::Auth {
    let c = &world.app.config;
    app::ssr::auth::Auth {
        oidc: app::ssr::auth::oidc::Oidc::new(c.auth.clone(), &c.redirect_uri()).unwrap(),
        cipher: app::ssr::auth::tokens::TokenCipher::from_settings(&c.auth.token_keys).unwrap(),
    }
}

#[sqlx::test(migrations = false)]
async fn signing_out_ends_the_session_forgets_tokens_and_visits_the_authority(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let world = World::start(connect).await;
    let b = browser();
    world.sign_in(&b, ALEX).await;
    let out = b
        .post(world.app.url("/auth/logout"))
        .header("origin", &world.app.base_url)
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 303);
    let end_session = location(&out);
    assert!(
        end_session.starts_with(
            &world
                .sim
                .authority()
                .replace("/v2.0", "/oauth2/v2.0/logout")
        ),
        "{end_session}"
    );
    assert!(
        end_session.contains("post_logout_redirect_uri="),
        "{end_session}"
    );
    assert_eq!(me(&world, &b).await.status(), 401);
    let tokens: i64 = sqlx::query_scalar("select count(*) from user_tokens")
        .fetch_one(&world.app.pool)
        .await
        .unwrap();
    assert_eq!(tokens, 0);
}

#[sqlx::test(migrations = false)]
async fn a_session_past_its_absolute_lifetime_is_signed_out(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let world = World::start_with(connect, |c| {
        c.auth.session_absolute_timeout = std::time::Duration::ZERO
    })
    .await;
    let b = browser();
    assert_eq!(world.sign_in(&b, ALEX).await.status(), 303);
    assert_eq!(me(&world, &b).await.status(), 401);
}

async fn login_status(world: &World, b: &reqwest::Client, forwarded_for: Option<&str>) -> u16 {
    let mut request = b.get(world.app.url("/auth/login"));
    if let Some(hop) = forwarded_for {
        request = request.header("x-forwarded-for", hop);
    }
    let response = request.send().await.unwrap();
    if response.status() == 429 {
        assert_eq!(response.headers()["retry-after"], "60");
    }
    response.status().as_u16()
}

#[sqlx::test(migrations = false)]
async fn one_browser_over_its_sign_in_quota_does_not_lock_out_another_at_the_same_address(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let world = World::start_with(connect, |c| c.auth.rate_limit_per_minute = 3).await;
    let greedy = browser();
    let mut statuses = Vec::new();
    for _ in 0..6 {
        statuses.push(login_status(&world, &greedy, None).await);
    }
    assert_eq!(statuses.last(), Some(&429), "{statuses:?}");

    // Another browser behind the same address signs in as usual.
    let other = browser();
    assert_eq!(world.sign_in(&other, ALEX).await.status(), 303);
    assert_eq!(me(&world, &other).await.status(), 200);
}

#[sqlx::test(migrations = false)]
async fn the_address_ceiling_stops_a_flood_of_fresh_browsers(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let world = World::start_with(connect, |c| {
        c.auth.rate_limit_per_minute = 3;
        c.auth.rate_limit_per_address_per_minute = 5;
    })
    .await;
    for _ in 0..5 {
        assert_eq!(login_status(&world, &browser(), None).await, 303);
    }
    assert_eq!(login_status(&world, &browser(), None).await, 429);
}

#[sqlx::test(migrations = false)]
async fn forwarded_for_is_ignored_unless_the_peer_is_a_trusted_proxy(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let untrusted = World::start_with(connect.clone(), |c| {
        c.auth.rate_limit_per_address_per_minute = 2;
    })
    .await;
    // Each request claims another address; they all come from 127.0.0.1.
    let claims = ["198.51.100.1", "198.51.100.2", "198.51.100.3"];
    let mut statuses = Vec::new();
    for claim in claims {
        statuses.push(login_status(&untrusted, &browser(), Some(claim)).await);
    }
    assert_eq!(statuses, [303, 303, 429]);

    // Behind a trusted proxy, the address it forwards is the client's.
    let proxied = World::start_with(connect, |c| {
        c.auth.rate_limit_per_address_per_minute = 2;
        c.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    })
    .await;
    for claim in claims {
        assert_eq!(login_status(&proxied, &browser(), Some(claim)).await, 303);
    }
    let mut statuses = Vec::new();
    for _ in 0..3 {
        statuses.push(login_status(&proxied, &browser(), Some("198.51.100.9")).await);
    }
    assert_eq!(statuses, [303, 303, 429]);
}

#[sqlx::test(migrations = false)]
async fn a_return_target_that_a_browser_would_read_as_another_site_ends_on_the_portal(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let world = World::start(connect).await;
    for return_to in [
        "/%09/evil.example",
        "/%09%5Cevil.example",
        "/%5C%5Cevil.example",
        "/%2F%2Fevil.example",
        "/.//evil.example",
        "https://evil.example",
    ] {
        let b = browser();
        let login = format!("/auth/login?return_to={return_to}");
        let callback = world.authorize_from(&b, &login, ALEX).await;
        let signed_in = b.get(callback).send().await.unwrap();
        assert_eq!(signed_in.status(), 303, "{return_to}");
        assert_eq!(location(&signed_in), "/", "{return_to}");

        // Already signed in, the same address redirects at once: to the portal too.
        let again = b.get(world.app.url(&login)).send().await.unwrap();
        assert_eq!(again.status(), 303, "{return_to}");
        assert_eq!(location(&again), "/", "{return_to}");
    }
}

#[sqlx::test(migrations = false)]
async fn a_return_target_holding_a_newline_signs_in_to_the_portal_instead_of_failing(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let world = World::start(connect).await;
    let b = browser();
    let callback = world
        .authorize_from(&b, "/auth/login?return_to=/requests%0ASet-Cookie:x=y", ALEX)
        .await;
    let signed_in = b.get(callback).send().await.unwrap();
    assert_eq!(signed_in.status(), 303);
    assert_eq!(location(&signed_in), "/");
    assert_eq!(me(&world, &b).await.status(), 200);
}

#[sqlx::test(migrations = false)]
async fn a_local_return_target_is_kept_through_sign_in(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let world = World::start(connect).await;
    let b = browser();
    let callback = world
        .authorize_from(
            &b,
            "/auth/login?return_to=%2Frequests%2Fnew%3Fcloud%3Daws",
            ALEX,
        )
        .await;
    let signed_in = b.get(callback).send().await.unwrap();
    assert_eq!(location(&signed_in), "/requests/new?cloud=aws");
}

#[sqlx::test(migrations = false)]
async fn an_error_parameter_with_a_newline_cannot_forge_a_log_line(
    _: PgPoolOptions,
    connect: PgConnectOptions,
) {
    let logs = Logs::capture(server::config::LogFormat::Pretty);
    let world = World::start(connect).await;
    let b = browser();
    b.get(world.app.url("/auth/login")).send().await.unwrap();
    let refused = b
        .get(world.app.url(
            "/auth/callback?error=x%0Asigned+in+roles%3D%5BAdmin%5D&error_description=y%0D%0Asigned+in",
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 400);

    let text = logs.text();
    assert!(
        text.contains("the authority refused the sign-in"),
        "the refusal is logged: {text}"
    );
    assert!(
        !text.lines().any(|line| line.starts_with("signed in")),
        "a line was forged: {text}"
    );
}
