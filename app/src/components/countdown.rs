//! "Access ends in 1 h 20 min": a countdown the server measured, kept current in the browser. The
//! browser subtracts only the time the page has been open (its own clock may be wrong; the
//! difference of two readings is not), and the server measures afresh whenever the page refetches.
#[cfg(feature = "hydrate")]
use std::time::Duration;

use leptos::prelude::*;

use crate::{
    components::local_time::when,
    domain::elapsed::elapsed_words,
    views::requests::{Countdown, CountdownTo},
};

/// How often the words are written again: minutes are the finest unit they show.
#[cfg(feature = "hydrate")]
const TICK: Duration = Duration::from_secs(15);

/// The sentence for `countdown` when `left` seconds remain, with `at` already in the reader's zone.
pub fn countdown_words(to: CountdownTo, left: i64, at: &str) -> String {
    match (to, left > 0) {
        (CountdownTo::AskedStart, true) => {
            format!("Asked to start in {}, at {at}.", elapsed_words(left))
        }
        (CountdownTo::AskedStart, false) => format!("Asked to start at {at}."),
        (CountdownTo::Start, true) => format!("Starts in {}, at {at}.", elapsed_words(left)),
        (CountdownTo::Start, false) => {
            format!("Due to start at {at}; waiting for Microsoft Graph to grant it.")
        }
        (CountdownTo::End, true) => format!("Access ends in {}, at {at}.", elapsed_words(left)),
        (CountdownTo::End, false) => {
            format!("Due to end at {at}; waiting for Microsoft Graph to revoke it.")
        }
    }
}

#[component]
pub fn CountdownLine(countdown: Countdown, offset: RwSignal<time::UtcOffset>) -> impl IntoView {
    // Seconds the page has shown this countdown.
    let shown_for = RwSignal::new(0_i64);
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        {
            let opened = js_sys::Date::now();
            if let Ok(timer) = set_interval_with_handle(
                move || shown_for.set(((js_sys::Date::now() - opened) / 1000.0) as i64),
                TICK,
            ) {
                on_cleanup(move || timer.clear());
            }
        }
    });
    let Countdown { to, at, seconds } = countdown;
    // A timer is not announced at each change; the status above is what a screen reader hears.
    view! {
        <p class="countdown" role="timer" data-testid="countdown">
            {move || countdown_words(to, seconds - shown_for.get(), &when(&at, offset.get()))}
        </p>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_words_say_how_long_until_and_what_happens_once_it_is_due() {
        let at = "3 Dec 2026 at 11:00 UTC";
        assert_eq!(
            countdown_words(CountdownTo::Start, 4800, at),
            "Starts in 1 h 20 min, at 3 Dec 2026 at 11:00 UTC."
        );
        assert_eq!(
            countdown_words(CountdownTo::AskedStart, 90_000, at),
            "Asked to start in 1 day 1 h, at 3 Dec 2026 at 11:00 UTC."
        );
        assert_eq!(
            countdown_words(CountdownTo::End, 59, at),
            "Access ends in less than a minute, at 3 Dec 2026 at 11:00 UTC."
        );
        assert_eq!(
            countdown_words(CountdownTo::End, 0, at),
            "Due to end at 3 Dec 2026 at 11:00 UTC; waiting for Microsoft Graph to revoke it."
        );
        assert_eq!(
            countdown_words(CountdownTo::Start, -30, at),
            "Due to start at 3 Dec 2026 at 11:00 UTC; waiting for Microsoft Graph to grant it."
        );
    }
}
