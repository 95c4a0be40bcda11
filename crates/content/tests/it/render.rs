//! The lesson renderer: every feature on its own, and a snapshot of a lesson that uses them all.

use lentera_content::{
    HighlightTheme, Language, LinkTarget, ProblemCode, RenderContext, Severity, highlight_css,
    render_lesson,
};

use crate::support::{assert_problem, read_fixture, sample_context};

fn render(md: &str) -> lentera_content::RenderedLesson {
    render_lesson(md, &sample_context())
}

const LESSON: &str = "01-pengantar/01-apa-itu-data.md";

#[test]
fn kitchen_sink_snapshot() {
    let md = read_fixture("lessons/kitchen-sink.md");
    let rendered = render(&md);
    insta::assert_snapshot!("kitchen_sink_html", rendered.html);
    insta::assert_debug_snapshot!("kitchen_sink_toc", rendered.toc);
    // The one problem in it: a link to a PDF that is not in the course.
    let problems: Vec<String> = rendered.problems.iter().map(ToString::to_string).collect();
    assert_eq!(
        problems,
        [
            "01-pengantar/01-apa-itu-data.md:56:50: error[missing_asset]: file '01-pengantar/lampiran/panduan.pdf' does not exist in the course folder"
        ]
    );
}

#[test]
fn gfm_tables_task_lists_strikethrough_footnotes_autolinks() {
    let r = render(
        "| a | b |\n|:-|-:|\n| 1 | 2 |\n\n- [x] selesai\n- [ ] belum\n\n~~lama~~ baru[^1]\n\nhttps://bkpsdm.example.go.id dan www.example.org\n\n[^1]: Catatan.\n",
    );
    let html = &r.html;
    assert!(
        html.contains("<th align=\"left\">a</th><th align=\"right\">b</th>"),
        "{html}"
    );
    assert!(html.contains("<td align=\"left\">1</td>"), "{html}");
    assert!(
        html.contains(
            "<input type=\"checkbox\" class=\"task-list-item-checkbox\" checked=\"\" disabled=\"\">"
        ),
        "{html}"
    );
    assert!(
        html.contains("<input type=\"checkbox\" class=\"task-list-item-checkbox\" disabled=\"\">"),
        "{html}"
    );
    assert!(html.contains("<del>lama</del>"), "{html}");
    assert!(html.contains("<a href=\"#fn-1\" id=\"fnref-1\""), "{html}");
    assert!(html.contains("<li id=\"fn-1\">"), "{html}");
    assert!(
        html.contains("<a href=\"https://bkpsdm.example.go.id\" rel=\"noopener noreferrer\">"),
        "{html}"
    );
    assert!(
        html.contains(
            "<a href=\"https://www.example.org\" rel=\"noopener noreferrer\">www.example.org</a>"
        ),
        "{html}"
    );
    assert!(!html.contains("style="), "{html}");
}

#[test]
fn github_alerts_of_every_kind() {
    for (marker, kind, title) in [
        ("NOTE", "note", "Catatan"),
        ("TIP", "tip", "Tips"),
        ("IMPORTANT", "important", "Penting"),
        ("WARNING", "warning", "Peringatan"),
        ("CAUTION", "caution", "Hati-hati"),
    ] {
        let r = render(&format!("> [!{marker}]\n> Isi peringatan.\n"));
        let expected = format!(
            "<div class=\"callout callout-{kind}\">\n<p class=\"callout-title\">{title}</p>\n<p>Isi peringatan.</p>\n</div>"
        );
        assert!(r.html.contains(&expected), "{marker}: {}", r.html);
        assert!(!r.html.contains("[!"), "{}", r.html);
        assert!(!r.html.contains("blockquote"), "{}", r.html);
    }
}

#[test]
fn alerts_with_a_title_or_an_unknown_kind_are_callouts_too() {
    let r = render(
        "> [!tip] Pintasan *cepat*\n> Tekan Ctrl+S.\n\n> [!info]\n> Info.\n\n> [Bukan penanda] biasa\n",
    );
    assert!(r.html.contains("<div class=\"callout callout-tip\">\n<p class=\"callout-title\">Pintasan <em>cepat</em></p>\n<p>Tekan Ctrl+S.</p>"), "{}", r.html);
    assert!(
        r.html.contains("<div class=\"callout callout-info\">"),
        "{}",
        r.html
    );
    assert!(
        r.html
            .contains("<blockquote>\n<p>[Bukan penanda] biasa</p>"),
        "{}",
        r.html
    );
    assert!(!r.html.contains("[!"), "{}", r.html);
}

#[test]
fn fenced_divs_in_every_spelling() {
    let r = render(concat!(
        "::: callout-note\nSatu.\n:::\n\n",
        "::: {.callout-tip}\nDua.\n:::\n\n",
        "::: {.note}\nTiga.\n:::\n\n",
        "::: warning\nEmpat.\n:::\n\n",
        "::: {.callout-important title=\"Judul Sendiri\" #penting}\nLima.\n:::\n\n",
        "::: kotak-aneh\nEnam.\n:::\n",
    ));
    let html = &r.html;
    assert!(html.contains("<div class=\"callout callout-note\">\n<p class=\"callout-title\">Catatan</p>\n<p>Satu.</p>\n</div>"), "{html}");
    assert!(
        html.contains(
            "<div class=\"callout callout-tip\">\n<p class=\"callout-title\">Tips</p>\n<p>Dua.</p>"
        ),
        "{html}"
    );
    assert!(html.contains("<div class=\"callout callout-note\">\n<p class=\"callout-title\">Catatan</p>\n<p>Tiga.</p>"), "{html}");
    assert!(html.contains("<div class=\"callout callout-warning\">\n<p class=\"callout-title\">Peringatan</p>\n<p>Empat.</p>"), "{html}");
    assert!(html.contains("<div class=\"callout callout-important\" id=\"penting\">\n<p class=\"callout-title\">Judul Sendiri</p>"), "{html}");
    // An unknown class still becomes a callout, without a default title.
    assert!(
        html.contains("<div class=\"callout callout-kotak-aneh\">\n<p>Enam.</p>"),
        "{html}"
    );
    assert!(!html.contains(":::"), "{html}");
    assert!(r.problems.is_empty(), "{:?}", r.problems);
}

#[test]
fn nested_divs_with_heading_titles_and_folded_solutions() {
    let r = render(
        "::::: challenge\n\n## Latihan 1: Jumlahkan\n\nBerapa hasilnya?\n\n:::: solution\n\n## Jawaban\n\nEnam.\n\n::::\n\n:::::\n\n## Bagian Biasa\n",
    );
    let html = &r.html;
    assert!(html.contains("<div class=\"callout callout-challenge\">\n<p class=\"callout-title\">Latihan 1: Jumlahkan</p>"), "{html}");
    assert!(html.contains("<details class=\"callout callout-solution\"><summary class=\"callout-title\">Jawaban</summary>\n<p>Enam.</p>\n</details>\n</div>"), "{html}");
    // Callout titles are not sections: only the real heading is in the table of contents.
    let toc: Vec<&str> = r.toc.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(toc, ["bagian-biasa"]);
    assert!(!html.contains(":::"), "{html}");
}

#[test]
fn default_callout_titles_follow_the_course_language() {
    let mut ctx = sample_context();
    ctx.language = Language::En;
    let r = render_lesson(
        "::: challenge\nDo it.\n:::\n\n::: solution\nDone.\n:::\n",
        &ctx,
    );
    assert!(
        r.html.contains("<p class=\"callout-title\">Challenge</p>"),
        "{}",
        r.html
    );
    assert!(
        r.html
            .contains("<summary class=\"callout-title\">Solution</summary>"),
        "{}",
        r.html
    );
}

#[test]
fn unclosed_and_stray_div_fences_warn_with_their_line_and_leave_no_colons() {
    let r = render("Awal.\n\n:::\n\n::: callout-tip\nTidak ditutup.\n");
    assert!(!r.html.contains(":::"), "{}", r.html);
    assert!(
        r.html.contains("<div class=\"callout callout-tip\">"),
        "{}",
        r.html
    );
    // Body line 3 and 5 are file lines 7 and 9 (the body starts on line 5).
    assert_problem(
        &r.problems,
        ProblemCode::UnmatchedDivFence,
        LESSON,
        Some(7),
        Some(1),
    );
    assert_problem(
        &r.problems,
        ProblemCode::UnclosedDiv,
        LESSON,
        Some(9),
        Some(1),
    );
    assert!(r.problems.iter().all(|p| p.severity == Severity::Warning));
}

#[test]
fn div_fences_inside_code_blocks_are_code() {
    let r = render("```markdown\n::: callout-note\nContoh penulisan.\n:::\n```\n");
    assert!(r.html.contains("::: callout-note"), "{}", r.html);
    assert!(!r.html.contains("<div class=\"callout"), "{}", r.html);
}

#[test]
fn heading_anchors_are_unique_and_indonesian_friendly() {
    let r = render(
        "# Apa Itu Data?\n\n## Langkah 1: Buka Excel\n\n## Langkah 1: Buka Excel\n\n### Rumus & Fungsi\n\n## Bagian Khusus {#khusus}\n\n## FN 1\n",
    );
    let toc: Vec<(u8, &str, &str)> = r
        .toc
        .iter()
        .map(|t| (t.level, t.id.as_str(), t.text.as_str()))
        .collect();
    assert_eq!(
        toc,
        [
            (1, "apa-itu-data", "Apa Itu Data?"),
            (2, "langkah-1-buka-excel", "Langkah 1: Buka Excel"),
            (2, "langkah-1-buka-excel-1", "Langkah 1: Buka Excel"),
            (3, "rumus-fungsi", "Rumus & Fungsi"),
            (2, "khusus", "Bagian Khusus"),
            (2, "h-fn-1", "FN 1"),
        ]
    );
    assert!(
        r.html.contains("<h2 id=\"langkah-1-buka-excel-1\">"),
        "{}",
        r.html
    );
}

#[test]
fn code_is_highlighted_with_classes() {
    let r = render(
        "```r\nx <- c(1, 2)\n```\n\n```{.language-python}\nprint('hai')\n```\n\n```output\n[1] <b>\n```\n",
    );
    assert!(
        r.html.contains(
            "<pre class=\"highlight\"><code class=\"language-r\"><span class=\"hl-source hl-r\">"
        ),
        "{}",
        r.html
    );
    assert!(
        r.html
            .contains("<code class=\"language-python\"><span class=\"hl-source hl-python\">"),
        "{}",
        r.html
    );
    assert!(
        r.html
            .contains("<code class=\"language-output\">[1] &lt;b&gt;"),
        "{}",
        r.html
    );
    assert!(!r.html.contains("style="), "{}", r.html);
    for theme in [HighlightTheme::Light, HighlightTheme::Dark] {
        let css = highlight_css(theme).unwrap();
        assert!(css.contains(".hl-keyword"), "{css}");
    }
}

#[test]
fn maths_is_escaped_for_a_client_side_renderer() {
    let r =
        render("Jika $a<b$ maka\n\n$$\n\\frac{a}{b} < 1\n$$\n\nDan $$x^2$$ di tengah kalimat.\n");
    assert!(
        r.html
            .contains("<span class=\"math math-inline\">a&lt;b</span>"),
        "{}",
        r.html
    );
    assert!(
        r.html
            .contains("<div class=\"math math-display\">\n\\frac{a}{b} &lt; 1\n</div>"),
        "{}",
        r.html
    );
    assert!(
        r.html
            .contains("Dan <span class=\"math math-display\">x^2</span> di tengah"),
        "{}",
        r.html
    );
}

#[test]
fn links_to_lessons_quizzes_and_assets_are_rewritten() {
    let r = render(concat!(
        "[Rumus](../02-latihan/01-rumus.md#fungsi-sum) ",
        "[ujian](../kuis/ujian-akhir.quiz.md) ",
        "[lembar](lampiran/latihan.xlsx) ",
        "![diagram](./gambar/diagram.png) ",
        "<img src=\"gambar/tabel.png\" alt=\"tabel\"> ",
        "<a href=\"../02-latihan/01-rumus.md\">mentah</a>\n",
    ));
    let html = &r.html;
    assert!(html.contains("<a href=\"/courses/pengelolaan-data/lessons/rumus#fungsi-sum\" class=\"lesson-link\" data-lesson-id=\"rumus\""), "{html}");
    assert!(
        html.contains(
            "<a href=\"/courses/pengelolaan-data/quizzes/ujian-akhir\" data-quiz-id=\"ujian-akhir\""
        ),
        "{html}"
    );
    assert!(html.contains("<a href=\"/api/v1/assets/cccc\""), "{html}");
    assert!(
        html.contains("<img src=\"/api/v1/assets/aaaa\" alt=\"diagram\""),
        "{html}"
    );
    assert!(
        html.contains("<img src=\"/api/v1/assets/bbbb\" alt=\"tabel\""),
        "{html}"
    );
    assert!(
        html.contains(
            "<a href=\"/courses/pengelolaan-data/lessons/rumus\" data-lesson-id=\"rumus\""
        ),
        "{html}"
    );
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    let targets: Vec<&LinkTarget> = r.links.iter().map(|l| &l.target).collect();
    assert!(
        matches!(targets[0], LinkTarget::Lesson { lesson_id, fragment: Some(f), .. } if lesson_id == "rumus" && f == "fungsi-sum")
    );
    assert!(matches!(targets[1], LinkTarget::Quiz { quiz_id, .. } if quiz_id == "ujian-akhir"));
    assert!(matches!(targets[3], LinkTarget::Asset { sha256, .. } if sha256 == "aaaa"));
    assert!(r.links[3].is_image);
}

#[test]
fn broken_links_are_reported_at_their_line_and_column() {
    let md = "Satu.\n\nLihat [hilang](../02-latihan/99-tidak-ada.md) dan\n![gambar](gambar/hilang.png), [keluar](../../../etc/passwd), [skrip](javascript:alert(1)), [anchor](#tidak-ada).\n";
    let r = render(md);
    // The body starts on line 5 of the file.
    assert_problem(
        &r.problems,
        ProblemCode::BrokenLessonLink,
        LESSON,
        Some(7),
        Some(7),
    );
    assert_problem(
        &r.problems,
        ProblemCode::MissingAsset,
        LESSON,
        Some(8),
        Some(1),
    );
    assert_problem(
        &r.problems,
        ProblemCode::PathEscapesCourse,
        LESSON,
        Some(8),
        Some(31),
    );
    assert_problem(
        &r.problems,
        ProblemCode::UnsafeUrl,
        LESSON,
        Some(8),
        Some(62),
    );
    assert_problem(
        &r.problems,
        ProblemCode::UnknownAnchor,
        LESSON,
        Some(8),
        Some(92),
    );
    assert_eq!(r.problems.len(), 5, "{:?}", r.problems);
    // Broken links keep their text but lose their URL.
    assert!(
        r.html
            .contains("<a class=\"broken-link\" rel=\"noopener noreferrer\">hilang</a>"),
        "{}",
        r.html
    );
    assert!(
        r.html.contains("<span class=\"broken-link\">gambar</span>"),
        "{}",
        r.html
    );
    assert!(!r.html.contains("etc/passwd"), "{}", r.html);
}

#[test]
fn positions_count_characters_and_follow_fenced_div_rewrites() {
    // The div fences above the link are rewritten before parsing; the column is in characters
    // ("é" is two bytes).
    let md = "::: note\nCafé: [x](hilang.md)\n:::\n";
    let r = render(md);
    assert_problem(
        &r.problems,
        ProblemCode::BrokenLessonLink,
        LESSON,
        Some(6),
        Some(7),
    );
}

#[test]
fn figures_with_pandoc_attributes() {
    let r = render(
        "![Contoh tabel data](gambar/tabel.png){alt='Tabel tiga kolom' width=60%}\n\nTeks ![ikon](gambar/diagram.png){width=\"16\"} di kalimat.\n",
    );
    assert!(r.html.contains("<figure><img src=\"/api/v1/assets/bbbb\" alt=\"Tabel tiga kolom\" width=\"60%\" loading=\"lazy\"><figcaption>Contoh tabel data</figcaption></figure>"), "{}", r.html);
    assert!(r.html.contains("Teks <img src=\"/api/v1/assets/aaaa\" alt=\"ikon\" width=\"16\" loading=\"lazy\"> di kalimat."), "{}", r.html);
    assert!(!r.html.contains('{'), "{}", r.html);
}

#[test]
fn video_embeds_only_from_the_allow_list() {
    let r = render(concat!(
        "<iframe src=\"https://www.youtube.com/embed/abc123\" width=\"560\" allow=\"autoplay; camera\"></iframe>\n\n",
        "<iframe src=\"https://player.vimeo.com/video/42\"></iframe>\n\n",
        "<iframe src=\"https://evil.example/embed/x\">fallback</iframe>\n\n",
        "<iframe src=\"http://www.youtube.com/embed/abc123\"></iframe>\n",
    ));
    assert!(
        r.html.contains(
            "<iframe src=\"https://www.youtube.com/embed/abc123\" width=\"560\" allow=\"autoplay\""
        ),
        "{}",
        r.html
    );
    assert!(
        r.html
            .contains("<iframe src=\"https://player.vimeo.com/video/42\""),
        "{}",
        r.html
    );
    assert_eq!(r.html.matches("<iframe").count(), 2, "{}", r.html);
    assert!(!r.html.contains("evil"), "{}", r.html);
    assert!(!r.html.contains("http://"), "{}", r.html);
    let removed = r
        .problems
        .iter()
        .filter(|p| p.code == ProblemCode::IframeNotAllowed)
        .count();
    assert_eq!(removed, 2, "{:?}", r.problems);
}

#[test]
fn reading_time_at_two_hundred_words_a_minute() {
    let words = vec!["kata"; 450].join(" ");
    let r = render(&format!(
        "{words}\n\n```\nkode tidak dihitung sama sekali di sini\n```\n"
    ));
    assert_eq!(r.word_count, 450);
    assert_eq!(r.reading_minutes, 3);
    let empty = render("");
    assert_eq!((empty.word_count, empty.reading_minutes), (0, 0));
}

#[test]
fn a_browser_preview_without_a_course_still_renders() {
    let ctx = RenderContext::new("kursus-baru", "/api/v1/assets");
    let r = render_lesson("# Judul\n\n![gambar](baru.png)\n", &ctx);
    assert!(r.html.contains("<h1 id=\"judul\">Judul</h1>"), "{}", r.html);
    assert_problem(&r.problems, ProblemCode::MissingAsset, "", Some(3), Some(1));
}
