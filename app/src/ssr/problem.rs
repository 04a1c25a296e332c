//! The page people see when a plain route refuses or fails: what happened in words they can act on,
//! a way forward, and a reference that matches the log line. Never the internal cause.
use askama::Template;
use axum::{
    http::StatusCode,
    response::{Html, IntoResponse, Response},
};

#[derive(Template)]
#[template(path = "problem.html")]
struct ProblemPage<'a> {
    title: &'a str,
    message: &'a str,
    action: Option<(&'a str, &'a str)>,
    reference: &'a str,
}

pub struct Problem {
    pub status: StatusCode,
    pub title: &'static str,
    pub message: String,
    pub action: Option<(String, &'static str)>,
    /// What the person can quote; a fresh one when the failure has none of its own.
    pub reference: Option<String>,
}

impl Problem {
    pub fn new(status: StatusCode, title: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            title,
            message: message.into(),
            action: None,
            reference: None,
        }
    }

    pub fn with_action(mut self, href: impl Into<String>, label: &'static str) -> Self {
        self.action = Some((href.into(), label));
        self
    }

    pub fn with_reference(mut self, reference: impl Into<String>) -> Self {
        self.reference = Some(reference.into());
        self
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let reference = self
            .reference
            .clone()
            .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
        tracing::info!(status = %self.status, title = self.title, %reference, "problem page");
        let page = ProblemPage {
            title: self.title,
            message: &self.message,
            action: self
                .action
                .as_ref()
                .map(|(href, label)| (href.as_str(), *label)),
            reference: &reference,
        };
        match page.render() {
            Ok(html) => (self.status, Html(html)).into_response(),
            Err(e) => {
                tracing::error!(error = %e, "problem page did not render");
                (self.status, self.message).into_response()
            }
        }
    }
}
