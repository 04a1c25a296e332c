//! The request page's inputs as plain HTML submits them: one name per input, in a GET query while
//! the person moves through the steps and in a POST body when they submit. Before the page is
//! interactive (or without JavaScript) the server renders each step from this; once it is
//! interactive, it is the page's state: one store, with a signal per field. Wasm-safe.
use reactive_stores::Store;
use serde::{Deserialize, Serialize};

use super::{
    choices::{EffectChoice, Length, StartChoice},
    names,
    request_form::{RecurrenceForm, RequestForm},
};
use crate::domain::{
    duration::DurationPreset, permissions::AwsStatementInput, permissions_kind::PermissionsKind,
};

/// Every input of the request page, as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, Store)]
pub struct PlainForm {
    pub cloud: String,
    pub system: String,
    /// The identity's `externalId`.
    pub identity: String,
    /// Graph's `identityType` name.
    pub identity_type: String,
    pub what: String,
    /// Policies, roles or actions; for AWS statements, the actions of the statement being edited.
    pub items: Vec<String>,
    pub assign_to_role: String,
    pub scope: String,
    /// AWS statements already added (the page adds more than one only once it is interactive).
    pub statements: Vec<AwsStatementInput>,
    /// The statement being edited, one entry per line.
    pub resources: String,
    pub not_resources: String,
    pub not_actions: String,
    pub effect: EffectChoice,
    /// JSON, or empty.
    pub condition: String,
    pub start_later: bool,
    /// A `datetime-local` value.
    pub start: String,
    /// A preset's ISO 8601 duration, a custom one, or an end.
    pub length: Length,
    pub custom_duration: String,
    pub end: String,
    pub recurrence: RecurrenceForm,
    pub justification: String,
    pub notes: String,
    pub ticket: String,
    pub approver: String,
    /// Minutes east of UTC; the browser fills it in, UTC without it.
    pub offset_minutes: i32,
    /// The browser's IANA time zone name (input `zone`); empty without it.
    pub time_zone: String,
    /// The identity search box.
    pub identity_search: String,
    /// The page of identity results to show (an opaque token from the search).
    pub identity_page: Option<String>,
    /// The policy, role or action search box.
    pub item_search: String,
    /// The page of item results to show (an opaque token from the search).
    pub item_page: Option<String>,
    /// Show the review (and the errors) of the form as it stands.
    pub review: bool,
}

/// The separator between an identity's type and its external id in the identity input's value.
/// Types have no colon; external ids (ARNs) may, so the value splits at the first one.
const IDENTITY_SEPARATOR: char = ':';

impl PlainForm {
    /// Reads the inputs from a query or form body; `all(name)` gives every value sent for `name`.
    /// Unknown names are ignored and nothing here fails: the parser of [`RequestForm`] judges.
    pub fn read(all: impl Fn(&str) -> Vec<String>) -> Self {
        let one = |name: &str| all(name).pop().unwrap_or_default();
        let (identity_type, identity) = one(names::IDENTITY)
            .split_once(IDENTITY_SEPARATOR)
            .map(|(t, id)| (t.to_owned(), id.to_owned()))
            .unwrap_or_default();
        let removed = all(names::REMOVE);
        let mut items: Vec<String> = Vec::new();
        for item in all(names::ITEM) {
            let item = item.trim().to_owned();
            if !item.is_empty() && !removed.contains(&item) && !items.contains(&item) {
                items.push(item);
            }
        }
        let cloud = one(names::CLOUD);
        let what = match one(names::WHAT) {
            w if !w.is_empty() => w,
            // Choosing a cloud chooses its first kind, as the interactive page does.
            _ => crate::domain::ids::CloudKind::parse(&cloud)
                .map(|c| PermissionsKind::of(c)[0].as_str().to_owned())
                .unwrap_or_default(),
        };
        // An Entra role is chosen as one value: its scope is the system, the role the one item.
        let (system, items) = match super::entra::split_choice(&one(names::ENTRA_ROLE)) {
            Some((role, scope))
                if crate::domain::ids::CloudKind::parse(&cloud)
                    == Ok(crate::domain::ids::CloudKind::Entra) =>
            {
                (scope, vec![role])
            }
            _ => (one(names::SYSTEM), items),
        };
        PlainForm {
            system,
            identity,
            identity_type,
            what,
            items,
            assign_to_role: one(names::ROLE),
            scope: one(names::SCOPE),
            // Added statements travel as JSON in hidden inputs; one that does not read is dropped
            // here and never reaches the request (the person sees it missing in the review).
            statements: all(names::STATEMENT)
                .iter()
                .filter_map(|s| serde_json::from_str(s).ok())
                .collect(),
            resources: all(names::RESOURCES)
                .pop()
                .unwrap_or_else(|| "*".to_owned()),
            not_resources: one(names::NOT_RESOURCES),
            not_actions: one(names::NOT_ACTIONS),
            effect: EffectChoice::parse(&one(names::EFFECT)),
            condition: one(names::CONDITION),
            start_later: StartChoice::parse(&one(names::START)) == Some(StartChoice::Later),
            start: one(names::START_AT),
            length: match one(names::LENGTH) {
                l if l.is_empty() => {
                    Length::Duration(DurationPreset::ALL[0].duration().to_string())
                }
                l => Length::parse(&l),
            },
            custom_duration: one(names::CUSTOM_DURATION),
            end: one(names::END_AT),
            recurrence: RecurrenceForm {
                kind: one(names::REPEAT),
                interval: one(names::INTERVAL),
                days: all(names::DAY),
                day_of_month: one(names::DAY_OF_MONTH),
                range: one(names::RANGE),
                end_date: one(names::END_DATE),
                occurrences: one(names::OCCURRENCES),
            },
            justification: one(names::JUSTIFICATION),
            notes: one(names::NOTES),
            ticket: one(names::TICKET),
            approver: one(names::APPROVER),
            // Absent: UTC, as a browser without JavaScript sends none. Not a number: an offset no
            // place has, so the parser refuses it rather than reading the times as UTC.
            offset_minutes: match one(names::OFFSET).trim() {
                "" => 0,
                text => text.parse().unwrap_or(i32::MAX),
            },
            time_zone: one(names::ZONE),
            identity_search: one(names::IDENTITY_SEARCH),
            identity_page: Some(one(names::IDENTITY_PAGE)).filter(|n| !n.is_empty()),
            item_search: one(names::ITEM_SEARCH),
            item_page: Some(one(names::ITEM_PAGE)).filter(|n| !n.is_empty()),
            review: !one(names::REVIEW).is_empty(),
            cloud,
        }
    }

    /// The value of the identity input for an identity.
    pub fn identity_value(identity_type: &str, external_id: &str) -> String {
        format!("{identity_type}{IDENTITY_SEPARATOR}{external_id}")
    }

    /// The page filled from an earlier request, to ask for it again. Its statements are all added;
    /// the statement editor starts empty.
    pub fn from_request_form(form: RequestForm) -> Self {
        let preset = DurationPreset::ALL
            .into_iter()
            .any(|p| p.duration().to_string() == form.duration);
        let (length, custom_duration, end) = if !form.end.is_empty() || form.until_end {
            (Length::End, String::new(), form.end)
        } else if preset || form.duration.is_empty() {
            (
                Length::Duration(form.duration),
                String::new(),
                String::new(),
            )
        } else {
            (Length::Custom, form.duration, String::new())
        };
        PlainForm {
            cloud: form.cloud,
            system: form.system,
            identity: form.identity,
            identity_type: form.identity_type,
            what: form.what,
            items: form.items,
            assign_to_role: form.assign_to_role,
            scope: form.scope,
            statements: form.statements,
            resources: "*".to_owned(),
            effect: EffectChoice::Allow,
            start_later: !form.start.is_empty() || form.start_later,
            start: form.start,
            length,
            custom_duration,
            end,
            recurrence: form.recurrence,
            justification: form.justification,
            notes: form.notes,
            ticket: form.ticket,
            approver: form.approver,
            offset_minutes: form.offset_minutes,
            time_zone: form.time_zone,
            ..PlainForm::default()
        }
    }

    /// The statement being edited, when it holds anything beyond the defaults.
    pub fn editing_statement(&self) -> Option<AwsStatementInput> {
        let statement = AwsStatementInput {
            statement_id: None,
            actions: self.items.clone(),
            not_actions: lines(&self.not_actions),
            resources: lines(&self.resources),
            not_resources: lines(&self.not_resources),
            effect: Some(self.effect.into()),
            condition: {
                let text = self.condition.trim();
                if text.is_empty() {
                    None
                } else {
                    // Not JSON: kept as text, so the parser says what is wrong with it.
                    Some(
                        serde_json::from_str(text)
                            .unwrap_or_else(|_| serde_json::Value::String(text.to_owned())),
                    )
                }
            },
        };
        let touched = !statement.actions.is_empty()
            || !statement.not_actions.is_empty()
            || !statement.not_resources.is_empty()
            || statement.condition.is_some();
        touched.then_some(statement)
    }

    /// What the parser reads: the added statements plus the one being edited (or, when none was
    /// added, the one being edited even if empty, so its errors show).
    pub fn to_request_form(&self) -> RequestForm {
        let what = PermissionsKind::parse(&self.what);
        let statements_mode = what == Some(PermissionsKind::AwsStatements);
        let statements = if statements_mode {
            let mut all = self.statements.clone();
            match self.editing_statement() {
                Some(s) => all.push(s),
                None if all.is_empty() => all.push(AwsStatementInput {
                    resources: lines(&self.resources),
                    ..AwsStatementInput::default()
                }),
                None => {}
            }
            all
        } else {
            Vec::new()
        };
        let (duration, end) = match &self.length {
            Length::Custom => (self.custom_duration.clone(), String::new()),
            Length::End => (String::new(), self.end.clone()),
            Length::Duration(d) => (d.clone(), String::new()),
        };
        RequestForm {
            cloud: self.cloud.clone(),
            system: self.system.clone(),
            identity: self.identity.clone(),
            identity_type: self.identity_type.clone(),
            what: self.what.clone(),
            items: if statements_mode {
                Vec::new()
            } else {
                self.items.clone()
            },
            assign_to_role: self.assign_to_role.clone(),
            scope: self.scope.clone(),
            statements,
            start: if self.start_later {
                self.start.clone()
            } else {
                String::new()
            },
            start_later: self.start_later,
            offset_minutes: self.offset_minutes,
            time_zone: self.time_zone.clone(),
            duration,
            end,
            until_end: self.length == Length::End,
            recurrence: self.recurrence.clone(),
            justification: self.justification.clone(),
            notes: self.notes.clone(),
            ticket: self.ticket.clone(),
            approver: self.approver.clone(),
        }
    }
}

/// The non-empty lines of a text box, trimmed.
fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::domain::permissions::AwsEffect;

    fn read(pairs: &[(&str, &str)]) -> PlainForm {
        let mut map: HashMap<&str, Vec<String>> = HashMap::new();
        for (k, v) in pairs {
            map.entry(k).or_default().push((*v).to_owned());
        }
        PlainForm::read(|name| map.get(name).cloned().unwrap_or_default())
    }

    #[test]
    fn an_empty_query_is_an_empty_form_with_the_first_preset() {
        let f = read(&[]);
        assert_eq!(f.cloud, "");
        assert_eq!(f.what, "");
        assert_eq!(f.length, Length::Duration("PT1H".into()));
        assert_eq!(f.resources, "*");
        assert!(!f.review);
        assert_eq!(f.to_request_form().duration, "PT1H");
    }

    #[test]
    fn choosing_a_cloud_chooses_its_first_kind() {
        assert_eq!(read(&[("cloud", "gcp")]).what, "gcp_roles");
        assert_eq!(
            read(&[("cloud", "gcp"), ("what", "gcp_actions")]).what,
            "gcp_actions"
        );
    }

    #[test]
    fn the_identity_value_splits_at_the_first_colon_so_arns_survive() {
        let value = PlainForm::identity_value("role", "arn:aws:iam::123456789012:role/ops");
        let f = read(&[("identity", &value)]);
        assert_eq!(f.identity_type, "role");
        assert_eq!(f.identity, "arn:aws:iam::123456789012:role/ops");
        let none = read(&[("identity", "no-separator")]);
        assert_eq!(
            (none.identity_type.as_str(), none.identity.as_str()),
            ("", "")
        );
    }

    #[test]
    fn items_keep_their_order_without_repeats_or_the_removed_one() {
        let f = read(&[
            ("item", "b"),
            ("item", "a"),
            ("item", "b"),
            ("item", " "),
            ("item", "c"),
            ("remove", "a"),
        ]);
        assert_eq!(f.items, vec!["b", "c"]);
    }

    #[test]
    fn the_length_choice_becomes_a_duration_or_an_end() {
        let custom = read(&[("length", "custom"), ("custom_duration", "PT2H30M")]);
        assert_eq!(custom.to_request_form().duration, "PT2H30M");
        let end = read(&[("length", "end"), ("end_at", "2026-12-01T10:00")]);
        let form = end.to_request_form();
        assert_eq!(
            (form.duration.as_str(), form.end.as_str()),
            ("", "2026-12-01T10:00")
        );
        let start_now = read(&[("start", "now"), ("start_at", "2026-12-01T09:00")]);
        assert_eq!(start_now.to_request_form().start, "");
        let later = read(&[("start", "later"), ("start_at", "2026-12-01T09:00")]);
        assert_eq!(later.to_request_form().start, "2026-12-01T09:00");
    }

    #[test]
    fn later_and_until_an_end_time_reach_the_parser_even_when_their_times_are_empty() {
        let form = read(&[("start", "later"), ("length", "end")]).to_request_form();
        assert!(form.start_later && form.until_end);
        assert_eq!((form.start.as_str(), form.end.as_str()), ("", ""));
        let back = PlainForm::from_request_form(form);
        assert!(back.start_later);
        assert_eq!(back.length, Length::End);
        let now = read(&[("start", "now"), ("length", "PT4H")]).to_request_form();
        assert!(!now.start_later && !now.until_end);
    }

    #[test]
    fn recurrence_and_text_fields_are_read_by_their_names() {
        let f = read(&[
            ("repeat", "weekly"),
            ("interval", "2"),
            ("day", "monday"),
            ("day", "thursday"),
            ("range", "numbered"),
            ("occurrences", "4"),
            ("justification", "Rotate the keys"),
            ("ticket", "CHG0001234"),
            ("approver", "megan@contoso.com"),
            ("offset", "-480"),
            ("zone", "America/Los_Angeles"),
            ("review", "1"),
        ]);
        assert_eq!(f.recurrence.kind, "weekly");
        assert_eq!(f.recurrence.days, vec!["monday", "thursday"]);
        assert_eq!(f.recurrence.occurrences, "4");
        assert_eq!(f.offset_minutes, -480);
        assert!(f.review);
        let form = f.to_request_form();
        assert_eq!(form.justification, "Rotate the keys");
        assert_eq!(form.approver, "megan@contoso.com");
        assert_eq!(
            (form.offset_minutes, form.time_zone.as_str()),
            (-480, "America/Los_Angeles")
        );
    }

    /// Allow s3:GetObject on every resource.
    fn read_objects() -> AwsStatementInput {
        AwsStatementInput {
            actions: vec!["s3:GetObject".into()],
            resources: vec!["*".into()],
            effect: Some(AwsEffect::Allow),
            ..AwsStatementInput::default()
        }
    }

    #[test]
    fn added_statements_come_back_from_their_hidden_inputs() {
        let statement = read_objects();
        let json = serde_json::to_string(&statement).unwrap();
        let f = read(&[
            ("what", "aws_statements"),
            ("statement", &json),
            ("statement", "{broken"),
        ]);
        assert_eq!(f.statements, vec![statement]);
    }

    #[test]
    fn a_missing_offset_is_utc_and_one_that_is_not_a_number_is_impossible() {
        assert_eq!(read(&[]).offset_minutes, 0);
        assert_eq!(read(&[("offset", " -480 ")]).offset_minutes, -480);
        // The parser refuses it instead of reading the person's times as UTC.
        assert_eq!(read(&[("offset", "east")]).offset_minutes, i32::MAX);
    }

    #[test]
    fn statements_are_the_added_ones_plus_the_one_being_edited() {
        let mut f = read(&[
            ("what", "aws_statements"),
            ("item", "s3:GetObject"),
            ("resources", "arn:aws:s3:::logs/*\n\n"),
            ("effect", "deny"),
        ]);
        let form = f.to_request_form();
        assert!(form.items.is_empty(), "statement actions are not items");
        assert_eq!(form.statements.len(), 1);
        assert_eq!(form.statements[0].actions, vec!["s3:GetObject"]);
        assert_eq!(form.statements[0].resources, vec!["arn:aws:s3:::logs/*"]);
        assert_eq!(form.statements[0].effect, Some(AwsEffect::Deny));

        // Added, then a fresh editor: the fresh one adds nothing.
        f.statements = form.statements.clone();
        f.items.clear();
        f.resources = "*".to_owned();
        f.effect = EffectChoice::Allow;
        assert_eq!(f.to_request_form().statements.len(), 1);
        f.items.push("s3:PutObject".to_owned());
        assert_eq!(f.to_request_form().statements.len(), 2);
    }

    #[test]
    fn an_empty_statement_editor_still_reaches_the_parser_when_nothing_was_added() {
        let f = read(&[("what", "aws_statements")]);
        let statements = f.to_request_form().statements;
        assert_eq!(statements.len(), 1);
        assert!(statements[0].actions.is_empty());
    }

    #[test]
    fn a_condition_that_is_not_json_is_kept_as_text_for_the_parser_to_refuse() {
        let f = read(&[
            ("what", "aws_statements"),
            ("item", "s3:GetObject"),
            ("condition", "{not json"),
        ]);
        assert_eq!(
            f.to_request_form().statements[0].condition,
            Some(serde_json::Value::String("{not json".to_owned()))
        );
    }

    #[test]
    fn an_earlier_request_fills_the_page() {
        let earlier = RequestForm {
            cloud: "aws".into(),
            what: "aws_statements".into(),
            duration: "PT3H".into(),
            statements: vec![read_objects()],
            offset_minutes: 660,
            time_zone: "Australia/Sydney".into(),
            ..RequestForm::default()
        };
        let page = PlainForm::from_request_form(earlier.clone());
        assert_eq!(page.time_zone, "Australia/Sydney");
        assert_eq!(page.length, Length::Custom);
        assert_eq!(page.custom_duration, "PT3H");
        assert!(page.items.is_empty());
        let again = page.to_request_form();
        assert_eq!(again.statements, earlier.statements);
        assert_eq!(again.duration, "PT3H");
        assert_eq!(
            (again.offset_minutes, again.time_zone.as_str()),
            (660, "Australia/Sydney")
        );

        let preset = PlainForm::from_request_form(RequestForm {
            duration: "PT4H".into(),
            ..RequestForm::default()
        });
        assert_eq!(preset.length, Length::Duration("PT4H".into()));
    }
}
