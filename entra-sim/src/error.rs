//! The library's own error type, for failures at start-up or in test helpers (never shown to HTTP clients).
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimError(pub String);

impl SimError {
    pub fn new(msg: impl Into<String>) -> Self {
        Self(msg.into())
    }
}

impl fmt::Display for SimError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SimError {}

impl From<std::io::Error> for SimError {
    fn from(e: std::io::Error) -> Self {
        Self(e.to_string())
    }
}
