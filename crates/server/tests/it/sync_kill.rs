//! Nothing acknowledged is lost: clients sync learning events into the real server, the process
//! is killed with SIGKILL in the middle, and after a restart on the same database every event
//! that had been answered "accepted" is there (sending it again answers "duplicate"), and the
//! events whose answer never came can be sent again without being counted twice.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use lentera_storage::Backend;
use lentera_storage::test_support::TestDb;
use serde_json::{Value, json};

use crate::support::*;

const SLUG: &str = "etika-asn";
const LESSONS: [&str; 3] = ["pengantar", "nilai-dasar", "kode-etik"];
const PASSWORD: &str = "sandi-rahasia-1";
const CLIENTS: usize = 4;
const BATCH: usize = 25;

/// `lentera ARGS` against the given database.
fn lentera_on(dir: &Path, url: &str, args: &[&str], stdin: Option<&str>) -> Output {
    use std::io::Write;
    let mut child = Command::new(bin())
        .args(args)
        .current_dir(dir)
        .env("LENTERA_DATABASE_URL", url)
        .env("LENTERA_DATA_DIR", dir.join("data"))
        .env("LENTERA_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(input) = stdin {
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

fn course(dir: &Path) -> PathBuf {
    let root = dir.join("kursus").join(SLUG);
    std::fs::create_dir_all(root.join("01-materi")).unwrap();
    std::fs::write(
        root.join("course.toml"),
        format!(
            "slug = \"{SLUG}\"\ntitle = \"Etika ASN\"\nsummary = \"Etika\"\ncategory = \"Umum\"\nlevel = \"dasar\"\nlanguage = \"id\"\n\
             jp = 4\nduration_minutes = 60\ntags = []\nvisibility = \"public\"\nself_enrol = true\n"
        ),
    )
    .unwrap();
    for (i, l) in LESSONS.iter().enumerate() {
        std::fs::write(root.join("01-materi").join(format!("0{}-{l}.md", i + 1)), format!("---\ntitle: {l}\n---\n\nIsi {l}.\n")).unwrap();
    }
    root
}

fn call(url: &str, token: Option<&str>, body: Option<&Value>) -> Result<(u16, Value), ureq::Error> {
    let agent: ureq::Agent =
        ureq::Agent::config_builder().http_status_as_error(false).timeout_global(Some(Duration::from_secs(30))).build().into();
    let mut res = match body {
        Some(b) => {
            let mut req = agent.post(url);
            if let Some(t) = token {
                req = req.header("authorization", &format!("Bearer {t}"));
            }
            req.send_json(b)?
        }
        None => {
            let mut req = agent.get(url);
            if let Some(t) = token {
                req = req.header("authorization", &format!("Bearer {t}"));
            }
            req.call()?
        }
    };
    let status = res.status().as_u16();
    let value = res.body_mut().read_json::<Value>().unwrap_or(Value::Null);
    Ok((status, value))
}

fn login(base: &str, email: &str) -> String {
    let (status, body) = call(&format!("{base}/api/v1/auth/login"), None, Some(&json!({"login": email, "password": PASSWORD}))).unwrap();
    assert_eq!(status, 200, "{body}");
    body["access_token"].as_str().unwrap().to_string()
}

fn batch(n: usize) -> Vec<Value> {
    let now = chrono::Utc::now();
    (0..n)
        .map(|i| {
            let lesson = LESSONS[i % LESSONS.len()];
            let kind = match i % 4 {
                0 => json!({"type": "lesson_opened", "lesson_id": lesson}),
                1 => json!({"type": "time_spent", "lesson_id": lesson, "seconds": 20}),
                2 => json!({"type": "position", "lesson_id": lesson, "anchor": format!("bagian-{i}")}),
                _ => json!({"type": "lesson_completed", "lesson_id": lesson}),
            };
            json!({
                "client_id": uuid::Uuid::new_v4().to_string(),
                "course_id": SLUG,
                "kind": kind,
                "occurred_at": (now - chrono::Duration::milliseconds(i as i64)).to_rfc3339(),
            })
        })
        .collect()
}

/// What one client saw before the server died.
#[derive(Default)]
struct Seen {
    /// Events answered "accepted".
    accepted: Vec<Value>,
    /// Batches sent without an answer (the server died meanwhile).
    unanswered: Vec<Vec<Value>>,
    /// The client saw the connection fail (so the kill happened while it was syncing).
    cut_off: bool,
}

fn client(base: String, token: String, stop: Arc<AtomicBool>, answered: Arc<AtomicUsize>) -> Seen {
    let mut seen = Seen::default();
    while !stop.load(Ordering::SeqCst) {
        let events = batch(BATCH);
        match call(&format!("{base}/api/v1/progress/events"), Some(&token), Some(&json!({"events": events}))) {
            Ok((200, body)) => {
                let results = body["results"].as_array().unwrap();
                assert_eq!(results.len(), events.len());
                for (r, e) in results.iter().zip(&events) {
                    assert_eq!(r["client_id"], e["client_id"]);
                    assert_eq!(r["status"], "accepted", "fresh events are accepted: {r}");
                    seen.accepted.push(e.clone());
                }
                answered.fetch_add(events.len(), Ordering::SeqCst);
            }
            Ok((status, body)) => panic!("sync answered {status}: {body}"),
            Err(_) => {
                seen.unanswered.push(events);
                seen.cut_off = true;
                break;
            }
        }
    }
    seen
}

fn scenario(dir: &Path, url: &str) {
    // The `[progress]` settings reach the handlers and the job worker from the environment too.
    let env: Vec<(&str, &str)> = vec![
        ("LENTERA_DATABASE_URL", url),
        ("LENTERA_PROGRESS__JOB_POLL_MS", "50"),
        // Jobs the killed process had taken are taken over this soon after the restart.
        ("LENTERA_PROGRESS__JOB_LEASE_SECS", "2"),
        ("LENTERA_PROGRESS__JP__YEARLY_TARGET", "24"),
        ("LENTERA_PUBLIC_URL", "https://lentera.example.go.id"),
    ];
    let out = lentera_on(dir, url, &["course", "import", course(dir).to_str().unwrap()], None);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let emails: Vec<String> = (0..CLIENTS).map(|i| format!("murid{i}@batanghari.go.id")).collect();
    for e in &emails {
        let out = lentera_on(dir, url, &["user", "add", "--email", e, "--name", e, "--password-stdin"], Some(PASSWORD));
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }

    let mut server = Server::start(dir, &env);
    let tokens: Vec<String> = emails.iter().map(|e| login(&server.base, e)).collect();
    for t in &tokens {
        let (status, body) = call(&format!("{}/api/v1/courses/{SLUG}/enrol", server.base), Some(t), Some(&json!({}))).unwrap();
        assert_eq!(status, 200, "{body}");
    }

    let stop = Arc::new(AtomicBool::new(false));
    let answered = Arc::new(AtomicUsize::new(0));
    let handles: Vec<_> = tokens
        .iter()
        .map(|t| {
            let (base, token, stop, answered) = (server.base.clone(), t.clone(), stop.clone(), answered.clone());
            std::thread::spawn(move || client(base, token, stop, answered))
        })
        .collect();
    // Let the clients get going, then kill the server under them.
    let deadline = Instant::now() + Duration::from_secs(30);
    while answered.load(Ordering::SeqCst) < 40 * BATCH && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(150));
    server.child.kill().unwrap(); // SIGKILL: no shutdown, no flush, no goodbye
    server.child.wait().unwrap();
    stop.store(true, Ordering::SeqCst);
    let seen: Vec<Seen> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    drop(server);
    let total: usize = seen.iter().map(|s| s.accepted.len()).sum();
    assert!(total >= 40 * BATCH, "the clients synced before the kill: {total}");
    assert!(seen.iter().all(|s| s.cut_off), "every client was syncing when the server died");

    let server = Server::start(dir, &env);
    for (s, token) in seen.iter().zip(&tokens) {
        // Every acknowledged event is stored: sending it again changes nothing.
        for chunk in s.accepted.chunks(200) {
            let (status, body) = call(&format!("{}/api/v1/progress/events", server.base), Some(token), Some(&json!({"events": chunk}))).unwrap();
            assert_eq!(status, 200, "{body}");
            let lost: Vec<&Value> = body["results"].as_array().unwrap().iter().filter(|r| r["status"] != "duplicate").collect();
            assert!(lost.is_empty(), "acknowledged events missing after the restart: {lost:?}");
        }
        // What was in flight may or may not have been stored; sending it again never fails and
        // never counts twice.
        for events in &s.unanswered {
            let (status, body) = call(&format!("{}/api/v1/progress/events", server.base), Some(token), Some(&json!({"events": events}))).unwrap();
            assert_eq!(status, 200, "{body}");
            assert!(body["results"].as_array().unwrap().iter().all(|r| r["status"] == "accepted" || r["status"] == "duplicate"), "{body}");
            let (_, again) = call(&format!("{}/api/v1/progress/events", server.base), Some(token), Some(&json!({"events": events}))).unwrap();
            assert_eq!(again["duplicates"].as_u64(), Some(events.len() as u64), "{again}");
        }
        // The stored progress reflects what was synced.
        let (status, progress) = call(&format!("{}/api/v1/me/progress", server.base), Some(token), None).unwrap();
        assert_eq!(status, 200, "{progress}");
        assert_eq!(progress[0]["percent_complete"], 100, "{progress}");
        assert_eq!(progress[0]["status"], "completed");
        let year = (chrono::Utc::now() + chrono::Duration::hours(7)).format("%Y");
        let (_, jp) = call(&format!("{}/api/v1/me/jp", server.base), Some(token), None).unwrap();
        assert_eq!(jp["label_en"], format!("4 / 24 JP in {year}"), "{jp}");
        // The certificate was issued on completion; the worker started by `serve` renders it.
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let (_, certs) = call(&format!("{}/api/v1/me/certificates", server.base), Some(token), None).unwrap();
            assert_eq!(certs.as_array().unwrap().len(), 1, "{certs}");
            assert!(certs[0]["verification_url"].as_str().unwrap().starts_with("https://lentera.example.go.id/verify/"), "{certs}");
            if certs[0]["pdf_ready"] == true {
                break;
            }
            assert!(Instant::now() < deadline, "the job worker did not render the certificate: {certs}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

#[test]
fn acknowledged_events_survive_sigkill_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = dir.path().join("lentera.db").display().to_string();
    scenario(dir.path(), &url);
}

#[test]
fn acknowledged_events_survive_sigkill_on_postgres() {
    // A fresh schema on the test server (skipped, with a message, when PostgreSQL is not there
    // outside CI).
    let Some(pg) = TestDb::new(Backend::Postgres) else { return };
    let dir = tempfile::tempdir().unwrap();
    scenario(dir.path(), &pg.url);
}
