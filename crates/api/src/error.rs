//! The API's one error type. Every failure leaves the server as `application/problem+json`
//! (RFC 9457) with a stable, machine-readable `code` that the web app translates. Unexpected
//! failures are logged with their cause and answered 500 without it.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use lentera_storage::StorageError;
use serde::Serialize;
use utoipa::ToSchema;

/// The problem document (RFC 9457) every error response carries.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URI reference naming the kind of problem: `/problems/{code}`.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Stable machine-readable code, e.g. `invalid_nip`, `duplicate_email`, `rate_limited`.
    pub code: String,
    /// Itemised problems (fields, CSV rows, files and lines).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<Object>>)]
    pub errors: Option<serde_json::Value>,
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{detail}")]
    BadRequest { code: &'static str, detail: String },
    #[error("authentication required: {code}")]
    Unauthenticated { code: &'static str, detail: &'static str },
    #[error("forbidden: {code}")]
    Forbidden { code: &'static str, detail: &'static str },
    #[error("{what} not found")]
    NotFound { what: &'static str },
    #[error("conflict: {detail}")]
    Conflict { code: String, detail: String },
    #[error("{detail}")]
    Validation { code: String, detail: String, errors: Option<serde_json::Value> },
    #[error("payload too large")]
    PayloadTooLarge { limit: usize },
    #[error("unsupported media type")]
    UnsupportedMediaType { expected: &'static str },
    #[error("too many requests")]
    RateLimited { retry_after_secs: u64 },
    #[error("service unavailable: {0}")]
    Unavailable(String),
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    pub fn validation(code: impl Into<String>, detail: impl Into<String>) -> Self {
        Self::Validation { code: code.into(), detail: detail.into(), errors: None }
    }

    pub fn forbidden() -> Self {
        Self::Forbidden { code: "forbidden", detail: "your role does not allow this" }
    }

    pub fn out_of_scope() -> Self {
        Self::Forbidden { code: "out_of_scope", detail: "this record belongs to an OPD outside your scope" }
    }

    fn code(&self) -> String {
        match self {
            Self::BadRequest { code, .. } | Self::Unauthenticated { code, .. } | Self::Forbidden { code, .. } => {
                (*code).to_string()
            }
            Self::NotFound { .. } => "not_found".into(),
            Self::Conflict { code, .. } | Self::Validation { code, .. } => code.clone(),
            Self::PayloadTooLarge { .. } => "payload_too_large".into(),
            Self::UnsupportedMediaType { .. } => "unsupported_media_type".into(),
            Self::RateLimited { .. } => "rate_limited".into(),
            Self::Unavailable(_) => "unavailable".into(),
            Self::Internal(_) => "internal_error".into(),
        }
    }

    fn detail(&self) -> Option<String> {
        match self {
            Self::BadRequest { detail, .. } | Self::Conflict { detail, .. } | Self::Validation { detail, .. } => {
                Some(detail.clone())
            }
            Self::Unauthenticated { detail, .. } | Self::Forbidden { detail, .. } => Some((*detail).to_string()),
            Self::NotFound { what } => Some(format!("{what} not found")),
            Self::PayloadTooLarge { limit } => Some(format!("the request body is larger than {limit} bytes")),
            Self::UnsupportedMediaType { expected } => Some(format!("send the body as {expected}")),
            Self::RateLimited { retry_after_secs } => Some(format!("too many attempts; retry in {retry_after_secs} s")),
            // Neither leaks internals to the client; the cause is in the log.
            Self::Unavailable(_) => Some("the database is not reachable right now".into()),
            Self::Internal(_) => None,
        }
    }

    pub fn problem(&self) -> Problem {
        let status = self.status_code();
        let code = self.code();
        Problem {
            kind: format!("/problems/{code}"),
            title: status.canonical_reason().unwrap_or("Error").to_string(),
            status: status.as_u16(),
            detail: self.detail(),
            code,
            errors: match self {
                Self::Validation { errors, .. } => errors.clone(),
                _ => None,
            },
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::BadRequest { .. } => StatusCode::BAD_REQUEST,
            Self::Unauthenticated { .. } => StatusCode::UNAUTHORIZED,
            Self::Forbidden { .. } => StatusCode::FORBIDDEN,
            Self::NotFound { .. } => StatusCode::NOT_FOUND,
            Self::Conflict { .. } => StatusCode::CONFLICT,
            Self::Validation { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Self::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType { .. } => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            Self::Internal(cause) => tracing::error!(error = %cause, "internal error"),
            Self::Unavailable(cause) => tracing::warn!(error = %cause, "dependency unavailable"),
            _ => {}
        }
        let mut res = HttpResponse::build(self.status_code());
        res.insert_header((header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json")));
        if let Self::RateLimited { retry_after_secs } = self {
            res.insert_header((header::RETRY_AFTER, retry_after_secs.to_string()));
        }
        if let Self::Unauthenticated { .. } = self {
            res.insert_header((header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer")));
        }
        res.body(serde_json::to_string(&self.problem()).unwrap_or_default())
    }
}

impl From<StorageError> for ApiError {
    fn from(e: StorageError) -> Self {
        match e {
            StorageError::NotFound => Self::NotFound { what: "record" },
            StorageError::Duplicate { field } => Self::Conflict {
                code: format!("duplicate_{field}"),
                detail: format!("another record already has this {field}"),
            },
            StorageError::ForeignKey => {
                Self::validation("unknown_reference", "the request refers to a record that does not exist")
            }
            StorageError::Unavailable(m) => Self::Unavailable(m),
            other => Self::Internal(other.to_string()),
        }
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        Self::Internal(e.to_string())
    }
}

/// Body, query and path extractor failures as problems, instead of actix's plain-text 400s.
pub mod extractors {
    use actix_web::error::{JsonPayloadError, PathError, PayloadError, QueryPayloadError};
    use actix_web::{Error, HttpRequest};

    use super::ApiError;

    pub fn json(err: JsonPayloadError, _req: &HttpRequest) -> Error {
        let api = match err {
            JsonPayloadError::OverflowKnownLength { limit, .. } | JsonPayloadError::Overflow { limit } => {
                ApiError::PayloadTooLarge { limit }
            }
            JsonPayloadError::ContentType => ApiError::UnsupportedMediaType { expected: "application/json" },
            JsonPayloadError::Deserialize(e) if e.is_data() => ApiError::validation(
                "invalid_body",
                format!("the JSON body does not fit this endpoint: {e}"),
            ),
            JsonPayloadError::Deserialize(e) => ApiError::BadRequest {
                code: "malformed_json",
                detail: format!("the body is not valid JSON: {e}"),
            },
            JsonPayloadError::Payload(PayloadError::Overflow) => ApiError::PayloadTooLarge { limit: 0 },
            other => ApiError::BadRequest { code: "unreadable_body", detail: other.to_string() },
        };
        api.into()
    }

    pub fn query(err: QueryPayloadError, _req: &HttpRequest) -> Error {
        ApiError::BadRequest { code: "invalid_query", detail: err.to_string() }.into()
    }

    pub fn path(err: PathError, _req: &HttpRequest) -> Error {
        ApiError::BadRequest { code: "invalid_path", detail: err.to_string() }.into()
    }
}
