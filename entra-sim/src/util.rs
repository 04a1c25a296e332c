//! Small helpers shared by every module: locking, random identifiers, base64 and Graph's time format.
use std::sync::{Mutex, MutexGuard};

use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use rand::RngCore;
use time::OffsetDateTime;

/// Locks a mutex, carrying on after a panic elsewhere: the simulator's state stays usable for the
/// next request rather than poisoning every later one.
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A random URL-safe token with `bytes` bytes of entropy (codes, refresh tokens, session ids).
pub fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut buf);
    URL_SAFE_NO_PAD.encode(buf)
}

pub fn b64url(bytes: impl AsRef<[u8]>) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Graph ids are base64 of the external id; identities and GCP objects are shown unpadded in the docs.
pub fn graph_id_unpadded(external_id: &str) -> String {
    STANDARD_NO_PAD.encode(external_id)
}

/// Actions, policies and AWS resources are shown padded in the docs.
pub fn graph_id_padded(external_id: &str) -> String {
    STANDARD.encode(external_id)
}

/// The key under which a Graph id is looked up: padding and the URL-safe alphabet are ignored, since
/// the docs mix both forms and request the unpadded form of padded ids.
pub fn id_key(id: &str) -> String {
    id.trim_end_matches('=').replace('-', "+").replace('_', "/")
}

/// Truncates to whole microseconds so that what is printed is exactly what is stored: a client that
/// filters on `gt <printed time>` must never see the same record again.
pub fn truncate_micros(t: OffsetDateTime) -> OffsetDateTime {
    let micros = t.nanosecond() / 1_000 * 1_000;
    t.replace_nanosecond(micros).unwrap_or(t)
}

/// Graph's DateTimeOffset format: UTC with seven fractional digits, e.g. `2023-02-06T12:15:00.0000000Z`.
pub fn graph_time(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:07}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.nanosecond() / 100
    )
}

/// Entra's timestamp format in token-endpoint errors: `2016-01-09 02:02:12Z`.
pub fn entra_time(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

pub fn parse_time(s: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok()
}

/// The bare type name of an `@odata.type`, whichever of the docs' spellings it uses:
/// `#microsoft.graph.awsUser`, `microsoft.graph.awsUser` or `graph.awsUser` all give `awsUser`.
pub fn odata_type_name(t: &str) -> &str {
    let t = t.trim_start_matches('#');
    t.strip_prefix("microsoft.graph.")
        .or_else(|| t.strip_prefix("graph."))
        .unwrap_or(t)
}

pub fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Percent-encodes a query component, keeping the characters OData URLs show literally (`$`, quotes,
/// parentheses, commas, colons, slashes) so next links read like Graph's.
pub fn query_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'.'
            | b'_'
            | b'~'
            | b'$'
            | b'\''
            | b'('
            | b')'
            | b','
            | b':'
            | b'/' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn graph_ids_match_the_documented_examples() {
        assert_eq!(graph_id_unpadded("956987887735"), "OTU2OTg3ODg3NzM1");
        assert_eq!(
            graph_id_unpadded("arn:aws:iam::123456789012:user/bob"),
            "YXJuOmF3czppYW06OjEyMzQ1Njc4OTAxMjp1c2VyL2JvYg"
        );
        assert_eq!(graph_id_padded("ec2:DeleteRoute"), "ZWMyOkRlbGV0ZVJvdXRl");
        assert_eq!(
            id_key("ZWMyOkRlbGV0ZVJvdXRl=="),
            id_key("ZWMyOkRlbGV0ZVJvdXRl")
        );
    }

    #[test]
    fn graph_time_has_seven_fractional_digits() {
        assert_eq!(
            graph_time(datetime!(2023-02-06 12:15:00.123456 UTC)),
            "2023-02-06T12:15:00.1234560Z"
        );
    }

    #[test]
    fn query_escape_keeps_odata_punctuation() {
        assert_eq!(query_escape("contains(a, 'b c')"), "contains(a,%20'b%20c')");
    }
}
