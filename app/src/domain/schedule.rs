//! `Schedule`: when access starts, how long it lasts, and whether it repeats; `ScheduleLimits` (per
//! cloud, from config) and the checks a new schedule must pass against them and against `now`.
//!
//! Time is a parameter: nothing here reads the clock. Times are stored in UTC to the second, with the
//! person's UTC offset when they asked: a repetition's dates (its first and last day) are days of their
//! calendar, as they typed them, not UTC days. Their browser's time zone name is kept too when it was
//! known: it is what tells Graph which calendar those dates are in (see `graph_body`).
//!
//! Two kinds of rules:
//! - structural ones (the end is after the start, a repetition has a start, a duration per
//!   occurrence, ends on or after its first day, and occurrences do not overlap) hold for every
//!   `Schedule`, including one read back from storage;
//! - rules about `now` and the limits (not in the past, not too far ahead, not too long) are applied
//!   by [`Schedule::new`] when a person asks. A stored schedule is not judged again against a later
//!   `now`: yesterday's request rightly has a start in the past today.

use std::fmt;

use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime, PrimitiveDateTime, UtcOffset};

use super::duration::IsoDuration;
use super::recurrence::{human_date, Recurrence, RecurrenceRange};
use super::zone::TimeZoneName;

/// The most days between two occurrences of a repetition: every 99 months, plus a month's slack.
const LONGEST_GAP_DAYS: i64 = 100 * 31;

/// How far in the past a start may be and still be accepted: clocks of browsers and servers
/// disagree a little, and a person who picks "now" in the form and then reads the summary for half
/// a minute has not asked for the past.
pub const START_SKEW: time::Duration = time::Duration::minutes(1);

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ScheduleError {
    #[error("Enter the date and time access starts, or choose to start as soon as it is approved")]
    StartMissing,
    #[error("Enter the date and time access ends, or choose a duration")]
    EndMissing,
    #[error("The start cannot be in the past")]
    StartInPast,
    #[error("The start can be at most {max} from now")]
    StartTooFarAhead { max: String },
    #[error("The end must be after the start")]
    EndNotAfterStart,
    #[error("Access can last at most {max} in this cloud")]
    TooLong { max: String },
    #[error("A repeating schedule needs a start date and time")]
    RecurrenceNeedsStart,
    #[error("A repeating schedule needs a duration for each occurrence, not an end time")]
    RecurrenceNeedsDuration,
    #[error("The repetition cannot end before it starts, on {start}")]
    RecurrenceEndsBeforeStart { start: String },
    #[error("Each occurrence lasts {duration} but they can start only {gap} apart: choose a shorter duration")]
    OccurrencesOverlap { duration: String, gap: String },
    #[error("A repeating schedule needs an end: a last day or a number of times")]
    RecurrenceNeedsEnd,
    #[error("A repeating schedule can span at most {max} in this cloud, from the first start to the last end: choose an earlier last day or fewer times")]
    WindowTooLong { max: String },
    #[error("A repeating schedule can happen at most {max} times in this cloud")]
    TooManyOccurrences { max: u16 },
    #[error("The repetition never happens between its start and its last day: check its days and its end")]
    RecurrenceNeverHappens,
    #[error("Your browser gave a UTC offset that no place has ({minutes} minutes): reload the page and try again")]
    Offset { minutes: i64 },
    #[error("Enter a date and time such as 2026-05-01T09:00")]
    DateTime,
    #[error("Enter a date such as 2026-05-31")]
    Date,
}

/// When access starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "at", rename_all = "snake_case")]
pub enum Start {
    /// As soon as the request is approved and submitted (Graph gets no `startDateTime`).
    Now,
    At(#[serde(with = "time::serde::rfc3339")] OffsetDateTime),
}

/// When access ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Expiration {
    /// After this long (of each occurrence, when the schedule repeats).
    Duration(IsoDuration),
    /// At this instant.
    EndAt(#[serde(with = "time::serde::rfc3339")] OffsetDateTime),
}

/// What one cloud allows, from config. ISO 8601 durations in config too (`P1D`, `P30D`).
///
/// A repeating schedule is bounded as a whole, not only per occurrence: without `max_window` and
/// `max_occurrences`, a daily repetition of one day each with no end is standing access in slices.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduleLimits {
    /// The longest access (of each occurrence, when the schedule repeats).
    pub max_duration: IsoDuration,
    /// How far ahead of now a start may be.
    pub max_start_ahead: IsoDuration,
    /// The longest a repeating schedule may span, from its first start to its last end.
    #[serde(default = "default_max_window")]
    pub max_window: IsoDuration,
    /// The most occurrences a repeating schedule may have.
    #[serde(default = "default_max_occurrences")]
    pub max_occurrences: u16,
}

fn default_max_window() -> IsoDuration {
    const THIRTY_DAYS: IsoDuration = IsoDuration::days(30);
    THIRTY_DAYS
}

fn default_max_occurrences() -> u16 {
    30
}

impl ScheduleLimits {
    /// The widest any cloud can allow: for the browser's own checks before it knows the cloud's
    /// limits (the server checks against the real ones).
    pub const WIDEST: ScheduleLimits = ScheduleLimits {
        max_duration: IsoDuration::MAX,
        max_start_ahead: IsoDuration::MAX,
        max_window: IsoDuration::MAX,
        max_occurrences: super::recurrence::Occurrences::MAX,
    };
}

impl Default for ScheduleLimits {
    /// The configuration's defaults: `P1D` each, starting within `P30D`, repeating within `P30D`
    /// at most 30 times.
    fn default() -> Self {
        Self {
            max_duration: const { IsoDuration::days(1) },
            max_start_ahead: default_max_window(),
            max_window: default_max_window(),
            max_occurrences: default_max_occurrences(),
        }
    }
}

/// How many days past the window a repetition is read to find its next occurrence: the longest
/// pattern (every 99 months) has one within this many days of any day.
const LONGEST_PERIOD_DAYS: u32 = 99 * 31 + 31;

/// A schedule that passed its checks. Build one with [`Schedule::new_in`] (or [`Schedule::new`] in UTC).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "ScheduleParts", into = "ScheduleParts")]
pub struct Schedule {
    start: Start,
    expiration: Expiration,
    recurrence: Option<Recurrence>,
    /// The person's offset when they asked: the calendar the repetition's dates are in.
    offset: UtcOffset,
    /// The name of that calendar's zone, when their browser said it.
    time_zone: Option<TimeZoneName>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
struct ScheduleParts {
    start: Start,
    expiration: Expiration,
    recurrence: Option<Recurrence>,
    /// Minutes east of UTC; absent in schedules stored before it was kept, which were UTC.
    #[serde(default, skip_serializing_if = "is_zero")]
    offset_minutes: i32,
    /// Absent in schedules stored before it was kept, and when the browser did not say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    time_zone: Option<TimeZoneName>,
}

fn is_zero(n: &i32) -> bool {
    *n == 0
}

/// `minutes` east of UTC as an offset, for showing times; an impossible one is read as UTC. What a
/// person asks with goes through [`checked_offset`] instead.
pub fn offset_from_minutes(minutes: i32) -> UtcOffset {
    checked_offset(i64::from(minutes)).unwrap_or(UtcOffset::UTC)
}

/// The most minutes a UTC offset can be from UTC (places today are within −12 h and +14 h).
pub const MAX_OFFSET_MINUTES: i64 = 18 * 60;

/// `minutes` east of UTC as an offset, refused beyond ±18 h: a request's times are read at it, so
/// an impossible one must not quietly become UTC.
pub fn checked_offset(minutes: i64) -> Result<UtcOffset, ScheduleError> {
    if minutes.abs() > MAX_OFFSET_MINUTES {
        return Err(ScheduleError::Offset { minutes });
    }
    i32::try_from(minutes * 60)
        .ok()
        .and_then(|seconds| UtcOffset::from_whole_seconds(seconds).ok())
        .ok_or(ScheduleError::Offset { minutes })
}

impl Schedule {
    /// [`Schedule::new_in`] for a person whose calendar is UTC's.
    pub fn new(
        start: Start,
        expiration: Expiration,
        recurrence: Option<Recurrence>,
        now: OffsetDateTime,
        limits: &ScheduleLimits,
    ) -> Result<Self, ScheduleError> {
        Self::new_in(UtcOffset::UTC, start, expiration, recurrence, now, limits)
    }

    /// Checks a schedule a person at `offset` asks for at `now` against the cloud's `limits`. Times
    /// may come in any offset; they are kept in UTC, without fractions of a second. The repetition's
    /// end date is a date of the person's calendar.
    pub fn new_in(
        offset: UtcOffset,
        start: Start,
        expiration: Expiration,
        recurrence: Option<Recurrence>,
        now: OffsetDateTime,
        limits: &ScheduleLimits,
    ) -> Result<Self, ScheduleError> {
        let schedule = Self::structural(start, expiration, recurrence, offset)?;
        let now = to_utc_seconds(now);
        let starts_at = match schedule.start {
            Start::Now => now,
            Start::At(at) => {
                if at < now - START_SKEW {
                    return Err(ScheduleError::StartInPast);
                }
                if at - now > limits.max_start_ahead.to_time() {
                    return Err(ScheduleError::StartTooFarAhead {
                        max: limits.max_start_ahead.describe(),
                    });
                }
                at
            }
        };
        let length = match schedule.expiration {
            Expiration::Duration(d) => d.to_time(),
            Expiration::EndAt(end) => {
                if end <= starts_at {
                    return Err(ScheduleError::EndNotAfterStart);
                }
                end - starts_at
            }
        };
        if length > limits.max_duration.to_time() {
            return Err(ScheduleError::TooLong {
                max: limits.max_duration.describe(),
            });
        }
        if let (Some(recurrence), Start::At(at), Expiration::Duration(each)) =
            (schedule.recurrence, schedule.start, schedule.expiration)
        {
            schedule.check_repetition(&recurrence, at, each, limits)?;
        }
        Ok(schedule)
    }

    /// A repetition must end, happen at least once, and stay within the cloud's window and count.
    /// Occurrences are placed at the start's time of day at the person's offset; across a
    /// daylight-saving change Graph keeps their zone's wall-clock time instead, which moves the last
    /// end by the change (an hour) at most.
    fn check_repetition(
        &self,
        recurrence: &Recurrence,
        at: OffsetDateTime,
        each: IsoDuration,
        limits: &ScheduleLimits,
    ) -> Result<(), ScheduleError> {
        if recurrence.range == RecurrenceRange::NoEnd {
            return Err(ScheduleError::RecurrenceNeedsEnd);
        }
        let window = limits.max_window.to_time();
        let local = at.to_offset(self.offset);
        let horizon = u32::try_from(window.whole_days())
            .unwrap_or(u32::MAX)
            .saturating_add(LONGEST_PERIOD_DAYS);
        let mut count: u32 = 0;
        for day in recurrence.days(local.date(), horizon) {
            let starts = PrimitiveDateTime::new(day, local.time()).assume_offset(self.offset);
            if starts + each.to_time() - at > window {
                return Err(ScheduleError::WindowTooLong {
                    max: limits.max_window.describe(),
                });
            }
            count += 1;
            if count > u32::from(limits.max_occurrences) {
                return Err(ScheduleError::TooManyOccurrences {
                    max: limits.max_occurrences,
                });
            }
        }
        if count == 0 {
            return Err(ScheduleError::RecurrenceNeverHappens);
        }
        Ok(())
    }

    /// The rules that do not depend on `now` or limits.
    fn structural(
        start: Start,
        expiration: Expiration,
        recurrence: Option<Recurrence>,
        offset: UtcOffset,
    ) -> Result<Self, ScheduleError> {
        let start = match start {
            Start::Now => Start::Now,
            Start::At(at) => Start::At(to_utc_seconds(at)),
        };
        let expiration = match expiration {
            Expiration::Duration(d) => Expiration::Duration(d),
            Expiration::EndAt(end) => Expiration::EndAt(to_utc_seconds(end)),
        };
        if let (Start::At(at), Expiration::EndAt(end)) = (start, expiration) {
            if end <= at {
                return Err(ScheduleError::EndNotAfterStart);
            }
        }
        if let Some(recurrence) = recurrence {
            let Start::At(at) = start else {
                return Err(ScheduleError::RecurrenceNeedsStart);
            };
            let Expiration::Duration(duration) = expiration else {
                return Err(ScheduleError::RecurrenceNeedsDuration);
            };
            if let RecurrenceRange::EndDate { end_date } = recurrence.range {
                // Both days of the person's calendar: 20:00 on 1 Dec at UTC-08:00 is 2 Dec in UTC,
                // and "until 1 Dec" is still a repetition of one day to them.
                let first_day = at.to_offset(offset).date();
                if end_date < first_day {
                    return Err(ScheduleError::RecurrenceEndsBeforeStart {
                        start: human_date(first_day),
                    });
                }
            }
            let gap = recurrence.pattern.shortest_gap();
            if duration.to_time() > gap {
                return Err(ScheduleError::OccurrencesOverlap {
                    duration: duration.describe(),
                    gap: IsoDuration::from_secs(gap.whole_seconds().unsigned_abs())
                        .map(IsoDuration::describe)
                        .unwrap_or_default(),
                });
            }
        }
        Ok(Self {
            start,
            expiration,
            recurrence,
            offset,
            time_zone: None,
        })
    }

    /// The same schedule, asked for from the time zone named `zone` (`None`: unknown). The zone
    /// is not checked against the offset: without a time zone database (the browser has none) the
    /// two cannot be compared, and both come from the same browser at the same moment.
    pub fn with_time_zone(self, zone: Option<TimeZoneName>) -> Self {
        Self {
            time_zone: zone,
            ..self
        }
    }

    pub fn start(&self) -> Start {
        self.start
    }

    pub fn expiration(&self) -> Expiration {
        self.expiration
    }

    pub fn recurrence(&self) -> Option<&Recurrence> {
        self.recurrence.as_ref()
    }

    /// The person's offset when they asked, the calendar of the repetition's dates.
    pub fn offset(&self) -> UtcOffset {
        self.offset
    }

    /// The name of the person's time zone when they asked, if their browser said it.
    pub fn time_zone(&self) -> Option<&TimeZoneName> {
        self.time_zone.as_ref()
    }

    /// The date a repetition counts from (Graph's `recurrenceRange.startDate`): the start's date in the
    /// person's calendar, the day they typed. Only a schedule with a recurrence is sure to have one.
    pub fn start_date(&self) -> Option<Date> {
        match self.start {
            Start::Now => None,
            Start::At(at) => Some(at.to_offset(self.offset).date()),
        }
    }

    /// The first (or only) time access is held, when it starts at `started_at` — the time given,
    /// or for [`Start::Now`] the moment it was granted.
    pub fn first_window(&self, started_at: OffsetDateTime) -> (OffsetDateTime, OffsetDateTime) {
        let start = match self.start {
            Start::Now => to_utc_seconds(started_at),
            Start::At(at) => at,
        };
        let end = match self.expiration {
            Expiration::Duration(d) => start + d.to_time(),
            Expiration::EndAt(end) => end,
        };
        (start, end)
    }

    /// The occurrence that holds access at `now`, when the schedule says one does: the only window,
    /// or for a repetition the occurrence `now` falls in. `started_at` is when a [`Start::Now`]
    /// schedule began (Graph starts it when it accepts the request). `None` between occurrences and
    /// after the last one.
    pub fn window_at(
        &self,
        started_at: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Option<(OffsetDateTime, OffsetDateTime)> {
        let holds = |(start, end): (OffsetDateTime, OffsetDateTime)| start <= now && now < end;
        let (Some(recurrence), Start::At(at), Expiration::Duration(each)) =
            (&self.recurrence, self.start, self.expiration)
        else {
            return Some(self.first_window(started_at)).filter(|w| holds(*w));
        };
        if now < at {
            return None;
        }
        let local = at.to_offset(self.offset);
        // Occurrences start on days up to `now`'s (and one more, for offsets across midnight).
        let days = u32::try_from((now - at).whole_days().saturating_add(2)).unwrap_or(u32::MAX);
        recurrence
            .days(local.date(), days)
            .map(|day| {
                let start = PrimitiveDateTime::new(day, local.time()).assume_offset(self.offset);
                (start, start + each.to_time())
            })
            .take_while(|(start, _)| *start <= now)
            .find(|w| holds(*w))
    }

    /// When access next starts after `now`: a start still ahead, or a repetition's next occurrence.
    /// `None` for a start "as soon as approved" (it begins when Graph grants it) and once the last
    /// occurrence has begun.
    pub fn next_start(&self, now: OffsetDateTime) -> Option<OffsetDateTime> {
        let Start::At(at) = self.start else {
            return None;
        };
        if now < at {
            return Some(at);
        }
        let (Some(recurrence), Expiration::Duration(_)) = (&self.recurrence, self.expiration)
        else {
            return None;
        };
        let local = at.to_offset(self.offset);
        // The days up to `now`, then as far as the longest gap a repetition allows.
        let days = (now - at).whole_days().saturating_add(LONGEST_GAP_DAYS);
        recurrence
            .days(local.date(), u32::try_from(days).unwrap_or(u32::MAX))
            .map(|day| PrimitiveDateTime::new(day, local.time()).assume_offset(self.offset))
            .find(|start| *start > now)
    }

    /// The schedule in words, with times shown at `offset` (the reader's):
    /// "Starts 8 Feb 2023 at 12:15 UTC and lasts 1 hour". The repetition's first and last days are
    /// the days its first and last occurrences fall on at `offset`: for the person who asked, the
    /// dates they typed.
    pub fn summary_in(&self, offset: UtcOffset) -> String {
        let ends = |expiration: Expiration| match expiration {
            Expiration::Duration(d) => format!("lasts {}", d.describe()),
            Expiration::EndAt(end) => format!("ends {}", format_in(end, offset)),
        };
        match (self.start, &self.recurrence) {
            (Start::At(at), Some(recurrence)) => {
                let local = at.to_offset(offset);
                let each = match self.expiration {
                    Expiration::Duration(d) => d.describe(),
                    Expiration::EndAt(_) => String::new(),
                };
                let mut shown = *recurrence;
                if let RecurrenceRange::EndDate { end_date } = recurrence.range {
                    // The last occurrence, at the start's time of day on the asker's last day.
                    let asker = at.to_offset(self.offset);
                    let last = PrimitiveDateTime::new(end_date, asker.time())
                        .assume_offset(self.offset)
                        .to_offset(offset);
                    shown.range = RecurrenceRange::EndDate {
                        end_date: last.date(),
                    };
                }
                format!(
                    "{}: each time from {:02}:{:02} {} for {}, starting {}",
                    shown.summary(),
                    local.hour(),
                    local.minute(),
                    offset_label(offset),
                    each,
                    human_date(local.date())
                )
            }
            (Start::Now, _) => format!(
                "Starts as soon as it is approved and {}",
                ends(self.expiration)
            ),
            (Start::At(at), None) => format!(
                "Starts {} and {}",
                format_in(at, offset),
                ends(self.expiration)
            ),
        }
    }
}

#[cfg(test)]
impl Schedule {
    /// One hour from approval, as every documented Graph example asks: for tests across the domain.
    pub(crate) fn an_hour_from_approval() -> Schedule {
        Schedule::structural(
            Start::Now,
            Expiration::Duration(IsoDuration::from_secs(3600).unwrap()),
            None,
            UtcOffset::UTC,
        )
        .unwrap()
    }
}

impl TryFrom<ScheduleParts> for Schedule {
    type Error = ScheduleError;
    fn try_from(parts: ScheduleParts) -> Result<Self, Self::Error> {
        Self::structural(
            parts.start,
            parts.expiration,
            parts.recurrence,
            offset_from_minutes(parts.offset_minutes),
        )
        .map(|s| s.with_time_zone(parts.time_zone))
    }
}

impl From<Schedule> for ScheduleParts {
    fn from(s: Schedule) -> Self {
        Self {
            start: s.start,
            expiration: s.expiration,
            recurrence: s.recurrence,
            offset_minutes: i32::from(s.offset.whole_minutes()),
            time_zone: s.time_zone,
        }
    }
}

impl fmt::Display for Schedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.summary_in(UtcOffset::UTC))
    }
}

fn to_utc_seconds(t: OffsetDateTime) -> OffsetDateTime {
    let utc = t.to_offset(UtcOffset::UTC);
    utc - time::Duration::nanoseconds(i64::from(utc.nanosecond()))
}

/// Reads what an HTML `datetime-local` input gives (`2026-05-01T09:00`, seconds optional), as a time
/// at the person's `offset`, and returns it in UTC.
pub fn parse_local_datetime(
    input: &str,
    offset: UtcOffset,
) -> Result<OffsetDateTime, ScheduleError> {
    use time::macros::format_description;
    let text = input.trim();
    let with_seconds = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    let without_seconds = format_description!("[year]-[month]-[day]T[hour]:[minute]");
    let local = PrimitiveDateTime::parse(text, with_seconds)
        .or_else(|_| PrimitiveDateTime::parse(text, without_seconds))
        .map_err(|_| ScheduleError::DateTime)?;
    Ok(to_utc_seconds(local.assume_offset(offset)))
}

/// "8 Feb 2023 at 14:15 UTC+02:00", shown at `offset`.
pub fn format_in(t: OffsetDateTime, offset: UtcOffset) -> String {
    let local = t.to_offset(offset);
    format!(
        "{} at {:02}:{:02} {}",
        human_date(local.date()),
        local.hour(),
        local.minute(),
        offset_label(offset)
    )
}

/// "UTC", "UTC+02:00", "UTC-05:30".
pub fn offset_label(offset: UtcOffset) -> String {
    if offset.is_utc() {
        return "UTC".to_owned();
    }
    let (h, m, _) = offset.as_hms();
    let sign = if offset.is_negative() { '-' } else { '+' };
    format!("UTC{sign}{:02}:{:02}", h.unsigned_abs(), m.unsigned_abs())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::recurrence::{
        DayOfMonth, DayOfWeek, DaysOfWeek, Interval, Occurrences, RecurrencePattern,
    };
    use time::macros::{date, datetime, offset};

    const NOW: OffsetDateTime = datetime!(2026-03-10 09:00:30.5 UTC);

    fn limits() -> ScheduleLimits {
        ScheduleLimits::default()
    }

    /// A one-off schedule from `start` to `end`, checked at `NOW`.
    fn between(start: OffsetDateTime, end: OffsetDateTime) -> Schedule {
        new(Start::At(start), Expiration::EndAt(end), None).unwrap()
    }

    fn hours(n: u64) -> Expiration {
        Expiration::Duration(IsoDuration::from_secs(n * 3600).unwrap())
    }

    fn new(
        start: Start,
        expiration: Expiration,
        recurrence: Option<Recurrence>,
    ) -> Result<Schedule, ScheduleError> {
        Schedule::new(start, expiration, recurrence, NOW, &limits())
    }

    fn weekdays() -> Recurrence {
        Recurrence::new(
            RecurrencePattern::Weekly {
                interval: Interval::ONE,
                days: DaysOfWeek::WEEKDAYS,
            },
            RecurrenceRange::Numbered {
                occurrences: Occurrences::new(10).unwrap(),
            },
        )
    }

    #[test]
    fn now_for_an_hour_is_accepted() {
        let s = new(Start::Now, hours(1), None).unwrap();
        assert_eq!(s.start(), Start::Now);
        assert_eq!(s.expiration(), hours(1));
        assert_eq!(s.recurrence(), None);
        assert_eq!(s.start_date(), None);
    }

    #[test]
    fn a_start_in_the_past_is_refused() {
        let result = new(Start::At(datetime!(2026-03-10 08:00 UTC)), hours(1), None);
        assert_eq!(result, Err(ScheduleError::StartInPast));
        assert_eq!(
            ScheduleError::StartInPast.to_string(),
            "The start cannot be in the past"
        );
    }

    #[test]
    fn a_start_less_than_a_minute_ago_is_accepted_as_clock_skew() {
        assert!(new(
            Start::At(datetime!(2026-03-10 08:59:31 UTC)),
            hours(1),
            None
        )
        .is_ok());
        assert_eq!(
            new(
                Start::At(datetime!(2026-03-10 08:59:29 UTC)),
                hours(1),
                None
            ),
            Err(ScheduleError::StartInPast)
        );
    }

    #[test]
    fn a_start_too_far_ahead_is_refused() {
        assert!(new(Start::At(datetime!(2026-04-09 09:00 UTC)), hours(1), None).is_ok());
        let err = new(Start::At(datetime!(2026-04-09 09:01 UTC)), hours(1), None).unwrap_err();
        assert_eq!(err.to_string(), "The start can be at most 30 days from now");
    }

    #[test]
    fn a_duration_over_the_cloud_maximum_is_refused() {
        assert!(new(Start::Now, hours(24), None).is_ok());
        let err = new(Start::Now, hours(25), None).unwrap_err();
        assert_eq!(
            err,
            ScheduleError::TooLong {
                max: "1 day".into()
            }
        );
        assert_eq!(
            err.to_string(),
            "Access can last at most 1 day in this cloud"
        );
    }

    #[test]
    fn an_end_time_is_measured_from_the_start() {
        let start = Start::At(datetime!(2026-03-11 09:00 UTC));
        assert!(new(
            start,
            Expiration::EndAt(datetime!(2026-03-12 09:00 UTC)),
            None
        )
        .is_ok());
        assert_eq!(
            new(
                start,
                Expiration::EndAt(datetime!(2026-03-12 09:01 UTC)),
                None
            ),
            Err(ScheduleError::TooLong {
                max: "1 day".into()
            })
        );
        // From now when the start is now.
        assert!(new(
            Start::Now,
            Expiration::EndAt(datetime!(2026-03-11 09:00 UTC)),
            None
        )
        .is_ok());
        assert!(new(
            Start::Now,
            Expiration::EndAt(datetime!(2026-03-11 09:01 UTC)),
            None
        )
        .is_err());
    }

    #[test]
    fn an_end_before_or_at_the_start_is_refused() {
        let start = Start::At(datetime!(2026-03-11 09:00 UTC));
        for end in [
            datetime!(2026-03-11 08:00 UTC),
            datetime!(2026-03-11 09:00 UTC),
        ] {
            assert_eq!(
                new(start, Expiration::EndAt(end), None),
                Err(ScheduleError::EndNotAfterStart)
            );
        }
        assert_eq!(
            new(
                Start::Now,
                Expiration::EndAt(datetime!(2026-03-10 08:00 UTC)),
                None
            ),
            Err(ScheduleError::EndNotAfterStart)
        );
    }

    #[test]
    fn times_are_kept_in_utc_to_the_second() {
        let local = datetime!(2026-03-11 10:00:00.75 +01:00);
        let s = new(
            Start::At(local),
            Expiration::EndAt(datetime!(2026-03-11 13:00 +02:00)),
            None,
        )
        .unwrap();
        assert_eq!(s.start(), Start::At(datetime!(2026-03-11 09:00 UTC)));
        assert!(matches!(s.start(), Start::At(t) if t.offset().is_utc()));
        assert_eq!(
            s.expiration(),
            Expiration::EndAt(datetime!(2026-03-11 11:00 UTC))
        );
    }

    #[test]
    fn a_repeating_schedule_needs_a_start_and_a_duration() {
        assert_eq!(
            new(Start::Now, hours(1), Some(weekdays())),
            Err(ScheduleError::RecurrenceNeedsStart)
        );
        let start = Start::At(datetime!(2026-03-11 09:00 UTC));
        assert_eq!(
            new(
                start,
                Expiration::EndAt(datetime!(2026-03-11 10:00 UTC)),
                Some(weekdays())
            ),
            Err(ScheduleError::RecurrenceNeedsDuration)
        );
        let s = new(start, hours(8), Some(weekdays())).unwrap();
        assert_eq!(s.recurrence(), Some(&weekdays()));
        assert_eq!(s.start_date(), Some(date!(2026 - 03 - 11)));
    }

    #[test]
    fn a_repetition_cannot_end_before_its_first_day() {
        let start = Start::At(datetime!(2026-03-11 09:00 UTC));
        let until = |end_date| {
            Some(Recurrence::new(
                RecurrencePattern::Daily {
                    interval: Interval::ONE,
                },
                RecurrenceRange::EndDate { end_date },
            ))
        };
        assert!(new(start, hours(1), until(date!(2026 - 03 - 11))).is_ok());
        assert_eq!(
            new(start, hours(1), until(date!(2026 - 03 - 10))),
            Err(ScheduleError::RecurrenceEndsBeforeStart {
                start: "11 Mar 2026".into()
            })
        );
    }

    #[test]
    fn a_repetitions_dates_are_days_of_the_persons_calendar() {
        // 20:00 on 1 Dec at UTC-08:00 is 04:00 on 2 Dec in UTC.
        let start = Start::At(datetime!(2026-12-01 20:00 -08:00));
        let now = datetime!(2026-11-25 12:00 UTC);
        let until = |end_date| {
            Some(Recurrence::new(
                RecurrencePattern::Daily {
                    interval: Interval::ONE,
                },
                RecurrenceRange::EndDate { end_date },
            ))
        };
        let new_in = |offset, recurrence| {
            Schedule::new_in(offset, start, hours(1), recurrence, now, &limits())
        };
        let s = new_in(offset!(-8), until(date!(2026 - 12 - 01))).unwrap();
        assert_eq!(s.start_date(), Some(date!(2026 - 12 - 01)));
        assert_eq!(s.offset(), offset!(-8));
        let err = new_in(offset!(-8), until(date!(2026 - 11 - 30))).unwrap_err();
        assert_eq!(
            err.to_string(),
            "The repetition cannot end before it starts, on 1 Dec 2026"
        );
        // The same moment is 2 Dec for someone in UTC, who may not end on 1 Dec.
        assert_eq!(
            new_in(UtcOffset::UTC, until(date!(2026 - 12 - 01))),
            Err(ScheduleError::RecurrenceEndsBeforeStart {
                start: "2 Dec 2026".into()
            })
        );
        // East of UTC the calendar is ahead: 08:00 on 1 Dec at UTC+10 is 30 Nov in UTC.
        let east = Schedule::new_in(
            offset!(+10),
            Start::At(datetime!(2026-12-01 08:00 +10:00)),
            hours(1),
            until(date!(2026 - 11 - 30)),
            now,
            &limits(),
        );
        assert_eq!(
            east,
            Err(ScheduleError::RecurrenceEndsBeforeStart {
                start: "1 Dec 2026".into()
            })
        );
    }

    #[test]
    fn a_repetition_is_summarised_in_the_readers_calendar() {
        let s = Schedule::new_in(
            offset!(-8),
            Start::At(datetime!(2026-12-01 20:00 -08:00)),
            hours(1),
            Some(Recurrence::new(
                RecurrencePattern::Daily {
                    interval: Interval::ONE,
                },
                RecurrenceRange::EndDate {
                    end_date: date!(2026 - 12 - 03),
                },
            )),
            datetime!(2026-11-25 12:00 UTC),
            &limits(),
        )
        .unwrap();
        assert_eq!(
            s.summary_in(offset!(-8)),
            "Every day, until 3 Dec 2026: each time from 20:00 UTC-08:00 for 1 hour, starting 1 Dec 2026"
        );
        // An approver in UTC sees the same occurrences on their own days.
        assert_eq!(
            s.to_string(),
            "Every day, until 4 Dec 2026: each time from 04:00 UTC for 1 hour, starting 2 Dec 2026"
        );
    }

    #[test]
    fn occurrences_may_not_overlap() {
        let start = Start::At(datetime!(2026-03-11 09:00 UTC));
        let long_limits = ScheduleLimits {
            max_duration: IsoDuration::parse("P7D").unwrap(),
            ..limits()
        };
        let mon_tue = Recurrence::new(
            RecurrencePattern::Weekly {
                interval: Interval::ONE,
                days: DaysOfWeek::new(&[DayOfWeek::Monday, DayOfWeek::Tuesday]).unwrap(),
            },
            RecurrenceRange::Numbered {
                occurrences: Occurrences::new(2).unwrap(),
            },
        );
        assert!(Schedule::new(start, hours(24), Some(mon_tue), NOW, &long_limits).is_ok());
        let err = Schedule::new(start, hours(25), Some(mon_tue), NOW, &long_limits).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Each occurrence lasts 1 day and 1 hour but they can start only 1 day apart: choose a shorter duration"
        );
    }

    #[test]
    fn parse_local_datetime_reads_a_form_value_at_the_persons_offset() {
        assert_eq!(
            parse_local_datetime("2026-05-01T09:00", offset!(+2)).unwrap(),
            datetime!(2026-05-01 07:00 UTC)
        );
        assert_eq!(
            parse_local_datetime(" 2026-05-01T09:00:30 ", offset!(-5:30)).unwrap(),
            datetime!(2026-05-01 14:30:30 UTC)
        );
        for bad in ["", "2026-05-01", "01/05/2026 09:00", "2026-13-01T09:00"] {
            assert_eq!(
                parse_local_datetime(bad, UtcOffset::UTC),
                Err(ScheduleError::DateTime)
            );
        }
    }

    #[test]
    fn summaries_read_as_plain_language_in_the_persons_offset() {
        let now = new(Start::Now, hours(1), None).unwrap();
        assert_eq!(
            now.to_string(),
            "Starts as soon as it is approved and lasts 1 hour"
        );

        let at = new(Start::At(datetime!(2026-03-11 12:15 UTC)), hours(4), None).unwrap();
        assert_eq!(
            at.to_string(),
            "Starts 11 Mar 2026 at 12:15 UTC and lasts 4 hours"
        );
        assert_eq!(
            at.summary_in(offset!(+2)),
            "Starts 11 Mar 2026 at 14:15 UTC+02:00 and lasts 4 hours"
        );

        let until = between(
            datetime!(2026-03-11 12:15 UTC),
            datetime!(2026-03-11 20:00 UTC),
        );
        assert_eq!(
            until.summary_in(offset!(-5)),
            "Starts 11 Mar 2026 at 07:15 UTC-05:00 and ends 11 Mar 2026 at 15:00 UTC-05:00"
        );

        // As stored: the portal no longer asks for a repetition without an end, but can read one.
        let monthly = Schedule::structural(
            Start::At(datetime!(2026-03-11 12:15 UTC)),
            hours(1),
            Some(Recurrence::new(
                RecurrencePattern::AbsoluteMonthly {
                    interval: Interval::ONE,
                    day_of_month: DayOfMonth::new(5).unwrap(),
                },
                RecurrenceRange::NoEnd,
            )),
            UtcOffset::UTC,
        )
        .unwrap();
        assert_eq!(
            monthly.to_string(),
            "Every month on day 5, with no end date: each time from 12:15 UTC for 1 hour, starting 11 Mar 2026"
        );
    }

    #[test]
    fn the_first_window_starts_at_the_start_or_when_granted() {
        let granted = datetime!(2026-03-10 10:00 UTC);
        let now = new(Start::Now, hours(1), None).unwrap();
        assert_eq!(
            now.first_window(granted),
            (granted, datetime!(2026-03-10 11:00 UTC))
        );
        let at = between(
            datetime!(2026-03-11 09:00 UTC),
            datetime!(2026-03-11 17:00 UTC),
        );
        assert_eq!(
            at.first_window(granted),
            (
                datetime!(2026-03-11 09:00 UTC),
                datetime!(2026-03-11 17:00 UTC)
            )
        );
    }

    #[test]
    fn a_stored_schedule_round_trips_and_is_checked_structurally_on_the_way_in() {
        let s = new(
            Start::At(datetime!(2026-03-11 09:00 UTC)),
            hours(8),
            Some(weekdays()),
        )
        .unwrap();
        let json = serde_json::to_string(&s).unwrap();
        assert!(
            json.contains(r#""start":{"kind":"at","at":"2026-03-11T09:00:00Z"}"#),
            "{json}"
        );
        assert!(
            json.contains(r#""expiration":{"kind":"duration","value":"PT8H"}"#),
            "{json}"
        );
        assert_eq!(serde_json::from_str::<Schedule>(&json).unwrap(), s);

        // Yesterday's schedule is still a schedule today: `now` is not checked on the way in.
        let past = json.replace("2026-03-11", "2020-01-01");
        assert!(serde_json::from_str::<Schedule>(&past).is_ok());

        // The person's offset is kept, so its dates are read in their calendar again.
        let west = Schedule::new_in(
            offset!(-8),
            Start::At(datetime!(2026-03-11 20:00 -08:00)),
            hours(8),
            Some(weekdays()),
            NOW,
            &limits(),
        )
        .unwrap();
        let west_json = serde_json::to_string(&west).unwrap();
        assert!(
            west_json.contains(r#""offset_minutes":-480"#),
            "{west_json}"
        );
        let read = serde_json::from_str::<Schedule>(&west_json).unwrap();
        assert_eq!(read, west);
        assert_eq!(read.start_date(), Some(date!(2026 - 03 - 11)));
        assert!(!west_json.contains("time_zone"), "{west_json}");
        assert_eq!(read.time_zone(), None);

        // So is the zone's name, when the browser said it; a malformed stored one is refused.
        let la = west.with_time_zone(Some(TimeZoneName::parse("America/Los_Angeles").unwrap()));
        let la_json = serde_json::to_string(&la).unwrap();
        assert!(
            la_json.contains(r#""time_zone":"America/Los_Angeles""#),
            "{la_json}"
        );
        let read = serde_json::from_str::<Schedule>(&la_json).unwrap();
        assert_eq!(read, la);
        assert_eq!(
            read.time_zone().map(|z| z.as_str()),
            Some("America/Los_Angeles")
        );
        let bad = la_json.replace("America/Los_Angeles", "Los Angeles");
        assert!(serde_json::from_str::<Schedule>(&bad).is_err());

        // But a structurally wrong one is refused.
        let now_with_recurrence = json.replace(
            r#"{"kind":"at","at":"2026-03-11T09:00:00Z"}"#,
            r#"{"kind":"now"}"#,
        );
        assert!(serde_json::from_str::<Schedule>(&now_with_recurrence).is_err());
    }

    #[test]
    fn limits_read_from_config_as_iso_durations() {
        let limits: ScheduleLimits =
            serde_json::from_str(r#"{"max_duration":"PT8H","max_start_ahead":"P14D"}"#).unwrap();
        assert_eq!(limits.max_duration.as_secs(), 8 * 3600);
        assert_eq!(limits.max_start_ahead.as_secs(), 14 * 86_400);
    }

    #[test]
    fn offsets_are_labelled_for_people() {
        assert_eq!(offset_label(UtcOffset::UTC), "UTC");
        assert_eq!(offset_label(offset!(+2)), "UTC+02:00");
        assert_eq!(offset_label(offset!(-5:30)), "UTC-05:30");
    }

    fn daily(range: RecurrenceRange) -> Option<Recurrence> {
        Some(Recurrence::new(
            RecurrencePattern::Daily {
                interval: Interval::ONE,
            },
            range,
        ))
    }

    fn times(n: u16) -> RecurrenceRange {
        RecurrenceRange::Numbered {
            occurrences: Occurrences::new(n).unwrap(),
        }
    }

    fn until(end_date: Date) -> RecurrenceRange {
        RecurrenceRange::EndDate { end_date }
    }

    fn weekdays_until(end_date: Date) -> Recurrence {
        Recurrence::new(
            RecurrencePattern::Weekly {
                interval: Interval::ONE,
                days: DaysOfWeek::WEEKDAYS,
            },
            RecurrenceRange::EndDate { end_date },
        )
    }

    const MORNING: Start = Start::At(datetime!(2026-03-11 09:00 UTC));

    #[test]
    fn a_repetition_without_an_end_is_refused_as_standing_access() {
        assert_eq!(
            new(MORNING, hours(24), daily(RecurrenceRange::NoEnd)),
            Err(ScheduleError::RecurrenceNeedsEnd)
        );
        assert_eq!(
            ScheduleError::RecurrenceNeedsEnd.to_string(),
            "A repeating schedule needs an end: a last day or a number of times"
        );
    }

    #[test]
    fn a_repetition_is_bounded_from_its_first_start_to_its_last_end() {
        // 30 days of 1 hour from 11 Mar 09:00: the last ends 9 Apr 10:00, within 30 days.
        assert!(new(MORNING, hours(1), daily(until(date!(2026 - 04 - 09)))).is_ok());
        // The 31st day's occurrence starts 30 days after the first: past the window.
        let too_long = Err(ScheduleError::WindowTooLong {
            max: "30 days".into(),
        });
        assert_eq!(
            new(MORNING, hours(1), daily(until(date!(2026 - 04 - 10)))),
            too_long
        );
        // A far end date is the same refusal, found without reading every day to it.
        assert_eq!(
            new(MORNING, hours(24), daily(until(date!(9999 - 12 - 31)))),
            too_long
        );
        // 30 days of 24 hours end exactly 30 days after the first start: allowed.
        assert!(new(MORNING, hours(24), daily(times(30))).is_ok());
        // Each occurrence counts to its end, not its start.
        let short = ScheduleLimits {
            max_window: IsoDuration::parse("PT36H").unwrap(),
            ..limits()
        };
        let second_ends_after = |h| Schedule::new(MORNING, hours(h), daily(times(2)), NOW, &short);
        assert!(second_ends_after(12).is_ok());
        assert_eq!(
            second_ends_after(13),
            Err(ScheduleError::WindowTooLong {
                max: "1 day and 12 hours".into()
            })
        );
        // Months: day 5 of every month from 11 Mar is 5 Apr, then 5 May (past 30 days).
        let monthly = |range| {
            Some(Recurrence::new(
                RecurrencePattern::AbsoluteMonthly {
                    interval: Interval::ONE,
                    day_of_month: DayOfMonth::new(5).unwrap(),
                },
                range,
            ))
        };
        assert!(new(MORNING, hours(8), monthly(times(1))).is_ok());
        assert_eq!(new(MORNING, hours(8), monthly(times(2))), too_long);
        assert_eq!(
            ScheduleError::WindowTooLong {
                max: "30 days".into()
            }
            .to_string(),
            "A repeating schedule can span at most 30 days in this cloud, from the first start to \
             the last end: choose an earlier last day or fewer times"
        );
    }

    #[test]
    fn a_repetition_may_happen_at_most_the_clouds_number_of_times() {
        let few = ScheduleLimits {
            max_occurrences: 5,
            ..limits()
        };
        let five = Schedule::new(MORNING, hours(1), daily(times(5)), NOW, &few);
        assert!(five.is_ok());
        assert_eq!(
            Schedule::new(MORNING, hours(1), daily(times(6)), NOW, &few),
            Err(ScheduleError::TooManyOccurrences { max: 5 })
        );
        assert_eq!(
            Schedule::new(
                MORNING,
                hours(1),
                daily(until(date!(2026 - 03 - 20))),
                NOW,
                &few
            ),
            Err(ScheduleError::TooManyOccurrences { max: 5 })
        );
        // The most a numbered range may say (a year of days) is refused by the default window.
        assert_eq!(
            new(MORNING, hours(1), daily(times(Occurrences::MAX))),
            Err(ScheduleError::WindowTooLong {
                max: "30 days".into()
            })
        );
        // Weekly on weekdays for 30 days is 22 times: within both limits.
        assert!(new(
            MORNING,
            hours(8),
            Some(weekdays_until(date!(2026 - 04 - 09)))
        )
        .is_ok());
    }

    #[test]
    fn a_repetition_that_never_happens_is_refused() {
        // Sundays only, from a Wednesday to the Saturday after: no Sunday in between.
        let sundays = Recurrence::new(
            RecurrencePattern::Weekly {
                interval: Interval::ONE,
                days: DaysOfWeek::new(&[DayOfWeek::Sunday]).unwrap(),
            },
            until(date!(2026 - 03 - 14)),
        );
        assert_eq!(
            new(MORNING, hours(1), Some(sundays)),
            Err(ScheduleError::RecurrenceNeverHappens)
        );
    }

    #[test]
    fn a_wider_window_in_config_allows_a_longer_repetition() {
        let wide = ScheduleLimits {
            max_window: IsoDuration::parse("P90D").unwrap(),
            max_occurrences: 90,
            ..limits()
        };
        assert!(Schedule::new(MORNING, hours(1), daily(times(60)), NOW, &wide).is_ok());
        assert!(Schedule::new(MORNING, hours(1), daily(times(60)), NOW, &limits()).is_err());
    }

    #[test]
    fn an_offset_beyond_eighteen_hours_is_refused_not_read_as_utc() {
        assert_eq!(checked_offset(-480), Ok(offset!(-8)));
        assert_eq!(checked_offset(18 * 60), Ok(offset!(+18)));
        assert_eq!(
            checked_offset(18 * 60 + 1),
            Err(ScheduleError::Offset { minutes: 1081 })
        );
        assert_eq!(
            checked_offset(i64::from(i32::MAX)),
            Err(ScheduleError::Offset {
                minutes: i64::from(i32::MAX)
            })
        );
        // Only for showing times is an impossible one read as UTC.
        assert_eq!(offset_from_minutes(i32::MIN), UtcOffset::UTC);
    }

    #[test]
    fn the_window_at_a_moment_is_the_one_window_while_it_holds() {
        let from_approval = new(Start::Now, hours(1), None).unwrap();
        let granted = datetime!(2026-03-10 09:05 UTC);
        let window = (granted, datetime!(2026-03-10 10:05 UTC));
        assert_eq!(from_approval.window_at(granted, granted), Some(window));
        assert_eq!(
            from_approval.window_at(granted, datetime!(2026-03-10 10:04:59 UTC)),
            Some(window)
        );
        assert_eq!(from_approval.window_at(granted, window.1), None);
        let later = between(
            datetime!(2026-03-10 12:00 UTC),
            datetime!(2026-03-10 14:00 UTC),
        );
        assert_eq!(later.window_at(granted, NOW), None, "not started yet");
        assert_eq!(
            later.window_at(granted, datetime!(2026-03-10 13:00 UTC)),
            Some((
                datetime!(2026-03-10 12:00 UTC),
                datetime!(2026-03-10 14:00 UTC)
            ))
        );
    }

    #[test]
    fn the_window_of_a_repetition_is_the_occurrence_the_moment_falls_in() {
        // Weekdays from Tuesday 10 March at 10:00, two hours each.
        let s = new(
            Start::At(datetime!(2026-03-10 10:00 UTC)),
            hours(2),
            Some(weekdays()),
        )
        .unwrap();
        let started = datetime!(2026-03-10 10:00 UTC);
        assert_eq!(
            s.window_at(started, datetime!(2026-03-11 11:00 UTC)),
            Some((
                datetime!(2026-03-11 10:00 UTC),
                datetime!(2026-03-11 12:00 UTC)
            ))
        );
        assert_eq!(s.window_at(started, datetime!(2026-03-11 12:00 UTC)), None);
        assert_eq!(
            s.window_at(started, datetime!(2026-03-14 11:00 UTC)),
            None,
            "a Saturday"
        );
        assert_eq!(s.window_at(started, NOW), None, "before the first");
        assert_eq!(
            s.window_at(started, datetime!(2026-04-30 11:00 UTC)),
            None,
            "after the tenth"
        );
    }

    #[test]
    fn the_next_start_is_the_start_ahead_or_the_repetitions_next_occurrence() {
        let from_approval = new(Start::Now, hours(1), None).unwrap();
        assert_eq!(from_approval.next_start(NOW), None, "Graph decides when");
        let later = between(
            datetime!(2026-03-10 12:00 UTC),
            datetime!(2026-03-10 14:00 UTC),
        );
        assert_eq!(later.next_start(NOW), Some(datetime!(2026-03-10 12:00 UTC)));
        assert_eq!(later.next_start(datetime!(2026-03-10 12:00 UTC)), None);

        // Weekdays from Tuesday 10 March at 10:00, ten occurrences of two hours.
        let s = new(
            Start::At(datetime!(2026-03-10 10:00 UTC)),
            hours(2),
            Some(weekdays()),
        )
        .unwrap();
        assert_eq!(s.next_start(NOW), Some(datetime!(2026-03-10 10:00 UTC)));
        assert_eq!(
            s.next_start(datetime!(2026-03-10 10:00 UTC)),
            Some(datetime!(2026-03-11 10:00 UTC)),
            "during the first, the second"
        );
        assert_eq!(
            s.next_start(datetime!(2026-03-13 12:00 UTC)),
            Some(datetime!(2026-03-16 10:00 UTC)),
            "Friday afternoon: Monday"
        );
        assert_eq!(
            s.next_start(datetime!(2026-03-23 10:00 UTC)),
            None,
            "the tenth has begun"
        );
    }
}
