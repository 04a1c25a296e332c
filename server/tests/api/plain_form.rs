//! The request page without JavaScript: each step rendered from the address, and the form posted to
//! `POST /requests/new`, which creates the request or sends the person back to the review with every
//! value they typed. The refusals: signed out, a role that may not ask, another origin, not a form.
use entra_sim::people::{ADELE, ALEX, ROLE_REQUESTER};

use super::{
    harness::{browser, raw_exchange, session_cookie},
    oidc_world::World,
    requests::{signed_in, world_as},
};

/// A valid AWS policy request as the page's inputs send it.
fn fields() -> Vec<(&'static str, &'static str)> {
    vec![
        ("offset", "0"),
        ("cloud", "aws"),
        ("system", "956987887735"),
        ("identity", "user:rsn:alex@contoso.com"),
        ("what", "aws_policies"),
        ("role", "arn:aws:iam::956987887735:role/saml-user"),
        ("item", "arn:aws:iam::aws:policy/ReadOnlyAccess"),
        ("start", "now"),
        ("length", "PT4H"),
        ("repeat", ""),
        ("range", "no_end"),
        (
            "justification",
            "Investigate the failed deployment of the orders service",
        ),
        ("ticket", "INC1234567"),
        ("approver", "megan@contoso.com"),
    ]
}

fn with(key: &str, value: &'static str) -> Vec<(&'static str, &'static str)> {
    fields()
        .into_iter()
        .map(|(k, v)| if k == key { (k, value) } else { (k, v) })
        .collect()
}

async fn post(
    world: &World,
    b: &reqwest::Client,
    origin: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    b.post(world.app.url("/requests/new"))
        .header("origin", origin)
        .form(fields)
        .send()
        .await
        .unwrap()
}

fn location(response: &reqwest::Response) -> String {
    response.headers()["location"].to_str().unwrap().to_owned()
}

async fn stored(world: &World) -> i64 {
    sqlx::query_scalar("select count(*) from access_requests")
        .fetch_one(&world.app.pool)
        .await
        .unwrap()
}

#[sqlx::test(migrations = false)]
async fn a_posted_form_creates_the_request_and_sends_the_person_to_its_page(
    _: sqlx::postgres::PgPoolOptions,
    connect: sqlx::postgres::PgConnectOptions,
) {
    let (world, alex) = world_as(connect, ALEX).await;
    let response = post(&world, &alex, &world.app.base_url, &fields()).await;
    assert_eq!(response.status(), 303);
    let to = location(&response);
    let id: uuid::Uuid = to.strip_prefix("/requests/").unwrap().parse().unwrap();
    let (status, duration): (String, Option<String>) = sqlx::query_as(
        "select status, graph_body #>> '{scheduleInfo,expiration,duration}' from access_requests where id = $1",
    )
    .bind(id)
    .fetch_one(&world.app.pool)
    .await
    .unwrap();
    assert_eq!(status, "pending_approval");
    assert_eq!(duration.as_deref(), Some("PT4H"));

    // Its page renders whole on the server: status and history without any script.
    let page = alex.get(world.app.url(&to)).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("waiting for approval"), "{html}");
    assert!(html.contains("INC1234567"), "{html}");
}

#[sqlx::test(migrations = false)]
async fn a_posted_form_with_a_mistake_goes_back_to_its_review_with_everything_typed(
    _: sqlx::postgres::PgPoolOptions,
    connect: sqlx::postgres::PgConnectOptions,
) {
    let (world, alex) = world_as(connect, ALEX).await;
    let response = post(
        &world,
        &alex,
        &world.app.base_url,
        &with("ticket", "TICKET-1"),
    )
    .await;
    assert_eq!(response.status(), 303);
    let back = location(&response);
    assert!(back.starts_with("/requests/new?"), "{back}");
    // The fragment is the error summary, which the browser then focuses.
    assert!(back.ends_with("review=1#outcome"), "{back}");
    assert_eq!(stored(&world).await, 0, "nothing stored");

    let html = alex
        .get(world.app.url(back.trim_end_matches("#outcome")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    // The ticket's error shows by its field and in the summary at the top, which links to the
    // field; what was typed is back in the inputs.
    assert!(
        html.contains(r#"<p id="ticket-error" class="field-error">Ticket number must look like"#),
        "{html}"
    );
    assert!(html.contains(r#"<p id="justification-error" hidden"#));
    let summary = html
        .split(r#"data-testid="error-summary""#)
        .nth(1)
        .expect("an error summary");
    assert!(summary.contains("There is a problem"), "{summary}");
    assert!(
        summary.contains(r##"<a href="#ticket">Ticket number must look like"##),
        "{summary}"
    );
    assert!(html.contains("Investigate the failed deployment of the orders service</textarea>"));
    assert!(html.contains(r#"value="TICKET-1""#));
    assert!(html.contains(r#"value="arn:aws:iam::aws:policy/ReadOnlyAccess""#));
}

#[sqlx::test(migrations = false)]
async fn each_step_renders_from_the_address_before_any_script_runs(
    _: sqlx::postgres::PgPoolOptions,
    connect: sqlx::postgres::PgConnectOptions,
) {
    let (world, alex) = world_as(connect, ALEX).await;
    let get = |query: &'static str| {
        let alex = alex.clone();
        let url = world.app.url(&format!("/requests/new{query}"));
        async move {
            let response = alex.get(url).send().await.unwrap();
            assert_eq!(response.status(), 200);
            response.text().await.unwrap()
        }
    };
    let step1 = get("").await;
    // The first choice has the id the error summary links to.
    assert!(
        step1.contains(r#"<input type="radio" name="cloud" value="aws" id="cloud">"#),
        "{step1}"
    );
    assert!(step1.contains("Choose a cloud first."));

    let step2 = get("?cloud=aws").await;
    assert!(
        step2.contains(r#"name="cloud" value="aws" id="cloud" checked"#),
        "{step2}"
    );
    assert!(
        step2.contains(r#"value="956987887735""#),
        "the development account is offered"
    );

    let step3 = get("?cloud=aws&system=956987887735").await;
    assert!(
        step3.contains(r#"value="user:rsn:alex@contoso.com""#),
        "{step3}"
    );

    let step4 =
        get("?cloud=aws&system=956987887735&identity=user%3Arsn%3Aalex%40contoso.com&q=ReadOnly")
            .await;
    assert!(
        step4.contains(r#"name="item" value="arn:aws:iam::aws:policy/ReadOnlyAccess""#),
        "{step4}"
    );
    assert!(
        step4.contains("arn:aws:iam::956987887735:role/saml-user"),
        "assumable roles are offered"
    );

    // The review, asked for by the address, is the server's check of the form.
    let review = get("?cloud=aws&system=956987887735&identity=user%3Arsn%3Aalex%40contoso.com&role=arn%3Aaws%3Aiam%3A%3A956987887735%3Arole%2Fsaml-user&item=arn%3Aaws%3Aiam%3A%3Aaws%3Apolicy%2FReadOnlyAccess&justification=Investigate+the+failed+deployment&ticket=INC1234567&approver=megan%40contoso.com&review=1").await;
    assert!(review.contains(r#"data-testid="graph-json""#), "{review}");
    assert!(review.contains(r#"formmethod="post""#));
}

#[sqlx::test(migrations = false)]
async fn the_posted_form_is_refused_to_the_signed_out_another_role_another_origin_and_non_forms(
    _: sqlx::postgres::PgPoolOptions,
    connect: sqlx::postgres::PgConnectOptions,
) {
    let (world, alex) = world_as(connect.clone(), ALEX).await;

    let anonymous = browser();
    let response = post(&world, &anonymous, &world.app.base_url, &fields()).await;
    assert_eq!(response.status(), 303);
    assert!(location(&response).starts_with("/auth/login"));

    // Where requesting takes the Requester app role, an auditor without it may not post the form.
    let strict = World::start_with(connect, |c| {
        c.auth.role_claims.requester = vec![ROLE_REQUESTER.to_owned()]
    })
    .await;
    let adele = signed_in(&strict, ADELE).await;
    let response = post(&strict, &adele, &strict.app.base_url, &fields()).await;
    assert_eq!(
        response.status(),
        403,
        "an auditor without the Requester role"
    );
    assert_eq!(stored(&strict).await, 0);

    let response = post(&world, &alex, "https://evil.example", &fields()).await;
    assert_eq!(response.status(), 403, "another origin");

    let response = alex
        .post(world.app.url("/requests/new"))
        .header("origin", &world.app.base_url)
        .json(&serde_json::json!({ "cloud": "aws" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400, "not a form");
    assert!(response
        .text()
        .await
        .unwrap()
        .contains("The form could not be read"));

    assert_eq!(stored(&world).await, 0, "none of them stored anything");
}

#[sqlx::test(migrations = false)]
async fn a_form_too_long_to_send_back_gets_a_page_instead_of_a_huge_location(
    _: sqlx::postgres::PgPoolOptions,
    connect: sqlx::postgres::PgConnectOptions,
) {
    let (world, alex) = world_as(connect, ALEX).await;
    // Past the justification's own limit, so invalid, and past what a `Location` may carry.
    let long = "a".repeat(20_000);
    let form: Vec<(&str, &str)> = fields()
        .into_iter()
        .map(|(k, v)| {
            if k == "justification" {
                (k, long.as_str())
            } else {
                (k, v)
            }
        })
        .collect();
    let response = post(&world, &alex, &world.app.base_url, &form).await;
    assert_eq!(response.status(), 413);
    assert!(response.headers().get("location").is_none());
    let html = response.text().await.unwrap();
    assert!(html.contains("too long to show again"), "{html}");
    assert!(html.contains("Nothing was stored"), "{html}");
    assert!(html.contains(r#"href="/requests/new""#), "{html}");
    assert!(!html.contains(&long), "the form is not echoed");
    assert_eq!(stored(&world).await, 0);
}

#[sqlx::test(migrations = false)]
async fn a_form_body_past_the_limit_is_refused_with_413_before_it_is_read(
    _: sqlx::postgres::PgPoolOptions,
    connect: sqlx::postgres::PgConnectOptions,
) {
    let world = World::start(connect).await;
    let cookie = session_cookie(&world.sign_in(&browser(), ALEX).await);
    // The probe's 1.5 MB form, declared and not sent: the server must not wait for it.
    let head = format!(
        "POST /requests/new HTTP/1.1\r\nHost: {addr}\r\nOrigin: {origin}\r\nCookie: {cookie}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 1500000\r\n\
         Connection: close\r\n\r\n",
        addr = world.app.addr(),
        origin = world.app.base_url,
    );
    let answer = raw_exchange(world.app.addr(), head.as_bytes()).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("The form is too large"), "{answer}");
    assert!(answer.contains(r#"href="/requests/new""#), "{answer}");
    assert_eq!(stored(&world).await, 0);
}

#[sqlx::test(migrations = false)]
async fn the_sign_in_guard_drops_a_query_too_long_to_return_to(
    _: sqlx::postgres::PgPoolOptions,
    connect: sqlx::postgres::PgConnectOptions,
) {
    let world = World::start(connect).await;
    let short = browser()
        .get(world.app.url("/requests/new?cloud=aws"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        location(&short),
        "/auth/login?return_to=%2Frequests%2Fnew%3Fcloud%3Daws"
    );
    let long = browser()
        .get(world.app.url(&format!(
            "/requests/new?justification={}",
            "a".repeat(5_000)
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(long.status(), 303);
    assert_eq!(location(&long), "/auth/login?return_to=%2Frequests%2Fnew");
}

/// Without script, a search is sent by GET and the page is rebuilt from its address, which holds
/// only the chosen items' ids: the chosen list still reads by name, with the id beneath.
#[sqlx::test(migrations = false)]
async fn chosen_items_keep_their_names_when_the_page_is_rebuilt_from_its_address(
    _: sqlx::postgres::PgPoolOptions,
    connect: sqlx::postgres::PgConnectOptions,
) {
    let (world, alex) = world_as(connect, ALEX).await;
    let chosen_list = |html: &str| {
        let start = html
            .find(r#"data-testid="chosen-items""#)
            .expect("the chosen list");
        let end = start + html[start..].find("</ul>").unwrap();
        html[start..end].to_owned()
    };
    // Azure: Cost Management Reader chosen, then a search for another role.
    let azure = world.app.url(
        "/requests/new?cloud=azure&system=87eefd90-95a3-480a-ba42-56ff299a05ee\
         &identity=user%3Aalex%40contoso.com&what=azure_roles\
         &item=72fafb9e-0641-4937-9268-a91bfd8191a3&q=Backup",
    );
    let response = alex.get(azure).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let html = response.text().await.unwrap();
    let chosen = chosen_list(&html);
    assert!(chosen.contains("Cost Management Reader"), "{chosen}");
    assert!(
        chosen.contains("72fafb9e-0641-4937-9268-a91bfd8191a3"),
        "{chosen}"
    );

    // GCP: a delete action chosen keeps its warning.
    let gcp = world.app.url(
        "/requests/new?cloud=gcp&system=carbide-bonsai-205017\
         &identity=user%3Aalex%40contoso.com&what=gcp_actions\
         &item=aiplatform.datasets.delete&q=compute.",
    );
    let html = alex.get(gcp).send().await.unwrap().text().await.unwrap();
    let chosen = chosen_list(&html);
    assert!(chosen.contains("aiplatform.datasets.delete"), "{chosen}");
    assert!(chosen.contains("high severity, delete"), "{chosen}");
}
