use chrono::{DateTime, Duration, TimeZone, Utc};
use lentera_progress::{CompletionRules, CourseOutline, EventKind, LearningEvent, OutlineLesson};
use uuid::Uuid;

pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap()
}

/// `minutes` after [`t0`].
pub fn at(minutes: i64) -> DateTime<Utc> {
    t0() + Duration::minutes(minutes)
}

pub fn id(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

pub fn outline() -> CourseOutline {
    CourseOutline {
        course_id: "etika-asn".into(),
        version: 1,
        lessons: vec![
            OutlineLesson::required("pengantar"),
            OutlineLesson::required("nilai-dasar"),
            OutlineLesson::optional("bacaan-tambahan"),
            OutlineLesson::required("kode-etik"),
        ],
        quizzes: vec!["kuis-akhir".into()],
    }
}

pub fn rules() -> CompletionRules {
    CompletionRules {
        required_quiz: Some("kuis-akhir".into()),
        ..CompletionRules::default()
    }
}

pub fn ev(n: u128, minute: i64, kind: EventKind) -> LearningEvent {
    LearningEvent {
        client_id: id(n),
        kind,
        occurred_at: at(minute),
    }
}

pub fn opened(lesson: &str) -> EventKind {
    EventKind::LessonOpened {
        lesson_id: lesson.into(),
    }
}

pub fn completed(lesson: &str) -> EventKind {
    EventKind::LessonCompleted {
        lesson_id: lesson.into(),
    }
}

pub fn time(lesson: &str, seconds: i64) -> EventKind {
    EventKind::TimeSpent {
        lesson_id: lesson.into(),
        seconds,
    }
}

pub fn position(lesson: &str, anchor: &str) -> EventKind {
    EventKind::Position {
        lesson_id: lesson.into(),
        anchor: Some(anchor.into()),
    }
}

pub fn passed(score: f64) -> EventKind {
    EventKind::QuizPassed {
        quiz_id: "kuis-akhir".into(),
        score_percent: score,
    }
}
