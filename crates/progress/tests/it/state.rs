use lentera_progress::{
    CompletionRules, EnrolmentState, EnrolmentStatus, EventKind, LearningEvent, apply,
};
use proptest::prelude::*;

use crate::support::*;

fn fold(events: &[LearningEvent], rules: &CompletionRules) -> EnrolmentState {
    let outline = outline();
    events.iter().fold(EnrolmentState::default(), |s, e| {
        apply(s, e, &outline, rules)
    })
}

#[test]
fn a_fresh_enrolment_is_not_started() {
    let s = EnrolmentState::default();
    assert_eq!(s.status, EnrolmentStatus::NotStarted);
    assert_eq!(s.percent_complete, 0);
}

#[test]
fn lessons_completed_out_of_order_count() {
    let s = fold(
        &[
            ev(1, 30, completed("kode-etik")),
            ev(2, 10, completed("pengantar")),
        ],
        &rules(),
    );
    assert_eq!(s.status, EnrolmentStatus::InProgress);
    assert_eq!(s.percent_complete, 66);
    assert!(s.completed_lessons.contains("kode-etik") && s.completed_lessons.contains("pengantar"));
    let s = apply(
        s,
        &ev(3, 20, completed("nilai-dasar")),
        &outline(),
        &rules(),
    );
    assert_eq!(s.percent_complete, 100);
    // The quiz is still required.
    assert_eq!(s.status, EnrolmentStatus::InProgress);
}

#[test]
fn a_late_older_event_does_not_move_the_resume_point_back() {
    let s = fold(
        &[
            ev(1, 50, position("kode-etik", "pasal-3")),
            // Synced late from another device: happened earlier.
            ev(2, 10, position("pengantar", "latar-belakang")),
            ev(3, 5, opened("nilai-dasar")),
        ],
        &rules(),
    );
    assert_eq!(s.last_lesson_id.as_deref(), Some("kode-etik"));
    assert_eq!(s.last_position.as_deref(), Some("pasal-3"));
    assert_eq!(s.last_activity_at, Some(at(50)));
}

#[test]
fn the_resume_anchor_follows_the_latest_position_in_the_latest_lesson() {
    let s = fold(
        &[
            ev(1, 10, position("pengantar", "awal")),
            ev(2, 20, position("pengantar", "tengah")),
            ev(3, 15, position("pengantar", "seperempat")),
            // Opening a lesson later keeps the anchor remembered there.
            ev(4, 30, opened("pengantar")),
        ],
        &rules(),
    );
    assert_eq!(s.last_lesson_id.as_deref(), Some("pengantar"));
    assert_eq!(s.last_position.as_deref(), Some("tengah"));
}

#[test]
fn applying_the_same_event_twice_does_not_double_time() {
    let e = ev(7, 10, time("pengantar", 300));
    let s = fold(
        &[e.clone(), e.clone(), ev(8, 11, time("pengantar", 60))],
        &rules(),
    );
    assert_eq!(s.seconds_spent, 360);
}

#[test]
fn completion_takes_the_moment_the_last_requirement_was_met() {
    let s = fold(
        &[
            ev(1, 10, completed("pengantar")),
            ev(2, 20, completed("nilai-dasar")),
            ev(3, 40, passed(70.0)),
            ev(4, 30, completed("kode-etik")),
            ev(5, 90, opened("bacaan-tambahan")),
        ],
        &rules(),
    );
    assert_eq!(s.status, EnrolmentStatus::Completed);
    assert_eq!(s.completed_at, Some(at(40)));
    assert_eq!(s.quizzes_passed.get("kuis-akhir"), Some(&70.0));
}

#[test]
fn a_late_earlier_event_can_only_move_completion_earlier() {
    let rules = rules();
    let outline = outline();
    let mut s = fold(
        &[
            ev(1, 10, completed("pengantar")),
            ev(2, 20, completed("nilai-dasar")),
            ev(3, 60, completed("kode-etik")),
            ev(4, 40, passed(80.0)),
        ],
        &rules,
    );
    assert_eq!(s.completed_at, Some(at(60)));
    // The same lesson had been completed on a phone offline at minute 35.
    s = apply(s, &ev(5, 35, completed("kode-etik")), &outline, &rules);
    assert_eq!(s.completed_at, Some(at(40)));
    // A later re-completion changes nothing.
    s = apply(s, &ev(6, 120, completed("kode-etik")), &outline, &rules);
    assert_eq!(s.completed_at, Some(at(40)));
}

#[test]
fn the_best_quiz_score_is_kept() {
    let s = fold(
        &[ev(1, 10, passed(90.0)), ev(2, 20, passed(75.0))],
        &rules(),
    );
    assert_eq!(s.quizzes_passed.get("kuis-akhir"), Some(&90.0));
    let failed = EventKind::QuizFailed {
        quiz_id: "kuis-akhir".into(),
        score_percent: 20.0,
    };
    let s = fold(&[ev(1, 10, failed)], &rules());
    assert!(s.quizzes_passed.is_empty());
    assert_eq!(s.status, EnrolmentStatus::InProgress);
}

#[test]
fn minimum_minutes_complete_when_the_threshold_is_crossed() {
    let rules = CompletionRules {
        min_minutes: Some(10),
        ..CompletionRules::default()
    };
    let mut events: Vec<_> = ["pengantar", "nilai-dasar", "kode-etik"]
        .iter()
        .enumerate()
        .map(|(i, l)| ev(i as u128 + 1, 5, completed(l)))
        .collect();
    events.push(ev(10, 20, time("pengantar", 300)));
    events.push(ev(11, 25, time("pengantar", 240)));
    let s = fold(&events, &rules);
    assert_eq!(s.status, EnrolmentStatus::InProgress);
    let s = apply(s, &ev(12, 30, time("kode-etik", 60)), &outline(), &rules);
    assert_eq!(s.status, EnrolmentStatus::Completed);
    assert_eq!(s.completed_at, Some(at(30)));
}

#[test]
fn state_round_trips_through_json() {
    let s = fold(
        &[
            ev(1, 10, completed("pengantar")),
            ev(2, 11, time("pengantar", 60)),
            ev(3, 12, passed(88.5)),
        ],
        &rules(),
    );
    let json = serde_json::to_string(&s).unwrap();
    let back: EnrolmentState = serde_json::from_str(&json).unwrap();
    assert_eq!(back, s);
}

fn any_event() -> impl Strategy<Value = LearningEvent> {
    let lesson = prop::sample::select(vec![
        "pengantar",
        "nilai-dasar",
        "bacaan-tambahan",
        "kode-etik",
    ]);
    let anchor = prop::sample::select(vec!["a", "b", "c"]);
    let kind = prop_oneof![
        lesson.clone().prop_map(opened),
        lesson.clone().prop_map(completed),
        (lesson.clone(), 0i64..2_000).prop_map(|(l, s)| time(l, s)),
        (0u8..=100).prop_map(|s| passed(f64::from(s))),
        (0u8..=100).prop_map(|s| EventKind::QuizFailed {
            quiz_id: "kuis-akhir".into(),
            score_percent: f64::from(s)
        }),
        (lesson, anchor).prop_map(|(l, a)| position(l, a)),
    ];
    // Few distinct minutes so that ties on `occurred_at` are common.
    (0i64..20, kind).prop_map(|(m, k)| ev(0, m, k))
}

/// Events with distinct client ids (as storage keeps them), in generated order.
fn any_events() -> impl Strategy<Value = Vec<LearningEvent>> {
    prop::collection::vec(any_event(), 0..30).prop_map(|v| {
        v.into_iter()
            .enumerate()
            .map(|(i, mut e)| {
                e.client_id = id(i as u128 + 1);
                e
            })
            .collect()
    })
}

fn any_rules() -> impl Strategy<Value = CompletionRules> {
    (any::<bool>(), prop::option::of(0u32..40)).prop_map(|(quiz, min_minutes)| CompletionRules {
        required_quiz: quiz.then(|| "kuis-akhir".to_owned()),
        min_minutes,
        ..CompletionRules::default()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_permutation_yields_the_same_state(
        (events, shuffled, repeats) in any_events().prop_flat_map(|v| {
            let n = v.len();
            (Just(v.clone()), Just(v).prop_shuffle(), prop::collection::vec(0..n.max(1), 0..5))
        }),
        rules in any_rules(),
    ) {
        let mut shuffled = shuffled;
        // Re-delivered duplicates (a retry) must not change anything either.
        for i in repeats {
            if let Some(e) = events.get(i) {
                shuffled.push(e.clone());
            }
        }
        prop_assert_eq!(fold(&events, &rules), fold(&shuffled, &rules));
    }
}
