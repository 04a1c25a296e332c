//! What only the browser knows: its clock, UTC offset and time zone. On the server (and before the
//! page is interactive) the form reads times as UTC and the server's clock judges them.

/// The person's UTC offset in minutes, from the browser; UTC while rendered on the server.
pub fn offset_minutes() -> i32 {
    #[cfg(feature = "hydrate")]
    {
        -(js_sys::Date::new_0().get_timezone_offset() as i32)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        0
    }
}

/// The browser's UTC offset at a `datetime-local` value (which may fall the other side of a
/// daylight-saving change from today); `None` on the server or for a value that is not a date-time.
pub fn offset_at(local: &str) -> Option<i32> {
    #[cfg(feature = "hydrate")]
    {
        if local.trim().is_empty() {
            return None;
        }
        // A date-time without an offset is read as the browser's local time.
        let at = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(local.trim()));
        (!at.get_time().is_nan()).then(|| -(at.get_timezone_offset() as i32))
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = local;
        None
    }
}

/// The IANA name of the person's time zone, from the browser; empty while rendered on the server.
/// Empty too when the browser's answer is not a name the shared parser accepts (a legacy name such
/// as `EST5EDT`): the request then goes without a zone, as without JavaScript, rather than being
/// refused for something the person cannot change.
pub fn time_zone() -> String {
    #[cfg(feature = "hydrate")]
    {
        let options =
            js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new())
                .resolved_options();
        js_sys::Reflect::get(&options, &wasm_bindgen::JsValue::from_str("timeZone"))
            .ok()
            .and_then(|z| z.as_string())
            .and_then(|z| crate::domain::zone::TimeZoneName::parse(&z).ok())
            .map(|z| z.to_string())
            .unwrap_or_default()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        String::new()
    }
}

/// The clock, for the browser's own checks (the server checks again with its clock).
pub fn now() -> time::OffsetDateTime {
    #[cfg(feature = "hydrate")]
    {
        let ms = js_sys::Date::now();
        time::OffsetDateTime::from_unix_timestamp_nanos((ms as i128) * 1_000_000)
            .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        time::OffsetDateTime::now_utc()
    }
}

/// Focuses the input with this id and scrolls its step into view; false where that cannot be done
/// here (on the server, or no such visible input), so a link falls back to the browser's own jump.
pub fn focus_field(id: &str) -> bool {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let Some(element) = leptos::prelude::document()
            .get_element_by_id(id)
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        else {
            return false;
        };
        if element.get_client_rects().length() == 0 {
            return false;
        }
        // The label sits above the input (or around a choice): show it too, then focus.
        let document = leptos::prelude::document();
        let label = document
            .query_selector(&format!("label[for=\"{id}\"]"))
            .ok()
            .flatten()
            .or_else(|| element.closest("label").ok().flatten());
        match label {
            Some(label) => label.scroll_into_view(),
            None => element.scroll_into_view(),
        }
        element.focus().is_ok()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = id;
        false
    }
}
