use actix_web::test::TestRequest;
use serde_json::json;

use crate::api_test;
use crate::support::*;

api_test!(async fn bad_bodies_get_clear_problems(t: &mut TestApp) {
    let admin = t.admin().await;
    let post_raw = |body: &str, ct: &str| TestRequest::post().uri("/api/v1/users").insert_header(("authorization", format!("Bearer {admin}"))).insert_header(("content-type", ct.to_string())).set_payload(body.to_string());
    let r = t.send(post_raw("{\"name\": ", "application/json")).await;
    r.assert_problem(400, "malformed_json");
    let r = t.send(post_raw("{\"name\": 12, \"email\": \"a@b.id\"}", "application/json")).await;
    r.assert_problem(422, "invalid_body");
    assert!(r.body["detail"].as_str().unwrap().contains("invalid type"), "{}", r.body);
    let r = t.send(post_raw("{\"name\": \"Tanpa Email\"}", "application/json")).await;
    r.assert_problem(422, "invalid_body");
    assert!(r.body["detail"].as_str().unwrap().contains("missing field `email`"), "{}", r.body);
    let r = t.send(post_raw("{\"name\": \"X\", \"email\": \"x@b.id\", \"is_admin\": true}", "application/json")).await;
    r.assert_problem(422, "invalid_body");
    let r = t.send(post_raw("name=x", "application/x-www-form-urlencoded")).await;
    r.assert_problem(415, "unsupported_media_type");
    let big = json!({"name": "x".repeat(5000), "email": "a@b.id"}).to_string();
    t.send(post_raw(&big, "application/json")).await.assert_problem(413, "payload_too_large");
    t.get("/api/v1/users?page=abc", Some(&admin)).await.assert_problem(400, "invalid_query");
});

api_test!(async fn unknown_paths_and_methods_are_problems_too(t: &mut TestApp) {
    t.get("/api/v1/tidak-ada", None).await.assert_problem(404, "not_found");
    let r = t.send(TestRequest::delete().uri("/api/v1/auth/login")).await;
    assert!(r.content_type.starts_with("application/problem+json"), "{} {}", r.status, r.content_type);
    assert!(r.status == 404 || r.status == 405);
});

api_test!(async fn health_readiness_and_openapi(t: &mut TestApp) {
    let h = t.get("/healthz", None).await;
    assert_eq!((h.status, h.raw.as_slice()), (200, b"ok".as_slice()));
    assert_eq!(t.get("/readyz", None).await.status, 200);
    let spec = t.get("/api/openapi.json", None).await;
    assert_eq!(spec.status, 200);
    assert!(spec.body["openapi"].as_str().unwrap().starts_with("3."));
    for path in ["/api/v1/auth/login", "/api/v1/me", "/api/v1/users", "/api/v1/users/import", "/api/v1/opds"] {
        assert!(spec.body["paths"].get(path).is_some(), "{path} missing from the OpenAPI document");
    }
    assert!(spec.body["components"]["schemas"].get("Problem").is_some());
    let docs = t.get("/api/docs", None).await;
    assert_eq!(docs.status, 200);
    assert!(String::from_utf8_lossy(&docs.raw).contains("/api/openapi.json"));
});

#[actix_web::test]
async fn readiness_fails_when_the_database_is_unreachable() {
    use actix_web::{App, test, web};
    let db = lentera_storage::Db::connect_lazy("postgres://nobody@127.0.0.1:1/none", std::time::Duration::from_millis(300)).unwrap();
    let state = web::Data::new(lentera_api::AppState::new(db, test_config(), b"test-secret-test-secret-test-secret!").unwrap());
    let app = test::init_service(App::new().configure(lentera_api::configure(state))).await;
    let alive = test::call_service(&app, test::TestRequest::get().uri("/healthz").to_request()).await;
    assert_eq!(alive.status(), 200);
    let ready = test::call_service(&app, test::TestRequest::get().uri("/readyz").to_request()).await;
    assert_eq!(ready.status(), 503);
    assert_eq!(ready.headers().get("content-type").unwrap(), "application/problem+json");
    let body: serde_json::Value = test::read_body_json(ready).await;
    assert_eq!(body["code"], "unavailable");
}
