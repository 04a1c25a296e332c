//! Free text people write on a request: the required `Justification` and the optional `Notes`.
//!
//! Both are trimmed, keep line breaks (`\r\n` becomes `\n`) and tabs, and refuse other control
//! characters and the Unicode bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069),
//! which can make text in the audit history read differently from what it says. Lengths count
//! characters (Unicode scalar values), not bytes.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Which text field a message is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TextField {
    Justification,
    Notes,
}

impl fmt::Display for TextField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TextField::Justification => "Justification",
            TextField::Notes => "Notes",
        })
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TextError {
    #[error("Justification is required: say why you need this access")]
    JustificationMissing,
    #[error("{field} is too short: write at least {min} characters (it has {actual})")]
    TooShort {
        field: TextField,
        min: usize,
        /// Older errors on the wire have none.
        #[serde(default)]
        actual: usize,
    },
    #[error("{field} must be at most {max} characters (it has {actual})")]
    TooLong {
        field: TextField,
        max: usize,
        actual: usize,
    },
    #[error("{field} cannot contain control or text-direction characters")]
    ForbiddenCharacter { field: TextField },
}

string_newtype! {
    /// Why the person needs the access: required, 10 to 1000 characters once trimmed. Ten characters
    /// is enough for a real reason ("Fix INC123"), short enough to refuse "asdf" and ".".
    pub struct Justification(String): TextError;
}

impl Justification {
    pub const MIN_CHARS: usize = 10;
    pub const MAX_CHARS: usize = 1000;

    pub fn parse(input: &str) -> Result<Self, TextError> {
        let field = TextField::Justification;
        let text = clean(input, field)?;
        if text.is_empty() {
            return Err(TextError::JustificationMissing);
        }
        check_length(&text, field, Self::MIN_CHARS, Self::MAX_CHARS)?;
        Ok(Justification(text))
    }
}

string_newtype! {
    /// Anything else the approver should know: optional, at most 2000 characters once trimmed. Blank
    /// input means no notes, so `parse` gives `None` for it.
    pub struct Notes(String): TextError, read Notes::read_stored;
}

impl Notes {
    pub const MAX_CHARS: usize = 2000;

    pub fn parse(input: &str) -> Result<Option<Self>, TextError> {
        let field = TextField::Notes;
        let text = clean(input, field)?;
        if text.is_empty() {
            return Ok(None);
        }
        check_length(&text, field, 1, Self::MAX_CHARS)?;
        Ok(Some(Notes(text)))
    }

    /// Stored notes are never blank (blank means `None`), so a blank one coming in is too short.
    fn read_stored(value: String) -> Result<Self, TextError> {
        Notes::parse(&value)?.ok_or(TextError::TooShort {
            field: TextField::Notes,
            min: 1,
            actual: 0,
        })
    }
}

fn clean(input: &str, field: TextField) -> Result<String, TextError> {
    let text = input.replace("\r\n", "\n");
    let forbidden = |c: char| {
        (c.is_control() && c != '\n' && c != '\t')
            || ('\u{202A}'..='\u{202E}').contains(&c)
            || ('\u{2066}'..='\u{2069}').contains(&c)
    };
    if text.chars().any(forbidden) {
        return Err(TextError::ForbiddenCharacter { field });
    }
    Ok(text.trim().to_owned())
}

fn check_length(text: &str, field: TextField, min: usize, max: usize) -> Result<(), TextError> {
    let actual = text.chars().count();
    if actual < min {
        Err(TextError::TooShort { field, min, actual })
    } else if actual > max {
        Err(TextError::TooLong { field, max, actual })
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_justification_is_trimmed() {
        let j = Justification::parse("  I need to fix INC1234567 \n").unwrap();
        assert_eq!(j.as_str(), "I need to fix INC1234567");
    }

    #[test]
    fn a_missing_justification_is_refused_with_a_request_to_explain() {
        for blank in ["", "   ", "\n\t"] {
            assert_eq!(
                Justification::parse(blank),
                Err(TextError::JustificationMissing)
            );
        }
        assert_eq!(
            TextError::JustificationMissing.to_string(),
            "Justification is required: say why you need this access"
        );
    }

    #[test]
    fn a_justification_must_be_between_ten_and_a_thousand_characters() {
        assert_eq!(
            Justification::parse("too short"),
            Err(TextError::TooShort {
                field: TextField::Justification,
                min: 10,
                actual: 9
            })
        );
        assert!(Justification::parse("Fix INC123").is_ok());
        assert!(Justification::parse(&"é".repeat(1000)).is_ok());
        let err = Justification::parse(&"x".repeat(1001)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Justification must be at most 1000 characters (it has 1001)"
        );
    }

    #[test]
    fn a_justification_that_is_too_short_says_so_and_how_long_it_must_be() {
        assert_eq!(
            Justification::parse("short").unwrap_err().to_string(),
            "Justification is too short: write at least 10 characters (it has 5)"
        );
    }

    #[test]
    fn line_breaks_and_tabs_are_kept_and_windows_line_ends_normalised() {
        let j = Justification::parse("First line\r\nsecond\tline").unwrap();
        assert_eq!(j.as_str(), "First line\nsecond\tline");
    }

    #[test]
    fn control_and_direction_override_characters_are_refused() {
        for bad in [
            "Fix the thing\u{0007} please",
            "Fix the thing\u{202E}gnp.exe",
            "Fix the thing \u{2066}now\u{2069}",
            "Fix the thing\u{0000}",
        ] {
            assert_eq!(
                Justification::parse(bad),
                Err(TextError::ForbiddenCharacter {
                    field: TextField::Justification
                })
            );
        }
    }

    #[test]
    fn blank_notes_mean_no_notes() {
        assert_eq!(Notes::parse("  ").unwrap(), None);
        assert_eq!(
            Notes::parse(" Please ").unwrap().unwrap().as_str(),
            "Please"
        );
    }

    #[test]
    fn notes_are_bounded_and_checked_like_justifications() {
        assert!(Notes::parse(&"n".repeat(2000)).is_ok());
        assert_eq!(
            Notes::parse(&"n".repeat(2001)),
            Err(TextError::TooLong {
                field: TextField::Notes,
                max: 2000,
                actual: 2001
            })
        );
        assert_eq!(
            Notes::parse("bell\u{0007}"),
            Err(TextError::ForbiddenCharacter {
                field: TextField::Notes
            })
        );
    }

    #[test]
    fn deserialization_validates_and_serialization_gives_the_text() {
        let j: Justification = serde_json::from_str("\"  Need access for INC1234567 \"").unwrap();
        assert_eq!(
            serde_json::to_string(&j).unwrap(),
            "\"Need access for INC1234567\""
        );
        assert!(serde_json::from_str::<Justification>("\"short\"").is_err());
        assert!(serde_json::from_str::<Notes>("\"   \"").is_err());
        assert_eq!(
            serde_json::from_str::<Notes>("\"Please\"")
                .unwrap()
                .to_string(),
            "Please"
        );
    }

    #[test]
    fn text_errors_serialize_with_their_details() {
        let err = TextError::TooShort {
            field: TextField::Justification,
            min: 10,
            actual: 5,
        };
        let json = serde_json::to_string(&err).unwrap();
        assert_eq!(
            json,
            r#"{"kind":"too_short","field":"justification","min":10,"actual":5}"#
        );
        assert_eq!(serde_json::from_str::<TextError>(&json).unwrap(), err);
        let older = r#"{"kind":"too_short","field":"justification","min":10}"#;
        assert!(serde_json::from_str::<TextError>(older).is_ok());
    }
}
