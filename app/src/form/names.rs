//! The `name` of every input on the request page. `PlainForm::read` reads them and the page writes
//! them, so the plain form (before the page is interactive) and the interactive page cannot drift.
//! They are the page's address: changing one breaks bookmarked and half-filled forms.

pub const CLOUD: &str = "cloud";
pub const SYSTEM: &str = "system";
/// `<identity type>:<external id>` (`PlainForm::identity_value`).
pub const IDENTITY: &str = "identity";
pub const WHAT: &str = "what";
/// A Microsoft Entra role at its scope, `<role definition id>:<directory scope>`
/// (`form::entra::choice_value`); read into the system (the scope) and the one item (the role).
pub const ENTRA_ROLE: &str = "entra_role";
/// A chosen policy, role or action; once per item.
pub const ITEM: &str = "item";
/// The item a "Remove" button takes out.
pub const REMOVE: &str = "remove";
pub const ROLE: &str = "role";
pub const SCOPE: &str = "scope";
/// An added AWS statement as JSON; once per statement.
pub const STATEMENT: &str = "statement";
pub const RESOURCES: &str = "resources";
pub const NOT_RESOURCES: &str = "not_resources";
pub const NOT_ACTIONS: &str = "not_actions";
pub const EFFECT: &str = "effect";
pub const CONDITION: &str = "condition";
/// Now or later (`choices::StartChoice`).
pub const START: &str = "start";
pub const START_AT: &str = "start_at";
/// A preset duration, a custom one or an end (`choices::Length`).
pub const LENGTH: &str = "length";
pub const CUSTOM_DURATION: &str = "custom_duration";
pub const END_AT: &str = "end_at";
/// How the schedule repeats (`choices::Repeat`).
pub const REPEAT: &str = "repeat";
pub const INTERVAL: &str = "interval";
/// A weekday of a weekly repetition; once per day.
pub const DAY: &str = "day";
pub const DAY_OF_MONTH: &str = "day_of_month";
/// How the repetition ends (`choices::Ends`).
pub const RANGE: &str = "range";
pub const END_DATE: &str = "end_date";
pub const OCCURRENCES: &str = "occurrences";
pub const JUSTIFICATION: &str = "justification";
pub const NOTES: &str = "notes";
pub const TICKET: &str = "ticket";
pub const APPROVER: &str = "approver";
/// Minutes east of UTC, from the browser.
pub const OFFSET: &str = "offset";
/// The browser's IANA time zone.
pub const ZONE: &str = "zone";
pub const IDENTITY_SEARCH: &str = "iq";
pub const IDENTITY_PAGE: &str = "inext";
pub const ITEM_SEARCH: &str = "q";
pub const ITEM_PAGE: &str = "next";
/// Present: show the server's review of the form.
pub const REVIEW: &str = "review";
/// The id of an earlier request to ask for again.
pub const FROM: &str = "from";
