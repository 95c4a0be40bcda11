//! The last step of rendering: an explicit allow-list sanitiser (ammonia). Whatever the
//! renderer or an author's raw HTML produced, only the tags, attributes, classes and URL schemes
//! named here survive. Nothing before this step is trusted.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use ammonia::{Builder, UrlRelative};

use super::highlight::CLASS_PREFIX;

const TAGS: &[&str] = &[
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "caption",
    "cite",
    "code",
    "col",
    "colgroup",
    "dd",
    "del",
    "details",
    "dfn",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "iframe",
    "img",
    "input",
    "ins",
    "kbd",
    "li",
    "mark",
    "ol",
    "p",
    "pre",
    "q",
    "s",
    "samp",
    "section",
    "small",
    "span",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "u",
    "ul",
    "var",
    "wbr",
];

/// Tags removed together with everything inside them.
const DROP_WITH_CONTENT: &[&str] = &[
    "script", "style", "object", "embed", "applet", "template", "svg", "math", "noscript",
    "textarea", "select", "frameset", "frame", "noembed", "noframes",
];

const GENERIC_ATTRIBUTES: &[&str] = &["class", "id", "title", "lang", "dir"];

const URL_SCHEMES: &[&str] = &["http", "https", "mailto", "tel"];

/// Video players lessons may embed. Anything else in an iframe is removed.
const IFRAME_HOSTS: &[(&str, &str)] = &[
    ("www.youtube.com", "/embed/"),
    ("youtube.com", "/embed/"),
    ("www.youtube-nocookie.com", "/embed/"),
    ("player.vimeo.com", "/video/"),
];

/// Permissions an allowed video iframe may ask for.
const IFRAME_ALLOW: &[&str] = &[
    "accelerometer",
    "autoplay",
    "clipboard-write",
    "encrypted-media",
    "fullscreen",
    "gyroscope",
    "picture-in-picture",
    "web-share",
];

/// Classes the renderer emits (callouts, maths, task lists, footnotes, code), kept exactly or
/// by prefix; every other class is dropped.
const CLASSES: &[&str] = &[
    "callout",
    "callout-title",
    "math",
    "math-inline",
    "math-display",
    "task-list-item",
    "task-list-item-checkbox",
    "contains-task-list",
    "footnotes",
    "footnote-ref",
    "footnote-backref",
    "highlight",
    "broken-link",
    "lesson-link",
];
const CLASS_PREFIXES: &[&str] = &["callout-", CLASS_PREFIX, "language-"];

static SANITISER: LazyLock<Builder<'static>> = LazyLock::new(|| {
    let mut tag_attributes: HashMap<&'static str, HashSet<&'static str>> = HashMap::new();
    let mut allow = |tag: &'static str, attrs: &[&'static str]| {
        tag_attributes
            .entry(tag)
            .or_default()
            .extend(attrs.iter().copied());
    };
    allow("a", &["href", "data-lesson-id", "data-quiz-id"]);
    allow("img", &["src", "alt", "width", "height"]);
    allow(
        "iframe",
        &[
            "src",
            "width",
            "height",
            "allow",
            "allowfullscreen",
            "loading",
        ],
    );
    allow("input", &["type", "checked"]);
    allow("th", &["align", "colspan", "rowspan"]);
    allow("td", &["align", "colspan", "rowspan"]);
    allow("ol", &["start"]);
    allow("details", &["open"]);
    allow("abbr", &["title"]);

    let mut builder = Builder::empty();
    builder
        .tags(TAGS.iter().copied().collect())
        .clean_content_tags(DROP_WITH_CONTENT.iter().copied().collect())
        .generic_attributes(GENERIC_ATTRIBUTES.iter().copied().collect())
        .tag_attributes(tag_attributes)
        .url_schemes(URL_SCHEMES.iter().copied().collect())
        .url_relative(UrlRelative::PassThrough)
        // Every link, so no author-written <a> can slip past without it.
        .link_rel(Some("noopener noreferrer"))
        .strip_comments(true)
        // At most one forced attribute per tag: ammonia appends them in hash-map order, and
        // rendered HTML must be byte-for-byte reproducible.
        // Task-list boxes show state, they are never a form control.
        .set_tag_attribute_value("input", "disabled", "")
        .set_tag_attribute_value("img", "loading", "lazy")
        .set_tag_attribute_value(
            "iframe",
            "referrerpolicy",
            "strict-origin-when-cross-origin",
        )
        .attribute_filter(filter_attribute);
    builder
});

/// Sanitise rendered HTML.
pub(crate) fn clean(html: &str) -> String {
    SANITISER.clean(html).to_string()
}

fn filter_attribute<'u>(element: &str, attribute: &str, value: &'u str) -> Option<Cow<'u, str>> {
    match (element, attribute) {
        (_, "class") => {
            let kept: Vec<&str> = value
                .split_whitespace()
                .filter(|c| class_allowed(c))
                .collect();
            (!kept.is_empty()).then(|| Cow::Owned(kept.join(" ")))
        }
        (_, "id") => {
            let ok = !value.is_empty()
                && value.len() <= 200
                && value
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '-' || c == '_');
            ok.then_some(Cow::Borrowed(value))
        }
        ("iframe", "src") => iframe_src_allowed(value).then_some(Cow::Borrowed(value)),
        ("iframe", "loading") => Some(Cow::Borrowed("lazy")),
        ("input", "type") => Some(Cow::Borrowed("checkbox")),
        ("iframe", "allow") => {
            let kept: Vec<&str> = value
                .split(';')
                .map(str::trim)
                .filter(|p| IFRAME_ALLOW.contains(p))
                .collect();
            (!kept.is_empty()).then(|| Cow::Owned(kept.join("; ")))
        }
        ("th" | "td", "align") => {
            matches!(value, "left" | "center" | "right").then_some(Cow::Borrowed(value))
        }
        (_, "width" | "height" | "colspan" | "rowspan" | "start") => {
            let digits = value.trim_end_matches('%');
            let ok = !digits.is_empty()
                && digits.len() <= 5
                && digits.bytes().all(|b| b.is_ascii_digit());
            ok.then_some(Cow::Borrowed(value))
        }
        ("a", "data-lesson-id" | "data-quiz-id") => crate::ids::check_id(value)
            .is_ok()
            .then_some(Cow::Borrowed(value)),
        _ => Some(Cow::Borrowed(value)),
    }
}

fn class_allowed(class: &str) -> bool {
    let shape_ok = class
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
    shape_ok
        && (CLASSES.contains(&class)
            || CLASS_PREFIXES
                .iter()
                .any(|p| class.len() > p.len() && class.starts_with(p)))
}

/// Only `https` URLs on the video hosts' embed paths, without credentials or odd ports.
pub(crate) fn iframe_src_allowed(src: &str) -> bool {
    let Ok(url) = url::Url::parse(src.trim()) else {
        return false;
    };
    if url.scheme() != "https"
        || !url.username().is_empty()
        || url.password().is_some()
        || url.port().is_some()
    {
        return false;
    }
    let Some(host) = url.host_str() else {
        return false;
    };
    IFRAME_HOSTS.iter().any(|(allowed_host, path_prefix)| {
        host.eq_ignore_ascii_case(allowed_host)
            && url.path().starts_with(path_prefix)
            && url.path().len() > path_prefix.len()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iframe_allow_list() {
        assert!(iframe_src_allowed("https://www.youtube.com/embed/abc123"));
        assert!(iframe_src_allowed(
            "https://www.youtube-nocookie.com/embed/abc?start=5"
        ));
        assert!(iframe_src_allowed("https://player.vimeo.com/video/12345"));
        assert!(!iframe_src_allowed("http://www.youtube.com/embed/abc123"));
        assert!(!iframe_src_allowed("https://www.youtube.com/watch?v=abc"));
        assert!(!iframe_src_allowed(
            "https://www.youtube.com.evil.example/embed/x"
        ));
        assert!(!iframe_src_allowed("https://evil.example/embed/x"));
        assert!(!iframe_src_allowed("https://user@www.youtube.com/embed/x"));
        assert!(!iframe_src_allowed("https://www.youtube.com:8443/embed/x"));
        assert!(!iframe_src_allowed("javascript:alert(1)"));
        assert!(!iframe_src_allowed("https://www.youtube.com/embed/"));
    }

    #[test]
    fn keeps_what_the_renderer_needs() {
        let html = r##"<div class="callout callout-note evil"><p class="callout-title">Catatan</p></div><h2 id="apa-itu-data">x</h2><span class="math math-inline">x^2</span><pre class="highlight"><code class="language-r"><span class="hl-source hl-r">x</span></code></pre><input type="checkbox" class="task-list-item-checkbox" checked>"##;
        let out = clean(html);
        assert!(
            out.contains(r#"<div class="callout callout-note">"#),
            "{out}"
        );
        assert!(out.contains(r#"<h2 id="apa-itu-data">"#), "{out}");
        assert!(out.contains(r#"class="math math-inline""#), "{out}");
        assert!(out.contains(r#"<span class="hl-source hl-r">"#), "{out}");
        assert!(out.contains("disabled"), "{out}");
        assert!(out.contains("checked"), "{out}");
    }

    #[test]
    fn removes_what_executes() {
        let out = clean(
            r#"<a href="javascript:alert(1)" onclick="x()">a</a><img src="data:image/png;base64,AAAA" onerror="x()"><script>alert(1)</script><p style="color:red">p</p><iframe src="https://evil.example/"></iframe>"#,
        );
        for bad in [
            "javascript",
            "onclick",
            "onerror",
            "data:",
            "script",
            "alert",
            "style",
            "evil",
        ] {
            assert!(!out.contains(bad), "{bad} left in {out}");
        }
        assert!(out.contains(r#"rel="noopener noreferrer""#), "{out}");
    }
}
