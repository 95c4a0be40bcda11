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

/// Schemas, by `Component.property`, that may stay free-form objects, each with why.
const FREE_FORM: &[(&str, &str)] = &[
    // A finished job's result: its shape depends on the job's kind (issue, render, re-issue),
    // and clients only show it as it is.
    ("JobView.result", "differs per job kind"),
];

/// Every successful JSON response and every JSON request body has a real schema: no bare
/// `{"type": "object"}` without properties, items, a map's value type or a reference, at any
/// depth — so the web app's generated types never fall back to `Record<string, never>` and
/// nobody writes the type a second time by hand.
#[test]
fn every_json_body_in_the_openapi_document_has_a_schema() {
    use serde_json::Value;
    use std::collections::HashSet;

    fn check(doc: &Value, schema: &Value, at: &str, seen: &mut HashSet<String>, bare: &mut Vec<String>) {
        if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
            let name = r.trim_start_matches("#/components/schemas/").to_string();
            let target = &doc["components"]["schemas"][&name];
            assert!(!target.is_null(), "{at}: dangling reference {r}");
            if seen.insert(name.clone()) {
                check(doc, target, &name, seen, bare);
            }
            return;
        }
        let mut structured = false;
        for key in ["allOf", "oneOf", "anyOf"] {
            if let Some(parts) = schema.get(key).and_then(Value::as_array) {
                structured = true;
                for p in parts {
                    check(doc, p, at, seen, bare);
                }
            }
        }
        if let Some(items) = schema.get("items") {
            structured = true;
            check(doc, items, &format!("{at}[]"), seen, bare);
        }
        if let Some(props) = schema.get("properties").and_then(Value::as_object) {
            structured = true;
            for (name, p) in props {
                check(doc, p, &format!("{at}.{name}"), seen, bare);
            }
        }
        if let Some(values) = schema.get("additionalProperties").filter(|v| v.is_object()) {
            structured = true;
            check(doc, values, &format!("{at}{{}}"), seen, bare);
        }
        let is_object = match schema.get("type") {
            Some(Value::String(t)) => t == "object",
            Some(Value::Array(ts)) => ts.iter().any(|t| t == "object"),
            _ => false,
        };
        if is_object && !structured && !FREE_FORM.iter().any(|(k, _)| *k == at) {
            bare.push(at.to_string());
        }
    }

    let doc = serde_json::to_value(lentera_api::openapi()).unwrap();
    let mut bare = Vec::new();
    let mut seen = HashSet::new();
    let mut bodies = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let name = format!("{} {path}", method.to_uppercase());
            if let Some(schema) = op.pointer("/requestBody/content/application~1json/schema") {
                bodies += 1;
                check(&doc, schema, &format!("{name} request"), &mut seen, &mut bare);
            }
            for (status, response) in op["responses"].as_object().into_iter().flatten() {
                if !status.starts_with('2') {
                    continue;
                }
                if let Some(schema) = response.pointer("/content/application~1json/schema") {
                    bodies += 1;
                    check(&doc, schema, &format!("{name} {status}"), &mut seen, &mut bare);
                }
            }
        }
    }
    assert!(bodies > 100, "only {bodies} JSON bodies found: did the document's layout change?");
    assert!(bare.is_empty(), "bare object schemas (give them a type, or list them in FREE_FORM with a reason):\n{}", bare.join("\n"));
}
