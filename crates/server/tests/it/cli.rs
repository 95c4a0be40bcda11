use serde_json::{Value, json};

use crate::support::*;

fn text(o: &std::process::Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

#[test]
fn user_add_reads_the_password_from_stdin_or_prints_a_generated_one() {
    let dir = tempfile::tempdir().unwrap();
    let out = lentera(dir.path(), &["opd", "add", "Dinas Kesehatan"], None);
    assert!(out.status.success(), "{}", text(&out));
    let out = lentera(dir.path(), &["user", "add", "--email", "a@x.go.id", "--name", "A", "--password-stdin"], Some("sandi-rahasia-1\n"));
    assert!(out.status.success(), "{}", text(&out));
    assert!(!text(&out).contains("sandi-rahasia-1"), "a given password is never echoed");
    let out = lentera(dir.path(), &["user", "add", "--email", "b@x.go.id", "--name", "B", "--nip", "198609262015051001", "--opd", "Dinas Kesehatan", "--role", "hr", "--hr-scoped"], None);
    assert!(out.status.success(), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let password = stdout.lines().find_map(|l| l.strip_prefix("password (shown once): ")).unwrap();
    assert_eq!(password.len(), 16);

    // The generated password works against a real server.
    let server = Server::start(dir.path(), &[]);
    let r = agent().post(&format!("{}/api/v1/auth/login", server.base)).send_json(json!({"login": "198609262015051001", "password": password})).unwrap();
    assert_eq!(r.status(), 200);

    let out = lentera(dir.path(), &["user", "add", "--email", "c@x.go.id", "--name", "C", "--nip", "123"], None);
    assert!(!out.status.success());
    assert!(text(&out).contains("18 digits"), "{}", text(&out));
    let out = lentera(dir.path(), &["user", "add", "--email", "a@x.go.id", "--name", "Dup"], None);
    assert!(!out.status.success());
    assert!(text(&out).contains("duplicate email"), "{}", text(&out));
}

#[test]
fn users_import_refuses_a_bad_file_whole_and_names_each_row() {
    let dir = tempfile::tempdir().unwrap();
    assert!(lentera(dir.path(), &["opd", "add", "Dinas Sosial"], None).status.success());
    let file = dir.path().join("pegawai.csv");
    std::fs::write(&file, "NIP;nama;email;OPD;jabatan;jenis\n\
        198609262015051001;Budi;budi@x.go.id;Dinas Sosial;Staf;PNS\n\
        198609262015053001;Ani;ani@x.go.id;Dinas Sosial;Staf;PNS\n\
        198701012010012002;Rina;rina@x.go.id;Dinas Entah;Staf;PPPK\n").unwrap();
    let out = lentera(dir.path(), &["users", "import", "pegawai.csv"], None);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("pegawai.csv:3: [nip]"), "{err}");
    assert!(err.contains("pegawai.csv:4: [opd]"), "{err}");
    assert!(err.contains("nothing was imported"), "{err}");

    let out = lentera(dir.path(), &["users", "import", "pegawai.csv", "--skip-invalid"], None);
    assert!(out.status.success(), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("imported 1 user(s), skipped 2"), "{}", text(&out));
}

#[test]
fn serve_generates_and_keeps_its_secret_and_answers_health_metrics_and_the_app() {
    let dir = tempfile::tempdir().unwrap();
    assert!(lentera(dir.path(), &["user", "add", "--email", "a@x.go.id", "--name", "A", "--password-stdin"], Some("sandi-rahasia-1")).status.success());
    let token = {
        let server = Server::start(dir.path(), &[]);
        let a = agent();
        assert_eq!(a.get(&format!("{}/healthz", server.base)).call().unwrap().status(), 200);
        assert_eq!(a.get(&format!("{}/readyz", server.base)).call().unwrap().status(), 200);
        let mut r = a.post(&format!("{}/api/v1/auth/login", server.base)).send_json(json!({"login": "a@x.go.id", "password": "sandi-rahasia-1"})).unwrap();
        let body: Value = r.body_mut().read_json().unwrap();
        let mut metrics = a.get(&format!("{}/metrics", server.base)).call().unwrap();
        let metrics = metrics.body_mut().read_to_string().unwrap();
        assert!(metrics.contains("lentera_http_requests_total"), "{metrics}");
        let mut nf = a.get(&format!("{}/api/v1/nope", server.base)).call().unwrap();
        assert_eq!(nf.status(), 404);
        assert_eq!(nf.headers().get("content-type").unwrap(), "application/problem+json");
        assert_eq!(nf.body_mut().read_json::<Value>().unwrap()["code"], "not_found");
        body["access_token"].as_str().unwrap().to_string()
    };
    let key = dir.path().join("data/jwt.key");
    assert!(key.exists());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&key).unwrap().permissions().mode() & 0o777, 0o600);
    }
    // After a restart the same key signs: the token from before still works.
    let server = Server::start(dir.path(), &[]);
    let r = agent().get(&format!("{}/api/v1/me", server.base)).header("authorization", &format!("Bearer {token}")).call().unwrap();
    assert_eq!(r.status(), 200);
}

#[test]
fn a_bad_configuration_is_refused_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(bin()).args(["migrate"]).current_dir(dir.path())
        .env("LENTERA_DATABASE_URL", "mysql://x@y/z").output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("unsupported database URL scheme"), "{}", text(&out));
    let out = std::process::Command::new(bin()).args(["migrate"]).current_dir(dir.path())
        .env("LENTERA_API__ACCESS_TOKEN_TTL_SECS", "lima").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("invalid configuration"), "{}", text(&out));
}

#[test]
fn serve_demo_seeds_accounts_and_imports_the_sample_courses_once() {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    std::fs::create_dir_all(&content).unwrap();
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../content/tests/fixtures/courses/carpentries-r");
    let status = std::process::Command::new("cp").arg("-r").arg(&fixture).arg(content.join("carpentries-r")).status().unwrap();
    assert!(status.success());
    let env = [("LENTERA_CONTENT_DIR", content.to_str().unwrap()), ("LENTERA_DEMO_PASSWORD", "demo-sandi-123")];
    for round in 0..2 {
        let server = Server::start_with(dir.path(), &["--demo"], &env);
        let a = agent();
        let mut r = a.post(&format!("{}/api/v1/auth/login", server.base)).send_json(json!({"login": "198609262015051001", "password": "demo-sandi-123"})).unwrap();
        assert_eq!(r.status(), 200, "round {round}");
        let token = r.body_mut().read_json::<Value>().unwrap()["access_token"].as_str().unwrap().to_string();
        let mut c = a.get(&format!("{}/api/v1/courses", server.base)).header("authorization", &format!("Bearer {token}")).call().unwrap();
        let body: Value = c.body_mut().read_json().unwrap();
        assert_eq!(body["total"], 1, "round {round}: {body}");
        assert_eq!(body["items"][0]["version"], 1, "a restart does not make a new version");
    }
}

#[test]
fn report_writes_every_row_as_csv_or_xlsx_and_refuses_a_bad_request() {
    let dir = tempfile::tempdir().unwrap();
    let out = lentera(dir.path(), &["demo-data", "--learners", "60", "--courses", "4", "--enrolments-per-learner", "2"], None);
    assert!(out.status.success(), "{}", text(&out));

    let out = lentera(dir.path(), &["report", "completions"], None);
    assert!(out.status.success(), "{}", text(&out));
    let csv = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').split("\r\n").filter(|l| !l.is_empty()).collect();
    assert!(lines[0].starts_with("NIP,Nama,OPD,Jabatan,Jenis ASN,"), "{}", lines[0]);
    assert_eq!(lines.len(), 1 + 120, "a header and every enrolment");
    assert!(String::from_utf8_lossy(&out.stderr).contains("120 rows"));

    // Per course: the enrolled column adds up to the same 120.
    let out = lentera(dir.path(), &["report", "courses", "--en"], None);
    assert!(out.status.success(), "{}", text(&out));
    let csv = String::from_utf8(out.stdout).unwrap();
    let mut rows = csv.trim_start_matches('\u{feff}').lines();
    assert!(rows.next().unwrap().starts_with("Name,Enrolled,"));
    let enrolled: u64 = rows.map(|r| r.split(',').nth(1).unwrap().parse::<u64>().unwrap()).sum();
    assert_eq!(enrolled, 120);

    let file = dir.path().join("jp.xlsx");
    let out = lentera(dir.path(), &["report", "jp", "--year", "2026", "--per-opd", "--format", "xlsx", "-o", file.to_str().unwrap()], None);
    assert!(out.status.success(), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("ASN at or above 20 JP"), "{}", text(&out));
    assert_eq!(&std::fs::read(&file).unwrap()[..2], b"PK", "an XLSX is a zip file");

    let out = lentera(dir.path(), &["report", "opds", "--format", "xlsx"], None);
    assert!(!out.status.success());
    assert!(text(&out).contains("needs --output"), "{}", text(&out));
    let out = lentera(dir.path(), &["report", "completions", "--jenis", "honorer"], None);
    assert!(!out.status.success());
    assert!(text(&out).contains("PNS or PPPK"), "{}", text(&out));
}
