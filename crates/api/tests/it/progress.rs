//! The progress tracker through the API, on both backends: syncing events (idempotent, order
//! independent), completion across course versions, the JP ledger at the year boundary,
//! external training approval, certifications, quiz results and the xAPI export.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Datelike, Duration, TimeZone, Utc};
use lentera_accounts::{Role, RoleGrant};
use lentera_api::course_import::{Importer, import_dirs};
use lentera_api::progress_glue::{self, ProgressSettings};
use serde_json::{Value, json};

use crate::api_test;
use crate::courses::write_course;
use crate::support::*;

pub const SLUG: &str = "etika-asn";

/// A course of three required lessons: `pengantar`, `nilai-dasar`, `kode-etik` (4 JP).
pub fn etika(root: &Path) -> PathBuf {
    write_course(root, SLUG, "Etika ASN", "", &[
        ("01-pengantar.md", "Pengantar", "Isi pengantar.\n\n## Bagian 2\n\nLanjutan."),
        ("02-nilai-dasar.md", "Nilai Dasar", "BerAKHLAK."),
        ("03-kode-etik.md", "Kode Etik", "Kode etik ASN."),
    ])
}

pub fn import(t: &TestApp, dirs: &[PathBuf]) -> Vec<lentera_storage::courses::ImportResult> {
    import_dirs(t.db(), dirs, Importer::Operator, "test").unwrap()
}

pub async fn enrol(t: &TestApp, token: &str, slug: &str) {
    let r = t.post(&format!("/api/v1/courses/{slug}/enrol"), Some(token), json!({})).await;
    assert_eq!(r.status, 200, "{}", r.body);
}

pub fn lesson(kind: &str, lesson: &str) -> Value {
    json!({"type": kind, "lesson_id": lesson})
}

pub async fn sync(t: &TestApp, token: &str, events: &[Value]) -> Reply {
    let r = t.post("/api/v1/progress/events", Some(token), json!({ "events": events })).await;
    assert_eq!(r.status, 200, "{}", r.body);
    r
}

/// Completes the three lessons of `etika` at `at`, `at + 1 min`, `at + 2 min`.
pub async fn complete_etika(t: &TestApp, token: &str, at: DateTime<Utc>) -> Reply {
    let events: Vec<Value> = ["pengantar", "nilai-dasar", "kode-etik"]
        .iter()
        .enumerate()
        .map(|(i, l)| event(SLUG, lesson("lesson_completed", l), at + Duration::minutes(i as i64)))
        .collect();
    let r = sync(t, token, &events).await;
    assert_eq!(r.body["accepted"], 3, "{}", r.body);
    r
}

/// A stored time as the API gives it (UTC, without an offset).
fn stored_time(v: &Value) -> DateTime<Utc> {
    serde_json::from_value::<chrono::NaiveDateTime>(v.clone()).unwrap().and_utc()
}

fn statuses(r: &Reply) -> Vec<String> {
    r.body["results"].as_array().unwrap().iter().map(|x| x["status"].as_str().unwrap().to_string()).collect()
}

api_test!(async fn replaying_the_same_batch_changes_nothing(t: &mut TestApp) {
    let tmp = tempfile::tempdir().unwrap();
    import(t, &[etika(tmp.path())]);
    let (me, token) = t.learner_in("murid@batanghari.go.id", None, None).await;
    enrol(t, &token, SLUG).await;
    let base = Utc::now() - Duration::minutes(2);
    let at = |s: i64| base + Duration::seconds(s);
    let mut batch = vec![
        event(SLUG, lesson("lesson_opened", "pengantar"), at(0)),
        event(SLUG, json!({"type": "time_spent", "lesson_id": "pengantar", "seconds": 60}), at(60)),
        event(SLUG, json!({"type": "position", "lesson_id": "pengantar", "anchor": "bagian-2"}), at(61)),
        event(SLUG, lesson("lesson_completed", "pengantar"), at(62)),
        event(SLUG, lesson("lesson_opened", "nilai-dasar"), at(63)),
        event(SLUG, json!({"type": "time_spent", "lesson_id": "nilai-dasar", "seconds": 30}), at(93)),
    ];
    // The same event twice in one batch counts once.
    batch.push(batch[1].clone());

    let first = sync(t, &token, &batch).await;
    assert_eq!((first.body["accepted"].as_u64(), first.body["duplicates"].as_u64()), (Some(6), Some(1)), "{}", first.body);
    assert_eq!(statuses(&first)[6], "duplicate");
    assert_eq!(first.body["progress"][0]["percent_complete"], 33);
    let before = t.get(&format!("/api/v1/courses/{SLUG}/progress"), Some(&token)).await;
    assert_eq!(before.status, 200, "{}", before.body);
    assert_eq!(before.body["seconds_spent"], 90);
    assert_eq!(before.body["last_lesson_id"], "nilai-dasar");
    assert_eq!(before.body["status"], "in_progress");
    assert_eq!(before.body["completed_lessons"], json!(["pengantar"]));
    let stored = t.db().read(|c| lentera_storage::progress::event_count(c, me)).unwrap();
    assert_eq!(stored, 6);

    // A retry of the whole batch (the answer was lost): every event is a duplicate.
    let again = sync(t, &token, &batch).await;
    assert_eq!((again.body["accepted"].as_u64(), again.body["duplicates"].as_u64()), (Some(0), Some(7)), "{}", again.body);
    let after = t.get(&format!("/api/v1/courses/{SLUG}/progress"), Some(&token)).await;
    assert_eq!(after.body, before.body, "replaying changed the stored progress");
    assert_eq!(t.db().read(|c| lentera_storage::progress::event_count(c, me)).unwrap(), 6);
    let dashboard = t.get("/api/v1/me/progress", Some(&token)).await;
    assert_eq!(dashboard.body[0]["percent_complete"], 33);
    assert_eq!(dashboard.body[0]["last_position"], json!(null), "resume point is in nilai-dasar, which has no position");
});

api_test!(async fn events_out_of_order_yield_the_same_progress(t: &mut TestApp) {
    let tmp = tempfile::tempdir().unwrap();
    import(t, &[etika(tmp.path())]);
    let (_, online) = t.learner_in("online@batanghari.go.id", None, None).await;
    let (_, offline) = t.learner_in("offline@batanghari.go.id", None, None).await;
    enrol(t, &online, SLUG).await;
    enrol(t, &offline, SLUG).await;
    let base = Utc::now() - Duration::minutes(5);
    let at = |s: i64| base + Duration::seconds(s);
    let script = vec![
        (lesson("lesson_opened", "pengantar"), 0),
        (json!({"type": "time_spent", "lesson_id": "pengantar", "seconds": 100}), 100),
        (json!({"type": "position", "lesson_id": "pengantar", "anchor": "bagian-2"}), 101),
        (lesson("lesson_completed", "pengantar"), 102),
        (lesson("lesson_opened", "nilai-dasar"), 103),
        (lesson("lesson_completed", "nilai-dasar"), 140),
        (lesson("lesson_opened", "kode-etik"), 141),
        (json!({"type": "time_spent", "lesson_id": "kode-etik", "seconds": 50}), 190),
        (lesson("lesson_completed", "kode-etik"), 191),
        (json!({"type": "position", "lesson_id": "kode-etik", "anchor": "penutup"}), 200),
    ];
    let in_order: Vec<Value> = script.iter().map(|(k, s)| event(SLUG, k.clone(), at(*s))).collect();
    sync(t, &online, &in_order).await;
    // The offline phone sends the same history backwards, in three batches, one of them twice.
    let mut reversed: Vec<Value> = script.iter().map(|(k, s)| event(SLUG, k.clone(), at(*s))).collect();
    reversed.reverse();
    let (a, rest) = reversed.split_at(3);
    let (b, c) = rest.split_at(4);
    sync(t, &offline, c).await;
    sync(t, &offline, a).await;
    sync(t, &offline, c).await;
    sync(t, &offline, b).await;

    let x = t.get(&format!("/api/v1/courses/{SLUG}/progress"), Some(&online)).await.body;
    let y = t.get(&format!("/api/v1/courses/{SLUG}/progress"), Some(&offline)).await.body;
    for field in ["percent_complete", "status", "last_lesson_id", "last_position", "completed_at", "seconds_spent", "completed_lessons"] {
        assert_eq!(x[field], y[field], "{field}: {x} vs {y}");
    }
    assert_eq!(x["status"], "completed");
    assert_eq!(x["last_position"], "penutup");
    assert_eq!(x["seconds_spent"], 150);
    let completed = stored_time(&x["completed_at"]);
    assert!((completed - at(191)).num_seconds().abs() < 1, "completion is when the last lesson was done: {completed}");
});

api_test!(async fn rejected_events_say_why_and_the_batch_goes_on(t: &mut TestApp) {
    let tmp = tempfile::tempdir().unwrap();
    let other = write_course(tmp.path(), "lain", "Kursus Lain", "", &[("01-a.md", "A", "Isi")]);
    import(t, &[etika(tmp.path()), other]);
    let (_, token) = t.learner_in("murid@batanghari.go.id", None, None).await;
    enrol(t, &token, SLUG).await;
    let now = Utc::now();
    let mut malformed = event(SLUG, lesson("lesson_opened", "pengantar"), now);
    malformed.as_object_mut().unwrap().remove("kind");
    let batch = vec![
        event("tidak-ada", lesson("lesson_opened", "pengantar"), now),
        event("lain", lesson("lesson_opened", "a"), now),
        event(SLUG, lesson("lesson_opened", "bab-9"), now),
        event(SLUG, json!({"type": "time_spent", "lesson_id": "pengantar", "seconds": -5}), now),
        event(SLUG, lesson("lesson_opened", "pengantar"), now + Duration::days(1)),
        malformed.clone(),
        event(SLUG, json!({"type": "quiz_passed", "quiz_id": "tidak-ada", "score_percent": 90.0}), now),
        event(SLUG, lesson("lesson_opened", "pengantar"), now),
    ];
    let r = sync(t, &token, &batch).await;
    let codes: Vec<Value> = r.body["results"].as_array().unwrap().iter().map(|x| x["code"].clone()).collect();
    assert_eq!(
        codes,
        vec![
            json!("unknown_course"),
            json!("not_enrolled"),
            json!("unknown_lesson"),
            json!("negative_time"),
            json!("in_future"),
            json!("invalid_event"),
            json!("unknown_quiz"),
            Value::Null
        ],
        "{}",
        r.body
    );
    assert_eq!((r.body["accepted"].as_u64(), r.body["rejected"].as_u64()), (Some(1), Some(7)));
    assert_eq!(r.body["results"][5]["client_id"], malformed["client_id"], "a malformed event is named by its id");
    assert!(r.body["results"][2]["message"].as_str().unwrap().contains("bab-9"));
    // Rejections are not stored: the same event is rejected again, never "duplicate".
    let again = sync(t, &token, &batch[2..3]).await;
    assert_eq!(statuses(&again), ["rejected"]);

    let mut small = ProgressSettings::default();
    small.config.max_batch_events = 2;
    let big: Vec<Value> = (0..3).map(|_| event(SLUG, lesson("lesson_opened", "pengantar"), now)).collect();
    t.post_with(&small, "/api/v1/progress/events", Some(&token), json!({ "events": big })).await.assert_problem(422, "batch_too_large");
    let plain = actix_web::test::TestRequest::post()
        .uri("/api/v1/progress/events")
        .insert_header(("authorization", format!("Bearer {token}")))
        .insert_header(("content-type", "text/plain"))
        .set_payload("{}");
    t.send(plain).await.assert_problem(415, "unsupported_media_type");
    t.post("/api/v1/progress/events", None, json!({"events": []})).await.assert_problem(401, "missing_token");
    let broken = actix_web::test::TestRequest::post()
        .uri("/api/v1/progress/events")
        .insert_header(("authorization", format!("Bearer {token}")))
        .insert_header(("content-type", "application/json"))
        .set_payload("{\"events\": [");
    t.send(broken).await.assert_problem(400, "malformed_json");
});

api_test!(async fn completion_survives_new_versions_of_the_course(t: &mut TestApp) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = etika(tmp.path());
    import(t, std::slice::from_ref(&dir));
    let (_, done) = t.learner_in("tuntas@batanghari.go.id", None, None).await;
    let (_, partial) = t.learner_in("sebagian@batanghari.go.id", None, None).await;
    enrol(t, &done, SLUG).await;
    enrol(t, &partial, SLUG).await;
    let at = Utc::now() - Duration::minutes(10);
    complete_etika(t, &done, at).await;
    // The partial learner has everything but `nilai-dasar`.
    sync(t, &partial, &[
        event(SLUG, lesson("lesson_completed", "pengantar"), at),
        event(SLUG, lesson("lesson_completed", "kode-etik"), at + Duration::minutes(1)),
    ])
    .await;
    let before = t.get(&format!("/api/v1/courses/{SLUG}/progress"), Some(&done)).await.body;
    assert_eq!(before["status"], "completed");
    let certificates = t.get("/api/v1/me/certificates", Some(&done)).await.body;
    assert_eq!(certificates.as_array().unwrap().len(), 1);
    let number = certificates[0]["number"].clone();
    assert_eq!(t.get("/api/v1/me/jp", Some(&done)).await.body["summary"]["earned"], 4);
    let missing = t.get(&format!("/api/v1/courses/{SLUG}/progress"), Some(&partial)).await.body;
    assert_eq!(missing["missing"], json!([{"type": "lesson", "lesson_id": "nilai-dasar"}]));

    // Version 2 drops `nilai-dasar` and changes `kode-etik`: nothing is missing any more for the
    // partial learner, whose completion comes from the rebase (its certificate from a job).
    std::fs::remove_file(dir.join("01-materi/02-nilai-dasar.md")).unwrap();
    std::fs::write(dir.join("01-materi/03-kode-etik.md"), "---\ntitle: Kode Etik (revisi)\n---\n\nIsi baru.\n").unwrap();
    assert_eq!(import(t, std::slice::from_ref(&dir))[0].version, 2);
    let v2 = t.get(&format!("/api/v1/courses/{SLUG}/progress"), Some(&done)).await.body;
    assert_eq!((&v2["status"], &v2["completed_at"], &v2["percent_complete"]), (&json!("completed"), &before["completed_at"], &json!(100)));
    let rebased = t.get(&format!("/api/v1/courses/{SLUG}/progress"), Some(&partial)).await.body;
    assert_eq!(rebased["status"], "completed", "{rebased}");
    assert_eq!(t.get("/api/v1/me/jp", Some(&partial)).await.body["summary"]["earned"], 4);
    assert_eq!(t.run_jobs(&ProgressSettings::default()), 2, "issue (and render) the rebased learner's certificate, render the first");
    assert_eq!(t.get("/api/v1/me/certificates", Some(&partial)).await.body.as_array().unwrap().len(), 1);

    // Version 3 adds a required lesson: the completed learner stays completed, with the same
    // date, the same JP and the same certificate; the percentage follows the new outline.
    std::fs::write(dir.join("01-materi/04-studi-kasus.md"), "---\ntitle: Studi Kasus\n---\n\nKasus.\n").unwrap();
    assert_eq!(import(t, std::slice::from_ref(&dir))[0].version, 3);
    let v3 = t.get(&format!("/api/v1/courses/{SLUG}/progress"), Some(&done)).await.body;
    assert_eq!(v3["status"], "completed");
    assert_eq!(v3["completed_at"], before["completed_at"]);
    assert_eq!(v3["percent_complete"], 66, "{v3}");
    assert_eq!(v3["missing"], json!([]), "a completed enrolment owes nothing");
    assert_eq!(t.get("/api/v1/me/jp", Some(&done)).await.body["summary"]["earned"], 4);
    let certificates = t.get("/api/v1/me/certificates", Some(&done)).await.body;
    assert_eq!(certificates.as_array().unwrap().len(), 1);
    assert_eq!(certificates[0]["number"], number);
    // New events against the new outline still count.
    let r = sync(t, &done, &[event(SLUG, lesson("lesson_completed", "studi-kasus"), Utc::now())]).await;
    assert_eq!(r.body["progress"][0]["percent_complete"], 100);
});

api_test!(async fn jp_land_in_the_year_of_completion_in_jakarta(t: &mut TestApp) {
    let tmp = tempfile::tempdir().unwrap();
    let a = write_course(tmp.path(), "akhir-tahun", "Kursus Akhir Tahun", "", &[("01-satu.md", "Satu", "Isi")]);
    let b = write_course(tmp.path(), "awal-tahun", "Kursus Awal Tahun", "", &[("01-satu.md", "Satu", "Isi")]);
    import(t, &[a, b]);
    let (_, token) = t.learner_in("murid@batanghari.go.id", None, None).await;
    enrol(t, &token, "akhir-tahun").await;
    enrol(t, &token, "awal-tahun").await;
    // A year well ahead of the real clock; the server's clock is set just after it began.
    let year = Utc::now().year() + 2;
    let settings = ProgressSettings::default().with_clock(move || Utc.with_ymd_and_hms(year, 1, 2, 3, 0, 0).unwrap());
    // 23:30 on 31 December in Jakarta (UTC+7) is still the old year; 00:30 on 1 January is not.
    let late = Utc.with_ymd_and_hms(year - 1, 12, 31, 16, 30, 0).unwrap();
    let early = Utc.with_ymd_and_hms(year - 1, 12, 31, 17, 30, 0).unwrap();
    let r = t
        .post_with(&settings, "/api/v1/progress/events", Some(&token), json!({"events": [
            event("akhir-tahun", lesson("lesson_completed", "satu"), late),
            event("awal-tahun", lesson("lesson_completed", "satu"), early),
        ]}))
        .await;
    assert_eq!(r.body["accepted"], 2, "{}", r.body);

    let old = t.get_with(&settings, &format!("/api/v1/me/jp?year={}", year - 1), Some(&token)).await.body;
    assert_eq!(old["summary"]["earned"], 4, "{old}");
    assert_eq!(old["lines"][0]["title"], "Kursus Akhir Tahun");
    assert_eq!(old["label_en"], format!("4 / 20 JP in {}", year - 1));
    let new = t.get_with(&settings, "/api/v1/me/jp", Some(&token)).await.body;
    assert_eq!(new["summary"]["year"], year, "without ?year the current year (in Jakarta) is shown");
    assert_eq!(new["summary"]["earned"], 4);
    assert_eq!(new["lines"].as_array().unwrap().len(), 1);
    assert_eq!(new["lines"][0]["title"], "Kursus Awal Tahun");
    assert_eq!(new["summary"]["remaining"], 16);
    assert_eq!(new["label_id"], format!("4 / 20 JP tahun {year}"));
    assert_eq!(new["target_met"], false);
    t.get_with(&settings, "/api/v1/me/jp?year=1500", Some(&token)).await.assert_problem(422, "invalid_year");

    // A deployment with another yearly target.
    let mut target24 = settings.clone();
    target24.config.jp.yearly_target = lentera_progress::Jp::whole(24);
    assert_eq!(t.get_with(&target24, "/api/v1/me/jp", Some(&token)).await.body["label_en"], format!("4 / 24 JP in {year}"));
});

api_test!(async fn external_training_counts_once_hr_in_scope_approves_it(t: &mut TestApp) {
    let dinkes = t.opd("Dinas Kesehatan");
    let dinsos = t.opd("Dinas Sosial");
    let (_, learner) = t.learner_in("perawat@batanghari.go.id", None, Some(dinkes)).await;
    t.user("hr.dinkes@batanghari.go.id", None, Some(dinkes), vec![RoleGrant { role: Role::Hr, opd: Some(dinkes) }]);
    t.user("hr.dinsos@batanghari.go.id", None, Some(dinsos), vec![RoleGrant { role: Role::Hr, opd: Some(dinsos) }]);
    let hr = t.login("hr.dinkes@batanghari.go.id").await.0;
    let hr_other = t.login("hr.dinsos@batanghari.go.id").await.0;

    let upload = |body: &'static [u8], ct: &'static str| {
        actix_web::test::TestRequest::post()
            .uri("/api/v1/me/proofs?file_name=sertifikat.pdf")
            .insert_header(("authorization", format!("Bearer {learner}")))
            .insert_header(("content-type", ct))
            .set_payload(body)
    };
    let proof = t.send(upload(b"%PDF-1.4\n% bukti seminar\n", "application/pdf")).await;
    assert_eq!(proof.status, 201, "{}", proof.body);
    assert_eq!(proof.body["media_type"], "application/pdf");
    let proof_id = proof.body["id"].as_str().unwrap().to_string();
    t.send(upload(b"<html>bukan bukti</html>", "application/pdf")).await.assert_problem(422, "unsupported_proof_type");

    let forms = t.get("/api/v1/jp/forms", Some(&learner)).await.body;
    assert_eq!(forms.as_array().unwrap().len(), 25);
    assert_eq!(forms[8]["id"], "seminar");
    assert_eq!(forms[8]["siasn_id"], 9);
    let s = t.post("/api/v1/jp/suggest", Some(&learner), json!({"form": "workshop", "amount": {"unit": "days", "days": 2}})).await;
    assert_eq!(s.body["jp"], 10, "{}", s.body);

    let year = 2026;
    let seminar = json!({
        "form": "seminar", "title": "Seminar Nasional SPBE", "provider": "Kementerian PANRB",
        "start_date": "2026-03-10", "end_date": "2026-03-11", "amount": {"unit": "days", "days": 2},
        "certificate_number": "123/SEM/2026", "proof_id": proof_id,
    });
    let created = t.post("/api/v1/me/external-trainings", Some(&learner), seminar.clone()).await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!((&created.body["suggested_jp"], &created.body["claimed_jp"], &created.body["status"]), (&json!(8.0), &json!(8.0), &json!("pending")));
    assert_eq!(created.body["siasn_id"], 9);
    let id = created.body["id"].as_str().unwrap().to_string();
    let mut wrong = seminar.clone();
    wrong["amount"] = json!({"unit": "stated_jp", "jp": 8});
    t.post("/api/v1/me/external-trainings", Some(&learner), wrong).await.assert_problem(422, "wrong_amount_unit");
    let mut backwards = seminar.clone();
    backwards["end_date"] = json!("2026-03-01");
    t.post("/api/v1/me/external-trainings", Some(&learner), backwards).await.assert_problem(422, "invalid_dates");

    let pending = t.get(&format!("/api/v1/me/jp?year={year}"), Some(&learner)).await.body;
    assert_eq!(pending["summary"]["earned"], 0);
    assert_eq!(pending["lines"][0]["counted"], false);
    assert_eq!(pending["lines"][0]["excluded_because"], "pending_approval");
    assert_eq!(pending["lines"][0]["provider"], "Kementerian PANRB");

    t.post(&format!("/api/v1/external-trainings/{id}/approve"), Some(&learner), json!({})).await.assert_problem(403, "forbidden");
    t.post(&format!("/api/v1/external-trainings/{id}/approve"), Some(&hr_other), json!({})).await.assert_problem(404, "not_found");
    assert_eq!(t.get("/api/v1/external-trainings", Some(&hr_other)).await.body["total"], 0);
    let queue = t.get("/api/v1/external-trainings", Some(&hr)).await.body;
    assert_eq!(queue["total"], 1);
    let ok = t.post(&format!("/api/v1/external-trainings/{id}/approve"), Some(&hr), json!({"jp": 6})).await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert_eq!((&ok.body["status"], &ok.body["jp"]), (&json!("approved"), &json!(6.0)));
    // The learner is told, in the app (and by e-mail through the outbox).
    let notes = t.get("/api/v1/me/notifications", Some(&learner)).await.body;
    let told = notes["items"].as_array().unwrap().iter().find(|n| n["kind"] == "external_training_approved").unwrap_or_else(|| panic!("{notes}"));
    assert!(told.to_string().contains("Seminar Nasional SPBE"), "{told}");
    t.post(&format!("/api/v1/external-trainings/{id}/approve"), Some(&hr), json!({})).await.assert_problem(409, "already_decided");
    t.send(actix_web::test::TestRequest::delete().uri(&format!("/api/v1/me/external-trainings/{id}")).insert_header(("authorization", format!("Bearer {learner}"))))
        .await
        .assert_problem(409, "already_decided");

    let mut second = seminar.clone();
    second["title"] = json!("Seminar tanpa bukti sah");
    second.as_object_mut().unwrap().remove("proof_id");
    let second = t.post("/api/v1/me/external-trainings", Some(&learner), second).await.body["id"].as_str().unwrap().to_string();
    t.post(&format!("/api/v1/external-trainings/{second}/reject"), Some(&hr), json!({"reason": "  "})).await.assert_problem(422, "invalid_reason");
    let rejected = t.post(&format!("/api/v1/external-trainings/{second}/reject"), Some(&hr), json!({"reason": "Sertifikat tidak terbaca"})).await;
    assert_eq!((&rejected.body["status"], &rejected.body["decision_reason"]), (&json!("rejected"), &json!("Sertifikat tidak terbaca")));

    let report = t.get(&format!("/api/v1/me/jp?year={year}"), Some(&learner)).await.body;
    assert_eq!(report["summary"]["earned"], 6, "{report}");
    assert_eq!(report["label_en"], format!("6 / 20 JP in {year}"));
    let lines = report["lines"].as_array().unwrap();
    assert_eq!(lines.len(), 2);
    assert!(lines.iter().any(|l| l["excluded_because"] == "rejected" && l["counted"] == false));
    // hr sees the learner's JP; another OPD's hr does not even see that the learner exists.
    let learner_id = created.body["user_id"].as_str().unwrap();
    assert_eq!(t.get(&format!("/api/v1/users/{learner_id}/jp?year={year}"), Some(&hr)).await.body["summary"]["earned"], 6);
    t.get(&format!("/api/v1/users/{learner_id}/jp?year={year}"), Some(&hr_other)).await.assert_problem(404, "not_found");

    // The proof is private: its owner and hr in scope only.
    assert_eq!(t.get(&format!("/api/v1/proofs/{proof_id}"), Some(&learner)).await.raw, b"%PDF-1.4\n% bukti seminar\n");
    assert_eq!(t.get(&format!("/api/v1/proofs/{proof_id}"), Some(&hr)).await.status, 200);
    t.get(&format!("/api/v1/proofs/{proof_id}"), Some(&hr_other)).await.assert_problem(404, "not_found");
    // Someone else's proof cannot be attached.
    let (_, stranger) = t.learner_in("lain@batanghari.go.id", None, Some(dinsos)).await;
    let mut stolen = seminar.clone();
    stolen["title"] = json!("Pinjam bukti");
    t.post("/api/v1/me/external-trainings", Some(&stranger), stolen).await.assert_problem(422, "unknown_proof");
});

api_test!(async fn hr_sees_certifications_expiring_within_n_days(t: &mut TestApp) {
    let dinkes = t.opd("Dinas Kesehatan");
    let dinsos = t.opd("Dinas Sosial");
    let (_, learner) = t.learner_in("bidan@batanghari.go.id", Some("198609262015052001"), Some(dinkes)).await;
    t.user("hr.dinkes@batanghari.go.id", None, Some(dinkes), vec![RoleGrant { role: Role::Hr, opd: Some(dinkes) }]);
    t.user("hr.dinsos@batanghari.go.id", None, Some(dinsos), vec![RoleGrant { role: Role::Hr, opd: Some(dinsos) }]);
    let hr = t.login("hr.dinkes@batanghari.go.id").await.0;
    let hr_other = t.login("hr.dinsos@batanghari.go.id").await.0;
    let today = ProgressSettings::default().local_date(Utc::now());
    let cert = |name: &str, days: i64| {
        json!({"name": name, "issuer": "LSP Kesehatan", "number": format!("STR-{name}"), "issued_on": (today - Duration::days(700)).to_string(),
               "expires_on": (today + Duration::days(days)).to_string()})
    };
    let soon = t.post("/api/v1/me/certifications", Some(&learner), cert("STR Bidan", 10)).await;
    assert_eq!(soon.status, 201, "{}", soon.body);
    assert_eq!(soon.body["days_left"], 10);
    assert_eq!(t.post("/api/v1/me/certifications", Some(&learner), cert("BTCLS", 200)).await.status, 201);
    let mut bad = cert("Terbalik", 10);
    bad["expires_on"] = json!((today - Duration::days(800)).to_string());
    t.post("/api/v1/me/certifications", Some(&learner), bad).await.assert_problem(422, "invalid_dates");
    assert_eq!(t.get("/api/v1/me/certifications", Some(&learner)).await.body.as_array().unwrap().len(), 2);

    let within30 = t.get("/api/v1/certifications/expiring?days=30", Some(&hr)).await.body;
    assert_eq!(within30.as_array().unwrap().len(), 1, "{within30}");
    assert_eq!(within30[0]["name"], "STR Bidan");
    assert_eq!(within30[0]["user_name"], "User bidan@batanghari.go.id");
    assert_eq!(t.get("/api/v1/certifications/expiring?days=365", Some(&hr)).await.body.as_array().unwrap().len(), 2);
    assert_eq!(t.get("/api/v1/certifications/expiring", Some(&hr)).await.body.as_array().unwrap().len(), 1, "default window: 90 days");
    assert_eq!(t.get("/api/v1/certifications/expiring?days=365", Some(&hr_other)).await.body.as_array().unwrap().len(), 0);
    t.get("/api/v1/certifications/expiring", Some(&learner)).await.assert_problem(403, "forbidden");

    // The same list as a download.
    let csv = t.get("/api/v1/certifications/expiring?days=365&format=csv", Some(&hr)).await;
    assert_eq!(csv.status, 200);
    assert!(csv.content_type.starts_with("text/csv"), "{}", csv.content_type);
    let text = String::from_utf8(csv.raw).unwrap();
    let lines: Vec<&str> = text.trim_start_matches('\u{feff}').split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines[0], "NIP,Nama,OPD,Sertifikasi,Penerbit,Nomor,Tanggal Terbit,Berlaku Sampai");
    assert_eq!(lines.len(), 3, "{text}");
    assert_eq!(lines[1], format!("198609262015052001,User bidan@batanghari.go.id,Dinas Kesehatan,STR Bidan,LSP Kesehatan,STR-STR Bidan,{},{}", today - Duration::days(700), today + Duration::days(10)));
    let xlsx = t.get("/api/v1/certifications/expiring?days=365&format=xlsx", Some(&hr)).await;
    use calamine::{Data, Reader, Xlsx};
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx.raw)).unwrap();
    let range = book.worksheet_range("Laporan").unwrap();
    assert_eq!(range.height(), 3);
    assert!(matches!(range.get((1, 7)), Some(Data::DateTime(_))), "valid-until is a date cell: {:?}", range.get((1, 7)));
});

fn quiz_course(root: &Path) -> PathBuf {
    let dir = write_course(root, "kuis-asn", "Kursus Berkuis", "[completion]\nrequire_quiz = \"ujian\"\n", &[("01-materi.md", "Materi", "Isi")]);
    std::fs::create_dir_all(dir.join("kuis")).unwrap();
    std::fs::write(dir.join("kuis/ujian.aiken.txt"), "Apa ibu kota Indonesia?\nA. Jakarta\nB. Bandung\nANSWER: A\n").unwrap();
    dir
}

api_test!(async fn quiz_results_complete_the_course_and_are_exported_as_xapi(t: &mut TestApp) {
    let tmp = tempfile::tempdir().unwrap();
    import(t, &[quiz_course(tmp.path())]);
    let (me, token) = t.learner_in("murid@batanghari.go.id", None, None).await;
    let (_, other) = t.learner_in("lain@batanghari.go.id", None, None).await;
    enrol(t, &token, "kuis-asn").await;
    let base = Utc::now() - Duration::minutes(5);
    let r = sync(t, &token, &[event("kuis-asn", lesson("lesson_completed", "materi"), base)]).await;
    assert_eq!(r.body["accepted"], 1, "{}", r.body);
    let p = t.get("/api/v1/courses/kuis-asn/progress", Some(&token)).await.body;
    assert_eq!((&p["status"], &p["percent_complete"]), (&json!("in_progress"), &json!(100)));
    assert_eq!(p["missing"], json!([{"type": "quiz", "quiz_id": "ujian"}]));

    let course = t.db().read(|c| lentera_storage::courses::course_by_slug(c, "kuis-asn")).unwrap();
    let failed_at = base + Duration::minutes(1);
    let passed_at = base + Duration::minutes(2);
    let record = |score: f64, passed: bool, at: DateTime<Utc>| {
        t.db().write(|c| progress_glue::record_quiz_result(c, None, &course.id, me, "ujian", score, passed, at)).unwrap();
    };
    record(40.0, false, failed_at);
    assert_eq!(t.get("/api/v1/courses/kuis-asn/progress", Some(&token)).await.body["status"], "in_progress");
    record(85.0, true, passed_at);
    // The quiz engine calling twice for the same attempt records it once.
    record(85.0, true, passed_at);
    assert_eq!(t.db().read(|c| lentera_storage::progress::event_count(c, me)).unwrap(), 3);
    let p = t.get("/api/v1/courses/kuis-asn/progress", Some(&token)).await.body;
    assert_eq!(p["status"], "completed", "{p}");
    let completed = stored_time(&p["completed_at"]);
    assert!((completed - passed_at).num_seconds().abs() < 1);
    // No settings in the quiz engine's transaction: the certificate comes from a job.
    assert_eq!(t.get("/api/v1/me/certificates", Some(&token)).await.body.as_array().unwrap().len(), 0);
    t.run_jobs(&ProgressSettings::default());
    let certificates = t.get("/api/v1/me/certificates", Some(&token)).await.body;
    assert_eq!(certificates.as_array().unwrap().len(), 1);
    assert_eq!(certificates[0]["pdf_ready"], true);

    let export = t.get("/api/v1/xapi/statements", Some(&token)).await;
    assert_eq!(export.status, 200, "{}", export.body);
    let statements = export.body["statements"].as_array().unwrap();
    let verbs: Vec<&str> = statements.iter().map(|s| s["verb"]["display"]["en-US"].as_str().unwrap()).collect();
    assert_eq!(verbs, ["failed", "passed", "completed"], "{}", export.body);
    assert_eq!(statements[1]["result"]["score"]["scaled"], 0.85);
    assert_eq!(statements[1]["object"]["id"], format!("http://127.0.0.1:8080/xapi/activities/courses/{}/quizzes/ujian", course.id));
    assert_eq!(statements[2]["actor"]["account"]["name"], me.to_string());
    assert_eq!(statements[2]["object"]["definition"]["name"]["id-ID"], "Kursus Berkuis");
    let again = t.get("/api/v1/xapi/statements", Some(&token)).await.body;
    assert_eq!(again["statements"], export.body["statements"], "statement ids are stable across exports");
    assert_eq!(t.get("/api/v1/xapi/statements", Some(&other)).await.body["statements"], json!([]));
    let later = (Utc::now() + Duration::hours(1)).to_rfc3339().replace('+', "%2B");
    assert_eq!(t.get(&format!("/api/v1/xapi/statements?since={later}"), Some(&token)).await.body["statements"], json!([]));
    let admin = t.admin().await;
    let page = t.get("/api/v1/xapi/statements?limit=2", Some(&admin)).await.body;
    assert_eq!(page["statements"].as_array().unwrap().len(), 2);
    let cursor = page["cursor"].as_str().unwrap().to_string();
    let rest = t.get(&format!("/api/v1/xapi/statements?limit=2&cursor={cursor}"), Some(&admin)).await.body;
    assert_eq!(rest["statements"].as_array().unwrap().len(), 1);
    assert_eq!(rest["cursor"], Value::Null);
});
