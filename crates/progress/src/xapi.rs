//! xAPI 1.0.3 statements for completions and quiz results, so an agency's Learning Record Store
//! (LRS) can receive what Lentera records.

use std::collections::BTreeMap;

use chrono::{DateTime, SecondsFormat, Utc};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Where statements point: the actor accounts' home page (the Lentera instance) and the base of
/// activity ids (e.g. `https://lentera.example.go.id/xapi/activities`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct XapiConfig {
    pub home_page: String,
    pub activity_base: String,
}

/// The learner, identified by an account on this instance. `account_name` should be the stable
/// user id, not the NIP: statements leave the system, and a NIP holds a birth date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct XapiActor {
    pub account_name: String,
    pub display_name: Option<String>,
}

/// What the statement is about, with its Indonesian and English names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum XapiActivity {
    Course {
        course_id: String,
        name_id: String,
        name_en: String,
    },
    Quiz {
        course_id: String,
        quiz_id: String,
        name_id: String,
        name_en: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum XapiOutcome {
    Completed,
    Passed { score_percent: f64 },
    Failed { score_percent: f64 },
}

/// An xAPI statement, serialised with the spec's property names.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct XapiStatement {
    pub id: Uuid,
    pub actor: XapiAgent,
    pub verb: XapiVerb,
    pub object: XapiObject,
    pub result: XapiResult,
    pub context: XapiContext,
    pub timestamp: String,
    pub version: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct XapiAgent {
    #[serde(rename = "objectType")]
    pub object_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub account: XapiAccount,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct XapiAccount {
    #[serde(rename = "homePage")]
    pub home_page: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct XapiVerb {
    pub id: String,
    pub display: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct XapiObject {
    #[serde(rename = "objectType")]
    pub object_type: String,
    pub id: String,
    pub definition: XapiDefinition,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct XapiDefinition {
    pub name: BTreeMap<String, String>,
    #[serde(rename = "type")]
    pub activity_type: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct XapiResult {
    pub completion: bool,
    pub success: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<XapiScore>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct XapiScore {
    /// -1..1 in the spec; here 0..1, the percentage divided by 100.
    pub scaled: f64,
    pub raw: f64,
    pub min: f64,
    pub max: f64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct XapiContext {
    pub platform: String,
    pub language: String,
    #[serde(rename = "contextActivities", skip_serializing_if = "Option::is_none")]
    pub context_activities: Option<XapiContextActivities>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct XapiContextActivities {
    pub parent: Vec<XapiParent>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct XapiParent {
    #[serde(rename = "objectType")]
    pub object_type: String,
    pub id: String,
}

const VERB_COMPLETED: &str = "http://adlnet.gov/expapi/verbs/completed";
const VERB_PASSED: &str = "http://adlnet.gov/expapi/verbs/passed";
const VERB_FAILED: &str = "http://adlnet.gov/expapi/verbs/failed";
const TYPE_COURSE: &str = "http://adlnet.gov/expapi/activities/course";
const TYPE_ASSESSMENT: &str = "http://adlnet.gov/expapi/activities/assessment";

/// Path-segment escaping: everything but unreserved characters (RFC 3986).
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

impl XapiActivity {
    /// `{base}/courses/{course_id}` or `{base}/courses/{course_id}/quizzes/{quiz_id}`.
    pub fn iri(&self, config: &XapiConfig) -> String {
        let base = config.activity_base.trim_end_matches('/');
        match self {
            Self::Course { course_id, .. } => format!("{base}/courses/{}", seg(course_id)),
            Self::Quiz {
                course_id, quiz_id, ..
            } => {
                format!("{base}/courses/{}/quizzes/{}", seg(course_id), seg(quiz_id))
            }
        }
    }
}

fn seg(s: &str) -> String {
    utf8_percent_encode(s, SEGMENT).to_string()
}

fn lang_map(id: &str, en: &str) -> BTreeMap<String, String> {
    BTreeMap::from([
        ("id-ID".to_owned(), id.to_owned()),
        ("en-US".to_owned(), en.to_owned()),
    ])
}

/// The statement id: a UUID v5 of the learning event's client id, the verb and the object, so
/// exporting the same event again yields the same id and an LRS stores it once (a conforming LRS
/// refuses a second statement with an id it already has).
pub fn statement_id(event_client_id: Uuid, verb_id: &str, object_id: &str) -> Uuid {
    let namespace = Uuid::new_v5(&Uuid::NAMESPACE_URL, b"urn:lentera:xapi-statement");
    let mut name = event_client_id.as_bytes().to_vec();
    name.push(b'|');
    name.extend_from_slice(verb_id.as_bytes());
    name.push(b'|');
    name.extend_from_slice(object_id.as_bytes());
    Uuid::new_v5(&namespace, &name)
}

/// Builds the statement for one outcome. `event_client_id` is the client id of the learning event
/// that produced it (the completing event, or the quiz result); `timestamp` is when it happened.
pub fn statement(
    config: &XapiConfig,
    actor: &XapiActor,
    activity: &XapiActivity,
    outcome: XapiOutcome,
    event_client_id: Uuid,
    timestamp: DateTime<Utc>,
) -> XapiStatement {
    let object_id = activity.iri(config);
    let (verb_id, verb_id_name, verb_en_name, success, score) = match outcome {
        XapiOutcome::Completed => (VERB_COMPLETED, "menyelesaikan", "completed", true, None),
        XapiOutcome::Passed { score_percent } => {
            (VERB_PASSED, "lulus", "passed", true, Some(score_percent))
        }
        XapiOutcome::Failed { score_percent } => (
            VERB_FAILED,
            "tidak lulus",
            "failed",
            false,
            Some(score_percent),
        ),
    };
    let (name_id, name_en, activity_type, parent) = match activity {
        XapiActivity::Course {
            name_id, name_en, ..
        } => (name_id, name_en, TYPE_COURSE, None),
        XapiActivity::Quiz {
            course_id,
            name_id,
            name_en,
            ..
        } => {
            let course = XapiActivity::Course {
                course_id: course_id.clone(),
                name_id: String::new(),
                name_en: String::new(),
            };
            (name_id, name_en, TYPE_ASSESSMENT, Some(course.iri(config)))
        }
    };
    XapiStatement {
        id: statement_id(event_client_id, verb_id, &object_id),
        actor: XapiAgent {
            object_type: "Agent".to_owned(),
            name: actor.display_name.clone(),
            account: XapiAccount {
                home_page: config.home_page.clone(),
                name: actor.account_name.clone(),
            },
        },
        verb: XapiVerb {
            id: verb_id.to_owned(),
            display: lang_map(verb_id_name, verb_en_name),
        },
        object: XapiObject {
            object_type: "Activity".to_owned(),
            id: object_id,
            definition: XapiDefinition {
                name: lang_map(name_id, name_en),
                activity_type: activity_type.to_owned(),
            },
        },
        result: XapiResult {
            completion: true,
            success,
            score: score.map(|p| {
                let p = p.clamp(0.0, 100.0);
                XapiScore {
                    scaled: (p * 100.0).round() / 10_000.0,
                    raw: p,
                    min: 0.0,
                    max: 100.0,
                }
            }),
        },
        context: XapiContext {
            platform: "Lentera".to_owned(),
            language: "id-ID".to_owned(),
            context_activities: parent.map(|id| XapiContextActivities {
                parent: vec![XapiParent {
                    object_type: "Activity".to_owned(),
                    id,
                }],
            }),
        },
        timestamp: timestamp.to_rfc3339_opts(SecondsFormat::Millis, true),
        version: "1.0.3".to_owned(),
    }
}
