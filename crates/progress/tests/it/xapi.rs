use chrono::{TimeZone, Utc};
use lentera_progress::{XapiActivity, XapiActor, XapiConfig, XapiOutcome, statement};
use serde_json::json;
use uuid::Uuid;

fn config() -> XapiConfig {
    XapiConfig {
        home_page: "https://lentera.batangharikab.example".into(),
        activity_base: "https://lentera.batangharikab.example/xapi/activities/".into(),
    }
}

fn actor() -> XapiActor {
    XapiActor {
        account_name: "0b5c1f3e-user".into(),
        display_name: Some("Siti Rahma".into()),
    }
}

fn course() -> XapiActivity {
    XapiActivity::Course {
        course_id: "etika-asn".into(),
        name_id: "Etika ASN".into(),
        name_en: "Civil service ethics".into(),
    }
}

fn quiz() -> XapiActivity {
    XapiActivity::Quiz {
        course_id: "etika-asn".into(),
        quiz_id: "kuis akhir".into(),
        name_id: "Kuis Akhir".into(),
        name_en: "Final quiz".into(),
    }
}

#[test]
fn a_course_completion_statement_has_the_xapi_shape() {
    let when = Utc.with_ymd_and_hms(2026, 3, 2, 1, 2, 3).unwrap();
    let event = Uuid::from_u128(42);
    let st = statement(
        &config(),
        &actor(),
        &course(),
        XapiOutcome::Completed,
        event,
        when,
    );
    let v = serde_json::to_value(&st).unwrap();
    assert_eq!(
        v["actor"],
        json!({
            "objectType": "Agent",
            "name": "Siti Rahma",
            "account": {"homePage": "https://lentera.batangharikab.example", "name": "0b5c1f3e-user"}
        })
    );
    assert_eq!(v["verb"]["id"], "http://adlnet.gov/expapi/verbs/completed");
    assert_eq!(v["verb"]["display"]["id-ID"], "menyelesaikan");
    assert_eq!(
        v["object"],
        json!({
            "objectType": "Activity",
            "id": "https://lentera.batangharikab.example/xapi/activities/courses/etika-asn",
            "definition": {
                "name": {"id-ID": "Etika ASN", "en-US": "Civil service ethics"},
                "type": "http://adlnet.gov/expapi/activities/course"
            }
        })
    );
    assert_eq!(v["result"], json!({"completion": true, "success": true}));
    assert_eq!(v["timestamp"], "2026-03-02T01:02:03.000Z");
    assert_eq!(v["version"], "1.0.3");
    assert!(v["context"].get("contextActivities").is_none());
    let id: Uuid = v["id"].as_str().unwrap().parse().unwrap();
    assert_eq!(id.get_version_num(), 5);
}

#[test]
fn quiz_statements_carry_the_score_and_the_parent_course() {
    let when = Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap();
    let passed = statement(
        &config(),
        &actor(),
        &quiz(),
        XapiOutcome::Passed {
            score_percent: 87.5,
        },
        Uuid::from_u128(1),
        when,
    );
    let v = serde_json::to_value(&passed).unwrap();
    assert_eq!(v["verb"]["id"], "http://adlnet.gov/expapi/verbs/passed");
    assert_eq!(
        v["object"]["id"],
        "https://lentera.batangharikab.example/xapi/activities/courses/etika-asn/quizzes/kuis%20akhir"
    );
    assert_eq!(
        v["object"]["definition"]["type"],
        "http://adlnet.gov/expapi/activities/assessment"
    );
    assert_eq!(
        v["result"],
        json!({"completion": true, "success": true, "score": {"scaled": 0.875, "raw": 87.5, "min": 0.0, "max": 100.0}})
    );
    assert_eq!(
        v["context"]["contextActivities"]["parent"][0]["id"],
        "https://lentera.batangharikab.example/xapi/activities/courses/etika-asn"
    );

    let failed = statement(
        &config(),
        &actor(),
        &quiz(),
        XapiOutcome::Failed {
            score_percent: 40.0,
        },
        Uuid::from_u128(2),
        when,
    );
    let v = serde_json::to_value(&failed).unwrap();
    assert_eq!(v["verb"]["id"], "http://adlnet.gov/expapi/verbs/failed");
    assert_eq!(v["result"]["success"], false);
    assert_eq!(v["result"]["score"]["scaled"], 0.4);
}

#[test]
fn statement_ids_are_stable_across_exports_and_distinct_across_events() {
    let when = Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap();
    let a = statement(
        &config(),
        &actor(),
        &course(),
        XapiOutcome::Completed,
        Uuid::from_u128(9),
        when,
    );
    let again = statement(
        &config(),
        &actor(),
        &course(),
        XapiOutcome::Completed,
        Uuid::from_u128(9),
        when,
    );
    let other = statement(
        &config(),
        &actor(),
        &course(),
        XapiOutcome::Completed,
        Uuid::from_u128(10),
        when,
    );
    let quiz = statement(
        &config(),
        &actor(),
        &quiz(),
        XapiOutcome::Passed {
            score_percent: 90.0,
        },
        Uuid::from_u128(9),
        when,
    );
    assert_eq!(a.id, again.id);
    assert_ne!(a.id, other.id);
    assert_ne!(a.id, quiz.id);
}
