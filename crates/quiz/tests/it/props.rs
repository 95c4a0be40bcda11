//! Properties that must hold for every input.

use std::collections::{BTreeMap, BTreeSet};

use lentera_quiz::{
    Choice, LearnerKind, LearnerQuestion, MatchChoice, MatchPair, NumericAnswer, NumericValue,
    OptionId, OrderItem, OrderingScoring, Question, QuestionBank, QuestionId, QuestionKind,
    QuizSpec, Response, Section, TextAnswer, TextFormat, build_attempt, grade, grade_response,
    parse_aiken, parse_gift, parse_quiz_markdown,
};
use proptest::prelude::*;
use serde_json::Value;

// ---------------------------------------------------------------------------------------------
// Strategies

fn weight() -> impl Strategy<Value = f64> {
    prop_oneof![Just(1.0), Just(0.0), Just(-1.0), Just(0.5), -1.0f64..=1.0]
}

/// Questions of every type. Every secret is a distinctive token so a leak can be searched for;
/// the texts a learner may see never contain one.
fn question() -> impl Strategy<Value = Question> {
    let kind = prop_oneof![
        (prop::collection::vec(weight(), 1..7), any::<bool>()).prop_map(|(ws, shuffle)| {
            QuestionKind::SingleChoice {
                choices: choices(&ws),
                shuffle,
            }
        }),
        (prop::collection::vec(weight(), 1..7), any::<bool>()).prop_map(|(ws, shuffle)| {
            QuestionKind::MultipleResponse {
                choices: choices(&ws),
                shuffle,
            }
        }),
        any::<bool>().prop_map(|correct| QuestionKind::TrueFalse {
            correct,
            feedback_true: Some("FBSECRET-true".into()),
            feedback_false: Some("FBSECRET-false".into()),
        }),
        (
            prop::collection::vec(weight(), 1..4),
            any::<bool>(),
            any::<bool>()
        )
            .prop_map(|(ws, case_sensitive, normalise_whitespace)| {
                QuestionKind::ShortAnswer {
                    answers: ws
                        .iter()
                        .enumerate()
                        .map(|(i, w)| TextAnswer {
                            text: format!("ANSSECRET{i}"),
                            weight: *w,
                            feedback: Some(format!("FBSECRET{i}")),
                        })
                        .collect(),
                    case_sensitive,
                    normalise_whitespace,
                }
            }),
        (prop::collection::vec((weight(), any::<bool>()), 1..4)).prop_map(|ws| {
            QuestionKind::Numeric {
                answers: ws
                    .iter()
                    .enumerate()
                    .map(|(i, (w, range))| NumericAnswer {
                        value: if *range {
                            NumericValue::Range {
                                min: 987_650.0 + i as f64,
                                max: 987_659.0 + i as f64,
                            }
                        } else {
                            NumericValue::Exact {
                                value: 987_654.0 + i as f64,
                                tolerance: 0.123_456,
                            }
                        },
                        weight: *w,
                        feedback: Some(format!("FBSECRET{i}")),
                    })
                    .collect(),
                other_feedback: Some("FBSECRET-other".into()),
            }
        }),
        (2usize..6, 0usize..3, any::<bool>()).prop_map(|(n, distractors, shuffle)| {
            let choices: Vec<MatchChoice> = (0..n + distractors)
                .map(|i| MatchChoice {
                    id: OptionId::new(format!("c{i}")),
                    text: format!("jawab {i}"),
                })
                .collect();
            let pairs = (0..n)
                .map(|i| MatchPair {
                    id: OptionId::new(format!("p{i}")),
                    prompt: format!("soal {i}"),
                    answer: choices[i].id.clone(),
                })
                .collect();
            QuestionKind::Matching {
                pairs,
                choices,
                shuffle,
            }
        }),
        (
            2usize..8,
            prop_oneof![
                Just(OrderingScoring::AllOrNothing),
                Just(OrderingScoring::AbsolutePosition),
                Just(OrderingScoring::LongestOrderedSubsequence)
            ]
        )
            .prop_map(|(n, scoring)| QuestionKind::Ordering {
                items: (0..n)
                    .map(|i| OrderItem {
                        id: OptionId::from_text(&format!("langkah {i}")),
                        text: format!("langkah {i}")
                    })
                    .collect(),
                scoring,
            }),
        Just(QuestionKind::Essay {
            response_template: Some("Templat".into()),
            grader_info: Some("GRADERSECRET".into())
        }),
        Just(QuestionKind::Description),
    ];
    // Ids and points are chosen so they cannot contain a secret token by chance.
    (
        kind,
        prop::sample::select(vec![0.0, 1.0, 2.0, 2.5, 10.0]),
        "q-[a-h]{1,6}",
    )
        .prop_map(|(kind, points, id)| Question {
            id: QuestionId::new(id),
            title: "TITLESECRET".into(),
            text: "Teks soal".into(),
            text_format: TextFormat::Markdown,
            default_points: points,
            category: None,
            tags: vec![],
            general_feedback: Some("GFSECRET".into()),
            kind,
            source_line: Some(1),
        })
}

fn choices(weights: &[f64]) -> Vec<Choice> {
    weights
        .iter()
        .enumerate()
        .map(|(i, w)| Choice {
            id: OptionId::from_text(&format!("pilihan {i}")),
            text: format!("pilihan {i}"),
            weight: *w,
            feedback: Some(format!("FBSECRET{i}")),
        })
        .collect()
}

/// Any response at all, naming the question's ids or made-up ones.
fn response(ids: Vec<OptionId>) -> impl Strategy<Value = Response> {
    let mut pool = ids;
    pool.push(OptionId::new("tidak-ada"));
    let id = prop::sample::select(pool);
    prop_oneof![
        id.clone()
            .prop_map(|option| Response::SingleChoice { option }),
        prop::collection::vec(id.clone(), 0..8)
            .prop_map(|options| Response::MultipleResponse { options }),
        any::<bool>().prop_map(|value| Response::TrueFalse { value }),
        prop_oneof![
            Just("ANSSECRET0".to_string()),
            Just("anssecret1 ".to_string()),
            ".{0,20}"
        ]
        .prop_map(|text| Response::ShortAnswer { text }),
        prop_oneof![
            Just("987654".to_string()),
            Just("987.654,1".to_string()),
            ".{0,20}"
        ]
        .prop_map(|input| Response::Numeric { input }),
        prop::collection::vec((id.clone(), id.clone()), 0..8).prop_map(|pairs| {
            Response::Matching {
                pairs: pairs.into_iter().collect(),
            }
        }),
        prop::collection::vec(id, 0..10).prop_map(|order| Response::Ordering { order }),
        ".{0,30}".prop_map(|text| Response::Essay { text }),
    ]
}

fn question_and_response() -> impl Strategy<Value = (Question, Response)> {
    question().prop_flat_map(|q| {
        let ids: Vec<OptionId> = q.option_ids().into_iter().cloned().collect();
        (Just(q), response(ids))
    })
}

// ---------------------------------------------------------------------------------------------
// Grading

proptest! {
    #[test]
    fn score_is_always_between_zero_and_max(
        (q, r) in question_and_response(),
        max in prop_oneof![0.0f64..100.0, Just(0.0), Just(f64::NAN), Just(-3.0), Just(f64::INFINITY)],
    ) {
        let g = grade_response(&q, Some(&r), max);
        prop_assert!(g.points >= 0.0, "{g:?}");
        prop_assert!(g.points <= g.max_points, "{g:?}");
        prop_assert!(g.max_points.is_finite() && g.max_points >= 0.0);
        if q.is_gradable() && max.is_finite() && max > 0.0 {
            prop_assert_eq!(g.max_points, max);
        }
        let f = grade(&q, &r).fraction();
        prop_assert!((0.0..=1.0).contains(&f));
        // Serialisable as JSON (no NaN sneaks into a grade).
        prop_assert!(serde_json::to_string(&g).is_ok());
    }

    #[test]
    fn the_best_response_scores_at_least_any_other((q, r) in question_and_response()) {
        if let Some(best) = q.best_response() {
            let top = grade(&q, &best).points;
            let other = grade(&q, &r).points;
            // Multiple response: the best response takes every positive option, which is the
            // maximum possible sum.
            prop_assert!(top + 1e-9 >= other, "best {top} < other {other} for {best:?} vs {r:?}");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Shuffling

/// What the learner means, independent of display: option texts chosen, matching by texts,
/// an order of item texts.
fn logical_to_response(view: &LearnerQuestion, pick: &[usize]) -> Option<Response> {
    let by_text = |opts: &[lentera_quiz::LearnerOption], text: &str| {
        opts.iter().find(|o| o.text == text).map(|o| o.id.clone())
    };
    match &view.kind {
        LearnerKind::SingleChoice { options } => {
            let i = pick.first().copied().unwrap_or(0) % options.len();
            Some(Response::SingleChoice {
                option: by_text(options, &format!("pilihan {i}"))?,
            })
        }
        LearnerKind::MultipleResponse { options } => Some(Response::MultipleResponse {
            options: pick
                .iter()
                .filter_map(|i| by_text(options, &format!("pilihan {}", i % options.len())))
                .collect(),
        }),
        LearnerKind::Matching { prompts, choices } => {
            let mut pairs = BTreeMap::new();
            for (k, i) in pick.iter().enumerate() {
                let prompt = by_text(prompts, &format!("soal {}", k % prompts.len()))?;
                let choice = by_text(choices, &format!("jawab {}", i % choices.len()))?;
                pairs.insert(prompt, choice);
            }
            Some(Response::Matching { pairs })
        }
        LearnerKind::Ordering { items } => {
            let mut texts: Vec<String> = (0..items.len()).map(|i| format!("langkah {i}")).collect();
            for (k, i) in pick.iter().enumerate() {
                let (a, b) = (k % texts.len(), i % texts.len());
                texts.swap(a, b);
            }
            Some(Response::Ordering {
                order: texts.iter().filter_map(|t| by_text(items, t)).collect(),
            })
        }
        _ => None,
    }
}

fn option_map(view: &LearnerQuestion) -> BTreeSet<(String, String)> {
    let all: Vec<&lentera_quiz::LearnerOption> = match &view.kind {
        LearnerKind::SingleChoice { options } | LearnerKind::MultipleResponse { options } => {
            options.iter().collect()
        }
        LearnerKind::Matching { prompts, choices } => prompts.iter().chain(choices).collect(),
        LearnerKind::Ordering { items } => items.iter().collect(),
        _ => Vec::new(),
    };
    all.into_iter()
        .map(|o| (o.id.to_string(), o.text.clone()))
        .collect()
}

proptest! {
    #[test]
    fn shuffling_never_changes_the_grade_of_the_same_logical_response(
        q in question(),
        seed_a in any::<u64>(),
        seed_b in any::<u64>(),
        pick in prop::collection::vec(0usize..10, 0..6),
    ) {
        let a = q.for_learner(seed_a);
        let b = q.for_learner(seed_b);
        // Same options with the same ids and texts, only (maybe) in another order.
        prop_assert_eq!(option_map(&a), option_map(&b));
        prop_assert_eq!(&a, &q.for_learner(seed_a), "the same seed gives the same view");
        if let (Some(ra), Some(rb)) = (logical_to_response(&a, &pick), logical_to_response(&b, &pick)) {
            prop_assert_eq!(grade(&q, &ra), grade(&q, &rb));
        }
    }

    #[test]
    fn learner_view_never_leaks_a_secret(q in question(), seed in any::<u64>()) {
        let view = q.for_learner(seed);
        let json = serde_json::to_string(&view).unwrap();
        for secret in ["SECRET", "987", "0.123456", "weight", "correct", "tolerance", "feedback", "answers", "grader", "title"] {
            prop_assert!(!json.contains(secret), "{secret} leaked: {json}");
        }
        let value: Value = serde_json::from_str(&json).unwrap();
        let mut keys = BTreeSet::new();
        collect_keys(&value, &mut keys);
        let allowed: BTreeSet<&str> = [
            "id", "text", "text_format", "points", "kind", "type", "options", "prompts", "choices", "items", "response_template",
        ].into_iter().collect();
        for k in &keys {
            prop_assert!(allowed.contains(k.as_str()), "unexpected field {k} in {json}");
        }
    }
}

fn collect_keys(v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(map) => {
            for (k, v) in map {
                out.insert(k.clone());
                collect_keys(v, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|i| collect_keys(i, out)),
        _ => {}
    }
}

// ---------------------------------------------------------------------------------------------
// Attempts

proptest! {
    #[test]
    fn draws_are_reproducible_and_never_repeat(seed in any::<u64>(), count in 0u32..6, fixed in 0usize..3) {
        let questions: Vec<Question> = (0..8)
            .map(|i| Question {
                id: QuestionId::new(format!("q{i}")),
                title: "t".into(),
                text: "t".into(),
                text_format: TextFormat::Markdown,
                default_points: 1.0,
                category: Some("Bank".into()),
                tags: vec![],
                general_feedback: None,
                kind: QuestionKind::TrueFalse { correct: true, feedback_true: None, feedback_false: None },
                source_line: None,
            })
            .collect();
        let bank = QuestionBank::new(questions).unwrap();
        let mut spec = QuizSpec::simple("k", "k", (0..fixed).map(|i| QuestionId::new(format!("q{i}"))).collect());
        spec.sections.push(Section::Draw { category: "bank".into(), count, points: None });
        spec.shuffle_questions = true;
        let plan = build_attempt(&spec, &bank, seed).unwrap();
        prop_assert_eq!(&plan, &build_attempt(&spec, &bank, seed).unwrap());
        prop_assert_eq!(plan.slots.len(), fixed + count as usize);
        let unique: BTreeSet<_> = plan.slots.iter().map(|s| s.question_id.clone()).collect();
        prop_assert_eq!(unique.len(), plan.slots.len());
    }
}

// ---------------------------------------------------------------------------------------------
// Parsers

fn soup(fragments: &'static [&'static str]) -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            prop::sample::select(fragments).prop_map(str::to_string),
            ".{0,3}"
        ],
        0..120,
    )
    .prop_map(|parts| parts.concat())
}

const GIFT_BITS: &[&str] = &[
    "{",
    "}",
    "=",
    "~",
    "#",
    "####",
    "%",
    "%50%",
    "%-100%",
    "->",
    "::",
    "\\",
    "\\{",
    "\\n",
    "\n",
    "\n\n",
    "[",
    "]",
    "[html]",
    "[id:x]",
    "[tag:y]",
    "$CATEGORY:",
    "$X:",
    "..",
    ":",
    "-",
    "1",
    "2.5",
    "a",
    " ",
    "T",
    "FALSE",
    "//",
    "\r\n",
    "é",
    "🙂",
    "_____",
];

const MARKDOWN_BITS: &[&str] = &[
    "---\n",
    "+++\n",
    "...\n",
    "## ",
    "# ",
    "### ",
    "- [x] ",
    "- [ ] ",
    "* ",
    "> ",
    "  ",
    "\t",
    "Jawaban:",
    "Pembahasan:",
    "Pedoman penilaian:",
    "{#",
    "}",
    "{",
    "type=",
    "ordering",
    "essay",
    "matching",
    "numeric",
    "truefalse",
    "points=",
    "-> ",
    "→",
    "1. ",
    "2) ",
    "```",
    "~~~",
    "\n",
    "\n\n",
    "(50%)",
    "(-100%)",
    "draw: ",
    "category: ",
    "sections:\n",
    "  - ",
    "questions: [",
    "title: ",
    "review: ",
    "feedback",
    "Benar",
    "Salah",
    "3,14 ± 0,1",
    "1..5",
    "|",
    "=",
    "\"",
    "é",
];

const AIKEN_BITS: &[&str] = &[
    "A. ", "B) ", "C. ", "ANSWER: ", "answer:", "A", "B", ", ", "\n", "\n\n", "Soal?", " ", "Z. ",
    "a. ",
];

fn check_output(
    source: &str,
    problems: &[lentera_quiz::Problem],
    questions: &[Question],
) -> Result<(), TestCaseError> {
    let lines = u32::try_from(source.split('\n').count()).unwrap_or(u32::MAX);
    for p in problems {
        prop_assert!(
            p.line >= 1 && p.line <= lines + 1,
            "line {} of {lines}: {p:?}",
            p.line
        );
        prop_assert!(p.column >= 1, "{p:?}");
    }
    // Whatever a parser accepts is a valid, unique set of questions.
    prop_assert!(
        QuestionBank::new(questions.to_vec()).is_ok(),
        "{questions:#?}"
    );
    prop_assert!(serde_json::to_string(questions).is_ok());
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn gift_never_panics(src in prop_oneof![".*", soup(GIFT_BITS)]) {
        let out = parse_gift(&src);
        check_output(&src, &out.problems, &out.questions)?;
    }

    #[test]
    fn markdown_never_panics(src in prop_oneof![".*", soup(MARKDOWN_BITS)]) {
        let doc = parse_quiz_markdown(&src, "kuis");
        check_output(&src, &doc.problems, &doc.questions)?;
        prop_assert!(serde_json::to_string(&doc).is_ok());
    }

    #[test]
    fn aiken_never_panics(src in prop_oneof![".*", soup(AIKEN_BITS)]) {
        let out = parse_aiken(&src);
        check_output(&src, &out.problems, &out.questions)?;
    }
}
