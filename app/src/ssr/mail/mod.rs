//! Email notifications: who hears of which event ([`for_event`]), the emails' text
//! ([`render`], askama templates `templates/email/`), and the SMTP relay they leave through
//! ([`Mail`], `lettre` over tokio with rustls). The outbox is `db::notifications`; the job that writes
//! the clock's emails and sends them all is `jobs::notifications`.
pub mod render;
pub mod settings;

use std::sync::atomic::{AtomicBool, Ordering};

use lettre::{
    message::{Mailbox, MultiPart},
    transport::smtp::{authentication::Credentials, extension::ClientId},
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
};
use secrecy::ExposeSecret;

use self::settings::{NotificationSettings, SmtpMode, SmtpSettings};
use crate::domain::lifecycle::{Event, Party};

/// What an email tells of. Stored as `notifications.kind`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A request waits for the approver.
    NewRequest,
    Approved,
    Rejected,
    Expired,
    /// Graph accepted the request.
    Submitted,
    /// Graph refused it, or the portal gave up sending it.
    Failed,
    Cancelled,
    /// The requester's access ends soon.
    Ending,
    /// A request still waits for the approver after `notifications.remind_after`.
    Reminder,
    /// PIM asks the requester to sign in again (MFA) before it activates their Entra role.
    SignInNeeded,
}

impl Kind {
    pub const ALL: [Kind; 10] = [
        Kind::NewRequest,
        Kind::Approved,
        Kind::Rejected,
        Kind::Expired,
        Kind::Submitted,
        Kind::Failed,
        Kind::Cancelled,
        Kind::Ending,
        Kind::Reminder,
        Kind::SignInNeeded,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::NewRequest => "new_request",
            Kind::Approved => "approved",
            Kind::Rejected => "rejected",
            Kind::Expired => "expired",
            Kind::Submitted => "submitted",
            Kind::Failed => "failed",
            Kind::Cancelled => "cancelled",
            Kind::Ending => "ending",
            Kind::Reminder => "reminder",
            Kind::SignInNeeded => "sign_in_needed",
        }
    }

    pub fn parse(text: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == text)
    }

    /// Whether the email is for the approver, asking for a decision: its link is the inbox.
    pub fn asks_for_a_decision(self) -> bool {
        matches!(self, Kind::NewRequest | Kind::Reminder)
    }
}

/// One of the two people a request names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Recipient {
    Requester,
    /// The designated approver, whoever decided.
    Approver,
}

/// Who hears of `event`, and in which email; `None` for events nobody is told of (an admin's retry,
/// Graph's status updates: the request page shows those live).
pub fn for_event(event: Event) -> Option<(Kind, &'static [Recipient])> {
    use Recipient::{Approver, Requester};
    Some(match event {
        Event::Approve => (Kind::Approved, &[Requester]),
        Event::Reject => (Kind::Rejected, &[Requester]),
        Event::Expire => (Kind::Expired, &[Requester]),
        Event::Submit => (Kind::Submitted, &[Requester, Approver]),
        Event::SubmitFailed => (Kind::Failed, &[Requester, Approver]),
        // The other party: whoever did not cancel it. An admin is neither, so both hear.
        Event::Cancel {
            by: Party::Requester,
        } => (Kind::Cancelled, &[Approver]),
        Event::Cancel {
            by: Party::Approver,
        } => (Kind::Cancelled, &[Requester]),
        Event::Cancel { by: Party::Admin } => (Kind::Cancelled, &[Requester, Approver]),
        Event::Retry | Event::GraphUpdate { .. } => return None,
    })
}

/// Why an email did not leave.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// The recipient's address or the message cannot be written: trying again will not help.
    #[error("{0}")]
    Unsendable(String),
    /// The relay refused or could not be reached.
    #[error("the mail relay: {0}")]
    Relay(String),
}

/// The configured relay, or none (mail off), with what every email needs.
pub struct Mail {
    pub notifications: NotificationSettings,
    /// Links in emails are absolute, from here.
    pub public_url: String,
    relay: Option<Relay>,
    said_off: AtomicBool,
}

struct Relay {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl std::fmt::Debug for Mail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mail")
            .field("on", &self.relay.is_some())
            .field("public_url", &self.public_url)
            .finish_non_exhaustive()
    }
}

impl Mail {
    /// Builds the relay from `smtp` (none when `smtp.host` is empty). A sender address that does not
    /// parse, or a host TLS cannot be set up for, is a configuration error.
    pub fn new(
        notifications: NotificationSettings,
        smtp: &SmtpSettings,
        public_url: &str,
    ) -> Result<Self, String> {
        let public_url = public_url.trim_end_matches('/').to_owned();
        let relay = match smtp.host.trim() {
            "" => None,
            host => Some(Relay::new(smtp, host, &public_url)?),
        };
        Ok(Self {
            notifications,
            public_url,
            relay,
            said_off: AtomicBool::new(false),
        })
    }

    pub fn is_on(&self) -> bool {
        self.relay.is_some()
    }

    /// Logs, once per process, that mail is off and emails wait in the outbox.
    pub fn say_off_once(&self) {
        if !self.said_off.swap(true, Ordering::Relaxed) {
            tracing::warn!(
                "mail is off (smtp.host is empty): emails are kept in the outbox and sent once a relay is configured"
            );
        }
    }

    /// Sends `email` to `upn` (named `name`). `message_id` is stable per outbox row, so a relay or a
    /// mail client that sees a row twice (a crash after the relay took it) can tell.
    pub async fn send(
        &self,
        email: &render::Email,
        upn: &str,
        name: Option<&str>,
        message_id: &str,
    ) -> Result<(), SendError> {
        let Some(relay) = &self.relay else {
            return Err(SendError::Relay("mail is off".to_owned()));
        };
        let address = upn
            .parse()
            .map_err(|_| SendError::Unsendable(format!("{upn:?} is not an email address")))?;
        let domain = relay.from.email.domain().to_owned();
        let message = Message::builder()
            .from(relay.from.clone())
            .to(Mailbox::new(name.map(one_line), address))
            .subject(one_line(&email.subject))
            .message_id(Some(format!("<{message_id}@{domain}>")))
            .multipart(MultiPart::alternative_plain_html(
                email.text.clone(),
                email.html.clone(),
            ))
            .map_err(|e| SendError::Unsendable(e.to_string()))?;
        relay
            .transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| SendError::Relay(e.to_string()))
    }
}

impl Relay {
    fn new(smtp: &SmtpSettings, host: &str, public_url: &str) -> Result<Self, String> {
        let from: Mailbox = smtp
            .from
            .parse()
            .map_err(|e| format!("smtp.from {:?} is not an address: {e}", smtp.from))?;
        let tls = |e: lettre::transport::smtp::Error| format!("smtp.host {host:?}: {e}");
        let builder = match smtp.mode {
            SmtpMode::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host),
            SmtpMode::Starttls => {
                AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host).map_err(tls)?
            }
            SmtpMode::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(host).map_err(tls)?,
        };
        // EHLO names the portal as people reach it, not the machine it happens to run on.
        let hello = url::Url::parse(public_url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_owned))
            .unwrap_or_else(|| "localhost".to_owned());
        let mut builder = builder
            .port(smtp.port)
            .timeout(Some(smtp.timeout))
            .hello_name(ClientId::Domain(hello));
        if !smtp.username.is_empty() {
            builder = builder.credentials(Credentials::new(
                smtp.username.clone(),
                smtp.password.expose_secret().to_owned(),
            ));
        }
        Ok(Self {
            transport: builder.build(),
            from,
        })
    }
}

/// A header value on one line: control characters (a newline in a name) become spaces.
fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_event_reaches_the_people_it_concerns() {
        use Recipient::{Approver, Requester};
        let to = |event| for_event(event).map(|(kind, who)| (kind, who.to_vec()));
        assert_eq!(to(Event::Approve), Some((Kind::Approved, vec![Requester])));
        assert_eq!(to(Event::Reject), Some((Kind::Rejected, vec![Requester])));
        assert_eq!(to(Event::Expire), Some((Kind::Expired, vec![Requester])));
        assert_eq!(
            to(Event::Submit),
            Some((Kind::Submitted, vec![Requester, Approver]))
        );
        assert_eq!(
            to(Event::SubmitFailed),
            Some((Kind::Failed, vec![Requester, Approver]))
        );
        assert_eq!(to(Event::Retry), None);
    }

    #[test]
    fn a_cancel_reaches_the_other_party() {
        let who = |by| for_event(Event::Cancel { by }).map(|(_, who)| who.to_vec());
        assert_eq!(who(Party::Requester), Some(vec![Recipient::Approver]));
        assert_eq!(who(Party::Approver), Some(vec![Recipient::Requester]));
        assert_eq!(
            who(Party::Admin),
            Some(vec![Recipient::Requester, Recipient::Approver])
        );
    }

    #[test]
    fn kinds_read_back_from_storage() {
        for kind in Kind::ALL {
            assert_eq!(Kind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(Kind::parse("spam"), None);
    }

    #[test]
    fn a_header_value_never_spans_lines() {
        assert_eq!(one_line("Alex\r\nBcc: x@evil"), "Alex  Bcc: x@evil");
    }
}
