//! The request form's choices as types. Each keeps the string it has always had on the wire (the
//! radio or option `value`, the address, the JSON of `RequestForm`), so old addresses and stored
//! forms still read.
use serde::{Deserialize, Serialize};

use crate::domain::permissions::AwsEffect;

/// When access starts: as soon as it is approved, or at a time the person gives.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StartChoice {
    #[default]
    Now,
    Later,
}

impl StartChoice {
    pub const ALL: [StartChoice; 2] = [StartChoice::Now, StartChoice::Later];

    pub fn as_str(self) -> &'static str {
        match self {
            StartChoice::Now => "now",
            StartChoice::Later => "later",
        }
    }

    pub fn parse(input: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == input.trim())
    }
}

/// How long access lasts: a duration (a preset's, or whatever ISO 8601 text the address holds; the
/// parser judges it), a custom duration typed in, or until an end time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub enum Length {
    Duration(String),
    Custom,
    End,
}

impl Default for Length {
    fn default() -> Self {
        Length::Duration(String::new())
    }
}

impl Length {
    pub fn as_str(&self) -> &str {
        match self {
            Length::Duration(d) => d,
            Length::Custom => "custom",
            Length::End => "end",
        }
    }

    pub fn parse(input: &str) -> Self {
        match input {
            "custom" => Length::Custom,
            "end" => Length::End,
            duration => Length::Duration(duration.to_owned()),
        }
    }
}

impl From<String> for Length {
    fn from(value: String) -> Self {
        Length::parse(&value)
    }
}

impl From<Length> for String {
    fn from(value: Length) -> Self {
        value.as_str().to_owned()
    }
}

/// The effect of the AWS statement being edited; allow unless the person chose deny.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EffectChoice {
    #[default]
    Allow,
    Deny,
}

impl EffectChoice {
    pub const ALL: [EffectChoice; 2] = [EffectChoice::Allow, EffectChoice::Deny];

    pub fn as_str(self) -> &'static str {
        AwsEffect::from(self).graph_name()
    }

    /// Anything but `deny` is allow, as the page's first option is.
    pub fn parse(input: &str) -> Self {
        if input.trim() == EffectChoice::Deny.as_str() {
            EffectChoice::Deny
        } else {
            EffectChoice::Allow
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            EffectChoice::Allow => "Allow",
            EffectChoice::Deny => "Deny",
        }
    }
}

impl From<EffectChoice> for AwsEffect {
    fn from(value: EffectChoice) -> Self {
        match value {
            EffectChoice::Allow => AwsEffect::Allow,
            EffectChoice::Deny => AwsEffect::Deny,
        }
    }
}

/// How a schedule repeats (`RecurrenceForm::kind`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Repeat {
    #[default]
    Never,
    Daily,
    Weekly,
    Monthly,
}

impl Repeat {
    pub const ALL: [Repeat; 4] = [
        Repeat::Never,
        Repeat::Daily,
        Repeat::Weekly,
        Repeat::Monthly,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Repeat::Never => "",
            Repeat::Daily => "daily",
            Repeat::Weekly => "weekly",
            Repeat::Monthly => "monthly",
        }
    }

    /// Also Graph's names (`none`, `absolute_monthly`); `None` for anything else.
    pub fn parse(input: &str) -> Option<Self> {
        match input.trim() {
            "" | "none" => Some(Repeat::Never),
            "absolute_monthly" => Some(Repeat::Monthly),
            other => Self::ALL.into_iter().find(|r| r.as_str() == other),
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Repeat::Never => "Does not repeat",
            Repeat::Daily => "Daily",
            Repeat::Weekly => "Weekly",
            Repeat::Monthly => "Monthly on a day",
        }
    }
}

/// How a repetition ends (`RecurrenceForm::range`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Ends {
    #[default]
    EndDate,
    Numbered,
    /// Offered to nobody (a repetition must end); read so the refusal names the rule.
    NoEnd,
}

impl Ends {
    pub const ALL: [Ends; 3] = [Ends::EndDate, Ends::Numbered, Ends::NoEnd];
    /// What the page offers.
    pub const OFFERED: [Ends; 2] = [Ends::EndDate, Ends::Numbered];

    pub fn as_str(self) -> &'static str {
        match self {
            Ends::EndDate => "end_date",
            Ends::Numbered => "numbered",
            Ends::NoEnd => "no_end",
        }
    }

    /// Empty is the page's first choice, shown before one is made; `None` for anything unknown.
    pub fn parse(input: &str) -> Option<Self> {
        match input.trim() {
            "" => Some(Ends::EndDate),
            other => Self::ALL.into_iter().find(|e| e.as_str() == other),
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Ends::EndDate => "On a date",
            Ends::Numbered => "After a number of times",
            Ends::NoEnd => "Never",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_choice_reads_back_from_its_own_wire_string() {
        for c in StartChoice::ALL {
            assert_eq!(StartChoice::parse(c.as_str()), Some(c));
        }
        for e in EffectChoice::ALL {
            assert_eq!(EffectChoice::parse(e.as_str()), e);
        }
        for r in Repeat::ALL {
            assert_eq!(Repeat::parse(r.as_str()), Some(r));
        }
        for e in Ends::ALL {
            assert_eq!(Ends::parse(e.as_str()), Some(e));
        }
        for l in [Length::Custom, Length::End, Length::Duration("PT4H".into())] {
            assert_eq!(Length::parse(l.as_str()), l);
        }
    }

    #[test]
    fn the_wire_strings_are_the_ones_addresses_and_stored_forms_hold() {
        assert_eq!(
            serde_json::to_value((StartChoice::Later, EffectChoice::Deny, Length::Custom)).unwrap(),
            serde_json::json!(["later", "deny", "custom"])
        );
        assert_eq!(Repeat::parse("absolute_monthly"), Some(Repeat::Monthly));
        assert_eq!(Repeat::parse("hourly"), None);
        assert_eq!(Ends::parse(""), Some(Ends::EndDate));
        assert_eq!(EffectChoice::parse("maybe"), EffectChoice::Allow);
    }
}
