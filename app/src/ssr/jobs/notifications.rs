//! Email notifications: writes the clock's emails (one reminder to the approver of a request waiting
//! past `notifications.remind_after`; "your access ends soon" to a requester `ending_notice` before
//! the end) and sends every due email in the outbox through the SMTP relay.
//!
//! Sending: each sender claims one row at a time (`skip locked`, then a lease with a fencing token),
//! writes the email from the request as it is now, sends it within half the lease (so no sender still
//! sends once another may have claimed the row), and marks the row sent only while it still holds the
//! claim. A relay that refuses or cannot be reached gives the row back with a backoff (doubling, with
//! jitter) up to `max_attempts`, then the row is given up with its last error. None of it touches the
//! decision that wrote the row, which committed long before. A crash between the relay's "250" and the
//! mark sends that one email again after the lease: SMTP has no way to ask whether a message arrived;
//! its `Message-ID` is the same both times, so a mail client can tell.
use rand::Rng;
use time::OffsetDateTime;

use super::{next_wait, Schedule, Shutdown};
use crate::{
    domain::schedule::Schedule as AccessSchedule,
    ssr::{
        db::{self, notifications::Claimed},
        mail::{render, Kind, SendError},
        requests::rebuild,
        state::AppState,
    },
};

pub const NAME: &str = "notifications";

/// What one step did, for the log, the metrics and the tests.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub reminders_written: u64,
    pub endings_written: u64,
    pub sent: usize,
    pub retrying: usize,
    pub gave_up: usize,
    /// Claims another sender took over before this one recorded its result.
    pub lost_claims: usize,
    /// Mail is off: nothing was sent, the rows wait.
    pub mail_off: bool,
}

/// One pass: the clock's emails, then every due email.
pub async fn step(state: &AppState, now: OffsetDateTime) -> Result<Summary, sqlx::Error> {
    let (reminders_written, endings_written) = write_due(state, now).await?;
    let sent = send_due(state, now).await?;
    Ok(Summary {
        reminders_written,
        endings_written,
        ..sent
    })
}

/// Writes the reminders and "access ends soon" emails due at `now`. Each has a unique key, so
/// replicas running this at once, or a step run twice, write each once.
pub async fn write_due(state: &AppState, now: OffsetDateTime) -> Result<(u64, u64), sqlx::Error> {
    let settings = &state.mail.notifications;
    let reminders =
        db::notifications::write_reminders(&state.pool, now - settings.remind_after.to_time(), now)
            .await?;
    let notice = settings.ending_notice.to_time();
    let mut endings = 0;
    for granted in db::notifications::granted(&state.pool).await? {
        let Ok(schedule) = serde_json::from_value::<AccessSchedule>(granted.schedule.clone())
        else {
            tracing::warn!(request = %granted.id, "stored schedule does not read back; no ending notice");
            continue;
        };
        let started = granted.submitted_at.unwrap_or(now);
        let Some((_, ends)) = schedule.window_at(started, now) else {
            continue;
        };
        if ends - now <= notice
            && db::notifications::write_ending(&state.pool, &granted, ends, now).await?
        {
            endings += 1;
        }
    }
    Ok((reminders, endings))
}

/// Claims, sends and records emails until none is due at `now`. With mail off, says so once and
/// leaves every row waiting.
pub async fn send_due(state: &AppState, now: OffsetDateTime) -> Result<Summary, sqlx::Error> {
    let mut summary = Summary::default();
    if !state.mail.is_on() {
        state.mail.say_off_once();
        summary.mail_off = true;
        return Ok(summary);
    }
    let settings = &state.mail.notifications;
    while let Some(claimed) = db::notifications::claim(&state.pool, now, settings.lease).await? {
        let sent = match tokio::time::timeout(settings.lease / 2, send(state, &claimed)).await {
            Ok(sent) => sent,
            Err(_) => Err(SendError::Relay(
                "sending took longer than the portal allows".to_owned(),
            )),
        };
        record(state, &claimed, sent, now, &mut summary).await?;
    }
    Ok(summary)
}

/// Writes the email of a claimed row from its request as it is now, and sends it.
async fn send(state: &AppState, claimed: &Claimed) -> Result<(), SendError> {
    let kind = Kind::parse(&claimed.kind)
        .ok_or_else(|| SendError::Unsendable(format!("unknown kind {:?}", claimed.kind)))?;
    let database = |e: sqlx::Error| SendError::Relay(format!("the portal's database: {e}"));
    let stored = db::requests::find(&state.pool, claimed.request_id)
        .await
        .map_err(database)?
        .ok_or_else(|| SendError::Unsendable("the request is gone".to_owned()))?;
    let request = rebuild(&stored).map_err(|e| SendError::Unsendable(e.to_string()))?;
    let people = db::notifications::people(
        &state.pool,
        stored.requester_oid,
        stored.approver_oid,
        claimed.recipient_oid,
    )
    .await
    .map_err(database)?;
    let email = render::render(
        kind,
        &stored,
        &request,
        &people,
        &claimed.recipient_upn,
        &claimed.details,
        &state.mail.public_url,
    )
    .map_err(|e| SendError::Unsendable(format!("the template: {e}")))?;
    let name = if claimed.recipient_oid == stored.requester_oid {
        people.requester_name.as_deref()
    } else {
        people.approver_name.as_deref()
    };
    state
        .mail
        .send(
            &email,
            &claimed.recipient_upn,
            name,
            &format!("notification-{}", claimed.id),
        )
        .await
}

/// Records a try, only while the claim is still this sender's.
async fn record(
    state: &AppState,
    claimed: &Claimed,
    sent: Result<(), SendError>,
    now: OffsetDateTime,
    summary: &mut Summary,
) -> Result<(), sqlx::Error> {
    let settings = &state.mail.notifications;
    let held = match &sent {
        Ok(()) => {
            let held = db::notifications::mark_sent(&state.pool, claimed, now).await?;
            if held {
                tracing::info!(notification = claimed.id, request = %claimed.request_id, kind = %claimed.kind, "email sent");
                summary.sent += 1;
            }
            held
        }
        Err(error) => {
            let tries = claimed.attempts + 1;
            let give_up =
                matches!(error, SendError::Unsendable(_)) || tries >= settings.max_attempts as i32;
            let schedule = Schedule {
                every: std::time::Duration::ZERO,
                first_backoff: settings.first_backoff,
                max_backoff: settings.max_backoff,
            };
            let jitter = rand::thread_rng().gen_range(0.5..=1.0);
            let wait = next_wait(&schedule, tries.unsigned_abs(), jitter);
            let due = now + time::Duration::try_from(wait).unwrap_or(time::Duration::HOUR);
            let message = error.to_string();
            let held =
                db::notifications::release(&state.pool, claimed, due, &message, give_up, now)
                    .await?;
            if held && give_up {
                tracing::error!(notification = claimed.id, request = %claimed.request_id, tries, error = ?message, "email given up");
                summary.gave_up += 1;
            } else if held {
                tracing::warn!(notification = claimed.id, request = %claimed.request_id, tries, error = ?message, "email not sent; trying again later");
                summary.retrying += 1;
            }
            held
        }
    };
    if !held {
        tracing::warn!(
            notification = claimed.id,
            "another sender took this email over; its result is not recorded here"
        );
        summary.lost_claims += 1;
    }
    Ok(())
}

/// The job: [`step`] every `notifications.every` until `shutdown` fires.
pub async fn run(state: AppState, shutdown: Shutdown) {
    if !state.mail.is_on() {
        state.mail.say_off_once();
    }
    let schedule = Schedule {
        every: state.mail.notifications.every,
        first_backoff: std::time::Duration::from_secs(1),
        max_backoff: std::time::Duration::from_secs(60),
    };
    super::run(NAME, schedule, shutdown, |now| {
        let state = state.clone();
        async move {
            let done = step(&state, now).await;
            if let Ok(summary) = &done {
                state.metrics.count_notifications(summary);
            }
            done
        }
    })
    .await;
}
