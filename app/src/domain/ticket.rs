//! The ServiceNow ticket a request cites: `TicketPattern` (what numbers the organisation uses, from
//! config), `TicketNumber`, and `TicketInfo` (Graph's `ticketInfo`).
//!
//! Decisions: a ticket number is trimmed and upper-cased (`inc1234567` is `INC1234567`); spaces
//! inside are refused rather than guessed away. A pattern is a list of prefixes and one digit count;
//! an empty prefix means a bare number (`123456`).

use serde::{Deserialize, Serialize};

use super::ids::Upn;

/// The only ticket system the portal knows, as Graph's `ticketSystem` carries it.
pub const TICKET_SYSTEM: &str = "ServiceNow";

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TicketError {
    #[error("Enter the ServiceNow ticket number, such as {example}")]
    Missing { example: String },
    #[error("Ticket number must look like {example}: {rule}")]
    Malformed { example: String, rule: String },
    #[error("Ticket number must be 1 to 32 letters and digits")]
    Shape,
    #[error("The approver cannot be the person who asks: nobody approves their own request")]
    SelfApproval,
}

/// A mistake in the configured ticket pattern (found at startup, not by people filling a form).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TicketPatternError {
    #[error("the ticket pattern needs at least one prefix (an empty prefix means a bare number)")]
    NoPrefixes,
    #[error("ticket prefix {prefix:?} must be at most 10 ASCII letters")]
    BadPrefix { prefix: String },
    #[error("ticket prefix {prefix:?} is listed twice")]
    DuplicatePrefix { prefix: String },
    #[error("a ticket number has 1 to 20 digits, not {digits}")]
    BadDigits { digits: u8 },
}

/// The ticket numbers an organisation accepts: one of `prefixes` followed by exactly `digits` digits.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "TicketPatternConfig", into = "TicketPatternConfig")]
pub struct TicketPattern {
    prefixes: Vec<String>,
    digits: u8,
}

/// The config form of a [`TicketPattern`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketPatternConfig {
    pub prefixes: Vec<String>,
    pub digits: u8,
}

impl TicketPattern {
    pub fn new(prefixes: &[&str], digits: u8) -> Result<Self, TicketPatternError> {
        if prefixes.is_empty() {
            return Err(TicketPatternError::NoPrefixes);
        }
        if !(1..=20).contains(&digits) {
            return Err(TicketPatternError::BadDigits { digits });
        }
        let mut seen: Vec<String> = Vec::new();
        for prefix in prefixes {
            let upper = prefix.trim().to_ascii_uppercase();
            if upper.len() > 10 || !upper.bytes().all(|b| b.is_ascii_uppercase()) {
                return Err(TicketPatternError::BadPrefix {
                    prefix: (*prefix).to_owned(),
                });
            }
            if seen.contains(&upper) {
                return Err(TicketPatternError::DuplicatePrefix { prefix: upper });
            }
            seen.push(upper);
        }
        Ok(Self {
            prefixes: seen,
            digits,
        })
    }

    pub fn prefixes(&self) -> &[String] {
        &self.prefixes
    }

    pub fn digits(&self) -> u8 {
        self.digits
    }

    /// A number that fits, for placeholders and messages: `INC1234567`.
    pub fn example(&self) -> String {
        let prefix = self.prefixes.first().map(String::as_str).unwrap_or("");
        let digits: String = "1234567890"
            .chars()
            .cycle()
            .take(usize::from(self.digits))
            .collect();
        format!("{prefix}{digits}")
    }

    /// The rule in words: "INC, RITM, CHG, REQ or SCTASK followed by 7 digits".
    pub fn rule(&self) -> String {
        let named: Vec<&str> = self
            .prefixes
            .iter()
            .filter(|p| !p.is_empty())
            .map(String::as_str)
            .collect();
        let bare = self.prefixes.iter().any(String::is_empty);
        let digits = format!(
            "{} digit{}",
            self.digits,
            if self.digits == 1 { "" } else { "s" }
        );
        let list = match named.as_slice() {
            [] => String::new(),
            [one] => (*one).to_owned(),
            [init @ .., last] => format!("{} or {last}", init.join(", ")),
        };
        match (named.is_empty(), bare) {
            (true, _) => digits,
            (false, false) => format!("{list} followed by {digits}"),
            (false, true) => format!("{digits}, optionally after {list}"),
        }
    }

    fn matches(&self, number: &str) -> bool {
        self.prefixes.iter().any(|prefix| {
            number.strip_prefix(prefix.as_str()).is_some_and(|rest| {
                rest.len() == usize::from(self.digits) && rest.bytes().all(|b| b.is_ascii_digit())
            })
        })
    }
}

impl Default for TicketPattern {
    /// ServiceNow's usual numbers: INC, RITM, CHG, REQ or SCTASK followed by 7 digits.
    fn default() -> Self {
        Self {
            prefixes: ["INC", "RITM", "CHG", "REQ", "SCTASK"]
                .map(String::from)
                .to_vec(),
            digits: 7,
        }
    }
}

impl TryFrom<TicketPatternConfig> for TicketPattern {
    type Error = TicketPatternError;
    fn try_from(config: TicketPatternConfig) -> Result<Self, Self::Error> {
        let prefixes: Vec<&str> = config.prefixes.iter().map(String::as_str).collect();
        Self::new(&prefixes, config.digits)
    }
}

impl From<TicketPattern> for TicketPatternConfig {
    fn from(pattern: TicketPattern) -> Self {
        Self {
            prefixes: pattern.prefixes,
            digits: pattern.digits,
        }
    }
}

string_newtype! {
    /// A ticket number that matched the organisation's pattern when the person typed it.
    ///
    /// Deserializing cannot know the configured pattern, so it checks only the shape every pattern
    /// allows (1 to 32 upper-case letters and digits): it is for data this portal wrote. Input from
    /// people goes through [`TicketNumber::parse`].
    pub struct TicketNumber(String): TicketError, read TicketNumber::read_stored;
}

impl TicketNumber {
    pub fn parse(input: &str, pattern: &TicketPattern) -> Result<Self, TicketError> {
        let number = input.trim().to_ascii_uppercase();
        if number.is_empty() {
            return Err(TicketError::Missing {
                example: pattern.example(),
            });
        }
        if pattern.matches(&number) {
            Ok(TicketNumber(number))
        } else {
            Err(TicketError::Malformed {
                example: pattern.example(),
                rule: pattern.rule(),
            })
        }
    }

    /// What deserializing checks: the shape every pattern allows.
    fn read_stored(value: String) -> Result<Self, TicketError> {
        let ok = (1..=32).contains(&value.len())
            && value
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
        if ok {
            Ok(TicketNumber(value))
        } else {
            Err(TicketError::Shape)
        }
    }
}

/// A stored ticket number in a list's words: "ticket INC1234567", or "no ticket" (an Entra role
/// whose policy asks for none).
pub fn ticket_words(number: &str) -> String {
    if number.is_empty() {
        "no ticket".to_owned()
    } else {
        format!("ticket {number}")
    }
}

/// Graph's `ticketInfo`: the ticket, who asks (submitter) and who approves (their manager).
///
/// The number is always there for a cloud of Permissions Management, whose form requires it. An
/// Entra role's activation needs one only when the role's PIM policy says so (the form checks it
/// against the policy), so there it may be absent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "TicketInfoParts", into = "TicketInfoParts")]
pub struct TicketInfo {
    number: Option<TicketNumber>,
    submitter: Upn,
    approver: Upn,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
struct TicketInfoParts {
    #[serde(default)]
    number: Option<TicketNumber>,
    submitter: Upn,
    approver: Upn,
}

impl TicketInfo {
    /// Refuses a request whose approver is the submitter.
    pub fn new(number: TicketNumber, submitter: Upn, approver: Upn) -> Result<Self, TicketError> {
        Self::with_number(Some(number), submitter, approver)
    }

    /// As [`TicketInfo::new`], the number optional (an Entra role whose policy asks for none).
    pub fn with_number(
        number: Option<TicketNumber>,
        submitter: Upn,
        approver: Upn,
    ) -> Result<Self, TicketError> {
        if submitter == approver {
            return Err(TicketError::SelfApproval);
        }
        Ok(Self {
            number,
            submitter,
            approver,
        })
    }

    pub fn number(&self) -> Option<&TicketNumber> {
        self.number.as_ref()
    }

    /// The number as stored and shown: empty when there is none.
    pub fn number_text(&self) -> &str {
        self.number.as_ref().map_or("", TicketNumber::as_str)
    }

    /// Always [`TICKET_SYSTEM`].
    pub fn system(&self) -> &'static str {
        TICKET_SYSTEM
    }

    /// Graph's `ticketSubmitterIdentityId`: the requester's UPN.
    pub fn submitter(&self) -> &Upn {
        &self.submitter
    }

    /// Graph's `ticketApproverIdentityId`: the requester's manager's UPN.
    pub fn approver(&self) -> &Upn {
        &self.approver
    }
}

impl TryFrom<TicketInfoParts> for TicketInfo {
    type Error = TicketError;
    fn try_from(parts: TicketInfoParts) -> Result<Self, Self::Error> {
        Self::with_number(parts.number, parts.submitter, parts.approver)
    }
}

impl From<TicketInfo> for TicketInfoParts {
    fn from(info: TicketInfo) -> Self {
        Self {
            number: info.number,
            submitter: info.submitter,
            approver: info.approver,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn default_number(text: &str) -> Result<TicketNumber, TicketError> {
        TicketNumber::parse(text, &TicketPattern::default())
    }

    #[test]
    fn the_default_pattern_accepts_servicenow_numbers() {
        for ok in [
            "INC1234567",
            "RITM0010001",
            "CHG7654321",
            "REQ0000001",
            "SCTASK1234567",
        ] {
            assert_eq!(default_number(ok).unwrap().as_str(), ok);
        }
    }

    #[test]
    fn ticket_numbers_are_trimmed_and_upper_cased() {
        assert_eq!(
            default_number("  inc1234567 ").unwrap().as_str(),
            "INC1234567"
        );
    }

    #[test]
    fn numbers_that_do_not_fit_the_pattern_are_refused_with_an_example() {
        for bad in [
            "INC123456",
            "INC12345678",
            "INC 1234567",
            "PRB1234567",
            "1234567",
            "INC123456A",
            "INCRITM1234567",
        ] {
            assert_eq!(
                default_number(bad),
                Err(TicketError::Malformed {
                    example: "INC1234567".into(),
                    rule: "INC, RITM, CHG, REQ or SCTASK followed by 7 digits".into()
                }),
                "{bad}"
            );
        }
        assert_eq!(
            default_number("x").unwrap_err().to_string(),
            "Ticket number must look like INC1234567: INC, RITM, CHG, REQ or SCTASK followed by 7 digits"
        );
    }

    #[test]
    fn an_empty_ticket_number_asks_for_one() {
        assert_eq!(
            default_number(" ").unwrap_err().to_string(),
            "Enter the ServiceNow ticket number, such as INC1234567"
        );
    }

    #[test]
    fn a_configured_pattern_changes_what_is_accepted_and_the_message() {
        let pattern = TicketPattern::new(&["chg", "PRB"], 5).unwrap();
        assert_eq!(pattern.prefixes(), ["CHG", "PRB"]);
        assert_eq!(pattern.digits(), 5);
        assert!(TicketNumber::parse("PRB12345", &pattern).is_ok());
        assert_eq!(
            TicketNumber::parse("INC1234567", &pattern)
                .unwrap_err()
                .to_string(),
            "Ticket number must look like CHG12345: CHG or PRB followed by 5 digits"
        );
    }

    #[test]
    fn an_empty_prefix_allows_bare_numbers() {
        let bare = TicketPattern::new(&[""], 6).unwrap();
        assert_eq!(bare.example(), "123456");
        assert_eq!(bare.rule(), "6 digits");
        assert_eq!(
            TicketNumber::parse("123456", &bare).unwrap().as_str(),
            "123456"
        );
        assert!(TicketNumber::parse("INC123456", &bare).is_err());

        let either = TicketPattern::new(&["INC", ""], 6).unwrap();
        assert_eq!(either.rule(), "6 digits, optionally after INC");
        assert!(TicketNumber::parse("123456", &either).is_ok());
        assert!(TicketNumber::parse("INC123456", &either).is_ok());
    }

    #[test]
    fn a_bad_pattern_is_refused_at_configuration_time() {
        assert_eq!(
            TicketPattern::new(&[], 7),
            Err(TicketPatternError::NoPrefixes)
        );
        assert_eq!(
            TicketPattern::new(&["INC"], 0),
            Err(TicketPatternError::BadDigits { digits: 0 })
        );
        assert_eq!(
            TicketPattern::new(&["IN C"], 7),
            Err(TicketPatternError::BadPrefix {
                prefix: "IN C".into()
            })
        );
        assert_eq!(
            TicketPattern::new(&["INC", "inc"], 7),
            Err(TicketPatternError::DuplicatePrefix {
                prefix: "INC".into()
            })
        );
    }

    #[test]
    fn a_ticket_pattern_reads_from_config() {
        let pattern: TicketPattern =
            serde_json::from_str(r#"{"prefixes":["INC","RITM"],"digits":7}"#).unwrap();
        assert_eq!(pattern.rule(), "INC or RITM followed by 7 digits");
        assert!(serde_json::from_str::<TicketPattern>(r#"{"prefixes":[],"digits":7}"#).is_err());
    }

    #[test]
    fn deserializing_a_ticket_number_checks_its_shape() {
        let n: TicketNumber = serde_json::from_str("\"INC1234567\"").unwrap();
        assert_eq!(n.as_str(), "INC1234567");
        assert!(serde_json::from_str::<TicketNumber>("\"inc 1\"").is_err());
        assert!(serde_json::from_str::<TicketNumber>("\"\"").is_err());
    }

    fn upn(text: &str) -> Upn {
        Upn::parse(text).unwrap()
    }

    #[test]
    fn ticket_info_carries_servicenow_and_both_people() {
        let info = TicketInfo::new(
            default_number("INC1234567").unwrap(),
            upn("alex@contoso.com"),
            upn("alexmanager@contoso.com"),
        )
        .unwrap();
        assert_eq!(info.system(), "ServiceNow");
        assert_eq!(info.number_text(), "INC1234567");
        assert_eq!(info.submitter().as_str(), "alex@contoso.com");
        assert_eq!(info.approver().as_str(), "alexmanager@contoso.com");
    }

    #[test]
    fn nobody_can_be_their_own_approver_on_a_ticket() {
        let result = TicketInfo::new(
            default_number("INC1234567").unwrap(),
            upn("alex@contoso.com"),
            upn("ALEX@contoso.com"),
        );
        assert_eq!(result, Err(TicketError::SelfApproval));
        let json = r#"{"number":"INC1234567","submitter":"alex@contoso.com","approver":"alex@contoso.com"}"#;
        assert!(serde_json::from_str::<TicketInfo>(json).is_err());
    }
}
