//! The simulator's notion of "now". Real time by default; tests freeze it, move it forward or speed it
//! up. Every time the simulator stamps (tokens, codes, requests, change records) comes from here.
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use time::OffsetDateTime;

use crate::util::lock;

/// A cheap, shareable handle: clones see and move the same time.
#[derive(Clone)]
pub struct Clock {
    inner: Arc<Mutex<State>>,
}

struct State {
    /// The simulated time at `anchor`; from there it runs at `speed` times real time.
    at_anchor: OffsetDateTime,
    anchor: Instant,
    speed: f64,
}

impl Clock {
    /// Wall-clock time, running at normal speed.
    pub fn system() -> Self {
        Self::starting_at(OffsetDateTime::now_utc(), 1.0)
    }

    /// A clock that stands still at `t` until advanced or given a speed.
    pub fn frozen_at(t: OffsetDateTime) -> Self {
        Self::starting_at(t, 0.0)
    }

    /// A clock starting at `t` and running at `speed` times real time (0 = frozen).
    pub fn starting_at(t: OffsetDateTime, speed: f64) -> Self {
        let speed = if speed.is_finite() && speed >= 0.0 {
            speed
        } else {
            1.0
        };
        Self {
            inner: Arc::new(Mutex::new(State {
                at_anchor: t,
                anchor: Instant::now(),
                speed,
            })),
        }
    }

    pub fn now(&self) -> OffsetDateTime {
        let s = lock(&self.inner);
        s.now()
    }

    /// Moves time forward. Time never goes back, so change records stay in order.
    pub fn advance(&self, by: Duration) -> OffsetDateTime {
        let mut s = lock(&self.inner);
        let now = s.now();
        s.at_anchor = now + by;
        s.anchor = Instant::now();
        s.at_anchor
    }

    /// Sets how many simulated seconds pass per real second (0 freezes the clock). Refuses negative
    /// or non-finite speeds.
    pub fn set_speed(&self, speed: f64) -> Result<(), String> {
        if !speed.is_finite() || speed < 0.0 {
            return Err(format!("speed must be a finite number >= 0, got {speed}"));
        }
        let mut s = lock(&self.inner);
        s.at_anchor = s.now();
        s.anchor = Instant::now();
        s.speed = speed;
        Ok(())
    }

    pub fn speed(&self) -> f64 {
        lock(&self.inner).speed
    }
}

impl State {
    fn now(&self) -> OffsetDateTime {
        if self.speed == 0.0 {
            return self.at_anchor;
        }
        let real = self.anchor.elapsed().as_secs_f64() * self.speed;
        // Beyond ~292 years of simulated drift the conversion would overflow; stay put instead.
        match Duration::try_from_secs_f64(real) {
            Ok(d) => self.at_anchor + d,
            Err(_) => self.at_anchor,
        }
    }
}

impl Default for Clock {
    fn default() -> Self {
        Self::system()
    }
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Clock")
            .field("now", &self.now())
            .field("speed", &self.speed())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn a_frozen_clock_moves_only_when_advanced() {
        let c = Clock::frozen_at(datetime!(2024-01-01 0:00 UTC));
        assert_eq!(c.now(), datetime!(2024-01-01 0:00 UTC));
        c.advance(Duration::from_secs(3600));
        assert_eq!(c.now(), datetime!(2024-01-01 1:00 UTC));
    }

    #[test]
    fn a_negative_speed_is_refused() {
        let c = Clock::frozen_at(datetime!(2024-01-01 0:00 UTC));
        assert!(c.set_speed(-1.0).is_err());
        assert!(c.set_speed(f64::NAN).is_err());
        assert_eq!(c.speed(), 0.0);
    }
}
