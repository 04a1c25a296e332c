//! ISO 8601 durations as Graph takes them (`PT1H`, `P1DT12H`, `PT90M`, `P2W`). Years and months are
//! refused because their length depends on the date they start from.
use std::time::Duration;

pub fn parse(s: &str) -> Result<Duration, String> {
    let err = || format!("'{s}' is not an ISO 8601 duration such as PT1H, PT30M or P1DT12H");
    let body = s.strip_prefix('P').ok_or_else(err)?;
    if body.is_empty() {
        return Err(err());
    }
    let (date, time) = match body.split_once('T') {
        Some((d, t)) if !t.is_empty() => (d, Some(t)),
        Some(_) => return Err(err()),
        None => (body, None),
    };
    let mut secs: f64 = 0.0;
    secs += fields(
        date,
        &[('W', 604_800.0), ('D', 86_400.0)],
        &[('Y', "years"), ('M', "months")],
    )
    .map_err(|e| e.unwrap_or_else(err))?;
    if let Some(t) = time {
        secs += fields(t, &[('H', 3600.0), ('M', 60.0), ('S', 1.0)], &[])
            .map_err(|e| e.unwrap_or_else(err))?;
    }
    if !secs.is_finite() || secs > 10.0 * 365.0 * 86_400.0 {
        return Err(format!(
            "'{s}' is longer than the ten years the simulator accepts"
        ));
    }
    Duration::try_from_secs_f64(secs).map_err(|_| err())
}

/// Sums `<number><unit>` pairs whose units appear in order in `units`.
fn fields(
    part: &str,
    units: &[(char, f64)],
    refused: &[(char, &str)],
) -> Result<f64, Option<String>> {
    let mut total = 0.0;
    let mut number = String::new();
    let mut next_unit = 0;
    for c in part.chars() {
        if c.is_ascii_digit() || c == '.' || c == ',' {
            number.push(if c == ',' { '.' } else { c });
            continue;
        }
        if let Some((_, what)) = refused.iter().find(|(u, _)| *u == c) {
            return Err(Some(format!("durations in {what} are not supported: their length depends on the calendar; use days or hours")));
        }
        let pos = units[next_unit..]
            .iter()
            .position(|(u, _)| *u == c)
            .ok_or(None)?;
        let value: f64 = number.parse().map_err(|_| None)?;
        total += value * units[next_unit + pos].1;
        next_unit += pos + 1;
        number.clear();
    }
    if !number.is_empty() {
        return Err(None);
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_graph_durations_parse() {
        assert_eq!(parse("PT1H").unwrap(), Duration::from_secs(3600));
        assert_eq!(parse("PT3H").unwrap(), Duration::from_secs(3 * 3600));
        assert_eq!(parse("PT90M").unwrap(), Duration::from_secs(90 * 60));
        assert_eq!(parse("P1DT12H").unwrap(), Duration::from_secs(36 * 3600));
        assert_eq!(parse("P2W").unwrap(), Duration::from_secs(14 * 86_400));
        assert_eq!(parse("PT0.5S").unwrap(), Duration::from_millis(500));
    }

    #[test]
    fn malformed_durations_are_refused() {
        for bad in [
            "", "P", "PT", "1H", "PT1", "PTH", "PT1H30", "P1H", "PT1M1H", "P1Y", "P1M", "hello",
            "-PT1H",
        ] {
            assert!(parse(bad).is_err(), "{bad} should be refused");
        }
    }
}
