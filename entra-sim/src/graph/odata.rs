//! OData query options and server-driven paging: `$filter`, `$orderby`, `$select`, `$top`, `$skip`,
//! `$count`, and `@odata.nextLink` with an opaque `$skiptoken` that keeps the other options.
use std::cmp::Ordering;

use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde_json::{json, Map, Value};

use super::error::GraphError;
use super::filter::{self, compare_strings, Expr};
use super::Ctx;
use crate::util::query_escape;

/// A single entity takes `$select` (and `$expand`) only.
pub const ENTITY: Supports = Supports {
    filter: &[],
    orderby: &[],
};

/// Graph's usual ceiling on `$top`.
const MAX_TOP: usize = 999;

/// What one collection supports: filterable properties (with aliases) and sortable ones.
pub struct Supports {
    /// `(as written in $filter, actual path)`; both lower-case compared. An entry with the same
    /// name on both sides is a plain property.
    pub filter: &'static [(&'static str, &'static str)],
    pub orderby: &'static [&'static str],
}

#[derive(Debug, Default)]
pub struct Options {
    pub filter: Option<Expr>,
    pub orderby: Vec<(Vec<String>, bool)>,
    pub select: Option<Vec<String>>,
    pub top: Option<usize>,
    pub offset: usize,
    pub count: bool,
    /// The query as received, minus paging state, to carry into the next link.
    pub carried: Vec<(String, String)>,
}

pub fn parse(ctx: &Ctx, supports: &Supports) -> Result<Options, GraphError> {
    let raw = ctx.uri.query().unwrap_or_default();
    let mut o = Options::default();
    for (k, v) in url::form_urlencoded::parse(raw.as_bytes()) {
        let (k, v) = (k.into_owned(), v.into_owned());
        let name = k.to_ascii_lowercase();
        // Graph beta accepts system query options without the `$`.
        let name = name.strip_prefix('$').unwrap_or(&name).to_string();
        match name.as_str() {
            "filter" => o.filter = Some(parse_filter(&v, supports)?),
            "orderby" => o.orderby = parse_orderby(&v, supports)?,
            "select" => {
                o.select = Some(
                    v.split(',')
                        .map(|s| s.trim().to_string())
                        .filter(|s| !s.is_empty())
                        .collect(),
                )
            }
            "top" => {
                let n: usize = v.parse().map_err(|_| {
                    GraphError::invalid_request(format!(
                        "Invalid value '{v}' for $top: it must be a positive integer."
                    ))
                })?;
                if n == 0 {
                    return Err(GraphError::invalid_request(
                        "Invalid value '0' for $top: it must be at least 1.",
                    ));
                }
                o.top = Some(n.min(MAX_TOP));
            }
            "skip" => {
                o.offset = v.parse().map_err(|_| {
                    GraphError::invalid_request(format!("Invalid value '{v}' for $skip."))
                })?;
                continue;
            }
            "skiptoken" => {
                o.offset = decode_skiptoken(&v)?;
                continue;
            }
            "count" => match v.to_ascii_lowercase().as_str() {
                "true" => o.count = true,
                "false" => o.count = false,
                _ => {
                    return Err(GraphError::invalid_request(format!(
                        "Invalid value '{v}' for $count: use true or false."
                    )))
                }
            },
            "expand" => {}
            "search" => {
                return Err(GraphError::new(
                    axum::http::StatusCode::BAD_REQUEST,
                    "BadRequest",
                    "$search is not supported on this collection.",
                ))
            }
            _ if k.starts_with('$') => {
                return Err(GraphError::invalid_request(format!(
                    "The query option '{k}' is not supported."
                )))
            }
            _ => {}
        }
        o.carried.push((k, v));
    }
    Ok(o)
}

fn parse_filter(v: &str, supports: &Supports) -> Result<Expr, GraphError> {
    let expr = filter::parse(v)
        .map_err(|e| GraphError::invalid_request(format!("Invalid $filter: {e}.")))?;
    for p in expr.paths() {
        let joined = p.join("/");
        if !supports
            .filter
            .iter()
            .any(|(alias, _)| alias.eq_ignore_ascii_case(&joined))
        {
            let names: Vec<&str> = supports.filter.iter().map(|(a, _)| *a).collect();
            return Err(GraphError::invalid_request(format!(
                "Invalid $filter: filtering on '{joined}' is not supported here. Supported: {}.",
                if names.is_empty() {
                    "none".to_string()
                } else {
                    names.join(", ")
                }
            )));
        }
    }
    Ok(expr.map_paths(&|p: Vec<String>| {
        let joined = p.join("/");
        match supports
            .filter
            .iter()
            .find(|(alias, _)| alias.eq_ignore_ascii_case(&joined))
        {
            Some((_, real)) => real.split('/').map(str::to_string).collect(),
            None => p,
        }
    }))
}

fn parse_orderby(v: &str, supports: &Supports) -> Result<Vec<(Vec<String>, bool)>, GraphError> {
    v.split(',')
        .map(|part| {
            let mut words = part.split_whitespace();
            let prop = words
                .next()
                .ok_or_else(|| GraphError::invalid_request("Invalid $orderby: empty clause."))?;
            let desc = match words.next().map(str::to_ascii_lowercase).as_deref() {
                None | Some("asc") => false,
                Some("desc") => true,
                Some(other) => {
                    return Err(GraphError::invalid_request(format!(
                        "Invalid $orderby direction '{other}'."
                    )))
                }
            };
            if !supports
                .orderby
                .iter()
                .any(|p| p.eq_ignore_ascii_case(prop))
            {
                return Err(GraphError::invalid_request(format!(
                    "Invalid $orderby: sorting by '{prop}' is not supported here. Supported: {}.",
                    if supports.orderby.is_empty() {
                        "none".to_string()
                    } else {
                        supports.orderby.join(", ")
                    }
                )));
            }
            Ok((prop.split('/').map(str::to_string).collect(), desc))
        })
        .collect()
}

/// Skip tokens are base64url of the offset: opaque to clients, and the docs' own `MQ` decodes to `1`.
fn encode_skiptoken(offset: usize) -> String {
    URL_SAFE_NO_PAD.encode(offset.to_string())
}

fn decode_skiptoken(t: &str) -> Result<usize, GraphError> {
    URL_SAFE_NO_PAD
        .decode(t.trim_end_matches('='))
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| {
            GraphError::invalid_request(
                "The $skiptoken is not valid; follow @odata.nextLink as given.",
            )
        })
}

impl Options {
    /// Keeps the items the filter matches, in the requested order.
    pub fn apply<'a>(&self, items: impl Iterator<Item = &'a Value>) -> Vec<&'a Value> {
        let mut out: Vec<&Value> = match &self.filter {
            Some(f) => items.filter(|v| f.matches(v)).collect(),
            None => items.collect(),
        };
        if !self.orderby.is_empty() {
            out.sort_by(|a, b| {
                for (path, desc) in &self.orderby {
                    let ord = order_values(filter::lookup(a, path), filter::lookup(b, path));
                    let ord = if *desc { ord.reverse() } else { ord };
                    if ord != Ordering::Equal {
                        return ord;
                    }
                }
                Ordering::Equal
            });
        }
        out
    }
}

fn order_values(a: Option<&Value>, b: Option<&Value>) -> Ordering {
    match (a, b) {
        (Some(Value::String(x)), Some(Value::String(y))) => compare_strings(x, y),
        (Some(Value::Number(x)), Some(Value::Number(y))) => x
            .as_f64()
            .partial_cmp(&y.as_f64())
            .unwrap_or(Ordering::Equal),
        (None | Some(Value::Null), Some(_)) => Ordering::Less,
        (Some(_), None | Some(Value::Null)) => Ordering::Greater,
        _ => Ordering::Equal,
    }
}

/// `$select`: the chosen properties, plus `id` and `@odata.type`, which Graph always returns.
pub fn project(v: &Value, select: &Option<Vec<String>>) -> Value {
    let (Some(select), Value::Object(obj)) = (select, v) else {
        return v.clone();
    };
    let keep = |k: &str| {
        k == "id" || k == "@odata.type" || select.iter().any(|s| s.eq_ignore_ascii_case(k))
    };
    Value::Object(
        obj.iter()
            .filter(|(k, _)| keep(k))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
    )
}

/// One page of a collection with its context, count and next link.
pub fn page(ctx: &Ctx, opts: &Options, items: &[&Value], context: &str) -> Response {
    page_of(
        ctx,
        opts,
        items.len(),
        |range| items[range].iter().map(|v| (*v).clone()).collect(),
        context,
    )
}

/// [`page`] for a collection of `total` items of which only the page asked for is made, by `items`
/// (given the page's range), when building them all would cost too much.
pub fn page_of(
    ctx: &Ctx,
    opts: &Options,
    total: usize,
    items: impl FnOnce(std::ops::Range<usize>) -> Vec<Value>,
    context: &str,
) -> Response {
    let page_size = opts.top.unwrap_or(ctx.app.cfg.page_size).max(1);
    let start = opts.offset.min(total);
    let end = start.saturating_add(page_size).min(total);
    let mut body = Map::new();
    body.insert(
        "@odata.context".into(),
        json!(format!("{}/$metadata#{context}", ctx.graph_base())),
    );
    if opts.count {
        body.insert("@odata.count".into(), json!(total));
    }
    let value: Vec<Value> = items(start..end)
        .iter()
        .map(|v| project(v, &opts.select))
        .collect();
    body.insert("value".into(), Value::Array(value));
    if end < total {
        body.insert("@odata.nextLink".into(), json!(next_link(ctx, opts, end)));
    }
    Json(Value::Object(body)).into_response()
}

fn next_link(ctx: &Ctx, opts: &Options, offset: usize) -> String {
    let mut q: Vec<String> = opts
        .carried
        .iter()
        .map(|(k, v)| format!("{}={}", query_escape(k), query_escape(v)))
        .collect();
    q.push(format!("$skiptoken={}", encode_skiptoken(offset)));
    format!("{}{}?{}", ctx.app.base_url, ctx.uri.path(), q.join("&"))
}

/// A single entity at top level with its `$entity` context (the docs sometimes wrap it in `value`;
/// Graph does not, and clients are told to accept both).
pub fn entity(ctx: &Ctx, v: &Value, context: &str, select: &Option<Vec<String>>) -> Response {
    let mut out = Map::new();
    out.insert(
        "@odata.context".into(),
        json!(format!("{}/$metadata#{context}/$entity", ctx.graph_base())),
    );
    if let Value::Object(obj) = project(v, select) {
        out.extend(obj);
    }
    Json(Value::Object(out)).into_response()
}

/// A single entity's response after reading its query options (`$select`).
pub fn entity_response(ctx: &Ctx, v: &Value, context: &str) -> Result<Response, GraphError> {
    let opts = parse(ctx, &ENTITY)?;
    Ok(entity(ctx, v, context, &opts.select))
}

/// `/$count`: the number of matching items as plain text.
pub fn count(items: &[&Value]) -> Response {
    count_of(items.len())
}

/// `$count` of a collection of `total` items.
pub fn count_of(total: usize) -> Response {
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; charset=utf-8",
        )],
        total.to_string(),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skiptokens_round_trip_and_match_the_docs_example() {
        assert_eq!(encode_skiptoken(1), "MQ");
        assert_eq!(decode_skiptoken("MQ").unwrap(), 1);
        assert_eq!(decode_skiptoken(&encode_skiptoken(12345)).unwrap(), 12345);
        assert!(decode_skiptoken("!!").is_err());
    }
}
