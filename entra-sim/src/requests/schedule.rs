//! A request's schedule (`scheduleInfo`): when access starts, how long each grant lasts, and the
//! dates a recurrence repeats on. A recurrence's dates and days are those of its
//! `recurrenceTimeZone`, and each occurrence starts at the start's wall-clock time there (so it
//! stays 09:00 across a daylight-saving change); without a zone, the start's zone, UTC.
use std::time::Duration;

use jiff::tz::TimeZone;
use time::{Date, Month, OffsetDateTime, Time, UtcOffset, Weekday};

/// Iterating a recurrence stops after this many periods, so a pattern that never yields a date
/// (the 30th of February every year) cannot loop for ever.
const MAX_PERIODS: u32 = 100_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expiration {
    /// No end: granted until cancelled.
    Never,
    After(Duration),
    At(OffsetDateTime),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatternType {
    Daily,
    Weekly,
    AbsoluteMonthly,
    RelativeMonthly,
    AbsoluteYearly,
    RelativeYearly,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WeekIndex {
    First,
    Second,
    Third,
    Fourth,
    Last,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    pub kind: PatternType,
    pub interval: u32,
    pub day_of_month: Option<u8>,
    pub days_of_week: Vec<Weekday>,
    pub first_day_of_week: Weekday,
    pub index: WeekIndex,
    pub month: Option<Month>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RangeEnd {
    NoEnd,
    EndDate(Date),
    Numbered(u32),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recurrence {
    pub pattern: Pattern,
    pub start: Date,
    pub end: RangeEnd,
    /// `recurrenceTimeZone`; `None` reads the dates and times in UTC.
    pub zone: Option<TimeZone>,
}

impl Recurrence {
    /// The wall-clock time of `t` in the recurrence's zone.
    fn local_time(&self, t: OffsetDateTime) -> Time {
        let Some(zone) = &self.zone else {
            return t.time();
        };
        let offset = jiff::Timestamp::from_second(t.unix_timestamp())
            .map(|ts| zone.to_offset(ts).seconds())
            .ok()
            .and_then(|s| UtcOffset::from_whole_seconds(s).ok())
            .unwrap_or(UtcOffset::UTC);
        t.to_offset(offset).time()
    }

    /// `date` at `tod` on the zone's wall clock. A time a daylight-saving change skips is read with
    /// the offset before it (02:30 on a spring-forward night in Los Angeles is 03:30 PDT), and a
    /// repeated one as its first instance: jiff's `compatible`, RFC 5545's rule. `None` only for
    /// dates beyond what either library represents.
    fn at(&self, date: Date, tod: Time) -> Option<OffsetDateTime> {
        let Some(zone) = &self.zone else {
            return Some(date.with_time(tod).assume_utc());
        };
        let civil = jiff::civil::DateTime::new(
            i16::try_from(date.year()).ok()?,
            i8::try_from(u8::from(date.month())).ok()?,
            i8::try_from(date.day()).ok()?,
            i8::try_from(tod.hour()).ok()?,
            i8::try_from(tod.minute()).ok()?,
            i8::try_from(tod.second()).ok()?,
            0,
        )
        .ok()?;
        let instant = zone.to_ambiguous_timestamp(civil).compatible().ok()?;
        OffsetDateTime::from_unix_timestamp(instant.as_second()).ok()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    pub start: Option<OffsetDateTime>,
    pub expiration: Expiration,
    pub recurrence: Option<Recurrence>,
}

/// One period of access.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub start: OffsetDateTime,
    pub end: Option<OffsetDateTime>,
}

impl Schedule {
    /// The window in force or next to come when the request is approved at `approved`. A start in the
    /// past counts as "now": access is never granted for time that has already gone by.
    pub fn first_window(
        &self,
        created: OffsetDateTime,
        approved: OffsetDateTime,
    ) -> Option<Window> {
        match &self.recurrence {
            None => {
                let start = self.start.map_or(approved, |s| s.max(approved));
                let end = match &self.expiration {
                    Expiration::Never => None,
                    Expiration::After(d) => Some(start + *d),
                    Expiration::At(t) if *t > start => Some(*t),
                    Expiration::At(_) => return None,
                };
                Some(Window { start, end })
            }
            Some(rec) => {
                let d = self.occurrence_length()?;
                let tod = rec.local_time(self.start.unwrap_or(created));
                let not_before = match self.start {
                    Some(s) => s,
                    None => rec.at(rec.start, Time::MIDNIGHT)?,
                };
                occurrences(rec, tod)
                    .filter(|s| *s >= not_before)
                    .find(|s| *s + d > approved)
                    .map(|s| Window {
                        start: s.max(approved),
                        end: Some(s + d),
                    })
            }
        }
    }

    /// The next window starting at or after `after` (the end of the previous one).
    pub fn next_window(&self, created: OffsetDateTime, after: OffsetDateTime) -> Option<Window> {
        let rec = self.recurrence.as_ref()?;
        let d = self.occurrence_length()?;
        let tod = rec.local_time(self.start.unwrap_or(created));
        occurrences(rec, tod).find(|s| *s >= after).map(|s| Window {
            start: s,
            end: Some(s + d),
        })
    }

    fn occurrence_length(&self) -> Option<Duration> {
        match self.expiration {
            Expiration::After(d) => Some(d),
            _ => None,
        }
    }
}

/// Occurrence start times, in order, at time of day `tod` in the recurrence's zone.
fn occurrences(rec: &Recurrence, tod: Time) -> impl Iterator<Item = OffsetDateTime> + '_ {
    let mut period: u32 = 0;
    let mut emitted: u32 = 0;
    let mut pending: Vec<Date> = Vec::new();
    std::iter::from_fn(move || loop {
        if let RangeEnd::Numbered(n) = rec.end {
            if emitted >= n {
                return None;
            }
        }
        if let Some(d) = pending.first().copied() {
            pending.remove(0);
            if let RangeEnd::EndDate(e) = rec.end {
                if d > e {
                    return None;
                }
            }
            emitted += 1;
            return rec.at(d, tod);
        }
        if period >= MAX_PERIODS {
            return None;
        }
        let mut dates = dates_in_period(rec, period);
        period += 1;
        dates.retain(|d| *d >= rec.start);
        dates.sort();
        // A period entirely past the end date means no later period can qualify either.
        if let (RangeEnd::EndDate(e), Some(first)) = (&rec.end, period_start(rec, period - 1)) {
            if first > *e && dates.is_empty() {
                return None;
            }
        }
        pending = dates;
    })
}

fn add_months(d: Date, months: u32) -> Option<(i32, Month)> {
    let zero_based = i64::from(u8::from(d.month())) - 1 + i64::from(months);
    let year = i64::from(d.year()) + zero_based.div_euclid(12);
    let month = u8::try_from(zero_based.rem_euclid(12) + 1).ok()?;
    Some((i32::try_from(year).ok()?, Month::try_from(month).ok()?))
}

fn period_start(rec: &Recurrence, period: u32) -> Option<Date> {
    let step = period.checked_mul(rec.pattern.interval)?;
    match rec.pattern.kind {
        PatternType::Daily => rec.start.checked_add(time::Duration::days(i64::from(step))),
        PatternType::Weekly => rec
            .start
            .checked_add(time::Duration::weeks(i64::from(step))),
        PatternType::AbsoluteMonthly | PatternType::RelativeMonthly => {
            let (y, m) = add_months(rec.start, step)?;
            Date::from_calendar_date(y, m, 1).ok()
        }
        PatternType::AbsoluteYearly | PatternType::RelativeYearly => Date::from_calendar_date(
            rec.start.year().checked_add(i32::try_from(step).ok()?)?,
            Month::January,
            1,
        )
        .ok(),
    }
}

fn dates_in_period(rec: &Recurrence, period: u32) -> Vec<Date> {
    let p = &rec.pattern;
    let Some(step) = period.checked_mul(p.interval) else {
        return Vec::new();
    };
    match p.kind {
        PatternType::Daily => rec
            .start
            .checked_add(time::Duration::days(i64::from(step)))
            .into_iter()
            .collect(),
        PatternType::Weekly => {
            let back = (7 + rec.start.weekday().number_days_from_sunday()
                - p.first_day_of_week.number_days_from_sunday())
                % 7;
            let Some(week) = rec
                .start
                .checked_sub(time::Duration::days(i64::from(back)))
                .and_then(|w| w.checked_add(time::Duration::weeks(i64::from(step))))
            else {
                return Vec::new();
            };
            (0..7)
                .filter_map(|i| week.checked_add(time::Duration::days(i)))
                .filter(|d| p.days_of_week.contains(&d.weekday()))
                .collect()
        }
        PatternType::AbsoluteMonthly => add_months(rec.start, step)
            .and_then(|(y, m)| Date::from_calendar_date(y, m, p.day_of_month.unwrap_or(1)).ok())
            .into_iter()
            .collect(),
        PatternType::RelativeMonthly => match add_months(rec.start, step) {
            Some((y, m)) => p
                .days_of_week
                .iter()
                .filter_map(|wd| nth_weekday(y, m, *wd, p.index))
                .collect(),
            None => Vec::new(),
        },
        PatternType::AbsoluteYearly => {
            let y = rec
                .start
                .year()
                .checked_add(i32::try_from(step).unwrap_or(i32::MAX));
            y.and_then(|y| {
                Date::from_calendar_date(
                    y,
                    p.month.unwrap_or(Month::January),
                    p.day_of_month.unwrap_or(1),
                )
                .ok()
            })
            .into_iter()
            .collect()
        }
        PatternType::RelativeYearly => {
            let Some(y) = rec
                .start
                .year()
                .checked_add(i32::try_from(step).unwrap_or(i32::MAX))
            else {
                return Vec::new();
            };
            let m = p.month.unwrap_or(Month::January);
            p.days_of_week
                .iter()
                .filter_map(|wd| nth_weekday(y, m, *wd, p.index))
                .collect()
        }
    }
}

fn nth_weekday(year: i32, month: Month, wd: Weekday, index: WeekIndex) -> Option<Date> {
    let first = Date::from_calendar_date(year, month, 1).ok()?;
    let offset = (7 + wd.number_days_from_sunday() - first.weekday().number_days_from_sunday()) % 7;
    let first_match = first.checked_add(time::Duration::days(i64::from(offset)))?;
    let nth = |n: i64| {
        first_match
            .checked_add(time::Duration::weeks(n))
            .filter(|d| d.month() == month)
    };
    match index {
        WeekIndex::First => nth(0),
        WeekIndex::Second => nth(1),
        WeekIndex::Third => nth(2),
        WeekIndex::Fourth => nth(3),
        WeekIndex::Last => nth(4).or_else(|| nth(3)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    fn monthly(day: u8) -> Recurrence {
        Recurrence {
            pattern: Pattern {
                kind: PatternType::AbsoluteMonthly,
                interval: 1,
                day_of_month: Some(day),
                days_of_week: vec![],
                first_day_of_week: Weekday::Sunday,
                index: WeekIndex::First,
                month: None,
            },
            start: date!(2023 - 02 - 08),
            end: RangeEnd::NoEnd,
            zone: None,
        }
    }

    #[test]
    fn the_documented_monthly_recurrence_falls_on_the_fifth_from_march() {
        let times: Vec<_> = occurrences(&monthly(5), Time::from_hms(12, 15, 0).unwrap())
            .take(3)
            .collect();
        assert_eq!(
            times,
            vec![
                datetime!(2023-03-05 12:15 UTC),
                datetime!(2023-04-05 12:15 UTC),
                datetime!(2023-05-05 12:15 UTC)
            ]
        );
    }

    #[test]
    fn numbered_and_end_date_ranges_stop() {
        let mut r = monthly(5);
        r.end = RangeEnd::Numbered(2);
        assert_eq!(occurrences(&r, Time::MIDNIGHT).count(), 2);
        r.end = RangeEnd::EndDate(date!(2023 - 06 - 30));
        assert_eq!(occurrences(&r, Time::MIDNIGHT).count(), 4);
    }

    #[test]
    fn an_impossible_date_never_loops_for_ever() {
        let mut r = monthly(31);
        r.pattern.kind = PatternType::AbsoluteYearly;
        r.pattern.month = Some(Month::February);
        assert_eq!(occurrences(&r, Time::MIDNIGHT).next(), None);
    }

    #[test]
    fn weekly_picks_the_listed_days() {
        let r = Recurrence {
            pattern: Pattern {
                kind: PatternType::Weekly,
                interval: 2,
                day_of_month: None,
                days_of_week: vec![Weekday::Monday, Weekday::Thursday],
                first_day_of_week: Weekday::Sunday,
                index: WeekIndex::First,
                month: None,
            },
            start: date!(2024 - 01 - 01),
            end: RangeEnd::Numbered(4),
            zone: None,
        };
        let days: Vec<Date> = occurrences(&r, Time::MIDNIGHT).map(|t| t.date()).collect();
        assert_eq!(
            days,
            vec![
                date!(2024 - 01 - 01),
                date!(2024 - 01 - 04),
                date!(2024 - 01 - 15),
                date!(2024 - 01 - 18)
            ]
        );
    }

    fn zone(name: &str) -> Option<TimeZone> {
        Some(jiff::tz::db().get(name).unwrap())
    }

    #[test]
    fn a_zone_puts_the_days_and_times_on_its_own_calendar() {
        // Mondays and Thursdays at 08:00 in Sydney (UTC+11 in March): Sunday and Wednesday in UTC.
        let mut r = Recurrence {
            pattern: Pattern {
                kind: PatternType::Weekly,
                interval: 1,
                day_of_month: None,
                days_of_week: vec![Weekday::Monday, Weekday::Thursday],
                first_day_of_week: Weekday::Sunday,
                index: WeekIndex::First,
                month: None,
            },
            start: date!(2026 - 03 - 16),
            end: RangeEnd::Numbered(3),
            zone: zone("Australia/Sydney"),
        };
        let start = datetime!(2026-03-15 21:00 UTC);
        let tod = r.local_time(start);
        assert_eq!(tod, Time::from_hms(8, 0, 0).unwrap());
        assert_eq!(
            occurrences(&r, tod).collect::<Vec<_>>(),
            vec![
                datetime!(2026-03-15 21:00 UTC),
                datetime!(2026-03-18 21:00 UTC),
                datetime!(2026-03-22 21:00 UTC)
            ]
        );
        let s = Schedule {
            start: Some(start),
            expiration: Expiration::After(Duration::from_secs(8 * 3600)),
            recurrence: Some(r.clone()),
        };
        let approved = datetime!(2026-03-10 00:00 UTC);
        assert_eq!(s.first_window(approved, approved).unwrap().start, start);

        // The same body without its zone is read in UTC: Monday 21:00 UTC, a Tuesday in Sydney.
        r.zone = None;
        assert_eq!(
            occurrences(&r, r.local_time(start)).next(),
            Some(datetime!(2026-03-16 21:00 UTC))
        );
    }

    #[test]
    fn occurrences_keep_the_zones_wall_clock_across_daylight_saving() {
        // Los Angeles moves from UTC-08:00 to UTC-07:00 at 02:00 on 8 March 2026.
        let r = Recurrence {
            pattern: Pattern {
                kind: PatternType::Daily,
                interval: 1,
                day_of_month: None,
                days_of_week: vec![],
                first_day_of_week: Weekday::Sunday,
                index: WeekIndex::First,
                month: None,
            },
            start: date!(2026 - 03 - 07),
            end: RangeEnd::Numbered(3),
            zone: zone("America/Los_Angeles"),
        };
        assert_eq!(
            occurrences(&r, Time::from_hms(9, 0, 0).unwrap()).collect::<Vec<_>>(),
            vec![
                datetime!(2026-03-07 17:00 UTC),
                datetime!(2026-03-08 16:00 UTC),
                datetime!(2026-03-09 16:00 UTC)
            ]
        );
        // 02:30 does not exist that night: it is read at the offset before the change, 03:30 PDT.
        assert_eq!(
            r.at(date!(2026 - 03 - 08), Time::from_hms(2, 30, 0).unwrap()),
            Some(datetime!(2026-03-08 10:30 UTC))
        );
    }

    #[test]
    fn relative_monthly_finds_the_last_friday() {
        assert_eq!(
            nth_weekday(2024, Month::May, Weekday::Friday, WeekIndex::Last),
            Some(date!(2024 - 05 - 31))
        );
        assert_eq!(
            nth_weekday(2024, Month::February, Weekday::Friday, WeekIndex::Last),
            Some(date!(2024 - 02 - 23))
        );
    }

    #[test]
    fn a_past_start_counts_as_the_approval_time() {
        let s = Schedule {
            start: Some(datetime!(2020-01-01 0:00 UTC)),
            expiration: Expiration::After(Duration::from_secs(3600)),
            recurrence: None,
        };
        let w = s
            .first_window(
                datetime!(2024-01-01 0:00 UTC),
                datetime!(2024-01-01 1:00 UTC),
            )
            .unwrap();
        assert_eq!(w.start, datetime!(2024-01-01 1:00 UTC));
        assert_eq!(w.end, Some(datetime!(2024-01-01 2:00 UTC)));
    }
}
