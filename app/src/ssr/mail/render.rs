//! The emails' words: one HTML and one plain-text template (`templates/email/`), each with a part per
//! [`Kind`], filled from the stored request. Everything a person typed (justification, notes, a
//! reason, names) goes through askama's HTML escaping in the HTML part; the text part is
//! `text/plain` and needs none. Times are in the recipient's zone when the portal knows it (the zone
//! their browser reported with a request of their own), else in UTC, and the zone is named.
//! Nothing secret goes in: no token, no Graph body, no Graph id.
use askama::Template;
use time::{OffsetDateTime, UtcOffset};

use super::Kind;
use crate::{
    domain::{
        ids::CloudKind,
        request::AccessRequest,
        schedule::{format_in, Start},
    },
    ssr::db::{notifications::People, requests::StoredRequest},
};

/// A written email.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// What both templates show.
struct Fields {
    kind: Kind,
    /// The recipient, as the greeting names them.
    recipient: String,
    requester: String,
    approver: String,
    what: String,
    place: String,
    identity: String,
    for_other_identity: bool,
    when: String,
    zone: String,
    justification: String,
    notes: Option<String>,
    ticket: String,
    asked_at: String,
    reason: Option<String>,
    cancelled_by: String,
    ends_at: Option<String>,
    /// Where the email sends its reader: the inbox for a decision, else the request.
    link: String,
    link_label: &'static str,
    request_link: String,
    reference: String,
}

#[derive(Template)]
#[template(path = "email/notification.html")]
struct Html<'a> {
    f: &'a Fields,
}

#[derive(Template)]
#[template(path = "email/notification.txt")]
struct Text<'a> {
    f: &'a Fields,
}

/// The zone times are shown in: the recipient's IANA zone when known and real, else UTC.
pub struct Zone {
    named: Option<(String, jiff::tz::TimeZone)>,
}

impl Zone {
    pub fn of(name: Option<&str>) -> Zone {
        Zone {
            named: name.and_then(|n| jiff::tz::TimeZone::get(n).ok().map(|tz| (n.to_owned(), tz))),
        }
    }

    /// The zone's offset at `t` (summer or winter time as it falls).
    pub fn offset_at(&self, t: OffsetDateTime) -> UtcOffset {
        let Some((_, tz)) = &self.named else {
            return UtcOffset::UTC;
        };
        jiff::Timestamp::from_second(t.unix_timestamp())
            .ok()
            .and_then(|ts| UtcOffset::from_whole_seconds(tz.to_offset(ts).seconds()).ok())
            .unwrap_or(UtcOffset::UTC)
    }

    /// "Europe/Paris", or "UTC".
    pub fn name(&self) -> &str {
        self.named.as_ref().map_or("UTC", |(n, _)| n.as_str())
    }

    /// "3 Dec 2026 at 10:42 UTC+01:00 (Europe/Paris)", or "… at 09:42 UTC".
    pub fn format(&self, t: OffsetDateTime) -> String {
        let shown = format_in(t, self.offset_at(t));
        match &self.named {
            Some((name, _)) => format!("{shown} ({name})"),
            None => shown,
        }
    }
}

/// Writes the email of `kind` about `stored` (rebuilt as `request`) for the recipient, whose name
/// and zone `people` holds. `details` is what the outbox row carries (a reason, who cancelled, an
/// end). `public_url` has no trailing slash.
#[allow(clippy::too_many_arguments)]
pub fn render(
    kind: Kind,
    stored: &StoredRequest,
    request: &AccessRequest,
    people: &People,
    recipient_upn: &str,
    details: &serde_json::Value,
    public_url: &str,
) -> Result<Email, askama::Error> {
    let zone = Zone::of(people.recipient_zone.as_deref());
    let requester = people
        .requester_name
        .clone()
        .unwrap_or_else(|| stored.requester_upn.clone());
    let approver = people
        .approver_name
        .clone()
        .unwrap_or_else(|| stored.approver_upn.clone());
    let recipient = if recipient_upn.eq_ignore_ascii_case(&stored.requester_upn) {
        requester.clone()
    } else if recipient_upn.eq_ignore_ascii_case(&stored.approver_upn) {
        approver.clone()
    } else {
        recipient_upn.to_owned()
    };
    let schedule = request.schedule();
    // The schedule reads in the zone's offset at its start (or now, for "when approved").
    let at = match schedule.start() {
        Start::At(at) => at,
        Start::Now => stored.created_at,
    };
    let cloud = CloudKind::parse(&stored.cloud).ok();
    let place = match cloud {
        // "Microsoft Entra ID, Seattle office (/administrativeUnits/…)".
        Some(CloudKind::Entra) => format!(
            "{} {}, {} ({})",
            CloudKind::Entra,
            CloudKind::Entra.system_noun(),
            stored.authorization_system_name,
            stored.authorization_system_id
        ),
        Some(cloud) => format!(
            "{cloud} {} {} ({})",
            cloud.system_noun(),
            stored.authorization_system_name,
            stored.authorization_system_id
        ),
        None => stored.authorization_system_name.clone(),
    };
    let text = |key: &str| details.get(key).and_then(|v| v.as_str()).map(str::to_owned);
    let request_link = format!("{public_url}/requests/{}", stored.id);
    let (link, link_label) = if kind.asks_for_a_decision() {
        (format!("{public_url}/approvals"), "Open your approvals")
    } else {
        (request_link.clone(), "Open the request")
    };
    // The names stored with the request: an email needs no Graph call either.
    let names = crate::ssr::requests::stored_names(stored);
    let fields = Fields {
        kind,
        recipient,
        requester: format!("{requester} ({})", stored.requester_upn),
        approver: stored.approver_upn.clone(),
        what: request
            .permissions()
            .permissions()
            .describe_with_ids(&names),
        place,
        identity: format!(
            "{} {} ({})",
            stored.identity_type, stored.identity_name, stored.identity_external_id
        ),
        for_other_identity: stored.for_other_identity,
        when: schedule.summary_in(zone.offset_at(at)),
        zone: zone.name().to_owned(),
        justification: stored.justification.clone(),
        notes: stored.notes.clone().filter(|n| !n.trim().is_empty()),
        ticket: match stored.ticket_number.as_str() {
            "" => "none".to_owned(),
            number => number.to_owned(),
        },
        asked_at: zone.format(stored.created_at),
        reason: text("reason"),
        cancelled_by: match text("by").as_deref() {
            Some("requester") => requester.clone(),
            Some("approver") => approver.clone(),
            _ => "an admin".to_owned(),
        },
        ends_at: details
            .get("ends_at")
            .and_then(|v| v.as_i64())
            .and_then(|s| OffsetDateTime::from_unix_timestamp(s).ok())
            .map(|t| zone.format(t)),
        link,
        link_label,
        request_link,
        reference: stored.id.to_string(),
    };
    let brief = request.permissions().permissions().brief_with(&names);
    let subject = match kind {
        Kind::NewRequest => format!("Approval needed: {requester} asks for {brief}"),
        Kind::Reminder => format!("Still waiting for you: {requester} asks for {brief}"),
        Kind::Approved => format!("Approved: {brief}"),
        Kind::Rejected => format!("Rejected: {brief}"),
        Kind::Expired => format!("Expired without a decision: {brief}"),
        Kind::Submitted => format!("Sent to Microsoft: {brief} for {requester}"),
        Kind::Failed => format!("Failed: {brief} for {requester}"),
        Kind::Cancelled => format!("Cancelled: {brief} for {requester}"),
        Kind::Ending => format!("Your access ends soon: {brief}"),
        Kind::SignInNeeded => format!("Sign in again to activate: {brief}"),
    };
    Ok(Email {
        subject: format!("[Access portal] {subject}"),
        text: Text { f: &fields }.render()?,
        html: Html { f: &fields }.render()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn a_known_zone_shows_its_offset_for_the_season_and_its_name() {
        let paris = Zone::of(Some("Europe/Paris"));
        assert_eq!(
            paris.format(datetime!(2026-12-03 09:42 UTC)),
            "3 Dec 2026 at 10:42 UTC+01:00 (Europe/Paris)"
        );
        assert_eq!(
            paris.format(datetime!(2026-07-03 09:42 UTC)),
            "3 Jul 2026 at 11:42 UTC+02:00 (Europe/Paris)"
        );
    }

    #[test]
    fn an_unknown_or_missing_zone_is_utc_and_says_so() {
        for zone in [None, Some("Mars/Olympus_Mons")] {
            let zone = Zone::of(zone);
            assert_eq!(zone.name(), "UTC");
            assert_eq!(
                zone.format(datetime!(2026-12-03 09:42 UTC)),
                "3 Dec 2026 at 09:42 UTC"
            );
        }
    }
}
