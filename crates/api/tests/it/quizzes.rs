//! Quizzes through the API, on both backends: no answer reaches a learner before submitting,
//! the time limit (with its grace) is enforced by the server, attempt limits hold, attempts are
//! private, submits are idempotent, essays are graded by hand, corrections are regraded, item
//! analysis gives the hand-computed numbers, and GIFT uploads report problems by line.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use actix_web::test::TestRequest;
use chrono::TimeDelta;
use lentera_accounts::{OpdId, Role, RoleGrant, UserId};
use lentera_api::course_import::{Importer, import_dirs};
use serde_json::{Value, json};

use crate::api_test;
use crate::support::*;

// ---------------------------------------------------------------------------------------------
// Helpers

/// Writes a course folder with one lesson and the given quiz (or other) files.
fn course_dir(root: &Path, slug: &str, extra_manifest: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = root.join(slug);
    std::fs::create_dir_all(dir.join("01-materi")).unwrap();
    std::fs::write(
        dir.join("course.toml"),
        format!(
            "slug = \"{slug}\"\ntitle = \"Kursus {slug}\"\nsummary = \"Ringkasan\"\ncategory = \"Uji\"\nlevel = \"dasar\"\n\
             jp = 2\nduration_minutes = 60\nvisibility = \"public\"\nself_enrol = true\n{extra_manifest}\n"
        ),
    )
    .unwrap();
    std::fs::write(dir.join("01-materi/01-pengantar.md"), "---\ntitle: Pengantar\n---\n\nIsi pelajaran.\n").unwrap();
    for (path, text) in files {
        let target = dir.join(path);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::write(target, text).unwrap();
    }
    dir
}

/// Imports a course as `instructor` (who becomes its instructor when the course is new).
fn import_as(t: &TestApp, dir: &Path, instructor: UserId) {
    import_dirs(t.db(), &[dir.to_path_buf()], Importer::User { id: instructor, is_admin: false }, "test").unwrap();
}

struct Class {
    instructor: String,
    instructor_id: UserId,
    learner: String,
}

/// A course with one quiz file `kuis/ujian.quiz.md`, its instructor, and one enrolled learner.
async fn class(t: &TestApp, slug: &str, quiz: &str) -> Class {
    let tmp = tempfile::tempdir().unwrap();
    let instructor_id = t.user(&format!("guru.{slug}@batanghari.go.id"), None, None, vec![RoleGrant::global(Role::Instructor)]);
    import_as(t, &course_dir(tmp.path(), slug, "", &[("kuis/ujian.quiz.md", quiz)]), instructor_id);
    let instructor = t.login(&format!("guru.{slug}@batanghari.go.id")).await.0;
    let (learner, _) = learner(t, &format!("murid.{slug}@batanghari.go.id"), None).await;
    enrol(t, slug, &learner).await;
    Class { instructor, instructor_id, learner }
}

async fn learner(t: &TestApp, email: &str, opd: Option<OpdId>) -> (String, UserId) {
    let id = t.user(email, None, opd, vec![RoleGrant::global(Role::Learner)]);
    (t.login(email).await.0, id)
}

async fn enrol(t: &TestApp, slug: &str, token: &str) {
    let r = t.post(&format!("/api/v1/courses/{slug}/enrol"), Some(token), json!({})).await;
    assert_eq!(r.status, 200, "{}", r.body);
}

async fn put(t: &TestApp, path: &str, token: &str, body: Value) -> Reply {
    t.send(TestRequest::put().uri(path).insert_header(("authorization", format!("Bearer {token}"))).set_json(body)).await
}

async fn start(t: &TestApp, slug: &str, token: &str) -> Reply {
    t.post(&format!("/api/v1/courses/{slug}/quizzes/ujian/attempts"), Some(token), json!({})).await
}

async fn save(t: &TestApp, attempt: &str, token: &str, responses: Value) -> Reply {
    put(t, &format!("/api/v1/attempts/{attempt}/responses"), token, json!({ "responses": responses })).await
}

async fn submit(t: &TestApp, attempt: &str, token: &str, responses: Value) -> Reply {
    t.post(&format!("/api/v1/attempts/{attempt}/submit"), Some(token), json!({ "responses": responses })).await
}

fn id_of(r: &Reply) -> String {
    r.body["id"].as_str().unwrap_or_else(|| panic!("no id in {}", r.body)).to_string()
}

/// The learner's question with this id in an attempt view.
fn question<'a>(attempt: &'a Value, id: &str) -> &'a Value {
    attempt["questions"].as_array().unwrap().iter().find(|q| q["id"] == id).unwrap_or_else(|| panic!("no question {id} in {attempt}"))
}

/// A single-choice response naming the option shown with this text.
fn choose(attempt: &Value, question_id: &str, text: &str) -> Value {
    let q = question(attempt, question_id);
    let option = q["kind"]["options"].as_array().unwrap().iter().find(|o| o["text"] == text).unwrap_or_else(|| panic!("no option {text} in {q}"));
    json!({"type": "single_choice", "option": option["id"]})
}

/// Moves an attempt's start into the past: the tests' clock.
fn started_ago(t: &TestApp, attempt: &str, ago: TimeDelta) {
    let at = lentera_storage::now() - ago;
    t.db().write(|c| lentera_storage::quizzes::set_started_at(c, attempt, at)).unwrap();
}

fn all_keys(v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(map) => {
            for (k, v) in map {
                out.insert(k.clone());
                all_keys(v, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|i| all_keys(i, out)),
        _ => {}
    }
}

/// Nothing in `r` that would tell a learner the answers.
#[track_caller]
fn assert_no_secrets(r: &Reply, secrets: &[&str]) {
    let text = String::from_utf8_lossy(&r.raw).to_string();
    for s in secrets {
        assert!(!text.contains(s), "{s:?} leaked in {text}");
    }
    let mut keys = BTreeSet::new();
    all_keys(&r.body, &mut keys);
    for k in ["weight", "correct", "correct_answer", "feedback", "general_feedback", "answers", "answer", "grader_info", "tolerance", "title"] {
        if k == "title" {
            continue; // the quiz's own title is fine; question titles are checked as secrets
        }
        assert!(!keys.contains(k), "key {k:?} in {text}");
    }
}

// ---------------------------------------------------------------------------------------------
// Quizzes used below

const SECRET_QUIZ: &str = "---
title: Ujian Pemahaman
time_limit_minutes: 30
max_attempts: 3
pass_mark_percent: 50
review: feedback
---

Kerjakan dengan jujur.

## Ibu kota JUDULRAHASIA {#ibukota}

Apa ibu kota Republik Indonesia?

- [x] Jakarta
  > UMPANRAHASIA tepat.
- [ ] Bandung
  > UMPANRAHASIA keliru.

Pembahasan: PEMBAHASANRAHASIA ibu kota ditetapkan undang-undang.

## Singkatan {#singkatan}

Kepanjangan ASN adalah Aparatur Sipil _____.

Jawaban: Negara
> UMPANRAHASIA isian.

## Refleksi {#refleksi type=esai points=2}

Tuliskan satu perubahan yang akan Anda buat.

Pedoman penilaian: PEDOMANRAHASIA rubrik.
";

const SECRETS: &[&str] = &["JUDULRAHASIA", "UMPANRAHASIA", "PEMBAHASANRAHASIA", "PEDOMANRAHASIA", "Negara"];

fn two_question_quiz(settings: &str) -> String {
    format!(
        "---\ntitle: Kuis Dua Soal\n{settings}\n---\n\n## Ibu kota {{#ibukota}}\n\nApa ibu kota Indonesia?\n\n- [x] Jakarta\n- [ ] Bandung\n- [ ] Surabaya\n\n\
         ## Kabupaten {{#kabupaten}}\n\nIbu kota Kabupaten Batang Hari?\n\n- [x] Muara Bulian\n- [ ] Muara Tembesi\n"
    )
}

fn right_answers(attempt: &Value) -> Value {
    json!({"ibukota": choose(attempt, "ibukota", "Jakarta"), "kabupaten": choose(attempt, "kabupaten", "Muara Bulian")})
}

// ---------------------------------------------------------------------------------------------
// Tests

api_test!(async fn a_learner_never_receives_answers_before_submitting(t: &mut TestApp) {
    let c = class(t, "rahasia", SECRET_QUIZ).await;
    let list = t.get("/api/v1/courses/rahasia/quizzes", Some(&c.learner)).await;
    assert_eq!(list.status, 200, "{}", list.body);
    assert_eq!(list.body[0]["id"], "ujian");
    assert_eq!(list.body[0]["question_count"], 3);
    assert_no_secrets(&list, SECRETS);
    let detail = t.get("/api/v1/courses/rahasia/quizzes/ujian", Some(&c.learner)).await;
    assert_eq!(detail.status, 200);
    assert_eq!(detail.body["my"]["attempts_left"], 3);
    assert_no_secrets(&detail, SECRETS);

    let started = start(t, "rahasia", &c.learner).await;
    assert_eq!(started.status, 201, "{}", started.body);
    assert_no_secrets(&started, SECRETS);
    assert_eq!(started.body["state"], "in_progress");
    assert_eq!(started.body["questions"].as_array().unwrap().len(), 3);
    assert!(started.body["ends_at"].is_string());
    let id = id_of(&started);
    // Options come with ids and texts only.
    let ibukota = question(&started.body, "ibukota");
    assert_eq!(ibukota["kind"]["type"], "single_choice");
    assert_eq!(ibukota["kind"]["options"][0].as_object().unwrap().len(), 2);

    let saved = save(t, &id, &c.learner, json!({"ibukota": choose(&started.body, "ibukota", "Bandung"), "singkatan": {"type": "short_answer", "text": "negara"}})).await;
    assert_eq!(saved.status, 200, "{}", saved.body);
    assert_eq!(saved.body["answered"], 2);
    assert_no_secrets(&saved, SECRETS);
    let reopened = t.get(&format!("/api/v1/attempts/{id}"), Some(&c.learner)).await;
    assert_eq!(reopened.status, 200);
    assert_no_secrets(&reopened, SECRETS);
    assert_eq!(reopened.body["questions"], started.body["questions"], "the same questions and option order when reopened");
    assert_eq!(reopened.body["responses"]["singkatan"]["text"], "negara");
    // Responses that do not fit are refused, with every problem listed, and nothing is saved.
    let bad = save(t, &id, &c.learner, json!({"nope": {"type": "true_false", "value": true}, "ibukota": {"type": "short_answer", "text": "x"}})).await;
    bad.assert_problem(422, "invalid_responses");
    assert_eq!(bad.body["errors"].as_array().unwrap().len(), 2);
    let resumed = start(t, "rahasia", &c.learner).await;
    assert_eq!((resumed.status, id_of(&resumed)), (200, id.clone()), "starting again resumes");
    assert_no_secrets(&resumed, SECRETS);

    // The markers above are real: the course's instructor sees them.
    let staff = t.get(&format!("/api/v1/attempts/{id}"), Some(&c.instructor)).await;
    assert_eq!(staff.status, 200);
    let raw = String::from_utf8_lossy(&staff.raw);
    assert!(raw.contains("UMPANRAHASIA") && raw.contains("PEDOMANRAHASIA") && raw.contains("Negara"), "{raw}");

    // After submitting, the review shows what the quiz's policy allows (here: everything).
    let done = submit(t, &id, &c.learner, json!({"ibukota": choose(&started.body, "ibukota", "Jakarta")})).await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert_eq!(done.body["state"], "submitted");
    assert!(done.body.get("questions").is_none());
    let review = &done.body["review"];
    assert_eq!(review["level"], "feedback");
    // Jakarta 1 + "negara" 1 of 4 (essay 2 pending) = 50 %: passed already (manual grades only add).
    assert_eq!((review["points"].as_f64(), review["max_points"].as_f64()), (Some(2.0), Some(4.0)));
    assert_eq!(review["pass_state"], "passed");
    let raw = String::from_utf8_lossy(&done.raw);
    assert!(raw.contains("correct_answer") && raw.contains("PEMBAHASANRAHASIA"), "{raw}");
    assert!(!raw.contains("PEDOMANRAHASIA"), "grader information is never shown to learners");
});

api_test!(async fn the_time_limit_is_enforced_by_the_server_with_a_grace(t: &mut TestApp) {
    let c = class(t, "berwaktu", &two_question_quiz("time_limit_minutes: 10\nmax_attempts: 3")).await;

    // Submitted 10 s after the limit: within the 30 s grace.
    let a1 = start(t, "berwaktu", &c.learner).await;
    let id1 = id_of(&a1);
    started_ago(t, &id1, TimeDelta::minutes(10) + TimeDelta::seconds(10));
    assert_eq!(save(t, &id1, &c.learner, right_answers(&a1.body)).await.status, 200);
    let ok = submit(t, &id1, &c.learner, json!({})).await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert_eq!(ok.body["review"]["percent"], 100.0);

    // 31 s after the limit: refused, and closed with what was saved in time.
    let a2 = start(t, "berwaktu", &c.learner).await;
    assert_eq!(a2.status, 201);
    let id2 = id_of(&a2);
    assert_eq!(save(t, &id2, &c.learner, json!({"ibukota": choose(&a2.body, "ibukota", "Jakarta")})).await.status, 200);
    started_ago(t, &id2, TimeDelta::minutes(10) + TimeDelta::seconds(31));
    save(t, &id2, &c.learner, json!({"kabupaten": choose(&a2.body, "kabupaten", "Muara Bulian")})).await.assert_problem(409, "time_limit_exceeded");
    submit(t, &id2, &c.learner, right_answers(&a2.body)).await.assert_problem(409, "time_limit_exceeded");
    submit(t, &id2, &c.learner, json!({})).await.assert_problem(409, "time_limit_exceeded");
    let closed = t.get(&format!("/api/v1/attempts/{id2}"), Some(&c.learner)).await;
    assert_eq!(closed.body["state"], "timed_out", "{}", closed.body);
    assert_eq!(closed.body["review"]["percent"], 50.0, "only the answer saved in time counts");
    let started_at = chrono::DateTime::parse_from_rfc3339(closed.body["started_at"].as_str().unwrap()).unwrap();
    let submitted_at = chrono::DateTime::parse_from_rfc3339(closed.body["submitted_at"].as_str().unwrap()).unwrap();
    assert_eq!(submitted_at - started_at, TimeDelta::minutes(10), "it counts as submitted when its time ended");

    // An attempt left open past its time is closed when the learner comes back; it used an attempt.
    let a3 = start(t, "berwaktu", &c.learner).await;
    let id3 = id_of(&a3);
    started_ago(t, &id3, TimeDelta::hours(2));
    start(t, "berwaktu", &c.learner).await.assert_problem(409, "max_attempts_reached");
    let gone = t.get(&format!("/api/v1/attempts/{id3}"), Some(&c.learner)).await;
    assert_eq!(gone.body["state"], "timed_out");
    let detail = t.get("/api/v1/courses/berwaktu/quizzes/ujian", Some(&c.learner)).await;
    assert_eq!((detail.body["my"]["attempts_used"].as_u64(), detail.body["my"]["attempts_left"].as_u64()), (Some(3), Some(0)));
    assert_eq!(detail.body["my"]["final_grade"]["percent"], 100.0, "highest of 100, 50 and 0");
});

api_test!(async fn attempts_are_limited_and_reviews_follow_the_policy(t: &mut TestApp) {
    let settings = "max_attempts: 2\npass_mark_percent: 60\nreview:\n  immediately: score\n  after_close: correct_answers";
    let c = class(t, "terbatas", &two_question_quiz(settings)).await;
    let a1 = start(t, "terbatas", &c.learner).await;
    let id1 = id_of(&a1);
    let wrong = json!({"ibukota": choose(&a1.body, "ibukota", "Bandung"), "kabupaten": choose(&a1.body, "kabupaten", "Muara Tembesi")});
    let r1 = submit(t, &id1, &c.learner, wrong).await;
    assert_eq!(r1.status, 200);
    // While an attempt is left, only the score: no responses, no key.
    assert_eq!(r1.body["review"]["level"], "score");
    assert_eq!((r1.body["review"]["percent"].as_f64(), r1.body["review"]["pass_state"].as_str()), (Some(0.0), Some("failed")));
    assert!(r1.body["review"].get("questions").is_none());
    assert!(!String::from_utf8_lossy(&r1.raw).contains("correct_answer"));
    assert_eq!(r1.body["attempts_left"], 1);

    let a2 = start(t, "terbatas", &c.learner).await;
    assert_eq!((a2.status, a2.body["number"].as_i64()), (201, Some(2)));
    let r2 = submit(t, &id_of(&a2), &c.learner, right_answers(&a2.body)).await;
    // No attempt left: the quiz is closed for the learner and the key may be shown.
    assert_eq!(r2.body["review"]["level"], "correct_answers");
    assert!(r2.body["review"]["questions"][0]["correct_answer"].is_object(), "{}", r2.body);
    assert_eq!(r2.body["final_grade"]["percent"], 100.0);
    assert_eq!(r2.body["final_grade"]["pass_state"], "passed");
    assert_eq!(r2.body["attempts_left"], 0);

    start(t, "terbatas", &c.learner).await.assert_problem(409, "max_attempts_reached");
    let again = t.get(&format!("/api/v1/attempts/{id1}"), Some(&c.learner)).await;
    assert_eq!(again.body["review"]["level"], "correct_answers", "earlier attempts too, once closed");
});

api_test!(async fn a_learner_cannot_read_or_touch_anyone_elses_attempt(t: &mut TestApp) {
    let c = class(t, "pribadi", &two_question_quiz("max_attempts: 2")).await;
    let dinkes = t.opd("Dinas Kesehatan");
    let dinsos = t.opd("Dinas Sosial");
    let (ani, _) = learner(t, "ani@batanghari.go.id", Some(dinkes)).await;
    enrol(t, "pribadi", &ani).await;
    let mine = start(t, "pribadi", &ani).await;
    let id = id_of(&mine);

    // Another enrolled learner: 404 everywhere, so the id tells nothing.
    let other = &c.learner;
    t.get(&format!("/api/v1/attempts/{id}"), Some(other)).await.assert_problem(404, "not_found");
    save(t, &id, other, json!({})).await.assert_problem(404, "not_found");
    submit(t, &id, other, json!({})).await.assert_problem(404, "not_found");
    t.post(&format!("/api/v1/attempts/{id}/grades"), Some(other), json!({"grades": []})).await.assert_problem(404, "not_found");
    t.get("/api/v1/courses/pribadi/quiz-attempts", Some(other)).await.assert_problem(403, "forbidden");
    t.get("/api/v1/courses/pribadi/quizzes/ujian/statistics", Some(other)).await.assert_problem(403, "forbidden");

    // Not enrolled: no quizzes at all.
    let (outsider, _) = learner(t, "luar@batanghari.go.id", None).await;
    start(t, "pribadi", &outsider).await.assert_problem(403, "not_enrolled");
    t.get("/api/v1/courses/pribadi/quizzes", Some(&outsider)).await.assert_problem(403, "not_enrolled");

    // An instructor of another course is nobody here.
    t.user("guru.lain@batanghari.go.id", None, None, vec![RoleGrant::global(Role::Instructor)]);
    let stranger = t.login("guru.lain@batanghari.go.id").await.0;
    t.get(&format!("/api/v1/attempts/{id}"), Some(&stranger)).await.assert_problem(404, "not_found");
    t.get("/api/v1/courses/pribadi/quiz-attempts", Some(&stranger)).await.assert_problem(403, "forbidden");
    t.post("/api/v1/courses/pribadi/quizzes/ujian/regrade", Some(&stranger), json!({})).await.assert_problem(403, "not_course_instructor");

    // hr of another OPD sees nothing of Ani; regency-wide hr and the instructor see everything.
    t.user("hr.dinsos@batanghari.go.id", None, Some(dinsos), vec![RoleGrant { role: Role::Hr, opd: Some(dinsos) }]);
    let hr_dinsos = t.login("hr.dinsos@batanghari.go.id").await.0;
    t.get(&format!("/api/v1/attempts/{id}"), Some(&hr_dinsos)).await.assert_problem(404, "not_found");
    assert_eq!(t.get("/api/v1/courses/pribadi/quiz-attempts", Some(&hr_dinsos)).await.body["total"], 0);
    t.user("hr@batanghari.go.id", None, None, vec![RoleGrant::global(Role::Hr)]);
    let hr = t.login("hr@batanghari.go.id").await.0;
    let listed = t.get("/api/v1/courses/pribadi/quiz-attempts", Some(&hr)).await.body;
    assert_eq!(listed["items"][0]["quiz_key"], "ujian", "{listed}");
    let seen = t.get(&format!("/api/v1/attempts/{id}"), Some(&hr)).await;
    assert_eq!((seen.status, seen.body["user_id"].is_string()), (200, true), "{}", seen.body);
    let listed = t.get("/api/v1/courses/pribadi/quiz-attempts", Some(&c.instructor)).await;
    assert_eq!(listed.body["total"], 1);
    assert_eq!(listed.body["items"][0]["user_email"], "ani@batanghari.go.id");
    // hr reads but does not grade.
    t.post(&format!("/api/v1/attempts/{id}/grades"), Some(&hr), json!({"grades": []})).await.assert_problem(403, "not_course_instructor");
});

api_test!(async fn a_submit_that_arrives_twice_counts_once(t: &mut TestApp) {
    let c = class(t, "ganda", &two_question_quiz("max_attempts: 3\nreview: responses")).await;
    // Answered offline for three days (untimed), then submitted with every response at once.
    let a = start(t, "ganda", &c.learner).await;
    let id = id_of(&a);
    started_ago(t, &id, TimeDelta::days(3));
    let first = submit(t, &id, &c.learner, right_answers(&a.body)).await;
    assert_eq!(first.status, 200, "{}", first.body);
    assert_eq!(first.body["review"]["percent"], 100.0);
    // The retry carries other responses: they are ignored and the same result comes back.
    let wrong = json!({"ibukota": choose(&a.body, "ibukota", "Bandung")});
    let second = submit(t, &id, &c.learner, wrong.clone()).await;
    assert_eq!(second.status, 200);
    assert_eq!(second.body, first.body);
    save(t, &id, &c.learner, wrong).await.assert_problem(409, "attempt_submitted");
    let detail = t.get("/api/v1/courses/ganda/quizzes/ujian", Some(&c.learner)).await;
    assert_eq!(detail.body["my"]["attempts_used"], 1);
    assert_eq!(t.get("/api/v1/courses/ganda/quiz-attempts", Some(&c.instructor)).await.body["total"], 1);

    // Two submits at the same moment: one grading, two equal answers.
    let b = start(t, "ganda", &c.learner).await;
    let bid = id_of(&b);
    let answers = right_answers(&b.body);
    let (x, y) = futures_util::join!(submit(t, &bid, &c.learner, answers.clone()), submit(t, &bid, &c.learner, answers));
    assert_eq!((x.status, y.status), (200, 200), "{} {}", x.body, y.body);
    assert_eq!(x.body, y.body);
    let detail = t.get("/api/v1/courses/ganda/quizzes/ujian", Some(&c.learner)).await;
    assert_eq!(detail.body["my"]["attempts_used"], 2);
});

api_test!(async fn essays_wait_for_the_instructor_and_their_grade_counts(t: &mut TestApp) {
    let quiz = "---\ntitle: Esai\npass_mark_percent: 60\nreview: feedback\n---\n\n\
        ## Ibu kota {#ibukota}\n\nApa ibu kota Indonesia?\n\n- [x] Jakarta\n- [ ] Bandung\n\n\
        ## Rencana {#rencana type=esai points=4}\n\nTuliskan rencana aksi Anda.\n";
    let c = class(t, "esai", quiz).await;
    let a = start(t, "esai", &c.learner).await;
    let id = id_of(&a);
    let r = submit(t, &id, &c.learner, json!({"ibukota": choose(&a.body, "ibukota", "Jakarta"), "rencana": {"type": "essay", "text": "Formulir daring untuk semua layanan."}})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!((r.body["review"]["percent"].as_f64(), r.body["review"]["pass_state"].as_str()), (Some(20.0), Some("pending")));
    assert_eq!(r.body["review"]["questions"][1]["state"], "pending");

    let waiting = t.get("/api/v1/courses/esai/quiz-attempts?needs_grading=true", Some(&c.instructor)).await;
    assert_eq!(waiting.body["total"], 1, "{}", waiting.body);
    let url = format!("/api/v1/attempts/{id}/grades");
    t.post(&url, Some(&c.instructor), json!({"grades": [{"question_id": "rencana", "points": 5}]})).await.assert_problem(422, "invalid_manual_grade");
    t.post(&url, Some(&c.instructor), json!({"grades": [{"question_id": "tidak-ada", "points": 1}]})).await.assert_problem(422, "invalid_manual_grade");
    t.post(&url, Some(&c.learner), json!({"grades": [{"question_id": "rencana", "points": 4}]})).await.assert_problem(403, "forbidden");
    let graded = t.post(&url, Some(&c.instructor), json!({"grades": [{"question_id": "rencana", "points": 3, "comment": "Konkret, dampak belum diukur."}]})).await;
    assert_eq!(graded.status, 200, "{}", graded.body);
    assert_eq!((graded.body["pass_state"].as_str(), graded.body["needs_grading"].as_bool()), (Some("passed"), Some(false)));
    assert_eq!(graded.body["grade"]["percent"], 80.0);
    assert_eq!(t.get("/api/v1/courses/esai/quiz-attempts?needs_grading=true", Some(&c.instructor)).await.body["total"], 0);

    let seen = t.get(&format!("/api/v1/attempts/{id}"), Some(&c.learner)).await;
    assert_eq!((seen.body["review"]["percent"].as_f64(), seen.body["review"]["pass_state"].as_str()), (Some(80.0), Some("passed")));
    assert_eq!(seen.body["review"]["questions"][1]["feedback"]["comment"], "Konkret, dampak belum diukur.");
    assert_eq!(seen.body["final_grade"]["pending"], false);
    // Grading an attempt in progress makes no sense.
    let open = t.post("/api/v1/courses/esai/quizzes/ujian/attempts", Some(&c.learner), json!({})).await;
    t.post(&format!("/api/v1/attempts/{}/grades", id_of(&open)), Some(&c.instructor), json!({"grades": []})).await.assert_problem(409, "attempt_not_submitted");
});

api_test!(async fn a_corrected_key_in_a_new_course_version_is_regraded(t: &mut TestApp) {
    let wrong_key = "---\ntitle: Kuis\npass_mark_percent: 60\n---\n\n## Ibu kota {#ibukota}\n\nApa ibu kota Indonesia?\n\n- [ ] Jakarta\n- [x] Bandung\n\n\
        ## Kabupaten {#kabupaten}\n\nIbu kota Kabupaten Batang Hari?\n\n- [x] Muara Bulian\n- [ ] Muara Tembesi\n";
    let c = class(t, "koreksi", wrong_key).await;
    let a = start(t, "koreksi", &c.learner).await;
    let id = id_of(&a);
    let r = submit(t, &id, &c.learner, right_answers(&a.body)).await;
    assert_eq!((r.body["review"]["percent"].as_f64(), r.body["review"]["pass_state"].as_str()), (Some(50.0), Some("failed")));

    // The instructor fixes the key and imports the course again: a new version.
    let tmp = tempfile::tempdir().unwrap();
    let fixed = wrong_key.replace("- [ ] Jakarta\n- [x] Bandung", "- [x] Jakarta\n- [ ] Bandung");
    import_as(t, &course_dir(tmp.path(), "koreksi", "", &[("kuis/ujian.quiz.md", &fixed)]), c.instructor_id);
    // The attempt belongs to the old version and still counts.
    let detail = t.get("/api/v1/courses/koreksi/quizzes/ujian", Some(&c.learner)).await;
    assert_eq!(detail.body["my"]["attempts_used"], 1, "{}", detail.body);

    let url = "/api/v1/courses/koreksi/quizzes/ujian/regrade";
    let dry = t.post(&format!("{url}?dry_run=true"), Some(&c.instructor), json!({})).await;
    assert_eq!(dry.status, 200, "{}", dry.body);
    assert_eq!(dry.body["questions_changed"], json!(["ibukota"]));
    assert_eq!((dry.body["attempts"][0]["old_percent"].as_f64(), dry.body["attempts"][0]["new_percent"].as_f64()), (Some(50.0), Some(100.0)));
    assert_eq!(t.get(&format!("/api/v1/attempts/{id}"), Some(&c.learner)).await.body["review"]["percent"], 50.0, "a dry run stores nothing");

    let done = t.post(url, Some(&c.instructor), json!({})).await;
    assert_eq!(done.body["attempts"][0]["new_pass_state"], "passed");
    assert_eq!(done.body["attempts"][0]["changes"][0]["question_id"], "ibukota");
    let seen = t.get(&format!("/api/v1/attempts/{id}"), Some(&c.learner)).await;
    assert_eq!((seen.body["review"]["percent"].as_f64(), seen.body["review"]["pass_state"].as_str()), (Some(100.0), Some("passed")));
    assert!(t.get(&format!("/api/v1/attempts/{id}"), Some(&c.instructor)).await.body["regraded_at"].is_string());
    // Nothing left to change.
    let again = t.post(url, Some(&c.instructor), json!({})).await;
    assert_eq!(again.body["attempts"], json!([]));
});

api_test!(async fn item_analysis_matches_the_hand_computed_numbers(t: &mut TestApp) {
    let q = |id: &str| format!("## Soal {id} {{#{id}}}\n\nPilih jawaban {id}.\n\n- [x] benar\n- [ ] salah1\n- [ ] salah2\n\n");
    let quiz = format!("---\ntitle: Analisis\nmax_attempts: 2\n---\n\n{}{}{}", q("a"), q("b"), q("c"));
    let c = class(t, "analisis", &quiz).await;
    // (a, b, c) per learner; None = no response.
    let plan: [[Option<&str>; 3]; 4] = [
        [Some("benar"), Some("benar"), Some("benar")],
        [Some("benar"), Some("benar"), Some("salah1")],
        [Some("benar"), Some("salah1"), Some("salah2")],
        [Some("salah1"), Some("salah2"), None],
    ];
    let mut tokens = vec![c.learner.clone()];
    for i in 1..4 {
        let (tok, _) = learner(t, &format!("peserta{i}@batanghari.go.id"), None).await;
        enrol(t, "analisis", &tok).await;
        tokens.push(tok);
    }
    for (token, answers) in tokens.iter().zip(plan) {
        let a = start(t, "analisis", token).await;
        let mut responses = serde_json::Map::new();
        for (qid, text) in ["a", "b", "c"].into_iter().zip(answers) {
            if let Some(text) = text {
                responses.insert(qid.into(), choose(&a.body, qid, text));
            }
        }
        assert_eq!(submit(t, &id_of(&a), token, Value::Object(responses)).await.status, 200);
    }
    // A second, all-wrong attempt of the first learner: not counted by default (first attempts).
    let retry = start(t, "analisis", &tokens[0]).await;
    let wrong = json!({"a": choose(&retry.body, "a", "salah2"), "b": choose(&retry.body, "b", "salah2"), "c": choose(&retry.body, "c", "salah2")});
    assert_eq!(submit(t, &id_of(&retry), &tokens[0], wrong).await.status, 200);

    let r = t.get("/api/v1/courses/analisis/quizzes/ujian/statistics", Some(&c.instructor)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let s = &r.body["statistics"];
    assert_eq!(s["attempts"], 4);
    let close = |v: &Value, want: f64| assert!((v.as_f64().unwrap() - want).abs() < 1e-3, "{v} ≠ {want}");
    // Scores 100, 66.67, 33.33, 0.
    close(&s["mean_percent"], 50.0);
    close(&s["median_percent"], 50.0);
    // Item variances .25 + .3333 + .25 over a total variance of 5/3: α = 3/2 × (1 − .8333/1.6667) = .75.
    close(&s["cronbach_alpha"], 0.75);
    let item = |id: &str| s["questions"].as_array().unwrap().iter().find(|q| q["question_id"] == id).unwrap().clone();
    // Facility: 3/4, 2/4, 1/4.
    close(&item("a")["facility_index"], 0.75);
    close(&item("b")["facility_index"], 0.5);
    close(&item("c")["facility_index"], 0.25);
    // Discrimination: Pearson r of the item against the rest of the test.
    // a: x = (1,1,1,0), rest = (1,.5,0,0): Sxy = .375, Sxx = .75, Syy = .6875 → .375/√.515625 = .5222.
    // b: x = (1,1,0,0), rest = (1,.5,.5,0): Sxy = .5, Sxx = 1, Syy = .5 → .7071.
    // c: x = (1,0,0,0), rest = (1,1,.5,0): Sxy = .375, Sxx = .75, Syy = .6875 → .5222.
    close(&item("a")["discrimination_index"], 0.5222);
    close(&item("b")["discrimination_index"], std::f64::consts::FRAC_1_SQRT_2);
    close(&item("c")["discrimination_index"], 0.5222);
    let counts = |id: &str| -> Vec<(String, u64)> {
        item(id)["responses"].as_array().unwrap().iter().map(|r| (r["label"].as_str().unwrap().to_string(), r["count"].as_u64().unwrap())).collect()
    };
    let want = |a: u64, b: u64, c: u64| vec![("benar".to_string(), a), ("salah1".to_string(), b), ("salah2".to_string(), c)];
    assert_eq!(counts("a"), want(3, 1, 0), "a distractor nobody chose is listed with 0");
    assert_eq!(counts("b"), want(2, 1, 1));
    assert_eq!(counts("c"), want(1, 1, 1));
    assert_eq!(item("c")["no_response"], 1);

    let all = t.get("/api/v1/courses/analisis/quizzes/ujian/statistics?attempts=all", Some(&c.instructor)).await;
    assert_eq!(all.body["statistics"]["attempts"], 5);
    t.get("/api/v1/courses/analisis/quizzes/ujian/statistics?attempts=some", Some(&c.instructor)).await.assert_problem(422, "invalid_attempts");
});

const BANK_GIFT: &str = "$CATEGORY: Dasar

// [id:q-satu]
::Satu:: Angka satu ditulis? {=1 ~2 ~3}

// [id:q-dua]
::Dua:: Angka dua ditulis? {=2 ~1 ~3}

// [id:q-tiga]
::Tiga:: Angka tiga ditulis? {=3 ~1 ~2}

$CATEGORY: Lanjut

// [id:q-empat]
::Empat:: Dua tambah dua? {#4}
";

fn gift(token: &str, slug: &str, query: &str, body: &str) -> TestRequest {
    TestRequest::post()
        .uri(&format!("/api/v1/courses/{slug}/bank/import{query}"))
        .insert_header(("authorization", format!("Bearer {token}")))
        .insert_header(("content-type", "text/plain"))
        .set_payload(body.to_string())
}

api_test!(async fn gift_uploads_fill_the_bank_and_broken_files_get_line_numbers(t: &mut TestApp) {
    let c = class(t, "bank", &two_question_quiz("")).await;
    let broken = "::Benar:: Langit berwarna biru? {T}\n\n::Rusak:: Pilih satu {=a ~b\n\n::Lain:: Air itu basah? {TRUE}\n";
    let r = t.send(gift(&c.instructor, "bank", "", broken)).await;
    r.assert_problem(422, "quiz_file_invalid");
    let errors = r.body["errors"].as_array().unwrap();
    assert!(errors.iter().any(|e| e["line"] == 3 && e["severity"] == "error" && e["code"] == "unclosed_brace"), "{}", r.body);
    assert_eq!(t.get("/api/v1/courses/bank/bank", Some(&c.instructor)).await.body, json!([]), "nothing imported");

    t.send(gift(&c.learner, "bank", "", BANK_GIFT)).await.assert_problem(403, "not_course_instructor");
    let ok = t.send(gift(&c.instructor, "bank", "", BANK_GIFT)).await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert_eq!((ok.body["created"].as_u64(), ok.body["updated"].as_u64()), (Some(4), Some(0)));
    assert_eq!(ok.body["questions"][0]["category"], "Dasar");
    let same = t.send(gift(&c.instructor, "bank", "", BANK_GIFT)).await;
    assert_eq!(same.body["unchanged"], 4, "uploading the same file again changes nothing");
    let edited = BANK_GIFT.replace("{=1 ~2 ~3}", "{=1 ~2 ~4}");
    t.send(gift(&c.instructor, "bank", "", &edited)).await.assert_problem(409, "question_id_taken");
    let dasar = t.get("/api/v1/courses/bank/bank?category=dasar", Some(&c.instructor)).await;
    assert_eq!(dasar.body.as_array().unwrap().len(), 3);
    t.get("/api/v1/courses/bank/bank", Some(&c.learner)).await.assert_problem(403, "not_course_instructor");

    // A quiz drawing two of the three basic questions, plus a fixed one.
    let spec = json!({"title": "Kuis Bank", "max_attempts": 1, "review_policy": {"immediately": "responses"},
        "sections": [{"type": "draw", "category": "Dasar", "count": 2}, {"type": "fixed", "questions": ["q-empat"]}]});
    let too_many = json!({"title": "X", "sections": [{"type": "draw", "category": "Dasar", "count": 4}]});
    put(t, "/api/v1/courses/bank/quizzes/acak", &c.instructor, too_many).await.assert_problem(422, "quiz_not_drawable");
    put(t, "/api/v1/courses/bank/quizzes/ujian", &c.instructor, spec.clone()).await.assert_problem(409, "quiz_defined_in_course_files");
    put(t, "/api/v1/courses/bank/quizzes/acak", &c.learner, spec.clone()).await.assert_problem(403, "not_course_instructor");
    let made = put(t, "/api/v1/courses/bank/quizzes/acak", &c.instructor, spec).await;
    assert_eq!((made.status, made.body["question_count"].as_u64(), made.body["origin"].as_str()), (201, Some(3), Some("bank")), "{}", made.body);

    let a = t.post("/api/v1/courses/bank/quizzes/acak/attempts", Some(&c.learner), json!({})).await;
    assert_eq!(a.status, 201, "{}", a.body);
    let ids: Vec<String> = a.body["questions"].as_array().unwrap().iter().map(|q| q["id"].as_str().unwrap().to_string()).collect();
    assert_eq!(ids.len(), 3);
    assert!(ids[..2].iter().all(|i| ["q-satu", "q-dua", "q-tiga"].contains(&i.as_str())) && ids[0] != ids[1], "{ids:?}");
    assert_eq!(ids[2], "q-empat");
    let id = id_of(&a);
    let reopened = t.get(&format!("/api/v1/attempts/{id}"), Some(&c.learner)).await;
    assert_eq!(reopened.body["questions"], a.body["questions"], "draw and option order come from the attempt's seed");
    // The learner answers "1" everywhere: right only for q-satu.
    let mut responses = serde_json::Map::new();
    for qid in &ids[..2] {
        responses.insert(qid.clone(), choose(&a.body, qid, "1"));
    }
    responses.insert("q-empat".into(), json!({"type": "numeric", "input": "4"}));
    let done = submit(t, &id, &c.learner, Value::Object(responses)).await;
    let before = done.body["review"]["percent"].as_f64().unwrap();
    assert!(before < 100.0, "{}", done.body);

    // The instructor decides "1" is accepted everywhere (a corrected key), edits the bank, regrades.
    let bank = t.get("/api/v1/courses/bank/bank?category=Dasar", Some(&c.instructor)).await;
    for entry in bank.body.as_array().unwrap() {
        let mut question = entry["question"].clone();
        for choice in question["kind"]["choices"].as_array_mut().unwrap() {
            choice["weight"] = json!(if choice["text"] == "1" { 1.0 } else { 0.0 });
        }
        let qid = entry["id"].as_str().unwrap();
        let saved = put(t, &format!("/api/v1/courses/bank/bank/questions/{qid}"), &c.instructor, question).await;
        assert_eq!(saved.status, 200, "{}", saved.body);
        let expected = if qid == "q-satu" { "unchanged" } else { "updated" };
        assert_eq!(saved.body["result"], expected);
    }
    put(t, "/api/v1/courses/bank/bank/questions/q-lain", &c.instructor, bank.body[0]["question"].clone()).await.assert_problem(422, "id_mismatch");
    let report = t.post("/api/v1/courses/bank/quizzes/acak/regrade", Some(&c.instructor), json!({})).await;
    assert_eq!(report.status, 200, "{}", report.body);
    assert_eq!(report.body["attempts"][0]["new_percent"], 100.0, "{}", report.body);
    let changed: Vec<&str> = report.body["questions_changed"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    assert!(changed.iter().all(|q| ids.contains(&q.to_string()) && *q != "q-satu"), "{changed:?}");
    assert_eq!(t.get(&format!("/api/v1/attempts/{id}"), Some(&c.learner)).await.body["review"]["percent"], 100.0);
});

api_test!(async fn quiz_roles_come_from_the_manifest_first(t: &mut TestApp) {
    let tmp = tempfile::tempdir().unwrap();
    let instructor = t.user("guru@batanghari.go.id", None, None, vec![RoleGrant::global(Role::Instructor)]);
    let manifest = "[completion]\nrequire_quiz = \"akhir\"\n\n[[quizzes]]\nfile = \"kuis/awal.quiz.md\"\nrole = \"pretest\"\n";
    let awal = "---\ntitle: Tes Awal\nrole: posttest\n---\n\n## Soal {#s}\n\nBenar?\n\nJawaban: benar\n";
    let akhir = "---\ntitle: Tes Akhir\nrole: posttest\npass_mark_percent: 70\n---\n\n## Soal {#s}\n\nBenar?\n\nJawaban: benar\n";
    let aiken = "Apa ibu kota Indonesia?\nA. Bandung\nB. Jakarta\nANSWER: B\n";
    let dir = course_dir(tmp.path(), "peran", manifest, &[("kuis/awal.quiz.md", awal), ("kuis/akhir.quiz.md", akhir), ("kuis/latihan.aiken.txt", aiken)]);
    import_as(t, &dir, instructor);
    let (token, _) = learner(t, "murid@batanghari.go.id", None).await;
    enrol(t, "peran", &token).await;
    let list = t.get("/api/v1/courses/peran/quizzes", Some(&token)).await;
    assert_eq!(list.status, 200, "{}", list.body);
    let role = |id: &str| list.body.as_array().unwrap().iter().find(|q| q["id"] == id).unwrap().clone();
    assert_eq!(role("awal")["role"], "pretest", "the manifest wins over the front matter");
    assert_eq!(role("akhir")["role"], "posttest", "the front matter counts when the manifest is silent");
    assert_eq!(role("latihan")["role"], "practice");
    assert_eq!((role("latihan")["format"].as_str(), role("latihan")["question_count"].as_u64()), (Some("aiken"), Some(1)));
    assert_eq!(role("akhir")["required_for_completion"], true);
    assert_eq!(role("awal")["required_for_completion"], false);
    assert_eq!(role("akhir")["title"], "Tes Akhir");
});

#[test]
fn every_quiz_endpoint_is_in_the_openapi_document() {
    let doc = serde_json::to_value(lentera_api::openapi()).unwrap();
    for path in [
        "/api/v1/courses/{slug}/quizzes",
        "/api/v1/courses/{slug}/quizzes/{quiz_id}",
        "/api/v1/courses/{slug}/quizzes/{quiz_id}/attempts",
        "/api/v1/attempts/{attempt_id}",
        "/api/v1/attempts/{attempt_id}/responses",
        "/api/v1/attempts/{attempt_id}/submit",
        "/api/v1/attempts/{attempt_id}/grades",
        "/api/v1/courses/{slug}/quiz-attempts",
        "/api/v1/courses/{slug}/quizzes/{quiz_id}/regrade",
        "/api/v1/courses/{slug}/quizzes/{quiz_id}/statistics",
        "/api/v1/courses/{slug}/bank",
        "/api/v1/courses/{slug}/bank/import",
        "/api/v1/courses/{slug}/bank/questions/{question_id}",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} missing from the OpenAPI document");
    }
    assert!(doc["paths"]["/api/v1/courses/{slug}/quizzes/{quiz_id}"].get("put").is_some());
    // One attempt, two views: the document names both, so clients need not guess.
    let ok = &doc["paths"]["/api/v1/attempts/{attempt_id}"]["get"]["responses"]["200"]["content"]["application/json"]["schema"];
    assert_eq!(ok["$ref"], "#/components/schemas/AnyAttemptView");
    let views: Vec<&str> = doc["components"]["schemas"]["AnyAttemptView"]["oneOf"].as_array().unwrap().iter().filter_map(|v| v["$ref"].as_str()).collect();
    assert_eq!(views, ["#/components/schemas/AttemptView", "#/components/schemas/StaffAttemptView"]);
}

api_test!(async fn passing_the_required_quiz_issues_the_certificate_at_once(t: &mut TestApp) {
    let tmp = tempfile::tempdir().unwrap();
    let instructor = t.user("guru.sertifikat@batanghari.go.id", None, None, vec![RoleGrant::global(Role::Instructor)]);
    let quiz = two_question_quiz("pass_mark_percent: 50");
    let dir = course_dir(tmp.path(), "bersertifikat", "[completion]\nrequire_quiz = \"ujian\"", &[("kuis/ujian.quiz.md", &quiz)]);
    import_as(t, &dir, instructor);
    let (learner, _) = learner(t, "murid.sertifikat@batanghari.go.id", None).await;
    enrol(t, "bersertifikat", &learner).await;
    let done = json!({"type": "lesson_completed", "lesson_id": "pengantar"});
    crate::progress::sync(t, &learner, &[event("bersertifikat", done, chrono::Utc::now())]).await;

    let a = start(t, "bersertifikat", &learner).await;
    let r = submit(t, &id_of(&a), &learner, right_answers(&a.body)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let p = t.get("/api/v1/courses/bersertifikat/progress", Some(&learner)).await.body;
    assert_eq!(p["status"], "completed", "{p}");
    // No job has run: the submit itself issued the certificate the learner sees next.
    let certificates = t.get("/api/v1/me/certificates", Some(&learner)).await.body;
    assert_eq!(certificates.as_array().map(Vec::len), Some(1), "{certificates}");
    assert_eq!(certificates[0]["course_title"], "Kursus bersertifikat", "{certificates}");
    // The completion report carries the score and the certificate's number.
    let admin = t.admin().await;
    let report = t.get("/api/v1/reports/completions?course=bersertifikat", Some(&admin)).await.body;
    assert_eq!(report["items"][0]["score_percent"], 100.0, "{report}");
    assert_eq!(report["items"][0]["certificate_number"], certificates[0]["number"], "{report}");
});
