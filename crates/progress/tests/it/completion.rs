use lentera_progress::{
    CompletionRules, CourseOutline, EnrolmentState, EnrolmentStatus, Missing, OutlineLesson,
    RebaseError, RequiredLessons, apply, evaluate, rebase, submit_feedback,
};

use crate::support::*;

fn fold(
    events: &[lentera_progress::LearningEvent],
    outline: &CourseOutline,
    rules: &CompletionRules,
) -> EnrolmentState {
    events.iter().fold(EnrolmentState::default(), |s, e| {
        apply(s, e, outline, rules)
    })
}

fn finished() -> Vec<lentera_progress::LearningEvent> {
    vec![
        ev(1, 10, completed("pengantar")),
        ev(2, 20, completed("nilai-dasar")),
        ev(3, 30, completed("kode-etik")),
        ev(4, 40, passed(85.0)),
    ]
}

#[test]
fn evaluate_lists_what_is_missing_in_order() {
    let rules = CompletionRules {
        required_quiz: Some("kuis-akhir".into()),
        min_minutes: Some(30),
        feedback_required: true,
        ..CompletionRules::default()
    };
    let s = fold(
        &[
            ev(1, 10, completed("nilai-dasar")),
            ev(2, 11, time("nilai-dasar", 600)),
        ],
        &outline(),
        &rules,
    );
    let verdict = evaluate(&s, &outline(), &rules);
    assert!(!verdict.complete);
    assert_eq!(
        verdict.missing,
        vec![
            Missing::Lesson {
                lesson_id: "pengantar".into()
            },
            Missing::Lesson {
                lesson_id: "kode-etik".into()
            },
            Missing::Quiz {
                quiz_id: "kuis-akhir".into()
            },
            Missing::Time {
                required_minutes: 30,
                spent_minutes: 10
            },
            Missing::Feedback,
        ]
    );
}

#[test]
fn optional_lessons_are_not_required() {
    let s = fold(&finished(), &outline(), &rules());
    assert!(!s.completed_lessons.contains("bacaan-tambahan"));
    assert!(evaluate(&s, &outline(), &rules()).complete);
    assert_eq!(s.percent_complete, 100);
}

#[test]
fn a_test_out_course_needs_only_the_quiz() {
    let rules = CompletionRules {
        required_lessons: RequiredLessons::None,
        ..rules()
    };
    let s = fold(
        &[ev(1, 5, opened("pengantar")), ev(2, 15, passed(90.0))],
        &outline(),
        &rules,
    );
    assert_eq!(s.status, EnrolmentStatus::Completed);
    assert_eq!(s.completed_at, Some(at(15)));
    assert_eq!(
        s.percent_complete, 0,
        "the percentage still counts lessons read"
    );
}

#[test]
fn feedback_completes_a_course_that_requires_it() {
    let rules = CompletionRules {
        feedback_required: true,
        ..rules()
    };
    let s = fold(&finished(), &outline(), &rules);
    assert_eq!(s.status, EnrolmentStatus::InProgress);
    assert_eq!(
        evaluate(&s, &outline(), &rules).missing,
        vec![Missing::Feedback]
    );
    let s = submit_feedback(s, at(55), &outline(), &rules);
    assert!(s.feedback_submitted);
    assert_eq!(s.status, EnrolmentStatus::Completed);
    assert_eq!(s.completed_at, Some(at(55)));
}

fn version_2() -> CourseOutline {
    CourseOutline {
        course_id: "etika-asn".into(),
        version: 2,
        lessons: vec![
            OutlineLesson::required("pengantar"),
            OutlineLesson::required("nilai-dasar-baru"),
            OutlineLesson::required("kode-etik"),
            OutlineLesson::required("studi-kasus"),
        ],
        quizzes: vec!["kuis-akhir".into()],
    }
}

#[test]
fn rebase_keeps_completion_and_archives_removed_lessons() {
    let s = fold(&finished(), &outline(), &rules());
    assert_eq!(s.completed_at, Some(at(40)));
    let s = rebase(s, &outline(), &version_2(), &rules()).unwrap();
    assert_eq!(s.status, EnrolmentStatus::Completed);
    assert_eq!(s.completed_at, Some(at(40)));
    assert_eq!(s.completed_version, Some(1));
    assert!(s.archived_lessons.contains_key("nilai-dasar"));
    assert!(!s.completed_lessons.contains("nilai-dasar"));
    assert_eq!(
        s.percent_complete, 50,
        "2 of the 4 required lessons of version 2"
    );
    let verdict = evaluate(&s, &version_2(), &rules());
    assert!(verdict.complete);
    assert_eq!(verdict.missing.len(), 2);

    // Further events under version 2 never un-complete or move the date.
    let s = apply(
        s,
        &ev(9, 200, completed("studi-kasus")),
        &version_2(),
        &rules(),
    );
    assert_eq!(s.status, EnrolmentStatus::Completed);
    assert_eq!(s.completed_at, Some(at(40)));
    assert_eq!(s.percent_complete, 75);
}

#[test]
fn rebase_of_an_unfinished_enrolment_needs_the_new_lessons() {
    let s = fold(&finished()[..3], &outline(), &rules());
    let s = rebase(s, &outline(), &version_2(), &rules()).unwrap();
    assert_eq!(s.status, EnrolmentStatus::InProgress);
    assert_eq!(s.completed_lessons.len(), 2);
    // A version that drops what was missing can complete it.
    let mut v3 = version_2();
    v3.version = 3;
    v3.lessons
        .retain(|l| l.id == "pengantar" || l.id == "kode-etik");
    let lenient = CompletionRules::default();
    let s = rebase(s, &version_2(), &v3, &lenient).unwrap();
    assert_eq!(s.status, EnrolmentStatus::Completed);
    assert_eq!(s.completed_at, Some(at(30)));
    assert_eq!(s.completed_version, Some(3));
}

#[test]
fn a_lesson_brought_back_is_restored_from_the_archive() {
    let s = fold(&finished(), &outline(), &rules());
    let s = rebase(s, &outline(), &version_2(), &rules()).unwrap();
    let mut v3 = outline();
    v3.version = 3;
    let s = rebase(s, &version_2(), &v3, &rules()).unwrap();
    assert!(s.completed_lessons.contains("nilai-dasar"));
    assert_eq!(s.lesson_completed_at.get("nilai-dasar"), Some(&at(20)));
    assert!(s.archived_lessons.is_empty());
    assert_eq!(s.percent_complete, 100);
}

#[test]
fn rebase_moves_the_resume_point_off_a_removed_lesson() {
    let s = fold(
        &[
            ev(1, 10, position("pengantar", "dua")),
            ev(2, 20, position("nilai-dasar", "satu")),
        ],
        &outline(),
        &rules(),
    );
    assert_eq!(s.last_lesson_id.as_deref(), Some("nilai-dasar"));
    let s = rebase(s, &outline(), &version_2(), &rules()).unwrap();
    assert_eq!(s.last_lesson_id.as_deref(), Some("pengantar"));
    assert_eq!(s.last_position.as_deref(), Some("dua"));
}

#[test]
fn rebase_refuses_another_course() {
    let mut other = version_2();
    other.course_id = "lain".into();
    let err = rebase(EnrolmentState::default(), &outline(), &other, &rules()).unwrap_err();
    assert!(matches!(err, RebaseError::CourseMismatch { .. }));
}
