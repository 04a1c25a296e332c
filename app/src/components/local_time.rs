//! Times in the reader's own zone. The server renders in UTC (it cannot know the browser's zone);
//! once the page runs in the browser, the offset becomes the browser's and every time shown
//! through it is written again.
use leptos::prelude::*;

use crate::domain::schedule::format_in;

/// The browser's UTC offset once the page is interactive; UTC on the server and until then.
pub fn browser_offset() -> RwSignal<time::UtcOffset> {
    let offset = RwSignal::new(time::UtcOffset::UTC);
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        {
            let minutes = -(js_sys::Date::new_0().get_timezone_offset() as i32);
            offset.set(
                time::UtcOffset::from_whole_seconds(minutes * 60).unwrap_or(time::UtcOffset::UTC),
            );
        }
    });
    offset
}

/// An RFC 3339 time from the server at `offset` ("22 Nov 2026 at 18:25 UTC"); as sent when it
/// cannot be read.
pub fn when(rfc3339: &str, offset: time::UtcOffset) -> String {
    time::OffsetDateTime::parse(rfc3339, &time::format_description::well_known::Rfc3339)
        .map(|t| format_in(t, offset))
        .unwrap_or_else(|_| rfc3339.to_owned())
}

/// Whether the page runs in the browser yet: buttons that only work there stay disabled until then.
pub fn interactive() -> ReadSignal<bool> {
    let (ready, set_ready) = signal(false);
    Effect::new(move |_| set_ready.set(true));
    ready
}
