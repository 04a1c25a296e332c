//! What the portal tells Prometheus: counters kept in this process (HTTP requests by route and
//! status, submissions and emails by outcome, poller errors) and gauges read from Postgres at each scrape (the
//! poller's lag and last success, changes applied, the outbox's depth and oldest row), so every
//! replica reports the same shared state. Served on its own address, never the public one.
use std::sync::atomic::AtomicU64;

use prometheus_client::{
    encoding::{text::encode, EncodeLabelSet},
    metrics::{counter::Counter, family::Family, gauge::Gauge},
    registry::Registry,
};
use sqlx::PgPool;
use time::OffsetDateTime;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct HttpLabels {
    /// The matched route (`/requests/{id}`), never the raw path: one series per route.
    pub route: String,
    pub method: String,
    pub status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OutcomeLabels {
    pub outcome: &'static str,
}

pub struct Metrics {
    registry: Registry,
    pub http_requests: Family<HttpLabels, Counter>,
    pub submissions: Family<OutcomeLabels, Counter>,
    pub poller_errors: Counter,
    poller_lag: Gauge<f64, AtomicU64>,
    poller_last_success: Gauge<f64, AtomicU64>,
    poller_applied: Gauge,
    outbox_depth: Gauge,
    outbox_oldest: Gauge<f64, AtomicU64>,
    pub notifications: Family<OutcomeLabels, Counter>,
    notification_outbox_depth: Gauge,
    notification_outbox_oldest: Gauge<f64, AtomicU64>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("portal");
        let http_requests = Family::<HttpLabels, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests answered, by route, method and status",
            http_requests.clone(),
        );
        let submissions = Family::<OutcomeLabels, Counter>::default();
        registry.register(
            "submissions",
            "Submission tries by outcome (submitted, adopted, failed, retrying, waiting_for_sign_in, dropped)",
            submissions.clone(),
        );
        let poller_errors = Counter::default();
        registry.register(
            "poller_errors",
            "Status poller passes that failed, on this replica",
            poller_errors.clone(),
        );
        let poller_lag = Gauge::<f64, AtomicU64>::default();
        registry.register(
            "poller_lag_seconds",
            "Seconds between now and the newest Graph change applied",
            poller_lag.clone(),
        );
        let poller_last_success = Gauge::<f64, AtomicU64>::default();
        registry.register(
            "poller_last_success_timestamp_seconds",
            "When a status poller pass last succeeded (Unix seconds; 0 never)",
            poller_last_success.clone(),
        );
        let poller_applied = Gauge::default();
        registry.register(
            "poller_changes_applied",
            "Graph changes applied to requests, all replicas together",
            poller_applied.clone(),
        );
        let outbox_depth = Gauge::default();
        registry.register(
            "outbox_depth",
            "Approved requests not yet accepted or refused by Graph",
            outbox_depth.clone(),
        );
        let outbox_oldest = Gauge::<f64, AtomicU64>::default();
        registry.register(
            "outbox_oldest_age_seconds",
            "Seconds since the oldest open submission was approved (0 when none)",
            outbox_oldest.clone(),
        );
        let notifications = Family::<OutcomeLabels, Counter>::default();
        registry.register(
            "notifications",
            "Email tries by outcome (sent, retrying, gave_up, lost_claim), on this replica",
            notifications.clone(),
        );
        let notification_outbox_depth = Gauge::default();
        registry.register(
            "notification_outbox_depth",
            "Emails written and not yet sent nor given up",
            notification_outbox_depth.clone(),
        );
        let notification_outbox_oldest = Gauge::<f64, AtomicU64>::default();
        registry.register(
            "notification_outbox_oldest_age_seconds",
            "Seconds since the oldest unsent email was written (0 when none)",
            notification_outbox_oldest.clone(),
        );
        Self {
            registry,
            http_requests,
            submissions,
            poller_errors,
            poller_lag,
            poller_last_success,
            poller_applied,
            outbox_depth,
            outbox_oldest,
            notifications,
            notification_outbox_depth,
            notification_outbox_oldest,
        }
    }

    /// Counts what one notifications step did.
    pub fn count_notifications(&self, s: &crate::ssr::jobs::notifications::Summary) {
        for (outcome, n) in [
            ("sent", s.sent),
            ("retrying", s.retrying),
            ("gave_up", s.gave_up),
            ("lost_claim", s.lost_claims),
        ] {
            if n > 0 {
                self.notifications
                    .get_or_create(&OutcomeLabels { outcome })
                    .inc_by(n as u64);
            }
        }
    }

    /// Counts what one submission step did.
    pub fn count_submissions(&self, s: &crate::ssr::jobs::submissions::Summary) {
        for (outcome, n) in [
            ("submitted", s.submitted),
            ("adopted", s.adopted),
            ("failed", s.failed),
            ("retrying", s.retrying),
            ("waiting_for_sign_in", s.waiting_for_sign_in),
            ("dropped", s.dropped),
        ] {
            if n > 0 {
                self.submissions
                    .get_or_create(&OutcomeLabels { outcome })
                    .inc_by(n as u64);
            }
        }
    }

    /// The text exposition, with the shared gauges read from Postgres now.
    pub async fn render(&self, pool: &PgPool, now: OffsetDateTime) -> Result<String, sqlx::Error> {
        let poller = crate::ssr::db::changes::state(pool).await?;
        let outbox = crate::ssr::db::submissions::depth(pool).await?;
        let emails = crate::ssr::db::notifications::depth(pool).await?;
        let seconds = |d: time::Duration| d.as_seconds_f64().max(0.0);
        self.poller_lag
            .set(poller.watermark.map_or(0.0, |w| seconds(now - w)));
        self.poller_last_success.set(
            poller
                .last_success_at
                .map_or(0.0, |t| t.unix_timestamp() as f64),
        );
        self.poller_applied.set(poller.changes_applied);
        self.outbox_depth.set(outbox.open);
        self.outbox_oldest
            .set(outbox.oldest.map_or(0.0, |t| seconds(now - t)));
        self.notification_outbox_depth.set(emails.open);
        self.notification_outbox_oldest
            .set(emails.oldest.map_or(0.0, |t| seconds(now - t)));
        let mut text = String::new();
        encode(&mut text, &self.registry).map_err(|e| sqlx::Error::Protocol(e.to_string()))?;
        Ok(text)
    }
}
