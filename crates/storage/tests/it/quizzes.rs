//! Quiz storage on both backends: a closed attempt cannot be closed twice, attempt numbers are
//! unique per learner and quiz, and bank quizzes follow the course into its next version.

use lentera_accounts::{Email, Language, Role, RoleGrant, UserId};
use lentera_storage::accounts::{self, NewUser};
use lentera_storage::quizzes::{self, GradeWrite, NewAttempt, NewQuiz};
use lentera_storage::{Db, StorageError, both_backends, courses};

fn learner(db: &Db, email: &str) -> UserId {
    db.write(|c| {
        accounts::create_user(
            c,
            &NewUser {
                nip: None,
                name: "Peserta".into(),
                email: Email::parse(email).unwrap(),
                opd_id: None,
                jabatan: String::new(),
                employment_type: None,
                language: Language::Id,
                password_hash: None,
                roles: vec![RoleGrant::global(Role::Learner)],
            },
        )
    })
    .unwrap()
}

/// Imports a one-lesson course; `lesson` changes its content (and so makes a new version).
fn import(db: &Db, lesson: &str) -> (String, String) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("kursus");
    std::fs::create_dir_all(dir.join("01-materi")).unwrap();
    std::fs::write(
        dir.join("course.toml"),
        "slug = \"kursus\"\ntitle = \"Kursus\"\nsummary = \"S\"\ncategory = \"Uji\"\nlevel = \"dasar\"\njp = 1\nduration_minutes = 10\n",
    )
    .unwrap();
    std::fs::write(dir.join("01-materi/01-a.md"), format!("---\ntitle: A\n---\n\n{lesson}\n")).unwrap();
    let bundle = lentera_content::load_course_dir(&dir).course.unwrap();
    let result = db.write(|c| courses::import_course(c, &bundle, &[], "test", None)).unwrap();
    let version = db.read(|c| courses::course_ref_by_id(c, &result.course_id)).unwrap().current_version_id.unwrap();
    (result.course_id, version)
}

fn quiz(key: &str, origin: &str) -> NewQuiz {
    NewQuiz {
        quiz_key: key.into(),
        title: key.into(),
        role: "practice".into(),
        origin: origin.into(),
        source_path: None,
        format: "bank".into(),
        spec: "{}".into(),
        intro: None,
        questions: "[]".into(),
        question_count: 0,
    }
}

/// An open attempt of `quiz_id` started `at` (a seed past `i64::MAX`, a 10-minute limit).
fn new_attempt<'a>(id: &'a str, quiz_id: &'a str, course: &'a str, user: UserId, number: i32, at: chrono::NaiveDateTime) -> NewAttempt<'a> {
    NewAttempt {
        id,
        quiz_id,
        course_id: course,
        quiz_key: "ujian",
        user_id: user,
        number,
        seed: u64::MAX - 7,
        time_limit_minutes: Some(10),
        plan: "{}",
        questions: "[]",
        started_at: at,
    }
}

/// A failed grade of 1 point out of 2, stored `at`.
fn failed_grade(at: chrono::NaiveDateTime) -> GradeWrite<'static> {
    GradeWrite {
        responses: "{\"q\":1}",
        manual_grades: "{}",
        questions: None,
        grade: "{}",
        points: 1.0,
        max_points: 2.0,
        percent: 50.0,
        pass_state: "failed",
        needs_grading: false,
        at,
    }
}

both_backends!(fn an_attempt_is_closed_once_and_numbers_are_unique(t: &TestDb) {
    let db = &t.db;
    let user = learner(db, "a@x.go.id");
    let (course, version) = import(db, "satu");
    let quiz_id = db.write(|c| quizzes::insert_quiz(c, &course, &version, &quiz("ujian", quizzes::ORIGIN_FILE))).unwrap();
    let at = lentera_storage::now();
    let new = |id: &'static str, number: i32| new_attempt(id, &quiz_id, &course, user, number, at);
    db.write(|c| quizzes::insert_attempt(c, &new("a1", 1))).unwrap();
    let twice = db.write(|c| quizzes::insert_attempt(c, &new("a2", 1)));
    assert!(matches!(twice, Err(StorageError::Duplicate { .. })), "{twice:?}");
    let stored = db.read(|c| quizzes::attempt(c, "a1")).unwrap();
    assert_eq!(quizzes::seed_of(&stored), u64::MAX - 7, "a u64 seed survives the signed column");

    let grade = failed_grade(at);
    let later = at + chrono::TimeDelta::seconds(1);
    assert!(db.write(|c| quizzes::save_responses(c, "a1", "{}", later)).unwrap());
    assert!(!db.write(|c| quizzes::close_attempt(c, "a1", at, at, quizzes::CLOSED_BY_LEARNER, &grade)).unwrap(), "changed since it was read");
    assert!(db.write(|c| quizzes::close_attempt(c, "a1", later, at, quizzes::CLOSED_BY_LEARNER, &grade)).unwrap());
    let again = GradeWrite { percent: 100.0, ..grade.clone() };
    assert!(!db.write(|c| quizzes::close_attempt(c, "a1", at, at, quizzes::CLOSED_BY_LEARNER, &again)).unwrap(), "closing twice changes nothing");
    assert!(!db.write(|c| quizzes::save_responses(c, "a1", "{}", at)).unwrap(), "a closed attempt keeps its responses");
    let a = db.read(|c| quizzes::attempt_for_update(c, "a1")).unwrap();
    assert_eq!((a.percent, a.responses.as_str(), a.closed_by.as_deref()), (Some(50.0), "{\"q\":1}", Some("learner")));
    let mine = db.read(|c| quizzes::attempts_of(c, &course, "ujian", user)).unwrap();
    assert_eq!(mine.len(), 1);
});

both_backends!(fn bank_quizzes_follow_the_course_into_its_next_version(t: &TestDb) {
    let db = &t.db;
    let (course, v1) = import(db, "satu");
    db.write(|c| quizzes::insert_quiz(c, &course, &v1, &quiz("dari-berkas", quizzes::ORIGIN_FILE))).unwrap();
    db.write(|c| quizzes::upsert_bank_quiz(c, &course, &v1, &quiz("dari-bank", quizzes::ORIGIN_BANK))).unwrap();
    let refused = db.write(|c| quizzes::upsert_bank_quiz(c, &course, &v1, &quiz("dari-berkas", quizzes::ORIGIN_BANK)));
    assert!(matches!(refused, Err(StorageError::Duplicate { .. })), "a quiz file wins: {refused:?}");

    let (_, v2) = import(db, "dua");
    assert_ne!(v1, v2);
    assert_eq!(db.write(|c| quizzes::carry_forward_bank_quizzes(c, &v1, &v2)).unwrap(), 1);
    let keys: Vec<String> = db.read(|c| quizzes::quizzes_of_version(c, &v2)).unwrap().into_iter().map(|q| q.quiz_key).collect();
    assert_eq!(keys, ["dari-bank"], "quiz files come with their own version; bank quizzes are carried");
    assert_eq!(db.write(|c| quizzes::carry_forward_bank_quizzes(c, &v1, &v2)).unwrap(), 0, "never twice");
});

// Diesel compiles an `UPDATE` again at every call; the submit's update of an attempt is built
// so that its prepared statement is cached: compiled at the first close, reused by the next.
both_backends!(fn closing_attempts_reuses_one_prepared_statement(t: &TestDb) {
    use diesel::Connection;
    use diesel::connection::InstrumentationEvent;
    use std::sync::{Arc, Mutex};
    let db = &t.db;
    let user = learner(db, "p@x.go.id");
    let (course, version) = import(db, "satu");
    let quiz_id = db.write(|c| quizzes::insert_quiz(c, &course, &version, &quiz("ujian", quizzes::ORIGIN_FILE))).unwrap();
    let at = lentera_storage::now();
    for (id, number) in [("p1", 1), ("p2", 2)] {
        db.write(|c| quizzes::insert_attempt(c, &new_attempt(id, &quiz_id, &course, user, number, at))).unwrap();
    }
    let grade = failed_grade(at);
    let compiled: Arc<Mutex<Vec<String>>> = Arc::default();
    let mut conn = db.conn().unwrap();
    let seen = compiled.clone();
    conn.set_instrumentation(move |event: InstrumentationEvent<'_>| {
        if let InstrumentationEvent::CacheQuery { sql, .. } = event {
            seen.lock().unwrap().push(sql.to_string());
        }
    });
    for id in ["p1", "p2"] {
        let stored = db.read(|c| quizzes::attempt(c, id)).unwrap();
        assert!(quizzes::close_attempt(&mut conn, id, stored.updated_at, at, quizzes::CLOSED_BY_LEARNER, &grade).unwrap());
    }
    let updates: Vec<String> = compiled.lock().unwrap().iter().filter(|s| s.starts_with("UPDATE")).cloned().collect();
    assert_eq!(updates.len(), 1, "one UPDATE compiled and cached for both closes: {updates:?}");
});
