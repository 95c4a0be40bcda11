//! The Markdown quiz format.

use lentera_quiz::{
    GradingMethod, NumericValue, OrderingScoring, ProblemCode, QuestionKind, QuizDocument,
    QuizRole, Response, ReviewLevel, Section, Severity, TextFormat, grade, parse_quiz_markdown,
};

use crate::support::{by_title, fixture, option_id, options, s, some};

fn doc() -> QuizDocument {
    let doc = parse_quiz_markdown(&fixture("semua-tipe.quiz.md"), "semua-tipe");
    assert!(
        doc.problems.is_empty(),
        "unexpected problems: {:#?}",
        doc.problems
    );
    doc
}

#[test]
fn front_matter_becomes_the_quiz_spec() {
    let d = doc();
    let spec = &d.spec;
    assert_eq!(spec.id, "semua-tipe");
    assert_eq!(spec.title, "Kuis Contoh Semua Tipe Soal");
    assert_eq!(spec.role, QuizRole::Posttest);
    assert_eq!(spec.time_limit_minutes, Some(20));
    assert_eq!(spec.max_attempts, Some(3));
    assert_eq!(spec.pass_mark_percent, Some(70.0));
    assert_eq!(spec.grading_method, GradingMethod::Highest);
    assert!(spec.shuffle_questions && spec.shuffle_options);
    assert_eq!(spec.review_policy.immediately, ReviewLevel::Score);
    assert_eq!(spec.review_policy.after_close, ReviewLevel::Feedback);
    // No sections: every question, in file order.
    let Section::Fixed { questions, .. } = &spec.sections[0] else {
        panic!()
    };
    assert_eq!(questions.len(), d.questions.len());
    assert_eq!(
        d.intro.as_deref(),
        Some("Bacalah setiap soal dengan teliti. Waktu **20 menit**.")
    );
}

#[test]
fn every_type_is_recognised() {
    let d = doc();
    let types: Vec<(&str, &str)> = d
        .questions
        .iter()
        .map(|q| (q.id.as_str(), q.type_name()))
        .collect();
    assert_eq!(
        types,
        [
            ("ibu-kota", "single"),
            ("sila-pancasila", "multiple"),
            ("proklamasi", "truefalse"),
            ("nip", "truefalse"),
            ("lembaga", "short"),
            ("kecamatan", "numeric"),
            ("nilai-pi", "numeric"),
            ("rentang-jp", "numeric"),
            ("pasangan", "matching"),
            ("siklus-anggaran", "ordering"),
            ("refleksi", "essay"),
            ("petunjuk-bagian-akhir", "description"),
        ]
    );
    assert!(
        d.questions
            .iter()
            .all(|q| q.text_format == TextFormat::Markdown)
    );
}

#[test]
fn single_choice_with_feedback_partial_credit_and_points() {
    let d = doc();
    let q = by_title(&d.questions, "Ibu kota");
    assert_eq!(q.default_points, 2.0);
    assert_eq!(q.text, "Apa ibu kota Republik Indonesia?");
    assert_eq!(q.category.as_deref(), Some("Dasar"));
    assert_eq!(
        options(q),
        [
            (
                s("Jakarta"),
                1.0,
                some("Benar. Jakarta ditetapkan sebagai ibu kota sejak 1945.")
            ),
            (
                s("Bandung"),
                0.0,
                some("Bandung adalah ibu kota Provinsi Jawa Barat.")
            ),
            (
                s("Batavia"),
                0.5,
                some("Hampir: itu nama Jakarta pada masa kolonial.")
            ),
            (s("Surabaya"), 0.0, None),
        ]
    );
    assert_eq!(
        q.general_feedback.as_deref(),
        Some("Ibu kota negara diatur dalam undang-undang.")
    );
    assert_eq!(q.source_line, Some(19));
    assert_eq!(
        grade(
            q,
            &Response::SingleChoice {
                option: option_id(q, "Batavia")
            }
        )
        .points,
        1.0
    );
}

#[test]
fn multiple_response_defaults_penalise_wrong_options() {
    let d = doc();
    let q = by_title(&d.questions, "Sila Pancasila");
    assert_eq!(
        options(q),
        [
            (s("Ketuhanan Yang Maha Esa"), 0.5, None),
            (s("Persatuan Indonesia"), 0.5, None),
            (
                s("Bhinneka Tunggal Ika"),
                -0.5,
                some("Itu semboyan negara, bukan sila.")
            ),
            (s("Tut Wuri Handayani"), -0.5, None),
        ]
    );
    let all = Response::MultipleResponse {
        options: lentera_quiz::Question::option_ids(q)
            .into_iter()
            .cloned()
            .collect(),
    };
    assert_eq!(
        grade(q, &all).points,
        0.0,
        "ticking everything earns nothing"
    );
}

#[test]
fn true_false_from_options_or_answer_line() {
    let d = doc();
    let QuestionKind::TrueFalse {
        correct,
        feedback_true,
        feedback_false,
    } = &by_title(&d.questions, "Proklamasi").kind
    else {
        panic!()
    };
    assert_eq!(
        (*correct, feedback_true.clone(), feedback_false.clone()),
        (
            true,
            some("Tepat, 17 Agustus 1945."),
            some("Periksa kembali tanggal proklamasi.")
        )
    );
    let QuestionKind::TrueFalse { correct, .. } = &by_title(&d.questions, "NIP").kind else {
        panic!()
    };
    assert!(*correct);
}

#[test]
fn short_answer_numeric_matching_ordering_essay_description() {
    let d = doc();
    let q = by_title(&d.questions, "Lembaga");
    let QuestionKind::ShortAnswer {
        answers,
        case_sensitive,
        normalise_whitespace,
    } = &q.kind
    else {
        panic!()
    };
    let got: Vec<_> = answers
        .iter()
        .map(|a| (a.text.clone(), a.weight, a.feedback.clone()))
        .collect();
    assert_eq!(
        got,
        [
            (s("BKPSDM"), 1.0, None),
            (
                s("BKD"),
                0.5,
                some("BKD adalah nama lama di banyak daerah.")
            )
        ]
    );
    assert!(!case_sensitive && *normalise_whitespace);
    assert_eq!(q.category.as_deref(), Some("Lanjut"));
    assert_eq!(
        grade(
            q,
            &Response::ShortAnswer {
                text: "bkpsdm".into()
            }
        )
        .points,
        1.0
    );

    let numeric = |t: &str| match &by_title(&d.questions, t).kind {
        QuestionKind::Numeric { answers, .. } => answers
            .iter()
            .map(|a| (a.value, a.feedback.clone()))
            .collect::<Vec<_>>(),
        other => panic!("{other:?}"),
    };
    assert_eq!(
        numeric("Kecamatan")[0].0,
        NumericValue::Exact {
            value: 8.0,
            tolerance: 0.0
        }
    );
    assert!(
        numeric("Kecamatan")[0]
            .1
            .as_deref()
            .unwrap()
            .starts_with("Mersam")
    );
    assert_eq!(
        numeric("Nilai pi"),
        [(
            NumericValue::Exact {
                value: 3.14,
                tolerance: 0.01
            },
            None
        )]
    );
    assert_eq!(by_title(&d.questions, "Nilai pi").default_points, 1.5);
    assert_eq!(
        numeric("Rentang JP"),
        [(NumericValue::Range { min: 1.0, max: 3.0 }, None)]
    );

    let QuestionKind::Matching { pairs, choices, .. } = &by_title(&d.questions, "Pasangan").kind
    else {
        panic!()
    };
    assert_eq!(
        pairs.iter().map(|p| p.prompt.as_str()).collect::<Vec<_>>(),
        ["OPD", "ASN", "JP"]
    );
    assert_eq!(
        choices.len(),
        4,
        "the distractor `Jabatan Pimpinan` is a choice"
    );

    let QuestionKind::Ordering { items, scoring } = &by_title(&d.questions, "Siklus anggaran").kind
    else {
        panic!()
    };
    assert_eq!(
        items.iter().map(|i| i.text.as_str()).collect::<Vec<_>>(),
        [
            "Perencanaan",
            "Penganggaran",
            "Pelaksanaan",
            "Pertanggungjawaban"
        ]
    );
    assert_eq!(*scoring, OrderingScoring::AbsolutePosition);
    assert_eq!(
        by_title(&d.questions, "Siklus anggaran").text,
        "Urutkan tahapan siklus anggaran daerah."
    );

    let essay = by_title(&d.questions, "Refleksi");
    let QuestionKind::Essay { grader_info, .. } = &essay.kind else {
        panic!()
    };
    assert_eq!(
        grader_info.as_deref(),
        Some("Nilai penuh bila menyebut perubahan yang konkret dan dampaknya.")
    );
    assert_eq!(essay.default_points, 5.0);

    let desc = by_title(&d.questions, "Petunjuk bagian akhir");
    assert!(
        desc.text.contains("## ini bukan judul soal"),
        "code blocks are text: {}",
        desc.text
    );
    assert_eq!(desc.default_points, 0.0);
}

#[test]
fn draw_sections_in_yaml_and_toml() {
    let yaml = "---\ntitle: Acak\nsections:\n  - draw: 2\n    category: Dasar\n    points: 2\n  - questions: [akhir]\n---\n# Dasar\n## A\nA?\n\nJawaban: a\n## B\nB?\n\nJawaban: b\n## C\nC?\n\nJawaban: c\n# Lain\n## Akhir\nZ?\n\nJawaban: z\n";
    let d = parse_quiz_markdown(yaml, "acak");
    assert!(d.problems.is_empty(), "{:?}", d.problems);
    assert_eq!(
        d.spec.sections,
        [
            Section::Draw {
                category: "Dasar".into(),
                count: 2,
                points: Some(2.0)
            },
            Section::Fixed {
                questions: vec!["akhir".into()],
                points: None
            },
        ]
    );
    let toml = "+++\ntitle = \"Acak\"\nshuffle = true\n[[sections]]\ndraw = 2\ncategory = \"Dasar\"\n+++\n# Dasar\n## A\nA?\n\nJawaban: a\n## B\nB?\n\nJawaban: b\n";
    let d = parse_quiz_markdown(toml, "acak");
    assert!(d.problems.is_empty(), "{:?}", d.problems);
    assert!(d.spec.shuffle_questions && d.spec.shuffle_options);
    assert_eq!(
        d.spec.sections,
        [Section::Draw {
            category: "Dasar".into(),
            count: 2,
            points: None
        }]
    );
}

fn codes(d: &QuizDocument) -> Vec<(u32, ProblemCode, Severity)> {
    d.problems
        .iter()
        .map(|p| (p.line, p.code, p.severity))
        .collect()
}

#[test]
fn front_matter_problems_point_at_their_line() {
    let d = parse_quiz_markdown(
        "---\ntitle: X\nmax_attempts: banyak\n---\n## A\nA?\n\nJawaban: a\n",
        "x",
    );
    assert_eq!(
        codes(&d),
        [(3, ProblemCode::FrontMatterInvalid, Severity::Error)]
    );
    assert_eq!(d.questions.len(), 1, "questions are still read");

    let d = parse_quiz_markdown(
        "---\ntitle: X\nwaktu: 30\npass_mark_percent: 120\n---\n## A\nA?\n\nJawaban: a\n",
        "x",
    );
    assert_eq!(
        codes(&d),
        [
            (3, ProblemCode::UnknownSetting, Severity::Warning),
            (4, ProblemCode::FrontMatterInvalid, Severity::Error)
        ]
    );

    let d = parse_quiz_markdown("---\ntitle: X\n## A\n", "x");
    assert_eq!(
        codes(&d),
        [(1, ProblemCode::FrontMatterUnclosed, Severity::Error)]
    );

    let d = parse_quiz_markdown(
        "---\ntitle: X\nsections:\n  - draw: 3\n    category: Dasar\n  - questions: [nope]\n---\n# Dasar\n## A\nA?\n\nJawaban: a\n",
        "x",
    );
    assert_eq!(
        codes(&d),
        [(3, ProblemCode::UnknownQuestion, Severity::Error)]
    );
    let d = parse_quiz_markdown(
        "---\ntitle: X\nsections:\n  - draw: 3\n    category: Dasar\n---\n# Dasar\n## A\nA?\n\nJawaban: a\n",
        "x",
    );
    assert_eq!(
        codes(&d),
        [(3, ProblemCode::NotEnoughQuestions, Severity::Error)]
    );
    let d = parse_quiz_markdown(
        "+++\ntitle = \"X\"\nmax_attempts = \"dua\"\n+++\n## A\nA?\n\nJawaban: a\n",
        "x",
    );
    assert_eq!(
        codes(&d),
        [(3, ProblemCode::FrontMatterInvalid, Severity::Error)]
    );
}

#[test]
fn question_problems_point_at_their_line() {
    let src = "\
---
title: Rusak
---
## Tanpa jawaban

Apa ini?

## Tipe aneh {type=puzzle}

Soal?

## Tidak ada yang benar

Pilih:

- [ ] a
- [ ] b

## Satu opsi

- [x] a

## Poin salah {points=dua}

Soal?

Jawaban: x

## Angka salah {type=numeric}

Berapa?

Jawaban: delapan

## Atribut asing {warna=merah}

Soal?

- [x] a
- [ ] b
stray line

## Pasangan rusak {type=matching}

Cocokkan:

- a -> 1
- b ->

## Tunggal ganda {type=single}

Soal?

- [x] a
- [x] b
";
    let d = parse_quiz_markdown(src, "rusak");
    assert_eq!(
        codes(&d),
        [
            (4, ProblemCode::MissingAnswer, Severity::Error),
            (8, ProblemCode::UnknownType, Severity::Error),
            (12, ProblemCode::NoCorrectAnswer, Severity::Error),
            (19, ProblemCode::TooFewOptions, Severity::Error),
            (23, ProblemCode::BadPoints, Severity::Error),
            (33, ProblemCode::BadNumeric, Severity::Error),
            (35, ProblemCode::UnknownAttribute, Severity::Warning),
            (41, ProblemCode::IgnoredText, Severity::Warning),
            (48, ProblemCode::BadMatchingPair, Severity::Error),
            (50, ProblemCode::TypeMismatch, Severity::Error),
        ]
    );
    assert_eq!(
        d.questions
            .iter()
            .map(|q| q.title.as_str())
            .collect::<Vec<_>>(),
        ["Atribut asing"]
    );
}

#[test]
fn explicit_option_ids_weights_shuffle_and_case() {
    let src = "## Soal {#s1 shuffle=false case=sensitive}\n\nPilih:\n\n- [x] (100%) Ya {#ya}\n- [ ] (-50%) Tidak {#tidak}\n- [ ] Mungkin\n";
    let d = parse_quiz_markdown(src, "k");
    // No title in front matter: a warning, not an error.
    assert_eq!(
        codes(&d),
        [(1, ProblemCode::UnknownSetting, Severity::Warning)]
    );
    let q = &d.questions[0];
    assert_eq!(q.id.as_str(), "s1");
    let QuestionKind::SingleChoice { choices, shuffle } = &q.kind else {
        panic!()
    };
    assert!(!shuffle);
    assert_eq!(choices[0].id.as_str(), "ya");
    assert_eq!(choices[1].weight, -0.5);
    let short = parse_quiz_markdown(
        "## S {case=sensitive whitespace=exact}\n\nKode?\n\nJawaban: AbC | (50%) abc\n",
        "k",
    );
    let QuestionKind::ShortAnswer {
        answers,
        case_sensitive,
        normalise_whitespace,
    } = &short.questions[0].kind
    else {
        panic!()
    };
    assert!(*case_sensitive && !normalise_whitespace);
    assert_eq!(answers.len(), 2);
    assert_eq!(
        grade(
            &short.questions[0],
            &Response::ShortAnswer { text: "abc".into() }
        )
        .points,
        0.5
    );
}

#[test]
fn duplicate_ids_get_suffixes_with_a_warning() {
    let d = parse_quiz_markdown(
        "---\ntitle: T\n---\n## Sama\nA?\n\nJawaban: a\n## Sama\nB?\n\nJawaban: b\n## X {#sama}\nC?\n\nJawaban: c\n",
        "k",
    );
    let ids: Vec<&str> = d.questions.iter().map(|q| q.id.as_str()).collect();
    assert_eq!(ids, ["sama", "sama-2", "sama-3"]);
    assert_eq!(
        codes(&d),
        [(12, ProblemCode::DuplicateId, Severity::Warning)]
    );
}

#[test]
fn separators_between_questions_are_not_content() {
    let d = parse_quiz_markdown(
        "---\ntitle: T\n---\n## A\nA?\n\n- [x] a\n- [ ] b\n\nPembahasan: umum\n\n---\n\n## B {type=essay}\nTulis.\n\n***\n",
        "k",
    );
    assert!(d.problems.is_empty(), "{:?}", d.problems);
    assert_eq!(d.questions[0].general_feedback.as_deref(), Some("umum"));
    assert_eq!(d.questions[1].text, "Tulis.");
}

#[test]
fn arrows_in_the_text_of_a_choice_question_stay_text() {
    let d = parse_quiz_markdown(
        "---\ntitle: T\n---\n## Alur\n\nPerhatikan alur berikut:\n\n- Usulan -> Verifikasi\n- Verifikasi -> Penetapan\n\nTahap kedua adalah ...\n\n- [x] Verifikasi\n- [ ] Usulan\n",
        "k",
    );
    assert!(d.problems.is_empty(), "{:?}", d.problems);
    assert_eq!(d.questions[0].type_name(), "single");
    assert!(d.questions[0].text.contains("- Usulan -> Verifikasi"));
}
