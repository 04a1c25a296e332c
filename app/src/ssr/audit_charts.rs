//! The auditors' charts (`/audit/charts`): requests per day by outcome, and how long requests
//! waited for a decision, over the requests the audit filters name. Drawn on the server as SVG
//! (no script, so the CSP holds; colours as attributes, not inline styles), each with the same
//! numbers in a table for screen readers and for copying.
use sqlx::{PgPool, QueryBuilder};
use time::{Date, Duration, OffsetDateTime, Time};

use super::audit::push_filter;
use crate::{
    domain::{audit::AuditFilter, lifecycle::RequestStatus},
    error::AppError,
};

/// Days shown when the filter names no range.
const DEFAULT_DAYS: i64 = 30;
/// The most days one chart shows: past it, the last days of the range.
pub const MAX_DAYS: i64 = 92;

/// The plot's size in SVG units; the picture scales to the page's width.
const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 240.0;
/// Room for the axis labels.
const LEFT: f64 = 40.0;
const BOTTOM: f64 = 24.0;

/// A request's outcome as the chart groups statuses: its words, its colour, its statuses.
struct Outcome {
    label: &'static str,
    colour: &'static str,
    statuses: &'static [RequestStatus],
}

const OUTCOMES: [Outcome; 6] = [
    Outcome {
        label: "sent to Graph",
        colour: "#2e7d32",
        statuses: &[RequestStatus::Submitted, RequestStatus::Completed],
    },
    Outcome {
        label: "waiting",
        colour: "#757575",
        statuses: &[RequestStatus::PendingApproval, RequestStatus::Approved],
    },
    Outcome {
        label: "rejected",
        colour: "#c62828",
        statuses: &[RequestStatus::Rejected],
    },
    Outcome {
        label: "cancelled",
        colour: "#6a1b9a",
        statuses: &[RequestStatus::Cancelled],
    },
    Outcome {
        label: "expired",
        colour: "#ef6c00",
        statuses: &[RequestStatus::Expired],
    },
    Outcome {
        label: "failed",
        colour: "#1565c0",
        statuses: &[RequestStatus::Failed],
    },
];

/// Waits for a decision, grouped: each bucket's words and its upper bound in seconds.
const WAITS: [(&str, Option<i64>); 6] = [
    ("under 15 minutes", Some(15 * 60)),
    ("15 minutes to 1 hour", Some(3600)),
    ("1 to 4 hours", Some(4 * 3600)),
    ("4 to 24 hours", Some(24 * 3600)),
    ("1 to 3 days", Some(3 * 24 * 3600)),
    ("over 3 days", None),
];

/// One rectangle of a chart, with the words a pointer shows over it.
pub struct Bar {
    pub x: String,
    pub y: String,
    pub width: String,
    pub height: String,
    pub colour: &'static str,
    pub title: String,
}

/// A label on an axis.
pub struct Label {
    pub x: String,
    pub y: String,
    pub text: String,
}

pub struct Legend {
    pub label: &'static str,
    pub colour: &'static str,
}

/// One day of the first chart's table.
pub struct DayRow {
    pub day: String,
    pub counts: Vec<i64>,
    pub total: i64,
}

/// One bucket of the second chart's table.
pub struct WaitRow {
    pub label: &'static str,
    pub count: i64,
}

#[derive(askama::Template)]
#[template(path = "audit_charts.html")]
pub struct ChartsPage {
    pub css: String,
    /// The filter in words, "" for every request.
    pub filter_words: String,
    pub back_href: String,
    pub first_day: String,
    pub last_day: String,
    /// Why fewer days are shown than the range names, when they are.
    pub clipped: Option<String>,
    pub legend: Vec<Legend>,
    pub days: Vec<DayRow>,
    pub day_bars: Vec<Bar>,
    pub day_labels: Vec<Label>,
    pub day_max: i64,
    pub requests: i64,
    pub waits: Vec<WaitRow>,
    pub wait_bars: Vec<Bar>,
    pub wait_labels: Vec<Label>,
    pub wait_max: i64,
    pub decided: i64,
    pub median: String,
    pub p90: String,
}

impl ChartsPage {
    pub fn html(&self) -> Result<String, AppError> {
        askama::Template::render(self).map_err(AppError::internal)
    }
}

/// The days the charts cover: the filter's range (its last [`MAX_DAYS`] when longer), else the
/// [`DEFAULT_DAYS`] up to `today`. First and last day, inclusive, and whether the range was cut.
pub fn days_shown(filter: &AuditFilter, today: Date) -> (Date, Date, bool) {
    let day = |t: OffsetDateTime| t.date();
    let last = filter
        .created_before()
        .map(|b| day(b - Duration::days(1)))
        .unwrap_or(today);
    let first = filter
        .created_from()
        .map(day)
        .unwrap_or(last - Duration::days(DEFAULT_DAYS - 1));
    let earliest = last - Duration::days(MAX_DAYS - 1);
    if first > last {
        // A range that starts after today: that one day.
        (first, first, false)
    } else if first < earliest {
        (earliest, last, true)
    } else {
        (first, last, false)
    }
}

/// Appends the audit filter and the charts' days (`[start, end)`) to a `where`.
fn push_filter_and_days(
    q: &mut QueryBuilder<'_, sqlx::Postgres>,
    filter: &AuditFilter,
    (start, end): (OffsetDateTime, OffsetDateTime),
) {
    push_filter(q, filter);
    q.push(" and r.created_at >= ")
        .push_bind(start)
        .push(" and r.created_at < ")
        .push_bind(end);
}

fn number(x: f64) -> String {
    format!("{x:.1}")
}

/// "3 h 12 min" for a wait in seconds.
fn wait_words(seconds: f64) -> String {
    crate::domain::elapsed::elapsed_words(seconds.round() as i64)
}

/// The charts of the requests `filter` names, over the days it covers, as of `now`.
pub async fn charts(
    pool: &PgPool,
    filter: &AuditFilter,
    css: String,
    now: OffsetDateTime,
) -> Result<ChartsPage, AppError> {
    let (first, last, clipped) = days_shown(filter, now.date());
    let start = first.with_time(Time::MIDNIGHT).assume_utc();
    let end = (last + Duration::days(1))
        .with_time(Time::MIDNIGHT)
        .assume_utc();
    let n_days = usize::try_from((last - first).whole_days() + 1).unwrap_or(1);

    let mut q = QueryBuilder::new(
        "select (r.created_at at time zone 'UTC')::date, r.status, count(*)
         from access_requests r where true",
    );
    push_filter_and_days(&mut q, filter, (start, end));
    q.push(" group by 1, 2");
    let counted: Vec<(Date, String, i64)> =
        q.build_query_as().persistent(false).fetch_all(pool).await?;
    let mut days: Vec<DayRow> = (0..n_days)
        .map(|i| DayRow {
            day: (first + Duration::days(i as i64)).to_string(),
            counts: vec![0; OUTCOMES.len()],
            total: 0,
        })
        .collect();
    for (day, status, n) in counted {
        let Ok(i) = usize::try_from((day - first).whole_days()) else {
            continue;
        };
        let outcome = RequestStatus::parse(&status)
            .ok()
            .and_then(|s| OUTCOMES.iter().position(|o| o.statuses.contains(&s)));
        if let (Some(row), Some(o)) = (days.get_mut(i), outcome) {
            row.counts[o] += n;
            row.total += n;
        }
    }
    let day_max = days.iter().map(|d| d.total).max().unwrap_or(0);
    let scale = |n: i64, max: i64| {
        if max == 0 {
            0.0
        } else {
            n as f64 / max as f64 * (HEIGHT - BOTTOM - 8.0)
        }
    };
    let slot = (WIDTH - LEFT) / n_days as f64;
    let mut day_bars = Vec::new();
    for (i, row) in days.iter().enumerate() {
        let mut top = HEIGHT - BOTTOM;
        for (o, &n) in row.counts.iter().enumerate() {
            if n == 0 {
                continue;
            }
            let h = scale(n, day_max);
            top -= h;
            day_bars.push(Bar {
                x: number(LEFT + i as f64 * slot + slot * 0.1),
                y: number(top),
                width: number(slot * 0.8),
                height: number(h),
                colour: OUTCOMES[o].colour,
                title: format!("{}: {n} {}", row.day, OUTCOMES[o].label),
            });
        }
    }
    // The first day, then about every week, as the axis's labels.
    let every = n_days.div_ceil(6).max(1);
    let day_labels = days
        .iter()
        .enumerate()
        .filter(|(i, _)| i % every == 0)
        .map(|(i, row)| Label {
            x: number(LEFT + i as f64 * slot),
            y: number(HEIGHT - 6.0),
            text: row.day[5..].to_owned(),
        })
        .collect();

    let mut q = QueryBuilder::new("select ");
    for (_, bound) in WAITS.iter().take(WAITS.len() - 1) {
        q.push("count(*) filter (where s < ")
            .push_bind(bound.unwrap_or_default() as f64)
            .push("), ");
    }
    q.push(
        "count(*), percentile_cont(0.5) within group (order by s),
                percentile_cont(0.9) within group (order by s)
         from (select extract(epoch from (d.at - r.created_at))::float8 as s
               from access_requests r
               join lateral (select min(h.at) as at from request_history h
                             where h.request_id = r.id and h.event in ('approve', 'reject')) d
                 on d.at is not null
               where true",
    );
    push_filter_and_days(&mut q, filter, (start, end));
    q.push(") waits");
    type Waits = (i64, i64, i64, i64, i64, i64, Option<f64>, Option<f64>);
    let (b1, b2, b3, b4, b5, decided, median, p90): Waits =
        q.build_query_as().persistent(false).fetch_one(pool).await?;
    // Cumulative counts below each bound, then each bucket's own.
    let below = [b1, b2, b3, b4, b5, decided];
    let waits: Vec<WaitRow> = WAITS
        .iter()
        .enumerate()
        .map(|(i, (label, _))| WaitRow {
            label,
            count: below[i] - if i == 0 { 0 } else { below[i - 1] },
        })
        .collect();
    let wait_max = waits.iter().map(|w| w.count).max().unwrap_or(0);
    let wait_slot = (WIDTH - LEFT) / waits.len() as f64;
    let wait_bars = waits
        .iter()
        .enumerate()
        .filter(|(_, w)| w.count > 0)
        .map(|(i, w)| {
            let h = scale(w.count, wait_max);
            Bar {
                x: number(LEFT + i as f64 * wait_slot + wait_slot * 0.15),
                y: number(HEIGHT - BOTTOM - h),
                width: number(wait_slot * 0.7),
                height: number(h),
                colour: "#1565c0",
                title: format!("{}: {}", w.label, w.count),
            }
        })
        .collect();
    let wait_labels = waits
        .iter()
        .enumerate()
        .map(|(i, w)| Label {
            x: number(LEFT + i as f64 * wait_slot + wait_slot * 0.5),
            y: number(HEIGHT - 6.0),
            text: w.label.replace(" to ", "–").replace("minutes", "min"),
        })
        .collect();

    Ok(ChartsPage {
        css,
        filter_words: filter.to_query(),
        back_href: filter.href("/audit", &[]),
        first_day: first.to_string(),
        last_day: last.to_string(),
        clipped: clipped.then(|| {
            format!(
                "The range is longer than {MAX_DAYS} days: the charts show its last {MAX_DAYS}."
            )
        }),
        legend: OUTCOMES
            .iter()
            .map(|o| Legend {
                label: o.label,
                colour: o.colour,
            })
            .collect(),
        requests: days.iter().map(|d| d.total).sum(),
        days,
        day_bars,
        day_labels,
        day_max,
        waits,
        wait_bars,
        wait_labels,
        wait_max,
        decided,
        median: median.map(wait_words).unwrap_or_else(|| "—".to_owned()),
        p90: p90.map(wait_words).unwrap_or_else(|| "—".to_owned()),
    })
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;
    use crate::domain::audit::AuditQuery;

    fn filter(pairs: &[(&str, &str)]) -> AuditFilter {
        AuditQuery::parse(pairs.iter().copied()).unwrap().filter
    }

    #[test]
    fn the_charts_cover_the_range_asked_for_or_the_last_thirty_days_and_never_more_than_ninety_two()
    {
        let today = date!(2026 - 12 - 03);
        assert_eq!(
            days_shown(&filter(&[]), today),
            (date!(2026 - 11 - 04), today, false)
        );
        assert_eq!(
            days_shown(
                &filter(&[("from", "2026-11-20"), ("to", "2026-11-25")]),
                today
            ),
            (date!(2026 - 11 - 20), date!(2026 - 11 - 25), false)
        );
        assert_eq!(
            days_shown(&filter(&[("to", "2026-06-30")]), today),
            (date!(2026 - 06 - 01), date!(2026 - 06 - 30), false)
        );
        assert_eq!(
            days_shown(
                &filter(&[("from", "2026-01-01"), ("to", "2026-12-31")]),
                today
            ),
            (date!(2026 - 10 - 01), date!(2026 - 12 - 31), true)
        );
    }

    #[test]
    fn every_status_has_exactly_one_outcome() {
        for status in RequestStatus::ALL {
            let n = OUTCOMES
                .iter()
                .filter(|o| o.statuses.contains(status))
                .count();
            assert_eq!(n, 1, "{status:?}");
        }
    }
}
