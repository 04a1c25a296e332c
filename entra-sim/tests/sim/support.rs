//! Helpers shared by the integration tests: starting a simulator, PKCE pairs, the browser half of
//! sign-in, and token requests.
use entra_sim::{RunningSim, SimConfig};
use reqwest::redirect::Policy;
use reqwest::{Client, Response};
use serde_json::Value;
use sha2::{Digest, Sha256};

pub const REDIRECT: &str = "http://127.0.0.1:3000/auth/callback";

pub async fn sim() -> RunningSim {
    sim_with(SimConfig::for_tests()).await
}

pub async fn sim_with(cfg: SimConfig) -> RunningSim {
    entra_sim::start(cfg).await.expect("simulator starts")
}

/// A client that does not follow redirects, so tests can read `Location`.
pub fn http() -> Client {
    Client::builder().redirect(Policy::none()).build().unwrap()
}

pub fn b64url(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

pub struct Pkce {
    pub verifier: String,
    pub challenge: String,
}

pub fn pkce() -> Pkce {
    let verifier =
        b64url(uuid::Uuid::new_v4().as_bytes()) + &b64url(uuid::Uuid::new_v4().as_bytes());
    let challenge = b64url(&Sha256::digest(verifier.as_bytes()));
    Pkce {
        verifier,
        challenge,
    }
}

pub fn authorize_url(sim: &RunningSim) -> String {
    format!(
        "{}/{}/oauth2/v2.0/authorize",
        sim.base_url(),
        sim.tenant_id()
    )
}

pub fn token_url(sim: &RunningSim) -> String {
    format!("{}/{}/oauth2/v2.0/token", sim.base_url(), sim.tenant_id())
}

pub fn client_id(sim: &RunningSim) -> String {
    sim.client().unwrap().client_id.clone()
}

pub fn client_secret(sim: &RunningSim) -> String {
    sim.client().unwrap().client_secret.clone()
}

/// The usual authorize parameters, for tests to change one at a time.
pub fn authorize_params(sim: &RunningSim, challenge: &str) -> Vec<(String, String)> {
    [
        ("client_id", client_id(sim)),
        ("response_type", "code".to_string()),
        ("redirect_uri", REDIRECT.to_string()),
        (
            "scope",
            "openid profile email offline_access https://graph.microsoft.com/.default".to_string(),
        ),
        ("state", "state-123".to_string()),
        ("nonce", "nonce-456".to_string()),
        ("code_challenge", challenge.to_string()),
        ("code_challenge_method", "S256".to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

pub fn set(params: &mut Vec<(String, String)>, key: &str, value: Option<&str>) {
    params.retain(|(k, _)| k != key);
    if let Some(v) = value {
        params.push((key.to_string(), v.to_string()));
    }
}

/// Chooses a person on the sign-in page (the page's form posts back to authorize with `login_as`).
pub async fn choose(sim: &RunningSim, params: &[(String, String)], oid: &str) -> Response {
    let mut form = params.to_vec();
    form.push(("login_as".into(), oid.into()));
    http()
        .post(authorize_url(sim))
        .form(&form)
        .send()
        .await
        .unwrap()
}

/// The query parameters of a redirect's `Location`.
pub fn location_params(resp: &Response) -> Vec<(String, String)> {
    let loc = resp
        .headers()
        .get("location")
        .expect("a Location header")
        .to_str()
        .unwrap();
    let url = url::Url::parse(loc).unwrap();
    url.query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

pub fn param<'a>(params: &'a [(String, String)], key: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// Signs `oid` in through the page and returns the authorization code and the PKCE verifier.
pub async fn code_for(sim: &RunningSim, oid: &str) -> (String, String) {
    let p = pkce();
    let resp = choose(sim, &authorize_params(sim, &p.challenge), oid).await;
    assert_eq!(resp.status(), 302, "sign-in redirects back");
    let q = location_params(&resp);
    (param(&q, "code").expect("a code").to_string(), p.verifier)
}

pub fn redeem_form(sim: &RunningSim, code: &str, verifier: &str) -> Vec<(String, String)> {
    [
        ("grant_type", "authorization_code".to_string()),
        ("client_id", client_id(sim)),
        ("client_secret", client_secret(sim)),
        ("code", code.to_string()),
        ("redirect_uri", REDIRECT.to_string()),
        ("code_verifier", verifier.to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

pub async fn post_token(sim: &RunningSim, form: &[(String, String)]) -> (u16, Value) {
    let resp = http().post(token_url(sim)).form(form).send().await.unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap())
}

/// Full sign-in of `oid`: the token response.
pub async fn sign_in(sim: &RunningSim, oid: &str) -> Value {
    let (code, verifier) = code_for(sim, oid).await;
    let (status, body) = post_token(sim, &redeem_form(sim, &code, &verifier)).await;
    assert_eq!(status, 200, "{body}");
    body
}

/// Asserts an Entra error: status, OAuth error and AADSTS code at the start of the description.
pub fn assert_aad_error(status: u16, body: &Value, want_status: u16, error: &str, code: u32) {
    assert_eq!(status, want_status, "{body}");
    assert_eq!(body["error"], error, "{body}");
    assert_eq!(body["error_codes"][0], code, "{body}");
    let desc = body["error_description"].as_str().unwrap();
    assert!(desc.starts_with(&format!("AADSTS{code}: ")), "{desc}");
    assert!(
        body["trace_id"].is_string()
            && body["correlation_id"].is_string()
            && body["timestamp"].is_string()
    );
}

/// Decodes a JWT's payload without checking it (the tests check signatures separately).
pub fn claims(jwt: &str) -> Value {
    use base64::Engine as _;
    let payload = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap(),
    )
    .unwrap()
}

pub fn kid(jwt: &str) -> String {
    jsonwebtoken::decode_header(jwt).unwrap().kid.unwrap()
}

pub async fn get_json(url: &str, token: Option<&str>) -> (u16, Value) {
    let mut req = http().get(url);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// Asserts Graph's 401 body.
pub fn assert_graph_401(status: u16, body: &Value, message_part: &str) {
    assert_eq!(status, 401, "{body}");
    assert_eq!(
        body["error"]["code"], "InvalidAuthenticationToken",
        "{body}"
    );
    let msg = body["error"]["message"].as_str().unwrap();
    assert!(msg.contains(message_part), "{msg}");
    assert!(body["error"]["innerError"]["request-id"].is_string());
}

/// The six documented request bodies, by file name.
pub const DOCUMENTED_BODIES: [(&str, &str); 6] = [
    (
        "aws-actions.json",
        include_str!("../../../testdata/graph-requests/aws-actions.json"),
    ),
    (
        "aws-policy.json",
        include_str!("../../../testdata/graph-requests/aws-policy.json"),
    ),
    (
        "azure-actions.json",
        include_str!("../../../testdata/graph-requests/azure-actions.json"),
    ),
    (
        "azure-roles.json",
        include_str!("../../../testdata/graph-requests/azure-roles.json"),
    ),
    (
        "gcp-actions.json",
        include_str!("../../../testdata/graph-requests/gcp-actions.json"),
    ),
    (
        "gcp-roles.json",
        include_str!("../../../testdata/graph-requests/gcp-roles.json"),
    ),
];

pub fn documented(name: &str) -> Value {
    let (_, text) = DOCUMENTED_BODIES
        .iter()
        .find(|(n, _)| *n == name)
        .expect("a documented body");
    serde_json::from_str(text).unwrap()
}

pub fn requests_url(sim: &RunningSim) -> String {
    format!(
        "{}/identityGovernance/permissionsManagement/scheduledPermissionsRequests",
        sim.graph_base_url()
    )
}

pub fn changes_url(sim: &RunningSim) -> String {
    format!(
        "{}/identityGovernance/permissionsManagement/permissionsRequestChanges",
        sim.graph_base_url()
    )
}

/// POSTs a request body as `user`; returns status and JSON.
pub async fn submit(sim: &RunningSim, user: &str, body: &Value) -> (u16, Value) {
    let token = sim.access_token_for(user).unwrap();
    let resp = http()
        .post(requests_url(sim))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap())
}

/// Submits and insists on 201; returns the new request's id.
pub async fn submit_ok(sim: &RunningSim, user: &str, body: &Value) -> String {
    let (s, created) = submit(sim, user, body).await;
    assert_eq!(s, 201, "{created}");
    created["id"].as_str().unwrap().to_string()
}

pub async fn cancel_all(sim: &RunningSim, user: &str, id: &str) -> (u16, Value) {
    let token = sim.access_token_for(user).unwrap();
    let resp = http()
        .post(format!("{}/{id}/cancelAll", requests_url(sim)))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// Every change of one request, oldest first, as (statusDetail, activeOccurrenceStatus, time).
pub async fn changes_of(
    sim: &RunningSim,
    request_id: &str,
) -> Vec<(String, Option<String>, String)> {
    let token = sim.access_token_for("adele@contoso.com").unwrap();
    let url = format!(
        "{}?$filter=permissionsRequestId eq '{request_id}'&$top=999",
        changes_url(sim)
    );
    let (s, body) = get_json(&url, Some(&token)).await;
    assert_eq!(s, 200, "{body}");
    body["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["statusDetail"].as_str().unwrap().to_string(),
                c["activeOccurrenceStatus"].as_str().map(str::to_string),
                c["modificationDateTime"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// The (status, occurrence) pairs of a request's changes, for comparing sequences.
pub async fn states_of(sim: &RunningSim, request_id: &str) -> Vec<(String, Option<String>)> {
    changes_of(sim, request_id)
        .await
        .into_iter()
        .map(|(s, o, _)| (s, o))
        .collect()
}

pub fn st(status: &str, occurrence: Option<&str>) -> (String, Option<String>) {
    (status.to_string(), occurrence.map(str::to_string))
}

/// Sets a value inside a JSON document by a dotted path (`a.b[0].c`), creating objects as needed;
/// `None` removes the key.
pub fn set_path(doc: &mut Value, path: &str, value: Option<Value>) {
    let mut cur = doc;
    // `@odata.type` is one key despite its dot.
    let path = path.replace("@odata.type", "@odata\u{1}type");
    let parts: Vec<String> = path.split('.').map(|p| p.replace('\u{1}', ".")).collect();
    for (i, part) in parts.iter().enumerate() {
        let (key, index) = match part.split_once('[') {
            Some((k, rest)) => (
                k,
                Some(rest.trim_end_matches(']').parse::<usize>().unwrap()),
            ),
            None => (part.as_str(), None),
        };
        let last = i == parts.len() - 1;
        if last && index.is_none() {
            let obj = cur.as_object_mut().unwrap();
            match value {
                Some(v) => {
                    obj.insert(key.to_string(), v);
                }
                None => {
                    obj.remove(key);
                }
            }
            return;
        }
        cur = cur
            .as_object_mut()
            .unwrap()
            .entry(key.to_string())
            .or_insert(Value::Object(Default::default()));
        if let Some(ix) = index {
            if last {
                match value {
                    Some(v) => cur.as_array_mut().unwrap()[ix] = v,
                    None => {
                        cur.as_array_mut().unwrap().remove(ix);
                    }
                }
                return;
            }
            cur = &mut cur.as_array_mut().unwrap()[ix];
        }
    }
}
