use actix_web::test::TestRequest;
use chrono::{NaiveDate, NaiveDateTime};
use lentera_accounts::{Role, RoleGrant};
use lentera_storage::bulk::{self, BulkEnrolment};
use serde_json::json;

use crate::api_test;
use crate::courses::write_course;
use crate::support::*;

fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(y, m, d).unwrap().and_hms_opt(h, min, 0).unwrap()
}

struct World {
    l1: String,
    l3: String,
    hr_a: String,
    learner3: String,
    mentor: String,
    admin: String,
    opd_a: String,
}

/// Two OPDs, three learners, two courses (12 and 8 JP), enrolments with known dates:
/// l1 (A, PNS): c1 done 2026-03-01, c2 done 2026-12-31 16:59 UTC (23:59 in Jakarta) → 20 JP in 2026.
/// l2 (A, PPPK): c1 done 2026-12-31 17:30 UTC (00:30 on 1 Jan 2027 in Jakarta), c2 at 50 %.
/// l3 (B, PNS): c1 not started, c2 done 2025-06-01.
async fn world(t: &TestApp) -> World {
    let a = t.opd("Dinas A");
    let b = t.opd("Dinas B");
    let l1 = t.user("l1@x.go.id", Some("198609262015051001"), Some(a), vec![RoleGrant::global(Role::Learner)]);
    let l2 = t.user("l2@x.go.id", Some("199204052022212002"), Some(a), vec![RoleGrant::global(Role::Learner)]);
    t.db().write(|c| lentera_storage::accounts::update_user(c, l2, &lentera_storage::accounts::UserUpdate { employment_type: Some(Some(lentera_accounts::EmploymentType::Pppk)), ..Default::default() })).unwrap();
    let l3 = t.user("l3@x.go.id", Some("198701012010012002"), Some(b), vec![RoleGrant::global(Role::Learner)]);
    t.user("hra@x.go.id", None, Some(a), vec![RoleGrant { role: Role::Hr, opd: Some(a) }]);
    let m = t.user("mentor@x.go.id", None, Some(b), vec![RoleGrant::global(Role::Mentor)]);
    let tmp = tempfile::tempdir().unwrap();
    let c1 = write_course(tmp.path(), "kursus-satu", "Kursus Satu", "", &[("01-a.md", "A", "x")]);
    let c2 = write_course(tmp.path(), "kursus-dua", "Kursus Dua", "", &[("01-a.md", "A", "x")]);
    std::fs::write(c1.join("course.toml"), std::fs::read_to_string(c1.join("course.toml")).unwrap().replace("jp = 4", "jp = 12")).unwrap();
    std::fs::write(c2.join("course.toml"), std::fs::read_to_string(c2.join("course.toml")).unwrap().replace("jp = 4", "jp = 8")).unwrap();
    let r = lentera_api::course_import::import_dirs(t.db(), &[c1, c2], lentera_api::course_import::Importer::Operator, "test").unwrap();
    let (k1, k2) = (r[0].course_id.clone(), r[1].course_id.clone());
    let e = |n: u32, course: &str, user: lentera_accounts::UserId, percent: i32, done: Option<NaiveDateTime>| BulkEnrolment {
        id: format!("00000000-0000-7000-8000-{n:012}"),
        course_id: course.to_string(),
        user_id: user.to_string(),
        status: if done.is_some() { "completed" } else { "active" },
        required: false,
        enrolled_at: at(2025, 1, 1, 0, 0),
        percent_complete: percent,
        last_activity_at: None,
        completed_at: done,
        score_percent: done.map(|_| 70.0 + f64::from(n) * 5.0),
    };
    let rows = vec![
        e(1, &k1, l1, 100, Some(at(2026, 3, 1, 8, 0))),
        e(2, &k2, l1, 100, Some(at(2026, 12, 31, 16, 59))),
        e(3, &k1, l2, 100, Some(at(2026, 12, 31, 17, 30))),
        e(4, &k2, l2, 50, None),
        e(5, &k1, l3, 0, None),
        e(6, &k2, l3, 100, Some(at(2025, 6, 1, 3, 0))),
    ];
    t.db().write(|c| bulk::insert_enrolments(c, &rows)).unwrap();
    let admin = t.admin().await;
    let pair = t.post("/api/v1/mentorships", Some(&admin), json!({"mentor_id": m, "mentee_id": l3})).await;
    assert_eq!(pair.status, 204, "{}", pair.body);
    World {
        l1: l1.to_string(),
        l3: l3.to_string(),
        hr_a: t.login("hra@x.go.id").await.0,
        learner3: t.login("l3@x.go.id").await.0,
        mentor: t.login("mentor@x.go.id").await.0,
        admin,
        opd_a: a.to_string(),
    }
}

api_test!(async fn jp_compliance_counts_the_jakarta_year(t: &mut TestApp) {
    let w = world(t).await;
    let r = t.get("/api/v1/reports/jp-compliance?year=2026", Some(&w.admin)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["target"], 20.0);
    assert_eq!((r.body["learners"].as_u64(), r.body["at_or_above"].as_u64()), (Some(3), Some(1)));
    let below: Vec<(String, f64)> = r.body["below"].as_array().unwrap().iter().map(|b| (b["nip"].as_str().unwrap().to_string(), b["needed"].as_f64().unwrap())).collect();
    // Most JP still needed first, then by name ("User l2…" before "User l3…").
    assert_eq!(below, vec![("199204052022212002".to_string(), 20.0), ("198701012010012002".to_string(), 20.0)]);
    assert_eq!(r.body["below_total"], 2);
    // JSON lists the first N below the target; the count stays whole.
    let first = t.get("/api/v1/reports/jp-compliance?year=2026&below_limit=1", Some(&w.admin)).await;
    assert_eq!((first.body["below"].as_array().unwrap().len(), first.body["below_total"].as_u64()), (1, Some(2)));
    let opds: Vec<(String, u64, f64)> = r.body["opds"].as_array().unwrap().iter().map(|o| (o["opd"].as_str().unwrap().to_string(), o["learners"].as_u64().unwrap(), o["share"].as_f64().unwrap())).collect();
    assert_eq!(opds, vec![("Dinas A".to_string(), 2, 0.5), ("Dinas B".to_string(), 1, 0.0)]);

    // The course completed at 00:30 on 1 January in Jakarta counts for 2027.
    let y27 = t.get("/api/v1/reports/jp-compliance?year=2027", Some(&w.admin)).await;
    let l2 = y27.body["below"].as_array().unwrap().iter().find(|b| b["nip"] == "199204052022212002").unwrap();
    assert_eq!(l2["earned"], 12.0);
    assert_eq!(l2["needed"], 8.0);
    let pns = t.get("/api/v1/reports/jp-compliance?year=2026&employment_type=PNS", Some(&w.admin)).await;
    assert_eq!(pns.body["learners"], 2);

    // A scoped officer sees only their OPD.
    let scoped = t.get("/api/v1/reports/jp-compliance?year=2026", Some(&w.hr_a)).await;
    assert_eq!(scoped.body["learners"], 2);
    assert_eq!(scoped.body["opds"].as_array().unwrap().len(), 1);
    t.get("/api/v1/reports/jp-compliance?year=1900", Some(&w.admin)).await.assert_problem(422, "invalid_year");
});

api_test!(async fn completion_and_tallies_match_hand_counts_and_scope(t: &mut TestApp) {
    let w = world(t).await;
    let all = t.get("/api/v1/reports/completions", Some(&w.admin)).await;
    assert_eq!(all.body["items"].as_array().unwrap().len(), 6);
    let y26 = t.get("/api/v1/reports/completions?year=2026", Some(&w.admin)).await;
    // Completed in 2026 in Jakarta (rows 1, 2) or still open (rows 4, 5); row 3 is 2027, row 6 is 2025.
    let ids: Vec<&str> = y26.body["items"].as_array().unwrap().iter().map(|r| &r["enrolment_id"].as_str().unwrap()[24..]).collect();
    assert_eq!(ids, ["000000000001", "000000000002", "000000000004", "000000000005"]);

    let courses = t.get("/api/v1/reports/courses", Some(&w.admin)).await;
    let c1 = courses.body.as_array().unwrap().iter().find(|c| c["key"] == "kursus-satu").unwrap();
    assert_eq!((c1["enrolled"].as_i64(), c1["completed"].as_i64(), c1["not_started"].as_i64(), c1["in_progress"].as_i64()), (Some(3), Some(2), Some(1), Some(0)));
    assert!((c1["completion_rate"].as_f64().unwrap() - 2.0 / 3.0).abs() < 1e-9);
    let c2 = courses.body.as_array().unwrap().iter().find(|c| c["key"] == "kursus-dua").unwrap();
    assert_eq!((c2["completed"].as_i64(), c2["in_progress"].as_i64()), (Some(2), Some(1)));
    assert!((c2["average_progress"].as_f64().unwrap() - 250.0 / 3.0).abs() < 1e-6, "{}", c2);
    // Scores only of those who have one: c1 (75 and 85), c2 (80 and 100).
    assert_eq!((c1["average_score"].as_f64(), c2["average_score"].as_f64()), (Some(80.0), Some(90.0)));

    let opds = t.get("/api/v1/reports/opds", Some(&w.hr_a)).await;
    let rows = opds.body.as_array().unwrap();
    assert_eq!(rows.len(), 1, "scoped hr sees one OPD: {}", opds.body);
    assert_eq!((rows[0]["key"].as_str(), rows[0]["enrolled"].as_i64(), rows[0]["completed"].as_i64()), (Some(w.opd_a.as_str()), Some(4), Some(3)));
    let scoped = t.get("/api/v1/reports/completions", Some(&w.hr_a)).await;
    assert_eq!(scoped.body["items"].as_array().unwrap().len(), 4);

    // A learner sees only themself; a mentor their mentee; neither gets aggregates.
    let mine = t.get("/api/v1/reports/completions", Some(&w.learner3)).await;
    assert!(mine.body["items"].as_array().unwrap().iter().all(|r| r["nip"] == "198701012010012002"));
    assert_eq!(mine.body["items"].as_array().unwrap().len(), 2);
    t.get("/api/v1/reports/courses", Some(&w.learner3)).await.assert_problem(403, "forbidden");
    let mentees = t.get("/api/v1/reports/completions", Some(&w.mentor)).await;
    assert_eq!(mentees.body["items"].as_array().unwrap().len(), 2);

    // Keyset paging walks every row once.
    let p1 = t.get("/api/v1/reports/completions?per_page=4", Some(&w.admin)).await;
    let next = p1.body["next"].as_str().unwrap().to_string();
    let p2 = t.get(&format!("/api/v1/reports/completions?per_page=4&after={next}"), Some(&w.admin)).await;
    assert_eq!(p2.body["items"].as_array().unwrap().len(), 2);
    assert_eq!(p2.body["next"], serde_json::Value::Null);
});

api_test!(async fn exports_are_csv_and_real_xlsx(t: &mut TestApp) {
    let w = world(t).await;
    let csv = t.send(TestRequest::get().uri("/api/v1/reports/completions?format=csv").insert_header(("authorization", format!("Bearer {}", w.admin)))).await;
    assert_eq!(csv.status, 200);
    assert!(csv.content_type.starts_with("text/csv"));
    assert!(csv.headers.get("content-disposition").unwrap().to_str().unwrap().contains("laporan-penyelesaian.csv"));
    let text = String::from_utf8(csv.raw.clone()).unwrap();
    let text = text.strip_prefix('\u{feff}').unwrap();
    let lines: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), 7);
    assert!(lines[0].starts_with("NIP,Nama,OPD,Jabatan,Jenis ASN,Kode Kursus"), "{}", lines[0]);
    // Times are shown in Asia/Jakarta: 17:30 UTC is 00:30 the next day.
    assert!(text.contains("2027-01-01 00:30"), "{text}");
    assert!(text.contains("selesai") && text.contains("sedang berjalan") && text.contains("belum mulai"));
    // A scoped officer's export holds only their OPD's rows (PostgreSQL's streamed query too).
    let scoped = t.send(TestRequest::get().uri("/api/v1/reports/completions?format=csv").insert_header(("authorization", format!("Bearer {}", w.hr_a)))).await;
    let scoped = String::from_utf8(scoped.raw).unwrap();
    assert_eq!(scoped.split("\r\n").filter(|l| !l.is_empty()).count(), 5, "{scoped}");
    assert!(scoped.contains("Dinas A") && !scoped.contains("Dinas B"), "{scoped}");

    let x = t.send(TestRequest::get().uri("/api/v1/reports/completions?format=xlsx").insert_header(("authorization", format!("Bearer {}", w.admin)))).await;
    assert_eq!(x.status, 200, "{}", String::from_utf8_lossy(&x.raw));
    use calamine::{Data, Reader, Xlsx};
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(x.raw.clone())).unwrap();
    let range = book.worksheet_range("Laporan").unwrap();
    assert_eq!(range.height(), 7);
    assert_eq!(range.get((0, 0)), Some(&Data::String("NIP".into())));
    assert_eq!(range.get((0, 11)), Some(&Data::String("Nilai".into())));
    assert_eq!(range.get((0, 12)), Some(&Data::String("Nomor Sertifikat".into())));
    let row1: Vec<&Data> = (0..14).map(|c| range.get((1, c)).unwrap()).collect();
    assert!(matches!(row1[7], Data::DateTime(_)), "enrolled-on is a date cell: {:?}", row1[7]);
    assert!(matches!(row1[9], Data::Float(_) | Data::Int(_)), "progress is a number: {:?}", row1[9]);
    assert_eq!(row1[11], &Data::Float(75.0), "the score is a number");
    assert_eq!(row1[12], &Data::Empty, "no certificate was issued for bulk-loaded rows");
    assert_eq!(row1[13], &Data::Float(12.0), "JP is a number");

    let jp = t.send(TestRequest::get().uri("/api/v1/reports/jp-compliance?year=2026&format=csv&lang=en").insert_header(("authorization", format!("Bearer {}", w.admin)))).await;
    let text = String::from_utf8(jp.raw).unwrap();
    assert!(text.contains("JP still needed"));
    assert_eq!(text.split("\r\n").filter(|l| !l.is_empty()).count(), 3);
    t.get("/api/v1/reports/completions?format=pdf", Some(&w.admin)).await.assert_problem(422, "invalid_format");
});

api_test!(async fn approved_external_training_counts_towards_jp_compliance(t: &mut TestApp) {
    let w = world(t).await;
    let bimtek = json!({
        "form": "workshop", "title": "Bimtek Kearsipan", "provider": "ANRI",
        "start_date": "2026-05-04", "end_date": "2026-05-05", "amount": {"unit": "days", "days": 2},
    });
    let created = t.post("/api/v1/me/external-trainings", Some(&w.learner3), bimtek).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.body["id"].as_str().unwrap().to_string();
    let nips = |r: &Reply| -> Vec<String> { r.body["below"].as_array().unwrap().iter().map(|b| b["nip"].as_str().unwrap().to_string()).collect() };

    // Pending: not counted yet.
    let r = t.get("/api/v1/reports/jp-compliance?year=2026", Some(&w.admin)).await;
    assert_eq!(r.body["at_or_above"], 1, "{}", r.body);
    assert!(nips(&r).contains(&"198701012010012002".to_string()));

    let ok = t.post(&format!("/api/v1/external-trainings/{id}/approve"), Some(&w.admin), json!({"jp": 20})).await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    let r = t.get("/api/v1/reports/jp-compliance?year=2026", Some(&w.admin)).await;
    assert_eq!(r.body["at_or_above"], 2, "{}", r.body);
    assert_eq!(nips(&r), vec!["199204052022212002".to_string()]);
    let dinas_b = r.body["opds"].as_array().unwrap().iter().find(|o| o["opd"] == "Dinas B").unwrap();
    assert_eq!(dinas_b["share"], 1.0);
    // Another year does not see it.
    let y27 = t.get("/api/v1/reports/jp-compliance?year=2027", Some(&w.admin)).await;
    let l3 = y27.body["below"].as_array().unwrap().iter().find(|b| b["nip"] == "198701012010012002").unwrap();
    assert_eq!(l3["earned"], 0.0);
});

api_test!(async fn the_timeline_counts_per_jakarta_month_within_scope(t: &mut TestApp) {
    let w = world(t).await;
    let counts = |r: &Reply, key: &str| -> Vec<i64> { r.body["months"].as_array().unwrap().iter().map(|m| m[key].as_i64().unwrap()).collect() };
    let y26 = t.get("/api/v1/reports/timeline?year=2026", Some(&w.admin)).await;
    assert_eq!(y26.status, 200, "{}", y26.body);
    // March, and 23:59 on 31 December in Jakarta; the one at 00:30 on 1 January belongs to 2027.
    assert_eq!(counts(&y26, "completed"), [0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    assert_eq!(counts(&y26, "enrolled"), [0; 12]);
    let y25 = t.get("/api/v1/reports/timeline?year=2025", Some(&w.admin)).await;
    assert_eq!(counts(&y25, "enrolled"), [6, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    assert_eq!(counts(&y25, "completed"), [0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
    let y27 = t.get("/api/v1/reports/timeline?year=2027", Some(&w.hr_a)).await;
    assert_eq!(counts(&y27, "completed")[0], 1);
    // The officer of OPD A does not see OPD B's June completion.
    let scoped = t.get("/api/v1/reports/timeline?year=2025", Some(&w.hr_a)).await;
    assert_eq!((counts(&scoped, "enrolled")[0], counts(&scoped, "completed")[5]), (4, 0));
    let by_course = t.get("/api/v1/reports/timeline?year=2026&course=kursus-dua", Some(&w.admin)).await;
    assert_eq!(counts(&by_course, "completed"), [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    t.get("/api/v1/reports/timeline?year=2026", Some(&w.learner3)).await.assert_problem(403, "forbidden");
});

api_test!(async fn the_export_walks_every_row_once_in_pages(t: &mut TestApp) {
    world(t).await;
    // Two more rows, inserted with their ids in descending order: the SQLite export reads in
    // storage order, not id order, and must still give each row once.
    let l4 = t.user("l4@x.go.id", Some("199001012015011001"), None, vec![RoleGrant::global(Role::Learner)]);
    let course = |slug: &str| t.db().read(|c| lentera_storage::courses::course_by_slug(c, slug)).unwrap().id;
    let row = |n: u32, course_id: String| BulkEnrolment {
        id: format!("00000000-0000-7000-8000-{n:012}"),
        course_id,
        user_id: l4.to_string(),
        status: "active",
        required: false,
        enrolled_at: at(2026, 2, 1, 0, 0),
        percent_complete: 10,
        last_activity_at: None,
        completed_at: None,
        score_percent: None,
    };
    t.db().write(|c| bulk::insert_enrolments(c, &[row(9, course("kursus-satu")), row(8, course("kursus-dua"))])).unwrap();
    let filter = lentera_storage::reports::ReportFilter {
        period: None,
        opd_id: None,
        course_slug: None,
        employment_type: None,
        status: None,
        programme_id: None,
        scope: lentera_storage::reports::ReportScope::All,
    };
    let mut cursor = lentera_storage::reports::ExportCursor::Start;
    let mut seen = Vec::new();
    loop {
        let (page, next) = t.db().read(|c| lentera_storage::reports::completion_export_page(c, &filter, &cursor, 3)).unwrap();
        if page.is_empty() {
            break;
        }
        assert!(page.len() <= 3);
        seen.extend(page.into_iter().map(|r| r.enrolment_id[24..].to_string()));
        cursor = next;
    }
    let mut sorted = seen.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(seen.len(), 8, "{seen:?}");
    assert_eq!(sorted, ["000000000001", "000000000002", "000000000003", "000000000004", "000000000005", "000000000006", "000000000008", "000000000009"]);
});

api_test!(async fn mentorships_are_listed_and_ended_within_scope(t: &mut TestApp) {
    let w = world(t).await;
    let b: lentera_accounts::OpdId = t.db().read(lentera_storage::accounts::list_opds).unwrap().into_iter().find(|o| o.name == "Dinas B").unwrap().id;
    t.user("hrb@x.go.id", None, Some(b), vec![RoleGrant { role: Role::Hr, opd: Some(b) }]);
    let hr_b = t.login("hrb@x.go.id").await.0;
    let delete = |path: String, token: String| TestRequest::delete().uri(&path).insert_header(("authorization", format!("Bearer {token}")));

    // The pair (mentor and l3, both of Dinas B) is hr B's and the admin's, not hr A's.
    let all = t.get("/api/v1/mentorships", Some(&w.admin)).await;
    assert_eq!(all.status, 200, "{}", all.body);
    assert_eq!(all.body["total"], 1);
    let pair = &all.body["items"][0];
    assert_eq!(pair["mentor"]["name"], "User mentor@x.go.id");
    assert_eq!(pair["mentee"]["name"], "User l3@x.go.id");
    assert_eq!(pair["mentee"]["opd_name"], "Dinas B");
    let id = pair["id"].as_str().unwrap().to_string();
    assert_eq!(t.get("/api/v1/mentorships", Some(&hr_b)).await.body["total"], 1);
    let other = t.get("/api/v1/mentorships", Some(&w.hr_a)).await;
    assert_eq!(other.body["total"], 0, "{}", other.body);
    assert_eq!(other.body["items"], json!([]));
    t.get("/api/v1/mentorships", Some(&w.learner3)).await.assert_problem(403, "forbidden");
    t.get("/api/v1/mentorships", Some(&w.mentor)).await.assert_problem(403, "forbidden");

    // The mentor sees their mentee with JP this year and courses; nobody else's.
    let mentees = t.get("/api/v1/me/mentees", Some(&w.mentor)).await;
    assert_eq!(mentees.status, 200, "{}", mentees.body);
    let list = mentees.body.as_array().unwrap();
    assert_eq!(list.len(), 1, "{}", mentees.body);
    assert_eq!(list[0]["nip"], "198701012010012002");
    assert_eq!(list[0]["opd_name"], "Dinas B");
    assert_eq!(list[0]["courses_enrolled"], 2);
    assert_eq!(list[0]["courses_completed"], 1);
    assert_eq!(list[0]["jp_target"], 20.0);
    assert_eq!(list[0]["target_met"], false);
    t.get("/api/v1/me/mentees", Some(&w.learner3)).await.assert_problem(403, "forbidden");
    t.get("/api/v1/me/mentees", Some(&w.hr_a)).await.assert_problem(403, "forbidden");

    // hr A cannot end a pair outside Dinas A: 404, as if it did not exist, and it stays.
    t.send(delete(format!("/api/v1/mentorships/{id}"), w.hr_a.clone())).await.assert_problem(404, "not_found");
    t.send(delete(format!("/api/v1/mentorships/{id}"), w.learner3.clone())).await.assert_problem(403, "forbidden");
    assert_eq!(t.get("/api/v1/me/mentees", Some(&w.mentor)).await.body.as_array().unwrap().len(), 1);
    assert_eq!(t.get("/api/v1/reports/completions", Some(&w.mentor)).await.body["items"].as_array().unwrap().len(), 2);

    // hr B ends it: the mentee leaves the mentor's list and report scope at once.
    let ended = t.send(delete(format!("/api/v1/mentorships/{id}"), hr_b.clone())).await;
    assert_eq!(ended.status, 204, "{}", ended.body);
    assert_eq!(t.get("/api/v1/me/mentees", Some(&w.mentor)).await.body, json!([]));
    assert_eq!(t.get("/api/v1/reports/completions", Some(&w.mentor)).await.body["items"], json!([]));
    assert_eq!(t.get("/api/v1/mentorships", Some(&w.admin)).await.body["total"], 0);
    t.send(delete(format!("/api/v1/mentorships/{id}"), hr_b.clone())).await.assert_problem(404, "not_found");
    t.send(delete("/api/v1/mentorships/tidak-ada".into(), w.admin.clone())).await.assert_problem(404, "not_found");
});

api_test!(async fn a_programme_filter_keeps_its_courses_and_its_cohorts_learners(t: &mut TestApp) {
    let w = world(t).await;
    let r = t
        .post("/api/v1/programmes", Some(&w.admin), json!({"title": "Program Satu", "description": "", "courses": [{"course": "kursus-satu"}]}))
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let programme = r.body["id"].as_str().unwrap().to_string();
    let n = lentera_storage::now();
    let stamp = |d: chrono::TimeDelta| (n + d).format("%Y-%m-%dT%H:%M:%S").to_string();
    let cohort = t
        .post(&format!("/api/v1/programmes/{programme}/cohorts"), Some(&w.admin), json!({
            "name": "Angkatan I",
            "starts_at": stamp(chrono::TimeDelta::days(-1)),
            "ends_at": stamp(chrono::TimeDelta::days(30)),
            "enrol_opens_at": stamp(chrono::TimeDelta::days(-1)),
            "enrol_closes_at": stamp(chrono::TimeDelta::days(10)),
            "due_at": stamp(chrono::TimeDelta::days(20)),
        }))
        .await;
    assert_eq!(cohort.status, 201, "{}", cohort.body);
    let cohort = cohort.body["id"].as_str().unwrap().to_string();
    crate::programmes::assign(t, &w.admin, &cohort, json!({"kind": "users", "user_ids": [w.l1, w.l3]})).await;

    // Completions: kursus-satu only (not kursus-dua), and only l1 and l3 (not l2).
    let rows = t.get(&format!("/api/v1/reports/completions?programme_id={programme}"), Some(&w.admin)).await;
    assert_eq!(rows.status, 200, "{}", rows.body);
    let mut seen: Vec<(String, String)> = rows.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["nip"].as_str().unwrap().to_string(), i["course_slug"].as_str().unwrap().to_string()))
        .collect();
    seen.sort();
    assert_eq!(
        seen,
        vec![("198609262015051001".to_string(), "kursus-satu".to_string()), ("198701012010012002".to_string(), "kursus-satu".to_string())],
        "{}",
        rows.body
    );
    // The same filter in the tallies (hand-written SQL) and the JP population.
    let courses = t.get(&format!("/api/v1/reports/courses?programme_id={programme}"), Some(&w.admin)).await;
    assert_eq!(courses.status, 200, "{}", courses.body);
    let items = courses.body.as_array().unwrap();
    assert_eq!(items.len(), 1, "{}", courses.body);
    assert_eq!((items[0]["key"].as_str(), items[0]["enrolled"].as_i64(), items[0]["completed"].as_i64()), (Some("kursus-satu"), Some(2), Some(1)), "{}", courses.body);
    let jp = t.get(&format!("/api/v1/reports/jp-compliance?year=2026&programme_id={programme}"), Some(&w.admin)).await;
    assert_eq!(jp.body["learners"], 2, "{}", jp.body);
    // CSV export, also streamed on PostgreSQL.
    let csv = t.send(TestRequest::get().uri(&format!("/api/v1/reports/completions?format=csv&programme_id={programme}")).insert_header(("authorization", format!("Bearer {}", w.admin)))).await;
    let text = String::from_utf8(csv.raw).unwrap();
    assert_eq!(text.split("\r\n").filter(|l| !l.is_empty()).count(), 3, "{text}");
});
