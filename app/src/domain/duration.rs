//! `IsoDuration`: how long access lasts, parsed from the ISO 8601 text Graph uses (`PT1H`, `P1D`…).
//!
//! Decisions:
//! - Days are exactly 24 hours and weeks 7 days: schedules are stored in UTC, which has no daylight
//!   saving, so a day is a fixed length there.
//! - Years and months are refused: they have no fixed length and nobody needs one for just-in-time
//!   access. `P30D` or `P4W` say the same thing without ambiguity.
//! - Fractions (`PT1.5H`) are refused: ISO allows them on the last component, but `PT1H30M` is
//!   clearer and leaves nothing to rounding.
//! - Input is trimmed and may be lower case; `Display` prints one canonical form (days, then hours,
//!   minutes, seconds, e.g. `PT90M` prints `PT1H30M`, `P1W` prints `P7D`).
//! - Above [`IsoDuration::MAX`] (366 days) a duration is refused outright; the real, narrower limit
//!   per cloud is [`crate::domain::schedule::ScheduleLimits`].

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

const MINUTE: u64 = 60;
const HOUR: u64 = 60 * MINUTE;
const DAY: u64 = 24 * HOUR;
const WEEK: u64 = 7 * DAY;

/// A positive duration of whole seconds, no longer than [`IsoDuration::MAX`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct IsoDuration {
    seconds: u64,
}

/// Why a text is not a duration we accept. Each message says what to type instead.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DurationError {
    #[error("Enter a duration, such as PT1H for one hour")]
    Empty,
    #[error("Duration must be an ISO 8601 duration such as PT1H, PT30M or P1D")]
    Malformed,
    #[error("Duration cannot be negative")]
    Negative,
    #[error("Duration must be longer than zero")]
    Zero,
    #[error("Use whole numbers in a duration, such as PT1H30M instead of PT1.5H")]
    Fractional,
    #[error(
        "Years and months have no fixed length: use days or weeks instead, such as P30D or P4W"
    )]
    YearsOrMonths,
    #[error("Duration cannot be longer than {max}")]
    TooLong { max: String },
}

impl IsoDuration {
    /// The longest duration any schedule may have, whatever the per-cloud limits say.
    pub const MAX: IsoDuration = IsoDuration::from_secs_unchecked(366 * DAY);

    const fn from_secs_unchecked(seconds: u64) -> Self {
        Self { seconds }
    }

    /// `n` whole days, for constants: 1 to 366, checked when the constant is compiled.
    pub const fn days(n: u64) -> Self {
        assert!(n > 0 && n <= 366, "a duration constant is 1 to 366 days");
        Self::from_secs_unchecked(n * DAY)
    }

    /// Parses ISO 8601 text such as `PT1H`, `PT30M`, `P1D`, `P1DT12H` or `P2W`.
    pub fn parse(input: &str) -> Result<Self, DurationError> {
        let text = input.trim();
        if text.is_empty() {
            return Err(DurationError::Empty);
        }
        if text.contains('-') {
            return Err(DurationError::Negative);
        }
        let upper = text.to_ascii_uppercase();
        let Some(body) = upper.strip_prefix('P') else {
            return Err(DurationError::Malformed);
        };

        // Each designator has a rank; ranks must strictly increase, which refuses both duplicates
        // and components out of order.
        let mut last_rank = 0u8;
        let mut in_time = false;
        let mut time_components = 0;
        let mut components = 0;
        let mut total: u64 = 0;
        let mut chars = body.chars().peekable();
        while let Some(&c) = chars.peek() {
            if c == 'T' {
                if in_time {
                    return Err(DurationError::Malformed);
                }
                in_time = true;
                chars.next();
                continue;
            }
            let mut digits = String::new();
            while let Some(&d) = chars.peek() {
                if d.is_ascii_digit() {
                    digits.push(d);
                    chars.next();
                } else {
                    break;
                }
            }
            let designator = chars.next().ok_or(DurationError::Malformed)?;
            if designator == '.' || designator == ',' {
                return Err(DurationError::Fractional);
            }
            if digits.is_empty() {
                return Err(DurationError::Malformed);
            }
            let (rank, unit) = match (in_time, designator) {
                (false, 'Y') | (false, 'M') => return Err(DurationError::YearsOrMonths),
                (false, 'W') => (3, WEEK),
                (false, 'D') => (4, DAY),
                (true, 'H') => (5, HOUR),
                (true, 'M') => (6, MINUTE),
                (true, 'S') => (7, 1),
                _ => return Err(DurationError::Malformed),
            };
            if rank <= last_rank {
                return Err(DurationError::Malformed);
            }
            last_rank = rank;
            components += 1;
            if in_time {
                time_components += 1;
            }
            // Anything that overflows is far beyond MAX; say so rather than "malformed".
            let too_long = || DurationError::TooLong {
                max: IsoDuration::MAX.describe(),
            };
            let value: u64 = digits.parse().map_err(|_| too_long())?;
            let seconds = value.checked_mul(unit).ok_or_else(too_long)?;
            total = total.checked_add(seconds).ok_or_else(too_long)?;
        }
        if components == 0 || (in_time && time_components == 0) {
            return Err(DurationError::Malformed);
        }
        Self::from_secs(total)
    }

    /// A duration of whole seconds: refused when zero or longer than [`IsoDuration::MAX`].
    pub fn from_secs(seconds: u64) -> Result<Self, DurationError> {
        if seconds == 0 {
            Err(DurationError::Zero)
        } else if seconds > Self::MAX.seconds {
            Err(DurationError::TooLong {
                max: Self::MAX.describe(),
            })
        } else {
            Ok(Self { seconds })
        }
    }

    pub fn as_secs(self) -> u64 {
        self.seconds
    }

    /// The same length as a `time::Duration`, for arithmetic on date-times.
    pub fn to_time(self) -> time::Duration {
        // MAX is far below i64::MAX seconds, so this conversion is exact.
        time::Duration::seconds(self.seconds as i64)
    }

    /// Plain words for people: "1 hour", "1 day and 12 hours", "2 hours, 5 minutes and 1 second".
    pub fn describe(self) -> String {
        let (days, rest) = (self.seconds / DAY, self.seconds % DAY);
        let (hours, rest) = (rest / HOUR, rest % HOUR);
        let (minutes, seconds) = (rest / MINUTE, rest % MINUTE);
        let parts: Vec<String> = [
            (days, "day"),
            (hours, "hour"),
            (minutes, "minute"),
            (seconds, "second"),
        ]
        .into_iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, unit)| plural(n, unit))
        .collect();
        join_words(&parts)
    }
}

pub(crate) fn plural(n: u64, unit: &str) -> String {
    if n == 1 {
        format!("1 {unit}")
    } else {
        format!("{n} {unit}s")
    }
}

/// "a", "a and b", "a, b and c".
pub(crate) fn join_words(parts: &[String]) -> String {
    match parts {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

impl fmt::Display for IsoDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (days, rest) = (self.seconds / DAY, self.seconds % DAY);
        let (hours, rest) = (rest / HOUR, rest % HOUR);
        let (minutes, seconds) = (rest / MINUTE, rest % MINUTE);
        f.write_str("P")?;
        if days > 0 {
            write!(f, "{days}D")?;
        }
        if rest > 0 || hours > 0 {
            f.write_str("T")?;
            if hours > 0 {
                write!(f, "{hours}H")?;
            }
            if minutes > 0 {
                write!(f, "{minutes}M")?;
            }
            if seconds > 0 {
                write!(f, "{seconds}S")?;
            }
        }
        Ok(())
    }
}

impl FromStr for IsoDuration {
    type Err = DurationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for IsoDuration {
    type Error = DurationError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<IsoDuration> for String {
    fn from(value: IsoDuration) -> Self {
        value.to_string()
    }
}

/// The durations the form offers as one click.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DurationPreset {
    OneHour,
    FourHours,
    EightHours,
    OneDay,
}

impl DurationPreset {
    pub const ALL: [DurationPreset; 4] = [
        DurationPreset::OneHour,
        DurationPreset::FourHours,
        DurationPreset::EightHours,
        DurationPreset::OneDay,
    ];

    pub fn duration(self) -> IsoDuration {
        IsoDuration::from_secs_unchecked(match self {
            DurationPreset::OneHour => HOUR,
            DurationPreset::FourHours => 4 * HOUR,
            DurationPreset::EightHours => 8 * HOUR,
            DurationPreset::OneDay => DAY,
        })
    }

    pub fn label(self) -> &'static str {
        match self {
            DurationPreset::OneHour => "1 hour",
            DurationPreset::FourHours => "4 hours",
            DurationPreset::EightHours => "8 hours",
            DurationPreset::OneDay => "1 day",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(text: &str) -> u64 {
        IsoDuration::parse(text).unwrap().as_secs()
    }

    #[test]
    fn the_durations_graph_documents_are_accepted() {
        assert_eq!(secs("PT1H"), 3600);
        assert_eq!(secs("PT3H"), 3 * 3600);
        assert_eq!(secs("PT30M"), 30 * 60);
        assert_eq!(secs("P1D"), 86_400);
        assert_eq!(secs("P1DT12H"), 36 * 3600);
        assert_eq!(secs("P2W"), 14 * 86_400);
        assert_eq!(secs("PT45S"), 45);
        assert_eq!(secs("P1DT1H1M1S"), 86_400 + 3600 + 61);
    }

    #[test]
    fn input_is_trimmed_and_case_insensitive() {
        assert_eq!(secs("  pt1h \n"), 3600);
        assert_eq!(secs("p1dt2h"), 26 * 3600);
    }

    #[test]
    fn display_gives_the_canonical_form() {
        let canonical = |t: &str| IsoDuration::parse(t).unwrap().to_string();
        assert_eq!(canonical("PT1H"), "PT1H");
        assert_eq!(canonical("PT90M"), "PT1H30M");
        assert_eq!(canonical("PT24H"), "P1D");
        assert_eq!(canonical("P1W"), "P7D");
        assert_eq!(canonical("P1DT12H"), "P1DT12H");
        assert_eq!(canonical("PT3661S"), "PT1H1M1S");
        assert_eq!(canonical("P1DT30S"), "P1DT30S");
    }

    #[test]
    fn canonical_text_parses_back_to_the_same_duration() {
        for text in ["PT1H", "PT1H30M", "P1D", "P3DT4H5M6S", "PT59S", "P366D"] {
            let d = IsoDuration::parse(text).unwrap();
            assert_eq!(IsoDuration::parse(&d.to_string()).unwrap(), d, "{text}");
        }
    }

    #[test]
    fn an_empty_duration_is_refused() {
        assert_eq!(IsoDuration::parse(""), Err(DurationError::Empty));
        assert_eq!(IsoDuration::parse("   "), Err(DurationError::Empty));
    }

    #[test]
    fn a_negative_duration_is_refused() {
        assert_eq!(IsoDuration::parse("-PT1H"), Err(DurationError::Negative));
        assert_eq!(IsoDuration::parse("PT-1H"), Err(DurationError::Negative));
    }

    #[test]
    fn a_zero_duration_is_refused() {
        assert_eq!(IsoDuration::parse("PT0S"), Err(DurationError::Zero));
        assert_eq!(IsoDuration::parse("P0D"), Err(DurationError::Zero));
        assert_eq!(IsoDuration::from_secs(0), Err(DurationError::Zero));
    }

    #[test]
    fn garbage_is_refused_as_malformed() {
        for text in [
            "1h", "P", "PT", "P1DT", "PT1", "P1H", "PT1D", "PTH", "P1D1D", "PT1M1H", "PT1H 30M",
            "P1DT1HT", "one hour", "P+1D", "PT1HX", "P1Dx",
        ] {
            assert_eq!(
                IsoDuration::parse(text),
                Err(DurationError::Malformed),
                "{text}"
            );
        }
    }

    #[test]
    fn fractions_are_refused_with_a_hint() {
        assert_eq!(IsoDuration::parse("PT1.5H"), Err(DurationError::Fractional));
        assert_eq!(IsoDuration::parse("PT0,5H"), Err(DurationError::Fractional));
    }

    #[test]
    fn years_and_months_are_refused_because_their_length_varies() {
        assert_eq!(IsoDuration::parse("P1Y"), Err(DurationError::YearsOrMonths));
        assert_eq!(IsoDuration::parse("P1M"), Err(DurationError::YearsOrMonths));
        // In the time part M means minutes.
        assert_eq!(secs("PT1M"), 60);
    }

    #[test]
    fn durations_beyond_the_absolute_maximum_are_refused() {
        assert_eq!(secs("P366D"), 366 * 86_400);
        let too_long = DurationError::TooLong {
            max: "366 days".into(),
        };
        assert_eq!(IsoDuration::parse("P367D"), Err(too_long.clone()));
        assert_eq!(
            IsoDuration::parse("PT99999999999999999999999H"),
            Err(too_long.clone())
        );
        assert_eq!(IsoDuration::parse("P9999999999999999W"), Err(too_long));
    }

    #[test]
    fn error_messages_say_what_to_type() {
        assert_eq!(
            DurationError::Malformed.to_string(),
            "Duration must be an ISO 8601 duration such as PT1H, PT30M or P1D"
        );
        assert_eq!(
            IsoDuration::parse("P400D").unwrap_err().to_string(),
            "Duration cannot be longer than 366 days"
        );
    }

    #[test]
    fn describe_uses_plain_words() {
        let words = |t: &str| IsoDuration::parse(t).unwrap().describe();
        assert_eq!(words("PT1H"), "1 hour");
        assert_eq!(words("PT4H"), "4 hours");
        assert_eq!(words("P1DT12H"), "1 day and 12 hours");
        assert_eq!(
            words("P2DT1H30M1S"),
            "2 days, 1 hour, 30 minutes and 1 second"
        );
    }

    #[test]
    fn presets_are_one_four_and_eight_hours_and_one_day() {
        let texts: Vec<String> = DurationPreset::ALL
            .iter()
            .map(|p| p.duration().to_string())
            .collect();
        assert_eq!(texts, ["PT1H", "PT4H", "PT8H", "P1D"]);
        for preset in DurationPreset::ALL {
            assert_eq!(preset.label(), preset.duration().describe());
        }
    }

    #[test]
    fn serde_uses_the_iso_text_and_validates_on_the_way_in() {
        let d = IsoDuration::parse("PT90M").unwrap();
        assert_eq!(serde_json::to_string(&d).unwrap(), "\"PT1H30M\"");
        assert_eq!(
            serde_json::from_str::<IsoDuration>("\"P1D\"")
                .unwrap()
                .as_secs(),
            86_400
        );
        assert!(serde_json::from_str::<IsoDuration>("\"PT0S\"").is_err());
    }

    #[test]
    fn errors_serialize_so_the_browser_can_show_them() {
        let json = serde_json::to_string(&DurationError::Fractional).unwrap();
        assert_eq!(json, r#"{"kind":"fractional"}"#);
        let back: DurationError = serde_json::from_str(&json).unwrap();
        assert_eq!(back, DurationError::Fractional);
    }

    #[test]
    fn to_time_gives_the_same_length() {
        assert_eq!(
            IsoDuration::parse("P1DT1S").unwrap().to_time(),
            time::Duration::seconds(86_401)
        );
    }
}
