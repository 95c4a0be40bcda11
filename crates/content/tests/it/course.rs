//! Loading course folders: a complete one, and broken ones that must each point at the right
//! file and line.

use lentera_content::{
    CheckReport, Level, LinkTarget, LoadOptions, ProblemCode, QuizFormat, QuizRole, Severity,
    Visibility, load_course_dir, load_course_dir_with, sha256_hex,
};

use crate::support::{TempCourse, assert_problem, fixture};

fn broken(name: &str) -> CheckReport {
    load_course_dir(&fixture(&format!("broken/{name}")))
}

#[test]
fn loads_a_complete_course() {
    let report = load_course_dir(&fixture("courses/pengelolaan-data"));
    assert!(report.problems.is_empty(), "{:#?}", report.problems);
    let course = report.into_result().unwrap();

    let m = &course.manifest;
    assert_eq!(m.slug.as_str(), "pengelolaan-data-spreadsheet");
    assert_eq!(
        (m.level, m.visibility, m.self_enrol),
        (Level::Dasar, Visibility::Public, true)
    );
    assert_eq!(m.jp.as_f64(), 6.0);
    assert_eq!(m.duration_minutes, 270);

    let modules: Vec<(&str, &str, Vec<&str>)> = course
        .modules
        .iter()
        .map(|m| {
            (
                m.id.as_str(),
                m.title.as_str(),
                m.lessons.iter().map(|l| l.id.as_str()).collect(),
            )
        })
        .collect();
    assert_eq!(
        modules,
        [
            (
                "pengantar",
                "Pengantar",
                vec!["apa-itu-data", "tipe-data-dasar"]
            ),
            ("latihan", "Latihan", vec!["rumus", "pivot"]),
        ]
    );
    let tipe = &course.modules[0].lessons[1];
    assert_eq!(
        (tipe.required, tipe.duration_minutes, tipe.body_first_line),
        (false, Some(15), 7)
    );
    assert_eq!(
        course.modules[0].summary.as_deref(),
        Some("Mengenal data dan spreadsheet.")
    );

    let quizzes: Vec<(&str, &str, QuizFormat, QuizRole)> = course
        .quizzes
        .iter()
        .map(|q| (q.id.as_str(), q.path.as_str(), q.format, q.role))
        .collect();
    assert_eq!(
        quizzes,
        [
            (
                "latihan-1",
                "kuis/latihan-1.aiken.txt",
                QuizFormat::Aiken,
                QuizRole::Practice
            ),
            (
                "pretest",
                "kuis/pretest.gift",
                QuizFormat::Gift,
                QuizRole::Pretest
            ),
            (
                "ujian-akhir",
                "kuis/ujian-akhir.quiz.md",
                QuizFormat::Markdown,
                QuizRole::Final
            ),
        ]
    );
    assert!(course.quizzes[2].text.contains("Fungsi untuk menjumlahkan"));
}

#[test]
fn assets_are_read_hashed_typed_and_deduplicated() {
    let course = load_course_dir(&fixture("courses/pengelolaan-data"))
        .into_result()
        .unwrap();
    let summary: Vec<(Vec<&str>, &str, u64)> = course
        .assets
        .iter()
        .map(|a| {
            (
                a.paths.iter().map(String::as_str).collect(),
                a.media_type.as_str(),
                a.size,
            )
        })
        .collect();
    let png = std::fs::read(fixture(
        "courses/pengelolaan-data/01-pengantar/gambar/diagram.png",
    ))
    .unwrap();
    let mut expected = vec![
        (
            vec![
                "01-pengantar/gambar/diagram-salinan.png",
                "01-pengantar/gambar/diagram.png",
            ],
            "image/png",
            png.len() as u64,
        ),
        (vec!["cover.svg"], "image/svg+xml", 0),
        (vec!["lampiran/contoh-data.csv"], "text/csv", 0),
        (
            vec!["lampiran/latihan.xlsx"],
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            0,
        ),
    ];
    for (paths, _, size) in &mut expected {
        if *size == 0 {
            *size = std::fs::metadata(fixture(&format!("courses/pengelolaan-data/{}", paths[0])))
                .unwrap()
                .len();
        }
    }
    let mut summary_sorted = summary.clone();
    summary_sorted.sort();
    assert_eq!(summary_sorted, expected);
    for asset in &course.assets {
        assert_eq!(asset.sha256, sha256_hex(&asset.bytes));
        assert_eq!(asset.size, asset.bytes.len() as u64);
    }
    let cover = std::fs::read(fixture("courses/pengelolaan-data/cover.svg")).unwrap();
    assert_eq!(
        course.cover_sha256.as_deref(),
        Some(sha256_hex(&cover).as_str())
    );

    // The same image under two names is one asset, and both references point at it.
    let png_sha = sha256_hex(&png);
    let first = &course.modules[0].lessons[0].rendered.html;
    let second = &course.modules[0].lessons[1].rendered.html;
    assert!(
        first.contains(&format!("<img src=\"/api/v1/assets/{png_sha}\"")),
        "{first}"
    );
    assert!(
        second.contains(&format!("<img src=\"/api/v1/assets/{png_sha}\"")),
        "{second}"
    );
}

#[test]
fn lessons_link_to_each_other_by_id() {
    let course = load_course_dir(&fixture("courses/pengelolaan-data"))
        .into_result()
        .unwrap();
    let links = &course.modules[0].lessons[0].rendered.links;
    let lesson_targets: Vec<(&str, Option<&str>)> = links
        .iter()
        .filter_map(|l| match &l.target {
            LinkTarget::Lesson {
                lesson_id,
                fragment,
                ..
            } => Some((lesson_id.as_str(), fragment.as_deref())),
            _ => None,
        })
        .collect();
    assert_eq!(
        lesson_targets,
        [("tipe-data-dasar", None), ("rumus", Some("fungsi-sum"))]
    );
    let rumus = &course.modules[1].lessons[0].rendered.html;
    assert!(
        rumus.contains("href=\"/courses/pengelolaan-data-spreadsheet/quizzes/ujian-akhir\""),
        "{rumus}"
    );
    let pivot = &course.modules[1].lessons[1].rendered.html;
    assert!(
        pivot.contains("href=\"/courses/pengelolaan-data-spreadsheet/quizzes/pretest\" data-quiz-id=\"pretest\""),
        "{pivot}"
    );
    assert!(
        course
            .assets
            .iter()
            .all(|a| a.paths.iter().all(|p| !p.ends_with(".gift")))
    );
}

#[test]
fn fingerprints_are_stable_and_follow_content() {
    let a = load_course_dir(&fixture("courses/pengelolaan-data"))
        .into_result()
        .unwrap();
    let b = load_course_dir(&fixture("courses/pengelolaan-data"))
        .into_result()
        .unwrap();
    assert_eq!(a.fingerprint, b.fingerprint);
    let c = load_course_dir(&fixture("courses/carpentries-r"))
        .into_result()
        .unwrap();
    assert_ne!(a.fingerprint, c.fingerprint);
}

#[test]
fn re_rendering_with_another_asset_base() {
    let course = load_course_dir(&fixture("courses/pengelolaan-data"))
        .into_result()
        .unwrap();
    let ctx = course.render_context("https://cdn.example.go.id/a");
    let lesson = &course.modules[0].lessons[0];
    let again = lentera_content::render_lesson(
        &lesson.markdown,
        &ctx.for_lesson(lesson.path.as_str(), lesson.body_first_line),
    );
    assert!(again.problems.is_empty(), "{:?}", again.problems);
    assert!(
        again.html.contains("src=\"https://cdn.example.go.id/a/"),
        "{}",
        again.html
    );
    assert_eq!(again.toc, lesson.rendered.toc);
}

#[test]
fn missing_manifest_still_checks_the_lessons() {
    let report = broken("missing-manifest");
    assert!(report.course.is_none());
    assert_problem(
        &report.problems,
        ProblemCode::MissingManifest,
        "course.toml",
        None,
        None,
    );
    assert_problem(
        &report.problems,
        ProblemCode::BrokenLessonLink,
        "01-modul/01-pelajaran.md",
        Some(5),
        Some(7),
    );
}

#[test]
fn toml_syntax_errors_point_at_the_line() {
    let report = broken("bad-toml");
    assert!(report.course.is_none());
    let p = report
        .problems
        .iter()
        .find(|p| p.code == ProblemCode::InvalidToml)
        .unwrap();
    assert_eq!((p.file.as_str(), p.line), ("course.toml", Some(3)), "{p}");
    assert!(p.column.is_some());
}

#[test]
fn every_missing_field_and_typo_is_reported() {
    let report = broken("missing-field");
    assert!(report.course.is_none());
    let missing: Vec<&str> = report
        .problems
        .iter()
        .filter(|p| p.code == ProblemCode::MissingManifestField)
        .map(|p| p.message.as_str())
        .collect();
    assert_eq!(missing, ["'title' is required", "'jp' is required"]);
    assert_problem(
        &report.problems,
        ProblemCode::UnknownField,
        "course.toml",
        Some(6),
        Some(1),
    );
}

#[test]
fn invalid_slug_and_level() {
    let report = broken("invalid-slug");
    assert_problem(
        &report.problems,
        ProblemCode::InvalidSlug,
        "course.toml",
        Some(1),
        Some(8),
    );
    assert_problem(
        &report.problems,
        ProblemCode::InvalidFieldValue,
        "course.toml",
        Some(5),
        Some(9),
    );
}

#[test]
fn front_matter_problems() {
    let report = broken("bad-front-matter");
    assert!(report.course.is_none());
    let dir = "01-modul";
    assert_problem(
        &report.problems,
        ProblemCode::BadFrontMatter,
        &format!("{dir}/01-yaml-rusak.md"),
        Some(3),
        Some(11),
    );
    assert_problem(
        &report.problems,
        ProblemCode::MissingFrontMatterField,
        &format!("{dir}/02-tanpa-judul.md"),
        Some(2),
        Some(1),
    );
    assert_problem(
        &report.problems,
        ProblemCode::BadFrontMatter,
        &format!("{dir}/03-tidak-ditutup.md"),
        Some(1),
        Some(1),
    );
    assert_problem(
        &report.problems,
        ProblemCode::InvalidLessonId,
        &format!("{dir}/04-id-salah.md"),
        Some(2),
        Some(1),
    );
    let syntax = report
        .problems
        .iter()
        .find(|p| p.file == format!("{dir}/05-sintaks.md"))
        .unwrap();
    assert_eq!(syntax.code, ProblemCode::BadFrontMatter);
    assert!(
        syntax.line.is_some_and(|l| (3..=4).contains(&l)),
        "{syntax}"
    );
    // The good lesson is not blamed.
    assert!(
        report
            .problems
            .iter()
            .all(|p| !p.file.ends_with("06-baik.md"))
    );
}

#[test]
fn broken_links_assets_escapes_and_divs() {
    let report = broken("broken-links");
    assert!(report.course.is_none());
    let file = "01-modul/01-tautan.md";
    let p = &report.problems;
    assert_problem(p, ProblemCode::BrokenLessonLink, file, Some(7), Some(7));
    assert_problem(p, ProblemCode::MissingAsset, file, Some(9), Some(1));
    assert_problem(p, ProblemCode::PathEscapesCourse, file, Some(11), Some(1));
    assert_problem(p, ProblemCode::UnsafeUrl, file, Some(11), Some(36));
    assert_problem(p, ProblemCode::UnknownAnchor, file, Some(13), Some(4));
    assert_problem(p, ProblemCode::UnclosedDiv, file, Some(15), Some(1));
    assert_eq!(p.len(), 6, "{p:#?}");
    assert_eq!(report.errors().count(), 4);
    assert_eq!(report.warnings().count(), 2);
}

#[test]
fn duplicate_lesson_and_module_ids() {
    let report = broken("duplicate-id");
    assert_problem(
        &report.problems,
        ProblemCode::DuplicateLessonId,
        "02-dua/01-mulai.md",
        Some(3),
        Some(1),
    );
    assert_problem(
        &report.problems,
        ProblemCode::DuplicateModuleId,
        "03-satu",
        None,
        None,
    );
    let dup = report
        .problems
        .iter()
        .find(|p| p.code == ProblemCode::DuplicateLessonId)
        .unwrap();
    assert!(dup.message.contains("01-satu/01-pengantar.md"), "{dup}");
}

#[test]
fn quiz_entries_are_checked_but_not_parsed() {
    let report = broken("quiz-problems");
    assert!(report.course.is_none());
    let p = &report.problems;
    assert_problem(
        p,
        ProblemCode::MissingQuizFile,
        "course.toml",
        Some(13),
        Some(8),
    );
    assert_problem(
        p,
        ProblemCode::UnknownQuizFormat,
        "course.toml",
        Some(17),
        Some(8),
    );
    assert_problem(
        p,
        ProblemCode::InvalidFieldValue,
        "course.toml",
        Some(21),
        Some(8),
    );
    assert_problem(
        p,
        ProblemCode::UnknownQuizReference,
        "course.toml",
        Some(10),
        Some(16),
    );
    assert_problem(
        p,
        ProblemCode::InvalidQuizId,
        "kuis/Latihan Dua.gift",
        None,
        None,
    );
}

#[test]
fn explicit_orders() {
    let report = broken("order-problems");
    let p = &report.problems;
    assert_problem(
        p,
        ProblemCode::UnknownOrderEntry,
        "01-modul/module.toml",
        Some(2),
        Some(25),
    );
    assert_problem(
        p,
        ProblemCode::UnknownOrderEntry,
        "course.toml",
        Some(8),
        Some(24),
    );
    assert_problem(
        p,
        ProblemCode::NotInOrder,
        "01-modul/03-ketiga.md",
        None,
        None,
    );
}

#[test]
fn explicit_order_is_followed() {
    let course = TempCourse::new().with_manifest("urutan");
    course
        .write(
            "01-a/module.toml",
            "order = [\"ketiga\", \"01-pertama.md\", \"02-kedua\"]\n",
        )
        .write("01-a/01-pertama.md", "---\ntitle: Satu\n---\nIsi.\n")
        .write("01-a/02-kedua.md", "---\ntitle: Dua\n---\nIsi.\n")
        .write("01-a/10-ketiga.md", "---\ntitle: Tiga\n---\nIsi.\n")
        .write(
            "01-a/gambar/x.md",
            "not a lesson: lessons sit directly in the module folder\n",
        )
        .write("kuis/a.quiz.md", "quiz\n");
    let bundle = load_course_dir(&course.root()).into_result().unwrap();
    let ids: Vec<&str> = bundle.lessons().map(|l| l.id.as_str()).collect();
    assert_eq!(ids, ["ketiga", "pertama", "kedua"]);
    assert_eq!(bundle.modules.len(), 1);
}

#[cfg(unix)]
#[test]
fn symlinks_out_of_the_course_are_refused() {
    let course = TempCourse::new().with_manifest("tautan-simbolik");
    course
        .write(
            "01-a/01-x.md",
            "---\ntitle: X\n---\n\n![rahasia](gambar/rahasia.png)\n",
        )
        .write("01-a/gambar/.keep", "");
    std::fs::write(course.dir.path().join("rahasia.txt"), b"kata sandi").unwrap();
    std::os::unix::fs::symlink(
        course.dir.path().join("rahasia.txt"),
        course.root().join("01-a/gambar/rahasia.png"),
    )
    .unwrap();
    std::os::unix::fs::symlink(course.dir.path(), course.root().join("02-luar")).unwrap();
    let report = load_course_dir(&course.root());
    assert_problem(
        &report.problems,
        ProblemCode::PathEscapesCourse,
        "01-a/01-x.md",
        Some(5),
        Some(1),
    );
    assert_problem(
        &report.problems,
        ProblemCode::SymlinkNotFollowed,
        "02-luar",
        None,
        None,
    );
    assert!(report.course.is_none());
}

#[test]
fn encodings_formats_and_stray_files() {
    let course = TempCourse::new().with_manifest("berkas-aneh");
    course
        .write("01-a/01-baik.md", "---\ntitle: Baik\n---\nIsi.\n")
        .write(
            "01-a/02-latin1.md",
            b"---\ntitle: Caf\xe9\n---\n".as_slice(),
        )
        .write("01-a/03-analisis.Rmd", "---\ntitle: R\n---\n")
        .write("catatan.md", "# bukan pelajaran\n")
        .write("README.md", "# repositori\n")
        .write("02-kosong/module.toml", "title = \"Kosong\"\n");
    let report = load_course_dir(&course.root());
    let p = &report.problems;
    assert_problem(
        p,
        ProblemCode::InvalidEncoding,
        "01-a/02-latin1.md",
        Some(2),
        Some(11),
    );
    assert_problem(
        p,
        ProblemCode::UnsupportedLessonFormat,
        "01-a/03-analisis.Rmd",
        None,
        None,
    );
    assert_problem(
        p,
        ProblemCode::LessonOutsideModule,
        "catatan.md",
        None,
        None,
    );
    assert_problem(p, ProblemCode::EmptyModule, "02-kosong", None, None);
    assert!(p.iter().all(|p| p.file != "README.md"), "{p:#?}");
}

#[test]
fn size_limits() {
    let course = TempCourse::new().with_manifest("berkas-besar");
    course
        .write("01-a/01-x.md", "---\ntitle: X\n---\n\n[unduh](besar.pdf)\n")
        .write("01-a/besar.pdf", vec![b'x'; 2048]);
    let options = LoadOptions {
        max_file_bytes: 1024,
        ..LoadOptions::default()
    };
    let report = load_course_dir_with(&course.root(), &options);
    assert_problem(
        &report.problems,
        ProblemCode::AssetTooLarge,
        "01-a/01-x.md",
        Some(5),
        Some(1),
    );
}

#[test]
fn an_empty_or_missing_folder() {
    let course = TempCourse::new().with_manifest("kosong");
    let report = load_course_dir(&course.root());
    assert_problem(&report.problems, ProblemCode::EmptyCourse, "", None, None);
    let missing = load_course_dir(&course.dir.path().join("tidak-ada"));
    assert_problem(
        &missing.problems,
        ProblemCode::CourseDirUnreadable,
        "",
        None,
        None,
    );
}

#[test]
fn problems_serialise_with_stable_codes() {
    let report = broken("broken-links");
    let p = report
        .problems
        .iter()
        .find(|p| p.code == ProblemCode::MissingAsset)
        .unwrap();
    let json = toml::to_string(p).unwrap();
    assert!(json.contains("code = \"missing_asset\""), "{json}");
    assert!(json.contains("severity = \"error\""), "{json}");
    assert_eq!(p.severity, Severity::Error);
    let err = report.into_result().unwrap_err();
    assert!(
        err.to_string().starts_with(
            "4 error(s) in the course; first: 01-modul/01-tautan.md:7:7: error[broken_lesson_link]"
        ),
        "{err}"
    );
}

/// The first fenced block of `lang` in docs/AUTHORING.md.
fn authoring_example(lang: &str) -> String {
    let guide = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/AUTHORING.md"),
    )
    .unwrap();
    let start = guide.find(&format!("```{lang}\n")).unwrap() + lang.len() + 4;
    // The lesson example itself contains ``` fences; the block ends at a ``` line that is
    // followed by a blank line and prose.
    let body = &guide[start..];
    let end = body.find("\n```\n\n").unwrap();
    body[..end + 1].to_owned()
}

#[test]
fn the_authoring_guide_example_loads_cleanly() {
    let course = TempCourse::new();
    course
        .write("course.toml", authoring_example("toml"))
        .write(
            "01-pengantar/01-apa-itu-data.md",
            authoring_example("markdown"),
        )
        .write("01-pengantar/gambar/diagram.png", b"png")
        .write(
            "02-latihan/01-rumus.md",
            "---\ntitle: Rumus Dasar\n---\n\n## Fungsi SUM\n",
        )
        .write("lampiran/contoh-data.xlsx", b"xlsx")
        .write("cover.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>")
        .write("kuis/ujian-akhir.quiz.md", "quiz\n")
        .write("kuis/pretest.gift", "quiz\n");
    let report = load_course_dir(&course.root());
    assert!(report.problems.is_empty(), "{:#?}", report.problems);
    let bundle = report.into_result().unwrap();
    let html = &bundle.modules[0].lessons[0].rendered.html;
    for expected in [
        "callout-tip",
        "callout-challenge",
        "callout-solution",
        "math-inline",
        "<table>",
        "footnotes",
        "data-lesson-id=\"rumus\"",
    ] {
        assert!(html.contains(expected), "{expected} missing in {html}");
    }
}
