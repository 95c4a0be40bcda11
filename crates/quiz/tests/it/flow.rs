//! A quiz from file to statistics, as the product uses it.

use chrono::{TimeDelta, TimeZone, Utc};
use lentera_quiz::{
    Attempt, GradeState, GradedAttempt, GradingMethod, LearnerKind, PassState, QuestionKind,
    Response, ReviewLevel, ReviewMoment, build_attempt, deadline, final_grade, grade_attempt,
    is_submission_late, item_analysis, parse_quiz_markdown, regrade_attempt, review_attempt,
};

use crate::support::fixture;

/// A response to a learner question that is right, built only from what the learner sees plus
/// knowledge of the answers (as a learner who knows the material would).
fn right_answer(kind: &LearnerKind, question: &lentera_quiz::Question) -> Option<Response> {
    match kind {
        LearnerKind::Essay { .. } => Some(Response::Essay {
            text: "Kami kini memakai formulir daring.".into(),
        }),
        LearnerKind::Description => None,
        _ => question.best_response(),
    }
}

#[test]
fn markdown_quiz_end_to_end() {
    let doc = parse_quiz_markdown(&fixture("semua-tipe.quiz.md"), "semua-tipe");
    assert!(!doc.has_errors());
    let bank = doc.bank().unwrap();
    let spec = &doc.spec;

    let started = Utc.with_ymd_and_hms(2025, 6, 2, 1, 0, 0).unwrap();
    let plan = build_attempt(spec, &bank, 2025).unwrap();
    assert_eq!(plan.slots.len(), doc.questions.len());

    // What the phone receives: no secrets, options shuffled reproducibly.
    let shown = plan.learner_questions(&bank).unwrap();
    let json = serde_json::to_string(&shown).unwrap();
    assert!(
        !json.contains("Pembahasan") && !json.contains("undang-undang") && !json.contains("weight")
    );
    assert_eq!(shown, plan.learner_questions(&bank).unwrap());

    // Time rules: 20 minutes and one minute of grace.
    let limit = spec.time_limit();
    assert_eq!(
        deadline(started, limit, TimeDelta::minutes(1)),
        Some(started + TimeDelta::minutes(21))
    );
    let submitted = started + TimeDelta::minutes(19);
    assert!(!is_submission_late(
        started,
        submitted,
        limit,
        TimeDelta::minutes(1)
    ));

    let mut attempt = Attempt::new(1, plan.clone(), started);
    for view in &shown {
        let question = bank.get(&view.id).unwrap();
        if let Some(r) = right_answer(&view.kind, question) {
            attempt.responses.insert(view.id.clone(), r);
        }
    }
    attempt.submitted_at = Some(submitted);
    let graded = grade_attempt(&attempt, &bank).unwrap();
    assert!(!graded.complete, "the essay waits for the instructor");
    assert_eq!(
        graded.get(&"refleksi".into()).unwrap().state,
        GradeState::Pending
    );
    // Everything else is right: 2+1+1+1+1+1+1.5+1+1+1 = 11.5 of 16.5 (essay 5, description 0).
    assert_eq!((graded.points, graded.max_points), (11.5, 16.5));
    assert_eq!(
        graded.pass_state(spec.pass_mark_percent),
        PassState::Pending
    );

    attempt
        .set_manual_grade(
            &"refleksi".into(),
            4.0,
            Some("Konkret, dampak belum diukur.".into()),
        )
        .unwrap();
    let first = GradedAttempt::grade(attempt, &bank).unwrap();
    assert!(first.grade.complete);
    assert_eq!(first.grade.points, 15.5);
    assert_eq!(
        first.grade.pass_state(spec.pass_mark_percent),
        PassState::Passed
    );

    // A second, weaker attempt with other seed.
    let plan2 = build_attempt(spec, &bank, 7).unwrap();
    let mut second = Attempt::new(2, plan2, started + TimeDelta::days(1));
    second.submitted_at = Some(started + TimeDelta::days(1) + TimeDelta::minutes(5));
    second
        .responses
        .insert("proklamasi".into(), Response::TrueFalse { value: false });
    second
        .responses
        .insert("kecamatan".into(), Response::Numeric { input: "8".into() });
    second
        .set_manual_grade(&"refleksi".into(), 0.0, None)
        .unwrap();
    let second = GradedAttempt::grade(second, &bank).unwrap();
    assert_eq!(second.grade.points, 1.0);

    let attempts = vec![first.clone(), second.clone()];
    let best = final_grade(&attempts, spec.grading_method).unwrap();
    assert_eq!(
        (best.method, best.attempts.clone()),
        (GradingMethod::Highest, vec![1])
    );
    assert_eq!(
        final_grade(&attempts, GradingMethod::Last)
            .unwrap()
            .attempts,
        [2]
    );

    // Review follows the policy: score only right after submitting, everything after closing.
    let now = review_attempt(
        &first,
        &bank,
        spec.review_policy.level_at(ReviewMoment::Immediately),
        spec.pass_mark_percent,
    )
    .unwrap();
    assert_eq!(now.level, ReviewLevel::Score);
    assert!(now.questions.is_empty() && now.percent.is_some());
    let later = review_attempt(
        &first,
        &bank,
        spec.review_policy.level_at(ReviewMoment::AfterClose),
        spec.pass_mark_percent,
    )
    .unwrap();
    let essay = later
        .questions
        .iter()
        .find(|i| i.question.id.as_str() == "refleksi")
        .unwrap();
    assert_eq!(
        essay.feedback.as_ref().unwrap().comment.as_deref(),
        Some("Konkret, dampak belum diukur.")
    );

    // Statistics over both attempts.
    let stats = item_analysis(&attempts, &bank);
    assert_eq!(stats.attempts, 2);
    let prok = stats
        .questions
        .iter()
        .find(|q| q.question_id.as_str() == "proklamasi")
        .unwrap();
    assert_eq!(prok.facility_index, Some(0.5));
    assert_eq!(prok.responses.iter().map(|r| r.count).sum::<usize>(), 2);
}

#[test]
fn correcting_a_key_and_reimporting_regrades_stored_attempts() {
    let source = fixture("semua-tipe.quiz.md");
    let doc = parse_quiz_markdown(&source, "semua-tipe");
    let bank = doc.bank().unwrap();
    let plan = build_attempt(&doc.spec, &bank, 1).unwrap();
    let mut attempt = Attempt::new(1, plan, Utc::now());
    attempt.submitted_at = Some(Utc::now());
    let ibu_kota = bank.get(&"ibu-kota".into()).unwrap();
    let QuestionKind::SingleChoice { choices, .. } = &ibu_kota.kind else {
        panic!()
    };
    let bandung = choices
        .iter()
        .find(|c| c.text == "Bandung")
        .unwrap()
        .id
        .clone();
    attempt.responses.insert(
        "ibu-kota".into(),
        Response::SingleChoice { option: bandung },
    );
    let stored = GradedAttempt::grade(attempt, &bank).unwrap();
    assert_eq!(stored.grade.get(&"ibu-kota".into()).unwrap().points, 0.0);

    // The author (wrongly, but it makes the point) moves the tick to Bandung and re-imports.
    let corrected = source
        .replace("- [x] Jakarta", "- [ ] Jakarta")
        .replace("- [ ] Bandung", "- [x] Bandung");
    let bank2 = parse_quiz_markdown(&corrected, "semua-tipe")
        .bank()
        .unwrap();
    let regrade = regrade_attempt(&stored, &bank2).unwrap();
    assert_eq!(regrade.changes.len(), 1);
    assert_eq!(
        (regrade.changes[0].old_points, regrade.changes[0].new_points),
        (0.0, 2.0)
    );
    assert!(
        regrade.warnings.is_empty(),
        "option ids survived the re-import: {:?}",
        regrade.warnings
    );
}
