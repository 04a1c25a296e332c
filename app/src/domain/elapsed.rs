//! How long something has been waiting, in the few words a person reads at a glance ("3 h 12 min",
//! "2 days 4 h"). The seconds come from the server, which measured them against its clock: the
//! browser's may be wrong.

/// `seconds` in words: minutes below an hour, hours and minutes below a day, days and hours beyond.
/// Less than a minute (or a negative count, from clocks that disagree) is "less than a minute".
pub fn elapsed_words(seconds: i64) -> String {
    let minutes = seconds.max(0) / 60;
    let (days, hours, minutes) = (minutes / (24 * 60), minutes / 60 % 24, minutes % 60);
    match (days, hours, minutes) {
        (0, 0, 0) => "less than a minute".to_owned(),
        (0, 0, m) => format!("{m} min"),
        (0, h, 0) => format!("{h} h"),
        (0, h, m) => format!("{h} h {m} min"),
        (d, 0, _) => days_words(d),
        (d, h, _) => format!("{} {h} h", days_words(d)),
    }
}

fn days_words(days: i64) -> String {
    if days == 1 {
        "1 day".to_owned()
    } else {
        format!("{days} days")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn under_a_minute_reads_as_less_than_a_minute_even_from_a_clock_ahead() {
        assert_eq!(elapsed_words(0), "less than a minute");
        assert_eq!(elapsed_words(59), "less than a minute");
        assert_eq!(elapsed_words(-30), "less than a minute");
    }

    #[test]
    fn minutes_then_hours_and_minutes_then_days_and_hours() {
        assert_eq!(elapsed_words(60), "1 min");
        assert_eq!(elapsed_words(59 * 60 + 59), "59 min");
        assert_eq!(elapsed_words(3600), "1 h");
        assert_eq!(elapsed_words(3 * 3600 + 12 * 60 + 5), "3 h 12 min");
        assert_eq!(elapsed_words(24 * 3600 + 59), "1 day");
        assert_eq!(
            elapsed_words(2 * 24 * 3600 + 4 * 3600 + 30 * 60),
            "2 days 4 h"
        );
    }
}
