use actix_web::test::TestRequest;
use lentera_accounts::{Role, RoleGrant};
use serde_json::json;

use crate::api_test;
use crate::support::*;

api_test!(async fn login_by_nip_or_email_and_me(t: &mut TestApp) {
    let opd = t.opd("Dinas Kesehatan");
    t.user("budi@batanghari.go.id", Some("198609262015051001"), Some(opd), vec![RoleGrant::global(Role::Learner)]);
    let (access, _) = t.login("19860926 201505 1 001").await;
    let me = t.get("/api/v1/me", Some(&access)).await;
    assert_eq!(me.status, 200);
    assert_eq!(me.body["email"], "budi@batanghari.go.id");
    assert_eq!(me.body["opd"]["name"], "Dinas Kesehatan");
    assert_eq!(me.body["roles"], json!([{"role": "learner"}]));
    let (access2, _) = t.login("BUDI@batanghari.go.id").await;
    assert_eq!(t.get("/api/v1/me", Some(&access2)).await.status, 200);

    t.get("/api/v1/me", None).await.assert_problem(401, "missing_token");
    t.get("/api/v1/me", Some("not-a-jwt")).await.assert_problem(401, "invalid_token");
    let wrong = t.post("/api/v1/auth/login", None, json!({"login": "budi@batanghari.go.id", "password": "salah-salah"})).await;
    wrong.assert_problem(401, "invalid_credentials");
    let nobody = t.post("/api/v1/auth/login", None, json!({"login": "siapa@batanghari.go.id", "password": PASSWORD})).await;
    nobody.assert_problem(401, "invalid_credentials");
});

api_test!(async fn refresh_rotates_and_a_reused_token_revokes_the_family(t: &mut TestApp) {
    t.user("ani@batanghari.go.id", None, None, vec![RoleGrant::global(Role::Learner)]);
    let (access, refresh1) = t.login("ani@batanghari.go.id").await;
    let r = t.post("/api/v1/auth/refresh", None, json!({"refresh_token": refresh1})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let refresh2 = r.body["refresh_token"].as_str().unwrap().to_string();
    assert_ne!(refresh1, refresh2);
    // Replaying the spent token: rejected, and the whole session ends.
    t.post("/api/v1/auth/refresh", None, json!({"refresh_token": refresh1})).await.assert_problem(401, "refresh_reused");
    t.post("/api/v1/auth/refresh", None, json!({"refresh_token": refresh2})).await.assert_problem(401, "refresh_invalid");
    t.get("/api/v1/me", Some(&access)).await.assert_problem(401, "session_revoked");
    // Another login is a new session and works.
    let (fresh, _) = t.login("ani@batanghari.go.id").await;
    assert_eq!(t.get("/api/v1/me", Some(&fresh)).await.status, 200);
});

api_test!(async fn browser_sessions_keep_the_refresh_token_in_an_httponly_cookie(t: &mut TestApp) {
    t.user("web@batanghari.go.id", None, None, vec![RoleGrant::global(Role::Learner)]);
    let r = t.post("/api/v1/auth/login", None, json!({"login": "web@batanghari.go.id", "password": PASSWORD, "use_cookie": true})).await;
    assert_eq!(r.status, 200);
    assert!(r.body.get("refresh_token").is_none(), "no refresh token in the body for the browser");
    let cookie = r.headers.get("set-cookie").unwrap().to_str().unwrap().to_string();
    assert!(cookie.starts_with("lentera_refresh="), "{cookie}");
    for attr in ["HttpOnly", "SameSite=Strict", "Path=/api/v1/auth", "Secure"] {
        assert!(cookie.contains(attr), "{cookie} lacks {attr}");
    }
    let value = cookie.split(';').next().unwrap().trim_start_matches("lentera_refresh=").to_string();
    let again = t.send(TestRequest::post().uri("/api/v1/auth/refresh").cookie(actix_web::cookie::Cookie::new("lentera_refresh", value))).await;
    assert_eq!(again.status, 200, "{}", again.body);
    assert!(again.headers.get("set-cookie").is_some());
});

api_test!(async fn logout_ends_the_session(t: &mut TestApp) {
    t.user("out@batanghari.go.id", None, None, vec![RoleGrant::global(Role::Learner)]);
    let (access, refresh) = t.login("out@batanghari.go.id").await;
    let r = t.post("/api/v1/auth/logout", Some(&access), json!({})).await;
    assert_eq!(r.status, 204);
    t.get("/api/v1/me", Some(&access)).await.assert_problem(401, "session_revoked");
    t.post("/api/v1/auth/refresh", None, json!({"refresh_token": refresh})).await.assert_problem(401, "refresh_invalid");
});

api_test!(async fn a_deactivated_users_tokens_stop_working(t: &mut TestApp) {
    let admin = t.admin().await;
    let id = t.user("pergi@batanghari.go.id", None, None, vec![RoleGrant::global(Role::Learner)]);
    let (access, refresh) = t.login("pergi@batanghari.go.id").await;
    assert_eq!(t.get("/api/v1/me", Some(&access)).await.status, 200);
    assert_eq!(t.post(&format!("/api/v1/users/{id}/deactivate"), Some(&admin), json!({})).await.status, 204);
    t.get("/api/v1/me", Some(&access)).await.assert_problem(401, "account_inactive");
    t.post("/api/v1/auth/refresh", None, json!({"refresh_token": refresh})).await.assert_problem(401, "refresh_invalid");
    let r = t.post("/api/v1/auth/login", None, json!({"login": "pergi@batanghari.go.id", "password": PASSWORD})).await;
    r.assert_problem(401, "account_inactive");
    assert_eq!(t.post(&format!("/api/v1/users/{id}/activate"), Some(&admin), json!({})).await.status, 204);
    t.login("pergi@batanghari.go.id").await;
});

api_test!(async fn wrong_passwords_are_rate_limited_per_account(t: &mut TestApp) {
    t.user("target@batanghari.go.id", None, None, vec![RoleGrant::global(Role::Learner)]);
    t.user("other@batanghari.go.id", None, None, vec![RoleGrant::global(Role::Learner)]);
    for _ in 0..5 {
        let r = t.post("/api/v1/auth/login", None, json!({"login": "target@batanghari.go.id", "password": "tebak-tebak"})).await;
        r.assert_problem(401, "invalid_credentials");
    }
    let r = t.post("/api/v1/auth/login", None, json!({"login": "TARGET@batanghari.go.id", "password": PASSWORD})).await;
    r.assert_problem(429, "rate_limited");
    let retry: u64 = r.headers.get("retry-after").unwrap().to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry), "Retry-After {retry}");
    // Another account from the same address is not affected.
    t.login("other@batanghari.go.id").await;
});

api_test!(async fn password_change_needs_the_current_one_and_ends_other_sessions(t: &mut TestApp) {
    t.user("ganti@batanghari.go.id", None, None, vec![RoleGrant::global(Role::Learner)]);
    let (here, _) = t.login("ganti@batanghari.go.id").await;
    let (elsewhere, _) = t.login("ganti@batanghari.go.id").await;
    let put = |cur: &str, new: &str| TestRequest::put().uri("/api/v1/me/password").insert_header(("authorization", format!("Bearer {here}"))).set_json(json!({"current_password": cur, "new_password": new}));
    t.send(put("salah-salah", "baru-sekali-123")).await.assert_problem(403, "wrong_password");
    t.send(put(PASSWORD, "pendek")).await.assert_problem(422, "password_too_short");
    assert_eq!(t.send(put(PASSWORD, "baru-sekali-123")).await.status, 204);
    assert_eq!(t.get("/api/v1/me", Some(&here)).await.status, 200);
    t.get("/api/v1/me", Some(&elsewhere)).await.assert_problem(401, "session_revoked");
    let r = t.post("/api/v1/auth/login", None, json!({"login": "ganti@batanghari.go.id", "password": "baru-sekali-123"})).await;
    assert_eq!(r.status, 200);
});

#[actix_web::test]
async fn expired_access_tokens_say_so() {
    let Some(t) = TestApp::with_config(lentera_storage::Backend::Sqlite, ApiConfigExt::expired()).await else { return };
    t.user("lama@batanghari.go.id", None, None, vec![RoleGrant::global(Role::Learner)]);
    let (access, _) = t.login("lama@batanghari.go.id").await;
    t.get("/api/v1/me", Some(&access)).await.assert_problem(401, "token_expired");
}

struct ApiConfigExt;
impl ApiConfigExt {
    fn expired() -> lentera_api::ApiConfig {
        lentera_api::ApiConfig { access_token_ttl_secs: -60, ..test_config() }
    }
}

#[actix_web::test]
async fn a_refresh_racing_a_reload_keeps_the_session_within_the_grace() {
    let config = lentera_api::ApiConfig { refresh_reuse_grace_secs: 30, ..test_config() };
    let Some(t) = TestApp::with_config(lentera_storage::Backend::Sqlite, config).await else { return };
    t.user("tab@batanghari.go.id", None, None, vec![RoleGrant::global(Role::Learner)]);
    let (_, refresh) = t.login("tab@batanghari.go.id").await;
    let first = t.post("/api/v1/auth/refresh", None, json!({"refresh_token": refresh})).await;
    assert_eq!(first.status, 200);
    let again = t.post("/api/v1/auth/refresh", None, json!({"refresh_token": refresh})).await;
    assert_eq!(again.status, 200, "{}", again.body);
    let access = again.body["access_token"].as_str().unwrap();
    assert_eq!(t.get("/api/v1/me", Some(access)).await.status, 200);
}

/// A change made outside this server (another server on the same database, the CLI) reaches it
/// within `session_cache_ms`; with 0 at once.
#[actix_web::test]
async fn changes_made_elsewhere_arrive_within_the_session_cache_time() {
    for backend in [lentera_storage::Backend::Sqlite, lentera_storage::Backend::Postgres] {
        let config = lentera_api::ApiConfig { session_cache_ms: 400, ..test_config() };
        let Some(t) = TestApp::with_config(backend, config).await else { continue };
        let id = t.user("jauh@batanghari.go.id", None, None, vec![RoleGrant::global(Role::Learner)]);
        let (access, _) = t.login("jauh@batanghari.go.id").await;
        assert_eq!(t.get("/api/v1/me", Some(&access)).await.status, 200);
        // Deactivated by another process: this one still knows the session for a moment…
        t.db().write(|c| lentera_storage::accounts::set_active(c, id, false)).unwrap();
        assert_eq!(t.get("/api/v1/me", Some(&access)).await.status, 200, "served from the session cache");
        // …and no longer once the cache time has passed.
        tokio::time::sleep(std::time::Duration::from_millis(450)).await;
        t.get("/api/v1/me", Some(&access)).await.assert_problem(401, "account_inactive");

        let config = lentera_api::ApiConfig { session_cache_ms: 0, ..test_config() };
        let Some(t) = TestApp::with_config(backend, config).await else { continue };
        let id = t.user("dekat@batanghari.go.id", None, None, vec![RoleGrant::global(Role::Learner)]);
        let (access, _) = t.login("dekat@batanghari.go.id").await;
        assert_eq!(t.get("/api/v1/me", Some(&access)).await.status, 200);
        t.db().write(|c| lentera_storage::accounts::set_active(c, id, false)).unwrap();
        t.get("/api/v1/me", Some(&access)).await.assert_problem(401, "account_inactive");
    }
}
