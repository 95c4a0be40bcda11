//! What a link or image destination points at, and course-relative path arithmetic.

use percent_encoding::percent_decode_str;

/// Schemes a lesson may link to. Everything else (`javascript:`, `data:`, `file:`, `vbscript:`)
/// is refused.
const SAFE_SCHEMES: &[&str] = &["http", "https", "mailto", "tel"];

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Destination {
    Empty,
    /// `https://…`, `mailto:…`, `//host/…`: left as written.
    External(String),
    /// `/api/…`: a path on this server, left as written.
    Site(String),
    /// `#bagian`: a place in this lesson.
    Fragment(String),
    /// A file in the course, as a normalised course-relative path.
    Relative {
        path: String,
        fragment: Option<String>,
    },
    /// A relative path that climbs out of the course folder.
    Escapes(String),
    /// A scheme that is not allowed.
    Unsafe(String),
}

/// Classifies `dest` as written in a lesson at `lesson_dir` (course-relative, "" for the root).
pub(crate) fn classify(dest: &str, lesson_dir: &str) -> Destination {
    let dest = dest.trim();
    if dest.is_empty() {
        return Destination::Empty;
    }
    if let Some(fragment) = dest.strip_prefix('#') {
        return Destination::Fragment(decode(fragment));
    }
    if let Some(scheme) = scheme_of(dest) {
        let lower = scheme.to_ascii_lowercase();
        return if SAFE_SCHEMES.contains(&lower.as_str()) {
            Destination::External(dest.to_owned())
        } else {
            Destination::Unsafe(lower)
        };
    }
    // Control characters and whitespace are how schemes get smuggled past naive checks
    // ("java\tscript:"); a course file name never needs them.
    if dest.chars().any(|c| c.is_control()) {
        return Destination::Unsafe("control characters".to_owned());
    }
    if dest.starts_with("//") || dest.starts_with("\\\\") {
        return Destination::External(dest.to_owned());
    }
    if dest.starts_with('/') {
        return Destination::Site(dest.to_owned());
    }
    let (before_fragment, fragment) = match dest.split_once('#') {
        Some((p, f)) => (p, Some(f.to_owned())),
        None => (dest, None),
    };
    let path_part = before_fragment
        .split_once('?')
        .map_or(before_fragment, |(p, _)| p);
    let decoded = decode(path_part);
    if decoded.chars().any(char::is_control) {
        return Destination::Unsafe("control characters".to_owned());
    }
    if looks_absolute(&decoded) {
        return Destination::Escapes(decoded);
    }
    match join_relative(lesson_dir, &decoded) {
        Some(path) if path.is_empty() => Destination::Empty,
        Some(path) => Destination::Relative { path, fragment },
        None => Destination::Escapes(decoded),
    }
}

fn decode(s: &str) -> String {
    percent_decode_str(s).decode_utf8_lossy().into_owned()
}

/// The scheme of an absolute URL (`https` in `https://…`), per RFC 3986's grammar.
fn scheme_of(dest: &str) -> Option<&str> {
    let colon = dest.find(':')?;
    let scheme = dest.get(..colon)?;
    let mut chars = scheme.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    let rest_ok = chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    // "C:" is a Windows drive, not a scheme; it is refused as a path escape elsewhere.
    (first_ok && rest_ok && scheme.len() > 1).then_some(scheme)
}

fn looks_absolute(path: &str) -> bool {
    let b = path.as_bytes();
    path.starts_with('/')
        || path.starts_with('\\')
        || (b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':')
}

/// Joins `rel` onto the course-relative directory `base`, resolving `.` and `..` lexically and
/// accepting `\` as a separator. `None` when the result would leave the course folder.
pub(crate) fn join_relative(base: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = base
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    for part in rel.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

/// The course-relative directory of a course-relative file path.
pub(crate) fn parent_dir(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(dir, _)| dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rel(path: &str, fragment: Option<&str>) -> Destination {
        Destination::Relative {
            path: path.to_owned(),
            fragment: fragment.map(str::to_owned),
        }
    }

    #[test]
    fn classifies() {
        let dir = "01-pengantar";
        assert_eq!(
            classify("gambar/diagram.png", dir),
            rel("01-pengantar/gambar/diagram.png", None)
        );
        assert_eq!(
            classify("../02-x/03-y.md#bagian", dir),
            rel("02-x/03-y.md", Some("bagian"))
        );
        assert_eq!(
            classify("./a%20b.png?raw=1", dir),
            rel("01-pengantar/a b.png", None)
        );
        assert_eq!(
            classify("..\\lampiran\\x.pdf", dir),
            rel("lampiran/x.pdf", None)
        );
        assert_eq!(
            classify("#apa-itu-data", dir),
            Destination::Fragment("apa-itu-data".into())
        );
        assert_eq!(
            classify("https://example.org/x", dir),
            Destination::External("https://example.org/x".into())
        );
        assert_eq!(
            classify("mailto:a@b.id", dir),
            Destination::External("mailto:a@b.id".into())
        );
        assert_eq!(
            classify("/api/v1/x", dir),
            Destination::Site("/api/v1/x".into())
        );
        assert_eq!(classify("", dir), Destination::Empty);
    }

    #[test]
    fn refuses_escapes_and_bad_schemes() {
        let dir = "01-pengantar";
        assert!(matches!(
            classify("../../etc/passwd", dir),
            Destination::Escapes(_)
        ));
        assert!(matches!(
            classify("..%2F..%2F..%2Fetc%2Fpasswd", dir),
            Destination::Escapes(_)
        ));
        assert!(matches!(
            classify("C:\\Windows\\win.ini", dir),
            Destination::Escapes(_)
        ));
        assert!(matches!(
            classify("%2Fetc%2Fpasswd", dir),
            Destination::Escapes(_)
        ));
        for bad in [
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            "data:text/html,x",
            "vbscript:x",
            "file:///etc/passwd",
        ] {
            assert!(
                matches!(classify(bad, dir), Destination::Unsafe(_)),
                "{bad}"
            );
        }
        assert!(matches!(
            classify("java\tscript:alert(1)", dir),
            Destination::Unsafe(_)
        ));
        assert!(matches!(
            classify("java%0Ascript:alert(1)", dir),
            Destination::Unsafe(_)
        ));
    }

    #[test]
    fn joins() {
        assert_eq!(join_relative("", "a/./b/../c").as_deref(), Some("a/c"));
        assert_eq!(join_relative("a", ".."), Some(String::new()));
        assert_eq!(join_relative("a", "../.."), None);
        assert_eq!(parent_dir("a/b/c.md"), "a/b");
        assert_eq!(parent_dir("c.md"), "");
    }
}
