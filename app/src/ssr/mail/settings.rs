//! The `[notifications]` and `[smtp]` sections of the configuration: when the clock's emails are
//! due, how the sender job claims and retries, and which relay it sends through.
use std::time::Duration;

use secrecy::SecretString;
use serde::Deserialize;

use crate::{
    domain::duration::IsoDuration,
    ssr::settings::{millis, seconds},
};

#[derive(Debug, Clone, Deserialize)]
pub struct NotificationSettings {
    /// A request still waiting for a decision this long after it was made gets one reminder to its
    /// approver (ISO 8601, `PT4H`).
    pub remind_after: IsoDuration,
    /// The requester hears this long before their access ends (ISO 8601, `PT15M`).
    pub ending_notice: IsoDuration,
    /// How often each replica looks for emails to write (reminders, access ending) and to send.
    #[serde(with = "millis")]
    pub every: Duration,
    /// How long a claimed email is one sender's alone; a crashed sender's emails go after it. Longer
    /// than one SMTP exchange may take (`smtp.timeout` bounds each command).
    #[serde(with = "seconds")]
    pub lease: Duration,
    /// Tries before the sender gives an email up (its row stays, with the last error).
    pub max_attempts: u32,
    /// The wait after a failed try, doubled after each further one (with jitter), up to the ceiling.
    #[serde(with = "millis")]
    pub first_backoff: Duration,
    #[serde(with = "millis")]
    pub max_backoff: Duration,
}

/// How the connection to the relay is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpMode {
    /// Plain SMTP: a relay on the same host or network only (the dev mail catcher).
    None,
    /// Plain connection upgraded with STARTTLS, which must be offered (port 587).
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
}

#[derive(Debug, Clone, Deserialize)]
pub struct SmtpSettings {
    /// The relay's host name. Empty: mail is off; emails are kept in the outbox until it is set.
    pub host: String,
    pub port: u16,
    pub mode: SmtpMode,
    /// Empty: no authentication.
    pub username: String,
    pub password: SecretString,
    /// The sender, `Access Portal <access-portal@example.com>`.
    pub from: String,
    /// How long one SMTP command may take.
    #[serde(with = "millis")]
    pub timeout: Duration,
}
