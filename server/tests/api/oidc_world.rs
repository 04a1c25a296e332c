//! The portal signed in against the Entra stand-in, reached through a proxy that can tamper with the ID
//! token in the token response (re-signed with the stand-in's own key, or a key it does not publish).
use std::sync::{Arc, Mutex, OnceLock};

use axum::{
    body::{Body, Bytes},
    extract::{Request, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    Router,
};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use entra_sim::{RunningSim, SimConfig};
use serde_json::Value;
use sqlx::postgres::PgConnectOptions;
use tokio::net::TcpListener;

use super::harness::TestApp;
use server::config::Config;

pub type ClaimsEdit = Box<dyn Fn(&mut Value) + Send + Sync>;

pub enum Tamper {
    /// Change claims, re-sign with the stand-in's published key.
    Claims(ClaimsEdit),
    /// Keep claims, sign with a key the JWKS does not contain.
    ForeignKey,
}

#[derive(Default)]
struct ProxyState {
    upstream: OnceLock<String>,
    sim: OnceLock<Arc<RunningSim>>,
    tamper: Mutex<Option<Tamper>>,
    http: reqwest::Client,
}

pub struct World {
    pub sim: Arc<RunningSim>,
    pub app: TestApp,
    proxy: Arc<ProxyState>,
}

impl World {
    pub async fn start(connect: PgConnectOptions) -> World {
        Self::start_with(connect, |_| {}).await
    }

    pub async fn start_with(connect: PgConnectOptions, adjust: impl FnOnce(&mut Config)) -> World {
        Self::start_full(connect, |_| {}, adjust).await
    }

    /// As [`World::start_with`], with the stand-in's configuration changed by `sim_adjust` first.
    pub async fn start_full(
        connect: PgConnectOptions,
        sim_adjust: impl FnOnce(&mut SimConfig),
        adjust: impl FnOnce(&mut Config),
    ) -> World {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let proxy_base = format!("http://{}", listener.local_addr().unwrap());
        let proxy = Arc::new(ProxyState {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            ..ProxyState::default()
        });
        let router = Router::new().fallback(forward).with_state(proxy.clone());
        tokio::spawn(async move { axum::serve(listener, router).await });

        let mut sim_config = SimConfig {
            public_base_url: Some(proxy_base),
            ..SimConfig::for_tests()
        };
        sim_adjust(&mut sim_config);
        let sim = Arc::new(entra_sim::start(sim_config).await.unwrap());
        let _ = proxy.upstream.set(format!("http://{}", sim.addr));
        let _ = proxy.sim.set(sim.clone());

        let authority = sim.authority();
        let graph = sim.graph_base_url();
        let graph_v1 = sim.graph_v1_base_url();
        let app = TestApp::spawn_with(connect, move |config| {
            config.auth.authority = authority;
            config.auth.graph_base_url = graph;
            config.requests.pim.graph_base_url = graph_v1;
            config.auth.token_keys = vec![app::ssr::auth::settings::TokenKeySetting {
                id: "test".into(),
                key: base64::engine::general_purpose::STANDARD
                    .encode([7u8; 32])
                    .into(),
            }];
            adjust(config);
        })
        .await;
        World { sim, app, proxy }
    }

    /// The next token responses carry a tampered ID token until [`World::stop_tampering`].
    pub fn tamper(&self, tamper: Tamper) {
        *self.proxy.tamper.lock().unwrap() = Some(tamper);
    }

    /// Walks the sign-in as a browser: portal login, the stand-in's page (picking `oid`), and back to the
    /// callback. Returns the callback's response.
    pub async fn sign_in(&self, browser: &reqwest::Client, oid: &str) -> reqwest::Response {
        let callback = self.authorize(browser, oid).await;
        browser.get(callback).send().await.unwrap()
    }

    /// The first two steps of [`World::sign_in`]: the callback URL the stand-in sends the browser to.
    pub async fn authorize(&self, browser: &reqwest::Client, oid: &str) -> String {
        self.authorize_from(browser, "/auth/login", oid).await
    }

    /// As [`World::authorize`], starting from `login` (a sign-in address with its own `return_to`).
    pub async fn authorize_from(
        &self,
        browser: &reqwest::Client,
        login: &str,
        oid: &str,
    ) -> String {
        let login = browser.get(self.app.url(login)).send().await.unwrap();
        assert_eq!(login.status(), 303, "login redirects to the authority");
        let authorize = location(&login);
        let mut url = reqwest::Url::parse(&authorize).unwrap();
        let mut form: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        form.push(("login_as".into(), oid.into()));
        url.set_query(None);
        let picked = browser.post(url).form(&form).send().await.unwrap();
        assert!(
            picked.status().is_redirection(),
            "the stand-in answered {}",
            picked.status()
        );
        location(&picked)
    }
}

pub fn location(response: &reqwest::Response) -> String {
    response.headers()["location"].to_str().unwrap().to_string()
}

async fn forward(State(proxy): State<Arc<ProxyState>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let upstream = proxy.upstream.get().cloned().unwrap_or_default();
    let url = format!(
        "{upstream}{}",
        parts
            .uri
            .path_and_query()
            .map(|p| p.as_str())
            .unwrap_or("/")
    );
    let mut outbound = proxy.http.request(parts.method.clone(), url).body(body);
    for (name, value) in parts.headers.iter() {
        if name != "host" {
            outbound = outbound.header(name, value);
        }
    }
    let Ok(response) = outbound.send().await else {
        return StatusCode::BAD_GATEWAY.into_response();
    };
    let status = response.status();
    let headers: HeaderMap = response.headers().clone();
    let mut bytes = response.bytes().await.unwrap_or_default();
    if parts.uri.path().ends_with("/oauth2/v2.0/token") && status.is_success() {
        if let Some(tampered) = tamper_token_response(&proxy, &bytes) {
            bytes = tampered;
        }
    }
    let mut out = Response::builder().status(status);
    for (name, value) in headers.iter() {
        if name != "content-length" && name != "transfer-encoding" {
            out = out.header(name, value);
        }
    }
    out.body(Body::from(bytes)).unwrap()
}

fn tamper_token_response(proxy: &ProxyState, body: &Bytes) -> Option<Bytes> {
    let guard = proxy.tamper.lock().unwrap();
    let tamper = guard.as_ref()?;
    let sim = proxy.sim.get()?;
    let mut json: Value = serde_json::from_slice(body).ok()?;
    let id_token = json.get("id_token")?.as_str()?.to_string();
    let payload = id_token.split('.').nth(1)?;
    let mut claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()?;
    let signed = match tamper {
        Tamper::Claims(edit) => {
            edit(&mut claims);
            sim.sign_token(&claims).ok()?
        }
        Tamper::ForeignKey => sim.sign_with_foreign_key(&claims).ok()?,
    };
    json["id_token"] = Value::String(signed);
    Some(Bytes::from(serde_json::to_vec(&json).ok()?))
}
