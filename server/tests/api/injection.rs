//! Markup injection: text a person controls (the request form's address, a stored request) must reach
//! every page as text. Leptos writes `<textarea>` children and the `<title>` unescaped, so each page is
//! rendered with a payload that closes a textarea and opens a comment in every field, and the HTML the
//! server sent is parsed as a browser parses it. The browser journey `injection.spec.ts` checks the same
//! pages in Chromium.
use entra_sim::people::ALEX;
use scraper::{node::Node, Html, Selector};
use serde_json::json;

use super::{
    oidc_world::World,
    requests::{aws_policy_form, call, form_call, world_as},
};

/// Ends a textarea (or title, script, style), opens an element, then a comment that would swallow the rest.
const PAYLOAD: &str = "</textarea></title></script></style><b id=x>INJ</b><!--INJ";

/// Every name the request page reads from its address (see `app::form::names`).
const FIELDS: &[&str] = &[
    "cloud",
    "system",
    "identity",
    "what",
    "item",
    "remove",
    "role",
    "scope",
    "statement",
    "resources",
    "not_resources",
    "not_actions",
    "effect",
    "condition",
    "start",
    "start_at",
    "length",
    "custom_duration",
    "end_at",
    "repeat",
    "interval",
    "day",
    "day_of_month",
    "range",
    "end_date",
    "occurrences",
    "justification",
    "notes",
    "ticket",
    "approver",
    "offset",
    "zone",
    "iq",
    "inext",
    "q",
    "next",
    "review",
];

/// An AWS statement request far enough along that every step, the statement's own inputs and the
/// review render.
fn statement_form() -> Vec<(&'static str, String)> {
    [
        ("cloud", "aws"),
        ("system", "956987887735"),
        ("identity", "user:rsn:alex@contoso.com"),
        ("what", "aws_statements"),
        ("role", "arn:aws:iam::956987887735:role/saml-user"),
        ("item", "s3:GetObject"),
        ("resources", "*"),
        ("effect", "allow"),
        ("start", "now"),
        ("length", "PT1H"),
        ("justification", "Investigate the failed deployment"),
        ("ticket", "INC1234567"),
        ("approver", "megan@contoso.com"),
        ("review", "1"),
    ]
    .into_iter()
    .map(|(k, v)| (k, v.to_owned()))
    .collect()
}

/// `form` with `field` set to the payload (added when the form does not have it).
fn poisoned(form: &[(&'static str, String)], field: &'static str) -> Vec<(&'static str, String)> {
    let mut out: Vec<_> = form.iter().filter(|(k, _)| *k != field).cloned().collect();
    out.push((field, PAYLOAD.to_owned()));
    out
}

/// Fails when the page, parsed as a browser does, holds anything the payload made: the element, a
/// comment holding its text, or a textarea or title whose text is cut short. The payload is allowed
/// as text, whole.
fn assert_inert(html: &str, what: &str) {
    let doc = Html::parse_document(html);
    let injected = Selector::parse("#x, b").unwrap();
    assert!(
        doc.select(&injected).next().is_none(),
        "{what}: the payload made an element\n{html}"
    );
    for node in doc.tree.nodes() {
        match node.value() {
            Node::Comment(c) => {
                assert!(
                    !c.contains("INJ"),
                    "{what}: the payload opened a comment\n{html}"
                )
            }
            Node::Element(e) if matches!(e.name(), "textarea" | "title") => {
                let text: String = node
                    .children()
                    .filter_map(|c| c.value().as_text().map(|t| t.to_string()))
                    .collect();
                assert!(
                    !text.contains("INJ") || text.contains(PAYLOAD),
                    "{what}: a {} holds part of the payload: {text:?}",
                    e.name()
                );
            }
            _ => {}
        }
    }
}

async fn page(world: &World, b: &reqwest::Client, path: &str, query: &[(&str, String)]) -> String {
    let response = b
        .get(world.app.url(path))
        .query(query)
        .send()
        .await
        .unwrap();
    response.text().await.unwrap()
}

#[sqlx::test(migrations = false)]
async fn text_from_the_address_never_becomes_markup_on_the_request_page(
    _: sqlx::postgres::PgPoolOptions,
    connect: sqlx::postgres::PgConnectOptions,
) {
    let (world, alex) = world_as(connect, ALEX).await;
    let form = statement_form();

    // The form as it stands renders the statement inputs and the review: the payload must be kept
    // whole where it is typed.
    let statement = page(&world, &alex, "/requests/new", &poisoned(&form, "notes")).await;
    assert!(statement.contains(r#"id="not-resources""#), "{statement}");
    assert!(
        statement.contains(r#"data-testid="graph-json""#),
        "{statement}"
    );
    let notes = Html::parse_document(&statement);
    let notes = notes
        .select(&Selector::parse("textarea#notes").unwrap())
        .next()
        .unwrap()
        .text()
        .collect::<String>();
    assert_eq!(notes, PAYLOAD, "the notes come back exactly as typed");

    for field in FIELDS {
        let html = page(&world, &alex, "/requests/new", &poisoned(&form, field)).await;
        assert_inert(&html, &format!("{field} on the statement form"));
    }
    // Every field at once, and on the first step (nothing chosen yet).
    let everything: Vec<_> = FIELDS.iter().map(|f| (*f, PAYLOAD.to_owned())).collect();
    let html = page(&world, &alex, "/requests/new", &everything).await;
    assert_inert(&html, "every field");
    let all_but_cloud: Vec<_> = form
        .iter()
        .map(|(k, _)| (*k, PAYLOAD.to_owned()))
        .filter(|(k, _)| !matches!(*k, "cloud" | "system" | "identity" | "what"))
        .chain(form.iter().take(4).cloned())
        .collect();
    let html = page(&world, &alex, "/requests/new", &all_but_cloud).await;
    assert_inert(&html, "every free-text field of the statement form");

    // The other pages, with the payload in their address.
    for path in [
        "/",
        "/admin",
        "/signed-out",
        "/requests/not-a-request",
        "/no-such-page",
    ] {
        let html = page(&world, &alex, path, &[("q", PAYLOAD.to_owned())]).await;
        assert_inert(&html, path);
    }
}

#[sqlx::test(migrations = false)]
async fn a_stored_request_shows_its_text_as_text(
    _: sqlx::postgres::PgPoolOptions,
    connect: sqlx::postgres::PgConnectOptions,
) {
    let (world, alex) = world_as(connect, ALEX).await;
    let mut form = aws_policy_form();
    form["justification"] = json!(format!("Reason {PAYLOAD}"));
    form["notes"] = json!(PAYLOAD);
    let (status, created) = call(&world, &alex, "create_request", json!({ "form": form })).await;
    assert_eq!(status, 200, "{created:#}");
    assert_eq!(created["outcome"], "created", "{created:#}");
    let id = created["id"].as_str().unwrap();

    let html = page(&world, &alex, &format!("/requests/{id}"), &[]).await;
    assert!(html.contains("INJ"), "the text is on the page: {html}");
    assert_inert(&html, "the request page");

    // Asking again fills the form from the stored request, textareas included.
    let (status, again) = form_call(&world, &alex, "request_again", &[("id", id)]).await;
    assert_eq!(status, 200, "{again:#}");
    let mut query: Vec<(&str, String)> = statement_form()
        .into_iter()
        .filter(|(k, _)| !matches!(*k, "justification" | "notes"))
        .collect();
    query.push((
        "justification",
        again["justification"].as_str().unwrap().to_owned(),
    ));
    query.push(("notes", again["notes"].as_str().unwrap().to_owned()));
    let html = page(&world, &alex, "/requests/new", &query).await;
    assert_inert(&html, "the form filled from a stored request");

    // The approver reads it in the inbox and on its page, and rejects it with a reason of the same
    // kind, which the requester then reads.
    let megan = super::requests::signed_in(&world, entra_sim::people::MEGAN).await;
    let html = page(&world, &megan, "/approvals", &[]).await;
    assert!(html.contains("INJ"), "the text is in the inbox: {html}");
    assert_inert(&html, "the approver's inbox");
    assert_inert(
        &page(&world, &megan, &format!("/requests/{id}"), &[]).await,
        "the approver's view",
    );
    let (status, _) = super::decisions::reject(&world, &megan, id, &format!("No {PAYLOAD}")).await;
    assert_eq!(status, 200);
    let html = page(&world, &alex, &format!("/requests/{id}"), &[]).await;
    assert!(
        html.contains("No </textarea>") || html.contains("No &lt;/textarea"),
        "{html}"
    );
    assert_inert(&html, "a rejection's reason");
}
