use actix_web::test::TestRequest;
use lentera_accounts::{Role, RoleGrant};
use serde_json::json;

use crate::api_test;
use crate::support::*;

fn csv(t: &TestApp, token: &str, query: &str, body: &str) -> TestRequest {
    let _ = t;
    TestRequest::post()
        .uri(&format!("/api/v1/users/import{query}"))
        .insert_header(("authorization", format!("Bearer {token}")))
        .insert_header(("content-type", "text/csv"))
        .set_payload(body.to_string())
}

api_test!(async fn a_learner_cannot_reach_admin_or_hr_endpoints(t: &mut TestApp) {
    let id = t.user("murid@batanghari.go.id", None, None, vec![RoleGrant::global(Role::Learner)]);
    let (learner, _) = t.login("murid@batanghari.go.id").await;
    t.get("/api/v1/users", Some(&learner)).await.assert_problem(403, "forbidden");
    t.post("/api/v1/users", Some(&learner), json!({"name": "X", "email": "x@batanghari.go.id"})).await.assert_problem(403, "forbidden");
    t.post("/api/v1/opds", Some(&learner), json!({"name": "Dinas Baru"})).await.assert_problem(403, "forbidden");
    t.send(csv(t, &learner, "", "nip,nama,email,opd,jabatan,jenis\n")).await.assert_problem(403, "forbidden");
    // Not even to promote oneself.
    t.patch(&format!("/api/v1/users/{id}"), Some(&learner), json!({"roles": [{"role": "admin"}]})).await.assert_problem(403, "forbidden");
    // Their own record is theirs to read.
    assert_eq!(t.get(&format!("/api/v1/users/{id}"), Some(&learner)).await.status, 200);
});

api_test!(async fn a_scoped_hr_officer_sees_and_manages_only_their_opd(t: &mut TestApp) {
    let dinkes = t.opd("Dinas Kesehatan");
    let dinsos = t.opd("Dinas Sosial");
    t.user("hr.dinkes@batanghari.go.id", None, Some(dinkes), vec![RoleGrant { role: Role::Hr, opd: Some(dinkes) }]);
    let mine = t.user("perawat@batanghari.go.id", Some("198609262015052001"), Some(dinkes), vec![RoleGrant::global(Role::Learner)]);
    let theirs = t.user("pekerja.sosial@batanghari.go.id", Some("198701012010011002"), Some(dinsos), vec![RoleGrant::global(Role::Learner)]);
    let (hr, _) = t.login("hr.dinkes@batanghari.go.id").await;

    let list = t.get("/api/v1/users", Some(&hr)).await;
    assert_eq!(list.status, 200);
    let emails: Vec<&str> = list.body["items"].as_array().unwrap().iter().map(|u| u["email"].as_str().unwrap()).collect();
    assert!(emails.contains(&"perawat@batanghari.go.id"));
    assert!(!emails.contains(&"pekerja.sosial@batanghari.go.id"), "{emails:?}");
    // Asking for the other OPD explicitly gives nothing either.
    let other = t.get(&format!("/api/v1/users?opd_id={dinsos}"), Some(&hr)).await;
    assert_eq!(other.body["total"], 0);
    assert_eq!(t.get(&format!("/api/v1/users/{mine}"), Some(&hr)).await.status, 200);
    t.get(&format!("/api/v1/users/{theirs}"), Some(&hr)).await.assert_problem(404, "not_found");
    t.post(&format!("/api/v1/users/{theirs}/deactivate"), Some(&hr), json!({})).await.assert_problem(404, "not_found");

    // May create learners in their OPD, not elsewhere, and never grant hr or admin.
    let ok = t.post("/api/v1/users", Some(&hr), json!({"name": "Baru", "email": "baru@batanghari.go.id", "opd_id": dinkes, "nip": "199105052019032004", "employment_type": "PPPK"})).await;
    assert_eq!(ok.status, 201, "{}", ok.body);
    assert!(ok.body["generated_password"].as_str().unwrap().len() >= 16);
    t.post("/api/v1/users", Some(&hr), json!({"name": "Lain", "email": "lain@batanghari.go.id", "opd_id": dinsos})).await.assert_problem(403, "out_of_scope");
    t.post("/api/v1/users", Some(&hr), json!({"name": "Bos", "email": "bos@batanghari.go.id", "opd_id": dinkes, "roles": [{"role": "admin"}]})).await.assert_problem(403, "out_of_scope");
    t.patch(&format!("/api/v1/users/{mine}"), Some(&hr), json!({"opd_id": dinsos})).await.assert_problem(403, "forbidden");

    // CSV rows for another OPD are refused with their row numbers.
    let body = "nip,nama,email,opd,jabatan,jenis\n199002022018011003,Tono,tono@batanghari.go.id,Dinas Sosial,Staf,PNS\n";
    let r = t.send(csv(t, &hr, "", body)).await;
    r.assert_problem(422, "csv_invalid");
    assert_eq!(r.body["errors"][0]["row"], 2);
    assert_eq!(r.body["errors"][0]["code"], "opd_out_of_scope");
});

api_test!(async fn admin_creates_edits_and_lists_users(t: &mut TestApp) {
    let admin = t.admin().await;
    let opd = t.post("/api/v1/opds", Some(&admin), json!({"name": "Inspektorat", "code": "INSP"})).await;
    assert_eq!(opd.status, 201);
    let opd_id = opd.body["id"].as_str().unwrap().to_string();
    t.post("/api/v1/opds", Some(&admin), json!({"name": "inspektorat"})).await.assert_problem(409, "duplicate_name");

    let created = t.post("/api/v1/users", Some(&admin), json!({
        "nip": "19860926 201505 1 001", "name": "Budi Santoso", "email": "Budi@Batanghari.go.id",
        "opd_id": opd_id, "jabatan": "Auditor", "employment_type": "PNS", "password": "kata-sandi-kuat",
        "roles": [{"role": "learner"}, {"role": "instructor"}]
    })).await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert!(created.body.get("generated_password").is_none());
    let user = &created.body["user"];
    assert_eq!(user["nip"], "198609262015051001");
    assert_eq!(user["email"], "budi@batanghari.go.id");
    let id = user["id"].as_str().unwrap().to_string();
    let r = t.post("/api/v1/auth/login", None, json!({"login": "198609262015051001", "password": "kata-sandi-kuat"})).await;
    assert_eq!(r.status, 200);

    t.post("/api/v1/users", Some(&admin), json!({"nip": "198609262015051001", "name": "Lagi", "email": "lagi@batanghari.go.id"})).await.assert_problem(409, "duplicate_nip");
    t.post("/api/v1/users", Some(&admin), json!({"name": "Lagi", "email": "budi@batanghari.go.id"})).await.assert_problem(409, "duplicate_email");
    t.post("/api/v1/users", Some(&admin), json!({"nip": "198602302015051001", "name": "Tgl", "email": "tgl@batanghari.go.id"})).await.assert_problem(422, "invalid_nip_birth_date");
    t.post("/api/v1/users", Some(&admin), json!({"name": "E", "email": "bukan email"})).await.assert_problem(422, "invalid_email");
    t.post("/api/v1/users", Some(&admin), json!({"name": "E", "email": "e@batanghari.go.id", "employment_type": "honorer"})).await.assert_problem(422, "invalid_employment_type");
    t.post("/api/v1/users", Some(&admin), json!({"name": "E", "email": "e@batanghari.go.id", "opd_id": "0190c7f0-0000-7000-8000-000000000000"})).await.assert_problem(422, "unknown_reference");

    let edited = t.patch(&format!("/api/v1/users/{id}"), Some(&admin), json!({"jabatan": "Auditor Madya", "opd_id": null, "language": "en"})).await;
    assert_eq!(edited.status, 200, "{}", edited.body);
    assert_eq!(edited.body["jabatan"], "Auditor Madya");
    assert_eq!(edited.body["opd"], serde_json::Value::Null);
    assert_eq!(edited.body["language"], "en");

    let found = t.get("/api/v1/users?q=santoso&role=instructor", Some(&admin)).await;
    assert_eq!(found.body["total"], 1);
    let reset = t.post(&format!("/api/v1/users/{id}/reset-password"), Some(&admin), json!({})).await;
    let new_password = reset.body["password"].as_str().unwrap();
    let r = t.post("/api/v1/auth/login", None, json!({"login": "budi@batanghari.go.id", "password": new_password})).await;
    assert_eq!(r.status, 200);
    t.get("/api/v1/users/not-a-uuid", Some(&admin)).await.assert_problem(404, "not_found");
});

api_test!(async fn csv_import_is_all_or_nothing_with_row_numbers(t: &mut TestApp) {
    let admin = t.admin().await;
    t.opd("Dinas Kesehatan");
    t.opd("Dinas Sosial");
    let bad = "NIP,nama,email,OPD,jabatan,jenis\n\
        198609262015051001,Budi,budi@batanghari.go.id,Dinas Kesehatan,Perawat,PNS\n\
        19860926,Siti,siti@batanghari.go.id,Dinas Sosial,Staf,PNS\n\
        198701012010012002,Rina,rina@batanghari.go.id,Dinas Pariwisata,Staf,PPPK\n";
    let r = t.send(csv(t, &admin, "", bad)).await;
    r.assert_problem(422, "csv_invalid");
    let rows: Vec<(u64, String)> = r.body["errors"].as_array().unwrap().iter().map(|e| (e["row"].as_u64().unwrap(), e["code"].as_str().unwrap().to_string())).collect();
    assert_eq!(rows, vec![(3, "nip_length".to_string()), (4, "unknown_opd".to_string())]);
    assert_eq!(t.get("/api/v1/users?q=budi", Some(&admin)).await.body["total"], 0, "nothing imported");

    let dry = t.send(csv(t, &admin, "?dry_run=true&skip_invalid=true", bad)).await;
    assert_eq!((dry.body["created"].as_u64(), dry.body["skipped"].as_u64()), (Some(1), Some(2)));
    assert_eq!(t.get("/api/v1/users?q=budi", Some(&admin)).await.body["total"], 0, "dry run writes nothing");

    let partial = t.send(csv(t, &admin, "?skip_invalid=true", bad)).await;
    assert_eq!(partial.status, 200, "{}", partial.body);
    assert_eq!(partial.body["created"], 1);
    assert_eq!(partial.body["problems"].as_array().unwrap().len(), 2);
    // Sending the same file again: the one imported row is now a duplicate, nothing doubles.
    let again = t.send(csv(t, &admin, "", "nip,nama,email,opd,jabatan,jenis\n198609262015051001,Budi,budi@batanghari.go.id,Dinas Kesehatan,Perawat,PNS\n")).await;
    again.assert_problem(422, "csv_invalid");
    assert_eq!(again.body["errors"][0]["code"], "duplicate_nip");
    assert_eq!(t.get("/api/v1/users?q=budi", Some(&admin)).await.body["total"], 1);

    let wrong_type = t.send(TestRequest::post().uri("/api/v1/users/import").insert_header(("authorization", format!("Bearer {admin}"))).set_json(json!({"a": 1}))).await;
    wrong_type.assert_problem(415, "unsupported_media_type");
    let huge = "nip,nama,email,opd,jabatan,jenis\n".to_string() + &"x".repeat(70 * 1024);
    t.send(csv(t, &admin, "", &huge)).await.assert_problem(413, "payload_too_large");
});
