//! The sign-in page: plain HTML, one form per seeded person, no script needed.
use super::params::Params;
use crate::people::{self, Person};
use crate::state::AppState;
use crate::util::html_escape;

pub fn render(
    app: &AppState,
    params: &Params,
    login_hint: Option<&str>,
    error: Option<&str>,
) -> String {
    let action = format!("{}/oauth2/v2.0/authorize", app.tenant_base());
    let hidden: String = params
        .pairs()
        .iter()
        .filter(|(k, _)| k != "login_as")
        .map(|(k, v)| {
            format!(
                "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
                html_escape(k),
                html_escape(v)
            )
        })
        .collect();

    // The person named by login_hint comes first and is marked, like Entra's account picker.
    let mut everyone: Vec<&Person> = people::all().iter().collect();
    let hinted = login_hint.and_then(people::by_upn).map(|p| p.oid);
    everyone.sort_by_key(|p| Some(p.oid) != hinted);

    let cards: String = everyone
        .iter()
        .map(|p| card(p, &action, &hidden, Some(p.oid) == hinted))
        .collect();
    // A sign-in asked with a claims challenge (e.g. an authentication context PIM requires) is a
    // step-up: say so, since the person picked here will carry MFA in the token.
    let step_up = params
        .get("claims")
        .and_then(|c| super::claims::StepUp::from_claims_param(c).ok())
        .map(|s| {
            let contexts = if s.acrs.is_empty() {
                String::new()
            } else {
                format!(" (authentication context {})", html_escape(&s.acrs.join(", ")))
            };
            format!("<p class=\"step-up\">This sign-in answers a claims challenge{contexts}: the token will show multifactor authentication.</p>")
        })
        .unwrap_or_default();
    let alert = error
        .map(|e| format!("<p role=\"alert\" class=\"error\">{}</p>", html_escape(e)))
        .unwrap_or_default();
    format!(
        r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in - entra-sim</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 46rem; padding: 0 1rem; color: #1b1b1b; }}
ul {{ list-style: none; padding: 0; }}
li {{ border: 1px solid #8a8886; border-radius: 4px; padding: .75rem 1rem; margin: .5rem 0; }}
li.hinted {{ border: 2px solid #0067b8; }}
button {{ font-size: 1rem; padding: .4rem 1rem; background: #0067b8; color: #fff; border: 0; border-radius: 2px; cursor: pointer; }}
button:focus {{ outline: 3px solid #1b1b1b; outline-offset: 2px; }}
dl {{ display: grid; grid-template-columns: max-content auto; gap: .1rem 1rem; margin: .5rem 0; }}
dt {{ font-weight: 600; }} dd {{ margin: 0; }}
.error {{ color: #a80000; font-weight: 600; }}
</style>
</head>
<body>
<main>
<h1>Pick an account</h1>
<p>This is <strong>entra-sim</strong>, a stand-in for Microsoft Entra ID (tenant <code>{tenant}</code>). Choose who to sign in as; no password is needed.</p>
{step_up}{alert}
<ul>
{cards}</ul>
</main>
</body>
</html>
"#,
        tenant = html_escape(&app.cfg.tenant_id),
    )
}

fn card(p: &Person, action: &str, hidden: &str, hinted: bool) -> String {
    let roles = if p.roles.is_empty() {
        "none".to_string()
    } else {
        p.roles.join(", ")
    };
    let manager = p
        .manager()
        .map(|m| format!("{} ({})", m.display_name, m.upn))
        .unwrap_or_else(|| "none".into());
    let id = format!("person-{}", p.oid);
    format!(
        r#"<li class="{class}" aria-labelledby="{id}">
<form method="post" action="{action}">{hidden}<input type="hidden" name="login_as" value="{oid}">
<h2 id="{id}">{name}{suggested}</h2>
<dl><dt>User name</dt><dd>{upn}</dd><dt>Job title</dt><dd>{title}</dd><dt>App roles</dt><dd>{roles}</dd><dt>Manager</dt><dd>{manager}</dd></dl>
<button type="submit">Sign in as {name}</button>
</form>
</li>
"#,
        class = if hinted { "hinted" } else { "" },
        suggested = if hinted {
            " <small>(suggested)</small>"
        } else {
            ""
        },
        action = html_escape(action),
        oid = html_escape(p.oid),
        name = html_escape(p.display_name),
        upn = html_escape(p.upn),
        title = html_escape(p.job_title),
        roles = html_escape(&roles),
        manager = html_escape(&manager),
    )
}
