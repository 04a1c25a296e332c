//! `Recurrence`: how a grant repeats (daily, weekly on some days, monthly on a day) and until when,
//! in the subset of Graph's `patternedRecurrence` the portal offers, with a plain-language summary.
//!
//! The range's dates (its start, the schedule's start date, and `endDate`) are days of the person's
//! calendar, at the UTC offset they asked from (`Schedule` keeps it). The pattern's weekdays and days
//! of the month are the ones they picked. Graph is told which calendar that is by
//! `recurrenceTimeZone` when the browser named its zone (see `graph_body`).
//! Whether a recurrence fits its schedule (start date, length of each occurrence) is checked by
//! `Schedule`.

use std::fmt;

use serde::{Deserialize, Serialize};
use time::{Date, Weekday};

use super::duration::{join_words, plural};

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RecurrenceError {
    #[error("Repeat every 1 to {max} days, weeks or months")]
    Interval { max: u16 },
    #[error("Choose at least one day of the week")]
    NoDays,
    #[error("Day of the month must be 1 to 31")]
    DayOfMonth,
    #[error("Number of occurrences must be 1 to {max}")]
    Occurrences { max: u16 },
    #[error("Day of the week must be Monday to Sunday")]
    UnknownDay,
}

/// Graph's `dayOfWeek`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DayOfWeek {
    Sunday,
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
}

impl DayOfWeek {
    /// Graph's order, Sunday first.
    pub const ALL: [DayOfWeek; 7] = [
        DayOfWeek::Sunday,
        DayOfWeek::Monday,
        DayOfWeek::Tuesday,
        DayOfWeek::Wednesday,
        DayOfWeek::Thursday,
        DayOfWeek::Friday,
        DayOfWeek::Saturday,
    ];

    /// Accepts English names and three-letter abbreviations in any case (`monday`, `Mon`).
    pub fn parse(input: &str) -> Result<Self, RecurrenceError> {
        let lower = input.trim().to_ascii_lowercase();
        Self::ALL
            .into_iter()
            .find(|d| {
                let name = d.graph_name();
                lower == name || (lower.len() == 3 && name.starts_with(&lower))
            })
            .ok_or(RecurrenceError::UnknownDay)
    }

    pub fn graph_name(self) -> &'static str {
        match self {
            DayOfWeek::Sunday => "sunday",
            DayOfWeek::Monday => "monday",
            DayOfWeek::Tuesday => "tuesday",
            DayOfWeek::Wednesday => "wednesday",
            DayOfWeek::Thursday => "thursday",
            DayOfWeek::Friday => "friday",
            DayOfWeek::Saturday => "saturday",
        }
    }

    /// Days since Monday, for ordering days the way people read a week.
    fn index_from_monday(self) -> u8 {
        Weekday::from(self).number_days_from_monday()
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

impl fmt::Display for DayOfWeek {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DayOfWeek::Sunday => "Sunday",
            DayOfWeek::Monday => "Monday",
            DayOfWeek::Tuesday => "Tuesday",
            DayOfWeek::Wednesday => "Wednesday",
            DayOfWeek::Thursday => "Thursday",
            DayOfWeek::Friday => "Friday",
            DayOfWeek::Saturday => "Saturday",
        })
    }
}

impl From<DayOfWeek> for Weekday {
    fn from(day: DayOfWeek) -> Self {
        match day {
            DayOfWeek::Sunday => Weekday::Sunday,
            DayOfWeek::Monday => Weekday::Monday,
            DayOfWeek::Tuesday => Weekday::Tuesday,
            DayOfWeek::Wednesday => Weekday::Wednesday,
            DayOfWeek::Thursday => Weekday::Thursday,
            DayOfWeek::Friday => Weekday::Friday,
            DayOfWeek::Saturday => Weekday::Saturday,
        }
    }
}

impl From<Weekday> for DayOfWeek {
    fn from(day: Weekday) -> Self {
        match day {
            Weekday::Sunday => DayOfWeek::Sunday,
            Weekday::Monday => DayOfWeek::Monday,
            Weekday::Tuesday => DayOfWeek::Tuesday,
            Weekday::Wednesday => DayOfWeek::Wednesday,
            Weekday::Thursday => DayOfWeek::Thursday,
            Weekday::Friday => DayOfWeek::Friday,
            Weekday::Saturday => DayOfWeek::Saturday,
        }
    }
}

/// A non-empty set of days of the week (repeats are ignored).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "Vec<DayOfWeek>", into = "Vec<DayOfWeek>")]
pub struct DaysOfWeek(u8);

impl DaysOfWeek {
    pub const WEEKDAYS: DaysOfWeek = DaysOfWeek(0b0011_1110);

    pub fn new(days: &[DayOfWeek]) -> Result<Self, RecurrenceError> {
        let bits = days.iter().fold(0u8, |acc, d| acc | d.bit());
        if bits == 0 {
            Err(RecurrenceError::NoDays)
        } else {
            Ok(DaysOfWeek(bits))
        }
    }

    pub fn contains(self, day: DayOfWeek) -> bool {
        self.0 & day.bit() != 0
    }

    /// Graph's order, Sunday first.
    pub fn days(self) -> Vec<DayOfWeek> {
        DayOfWeek::ALL
            .into_iter()
            .filter(|d| self.contains(*d))
            .collect()
    }

    /// The order people read a week in, Monday first.
    pub fn days_from_monday(self) -> Vec<DayOfWeek> {
        let mut days = self.days();
        days.sort_by_key(|d| d.index_from_monday());
        days
    }

    fn is_every_day(self) -> bool {
        self.0 == 0b0111_1111
    }
}

impl TryFrom<Vec<DayOfWeek>> for DaysOfWeek {
    type Error = RecurrenceError;
    fn try_from(days: Vec<DayOfWeek>) -> Result<Self, Self::Error> {
        Self::new(&days)
    }
}

impl From<DaysOfWeek> for Vec<DayOfWeek> {
    fn from(days: DaysOfWeek) -> Self {
        days.days()
    }
}

/// How many days, weeks or months between occurrences: 1 to [`Interval::MAX`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "u16", into = "u16")]
pub struct Interval(u16);

impl Interval {
    pub const MAX: u16 = 99;
    pub const ONE: Interval = Interval(1);

    pub fn new(n: u16) -> Result<Self, RecurrenceError> {
        if (1..=Self::MAX).contains(&n) {
            Ok(Interval(n))
        } else {
            Err(RecurrenceError::Interval { max: Self::MAX })
        }
    }

    pub fn get(self) -> u16 {
        self.0
    }
}

impl TryFrom<u16> for Interval {
    type Error = RecurrenceError;
    fn try_from(n: u16) -> Result<Self, Self::Error> {
        Self::new(n)
    }
}

impl From<Interval> for u16 {
    fn from(i: Interval) -> Self {
        i.0
    }
}

/// A day of the month, 1 to 31. What Graph does in months without that day is not documented.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct DayOfMonth(u8);

impl DayOfMonth {
    pub fn new(n: u8) -> Result<Self, RecurrenceError> {
        if (1..=31).contains(&n) {
            Ok(DayOfMonth(n))
        } else {
            Err(RecurrenceError::DayOfMonth)
        }
    }

    pub fn get(self) -> u8 {
        self.0
    }
}

impl TryFrom<u8> for DayOfMonth {
    type Error = RecurrenceError;
    fn try_from(n: u8) -> Result<Self, Self::Error> {
        Self::new(n)
    }
}

impl From<DayOfMonth> for u8 {
    fn from(d: DayOfMonth) -> Self {
        d.0
    }
}

/// How many times a numbered recurrence happens: 1 to [`Occurrences::MAX`] (a year of days).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "u16", into = "u16")]
pub struct Occurrences(u16);

impl Occurrences {
    pub const MAX: u16 = 366;

    pub fn new(n: u16) -> Result<Self, RecurrenceError> {
        if (1..=Self::MAX).contains(&n) {
            Ok(Occurrences(n))
        } else {
            Err(RecurrenceError::Occurrences { max: Self::MAX })
        }
    }

    pub fn get(self) -> u16 {
        self.0
    }
}

impl TryFrom<u16> for Occurrences {
    type Error = RecurrenceError;
    fn try_from(n: u16) -> Result<Self, Self::Error> {
        Self::new(n)
    }
}

impl From<Occurrences> for u16 {
    fn from(o: Occurrences) -> Self {
        o.0
    }
}

/// The patterns the portal offers: Graph's `daily`, `weekly` and `absoluteMonthly`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum RecurrencePattern {
    Daily {
        interval: Interval,
    },
    Weekly {
        interval: Interval,
        days: DaysOfWeek,
    },
    AbsoluteMonthly {
        interval: Interval,
        day_of_month: DayOfMonth,
    },
}

impl RecurrencePattern {
    /// Graph's `recurrencePatternType`.
    pub fn graph_type(self) -> &'static str {
        match self {
            RecurrencePattern::Daily { .. } => "daily",
            RecurrencePattern::Weekly { .. } => "weekly",
            RecurrencePattern::AbsoluteMonthly { .. } => "absoluteMonthly",
        }
    }

    pub fn interval(self) -> Interval {
        match self {
            RecurrencePattern::Daily { interval }
            | RecurrencePattern::Weekly { interval, .. }
            | RecurrencePattern::AbsoluteMonthly { interval, .. } => interval,
        }
    }

    /// The least time between two occurrences' starts: an occurrence must end before the next one
    /// begins. Months count as 28 days, the shortest.
    pub fn shortest_gap(self) -> time::Duration {
        let days = match self {
            RecurrencePattern::Daily { interval } => i64::from(interval.get()),
            RecurrencePattern::AbsoluteMonthly { interval, .. } => 28 * i64::from(interval.get()),
            RecurrencePattern::Weekly { interval, days } => {
                let chosen: Vec<i64> = days
                    .days_from_monday()
                    .into_iter()
                    .map(|d| i64::from(d.index_from_monday()))
                    .collect();
                let within_week = chosen.windows(2).map(|w| w[1] - w[0]).min();
                let span =
                    chosen.last().copied().unwrap_or(0) - chosen.first().copied().unwrap_or(0);
                // From the last chosen day to the first one of the next week that repeats.
                let across = 7 * i64::from(interval.get()) - span;
                within_week.map_or(across, |w| w.min(across))
            }
        };
        time::Duration::days(days)
    }

    /// "Every day", "Every 2 weeks on Monday and Thursday", "Every weekday", "Every month on day 5".
    pub fn summary(self) -> String {
        match self {
            RecurrencePattern::Daily { interval } => every(interval, "day"),
            RecurrencePattern::Weekly { interval, days } => {
                let one = interval.get() == 1;
                if days == DaysOfWeek::WEEKDAYS {
                    if one {
                        "Every weekday".to_owned()
                    } else {
                        format!("{} on weekdays", every(interval, "week"))
                    }
                } else if days.is_every_day() {
                    if one {
                        "Every day of the week".to_owned()
                    } else {
                        format!("{}, every day of the week", every(interval, "week"))
                    }
                } else {
                    let names: Vec<String> = days
                        .days_from_monday()
                        .iter()
                        .map(ToString::to_string)
                        .collect();
                    format!("{} on {}", every(interval, "week"), join_words(&names))
                }
            }
            RecurrencePattern::AbsoluteMonthly {
                interval,
                day_of_month,
            } => format!("{} on day {}", every(interval, "month"), day_of_month.get()),
        }
    }
}

fn every(interval: Interval, unit: &str) -> String {
    match interval.get() {
        1 => format!("Every {unit}"),
        n => format!("Every {}", plural(u64::from(n), unit)),
    }
}

/// When the repetition stops: Graph's `noEnd`, `endDate` (inclusive, a day of the person's calendar)
/// and `numbered`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum RecurrenceRange {
    NoEnd,
    EndDate {
        #[serde(with = "iso_date")]
        end_date: Date,
    },
    Numbered {
        occurrences: Occurrences,
    },
}

time::serde::format_description!(iso_date, Date, "[year]-[month]-[day]");

impl RecurrenceRange {
    /// Graph's `recurrenceRangeType`.
    pub fn graph_type(self) -> &'static str {
        match self {
            RecurrenceRange::NoEnd => "noEnd",
            RecurrenceRange::EndDate { .. } => "endDate",
            RecurrenceRange::Numbered { .. } => "numbered",
        }
    }

    /// "with no end date", "until 31 Dec 2026", "for 10 occurrences".
    pub fn summary(self) -> String {
        match self {
            RecurrenceRange::NoEnd => "with no end date".to_owned(),
            RecurrenceRange::EndDate { end_date } => format!("until {}", human_date(end_date)),
            RecurrenceRange::Numbered { occurrences } => {
                format!("for {}", plural(u64::from(occurrences.get()), "occurrence"))
            }
        }
    }
}

/// "31 Dec 2026": no ambiguity between day-first and month-first readers.
pub fn human_date(date: Date) -> String {
    let month = date.month().to_string();
    format!(
        "{} {} {}",
        date.day(),
        month.get(..3).unwrap_or(&month),
        date.year()
    )
}

/// A pattern and a range. Graph's range also needs a start date: that is the schedule's start.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Recurrence {
    pub pattern: RecurrencePattern,
    pub range: RecurrenceRange,
}

impl Recurrence {
    pub fn new(pattern: RecurrencePattern, range: RecurrenceRange) -> Self {
        Self { pattern, range }
    }

    /// "Every 2 weeks on Monday and Thursday, until 31 Dec 2026".
    pub fn summary(&self) -> String {
        format!("{}, {}", self.pattern.summary(), self.range.summary())
    }

    /// The days it happens on, in order, when it counts from `first_day`, as Graph reads the
    /// pattern: every `interval` days from the first day; weeks that start on Sunday (Graph's
    /// `firstDayOfWeek` default, which the portal sends), every `interval` weeks from the first
    /// day's week, on the chosen days; the chosen day of every `interval` months from the first
    /// day's month, in months that have it. Days before `first_day` never count. Stops after
    /// `max_days` days of the calendar, so a range with no end (or a far one) is read only as far as
    /// the caller needs.
    pub fn days(&self, first_day: Date, max_days: u32) -> impl Iterator<Item = Date> + '_ {
        let pattern = self.pattern;
        let range = self.range;
        let mut counted: u32 = 0;
        (0..=max_days)
            .map_while(move |n| first_day.checked_add(time::Duration::days(i64::from(n))))
            .take_while(move |day| match range {
                RecurrenceRange::EndDate { end_date } => *day <= end_date,
                RecurrenceRange::NoEnd | RecurrenceRange::Numbered { .. } => true,
            })
            .filter(move |day| pattern.falls_on(first_day, *day))
            .take_while(move |_| {
                counted += 1;
                match range {
                    RecurrenceRange::Numbered { occurrences } => {
                        counted <= u32::from(occurrences.get())
                    }
                    RecurrenceRange::NoEnd | RecurrenceRange::EndDate { .. } => true,
                }
            })
    }
}

impl RecurrencePattern {
    /// Whether an occurrence falls on `day`, for a repetition counting from `first_day` (not before).
    fn falls_on(self, first_day: Date, day: Date) -> bool {
        if day < first_day {
            return false;
        }
        let every = i64::from(self.interval().get());
        match self {
            RecurrencePattern::Daily { .. } => (day - first_day).whole_days() % every == 0,
            RecurrencePattern::Weekly { days, .. } => {
                let week_start = |d: Date| {
                    d - time::Duration::days(i64::from(d.weekday().number_days_from_sunday()))
                };
                let weeks = (week_start(day) - week_start(first_day)).whole_weeks();
                weeks % every == 0 && days.contains(DayOfWeek::from(day.weekday()))
            }
            RecurrencePattern::AbsoluteMonthly { day_of_month, .. } => {
                let month_index =
                    |d: Date| i64::from(d.year()) * 12 + i64::from(u8::from(d.month()));
                day.day() == day_of_month.get()
                    && (month_index(day) - month_index(first_day)) % every == 0
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn weekly(interval: u16, days: &[DayOfWeek]) -> RecurrencePattern {
        RecurrencePattern::Weekly {
            interval: Interval::new(interval).unwrap(),
            days: DaysOfWeek::new(days).unwrap(),
        }
    }

    fn daily(interval: u16) -> RecurrencePattern {
        RecurrencePattern::Daily {
            interval: Interval::new(interval).unwrap(),
        }
    }

    fn monthly(interval: u16, day: u8) -> RecurrencePattern {
        RecurrencePattern::AbsoluteMonthly {
            interval: Interval::new(interval).unwrap(),
            day_of_month: DayOfMonth::new(day).unwrap(),
        }
    }

    use DayOfWeek::*;

    #[test]
    fn days_of_week_parse_names_and_abbreviations() {
        assert_eq!(DayOfWeek::parse("Monday").unwrap(), Monday);
        assert_eq!(DayOfWeek::parse(" thu ").unwrap(), Thursday);
        assert_eq!(DayOfWeek::parse("SUN").unwrap(), Sunday);
        assert_eq!(DayOfWeek::parse("mo"), Err(RecurrenceError::UnknownDay));
        assert_eq!(DayOfWeek::parse("funday"), Err(RecurrenceError::UnknownDay));
        assert_eq!(serde_json::to_string(&Wednesday).unwrap(), "\"wednesday\"");
        for day in DayOfWeek::ALL {
            assert_eq!(DayOfWeek::from(Weekday::from(day)), day);
        }
    }

    #[test]
    fn a_weekly_recurrence_needs_at_least_one_day() {
        assert_eq!(DaysOfWeek::new(&[]), Err(RecurrenceError::NoDays));
        assert!(serde_json::from_str::<DaysOfWeek>("[]").is_err());
    }

    #[test]
    fn days_of_week_ignore_repeats_and_come_out_in_order() {
        let days = DaysOfWeek::new(&[Thursday, Sunday, Monday, Thursday]).unwrap();
        assert_eq!(days.days(), [Sunday, Monday, Thursday]);
        assert_eq!(days.days_from_monday(), [Monday, Thursday, Sunday]);
        assert_eq!(
            serde_json::to_string(&days).unwrap(),
            r#"["sunday","monday","thursday"]"#
        );
    }

    #[test]
    fn intervals_days_of_month_and_occurrences_are_bounded() {
        assert_eq!(Interval::new(0), Err(RecurrenceError::Interval { max: 99 }));
        assert_eq!(
            Interval::new(100),
            Err(RecurrenceError::Interval { max: 99 })
        );
        assert_eq!(Interval::new(99).unwrap().get(), 99);
        assert_eq!(DayOfMonth::new(0), Err(RecurrenceError::DayOfMonth));
        assert_eq!(DayOfMonth::new(32), Err(RecurrenceError::DayOfMonth));
        assert_eq!(DayOfMonth::new(31).unwrap().get(), 31);
        assert_eq!(
            Occurrences::new(0),
            Err(RecurrenceError::Occurrences { max: 366 })
        );
        assert_eq!(
            Occurrences::new(367).unwrap_err().to_string(),
            "Number of occurrences must be 1 to 366"
        );
        assert!(serde_json::from_str::<Interval>("0").is_err());
        assert!(serde_json::from_str::<DayOfMonth>("40").is_err());
    }

    #[test]
    fn summaries_read_as_plain_language() {
        let numbered = |n| RecurrenceRange::Numbered {
            occurrences: Occurrences::new(n).unwrap(),
        };
        let until = RecurrenceRange::EndDate {
            end_date: date!(2026 - 12 - 31),
        };
        let cases = [
            (
                Recurrence::new(
                    weekly(1, &[Monday, Tuesday, Wednesday, Thursday, Friday]),
                    numbered(10),
                ),
                "Every weekday, for 10 occurrences",
            ),
            (
                Recurrence::new(weekly(2, &[Thursday, Monday]), until),
                "Every 2 weeks on Monday and Thursday, until 31 Dec 2026",
            ),
            (
                Recurrence::new(daily(1), RecurrenceRange::NoEnd),
                "Every day, with no end date",
            ),
            (
                Recurrence::new(daily(3), numbered(1)),
                "Every 3 days, for 1 occurrence",
            ),
            (
                Recurrence::new(monthly(1, 5), RecurrenceRange::NoEnd),
                "Every month on day 5, with no end date",
            ),
            (
                Recurrence::new(monthly(2, 31), until),
                "Every 2 months on day 31, until 31 Dec 2026",
            ),
            (
                Recurrence::new(weekly(1, &[Sunday, Monday, Friday]), RecurrenceRange::NoEnd),
                "Every week on Monday, Friday and Sunday, with no end date",
            ),
            (
                Recurrence::new(
                    weekly(3, &[Monday, Tuesday, Wednesday, Thursday, Friday]),
                    RecurrenceRange::NoEnd,
                ),
                "Every 3 weeks on weekdays, with no end date",
            ),
            (
                Recurrence::new(weekly(1, &DayOfWeek::ALL), RecurrenceRange::NoEnd),
                "Every day of the week, with no end date",
            ),
        ];
        for (recurrence, text) in cases {
            assert_eq!(recurrence.summary(), text);
        }
    }

    #[test]
    fn human_dates_are_day_month_year() {
        assert_eq!(human_date(date!(2023 - 02 - 08)), "8 Feb 2023");
        assert_eq!(human_date(date!(2026 - 12 - 31)), "31 Dec 2026");
    }

    #[test]
    fn the_shortest_gap_is_the_least_time_between_occurrences() {
        let days = |p: RecurrencePattern| p.shortest_gap().whole_days();
        assert_eq!(days(daily(1)), 1);
        assert_eq!(days(daily(3)), 3);
        assert_eq!(days(weekly(1, &[Monday])), 7);
        assert_eq!(days(weekly(2, &[Monday])), 14);
        assert_eq!(days(weekly(1, &[Monday, Thursday])), 3);
        // Saturday to Monday across the week end.
        assert_eq!(days(weekly(1, &[Monday, Wednesday, Saturday])), 2);
        // Every other week: Monday to Friday is shorter than Friday to the Monday after next.
        assert_eq!(days(weekly(2, &[Monday, Friday])), 4);
        assert_eq!(days(weekly(2, &[Monday, Sunday])), 6);
        assert_eq!(days(monthly(1, 31)), 28);
        assert_eq!(days(monthly(3, 1)), 84);
    }

    #[test]
    fn graph_type_names_are_the_schema_values() {
        assert_eq!(daily(1).graph_type(), "daily");
        assert_eq!(weekly(1, &[Monday]).graph_type(), "weekly");
        assert_eq!(monthly(1, 5).graph_type(), "absoluteMonthly");
        assert_eq!(RecurrenceRange::NoEnd.graph_type(), "noEnd");
        assert_eq!(
            RecurrenceRange::EndDate {
                end_date: date!(2026 - 01 - 01)
            }
            .graph_type(),
            "endDate"
        );
        assert_eq!(
            RecurrenceRange::Numbered {
                occurrences: Occurrences::new(3).unwrap()
            }
            .graph_type(),
            "numbered"
        );
    }

    #[test]
    fn a_recurrence_round_trips_through_serde_and_validates_on_the_way_in() {
        let r = Recurrence::new(
            weekly(2, &[Monday, Thursday]),
            RecurrenceRange::EndDate {
                end_date: date!(2026 - 12 - 31),
            },
        );
        let json = serde_json::to_string(&r).unwrap();
        assert_eq!(
            json,
            r#"{"pattern":{"type":"weekly","interval":2,"days":["monday","thursday"]},"range":{"type":"end_date","end_date":"2026-12-31"}}"#
        );
        assert_eq!(serde_json::from_str::<Recurrence>(&json).unwrap(), r);
        let bad = json.replace("\"interval\":2", "\"interval\":0");
        assert!(serde_json::from_str::<Recurrence>(&bad).is_err());
    }

    fn days_of(r: Recurrence, first_day: Date) -> Vec<Date> {
        r.days(first_day, 400).collect()
    }

    #[test]
    fn occurrences_fall_on_the_days_graph_reads_from_the_pattern() {
        let numbered = |n| RecurrenceRange::Numbered {
            occurrences: Occurrences::new(n).unwrap(),
        };
        // Wednesday 11 Mar 2026.
        let first = date!(2026 - 03 - 11);
        assert_eq!(
            days_of(Recurrence::new(daily(3), numbered(3)), first),
            [
                date!(2026 - 03 - 11),
                date!(2026 - 03 - 14),
                date!(2026 - 03 - 17)
            ]
        );
        // Weeks start on Sunday; every other week from the first day's week, on Monday and Thursday.
        assert_eq!(
            days_of(
                Recurrence::new(weekly(2, &[Monday, Thursday]), numbered(4)),
                first
            ),
            [
                date!(2026 - 03 - 12),
                date!(2026 - 03 - 23),
                date!(2026 - 03 - 26),
                date!(2026 - 04 - 06)
            ]
        );
        // Day 31 of every month: months without it are skipped.
        assert_eq!(
            days_of(
                Recurrence::new(
                    monthly(1, 31),
                    RecurrenceRange::EndDate {
                        end_date: date!(2026 - 07 - 31)
                    }
                ),
                first
            ),
            [
                date!(2026 - 03 - 31),
                date!(2026 - 05 - 31),
                date!(2026 - 07 - 31)
            ]
        );
        // Every second month on the 5th: not this month's, which is before the first day.
        assert_eq!(
            days_of(Recurrence::new(monthly(2, 5), numbered(2)), first),
            [date!(2026 - 05 - 05), date!(2026 - 07 - 05)]
        );
    }

    #[test]
    fn reading_occurrences_stops_at_the_given_number_of_days() {
        let endless = Recurrence::new(daily(1), RecurrenceRange::NoEnd);
        assert_eq!(endless.days(date!(2026 - 03 - 11), 9).count(), 10);
        let far = Recurrence::new(
            daily(1),
            RecurrenceRange::EndDate {
                end_date: date!(9999 - 12 - 31),
            },
        );
        assert_eq!(far.days(date!(9999 - 12 - 30), 400).count(), 2);
    }
}
