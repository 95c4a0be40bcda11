//! Certificates through the API, on both backends: the PDF renders and its QR code leads to the
//! verification page; the public page and API mask the NIP and show revocations; bulk issue and
//! re-issue run as background jobs.

use std::io::Write;
use std::process::Command;

use chrono::{Duration, Utc};
use lentera_accounts::{Role, RoleGrant};
use lentera_api::progress_glue::ProgressSettings;
use serde_json::json;

use crate::api_test;
use crate::progress::{SLUG, complete_etika, enrol, etika, import};

const NIP: &str = "198609262015051001";

fn have_pdftoppm() -> bool {
    if Command::new("pdftoppm").arg("-v").output().is_ok() {
        return true;
    }
    assert!(std::env::var("CI").as_deref() != Ok("true"), "pdftoppm is missing: apt-get install poppler-utils");
    let _ = writeln!(std::io::stderr(), "SKIPPED: pdftoppm not found (apt-get install poppler-utils)");
    false
}

/// Page 1 at 100 dpi, through poppler, as a real viewer would draw it.
fn rasterise(pdf: &[u8]) -> image::RgbImage {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("sertifikat.pdf");
    std::fs::write(&input, pdf).unwrap();
    let prefix = dir.path().join("page");
    let status = Command::new("pdftoppm").args(["-png", "-r", "100", "-f", "1", "-l", "1", "-singlefile"]).arg(&input).arg(&prefix).status().unwrap();
    assert!(status.success(), "pdftoppm could not open the PDF");
    image::open(prefix.with_extension("png")).unwrap().into_rgb8()
}

fn decode_qr(page: &image::RgbImage) -> Vec<String> {
    let luma = image::DynamicImage::ImageRgb8(page.clone()).into_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(luma);
    prepared.detect_grids().iter().filter_map(|g| g.decode().ok()).map(|(_, content)| content).collect()
}

api_test!(async fn the_certificate_pdf_renders_and_its_qr_code_leads_to_the_verification_page(t: &mut TestApp) {
    let tmp = tempfile::tempdir().unwrap();
    import(t, &[etika(tmp.path())]);
    let (_, token) = t.learner_in("siti@batanghari.go.id", Some(NIP), None).await;
    enrol(t, &token, SLUG).await;
    let settings = ProgressSettings { public_url: "https://lentera.batangharikab.example".into(), ..ProgressSettings::default() };
    complete_etika(t, &token, Utc::now() - Duration::minutes(5)).await;

    let list = t.get_with(&settings, "/api/v1/me/certificates", Some(&token)).await.body;
    let cert = &list[0];
    let code = cert["verification_code"].as_str().unwrap();
    let url = format!("https://lentera.batangharikab.example/verify/{code}");
    assert_eq!(cert["verification_url"], url);
    assert!(cert["number"].as_str().unwrap().starts_with(&format!("LTR/{}/", Utc::now().format("%Y"))), "{cert}");
    assert_eq!(cert["nip"], NIP, "the holder sees the whole NIP");
    assert_eq!(cert["jp"], 4.0);
    assert_eq!(cert["pdf_ready"], false, "rendered in the background");

    let pdf = t.get_with(&settings, &format!("/api/v1/certificates/{}/pdf", cert["id"].as_str().unwrap()), Some(&token)).await;
    assert_eq!(pdf.status, 200);
    assert_eq!(pdf.content_type, "application/pdf");
    assert!(pdf.raw.starts_with(b"%PDF"));
    if have_pdftoppm() {
        let page = rasterise(&pdf.raw);
        let (w, h) = page.dimensions();
        assert!(w > h, "A4 landscape: {w}x{h}");
        assert_eq!(decode_qr(&page), vec![url.clone()]);
    }
    // The PDF is stored once rendered; another learner cannot fetch it.
    let again = t.get_with(&settings, "/api/v1/me/certificates", Some(&token)).await.body;
    assert_eq!(again[0]["pdf_ready"], true);
    let (_, other) = t.learner_in("lain@batanghari.go.id", None, None).await;
    t.get(&format!("/api/v1/certificates/{}/pdf", cert["id"].as_str().unwrap()), Some(&other)).await.assert_problem(404, "not_found");
});

api_test!(async fn the_public_verification_masks_the_nip_and_shows_a_revocation(t: &mut TestApp) {
    let tmp = tempfile::tempdir().unwrap();
    import(t, &[etika(tmp.path())]);
    let dinkes = t.opd("Dinas Kesehatan");
    let dinsos = t.opd("Dinas Sosial");
    let (_, token) = t.learner_in("siti@batanghari.go.id", Some(NIP), Some(dinkes)).await;
    t.user("hr.dinkes@batanghari.go.id", None, Some(dinkes), vec![RoleGrant { role: Role::Hr, opd: Some(dinkes) }]);
    t.user("hr.dinsos@batanghari.go.id", None, Some(dinsos), vec![RoleGrant { role: Role::Hr, opd: Some(dinsos) }]);
    let hr = t.login("hr.dinkes@batanghari.go.id").await.0;
    let hr_other = t.login("hr.dinsos@batanghari.go.id").await.0;
    enrol(t, &token, SLUG).await;
    complete_etika(t, &token, Utc::now() - Duration::minutes(5)).await;
    let cert = t.get("/api/v1/me/certificates", Some(&token)).await.body[0].clone();
    let code = cert["verification_code"].as_str().unwrap().to_string();
    let id = cert["id"].as_str().unwrap().to_string();

    // No login needed.
    let json = t.get(&format!("/api/v1/verify/{code}"), None).await;
    assert_eq!(json.status, 200, "{}", json.body);
    assert_eq!(json.body["status"]["status"], "valid");
    assert_eq!(json.body["nip_masked"], "1986**********1001");
    assert_eq!(json.body["learner_name"], "User siti@batanghari.go.id");
    assert_eq!(json.body["course_title"], "Etika ASN");
    assert_eq!(json.body["jp"], 4);
    assert_eq!(json.body["certificate_number"], cert["number"]);
    let page = t.get(&format!("/verify/{code}"), None).await;
    assert_eq!(page.status, 200);
    assert!(page.content_type.starts_with("text/html"), "{}", page.content_type);
    let html = String::from_utf8(page.raw.clone()).unwrap();
    assert!(html.contains("SAH") && html.contains("1986**********1001") && html.contains("Etika ASN"), "{html}");
    for raw in [&json.raw, &page.raw] {
        let text = String::from_utf8_lossy(raw);
        assert!(!text.contains(NIP), "the whole NIP is never public: {text}");
        assert!(!text.contains("19860926"), "nor the birth date: {text}");
    }
    // A code typed in lower case with a hyphen still verifies (it is read the way people type it).
    let typed = format!("{}-{}", &code[..5], &code[5..]).to_lowercase();
    assert_eq!(t.get(&format!("/api/v1/verify/{typed}"), None).await.status, 200);

    // Revocation: hr of the learner's OPD only, with a reason.
    t.post(&format!("/api/v1/certificates/{id}/revoke"), Some(&token), json!({"reason": "x"})).await.assert_problem(403, "forbidden");
    t.post(&format!("/api/v1/certificates/{id}/revoke"), Some(&hr_other), json!({"reason": "x"})).await.assert_problem(404, "not_found");
    t.post(&format!("/api/v1/certificates/{id}/revoke"), Some(&hr), json!({"reason": ""})).await.assert_problem(422, "invalid_reason");
    let revoked = t.post(&format!("/api/v1/certificates/{id}/revoke"), Some(&hr), json!({"reason": "Data kelulusan keliru"})).await;
    assert_eq!(revoked.status, 200, "{}", revoked.body);
    assert_eq!(revoked.body["revoked"], true);
    t.post(&format!("/api/v1/certificates/{id}/revoke"), Some(&hr), json!({"reason": "lagi"})).await.assert_problem(409, "already_revoked");

    let json = t.get(&format!("/api/v1/verify/{code}"), None).await.body;
    assert_eq!(json["status"]["status"], "revoked", "{json}");
    assert_eq!(json["status"]["reason"], "Data kelulusan keliru");
    let html = String::from_utf8(t.get(&format!("/verify/{code}"), None).await.raw).unwrap();
    assert!(html.contains("DICABUT") && html.contains("Data kelulusan keliru") && !html.contains("SAH"), "{html}");
    assert!(!html.contains(NIP));

    // Unknown and mistyped codes.
    let unknown = lentera_progress::VerificationCode::generate();
    t.get(&format!("/api/v1/verify/{unknown}"), None).await.assert_problem(404, "not_found");
    let mut typo: Vec<char> = code.chars().collect();
    typo[0] = if typo[0] == '7' { '8' } else { '7' };
    let typo: String = typo.into_iter().collect();
    t.get(&format!("/api/v1/verify/{typo}"), None).await.assert_problem(404, "not_found");
    let missing = t.get("/verify/%3Cscript%3E", None).await;
    assert_eq!(missing.status, 404);
    assert!(!String::from_utf8(missing.raw).unwrap().contains("<script>"), "the code is escaped");
});

api_test!(async fn bulk_issue_and_reissue_run_in_the_background(t: &mut TestApp) {
    let tmp = tempfile::tempdir().unwrap();
    import(t, &[etika(tmp.path())]);
    let admin = t.admin().await;
    let mut learners = Vec::new();
    for i in 0..3 {
        let (id, token) = t.learner_in(&format!("murid{i}@batanghari.go.id"), None, None).await;
        enrol(t, &token, SLUG).await;
        complete_etika(t, &token, Utc::now() - Duration::minutes(5)).await;
        learners.push((id, token));
    }
    let settings = ProgressSettings::default();
    assert_eq!(t.run_jobs(&settings), 3, "one render per certificate issued on completion");
    // A name corrected after the certificates were issued.
    let (first, first_token) = &learners[0];
    let r = t.patch(&format!("/api/v1/users/{first}"), Some(&admin), json!({"name": "Siti Rahmawati, S.Kom."})).await;
    assert_eq!(r.status, 200, "{}", r.body);

    t.post("/api/v1/certificates/bulk", Some(first_token), json!({"course": SLUG})).await.assert_problem(403, "forbidden");
    t.post("/api/v1/certificates/bulk", Some(&admin), json!({"course": "tidak-ada"})).await.assert_problem(404, "not_found");
    let queued = t.post("/api/v1/certificates/bulk", Some(&admin), json!({"course": SLUG, "reissue": true})).await;
    assert_eq!(queued.status, 202, "{}", queued.body);
    let job_id = queued.body["job_id"].as_str().unwrap().to_string();
    let job = t.get(&format!("/api/v1/jobs/{job_id}"), Some(&admin)).await.body;
    assert_eq!(job["status"], "queued");
    t.get(&format!("/api/v1/jobs/{job_id}"), Some(first_token)).await.assert_problem(404, "not_found");

    assert_eq!(t.run_jobs(&settings), 4, "the bulk job and one render per certificate");
    let job = t.get(&format!("/api/v1/jobs/{job_id}"), Some(&admin)).await.body;
    assert_eq!(job["status"], "done", "{job}");
    assert_eq!((&job["result"]["issued"], &job["result"]["reissued"]), (&json!(0), &json!(3)));
    assert_eq!(job["children"], json!({"done": 3}));
    let mine = t.get("/api/v1/me/certificates", Some(first_token)).await.body;
    assert_eq!((&mine[0]["revision"], &mine[0]["learner_name"], &mine[0]["pdf_ready"]), (&json!(2), &json!("Siti Rahmawati, S.Kom."), &json!(true)));
    let number = mine[0]["number"].clone();

    let one = t.post(&format!("/api/v1/certificates/{}/reissue", mine[0]["id"].as_str().unwrap()), Some(&admin), json!({})).await;
    assert_eq!(one.status, 202, "{}", one.body);
    assert_eq!(t.run_jobs(&settings), 1);
    let mine = t.get("/api/v1/me/certificates", Some(first_token)).await.body;
    assert_eq!((&mine[0]["revision"], &mine[0]["number"]), (&json!(3), &number), "a re-issue keeps the number");
    let numbers: std::collections::BTreeSet<String> = {
        let mut all = Vec::new();
        for (_, token) in &learners {
            all.push(t.get("/api/v1/me/certificates", Some(token)).await.body[0]["number"].as_str().unwrap().to_string());
        }
        all.into_iter().collect()
    };
    assert_eq!(numbers.len(), 3, "every certificate has its own number");
});
