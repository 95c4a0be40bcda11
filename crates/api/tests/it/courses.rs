use std::io::Write;
use std::path::{Path, PathBuf};

use actix_web::test::TestRequest;
use lentera_accounts::{Role, RoleGrant};
use lentera_api::course_import::{Importer, import_dirs};
use serde_json::json;

use crate::api_test;
use crate::support::*;

const SVG: &str = r#"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>"#;

/// Writes a course folder: `lessons` are (file name, front-matter title, body).
pub fn write_course(root: &Path, slug: &str, title: &str, extra_manifest: &str, lessons: &[(&str, &str, &str)]) -> PathBuf {
    let dir = root.join(slug);
    std::fs::create_dir_all(dir.join("01-materi/gambar")).unwrap();
    std::fs::write(
        dir.join("course.toml"),
        format!(
            "slug = \"{slug}\"\ntitle = \"{title}\"\nsummary = \"Ringkasan {title}\"\ncategory = \"Teknologi Informasi\"\n\
             level = \"dasar\"\nlanguage = \"id\"\njp = 4\nduration_minutes = 120\ntags = [\"uji\"]\nvisibility = \"public\"\n\
             self_enrol = true\n{extra_manifest}\n"
        ),
    )
    .unwrap();
    std::fs::write(dir.join("01-materi/gambar/diagram.svg"), SVG).unwrap();
    for (file, lesson_title, body) in lessons {
        std::fs::write(dir.join("01-materi").join(file), format!("---\ntitle: {lesson_title}\n---\n\n{body}\n")).unwrap();
    }
    dir
}

fn three_lessons(root: &Path) -> PathBuf {
    write_course(root, "keamanan-informasi", "Keamanan Informasi", "", &[
        ("01-pengantar.md", "Pengantar", "# Pengantar\n\n> [!TIP]\n> Gunakan kata sandi panjang.\n\n![Diagram](gambar/diagram.svg)\n\nLanjut ke [kata sandi](02-kata-sandi.md).\n"),
        ("02-kata-sandi.md", "Kata Sandi", "## Kata sandi kuat\n\n::: callout-warning\nJangan berbagi kata sandi.\n:::\n\n<script>alert(1)</script><img src=\"https://contoh.invalid/a.png\" onerror=alert(1)>\n"),
        ("03-phishing.md", "Phishing", "## Mengenali phishing\n\n| Ciri | Contoh |\n|---|---|\n| Mendesak | \"Segera!\" |\n"),
    ])
}

fn import(t: &TestApp, dirs: &[PathBuf]) -> Vec<lentera_storage::courses::ImportResult> {
    import_dirs(t.db(), dirs, Importer::Operator, "test").unwrap()
}

async fn learner(t: &TestApp, email: &str) -> String {
    t.user(email, None, None, vec![RoleGrant::global(Role::Learner)]);
    t.login(email).await.0
}

api_test!(async fn lessons_are_rendered_once_and_served_to_enrolled_learners(t: &mut TestApp) {
    let tmp = tempfile::tempdir().unwrap();
    let r = import(t, &[three_lessons(tmp.path())]);
    assert_eq!((r[0].version, r[0].created), (1, true));
    let token = learner(t, "murid@batanghari.go.id").await;

    let detail = t.get("/api/v1/courses/keamanan-informasi", Some(&token)).await;
    assert_eq!(detail.status, 200, "{}", detail.body);
    let lessons: Vec<&str> = detail.body["modules"][0]["lessons"].as_array().unwrap().iter().map(|l| l["id"].as_str().unwrap()).collect();
    assert_eq!(lessons, ["pengantar", "kata-sandi", "phishing"]);
    assert!(detail.body["files"].as_array().unwrap().iter().any(|f| f["path"] == "01-materi/gambar/diagram.svg"));

    t.get("/api/v1/courses/keamanan-informasi/lessons/pengantar", Some(&token)).await.assert_problem(403, "not_enrolled");
    let e = t.post("/api/v1/courses/keamanan-informasi/enrol", Some(&token), json!({})).await;
    assert_eq!((e.status, e.body["changed"].as_bool()), (200, Some(true)), "{}", e.body);
    let again = t.post("/api/v1/courses/keamanan-informasi/enrol", Some(&token), json!({})).await;
    assert_eq!(again.body["changed"], false, "enrolling twice changes nothing");

    let l = t.get("/api/v1/courses/keamanan-informasi/lessons/pengantar", Some(&token)).await;
    assert_eq!(l.status, 200);
    let html = l.body["html"].as_str().unwrap();
    assert!(html.contains("callout"), "{html}");
    assert!(!html.contains("[!TIP]"));
    assert!(html.contains("/courses/keamanan-informasi/lessons/kata-sandi"), "{html}");
    let sha = lentera_content::sha256_hex(SVG.as_bytes());
    assert!(html.contains(&format!("/api/v1/assets/{sha}")), "{html}");
    assert_eq!(l.body["next"], "kata-sandi");
    assert_eq!(l.body["previous"], serde_json::Value::Null);
    assert_eq!(l.body["toc"][0]["text"], "Pengantar");

    let hostile = t.get("/api/v1/courses/keamanan-informasi/lessons/kata-sandi", Some(&token)).await;
    let html = hostile.body["html"].as_str().unwrap();
    assert!(!html.contains("<script") && !html.contains("onerror") && !html.contains("javascript:"), "{html}");
    assert!(!html.contains(":::"), "{html}");

    let etag = l.headers.get("etag").unwrap().to_str().unwrap().to_string();
    let cached = t.send(TestRequest::get().uri("/api/v1/courses/keamanan-informasi/lessons/pengantar")
        .insert_header(("authorization", format!("Bearer {token}"))).insert_header(("if-none-match", etag))).await;
    assert_eq!(cached.status, 304);

    let asset = t.get(&format!("/api/v1/assets/{sha}"), None).await;
    assert_eq!(asset.status, 200);
    assert_eq!(asset.raw, SVG.as_bytes());
    assert_eq!(asset.content_type, "image/svg+xml");
    assert!(asset.headers.get("cache-control").unwrap().to_str().unwrap().contains("immutable"));
    assert!(asset.headers.get("content-security-policy").unwrap().to_str().unwrap().contains("sandbox"));
    t.get(&format!("/api/v1/assets/{}", "0".repeat(64)), None).await.assert_problem(404, "not_found");
    t.get("/api/v1/courses/keamanan-informasi/lessons/tidak-ada", Some(&token)).await.assert_problem(404, "not_found");

    let gone = t.send(TestRequest::delete().uri("/api/v1/courses/keamanan-informasi/enrolment").insert_header(("authorization", format!("Bearer {token}")))).await;
    assert_eq!(gone.status, 204);
    t.get("/api/v1/courses/keamanan-informasi/lessons/pengantar", Some(&token)).await.assert_problem(403, "not_enrolled");
});

api_test!(async fn the_catalogue_searches_in_indonesian_and_english_and_filters(t: &mut TestApp) {
    let tmp = tempfile::tempdir().unwrap();
    let a = three_lessons(tmp.path());
    let b = write_course(tmp.path(), "data-security-basics", "Data Security Basics", "", &[("01-intro.md", "Protecting spreadsheets", "Hello")]);
    let c = write_course(tmp.path(), "rahasia", "Kursus Tersembunyi", "", &[("01-a.md", "Keamanan lanjutan", "x")]);
    std::fs::write(c.join("course.toml"), std::fs::read_to_string(c.join("course.toml")).unwrap().replace("visibility = \"public\"", "visibility = \"hidden\"").replace("jp = 4", "jp = 2")).unwrap();
    import(t, &[a, b, c]);
    let token = learner(t, "cari@batanghari.go.id").await;
    let slugs = |r: &Reply| -> Vec<String> { r.body["items"].as_array().unwrap().iter().map(|i| i["slug"].as_str().unwrap().to_string()).collect() };

    let all = t.get("/api/v1/courses", Some(&token)).await;
    assert_eq!(all.body["total"], 2, "hidden course not listed: {}", all.body);
    assert_eq!(slugs(&t.get("/api/v1/courses?q=keam", Some(&token)).await), ["keamanan-informasi"]);
    assert_eq!(slugs(&t.get("/api/v1/courses?q=phishing", Some(&token)).await), ["keamanan-informasi"], "lesson titles are searched");
    assert_eq!(slugs(&t.get("/api/v1/courses?q=Security%20spread", Some(&token)).await), ["data-security-basics"]);
    assert_eq!(t.get("/api/v1/courses?q=%22%20OR%201%3D1%20--", Some(&token)).await.body["total"], 0, "query syntax is not passed through");
    assert_eq!(t.get("/api/v1/courses?language=en", Some(&token)).await.body["total"], 0, "both are written as id");
    assert_eq!(t.get("/api/v1/courses?jp_min=3&level=dasar", Some(&token)).await.body["total"], 2);
    assert_eq!(t.get("/api/v1/courses?mine=true", Some(&token)).await.body["total"], 0);

    let hr = { t.user("hr@batanghari.go.id", None, None, vec![RoleGrant::global(Role::Hr)]); t.login("hr@batanghari.go.id").await.0 };
    assert_eq!(t.get("/api/v1/courses?q=keamanan", Some(&hr)).await.body["total"], 2, "hr sees hidden courses");
    t.get("/api/v1/courses/rahasia", Some(&token)).await.assert_problem(404, "not_found");
    t.post("/api/v1/courses/rahasia/enrol", Some(&token), json!({})).await.assert_problem(403, "enrolment_closed");

    // hr assigns the hidden course as required: the learner now sees it under "required for me".
    let me = t.get("/api/v1/me", Some(&token)).await.body["id"].as_str().unwrap().to_string();
    let r = t.post("/api/v1/courses/rahasia/enrol", Some(&hr), json!({"user_id": me, "required": true})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let required = t.get("/api/v1/courses?required_for_me=true", Some(&token)).await;
    assert_eq!(slugs(&required), ["rahasia"]);
    assert_eq!(required.body["items"][0]["enrolment"]["required"], true);
    assert_eq!(t.get("/api/v1/courses/rahasia", Some(&token)).await.status, 200);
    // A learner cannot enrol someone else.
    let other = t.user("lain@batanghari.go.id", None, None, vec![RoleGrant::global(Role::Learner)]);
    t.post("/api/v1/courses/keamanan-informasi/enrol", Some(&token), json!({"user_id": other})).await.assert_problem(403, "forbidden");
});

api_test!(async fn a_changed_course_becomes_a_new_version_and_removed_lessons_are_archived(t: &mut TestApp) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = three_lessons(tmp.path());
    import(t, std::slice::from_ref(&dir));
    let same = import(t, std::slice::from_ref(&dir));
    assert!(same[0].unchanged, "{same:?}");
    std::fs::remove_file(dir.join("01-materi/03-phishing.md")).unwrap();
    std::fs::write(dir.join("01-materi/02-kata-sandi.md"), "---\ntitle: Kata Sandi (revisi)\n---\n\nIsi baru.\n").unwrap();
    let v2 = import(t, std::slice::from_ref(&dir));
    assert_eq!((v2[0].version, v2[0].created, v2[0].unchanged), (2, false, false));
    assert_eq!(v2[0].archived_lessons, ["phishing"]);
    let admin = t.admin().await;
    let detail = t.get("/api/v1/courses/keamanan-informasi", Some(&admin)).await;
    assert_eq!(detail.body["version"], 2);
    assert_eq!(detail.body["modules"][0]["lessons"].as_array().unwrap().len(), 2);
    let l = t.get("/api/v1/courses/keamanan-informasi/lessons/kata-sandi", Some(&admin)).await;
    assert!(l.body["html"].as_str().unwrap().contains("Isi baru"));
    t.get("/api/v1/courses/keamanan-informasi/lessons/phishing", Some(&admin)).await.assert_problem(404, "not_found");
});

api_test!(async fn a_broken_folder_is_refused_whole_with_file_and_line(t: &mut TestApp) {
    let tmp = tempfile::tempdir().unwrap();
    let good = write_course(tmp.path(), "baik", "Kursus Baik", "", &[("01-a.md", "A", "Isi")]);
    let bad = write_course(tmp.path(), "rusak", "Kursus Rusak", "", &[("01-a.md", "A", "Baris satu\n\n![hilang](gambar/tidak-ada.png)\n")]);
    let err = import_dirs(t.db(), &[good, bad], Importer::Operator, "test").unwrap_err();
    let lentera_api::course_import::ImportError::Invalid(outputs) = err else { panic!("expected Invalid") };
    let problem = outputs.iter().flat_map(|o| &o.problems).find(|p| p.code == "missing_asset").unwrap();
    assert_eq!(problem.file, "01-materi/01-a.md");
    assert_eq!(problem.line, Some(7), "{problem:?}");
    let admin = t.admin().await;
    assert_eq!(t.get("/api/v1/courses", Some(&admin)).await.body["total"], 0, "the good folder was not imported either");
});

fn zip_of(dir: &Path, prefix: &str, extra: &[(&str, &[u8])]) -> Vec<u8> {
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut buf);
        let opts = zip::write::SimpleFileOptions::default();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() { stack.push(p); continue; }
                let rel = p.strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/");
                z.start_file(format!("{prefix}{rel}"), opts).unwrap();
                z.write_all(&std::fs::read(&p).unwrap()).unwrap();
            }
        }
        for (name, bytes) in extra {
            z.start_file(*name, opts).unwrap();
            z.write_all(bytes).unwrap();
        }
        z.finish().unwrap();
    }
    buf.into_inner()
}

fn upload(token: &str, body: Vec<u8>, query: &str) -> TestRequest {
    TestRequest::post().uri(&format!("/api/v1/courses/import{query}"))
        .insert_header(("authorization", format!("Bearer {token}")))
        .insert_header(("content-type", "application/zip"))
        .set_payload(body)
}

api_test!(async fn instructors_upload_archives_and_edit_in_the_browser(t: &mut TestApp) {
    t.user("guru@batanghari.go.id", None, None, vec![RoleGrant::global(Role::Instructor)]);
    t.user("guru2@batanghari.go.id", None, None, vec![RoleGrant::global(Role::Instructor)]);
    let (guru, _) = t.login("guru@batanghari.go.id").await;
    let (guru2, _) = t.login("guru2@batanghari.go.id").await;
    let murid = learner(t, "murid@batanghari.go.id").await;
    let tmp = tempfile::tempdir().unwrap();
    let dir = three_lessons(tmp.path());

    std::fs::write(dir.join("01-materi/03-phishing.md"), "---\ntitle: Phishing\n---\n\nLihat [ini](04-tidak-ada.md).\n").unwrap();
    let r = t.send(upload(&guru, zip_of(&dir, "keamanan-informasi/", &[]), "")).await;
    r.assert_problem(422, "course_invalid");
    let e = &r.body["errors"][0];
    assert_eq!((e["file"].as_str(), e["line"].as_u64(), e["code"].as_str()), (Some("01-materi/03-phishing.md"), Some(5), Some("broken_lesson_link")), "{}", r.body);

    let evil = zip_of(&dir, "", &[("../../etc/evil.md", b"x")]);
    t.send(upload(&guru, evil, "")).await.assert_problem(422, "archive_path_traversal");
    t.send(upload(&guru, b"not a zip".to_vec(), "")).await.assert_problem(422, "archive_corrupt");
    t.send(upload(&murid, zip_of(&dir, "", &[]), "")).await.assert_problem(403, "forbidden");

    std::fs::write(dir.join("01-materi/03-phishing.md"), "---\ntitle: Phishing\n---\n\nLihat [pengantar](01-pengantar.md).\n").unwrap();
    let dry = t.send(upload(&guru, zip_of(&dir, "", &[]), "?dry_run=true")).await;
    assert_eq!(dry.status, 200, "{}", dry.body);
    assert_eq!(dry.body["import"], serde_json::Value::Null);
    let ok = t.send(upload(&guru, zip_of(&dir, "", &[]), "")).await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert_eq!(ok.body["import"]["version"], 1);
    t.send(upload(&guru2, zip_of(&dir, "", &[]), "")).await.assert_problem(403, "not_course_instructor");

    // The browser editor: sources, preview through the same pipeline, publish.
    let src = t.get("/api/v1/courses/keamanan-informasi/source", Some(&guru)).await;
    assert_eq!(src.status, 200);
    assert!(src.body.as_array().unwrap().iter().any(|f| f["path"] == "course.toml" && f["text"].as_str().unwrap().contains("slug")));
    t.get("/api/v1/courses/keamanan-informasi/source", Some(&guru2)).await.assert_problem(403, "not_course_instructor");
    let text = "---\ntitle: Phishing\n---\n\n::: {.callout-note}\nWaspadai tautan.\n:::\n\n[rusak](99-x.md)\n";
    let p = t.post("/api/v1/courses/keamanan-informasi/preview", Some(&guru), json!({"path": "01-materi/03-phishing.md", "source": text})).await;
    assert_eq!(p.status, 200, "{}", p.body);
    assert!(p.body["html"].as_str().unwrap().contains("callout-note"));
    assert_eq!(p.body["problems"][0]["line"], 9, "{}", p.body);
    t.post("/api/v1/courses/keamanan-informasi/preview", Some(&murid), json!({"path": "01-materi/03-phishing.md", "source": text})).await.assert_problem(403, "not_course_instructor");
    t.post("/api/v1/courses/keamanan-informasi/publish", Some(&guru), json!({"files": {"01-materi/03-phishing.md": text}})).await.assert_problem(422, "course_invalid");
    t.post("/api/v1/courses/keamanan-informasi/publish", Some(&guru), json!({"files": {"../x.md": "x"}})).await.assert_problem(422, "invalid_path");
    let fixed = text.replace("[rusak](99-x.md)", "[awal](01-pengantar.md)");
    let pub_ = t.post("/api/v1/courses/keamanan-informasi/publish", Some(&guru), json!({"files": {"01-materi/03-phishing.md": fixed}})).await;
    assert_eq!(pub_.status, 200, "{}", pub_.body);
    assert_eq!(pub_.body["import"]["version"], 2);
    t.post("/api/v1/courses/keamanan-informasi/enrol", Some(&murid), json!({})).await;
    let l = t.get("/api/v1/courses/keamanan-informasi/lessons/phishing", Some(&murid)).await;
    assert!(l.body["html"].as_str().unwrap().contains("Waspadai tautan"));
});

api_test!(async fn a_carpentries_style_lesson_imports_with_nothing_left_raw(t: &mut TestApp) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../content/tests/fixtures/courses/carpentries-r");
    import(t, &[dir]);
    let admin = t.admin().await;
    let d = t.get("/api/v1/courses/r-for-data-analysis", Some(&admin)).await;
    for lesson in d.body["modules"][0]["lessons"].as_array().unwrap() {
        let id = lesson["id"].as_str().unwrap();
        let l = t.get(&format!("/api/v1/courses/r-for-data-analysis/lessons/{id}"), Some(&admin)).await;
        let html = l.body["html"].as_str().unwrap();
        assert!(!html.contains(":::") && !html.contains("[!NOTE]"), "{id}: {html}");
        for src in html.split("src=\"").skip(1) {
            let url = src.split('"').next().unwrap();
            assert!(url.starts_with("/api/v1/assets/"), "{id}: unresolved image {url}");
            assert_eq!(t.get(url, None).await.status, 200, "{url}");
        }
    }
});

/// The catalogue cache: one page shared by everyone who sees the same courses, each viewer's own
/// enrolments added; an upload through the server empties it; a viewer who sees a hidden course
/// gets their own page.
#[actix_web::test]
async fn catalogue_pages_are_shared_but_enrolments_and_hidden_courses_stay_personal() {
    for backend in [lentera_storage::Backend::Sqlite, lentera_storage::Backend::Postgres] {
        let config = lentera_api::ApiConfig { catalogue_cache_ms: 60_000, ..test_config() };
        let Some(t) = TestApp::with_config(backend, config).await else { continue };
        let tmp = tempfile::tempdir().unwrap();
        let a = three_lessons(tmp.path());
        let hidden = write_course(tmp.path(), "rahasia", "Kursus Tersembunyi", "", &[("01-a.md", "A", "x")]);
        let toml = std::fs::read_to_string(hidden.join("course.toml")).unwrap().replace("visibility = \"public\"", "visibility = \"hidden\"");
        std::fs::write(hidden.join("course.toml"), toml).unwrap();
        import(&t, &[a, hidden]);
        let one = learner(&t, "satu@batanghari.go.id").await;
        let two = learner(&t, "dua@batanghari.go.id").await;
        let total = |r: &Reply| r.body["total"].as_i64().unwrap();

        assert_eq!(total(&t.get("/api/v1/courses", Some(&one)).await), 1);
        assert_eq!(t.post("/api/v1/courses/keamanan-informasi/enrol", Some(&one), json!({})).await.status, 200);
        let mine = t.get("/api/v1/courses", Some(&one)).await;
        assert_eq!(mine.body["items"][0]["enrolment"]["status"], "active", "{}", mine.body);
        let theirs = t.get("/api/v1/courses", Some(&two)).await;
        assert_eq!(theirs.body["items"][0]["enrolment"], serde_json::Value::Null, "{}", theirs.body);

        // Imported behind the server's back (the CLI): not seen until the cache time passes…
        let b = write_course(tmp.path(), "data-security-basics", "Data Security Basics", "", &[("01-intro.md", "Intro", "Hello")]);
        import(&t, &[b]);
        assert_eq!(total(&t.get("/api/v1/courses", Some(&two)).await), 1, "served from the shared page");
        // …but an upload through the server shows at once, with what came before it.
        t.user("guru@batanghari.go.id", None, None, vec![RoleGrant::global(Role::Instructor)]);
        let (guru, _) = t.login("guru@batanghari.go.id").await;
        let c = write_course(tmp.path(), "arsip-digital", "Arsip Digital", "", &[("01-a.md", "Arsip", "x")]);
        assert_eq!(t.send(upload(&guru, zip_of(&c, "", &[]), "")).await.status, 200);
        assert_eq!(total(&t.get("/api/v1/courses", Some(&two)).await), 3);

        // Assigned the hidden course, a learner sees it; the others' shared page does not.
        t.user("hr@batanghari.go.id", None, None, vec![RoleGrant::global(Role::Hr)]);
        let (hr, _) = t.login("hr@batanghari.go.id").await;
        let me = t.get("/api/v1/me", Some(&one)).await.body["id"].as_str().unwrap().to_string();
        assert_eq!(t.post("/api/v1/courses/rahasia/enrol", Some(&hr), json!({"user_id": me, "required": true})).await.status, 200);
        assert_eq!(total(&t.get("/api/v1/courses", Some(&one)).await), 4);
        assert_eq!(total(&t.get("/api/v1/courses", Some(&two)).await), 3);
        assert_eq!(total(&t.get("/api/v1/courses", Some(&hr)).await), 4, "hr sees hidden courses");
    }
}
