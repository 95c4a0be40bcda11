//! A lesson written to attack learners' browsers renders with nothing executable left.

use lentera_content::{ProblemCode, render_lesson};

use crate::support::{read_fixture, sample_context};

#[test]
fn nothing_executable_survives() {
    let md = read_fixture("lessons/hostile.md");
    let r = render_lesson(&md, &sample_context());
    let lower = r.html.to_ascii_lowercase();
    for forbidden in [
        "<script",
        "alert",
        "javascript",
        "data:",
        "onerror",
        "onload",
        "onclick",
        "onmouseover",
        "ontoggle",
        "onplay",
        "<iframe",
        "evil.example",
        "<svg",
        "<math",
        "style",
        "<object",
        "<embed",
        "<form",
        "<button",
        "<base",
        "<meta",
        "<link",
        "<video",
        "target=",
        "opener\"",
        "formaction",
        "xlink",
    ] {
        assert!(
            !lower.contains(forbidden),
            "{forbidden:?} survived in:\n{}",
            r.html
        );
    }
    // The safe parts stay: text, the external link (with rel), the heading id, a known class.
    assert!(
        r.html
            .contains("<a href=\"https://example.org\" rel=\"noopener noreferrer\">keluar</a>"),
        "{}",
        r.html
    );
    assert!(r.html.contains("<h2 id=\"x\">Judul</h2>"), "{}", r.html);
    assert!(
        r.html.contains("<div class=\"callout-note\">arahkan</div>"),
        "{}",
        r.html
    );
    assert!(r.html.contains("bergaya"), "{}", r.html);
    // A form's input cannot be typed in: every input is a disabled checkbox.
    for input in r.html.match_indices("<input").map(|(i, _)| &r.html[i..]) {
        let tag = &input[..input.find('>').unwrap()];
        assert!(
            tag.contains("type=\"checkbox\"") && tag.contains("disabled"),
            "{tag}"
        );
        assert!(!tag.contains("value") && !tag.contains("name"), "{tag}");
    }
}

#[test]
fn the_author_is_told_what_was_refused() {
    let md = read_fixture("lessons/hostile.md");
    let r = render_lesson(&md, &sample_context());
    let count = |code| r.problems.iter().filter(|p| p.code == code).count();
    // Three Markdown javascript: links, three raw ones, one data: link and one data: image.
    assert_eq!(count(ProblemCode::UnsafeUrl), 8, "{:#?}", r.problems);
    assert_eq!(count(ProblemCode::IframeNotAllowed), 3, "{:#?}", r.problems);
    let first_iframe = r
        .problems
        .iter()
        .find(|p| p.code == ProblemCode::IframeNotAllowed)
        .unwrap();
    // hostile.md has no front matter in the test context's sense: its body starts on line 5.
    assert_eq!(
        (first_iframe.line, first_iframe.column),
        (Some(21), Some(1))
    );
}

#[test]
fn attribute_and_scheme_tricks() {
    let ctx = sample_context();
    for md in [
        "<a href=\"&#106;avascript:alert(1)\">x</a>",
        "<a href=\"jav&#x09;ascript:alert(1)\">x</a>",
        "<a href=\"  JAVASCRIPT:alert(1)\">x</a>",
        "<a href='vbscript:msgbox(1)'>x</a>",
        "[x](<javascript:alert(1)>)",
        "[x]: javascript:alert(1)\n\n[y][x]",
        "<img src=\"x\" onerror\n=\"alert(1)\">",
        "<IMG SRC=JaVaScRiPt:alert(1)>",
        "<a href=\"data:text/html,<script>alert(1)</script>\">x</a>",
        "<div style=\"background-image: url(javascript:alert(1))\">x</div>",
        "<scr<script>ipt>alert(1)</script>",
        "<!--<script>alert(1)</script>-->",
        "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\"></noscript>",
    ] {
        let html = render_lesson(md, &ctx).html.to_ascii_lowercase();
        for bad in [
            "javascript",
            "vbscript",
            "onerror",
            "data:",
            "<script",
            "style=",
        ] {
            assert!(!html.contains(bad), "{md:?} → {html}");
        }
    }
}

#[test]
fn deep_nesting_does_not_overflow_the_stack() {
    // Test threads have small stacks; a renderer that recursed once per level would die here.
    let ctx = sample_context();
    let alerts: String = (0..1000)
        .map(|i| format!("{}[!NOTE]\n", "> ".repeat(i)))
        .collect();
    let r = render_lesson(&alerts, &ctx);
    assert!(r.html.contains("callout-note"));
    let divs = format!("{}isi\n{}", "::: note\n".repeat(1000), ":::\n".repeat(1000));
    let r = render_lesson(&divs, &ctx);
    assert!(!r.html.contains(":::"));
    let quotes = format!("{}teks\n", "> ".repeat(2000));
    let r = render_lesson(&quotes, &ctx);
    assert!(r.html.contains("teks"));
}
