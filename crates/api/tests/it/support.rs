use actix_web::{App, test, web};
use lentera_accounts::{Email, EmploymentType, Language, Nip, OpdId, Role, RoleGrant, UserId};
use lentera_api::{ApiConfig, AppState, Argon2Config, LoginLimits};
use lentera_storage::accounts::{self, NewUser};
use lentera_storage::test_support::TestDb;
use lentera_storage::{Backend, Db};
use serde_json::{Value, json};

pub const PASSWORD: &str = "rahasia-123";

/// Declares an async test run once on SQLite and once on PostgreSQL.
#[macro_export]
macro_rules! api_test {
    (async fn $name:ident($t:ident : &mut TestApp) $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            async fn run($t: &mut $crate::support::TestApp) $body
            #[actix_web::test]
            async fn sqlite() {
                if let Some(mut t) = $crate::support::TestApp::new(lentera_storage::Backend::Sqlite).await { run(&mut t).await }
            }
            #[actix_web::test]
            async fn postgres() {
                if let Some(mut t) = $crate::support::TestApp::new(lentera_storage::Backend::Postgres).await { run(&mut t).await }
            }
        }
    };
}

pub struct TestApp {
    pub tdb: TestDb,
    pub state: web::Data<AppState>,
}

pub fn test_config() -> ApiConfig {
    ApiConfig {
        // Cheap hashing keeps the suite fast; production cost is measured in the benchmark.
        argon2: Argon2Config { memory_kib: 256, iterations: 1, parallelism: 1 },
        login_limits: LoginLimits { per_account_per_minute: 5, per_ip_per_minute: 1000 },
        json_limit: 4096,
        // Replays are detected at once in tests; the grace has its own test.
        refresh_reuse_grace_secs: 0,
        upload_limit: 64 * 1024,
        // Tests import courses behind the server's back (as the CLI would) and expect to see
        // them at once; the catalogue cache has its own test.
        catalogue_cache_ms: 0,
        ..ApiConfig::default()
    }
}

pub struct Reply {
    pub status: u16,
    pub content_type: String,
    pub headers: actix_web::http::header::HeaderMap,
    pub body: Value,
    pub raw: Vec<u8>,
}

impl Reply {
    pub fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or("")
    }
    /// Asserts an error is a problem document with this status and code.
    pub fn assert_problem(&self, status: u16, code: &str) {
        assert_eq!(self.status, status, "body: {}", self.body);
        assert!(self.content_type.starts_with("application/problem+json"), "content type {}", self.content_type);
        assert_eq!(self.code(), code, "body: {}", self.body);
        assert_eq!(self.body["status"], status);
    }
}

impl TestApp {
    pub async fn new(backend: Backend) -> Option<TestApp> {
        Self::with_config(backend, test_config()).await
    }

    pub async fn with_config(backend: Backend, config: ApiConfig) -> Option<TestApp> {
        let tdb = TestDb::new(backend)?;
        let state = web::Data::new(AppState::new(tdb.db.clone(), config, b"test-secret-test-secret-test-secret!").unwrap());
        Some(TestApp { tdb, state })
    }

    pub fn db(&self) -> &Db {
        &self.tdb.db
    }

    pub async fn send(&self, req: test::TestRequest) -> Reply {
        let app = test::init_service(
            App::new()
                .wrap(lentera_api::problem_errors())
                .configure(lentera_api::configure(self.state.clone()))
                .default_service(web::to(lentera_api::api_not_found)),
        )
        .await;
        let req = req.peer_addr("10.1.2.3:5555".parse().unwrap()).to_request();
        let res = test::call_service(&app, req).await;
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let content_type = headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
        let raw = test::read_body(res).await.to_vec();
        let body = serde_json::from_slice(&raw).unwrap_or(Value::Null);
        Reply { status, content_type, headers, body, raw }
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Reply {
        self.send(with_token(test::TestRequest::get().uri(path), token)).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Reply {
        self.send(with_token(test::TestRequest::post().uri(path).set_json(body), token)).await
    }

    pub async fn patch(&self, path: &str, token: Option<&str>, body: Value) -> Reply {
        self.send(with_token(test::TestRequest::patch().uri(path).set_json(body), token)).await
    }

    pub fn opd(&self, name: &str) -> OpdId {
        self.db().write(|c| accounts::create_opd(c, name, None)).unwrap().id
    }

    /// Creates a user with `PASSWORD` directly in the database.
    pub fn user(&self, email: &str, nip: Option<&str>, opd: Option<OpdId>, roles: Vec<RoleGrant>) -> UserId {
        let hash = self.state.passwords.hash(PASSWORD).unwrap();
        self.db()
            .write(|c| {
                accounts::create_user(
                    c,
                    &NewUser {
                        nip: nip.map(|n| Nip::parse(n).unwrap()),
                        name: format!("User {email}"),
                        email: Email::parse(email).unwrap(),
                        opd_id: opd,
                        jabatan: "Staf".into(),
                        employment_type: Some(EmploymentType::Pns),
                        language: Language::Id,
                        password_hash: Some(hash),
                        roles,
                    },
                )
            })
            .unwrap()
    }

    pub async fn login(&self, login: &str) -> (String, String) {
        let r = self.post("/api/v1/auth/login", None, json!({"login": login, "password": PASSWORD})).await;
        assert_eq!(r.status, 200, "{}", r.body);
        (r.body["access_token"].as_str().unwrap().to_string(), r.body["refresh_token"].as_str().unwrap().to_string())
    }

    pub async fn admin(&self) -> String {
        self.user("admin@batanghari.go.id", None, None, vec![RoleGrant::global(Role::Admin)]);
        self.login("admin@batanghari.go.id").await.0
    }
}

fn with_token(req: test::TestRequest, token: Option<&str>) -> test::TestRequest {
    match token {
        Some(t) => req.insert_header(("authorization", format!("Bearer {t}"))),
        None => req,
    }
}


// ---------------------------------------------------------------------------------------------
// Progress tracker helpers.

impl TestApp {
    /// Like [`TestApp::send`], with progress settings registered (a fixed clock, a public URL).
    pub async fn send_with(&self, settings: &lentera_api::progress_glue::ProgressSettings, req: test::TestRequest) -> Reply {
        let app = test::init_service(
            App::new()
                .wrap(lentera_api::problem_errors())
                .app_data(web::Data::new(settings.clone()))
                .configure(lentera_api::configure(self.state.clone()))
                .default_service(web::to(lentera_api::api_not_found)),
        )
        .await;
        let req = req.peer_addr("10.1.2.3:5555".parse().unwrap()).to_request();
        let res = test::call_service(&app, req).await;
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let content_type = headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
        let raw = test::read_body(res).await.to_vec();
        let body = serde_json::from_slice(&raw).unwrap_or(Value::Null);
        Reply { status, content_type, headers, body, raw }
    }

    pub async fn get_with(&self, settings: &lentera_api::progress_glue::ProgressSettings, path: &str, token: Option<&str>) -> Reply {
        self.send_with(settings, with_token(test::TestRequest::get().uri(path), token)).await
    }

    pub async fn post_with(&self, settings: &lentera_api::progress_glue::ProgressSettings, path: &str, token: Option<&str>, body: Value) -> Reply {
        self.send_with(settings, with_token(test::TestRequest::post().uri(path).set_json(body), token)).await
    }

    /// Creates a learner (with a NIP if given) in an OPD and logs in; returns (id, token).
    pub async fn learner_in(&self, email: &str, nip: Option<&str>, opd: Option<OpdId>) -> (UserId, String) {
        let id = self.user(email, nip, opd, vec![RoleGrant::global(Role::Learner)]);
        (id, self.login(email).await.0)
    }

    /// Runs the background jobs the server's worker would run.
    pub fn run_jobs(&self, settings: &lentera_api::progress_glue::ProgressSettings) -> usize {
        lentera_api::progress_glue::run_pending_jobs(self.db(), settings).unwrap()
    }
}

/// One learning event as a client sends it.
pub fn event(course: &str, kind: Value, at: chrono::DateTime<chrono::Utc>) -> Value {
    json!({
        "client_id": uuid::Uuid::new_v4().to_string(),
        "course_id": course,
        "kind": kind,
        "occurred_at": at.to_rfc3339(),
    })
}
