//! A stand-in for Microsoft Entra ID (OpenID Connect sign-in) and the Microsoft Graph beta
//! Permissions Management API. Tests start it in-process on port 0; `entra-sim` runs it alone.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

use std::net::SocketAddr;

use axum::{routing::get, Json, Router};
use serde_json::json;
use tokio::{net::TcpListener, sync::oneshot, task::JoinHandle};

/// The stand-in's routes.
pub fn router() -> Router {
    Router::new().route("/healthz", get(|| async { Json(json!({ "status": "ok" })) }))
}

/// A stand-in serving on a local port until dropped or shut down.
pub struct RunningSim {
    pub addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    task: JoinHandle<std::io::Result<()>>,
}

impl RunningSim {
    /// `http://127.0.0.1:PORT`, the base for every URL the portal is configured with.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub async fn shutdown(mut self) -> std::io::Result<()> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        (&mut self.task).await.unwrap_or(Ok(()))
    }
}

impl Drop for RunningSim {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Binds `addr` (use port 0 for a free port) and serves in a background task.
pub async fn start(addr: SocketAddr) -> std::io::Result<RunningSim> {
    let listener = TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        axum::serve(listener, router())
            .with_graceful_shutdown(async {
                let _ = rx.await;
            })
            .await
    });
    Ok(RunningSim { addr, shutdown: Some(tx), task })
}
