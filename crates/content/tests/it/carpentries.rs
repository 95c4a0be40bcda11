//! A lesson written the way The Carpentries write theirs (sandpaper fenced divs, nested
//! solutions, figures with Pandoc attributes, R code blocks) renders with nothing left over.

use lentera_content::{LinkTarget, load_course_dir};

use crate::support::fixture;

#[test]
fn renders_without_leftovers_and_resolves_every_image() {
    let report = load_course_dir(&fixture("courses/carpentries-r"));
    assert!(report.problems.is_empty(), "{:#?}", report.problems);
    let course = report.course.expect("a valid course");
    let lessons: Vec<_> = course.lessons().collect();
    assert_eq!(
        lessons
            .iter()
            .map(|l| (l.id.as_str(), l.title.as_str()))
            .collect::<Vec<_>>(),
        [
            ("introduction", "Introduction to R and RStudio"),
            ("data-frames", "Starting with Data")
        ]
    );
    let mut images = 0;
    for lesson in &lessons {
        let html = &lesson.rendered.html;
        assert!(
            !html.contains(":::"),
            "raw fence in {}:\n{html}",
            lesson.path
        );
        assert!(
            !html.contains("[!NOTE]") && !html.contains("[!"),
            "raw alert in {}:\n{html}",
            lesson.path
        );
        assert!(
            !html.contains("{alt="),
            "raw attributes in {}:\n{html}",
            lesson.path
        );
        for link in lesson.rendered.links.iter().filter(|l| l.is_image) {
            images += 1;
            assert!(matches!(link.target, LinkTarget::Asset { .. }), "{link:?}");
        }
        assert!(!html.contains("<img src=\"fig/"), "{html}");
    }
    assert_eq!(images, 2);
}

#[test]
fn carpentries_constructs_become_callouts() {
    let course = load_course_dir(&fixture("courses/carpentries-r"))
        .into_result()
        .unwrap();
    let intro = &course.modules[0].lessons[0].rendered.html;
    for expected in [
        "<div class=\"callout callout-questions\">\n<p class=\"callout-title\">Questions</p>",
        "<div class=\"callout callout-objectives\">\n<p class=\"callout-title\">Objectives</p>",
        "<div class=\"callout callout-challenge\">\n<p class=\"callout-title\">Exercise 1: What is the value?</p>",
        "<details class=\"callout callout-solution\"><summary class=\"callout-title\">Solution</summary>",
        "<div class=\"callout callout-note\">\n<p class=\"callout-title\">Naming objects</p>",
        "<details class=\"callout callout-hint\"><summary class=\"callout-title\">Hint</summary>",
        "<div class=\"callout callout-keypoints\">\n<p class=\"callout-title\">Key Points</p>",
        "<figure><img src=\"/api/v1/assets/",
        "alt=\"Screenshot of RStudio showing the script, console, environment and files panes\"",
        "<figcaption>RStudio with its four panes</figcaption>",
        "<code class=\"language-r\"><span class=\"hl-source hl-r\">",
        "<code class=\"language-output\">[1] 121",
        "<a href=\"/courses/r-for-data-analysis/lessons/data-frames\" class=\"lesson-link\" data-lesson-id=\"data-frames\"",
    ] {
        assert!(
            intro.contains(expected),
            "missing {expected:?} in:\n{intro}"
        );
    }
    // `{r, eval=FALSE}` and `{.language-r}` chunks are R too.
    assert_eq!(
        intro.matches("<code class=\"language-r\">").count(),
        3,
        "{intro}"
    );
    let toc: Vec<&str> = course.modules[0].lessons[0]
        .rendered
        .toc
        .iter()
        .map(|t| t.text.as_str())
        .collect();
    assert_eq!(toc, ["Introduction to RStudio", "Creating objects in R"]);
}

#[test]
fn snapshots() {
    let course = load_course_dir(&fixture("courses/carpentries-r"))
        .into_result()
        .unwrap();
    for lesson in course.lessons() {
        insta::assert_snapshot!(format!("carpentries_{}", lesson.id), lesson.rendered.html);
    }
}
