//! Text for the elements whose content Leptos writes to the server's HTML without escaping it.
//!
//! Leptos (tachys) renders the children of `<textarea>`, `<script>`, `<style>` and `<noscript>`
//! verbatim, and `leptos_meta` writes the page title into `<title>` verbatim (upstream escaped
//! textarea children once, leptos-rs/leptos#4730, and reverted it, #4819). Text a person typed, read
//! back from the address or from storage, put there as is, ends the element with `</textarea>` and
//! becomes live markup on the portal's own origin. So:
//! - a `<textarea>`'s starting text and a page title go through [`rcdata`], always;
//! - `<script>`, `<style>` and `<noscript>` never hold anything but literals (the test below reads
//!   every view in the crate and fails on any of these sinks used otherwise).

/// `text` as the content of an element the parser reads as RCDATA (`<textarea>`, `<title>`): on the
/// server, `&`, `<` and `>` become character references, which the browser's parser turns back into
/// exactly `text` (RCDATA decodes references and has no markup). In the browser the text is a DOM text
/// node already, so it is left as it is: escaping there would show the references.
pub fn rcdata(text: impl Into<String>) -> String {
    let text = text.into();
    if cfg!(feature = "ssr") {
        escape(&text)
    } else {
        text
    }
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_and_references_are_escaped_so_the_parser_gives_back_the_same_text() {
        assert_eq!(
            escape("</textarea><b id=x>&lt;<!--"),
            "&lt;/textarea&gt;&lt;b id=x&gt;&amp;lt;&lt;!--"
        );
        assert_eq!(escape("plain text, é ✓"), "plain text, é ✓");
    }

    /// The elements whose children Leptos does not escape, as written in a `view!`.
    const RAW_TEXT_ELEMENTS: [&str; 4] = ["<textarea", "<script", "<style", "<noscript"];

    /// Every `.rs` file of the crate, with its path, read from the source tree.
    fn sources() -> Vec<(std::path::PathBuf, String)> {
        fn walk(dir: &std::path::Path, out: &mut Vec<(std::path::PathBuf, String)>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    walk(&path, out);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    let text = std::fs::read_to_string(&path).unwrap();
                    out.push((path, text));
                }
            }
        }
        let mut out = Vec::new();
        walk(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut out,
        );
        out
    }

    /// The text between `<tag ...>` and `</tag>` for every occurrence of `tag` in `source`.
    fn contents<'a>(source: &'a str, tag: &str) -> Vec<&'a str> {
        let close = format!("</{}>", &tag[1..]);
        let mut found = Vec::new();
        let mut rest = source;
        while let Some(at) = rest.find(tag) {
            let after = &rest[at..];
            // The opening tag ends at the first `>` that closes it (`/>` means no children).
            let Some(open_end) = after.find('>') else {
                break;
            };
            if after[..open_end].ends_with('/') {
                rest = &after[open_end..];
                continue;
            }
            let body = &after[open_end + 1..];
            let end = body.find(&close).unwrap_or(body.len());
            found.push(&body[..end]);
            rest = &body[end..];
        }
        found
    }

    #[test]
    fn no_view_puts_text_in_an_unescaped_element_except_through_rcdata() {
        let mut offenders = Vec::new();
        let mut textareas = 0;
        for (path, source) in sources() {
            // Only files with views: elsewhere such text is data in a test, not markup.
            if path.ends_with("raw_text.rs") || !source.contains("view! {") {
                continue;
            }
            for tag in RAW_TEXT_ELEMENTS {
                for body in contents(&source, tag) {
                    let body = body.trim();
                    let safe = if tag == "<textarea" {
                        textareas += 1;
                        body.is_empty() || (body.starts_with("{rcdata(") && body.ends_with(")}"))
                    } else {
                        // Only a literal, which a person cannot change.
                        body.is_empty() || (body.starts_with('"') && body.ends_with('"'))
                    };
                    if !safe {
                        offenders.push(format!("{}: {tag}>{body}", path.display()));
                    }
                }
            }
            // A title whose text is not a literal goes through `rcdata` too.
            for line in source.lines().filter(|l| l.contains("<Title ")) {
                let literal = line.contains("text=\"");
                let formatted = line.contains("formatter=");
                if !literal && !formatted && !line.contains("rcdata(") {
                    offenders.push(format!("{}: {}", path.display(), line.trim()));
                }
            }
        }
        assert!(textareas > 0, "the scan found the form's textareas");
        assert!(offenders.is_empty(), "raw text sinks: {offenders:#?}");
    }
}
