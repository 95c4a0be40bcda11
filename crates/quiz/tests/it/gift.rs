//! GIFT: the all-constructs fixture, and broken files.

use lentera_quiz::{
    BLANK_MARKER, NumericAnswer, NumericValue, ProblemCode, Question, QuestionKind, Response,
    Severity, TextFormat, grade, parse_gift,
};

use crate::support::{by_title, fixture, option_id, options, s, some};

fn all() -> Vec<Question> {
    let out = parse_gift(&fixture("all-constructs.gift"));
    assert!(
        out.problems.is_empty(),
        "unexpected problems: {:#?}",
        out.problems
    );
    out.questions
}

#[test]
fn imports_every_question_of_the_fixture_in_order() {
    let qs = all();
    let types: Vec<&str> = qs.iter().map(|q| q.type_name()).collect();
    assert_eq!(
        types,
        [
            "single",
            "single",
            "single",
            "multiple",
            "truefalse",
            "truefalse",
            "truefalse",
            "truefalse",
            "truefalse",
            "short",
            "short",
            "matching",
            "numeric",
            "numeric",
            "numeric",
            "essay",
            "description",
            "single",
            "single",
            "truefalse",
            "truefalse",
            "single",
            "truefalse",
            "single",
        ]
    );
    // Ids: from the title when there is one, else the position; all unique.
    assert_eq!(qs[0].id.as_str(), "q1");
    assert_eq!(qs[1].id.as_str(), "grants-tomb");
    assert_eq!(qs[2].id.as_str(), "q3");
    // Source lines point at the question.
    assert_eq!(qs[0].source_line, Some(7));
    assert_eq!(qs[1].source_line, Some(10));
}

#[test]
fn multiple_choice_and_categories() {
    let qs = all();
    let q = &qs[0];
    assert_eq!(q.text, "Who's buried in Grant's tomb?");
    assert_eq!(
        q.title, "Who's buried in Grant's tomb?",
        "no title: the text becomes the title"
    );
    assert_eq!(
        q.category.as_deref(),
        Some("Umum/Pengetahuan"),
        "$course$/top/ is removed"
    );
    assert_eq!(
        q.text_format,
        TextFormat::Moodle,
        "GIFT's default format is Moodle's auto-format"
    );
    assert_eq!(q.default_points, 1.0);
    assert_eq!(
        options(q),
        [
            (s("Grant"), 1.0, None),
            (s("no one"), 0.0, None),
            (s("Napoleon"), 0.0, None),
            (s("Churchill"), 0.0, None),
            (s("Mother Teresa"), 0.0, None)
        ]
    );
}

#[test]
fn answer_feedback_and_general_feedback() {
    let qs = all();
    let q = by_title(&qs, "Grants tomb");
    assert_eq!(q.text, "Who is buried in Grant's tomb in New York City?");
    assert_eq!(
        options(q),
        [
            (s("Grant"), 1.0, some("Correct!")),
            (s("No one"), 0.0, some("Was true for 12 years")),
            (s("Napoleon"), 0.0, some("He was buried in France")),
        ]
    );
    assert_eq!(
        q.general_feedback.as_deref(),
        Some("Grant's remains were moved to the tomb in 1897.")
    );
    let g = grade(
        q,
        &Response::SingleChoice {
            option: option_id(q, "Napoleon"),
        },
    );
    assert_eq!(g.feedback.answer, ["He was buried in France"]);
    assert_eq!(
        g.feedback.general.as_deref(),
        Some("Grant's remains were moved to the tomb in 1897.")
    );
}

#[test]
fn missing_word_keeps_a_blank_in_the_text() {
    let qs = all();
    assert_eq!(
        qs[2].text,
        format!("Moodle costs {BLANK_MARKER} to download from moodle.org.")
    );
    assert!(qs[2].has_blank());
    assert_eq!(
        options(&qs[2]),
        [
            (s("lots of money"), 0.0, None),
            (s("nothing"), 1.0, None),
            (s("a small amount"), 0.0, None)
        ]
    );
    assert_eq!(qs[10].text, format!("Two plus {BLANK_MARKER} equals four."));
    let QuestionKind::ShortAnswer { answers, .. } = &qs[10].kind else {
        panic!()
    };
    assert_eq!(
        answers.iter().map(|a| a.text.as_str()).collect::<Vec<_>>(),
        ["two", "2"]
    );
}

#[test]
fn multiple_response_weights_with_penalties() {
    let qs = all();
    let q = by_title(&qs, "Two people");
    assert!(matches!(q.kind, QuestionKind::MultipleResponse { .. }));
    assert_eq!(
        options(q),
        [
            (s("No one"), -1.0, None),
            (s("Grant"), 0.5, None),
            (s("Grant's wife"), 0.5, None),
            (s("Grant's father"), -1.0, None)
        ]
    );
    let pick = |texts: &[&str]| Response::MultipleResponse {
        options: texts.iter().map(|t| option_id(q, t)).collect(),
    };
    assert_eq!(grade(q, &pick(&["Grant", "Grant's wife"])).points, 1.0);
    assert_eq!(grade(q, &pick(&["Grant"])).points, 0.5);
    assert_eq!(grade(q, &pick(&["Grant", "No one"])).points, 0.0);
}

#[test]
fn true_false_forms_and_feedback() {
    let qs = all();
    let tf = |title: &str| match &by_title(&qs, title).kind {
        QuestionKind::TrueFalse {
            correct,
            feedback_true,
            feedback_false,
        } => (*correct, feedback_true.clone(), feedback_false.clone()),
        other => panic!("{other:?}"),
    };
    assert_eq!(tf("TF short"), (true, None, None));
    assert_eq!(tf("TF false"), (false, None, None));
    assert_eq!(tf("TF long true"), (true, None, None));
    assert_eq!(tf("TF short false"), (false, None, None));
    // {T#wrong#right}: the first feedback is for a wrong answer (here "false").
    assert_eq!(
        tf("TF feedback"),
        (true, some("Yes, well done."), some("No, it is true."))
    );
    assert_eq!(by_title(&qs, "TF feedback").text, "1+1=2");
}

#[test]
fn short_answer_with_weights_and_feedback() {
    let qs = all();
    let q = by_title(&qs, "Short");
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
            (s("Grant"), 1.0, None),
            (s("Ulysses S. Grant"), 1.0, None),
            (s("Ulysses"), 0.5, some("Half: give the full name."))
        ]
    );
    assert!(
        !case_sensitive && *normalise_whitespace,
        "Moodle's default: case-insensitive"
    );
    assert_eq!(
        grade(
            q,
            &Response::ShortAnswer {
                text: "ulysses  s. grant".into()
            }
        )
        .points,
        1.0
    );
}

#[test]
fn matching_pairs_and_distractors() {
    let qs = all();
    let q = by_title(&qs, "Capitals");
    let QuestionKind::Matching { pairs, choices, .. } = &q.kind else {
        panic!()
    };
    let text = |id: &lentera_quiz::OptionId| {
        choices
            .iter()
            .find(|c| c.id == *id)
            .map(|c| c.text.clone())
            .unwrap()
    };
    let got: Vec<(String, String)> = pairs
        .iter()
        .map(|p| (p.prompt.clone(), text(&p.answer)))
        .collect();
    assert_eq!(
        got,
        [
            (s("Canada"), s("Ottawa")),
            (s("Italy"), s("Rome")),
            (s("Japan"), s("Tokyo"))
        ]
    );
    assert!(
        choices.iter().any(|c| c.text == "Sydney"),
        "the distractor is offered"
    );
    assert_eq!(
        q.general_feedback.as_deref(),
        Some("Sydney is not a capital.")
    );
}

#[test]
fn numeric_tolerance_range_and_weighted_answers() {
    let qs = all();
    let numeric = |title: &str| match &by_title(&qs, title).kind {
        QuestionKind::Numeric {
            answers,
            other_feedback,
        } => (answers.clone(), other_feedback.clone()),
        other => panic!("{other:?}"),
    };
    assert_eq!(
        numeric("Pi"),
        (
            vec![NumericAnswer {
                value: NumericValue::Exact {
                    value: 3.1415,
                    tolerance: 0.0005
                },
                weight: 1.0,
                feedback: None
            }],
            None
        )
    );
    assert_eq!(
        numeric("Range"),
        (
            vec![NumericAnswer {
                value: NumericValue::Range { min: 1.0, max: 5.0 },
                weight: 1.0,
                feedback: None
            }],
            None
        )
    );
    assert_eq!(
        numeric("Grant born"),
        (
            vec![
                NumericAnswer {
                    value: NumericValue::Exact {
                        value: 1822.0,
                        tolerance: 0.0
                    },
                    weight: 1.0,
                    feedback: some("Correct!")
                },
                NumericAnswer {
                    value: NumericValue::Exact {
                        value: 1822.0,
                        tolerance: 2.0
                    },
                    weight: 0.5,
                    feedback: some("Close: he was born in 1822."),
                },
            ],
            some("Look it up.")
        )
    );
    let q = by_title(&qs, "Grant born");
    assert_eq!(
        grade(
            q,
            &Response::Numeric {
                input: "1821".into()
            }
        )
        .points,
        0.5
    );
    assert_eq!(
        grade(
            q,
            &Response::Numeric {
                input: "1900".into()
            }
        )
        .feedback
        .answer,
        ["Look it up."]
    );
}

#[test]
fn essay_description_and_formats() {
    let qs = all();
    let essay = by_title(&qs, "Essay");
    assert!(matches!(essay.kind, QuestionKind::Essay { .. }));
    assert_eq!(essay.text, "Write a short biography of Dag Hammarskjöld.");
    let intro = by_title(&qs, "Intro");
    assert!(matches!(intro.kind, QuestionKind::Description));
    assert_eq!(intro.default_points, 0.0);
    assert_eq!(
        intro.text,
        "You can use your pencil and paper for these next math questions."
    );
    let fmt = |t: &str| (by_title(&qs, t).text_format, by_title(&qs, t).text.clone());
    assert_eq!(
        fmt("Markdown"),
        (TextFormat::Markdown, s("Which is **bold**?"))
    );
    assert_eq!(fmt("HTML"), (TextFormat::Html, s("<p>Pick <b>one</b></p>")));
    assert_eq!(fmt("Plain"), (TextFormat::Plain, s("Just text")));
    assert_eq!(
        fmt("Moodle"),
        (TextFormat::Moodle, s("Auto-formatted text"))
    );
    assert_eq!(
        options(by_title(&qs, "Markdown")),
        [(s("this"), 1.0, None), (s("that"), 0.0, None)]
    );
    assert_eq!(
        options(by_title(&qs, "HTML")),
        [(s("A"), 1.0, None), (s("B"), 0.0, None)]
    );
    for (title, value) in [("Plain", true), ("Moodle", false)] {
        let QuestionKind::TrueFalse { correct, .. } = by_title(&qs, title).kind else {
            panic!()
        };
        assert_eq!(correct, value, "{title}");
    }
}

#[test]
fn escapes_ids_tags_and_multi_line_text() {
    let qs = all();
    let q = by_title(&qs, "Escapes: all");
    assert_eq!(
        q.text,
        "Curly braces { } mark answers; ~ = # are special.\nA new line."
    );
    assert_eq!(
        options(q),
        [(s("a = b"), 1.0, some("it # is")), (s("c ~ d"), 0.0, None)]
    );
    let tagged = by_title(&qs, "Tagged");
    assert_eq!(tagged.id.as_str(), "grant-id");
    assert_eq!(tagged.tags, ["sejarah", "amerika"]);
    assert_eq!(tagged.category.as_deref(), Some("Umum/Lanjut"));
    let multi = by_title(&qs, "Multi line");
    assert_eq!(multi.text, "This question\nspans three lines.");
    assert_eq!(
        options(multi),
        [(s("yes"), 1.0, None), (s("no"), 0.0, None)]
    );
    assert_eq!(multi.source_line, Some(93));
}

const BROKEN: &str = "\
::Fine:: Before the errors {T}

::Unclosed:: What is 1+1? {=2 ~3

::No right:: Pick one {~a ~b}

::No answer:: The capital is {Jakarta}.

::Empty answer:: Name it {=}

::Bad weight:: Pick {~%abc%a =b}

::Too heavy:: Pick {~%150%a =b}

::Bad numeric:: How many? {#abc}

::Half range:: How many? {#1..}

::Comma:: How much? {#3,5}

::Stray:: A closing } brace

::Nested:: Braces {=a {b}}

::Twice:: One {=a ~b} and two {=c ~d}

::Pairs:: Match {=a -> 1 =b}

$QUESTION: not a thing

::Fine too:: After the errors {F}
";

#[test]
fn broken_file_gets_line_numbered_errors_and_keeps_the_good_questions() {
    let out = parse_gift(BROKEN);
    let errors: Vec<(u32, ProblemCode)> = out
        .problems
        .iter()
        .filter(|p| p.severity == Severity::Error)
        .map(|p| (p.line, p.code))
        .collect();
    assert_eq!(
        errors,
        [
            (3, ProblemCode::UnclosedBrace),
            (5, ProblemCode::NoCorrectAnswer),
            (7, ProblemCode::MissingAnswer),
            (9, ProblemCode::MissingAnswer),
            (11, ProblemCode::BadWeight),
            (13, ProblemCode::BadWeight),
            (15, ProblemCode::BadNumeric),
            (17, ProblemCode::BadNumeric),
            (19, ProblemCode::BadNumeric),
            (21, ProblemCode::UnmatchedBrace),
            (23, ProblemCode::NestedBrace),
            (25, ProblemCode::MultipleAnswerBlocks),
            (27, ProblemCode::BadMatchingPair),
        ]
    );
    // Columns point at the construct: the unclosed `{` of line 3 is at column 27.
    let unclosed = out
        .problems
        .iter()
        .find(|p| p.code == ProblemCode::UnclosedBrace)
        .unwrap();
    assert_eq!(unclosed.column, 27);
    let comma = out.problems.iter().find(|p| p.line == 19).unwrap();
    assert!(comma.message.contains("dot"), "{}", comma.message);
    // The unknown `$QUESTION:` construct is a warning with its line, not a silent drop.
    let warnings: Vec<(u32, ProblemCode)> = out
        .problems
        .iter()
        .filter(|p| p.severity == Severity::Warning)
        .map(|p| (p.line, p.code))
        .collect();
    assert_eq!(warnings, [(29, ProblemCode::UnknownConstruct)]);
    let titles: Vec<&str> = out.questions.iter().map(|q| q.title.as_str()).collect();
    assert_eq!(titles, ["Fine", "Fine too"]);
}

#[test]
fn warnings_for_things_that_do_not_map() {
    let out = parse_gift(
        "::Odd:: [latex]Pick {~%40%a ~%40%b ~c}\n\n::Pairs:: Match {=a -> 1 #fb =b -> 2 =%50%c -> 3}\n\n::Untitled Pick {=a ~b}\n\n::Lead:: Pick {junk =a ~b}\n",
    );
    let found: Vec<(u32, ProblemCode)> = out.problems.iter().map(|p| (p.line, p.code)).collect();
    assert_eq!(
        found,
        [
            (1, ProblemCode::UnknownFormat),
            (1, ProblemCode::WeightsDoNotAddUp),
            (3, ProblemCode::UnsupportedFeature),
            (3, ProblemCode::UnsupportedFeature),
            (5, ProblemCode::UnterminatedTitle),
            (7, ProblemCode::IgnoredText),
        ]
    );
    assert!(out.problems.iter().all(|p| p.severity == Severity::Warning));
    assert_eq!(out.questions.len(), 4);
    assert_eq!(out.questions[0].text, "[latex]Pick");
}

#[test]
fn windows_line_endings_and_bom() {
    let out = parse_gift("\u{feff}// c\r\n::A:: One {T}\r\n\r\n::B:: Two {F}\r\n");
    assert!(out.problems.is_empty(), "{:?}", out.problems);
    assert_eq!(out.questions.len(), 2);
    assert_eq!(out.questions[1].source_line, Some(4));
}
