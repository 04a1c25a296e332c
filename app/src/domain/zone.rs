//! `TimeZoneName`: the IANA name of the person's time zone as their browser reports it
//! (`Intl.DateTimeFormat().resolvedOptions().timeZone`), sent to Graph as a recurrence's
//! `recurrenceTimeZone` so the repetition's dates and weekdays are read in their calendar.
//!
//! The check is syntactic only: the browser has no time zone database, and the answer must be the
//! same in the browser and on the server. "UTC", or `Area/Location` with an optional third part
//! (`America/Argentina/Buenos_Aires`), in ASCII letters, digits, `_`, `-` and `+`, at most 64
//! characters. Whether the zone exists is Graph's to say.

use serde::{Deserialize, Serialize};

/// The longest name accepted; the longest real one is 32 characters.
pub const MAX_LEN: usize = 64;

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TimeZoneError {
    #[error("The time zone name can be at most {max} characters")]
    TooLong { max: usize },
    #[error("The time zone must be a name such as Europe/Paris or UTC, not {name:?}")]
    Malformed { name: String },
}

string_newtype! {
    /// A syntactically valid IANA time zone name. Build one with [`TimeZoneName::parse`].
    pub struct TimeZoneName(String): TimeZoneError;
}

impl TimeZoneName {
    /// Reads a zone name; surrounding spaces are dropped, an empty name is malformed (an unknown
    /// zone is `None` where one is optional, not an empty name).
    pub fn parse(input: &str) -> Result<Self, TimeZoneError> {
        let name = input.trim();
        if name.len() > MAX_LEN {
            return Err(TimeZoneError::TooLong { max: MAX_LEN });
        }
        let part = |p: &str| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'+'))
        };
        let parts: Vec<&str> = name.split('/').collect();
        let ok = name == "UTC" || ((2..=3).contains(&parts.len()) && parts.into_iter().all(part));
        if !ok {
            return Err(TimeZoneError::Malformed {
                name: name.to_owned(),
            });
        }
        Ok(Self(name.to_owned()))
    }

    /// An optional zone: empty means unknown (no JavaScript, or a browser without `Intl`).
    pub fn parse_optional(input: &str) -> Result<Option<Self>, TimeZoneError> {
        if input.trim().is_empty() {
            Ok(None)
        } else {
            Self::parse(input).map(Some)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iana_names_and_utc_are_accepted() {
        for name in [
            "UTC",
            "Europe/Paris",
            "America/Los_Angeles",
            "Australia/Sydney",
            "America/Argentina/Buenos_Aires",
            "America/Port-au-Prince",
            "Etc/GMT+8",
            "Etc/GMT-14",
        ] {
            assert_eq!(TimeZoneName::parse(name).unwrap().as_str(), name);
        }
        assert_eq!(
            TimeZoneName::parse("  Asia/Kolkata ").unwrap().to_string(),
            "Asia/Kolkata"
        );
    }

    #[test]
    fn other_shapes_are_refused_with_the_name_in_the_message() {
        for name in [
            "utc",
            "Paris",
            "Pacific Standard Time",
            "Europe/",
            "/Paris",
            "Europe//Paris",
            "A/B/C/D",
            "Europe/Pa ris",
            "Europe/Zürich",
            "Europe/Paris;drop",
            "../etc/passwd",
        ] {
            assert_eq!(
                TimeZoneName::parse(name),
                Err(TimeZoneError::Malformed {
                    name: name.trim().to_owned()
                }),
                "{name}"
            );
        }
        assert_eq!(
            TimeZoneName::parse("Mars/Olympus_Mons;")
                .unwrap_err()
                .to_string(),
            r#"The time zone must be a name such as Europe/Paris or UTC, not "Mars/Olympus_Mons;""#
        );
        let long = format!("America/{}", "A".repeat(57));
        assert_eq!(
            TimeZoneName::parse(&long).unwrap_err().to_string(),
            "The time zone name can be at most 64 characters"
        );
        assert!(TimeZoneName::parse(&long[..64]).is_ok());
    }

    #[test]
    fn an_empty_zone_is_unknown_only_where_one_is_optional() {
        assert_eq!(TimeZoneName::parse_optional(" "), Ok(None));
        assert!(TimeZoneName::parse("").is_err());
        assert!(TimeZoneName::parse_optional("Paris").is_err());
    }

    #[test]
    fn a_stored_name_is_checked_again_when_read() {
        let zone: TimeZoneName = serde_json::from_str(r#""Australia/Sydney""#).unwrap();
        assert_eq!(
            serde_json::to_string(&zone).unwrap(),
            r#""Australia/Sydney""#
        );
        assert!(serde_json::from_str::<TimeZoneName>(r#""Sydney""#).is_err());
    }
}
