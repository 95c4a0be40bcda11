use actix_web::{HttpResponse, web};

use crate::AppState;

/// Alive: the process answers.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().content_type("text/plain").body("ok")
}

/// Ready: the database answers too.
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let db = state.db.clone();
    match web::block(move || db.ping()).await {
        Ok(Ok(())) => HttpResponse::Ok().content_type("text/plain").body("ready"),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "readiness check failed");
            crate::ApiError::Unavailable(e.to_string()).into()
        }
        Err(e) => crate::ApiError::Internal(e.to_string()).into(),
    }
}

impl From<crate::ApiError> for HttpResponse {
    fn from(e: crate::ApiError) -> Self {
        actix_web::ResponseError::error_response(&e)
    }
}
