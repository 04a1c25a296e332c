//! `IsoDuration`: how long access lasts, parsed from what people type (`2h`, `90m`, `1h30m`,
//! `1 day`) or from the ISO 8601 text Graph uses (`PT1H`, `P1D`…), and always sent as the latter.
//!
//! Decisions:
//! - One parser for both shapes, in wasm-safe code: the form in the browser, the server and config
//!   read `2h` alike. Text starting with `P` is ISO 8601; anything else is numbers with units, the
//!   largest first (`1d4h`, `2 hours`, `1 hour and 30 minutes`; `m` is minutes, never months).
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
    #[error("Enter a duration, such as 2h, 90m or 1 day")]
    Empty,
    #[error("Enter a duration such as 2h, 90m, 1h30m, 1 day or PT1H30M")]
    Malformed,
    #[error("Add a unit to {number}: {number}m for minutes or {number}h for hours")]
    NoUnit { number: String },
    #[error("{unit:?} is not a unit of time: use d, h or m (days, hours, minutes), such as 1h30m")]
    UnknownUnit { unit: String },
    #[error("Write each unit once, the largest first, such as 1d4h or 1h30m")]
    OutOfOrder,
    #[error("Duration cannot be negative")]
    Negative,
    #[error("Duration must be longer than zero")]
    Zero,
    #[error("Use whole numbers in a duration, such as 1h30m instead of 1.5h")]
    Fractional,
    #[error("Years and months have no fixed length: use days or weeks instead, such as 30d or 4w")]
    YearsOrMonths,
    #[error("Duration cannot be longer than {max}")]
    TooLong { max: String },
}

impl IsoDuration {
    /// The longest duration any schedule may have, whatever the per-cloud limits say.
    pub const MAX: IsoDuration = IsoDuration::from_secs_unchecked(366 * DAY);

    /// The most characters a duration may have as text: "1 day, 23 hours, 59 minutes and 59
    /// seconds" is 41.
    pub const MAX_TEXT: usize = 64;

    const fn from_secs_unchecked(seconds: u64) -> Self {
        Self { seconds }
    }

    /// `n` whole days, for constants: 1 to 366, checked when the constant is compiled.
    pub const fn days(n: u64) -> Self {
        assert!(n > 0 && n <= 366, "a duration constant is 1 to 366 days");
        Self::from_secs_unchecked(n * DAY)
    }

    /// Parses what a person types, in either of two shapes, case-insensitive, trimmed:
    /// - ISO 8601 as Graph writes it: `PT1H`, `PT30M`, `P1D`, `P1DT12H`, `P2W`;
    /// - short or plain words: `2h`, `90m`, `1h30m`, `1d`, `2 hours`, `1 day`, `1 hour and 30 minutes`.
    ///
    /// One parser for the browser, the server and config, so `2h` gets the same answer everywhere.
    pub fn parse(input: &str) -> Result<Self, DurationError> {
        let text = input.trim();
        if text.is_empty() {
            return Err(DurationError::Empty);
        }
        // Nobody types a duration this long: refuse before looking, so pasted text costs nothing.
        if text.chars().count() > Self::MAX_TEXT {
            return Err(DurationError::Malformed);
        }
        if text.contains('-') {
            return Err(DurationError::Negative);
        }
        let lower = text.to_ascii_lowercase();
        let total = match lower.strip_prefix('p') {
            Some(body) => parse_iso(body)?,
            None => parse_words(&lower)?,
        };
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

/// Anything that overflows is far beyond [`IsoDuration::MAX`]; say so rather than "malformed".
fn too_long() -> DurationError {
    DurationError::TooLong {
        max: IsoDuration::MAX.describe(),
    }
}

/// `value` of `unit` seconds added to `total`, refused on overflow.
fn add(total: u64, digits: &str, unit: u64) -> Result<u64, DurationError> {
    let value: u64 = digits.parse().map_err(|_| too_long())?;
    let seconds = value.checked_mul(unit).ok_or_else(too_long)?;
    total.checked_add(seconds).ok_or_else(too_long)
}

/// The ISO 8601 text after its `P`, lower case: `t1h30m`, `1dt12h`, `2w`.
fn parse_iso(body: &str) -> Result<u64, DurationError> {
    // Each designator has a rank; ranks must strictly increase, which refuses both duplicates
    // and components out of order.
    let mut last_rank = 0u8;
    let mut in_time = false;
    let mut time_components = 0;
    let mut components = 0;
    let mut total: u64 = 0;
    let mut chars = body.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c == 't' {
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
            (false, 'y') | (false, 'm') => return Err(DurationError::YearsOrMonths),
            (false, 'w') => (3, WEEK),
            (false, 'd') => (4, DAY),
            (true, 'h') => (5, HOUR),
            (true, 'm') => (6, MINUTE),
            (true, 's') => (7, 1),
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
        total = add(total, &digits, unit)?;
    }
    if components == 0 || (in_time && time_components == 0) {
        return Err(DurationError::Malformed);
    }
    Ok(total)
}

/// The rank (larger units first) and length in seconds of a unit as people write it; `None` for a
/// word that is no unit. Years and months are refused by the caller.
fn unit(word: &str) -> Option<(u8, u64)> {
    Some(match word {
        "w" | "wk" | "wks" | "week" | "weeks" => (1, WEEK),
        "d" | "day" | "days" => (2, DAY),
        "h" | "hr" | "hrs" | "hour" | "hours" => (3, HOUR),
        "m" | "min" | "mins" | "minute" | "minutes" => (4, MINUTE),
        "s" | "sec" | "secs" | "second" | "seconds" => (5, 1),
        _ => return None,
    })
}

fn years_or_months(word: &str) -> bool {
    matches!(
        word,
        "y" | "yr" | "yrs" | "year" | "years" | "mo" | "mos" | "month" | "months"
    )
}

/// Numbers with units, largest unit first, lower case: `1h30m`, `2 hours`, `1 day, 4 hours`,
/// `1 hour and 30 minutes`. Spaces are optional everywhere.
fn parse_words(text: &str) -> Result<u64, DurationError> {
    let chars: Vec<char> = text.chars().collect();
    let mut at = 0;
    let mut total: u64 = 0;
    let mut last_rank = 0u8;
    let mut components = 0;
    let skip_spaces = |at: &mut usize| {
        while *at < chars.len() && (chars[*at].is_whitespace() || chars[*at] == ',') {
            *at += 1;
        }
    };
    loop {
        skip_spaces(&mut at);
        if at == chars.len() {
            break;
        }
        // "and" between parts, as in "1 hour and 30 minutes".
        if components > 0 && chars[at..].starts_with(&['a', 'n', 'd']) {
            at += 3;
            skip_spaces(&mut at);
        }
        let digits_start = at;
        while at < chars.len() && chars[at].is_ascii_digit() {
            at += 1;
        }
        let digits: String = chars[digits_start..at].iter().collect();
        if digits.is_empty() {
            return Err(DurationError::Malformed);
        }
        if at < chars.len()
            && (chars[at] == '.' || chars[at] == ',')
            && chars.get(at + 1).is_some_and(char::is_ascii_digit)
        {
            return Err(DurationError::Fractional);
        }
        skip_spaces(&mut at);
        let word_start = at;
        while at < chars.len() && chars[at].is_ascii_alphabetic() {
            at += 1;
        }
        let word: String = chars[word_start..at].iter().collect();
        if word.is_empty() {
            return Err(if at == chars.len() {
                DurationError::NoUnit { number: digits }
            } else {
                DurationError::Malformed
            });
        }
        if years_or_months(&word) {
            return Err(DurationError::YearsOrMonths);
        }
        let Some((rank, seconds)) = unit(&word) else {
            return Err(DurationError::UnknownUnit {
                unit: word.chars().take(12).collect(),
            });
        };
        if rank <= last_rank {
            return Err(DurationError::OutOfOrder);
        }
        last_rank = rank;
        components += 1;
        total = add(total, &digits, seconds)?;
    }
    if components == 0 {
        return Err(DurationError::Malformed);
    }
    Ok(total)
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

    /// The presets a cloud allows: none longer than its `max` duration.
    pub fn offered(max: IsoDuration) -> impl Iterator<Item = DurationPreset> {
        Self::ALL.into_iter().filter(move |p| p.duration() <= max)
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
            "P",
            "PT",
            "P1DT",
            "PT1",
            "P1H",
            "PT1D",
            "PTH",
            "P1D1D",
            "PT1M1H",
            "PT1H 30M",
            "P1DT1HT",
            "P+1D",
            "PT1HX",
            "P1Dx",
            "hour",
            "h",
            "one hour",
            "+2h",
            "2h!",
            "2h 3m 4!",
            "1 hour and",
            "and 1h",
            "２h",
            "2ｈ",
            "1 2h",
        ] {
            assert_eq!(
                IsoDuration::parse(text),
                Err(DurationError::Malformed),
                "{text}"
            );
        }
    }

    /// What people type, with the ISO text it is sent as.
    const PEOPLES_DURATIONS: &[(&str, &str)] = &[
        ("2h", "PT2H"),
        ("90m", "PT1H30M"),
        ("1h30m", "PT1H30M"),
        ("1h 30m", "PT1H30M"),
        ("1d", "P1D"),
        ("2 hours", "PT2H"),
        ("1 hour", "PT1H"),
        ("1 day", "P1D"),
        ("1 DAY", "P1D"),
        ("2H", "PT2H"),
        ("  4 Hours  ", "PT4H"),
        ("8hrs", "PT8H"),
        ("45 min", "PT45M"),
        ("45mins", "PT45M"),
        ("30 minutes", "PT30M"),
        ("1 hour and 30 minutes", "PT1H30M"),
        ("1 day, 4 hours", "P1DT4H"),
        ("1d4h", "P1DT4H"),
        ("1w", "P7D"),
        ("2 weeks", "P14D"),
        ("90s", "PT1M30S"),
        ("24h", "P1D"),
        ("1440m", "P1D"),
        ("007h", "PT7H"),
        ("1d23h59m59s", "P1DT23H59M59S"),
        ("pt1h30m", "PT1H30M"),
        ("PT90M", "PT1H30M"),
        ("P1DT12H", "P1DT12H"),
    ];

    #[test]
    fn peoples_durations_are_read_and_sent_as_iso_8601() {
        for (typed, sent) in PEOPLES_DURATIONS {
            let d = IsoDuration::parse(typed).unwrap_or_else(|e| panic!("{typed}: {e}"));
            assert_eq!(d.to_string(), *sent, "{typed}");
        }
    }

    #[test]
    fn what_people_type_is_refused_with_a_reason_they_can_act_on() {
        let cases: &[(&str, DurationError)] = &[
            ("", DurationError::Empty),
            ("0h", DurationError::Zero),
            ("0 days 0 hours", DurationError::Zero),
            ("-2h", DurationError::Negative),
            ("2h-1m", DurationError::Negative),
            ("1.5h", DurationError::Fractional),
            ("1,5 hours", DurationError::Fractional),
            (
                "90",
                DurationError::NoUnit {
                    number: "90".into(),
                },
            ),
            (
                "1h30",
                DurationError::NoUnit {
                    number: "30".into(),
                },
            ),
            (
                "3 fortnights",
                DurationError::UnknownUnit {
                    unit: "fortnights".into(),
                },
            ),
            ("2x", DurationError::UnknownUnit { unit: "x".into() }),
            ("30m 1h", DurationError::OutOfOrder),
            ("1h 2h", DurationError::OutOfOrder),
            ("1 month", DurationError::YearsOrMonths),
            ("2y", DurationError::YearsOrMonths),
            (
                "367d",
                DurationError::TooLong {
                    max: "366 days".into(),
                },
            ),
            (
                "99999999999999999999h",
                DurationError::TooLong {
                    max: "366 days".into(),
                },
            ),
            (
                "18446744073709551615w",
                DurationError::TooLong {
                    max: "366 days".into(),
                },
            ),
        ];
        for (typed, expected) in cases {
            assert_eq!(IsoDuration::parse(typed).as_ref(), Err(expected), "{typed}");
        }
        assert_eq!(
            DurationError::NoUnit {
                number: "90".into()
            }
            .to_string(),
            "Add a unit to 90: 90m for minutes or 90h for hours"
        );
        assert_eq!(
            IsoDuration::parse("30m 1h").unwrap_err().to_string(),
            "Write each unit once, the largest first, such as 1d4h or 1h30m"
        );
    }

    #[test]
    fn an_absurdly_long_text_is_refused_without_reading_it() {
        let long = format!("1h{}", " ".repeat(10_000) + "30m");
        assert_eq!(IsoDuration::parse(&long), Err(DurationError::Malformed));
        let digits = "9".repeat(65) + "h";
        assert_eq!(IsoDuration::parse(&digits), Err(DurationError::Malformed));
        // A unit is echoed back only in part.
        let unit = format!("2{}", "z".repeat(50));
        assert_eq!(
            IsoDuration::parse(&unit),
            Err(DurationError::UnknownUnit {
                unit: "z".repeat(12)
            })
        );
    }

    /// Every length from one second to two days, written out by hand in several shapes, reads back
    /// to that length; the ISO text it is sent as reads back too.
    #[test]
    fn every_shape_of_every_length_reads_back_to_the_same_length() {
        for seconds in (1..=2 * DAY)
            .step_by(97)
            .chain([1, 59, 60, 3599, 3600, DAY, 2 * DAY])
        {
            let (d, rest) = (seconds / DAY, seconds % DAY);
            let (h, rest) = (rest / HOUR, rest % HOUR);
            let (m, s) = (rest / MINUTE, rest % MINUTE);
            let compact = format!("{d}d{h}h{m}m{s}s");
            let spaced = format!("{d} days {h} hours {m} minutes {s} seconds");
            let minutes_only = format!("{}m {s}s", seconds / MINUTE);
            let iso = IsoDuration::from_secs(seconds).unwrap().to_string();
            for text in [
                &compact,
                &spaced,
                &minutes_only,
                &iso,
                &iso.to_ascii_lowercase(),
            ] {
                match IsoDuration::parse(text) {
                    Ok(parsed) => assert_eq!(parsed.as_secs(), seconds, "{text}"),
                    Err(e) => panic!("{text}: {e}"),
                }
            }
        }
    }

    /// Text made of the parser's own pieces in any order never panics, and what it accepts is
    /// positive and at most the maximum.
    #[test]
    fn mixed_up_pieces_never_panic_and_anything_accepted_is_in_range() {
        let pieces = [
            "1",
            "0",
            "99999999999",
            "h",
            "m",
            "d",
            "w",
            "s",
            " ",
            "and",
            ",",
            ".",
            "-",
            "p",
            "t",
            "hours",
            "day",
            "y",
            "é",
            "5",
        ];
        // A small deterministic generator: every case is the same on every run.
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..20_000 {
            let mut text = String::new();
            for _ in 0..(state % 7) {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                text.push_str(pieces[(state % pieces.len() as u64) as usize]);
            }
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            if let Ok(d) = IsoDuration::parse(&text) {
                assert!(d.as_secs() > 0 && d <= IsoDuration::MAX, "{text}");
                assert_eq!(IsoDuration::parse(&d.to_string()), Ok(d), "{text}");
            }
        }
    }

    #[test]
    fn presets_are_capped_by_the_clouds_maximum() {
        let offered = |max: &str| -> Vec<&str> {
            DurationPreset::offered(IsoDuration::parse(max).unwrap())
                .map(DurationPreset::label)
                .collect()
        };
        assert_eq!(offered("P1D"), ["1 hour", "4 hours", "8 hours", "1 day"]);
        assert_eq!(offered("PT8H"), ["1 hour", "4 hours", "8 hours"]);
        assert_eq!(offered("PT5H"), ["1 hour", "4 hours"]);
        assert_eq!(offered("PT30M"), Vec::<&str>::new());
    }

    #[test]
    fn fractions_are_refused_with_a_hint() {
        assert_eq!(IsoDuration::parse("PT1.5H"), Err(DurationError::Fractional));
        assert_eq!(
            DurationError::Fractional.to_string(),
            "Use whole numbers in a duration, such as 1h30m instead of 1.5h"
        );
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
            "Enter a duration such as 2h, 90m, 1h30m, 1 day or PT1H30M"
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
