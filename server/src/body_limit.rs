//! Request bodies are bounded before a handler reads them. A declared length past the bound is refused
//! at once, without reading a byte of the body; a body sent without one (chunked) is refused as soon as
//! it passes the bound. What gets through is in memory, so the handler reads it without surprises.
use axum::{
    body::Body,
    extract::Request,
    http::{header, HeaderMap},
};
use http_body_util::{BodyExt, LengthLimitError, Limited};

#[derive(Debug, PartialEq, Eq)]
pub enum Refused {
    /// Larger than the bound: 413.
    TooLarge,
    /// The body broke off or was malformed on the wire: 400.
    Unreadable,
}

/// `request` with its body read into memory, if it is at most `max` bytes.
pub async fn buffered(request: Request, max: usize) -> Result<Request, Refused> {
    if declared_length(request.headers()).is_some_and(|length| length > max as u64) {
        return Err(Refused::TooLarge);
    }
    let (parts, body) = request.into_parts();
    match Limited::new(body, max).collect().await {
        Ok(collected) => Ok(Request::from_parts(parts, Body::from(collected.to_bytes()))),
        Err(e) if e.downcast_ref::<LengthLimitError>().is_some() => Err(Refused::TooLarge),
        Err(_) => Err(Refused::Unreadable),
    }
}

fn declared_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(body: &'static str, declared: Option<&str>) -> Request {
        let mut builder = Request::builder().method("POST").uri("/x");
        if let Some(length) = declared {
            builder = builder.header(header::CONTENT_LENGTH, length);
        }
        builder.body(Body::from(body)).unwrap()
    }

    #[tokio::test]
    async fn a_body_within_the_bound_is_kept_whole() {
        let request = buffered(request("abcd", Some("4")), 4).await.unwrap();
        let bytes = axum::body::to_bytes(request.into_body(), usize::MAX)
            .await
            .unwrap();
        assert_eq!(&bytes[..], b"abcd");
    }

    #[tokio::test]
    async fn a_declared_length_past_the_bound_is_refused_without_reading() {
        assert_eq!(
            buffered(request("", Some("1500000")), 1024)
                .await
                .unwrap_err(),
            Refused::TooLarge
        );
    }

    #[tokio::test]
    async fn an_undeclared_body_past_the_bound_is_refused() {
        assert_eq!(
            buffered(request("abcde", None), 4).await.unwrap_err(),
            Refused::TooLarge
        );
    }
}
