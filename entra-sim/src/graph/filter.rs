//! The `$filter` subset Graph documents for these endpoints: `eq`, `ne`, `gt`, `ge`, `lt`, `le`,
//! `contains`/`startswith`/`endswith`, `and`, `or`, `not`, parentheses, and property paths with type
//! casts (`dataCollectionInfo/entitlements/microsoft.graph.entitlementsDataCollection/status`).
use std::cmp::Ordering;

use serde_json::Value;

use crate::util::parse_time;

#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    Str(String),
    Num(f64),
    Bool(bool),
    Null,
    /// Unquoted words such as datetimes (`2023-02-06T12:15:00Z`) or GUIDs.
    Bare(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmp {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Func {
    Contains,
    StartsWith,
    EndsWith,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
    Compare(Vec<String>, Cmp, Literal),
    Call(Func, Vec<String>, String),
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Open,
    Close,
    Comma,
    Str(String),
    Word(String),
}

fn lex(s: &str) -> Result<Vec<Token>, String> {
    let mut out = Vec::new();
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            c if c.is_whitespace() => i += 1,
            '(' => {
                out.push(Token::Open);
                i += 1;
            }
            ')' => {
                out.push(Token::Close);
                i += 1;
            }
            ',' => {
                out.push(Token::Comma);
                i += 1;
            }
            '\'' => {
                let mut lit = String::new();
                i += 1;
                loop {
                    match chars.get(i) {
                        None => return Err("a quoted string in $filter is not closed".into()),
                        Some('\'') if chars.get(i + 1) == Some(&'\'') => {
                            lit.push('\'');
                            i += 2;
                        }
                        Some('\'') => {
                            i += 1;
                            break;
                        }
                        Some(ch) => {
                            lit.push(*ch);
                            i += 1;
                        }
                    }
                }
                out.push(Token::Str(lit));
            }
            _ => {
                let start = i;
                while i < chars.len()
                    && !chars[i].is_whitespace()
                    && !matches!(chars[i], '(' | ')' | ',' | '\'')
                {
                    i += 1;
                }
                out.push(Token::Word(chars[start..i].iter().collect()));
            }
        }
    }
    Ok(out)
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
}

pub fn parse(s: &str) -> Result<Expr, String> {
    let mut p = Parser {
        tokens: lex(s)?,
        pos: 0,
    };
    if p.tokens.is_empty() {
        return Err("$filter is empty".into());
    }
    let e = p.or()?;
    if p.pos != p.tokens.len() {
        return Err(format!("unexpected '{}' in $filter", p.describe(p.pos)));
    }
    Ok(e)
}

impl Parser {
    fn describe(&self, at: usize) -> String {
        match self.tokens.get(at) {
            Some(Token::Open) => "(".into(),
            Some(Token::Close) => ")".into(),
            Some(Token::Comma) => ",".into(),
            Some(Token::Str(s)) => format!("'{s}'"),
            Some(Token::Word(w)) => w.clone(),
            None => "end of expression".into(),
        }
    }

    fn keyword(&mut self, kw: &str) -> bool {
        if matches!(self.tokens.get(self.pos), Some(Token::Word(w)) if w.eq_ignore_ascii_case(kw)) {
            self.pos += 1;
            return true;
        }
        false
    }

    fn expect(&mut self, t: Token) -> Result<(), String> {
        if self.tokens.get(self.pos) == Some(&t) {
            self.pos += 1;
            return Ok(());
        }
        Err(format!(
            "expected '{}' but found '{}' in $filter",
            match t {
                Token::Open => "(",
                Token::Close => ")",
                Token::Comma => ",",
                _ => "?",
            },
            self.describe(self.pos)
        ))
    }

    fn or(&mut self) -> Result<Expr, String> {
        let mut left = self.and()?;
        while self.keyword("or") {
            left = Expr::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, String> {
        let mut left = self.unary()?;
        while self.keyword("and") {
            left = Expr::And(Box::new(left), Box::new(self.unary()?));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Expr, String> {
        if self.keyword("not") {
            return Ok(Expr::Not(Box::new(self.unary()?)));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Expr, String> {
        match self.tokens.get(self.pos).cloned() {
            Some(Token::Open) => {
                self.pos += 1;
                let e = self.or()?;
                self.expect(Token::Close)?;
                Ok(e)
            }
            Some(Token::Word(w)) => {
                self.pos += 1;
                let func = match w.to_ascii_lowercase().as_str() {
                    "contains" => Some(Func::Contains),
                    "startswith" => Some(Func::StartsWith),
                    "endswith" => Some(Func::EndsWith),
                    _ => None,
                };
                if let (Some(f), Some(Token::Open)) = (func, self.tokens.get(self.pos)) {
                    self.pos += 1;
                    let path = match self.tokens.get(self.pos).cloned() {
                        Some(Token::Word(p)) => p,
                        _ => return Err(format!("{w}() needs a property as its first argument")),
                    };
                    self.pos += 1;
                    self.expect(Token::Comma)?;
                    let arg = match self.tokens.get(self.pos).cloned() {
                        Some(Token::Str(s)) => s,
                        _ => {
                            return Err(format!(
                                "{w}() needs a quoted string as its second argument"
                            ))
                        }
                    };
                    self.pos += 1;
                    self.expect(Token::Close)?;
                    return Ok(Expr::Call(f, split_path(&path), arg));
                }
                let op = match self.tokens.get(self.pos) {
                    Some(Token::Word(op)) => op.to_ascii_lowercase(),
                    _ => return Err(format!("expected an operator after '{w}' in $filter")),
                };
                let cmp = match op.as_str() {
                    "eq" => Cmp::Eq,
                    "ne" => Cmp::Ne,
                    "gt" => Cmp::Gt,
                    "ge" => Cmp::Ge,
                    "lt" => Cmp::Lt,
                    "le" => Cmp::Le,
                    other => {
                        return Err(format!(
                            "the operator '{other}' is not supported in $filter"
                        ))
                    }
                };
                self.pos += 1;
                let lit = match self.tokens.get(self.pos).cloned() {
                    Some(Token::Str(s)) => Literal::Str(s),
                    Some(Token::Word(v)) => match v.as_str() {
                        "null" => Literal::Null,
                        "true" => Literal::Bool(true),
                        "false" => Literal::Bool(false),
                        _ => v
                            .parse::<f64>()
                            .map(Literal::Num)
                            .unwrap_or(Literal::Bare(v)),
                    },
                    _ => return Err(format!("expected a value after '{w} {op}' in $filter")),
                };
                self.pos += 1;
                Ok(Expr::Compare(split_path(&w), cmp, lit))
            }
            _ => Err(format!(
                "unexpected '{}' in $filter",
                self.describe(self.pos)
            )),
        }
    }
}

fn split_path(p: &str) -> Vec<String> {
    p.split('/').map(str::to_string).collect()
}

impl Expr {
    /// Every property path the expression uses, for checking against what an endpoint supports.
    pub fn paths(&self) -> Vec<&[String]> {
        match self {
            Expr::And(a, b) | Expr::Or(a, b) => {
                let mut v = a.paths();
                v.extend(b.paths());
                v
            }
            Expr::Not(e) => e.paths(),
            Expr::Compare(p, _, _) | Expr::Call(_, p, _) => vec![p.as_slice()],
        }
    }

    /// Replaces paths through `f` (used for aliases such as the docs' `type` for `awsPolicyType`).
    pub fn map_paths(self, f: &impl Fn(Vec<String>) -> Vec<String>) -> Expr {
        match self {
            Expr::And(a, b) => Expr::And(Box::new(a.map_paths(f)), Box::new(b.map_paths(f))),
            Expr::Or(a, b) => Expr::Or(Box::new(a.map_paths(f)), Box::new(b.map_paths(f))),
            Expr::Not(e) => Expr::Not(Box::new(e.map_paths(f))),
            Expr::Compare(p, c, l) => Expr::Compare(f(p), c, l),
            Expr::Call(fun, p, a) => Expr::Call(fun, f(p), a),
        }
    }

    pub fn matches(&self, v: &Value) -> bool {
        match self {
            Expr::And(a, b) => a.matches(v) && b.matches(v),
            Expr::Or(a, b) => a.matches(v) || b.matches(v),
            Expr::Not(e) => !e.matches(v),
            Expr::Compare(path, cmp, lit) => {
                let found = lookup(v, path);
                match found {
                    // A collection property matches when any member does (`resourceTypes eq 'bucket'`).
                    Some(Value::Array(items)) => items.iter().any(|i| compare(Some(i), *cmp, lit)),
                    other => compare(other, *cmp, lit),
                }
            }
            Expr::Call(f, path, arg) => match lookup(v, path) {
                Some(Value::String(s)) => call(*f, s, arg),
                Some(Value::Array(items)) => items
                    .iter()
                    .any(|i| i.as_str().is_some_and(|s| call(*f, s, arg))),
                _ => false,
            },
        }
    }
}

fn call(f: Func, s: &str, arg: &str) -> bool {
    // Graph compares these case-insensitively (`contains(authorizationSystemName, 'cloud')`).
    let (s, arg) = (s.to_lowercase(), arg.to_lowercase());
    match f {
        Func::Contains => s.contains(&arg),
        Func::StartsWith => s.starts_with(&arg),
        Func::EndsWith => s.ends_with(&arg),
    }
}

/// Follows a property path. Names match case-insensitively; a `microsoft.graph.x` segment is a type
/// cast that yields nothing unless the value is of that type.
pub fn lookup<'a>(v: &'a Value, path: &[String]) -> Option<&'a Value> {
    let mut cur = v;
    for seg in path {
        if let Some(cast) = seg.strip_prefix("microsoft.graph.") {
            let ty = cur
                .get("@odata.type")
                .and_then(Value::as_str)
                .unwrap_or_default();
            if !crate::util::odata_type_name(ty).eq_ignore_ascii_case(cast) {
                return None;
            }
            continue;
        }
        let obj = cur.as_object()?;
        cur = obj.get(seg.as_str()).or_else(|| {
            obj.iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(seg))
                .map(|(_, v)| v)
        })?;
    }
    Some(cur)
}

fn compare(found: Option<&Value>, cmp: Cmp, lit: &Literal) -> bool {
    let ord = match (found, lit) {
        (None | Some(Value::Null), Literal::Null) => Some(Ordering::Equal),
        (None | Some(Value::Null), _) | (_, Literal::Null) => None,
        (Some(Value::String(s)), Literal::Str(l) | Literal::Bare(l)) => Some(compare_strings(s, l)),
        (Some(Value::Number(n)), Literal::Num(l)) => n.as_f64().and_then(|n| n.partial_cmp(l)),
        (Some(Value::Bool(b)), Literal::Bool(l)) => Some(b.cmp(l)),
        _ => None,
    };
    match (ord, cmp) {
        (Some(o), Cmp::Eq) => o == Ordering::Equal,
        (Some(o), Cmp::Ne) => o != Ordering::Equal,
        (None, Cmp::Ne) => true,
        (None, _) => false,
        (Some(o), Cmp::Gt) => o == Ordering::Greater,
        (Some(o), Cmp::Ge) => o != Ordering::Less,
        (Some(o), Cmp::Lt) => o == Ordering::Less,
        (Some(o), Cmp::Le) => o != Ordering::Greater,
    }
}

/// Datetimes compare as instants; other strings case-insensitively (enum values and names such as
/// `'aws'` against `"AWS"`, as the docs' own examples require).
pub fn compare_strings(a: &str, b: &str) -> Ordering {
    if let (Some(x), Some(y)) = (parse_time(a), parse_time(b)) {
        return x.cmp(&y);
    }
    a.to_lowercase().cmp(&b.to_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn m(filter: &str, v: &Value) -> bool {
        parse(filter).unwrap().matches(v)
    }

    #[test]
    fn the_documented_authorization_system_filters_work() {
        let v = json!({
            "authorizationSystemName": "Contoso Cloud", "authorizationSystemType": "AWS",
            "dataCollectionInfo": { "entitlements": { "@odata.type": "#microsoft.graph.entitlementsDataCollection",
                "status": "online", "permissionsModificationCapability": "enabled" } }
        });
        assert!(m("contains(authorizationSystemName, 'cloud')", &v));
        assert!(m("authorizationSystemType eq 'aws'", &v));
        assert!(m("dataCollectionInfo/entitlements/microsoft.graph.entitlementsDataCollection/permissionsModificationCapability eq 'enabled' and dataCollectionInfo/entitlements/microsoft.graph.entitlementsDataCollection/status eq 'online'", &v));
        assert!(!m("dataCollectionInfo/entitlements/microsoft.graph.noEntitlementsDataCollection/status eq 'online'", &v));
        assert!(!m(
            "authorizationSystemType eq 'gcp' or not (authorizationSystemType eq 'aws')",
            &v
        ));
    }

    #[test]
    fn datetimes_compare_as_instants_quoted_or_not() {
        let v = json!({ "modificationDateTime": "2023-02-06T12:15:00.0000000Z" });
        assert!(m("modificationDateTime gt 2023-02-06T12:14:59Z", &v));
        assert!(!m("modificationDateTime gt 2023-02-06T12:15:00Z", &v));
        assert!(m("modificationDateTime ge '2023-02-06T12:15:00Z'", &v));
    }

    #[test]
    fn collection_properties_match_on_any_member_and_nested_paths_work() {
        let v =
            json!({ "resourceTypes": ["route-table", "prefix-list"], "service": { "id": "ec2" } });
        assert!(m(
            "resourceTypes eq 'prefix-list' and service/id eq 'ec2'",
            &v
        ));
        assert!(m("contains(resourceTypes, 'route')", &v));
    }

    #[test]
    fn malformed_filters_are_explained() {
        for bad in [
            "",
            "a eq",
            "a foo 'b'",
            "contains(a)",
            "(a eq 'b'",
            "a eq 'b' extra",
            "a eq 'unclosed",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn quotes_inside_strings_are_doubled() {
        assert!(m(
            "displayName eq 'it''s'",
            &json!({ "displayName": "it's" })
        ));
    }
}
