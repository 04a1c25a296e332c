//! Splits a Graph URL path into segments the OData way: `users(externalId='arn:aws:iam::1:user/bob')`
//! is one segment with a key, even though the key contains slashes.
use std::borrow::Cow;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Key {
    /// `{collection}/{id}` or `{collection}('{id}')`.
    Id(String),
    /// `{collection}(externalId='{externalId}')`.
    ExternalId(String),
    /// Any other named parameter, as functions take them: `filterByCurrentUser(on='createdBy')`.
    Param(String, String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    /// The decoded segment name (for a keyed segment, the part before the parenthesis).
    pub name: String,
    pub key: Option<Key>,
}

impl Segment {
    pub fn is(&self, name: &str) -> bool {
        self.name.eq_ignore_ascii_case(name)
    }
}

/// Splits a raw (percent-encoded) path, keeping quoted key values whole.
pub fn split(raw: &str) -> Result<Vec<Segment>, String> {
    let mut parts: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut in_quote = false;
    let mut rest = raw;
    while let Some(c) = rest.chars().next() {
        // A quote may arrive percent-encoded; it still opens or closes a key value.
        if rest.starts_with("%27") {
            in_quote = !in_quote;
            current.push('\'');
            rest = &rest[3..];
            continue;
        }
        match c {
            '\'' => in_quote = !in_quote,
            '/' if !in_quote => {
                parts.push(std::mem::take(&mut current));
                rest = &rest[1..];
                continue;
            }
            _ => {}
        }
        current.push(c);
        rest = &rest[c.len_utf8()..];
    }
    if in_quote {
        return Err("a quoted key in the path is not closed".into());
    }
    parts.push(current);
    parts
        .into_iter()
        .filter(|p| !p.is_empty())
        .map(|p| {
            let decoded = decode(&p)?;
            parse_segment(&decoded)
        })
        .collect()
}

fn decode(s: &str) -> Result<String, String> {
    let bytes: Cow<'_, [u8]> = percent_decode(s.as_bytes());
    String::from_utf8(bytes.into_owned())
        .map_err(|_| format!("the path segment '{s}' is not valid UTF-8"))
}

fn percent_decode(input: &[u8]) -> Cow<'_, [u8]> {
    if !input.contains(&b'%') {
        return Cow::Borrowed(input);
    }
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        if input[i] == b'%' && i + 2 < input.len() {
            let hex = std::str::from_utf8(&input[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok());
            if let Some(b) = hex {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(input[i]);
        i += 1;
    }
    Cow::Owned(out)
}

fn parse_segment(s: &str) -> Result<Segment, String> {
    let Some(open) = s.find('(') else {
        return Ok(Segment {
            name: s.to_string(),
            key: None,
        });
    };
    if !s.ends_with(')') {
        return Err(format!("the segment '{s}' has an unclosed parenthesis"));
    }
    let name = s[..open].to_string();
    let inner = s[open + 1..s.len() - 1].trim();
    let key = match inner.split_once('=') {
        Some((prop, value)) if prop.trim().eq_ignore_ascii_case("externalId") => {
            Key::ExternalId(unquote(value.trim()))
        }
        Some((prop, value)) if !inner.starts_with('\'') => {
            Key::Param(prop.trim().to_string(), unquote(value.trim()))
        }
        _ => Key::Id(unquote(inner)),
    };
    Ok(Segment {
        name,
        key: Some(key),
    })
}

/// Removes surrounding quotes and undoubles inner ones (`'it''s'` is `it's`). The docs also show the
/// key without quotes (`actions(externalId={externalId})`), which is accepted as is.
fn unquote(v: &str) -> String {
    match v.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')) {
        Some(inner) => inner.replace("''", "'"),
        None => v.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quoted_external_id_keeps_its_slashes() {
        let s = split("/external/authorizationSystems/OTU2/microsoft.graph.awsAuthorizationSystem/associatedIdentities/users(externalId='arn:aws:iam::956987887735:user/bob')").unwrap();
        assert_eq!(s.len(), 6);
        assert_eq!(s[5].name, "users");
        assert_eq!(
            s[5].key,
            Some(Key::ExternalId("arn:aws:iam::956987887735:user/bob".into()))
        );
    }

    #[test]
    fn percent_encoded_quotes_and_slashes_are_understood() {
        let s = split("/roles(externalId=%27projects%2Fp%2Froles%2Fx%27)/a%2Fb").unwrap();
        assert_eq!(s[0].key, Some(Key::ExternalId("projects/p/roles/x".into())));
        assert_eq!(s[1].name, "a/b");
    }

    #[test]
    fn an_unquoted_key_and_a_parenthesised_id_are_accepted() {
        let s = split("/actions(externalId=ec2:DeleteRoute)/systems('abc')").unwrap();
        assert_eq!(s[0].key, Some(Key::ExternalId("ec2:DeleteRoute".into())));
        assert_eq!(s[1].key, Some(Key::Id("abc".into())));
    }

    #[test]
    fn a_function_parameter_is_kept_by_name() {
        let s = split("/scheduledPermissionsRequests/filterByCurrentUser(on='createdBy')").unwrap();
        assert_eq!(s[1].key, Some(Key::Param("on".into(), "createdBy".into())));
    }

    #[test]
    fn an_unclosed_quote_is_an_error() {
        assert!(split("/users(externalId='bob)").is_err());
    }
}
