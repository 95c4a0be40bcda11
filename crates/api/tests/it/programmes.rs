//! Programmes, cohorts and assignment rules through the API, on both backends: building a
//! programme, each kind of rule, rules reaching people who join later, the OPD scope of an hr
//! officer, programme completion from course completions, and deadline reminders on a clock the
//! test controls.

use std::path::PathBuf;
use std::time::Duration;

use actix_web::test::TestRequest;
use chrono::{NaiveDateTime, TimeDelta, Utc};
use lentera_accounts::{OpdId, Role, RoleGrant, UserId};
use lentera_api::course_import::{Importer, import_dirs};
use lentera_storage::notifications as notes;
use lentera_storage::programmes as store;
use serde_json::{Value, json};

use crate::api_test;
use crate::courses::write_course;
use crate::support::*;

/// Three one-lesson courses: `etika-pelayanan` (required), `manajemen-risiko` and
/// `komunikasi-publik` (electives, any one of them).
fn courses(t: &TestApp) -> tempfile::TempDir {
    let root = tempfile::tempdir().unwrap();
    let dirs: Vec<PathBuf> = [
        ("etika-pelayanan", "Etika Pelayanan Publik"),
        ("manajemen-risiko", "Manajemen Risiko"),
        ("komunikasi-publik", "Komunikasi Publik"),
    ]
    .iter()
    .map(|(slug, title)| write_course(root.path(), slug, title, "", &[("01-materi.md", "Materi", "Isi materi.")]))
    .collect();
    import_dirs(t.db(), &dirs, Importer::Operator, "test").unwrap();
    root
}

fn at(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%dT%H:%M:%S").to_string()
}

pub fn now() -> NaiveDateTime {
    lentera_storage::now()
}

/// Creates the programme (etika required; two electives, one needed) and an open cohort due in
/// 20 days; returns (programme id, cohort id, due_at).
async fn programme_and_cohort(t: &TestApp, hr: &str) -> (String, String, NaiveDateTime) {
    let r = t
        .post("/api/v1/programmes", Some(hr), json!({
            "title": "Pelatihan Manajemen Pemerintahan",
            "description": "Program tahunan BKPSDM",
            "courses": [
                {"course": "etika-pelayanan"},
                {"course": "manajemen-risiko", "required": false},
                {"course": "komunikasi-publik", "required": false}
            ],
            "electives_needed": 1
        }))
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let programme = r.body["id"].as_str().unwrap().to_string();
    let n = now();
    let due = n + TimeDelta::days(20);
    let c = t
        .post(&format!("/api/v1/programmes/{programme}/cohorts"), Some(hr), json!({
            "name": "Angkatan I 2027",
            "starts_at": at(n - TimeDelta::days(1)),
            "ends_at": at(n + TimeDelta::days(30)),
            "enrol_opens_at": at(n - TimeDelta::days(1)),
            "enrol_closes_at": at(n + TimeDelta::days(10)),
            "due_at": at(due),
        }))
        .await;
    assert_eq!(c.status, 201, "{}", c.body);
    (programme, c.body["id"].as_str().unwrap().to_string(), NaiveDateTime::parse_from_str(c.body["due_at"].as_str().unwrap(), "%Y-%m-%dT%H:%M:%S%.f").unwrap())
}

/// Posts an assignment, expects 202 and waits for its background job to finish.
pub async fn assign(t: &TestApp, token: &str, cohort: &str, body: Value) -> Value {
    let r = t.post(&format!("/api/v1/cohorts/{cohort}/assignments"), Some(token), body).await;
    assert_eq!(r.status, 202, "{}", r.body);
    wait_job(t, token, &r).await
}

async fn wait_job(t: &TestApp, token: &str, accepted: &Reply) -> Value {
    let location = accepted.headers.get("location").unwrap().to_str().unwrap().to_string();
    assert_eq!(location, format!("/api/v1/assignment-jobs/{}", accepted.body["job_id"].as_str().unwrap()));
    // The job runs on the blocking pool after the answer; give it the runtime until it is done.
    for _ in 0..500 {
        let j = t.get(&location, Some(token)).await;
        assert_eq!(j.status, 200, "{}", j.body);
        match j.body["status"].as_str().unwrap() {
            "done" => return j.body,
            "failed" => panic!("job failed: {}", j.body),
            _ => actix_web::rt::time::sleep(Duration::from_millis(10)).await,
        }
    }
    panic!("the assignment job did not finish");
}

fn members(t: &TestApp, cohort: &str) -> Vec<String> {
    let (m, _) = t.db().read(|c| store::cohort_members(c, cohort, &lentera_accounts::HrScope::All, 0, 1000)).unwrap();
    let mut emails: Vec<String> = m.into_iter().map(|m| m.name.trim_start_matches("User ").to_string()).collect();
    emails.sort();
    emails
}

fn learner(t: &TestApp, email: &str, nip: Option<&str>, opd: Option<OpdId>) -> UserId {
    t.user(email, nip, opd, vec![RoleGrant::global(Role::Learner)])
}

api_test!(async fn hr_builds_a_programme_and_assigned_learners_see_it_required_with_its_deadline(t: &mut TestApp) {
    let _courses = courses(t);
    let dinkes = t.opd("Dinas Kesehatan");
    let dinsos = t.opd("Dinas Sosial");
    t.user("hr@batanghari.go.id", None, None, vec![RoleGrant::global(Role::Hr)]);
    let (hr, _) = t.login("hr@batanghari.go.id").await;
    learner(t, "perawat@batanghari.go.id", None, Some(dinkes));
    learner(t, "bidan@batanghari.go.id", None, Some(dinkes));
    learner(t, "sosial@batanghari.go.id", None, Some(dinsos));
    let (nurse, _) = t.login("perawat@batanghari.go.id").await;

    // Definitions are checked.
    let bad = |courses: Value, needed: u32| json!({"title": "P", "courses": courses, "electives_needed": needed});
    t.post("/api/v1/programmes", Some(&hr), bad(json!([{"course": "etika-pelayanan"}, {"course": "manajemen-risiko", "required": false}]), 2))
        .await
        .assert_problem(422, "electives_needed_too_many");
    let r = t.post("/api/v1/programmes", Some(&hr), bad(json!([{"course": "etika-pelayanan"}, {"course": "tidak-ada"}]), 0)).await;
    r.assert_problem(422, "unknown_course");
    assert_eq!(r.body["errors"][0]["index"], 1);
    t.post("/api/v1/programmes", Some(&hr), bad(json!([]), 0)).await.assert_problem(422, "programme_without_courses");
    t.post("/api/v1/programmes", Some(&nurse), bad(json!([{"course": "etika-pelayanan"}]), 0)).await.assert_problem(403, "forbidden");

    let (programme, cohort, due) = programme_and_cohort(t, &hr).await;
    let detail = t.get(&format!("/api/v1/programmes/{programme}"), Some(&hr)).await;
    assert_eq!(detail.status, 200);
    // 4 JP required + the cheapest one elective of 4 JP.
    assert_eq!(detail.body["jp"], 8.0);
    let order: Vec<&str> = detail.body["courses"].as_array().unwrap().iter().map(|c| c["slug"].as_str().unwrap()).collect();
    assert_eq!(order, ["etika-pelayanan", "manajemen-risiko", "komunikasi-publik"]);
    assert_eq!(detail.body["cohorts"][0]["name"], "Angkatan I 2027");
    t.get(&format!("/api/v1/programmes/{programme}"), Some(&nurse)).await.assert_problem(403, "forbidden");
    t.post(&format!("/api/v1/programmes/{programme}/cohorts"), Some(&hr), json!({
        "name": "Angkatan I 2027", "starts_at": at(now()), "ends_at": at(now() + TimeDelta::days(9))
    })).await.assert_problem(409, "duplicate_name");
    t.post(&format!("/api/v1/programmes/{programme}/cohorts"), Some(&hr), json!({
        "name": "Terbalik", "starts_at": at(now()), "ends_at": at(now() - TimeDelta::days(1))
    })).await.assert_problem(422, "cohort_ends_before_start");

    // Assign the whole Dinas Kesehatan: 202 at once, the work in the background.
    let job = assign(t, &hr, &cohort, json!({"kind": "opd", "opd_id": dinkes})).await;
    assert_eq!(job["assigned"], 2);
    assert_eq!(members(t, &cohort), ["bidan@batanghari.go.id", "perawat@batanghari.go.id"]);

    // The learner sees the programme, its courses and their deadline.
    let mine = t.get("/api/v1/me/programmes", Some(&nurse)).await;
    assert_eq!(mine.status, 200, "{}", mine.body);
    let p = &mine.body["items"][0];
    assert_eq!(p["title"], "Pelatihan Manajemen Pemerintahan");
    assert_eq!(p["cohort"]["id"], cohort.as_str());
    assert_eq!(p["progress"]["percent"], 0);
    assert_eq!(p["progress"]["electives_needed"], 1);
    assert_eq!(p["courses"][0]["required"], true);
    assert_eq!(p["courses"][0]["status"], "active");
    assert_eq!(p["courses"][0]["due_at"], p["cohort"]["due_at"]);
    assert_eq!(p["overdue"], false);
    // "Required for me" in the catalogue: the required course, with the cohort's deadline.
    let required = t.get("/api/v1/courses?required_for_me=true", Some(&nurse)).await;
    assert_eq!(required.body["total"], 1, "{}", required.body);
    assert_eq!(required.body["items"][0]["slug"], "etika-pelayanan");
    assert_eq!(required.body["items"][0]["enrolment"]["due_at"], at(due));
    assert_eq!(t.get("/api/v1/courses?mine=true", Some(&nurse)).await.body["total"], 3);

    // Each learner was told once, in-app and by e-mail (queued in the same transaction).
    let inbox = t.get("/api/v1/me/notifications", Some(&nurse)).await;
    assert_eq!(inbox.body["unread"], 1, "{}", inbox.body);
    assert_eq!(inbox.body["items"][0]["kind"], "programme_assigned");
    assert_eq!(inbox.body["items"][0]["title"], "Penugasan program: Pelatihan Manajemen Pemerintahan (Angkatan I 2027)");
    assert_eq!(inbox.body["items"][0]["link"], format!("/programmes/{cohort}"));
    let (queued, _, counts) = t.db().read(|c| notes::list_outbox(c, None, 0, 100)).unwrap();
    assert_eq!(queued.len(), 2);
    assert!(queued.iter().all(|m| m.kind == "programme_assigned" && m.status == "pending"));
    assert_eq!(counts.get("pending"), Some(&2));

    // The same rule again changes nothing and tells nobody twice.
    let again = assign(t, &hr, &cohort, json!({"kind": "opd", "opd_id": dinkes})).await;
    assert_eq!(again["assigned"], 0);
    assert_eq!(t.db().read(|c| notes::list_outbox(c, None, 0, 100)).unwrap().0.len(), 2);
    assert_eq!(t.get("/api/v1/me/notifications", Some(&nurse)).await.body["total"], 1);

    // hr sees completion per OPD.
    let c = t.get(&format!("/api/v1/cohorts/{cohort}"), Some(&hr)).await;
    assert_eq!(c.status, 200, "{}", c.body);
    assert_eq!(c.body["stats"]["members"], 2);
    assert_eq!(c.body["stats"]["by_opd"][0]["opd_name"], "Dinas Kesehatan");
    assert_eq!(c.body["rules"][0]["kind"], "opd");
    assert_eq!(c.body["rules"][0]["label"], "Dinas Kesehatan");

    // Courses are fixed once a cohort runs.
    t.patch(&format!("/api/v1/programmes/{programme}"), Some(&hr), json!({"electives_needed": 2}))
        .await
        .assert_problem(409, "programme_has_cohorts");
    let renamed = t.patch(&format!("/api/v1/programmes/{programme}"), Some(&hr), json!({"title": "PMP 2027", "jp": 40})).await;
    assert_eq!(renamed.status, 200, "{}", renamed.body);
    assert_eq!(renamed.body["jp"], 40.0);
});

api_test!(async fn each_assignment_rule_reaches_whom_it_names(t: &mut TestApp) {
    let _courses = courses(t);
    let dinkes = t.opd("Dinas Kesehatan");
    let dinsos = t.opd("Dinas Sosial");
    let hr = t.admin().await;
    let (_, cohort, _) = programme_and_cohort(t, &hr).await;
    let set_position = |id: UserId, jabatan: &str, kind: lentera_accounts::EmploymentType| {
        t.db()
            .write(|c| {
                lentera_storage::accounts::update_user(c, id, &lentera_storage::accounts::UserUpdate {
                    jabatan: Some(jabatan.into()),
                    employment_type: Some(Some(kind)),
                    ..Default::default()
                })
            })
            .unwrap()
    };
    use lentera_accounts::EmploymentType::{Pns, Pppk};
    let a = learner(t, "analis@x.go.id", Some("198609262015051001"), Some(dinkes));
    set_position(a, "Analis  Kebijakan", Pns);
    let b = learner(t, "analis2@x.go.id", Some("198701012010011002"), Some(dinsos));
    set_position(b, "analis kebijakan", Pppk);
    let c_ = learner(t, "perawat@x.go.id", Some("199105052019032004"), Some(dinkes));
    set_position(c_, "Perawat", Pppk);
    let d = learner(t, "staf@x.go.id", Some("199002022018011003"), Some(dinsos));
    set_position(d, "Staf", Pns);
    let e = learner(t, "lain@x.go.id", Some("198808082012121001"), None);
    set_position(e, "Staf", Pns);
    t.db().write(|c| lentera_storage::accounts::set_active(c, e, false)).unwrap();

    // By position (ignoring case and repeated spaces): both analysts, in any OPD.
    assert_eq!(assign(t, &hr, &cohort, json!({"kind": "position", "position": "ANALIS KEBIJAKAN"})).await["assigned"], 2);
    assert_eq!(members(t, &cohort), ["analis2@x.go.id", "analis@x.go.id"]);
    // By employment type: every PPPK (the PPPK analyst is already in).
    assert_eq!(assign(t, &hr, &cohort, json!({"kind": "employment_type", "employment_type": "pppk"})).await["assigned"], 1);
    t.post(&format!("/api/v1/cohorts/{cohort}/assignments"), Some(&hr), json!({"kind": "employment_type", "employment_type": "honorer"}))
        .await
        .assert_problem(422, "invalid_employment_type");
    // Individuals.
    assert_eq!(assign(t, &hr, &cohort, json!({"kind": "users", "user_ids": [d]})).await["assigned"], 1);
    t.post(&format!("/api/v1/cohorts/{cohort}/assignments"), Some(&hr), json!({"kind": "users", "user_ids": [UserId::new()]}))
        .await
        .assert_problem(404, "not_found");
    // A deactivated account is never assigned, even by name.
    assert_eq!(assign(t, &hr, &cohort, json!({"kind": "users", "user_ids": [e]})).await["assigned"], 0);
    assert_eq!(members(t, &cohort).len(), 4);
});

api_test!(async fn nip_lists_are_all_or_nothing_with_each_bad_row_named(t: &mut TestApp) {
    let _courses = courses(t);
    let dinkes = t.opd("Dinas Kesehatan");
    let hr = t.admin().await;
    let (_, cohort, _) = programme_and_cohort(t, &hr).await;
    learner(t, "budi@x.go.id", Some("198609262015051001"), Some(dinkes));
    learner(t, "siti@x.go.id", Some("198609262015052001"), Some(dinkes));
    learner(t, "rina@x.go.id", Some("199105052019032004"), None);

    let upload = |body: &str| {
        TestRequest::post()
            .uri(&format!("/api/v1/cohorts/{cohort}/assignments/nips"))
            .insert_header(("authorization", format!("Bearer {hr}")))
            .insert_header(("content-type", "text/csv"))
            .set_payload(body.to_string())
    };
    // A CSV with a header: a malformed NIP on row 3 and an unknown one on row 4.
    let r = t.send(upload("nama;nip\nBudi;198609262015051001\nX;19860926201505100x\nY;198701012010011002\n")).await;
    r.assert_problem(422, "nip_list_invalid");
    let rows: Vec<(u64, &str)> =
        r.body["errors"].as_array().unwrap().iter().map(|e| (e["row"].as_u64().unwrap(), e["code"].as_str().unwrap())).collect();
    assert_eq!(rows, [(3, "nip_not_digits")]);
    let r = t.send(upload("nama;nip\nBudi;198609262015051001\nY;198701012010011002\n")).await;
    r.assert_problem(422, "nip_list_invalid");
    assert_eq!((r.body["errors"][0]["row"].as_u64(), r.body["errors"][0]["code"].as_str()), (Some(3), Some("unknown_nip")));
    assert!(members(t, &cohort).is_empty(), "nothing half-done");

    // Pasted, one per line with spaces inside: both assigned.
    let r = t.send(upload("19860926 201505 1 001\n198609262015052001\n")).await;
    assert_eq!(r.status, 202, "{}", r.body);
    assert_eq!(wait_job(t, &hr, &r).await["assigned"], 2);
    // As JSON: the position in the list is the row.
    let r = t.post(&format!("/api/v1/cohorts/{cohort}/assignments"), Some(&hr), json!({"kind": "nips", "nips": ["199105052019032004", "123"]})).await;
    r.assert_problem(422, "nip_list_invalid");
    assert_eq!(r.body["errors"][0]["row"], 2);
    assert_eq!(assign(t, &hr, &cohort, json!({"kind": "nips", "nips": ["199105052019032004"]})).await["assigned"], 1);
    assert_eq!(members(t, &cohort).len(), 3);
});

api_test!(async fn rules_reach_people_who_join_later_while_enrolment_is_open(t: &mut TestApp) {
    let _courses = courses(t);
    let dinkes = t.opd("Dinas Kesehatan");
    let dinsos = t.opd("Dinas Sosial");
    let admin = t.admin().await;
    let (_, cohort, _) = programme_and_cohort(t, &admin).await;
    assert_eq!(assign(t, &admin, &cohort, json!({"kind": "opd", "opd_id": dinkes})).await["assigned"], 0);

    // Created through the API in the OPD: assigned at once.
    let r = t.post("/api/v1/users", Some(&admin), json!({"name": "Baru", "email": "baru@x.go.id", "opd_id": dinkes})).await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(members(t, &cohort), ["Baru"]);
    // Moved into the OPD: assigned.
    let mover = learner(t, "pindah@x.go.id", None, Some(dinsos));
    assert!(members(t, &cohort).len() == 1);
    let r = t.patch(&format!("/api/v1/users/{mover}"), Some(&admin), json!({"opd_id": dinkes})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(members(t, &cohort).len(), 2);
    let (token, _) = t.login("pindah@x.go.id").await;
    assert_eq!(t.get("/api/v1/me/notifications", Some(&token)).await.body["items"][0]["kind"], "programme_assigned");

    // Added by another path (e.g. a CSV import): the worker's pass assigns them.
    learner(t, "impor@x.go.id", None, Some(dinkes));
    assert_eq!(members(t, &cohort).len(), 2);
    assert_eq!(store::apply_all_rules(t.db(), now()).unwrap(), 1);
    assert_eq!(members(t, &cohort).len(), 3);
    assert_eq!(store::apply_all_rules(t.db(), now()).unwrap(), 0, "a second pass assigns nobody twice");

    // Once enrolment has closed, rules no longer add anyone, and new rules are refused.
    learner(t, "telat@x.go.id", None, Some(dinkes));
    assert_eq!(store::apply_all_rules(t.db(), now() + TimeDelta::days(11)).unwrap(), 0);
    let late = t.db().write(|c| store::apply_rules_for_user(c, t.user_id("telat@x.go.id"), now() + TimeDelta::days(11))).unwrap();
    assert!(late.is_empty());
    assert_eq!(members(t, &cohort).len(), 3);
});

api_test!(async fn a_scoped_hr_officer_assigns_and_sees_only_their_opd(t: &mut TestApp) {
    let _courses = courses(t);
    let dinkes = t.opd("Dinas Kesehatan");
    let dinsos = t.opd("Dinas Sosial");
    let admin = t.admin().await;
    let (programme, cohort, _) = programme_and_cohort(t, &admin).await;
    t.user("hr.dinkes@x.go.id", None, Some(dinkes), vec![RoleGrant { role: Role::Hr, opd: Some(dinkes) }]);
    t.user("hr.dinsos@x.go.id", None, Some(dinsos), vec![RoleGrant { role: Role::Hr, opd: Some(dinsos) }]);
    let (hr, _) = t.login("hr.dinkes@x.go.id").await;
    let (other_hr, _) = t.login("hr.dinsos@x.go.id").await;
    let nurse = learner(t, "perawat@x.go.id", Some("198609262015052001"), Some(dinkes));
    let social = learner(t, "sosial@x.go.id", Some("198701012010011002"), Some(dinsos));
    for id in [nurse, social] {
        t.db()
            .write(|c| {
                lentera_storage::accounts::update_user(c, id, &lentera_storage::accounts::UserUpdate {
                    jabatan: Some("Pengelola Data".into()),
                    ..Default::default()
                })
            })
            .unwrap();
    }

    // Another OPD: refused; someone of another OPD: not found, by id or by NIP.
    t.post(&format!("/api/v1/cohorts/{cohort}/assignments"), Some(&hr), json!({"kind": "opd", "opd_id": dinsos}))
        .await
        .assert_problem(403, "out_of_scope");
    t.post(&format!("/api/v1/cohorts/{cohort}/assignments"), Some(&hr), json!({"kind": "users", "user_ids": [social]}))
        .await
        .assert_problem(404, "not_found");
    let r = t.post(&format!("/api/v1/cohorts/{cohort}/assignments"), Some(&hr), json!({"kind": "nips", "nips": ["198701012010011002"]})).await;
    r.assert_problem(422, "nip_list_invalid");
    assert_eq!(r.body["errors"][0]["code"], "unknown_nip");
    assert!(members(t, &cohort).is_empty());

    // A position rule made by a scoped officer reaches only their OPD — now and later.
    assert_eq!(assign(t, &hr, &cohort, json!({"kind": "position", "position": "pengelola data"})).await["assigned"], 1);
    assert_eq!(members(t, &cohort), ["perawat@x.go.id"]);
    assert_eq!(store::apply_all_rules(t.db(), now()).unwrap(), 0);
    // Their own OPD is fine (the officer is an ASN of it too).
    let accepted = t.post(&format!("/api/v1/cohorts/{cohort}/assignments"), Some(&hr), json!({"kind": "opd", "opd_id": dinkes})).await;
    assert_eq!(accepted.status, 202, "{}", accepted.body);
    assert_eq!(wait_job(t, &hr, &accepted).await["assigned"], 1);

    // What they see of the cohort is their OPD only; others' jobs are not theirs to see.
    assign(t, &admin, &cohort, json!({"kind": "users", "user_ids": [social]})).await;
    let c = t.get(&format!("/api/v1/cohorts/{cohort}"), Some(&hr)).await;
    assert_eq!(c.body["stats"]["members"], 2, "{}", c.body);
    assert_eq!(c.body["stats"]["by_opd"].as_array().unwrap().len(), 1, "{}", c.body);
    assert!(c.body["rules"].as_array().unwrap().iter().all(|r| r["kind"] != "user"), "{}", c.body);
    let m = t.get(&format!("/api/v1/cohorts/{cohort}/members"), Some(&hr)).await;
    assert_eq!(m.body["total"], 2);
    assert!(m.body["items"].as_array().unwrap().iter().all(|i| i["opd_name"] == "Dinas Kesehatan"), "{}", m.body);
    assert_eq!(t.get(&format!("/api/v1/cohorts/{cohort}/members"), Some(&admin)).await.body["total"], 3);
    assert_eq!(t.get(&format!("/api/v1/cohorts/{cohort}"), Some(&admin)).await.body["rules"].as_array().unwrap().len(), 3);
    t.get(accepted.headers.get("location").unwrap().to_str().unwrap(), Some(&other_hr)).await.assert_problem(404, "not_found");
    // Only the owner (or regency-wide hr, or an admin) edits the programme.
    t.patch(&format!("/api/v1/programmes/{programme}"), Some(&hr), json!({"title": "Milik saya"})).await.assert_problem(403, "forbidden");
});

async fn complete(t: &TestApp, token: &str, slug: &str) {
    enrol_ok(t, token, slug).await;
    let event = json!({
        "client_id": uuid::Uuid::new_v4().to_string(),
        "course_id": slug,
        "kind": {"type": "lesson_completed", "lesson_id": "materi"},
        "occurred_at": Utc::now().to_rfc3339(),
    });
    let r = t.post("/api/v1/progress/events", Some(token), json!({"events": [event]})).await;
    assert_eq!(r.status, 200, "{}", r.body);
}

async fn enrol_ok(t: &TestApp, token: &str, slug: &str) {
    let r = t.post(&format!("/api/v1/courses/{slug}/enrol"), Some(token), json!({})).await;
    assert_eq!(r.status, 200, "{}", r.body);
}

api_test!(async fn a_programme_completes_when_required_courses_and_enough_electives_are_done(t: &mut TestApp) {
    let _courses = courses(t);
    let dinkes = t.opd("Dinas Kesehatan");
    let admin = t.admin().await;
    let (_, cohort, _) = programme_and_cohort(t, &admin).await;
    let me = learner(t, "rajin@x.go.id", None, Some(dinkes));
    let (token, _) = t.login("rajin@x.go.id").await;
    // An elective done before the assignment counts.
    complete(t, &token, "manajemen-risiko").await;
    assign(t, &admin, &cohort, json!({"kind": "users", "user_ids": [me]})).await;
    let mine = t.get("/api/v1/me/programmes", Some(&token)).await;
    let p = &mine.body["items"][0]["progress"];
    assert_eq!((p["required_done"].as_u64(), p["electives_done"].as_u64(), p["percent"].as_u64()), (Some(0), Some(1), Some(50)), "{p}");
    assert_eq!(p["complete"], false);

    // The required course completes it: the stored progress follows (as the worker's pass, or
    // the completion hook, records it), with a notification, once.
    complete(t, &token, "etika-pelayanan").await;
    let done = t.db().write(|c| store::on_course_completed(c, me, &course_id(t, "etika-pelayanan"), now())).unwrap();
    assert_eq!(done, std::slice::from_ref(&cohort));
    assert_eq!(store::refresh_all_progress(t.db(), now()).unwrap(), 0, "already complete");
    let mine = t.get("/api/v1/me/programmes", Some(&token)).await;
    assert_eq!(mine.body["items"][0]["progress"]["complete"], true);
    assert_eq!(mine.body["items"][0]["progress"]["percent"], 100);
    assert!(mine.body["items"][0]["completed_at"].is_string());
    let inbox = t.get("/api/v1/me/notifications", Some(&token)).await;
    let kinds: Vec<&str> = inbox.body["items"].as_array().unwrap().iter().map(|n| n["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds.iter().filter(|k| **k == "programme_completed").count(), 1, "{kinds:?}");
    let c = t.get(&format!("/api/v1/cohorts/{cohort}"), Some(&admin)).await;
    assert_eq!(c.body["stats"]["completed"], 1);

    // The worker's pass finds completions recorded by any path.
    let other = learner(t, "lain@x.go.id", None, Some(dinkes));
    let (other_token, _) = t.login("lain@x.go.id").await;
    assign(t, &admin, &cohort, json!({"kind": "users", "user_ids": [other]})).await;
    complete(t, &other_token, "etika-pelayanan").await;
    complete(t, &other_token, "komunikasi-publik").await;
    assert_eq!(store::refresh_all_progress(t.db(), now()).unwrap(), 1);
    assert_eq!(t.get(&format!("/api/v1/cohorts/{cohort}"), Some(&admin)).await.body["stats"]["completed"], 2);
});

fn course_id(t: &TestApp, slug: &str) -> String {
    t.db().read(|c| lentera_storage::courses::course_by_slug(c, slug)).unwrap().id
}

api_test!(async fn deadline_reminders_come_once_per_stage_then_overdue_on_a_test_clock(t: &mut TestApp) {
    let _courses = courses(t);
    let dinkes = t.opd("Dinas Kesehatan");
    let admin = t.admin().await;
    let (_, cohort, due) = programme_and_cohort(t, &admin).await;
    learner(t, "lambat@x.go.id", None, Some(dinkes));
    learner(t, "sibuk@x.go.id", None, Some(dinkes));
    assign(t, &admin, &cohort, json!({"kind": "opd", "opd_id": dinkes})).await;
    let (slow, _) = t.login("lambat@x.go.id").await;
    let (busy, _) = t.login("sibuk@x.go.id").await;
    // One of them turns deadline e-mails off: the in-app reminder still comes, the e-mail is
    // queued and skipped at send time.
    let r = t.patch("/api/v1/me/notification-settings", Some(&busy), json!({"email": {"deadline_approaching": false}})).await;
    assert_eq!(r.status, 200, "{}", r.body);

    let days = [7, 1];
    let horizon = TimeDelta::days(30);
    let run = |at: NaiveDateTime| store::enqueue_deadline_notices(t.db(), at, &days, horizon).unwrap();
    assert_eq!(run(due - TimeDelta::days(8)), (0, 0));
    assert_eq!(run(due - TimeDelta::days(6)), (2, 0), "the 7-day stage");
    assert_eq!(run(due - TimeDelta::days(5)), (0, 0), "each stage once");
    assert_eq!(run(due - TimeDelta::hours(12)), (2, 0), "the 1-day stage");
    assert_eq!(run(due - TimeDelta::hours(1)), (0, 0));
    assert_eq!(run(due + TimeDelta::hours(1)), (0, 2), "overdue");
    assert_eq!(run(due + TimeDelta::days(2)), (0, 0), "overdue once");
    assert_eq!(run(due + TimeDelta::days(40)), (0, 0), "beyond the horizon");

    let inbox = t.get("/api/v1/me/notifications", Some(&slow)).await;
    let titles: Vec<&str> = inbox.body["items"].as_array().unwrap().iter().map(|n| n["title"].as_str().unwrap()).collect();
    assert_eq!(
        titles,
        [
            "Terlambat: batas waktu Pelatihan Manajemen Pemerintahan telah lewat",
            "Pengingat: batas waktu Pelatihan Manajemen Pemerintahan tinggal 1 hari",
            "Pengingat: batas waktu Pelatihan Manajemen Pemerintahan tinggal 6 hari",
            "Penugasan program: Pelatihan Manajemen Pemerintahan (Angkatan I 2027)",
        ]
    );
    assert_eq!(t.get("/api/v1/me/notifications", Some(&busy)).await.body["total"], 4);
    // Each e-mail is due from when its event happened; the one who turned reminders off has
    // theirs claimed as not wanted (the sender skips it).
    assert_eq!(t.db().write(|c| notes::claim_outbox(c, "test", now(), TimeDelta::seconds(1), 100)).unwrap().len(), 2);
    let later = due + TimeDelta::days(2);
    let items = t.db().write(|c| notes::claim_outbox(c, "test", later, TimeDelta::minutes(5), 100)).unwrap();
    assert_eq!(items.len(), 8);
    let off: Vec<_> = items.iter().filter(|i| !i.email_enabled).collect();
    assert_eq!(off.len(), 2);
    assert!(off.iter().all(|i| i.kind == lentera_programmes::NotificationKind::DeadlineApproaching && i.email == "sibuk@x.go.id"));

    let mine = t.get("/api/v1/me/programmes", Some(&slow)).await;
    assert_eq!(mine.body["items"][0]["overdue"], false, "not overdue on the real clock");
});

impl TestApp {
    pub fn user_id(&self, email: &str) -> UserId {
        let login = self.db().read(|c| lentera_storage::accounts::find_login(c, email)).unwrap().unwrap();
        login.id
    }
}
