//! A small scanner for the tags in an author's raw HTML, enough to rewrite the `src`/`href` of
//! `<img>` and `<a>` to asset and lesson URLs and to drop iframes that are not allowed. It
//! decides policy only; safety comes from the sanitiser that runs afterwards on everything, so
//! a tag this scanner misreads can at worst keep a broken URL, never run script.

use std::ops::Range;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Attr {
    pub(crate) name: String,
    /// Entity-decoded value.
    pub(crate) value: Option<String>,
    /// The whole attribute, name to end of value, in the scanned text.
    pub(crate) range: Range<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Tag {
    /// Lowercase tag name.
    pub(crate) name: String,
    pub(crate) closing: bool,
    /// From `<` to just after `>`.
    pub(crate) range: Range<usize>,
    /// Where to insert a new attribute: before `>` or `/>`.
    pub(crate) insert_at: usize,
    pub(crate) attrs: Vec<Attr>,
}

impl Tag {
    pub(crate) fn attr(&self, name: &str) -> Option<&Attr> {
        self.attrs.iter().find(|a| a.name == name)
    }
}

/// Every start and end tag in `html`, in order. Comments are skipped; an unterminated tag ends
/// the scan.
pub(crate) fn scan_tags(html: &str) -> Vec<Tag> {
    let bytes = html.as_bytes();
    let mut tags = Vec::new();
    let mut i = 0;
    while let Some(rel) = html.get(i..).and_then(|s| s.find('<')) {
        let start = i + rel;
        let rest = html.get(start..).unwrap_or_default();
        if rest.starts_with("<!--") {
            match rest.find("-->") {
                Some(end) => {
                    i = start + end + 3;
                    continue;
                }
                None => break,
            }
        }
        let closing = rest.starts_with("</");
        let name_start = start + if closing { 2 } else { 1 };
        let name_len = html
            .get(name_start..)
            .unwrap_or_default()
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || *b == b'-')
            .count();
        if name_len == 0 || !bytes.get(name_start).is_some_and(u8::is_ascii_alphabetic) {
            i = start + 1;
            continue;
        }
        let name = html
            .get(name_start..name_start + name_len)
            .unwrap_or_default()
            .to_ascii_lowercase();
        match scan_attributes(html, name_start + name_len) {
            Some((attrs, insert_at, end)) => {
                tags.push(Tag {
                    name,
                    closing,
                    range: start..end,
                    insert_at,
                    attrs,
                });
                i = end;
            }
            None => break,
        }
    }
    tags
}

/// Attributes from `pos` to the closing `>`: (attributes, insert position, end after `>`).
fn scan_attributes(html: &str, mut pos: usize) -> Option<(Vec<Attr>, usize, usize)> {
    let bytes = html.as_bytes();
    let mut attrs = Vec::new();
    loop {
        while bytes.get(pos).is_some_and(|b| b.is_ascii_whitespace()) {
            pos += 1;
        }
        match bytes.get(pos)? {
            b'>' => return Some((attrs, pos, pos + 1)),
            b'/' if bytes.get(pos + 1) == Some(&b'>') => return Some((attrs, pos, pos + 2)),
            b'/' => {
                pos += 1;
                continue;
            }
            _ => {}
        }
        let name_start = pos;
        while bytes
            .get(pos)
            .is_some_and(|b| !b.is_ascii_whitespace() && !matches!(b, b'=' | b'>' | b'/'))
        {
            pos += 1;
        }
        if pos == name_start {
            // A stray '=' or similar: skip it.
            pos += 1;
            continue;
        }
        let name = html.get(name_start..pos)?.to_ascii_lowercase();
        let mut look = pos;
        while bytes.get(look).is_some_and(|b| b.is_ascii_whitespace()) {
            look += 1;
        }
        if bytes.get(look) != Some(&b'=') {
            attrs.push(Attr {
                name,
                value: None,
                range: name_start..pos,
            });
            continue;
        }
        pos = look + 1;
        while bytes.get(pos).is_some_and(|b| b.is_ascii_whitespace()) {
            pos += 1;
        }
        let (raw, end) = match bytes.get(pos)? {
            q @ (b'"' | b'\'') => {
                let close = html.get(pos + 1..)?.find(char::from(*q))? + pos + 1;
                (html.get(pos + 1..close)?, close + 1)
            }
            _ => {
                let vstart = pos;
                while bytes
                    .get(pos)
                    .is_some_and(|b| !b.is_ascii_whitespace() && *b != b'>')
                {
                    pos += 1;
                }
                (html.get(vstart..pos)?, pos)
            }
        };
        attrs.push(Attr {
            name,
            value: Some(decode_entities(raw)),
            range: name_start..end,
        });
        pos = end;
    }
}

/// Decodes the character references authors put in URLs (`&amp;`, `&#47;`, `&#x2F;`, …).
pub(crate) fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(rest.get(..amp).unwrap_or_default());
        let tail = rest.get(amp..).unwrap_or_default();
        let semi = tail.find(';').filter(|i| *i <= 10);
        let decoded = semi.and_then(|semi| {
            let entity = tail.get(1..semi)?;
            let c = match entity {
                "amp" => '&',
                "lt" => '<',
                "gt" => '>',
                "quot" => '"',
                "apos" => '\'',
                "nbsp" => '\u{a0}',
                _ => {
                    let num = entity.strip_prefix('#')?;
                    let code = match num.strip_prefix(['x', 'X']) {
                        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                        None => num.parse().ok()?,
                    };
                    char::from_u32(code)?
                }
            };
            Some((c, semi + 1))
        });
        match decoded {
            Some((c, used)) => {
                out.push(c);
                rest = tail.get(used..).unwrap_or_default();
            }
            None => {
                out.push('&');
                rest = tail.get(1..).unwrap_or_default();
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scans_tags_and_attributes() {
        let html = r#"<p>x <img src="gambar/a&amp;b.png" alt='A > B' width=50 /> <!-- <a href=no> --><a
  href = "../02-x/03-y.md#bagian" download>t</a></p>"#;
        let tags = scan_tags(html);
        let names: Vec<_> = tags.iter().map(|t| (t.name.as_str(), t.closing)).collect();
        assert_eq!(
            names,
            [
                ("p", false),
                ("img", false),
                ("a", false),
                ("a", true),
                ("p", true)
            ]
        );
        let img = &tags[1];
        assert_eq!(
            img.attr("src").and_then(|a| a.value.as_deref()),
            Some("gambar/a&b.png")
        );
        assert_eq!(
            img.attr("alt").and_then(|a| a.value.as_deref()),
            Some("A > B")
        );
        assert_eq!(
            img.attr("width").and_then(|a| a.value.as_deref()),
            Some("50")
        );
        assert_eq!(html.get(img.insert_at..img.range.end), Some("/>"));
        let a = &tags[2];
        assert_eq!(
            a.attr("href").and_then(|v| v.value.as_deref()),
            Some("../02-x/03-y.md#bagian")
        );
        assert_eq!(a.attr("download").map(|v| v.value.is_none()), Some(true));
        let href = a.attr("href").map(|v| v.range.clone()).unwrap_or_default();
        assert_eq!(html.get(href), Some(r#"href = "../02-x/03-y.md#bagian""#));
    }

    #[test]
    fn entities() {
        assert_eq!(
            decode_entities("a&amp;b&#47;c&#x2F;d&bogus;e&"),
            "a&b/c/d&bogus;e&"
        );
        assert_eq!(decode_entities("&#106;avascript:"), "javascript:");
    }

    #[test]
    fn unterminated_tag_ends_the_scan() {
        assert_eq!(scan_tags("<b>x</b><img src=\"a").len(), 2);
        assert!(scan_tags("a < b and 3<4").is_empty());
    }
}
