use actix_web::{HttpResponse, get, post, web};
use lentera_storage::accounts::{self, Opd};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::blocking;
use crate::{ApiError, AppState, AuthUser};

#[derive(Debug, Serialize, ToSchema)]
pub struct OpdView {
    pub id: String,
    pub name: String,
    pub code: Option<String>,
}

impl From<Opd> for OpdView {
    fn from(o: Opd) -> Self {
        Self { id: o.id.to_string(), name: o.name, code: o.code }
    }
}

/// All OPDs (agencies) of the regency.
#[utoipa::path(tag = "opds", operation_id = "list_opds", responses((status = 200, body = Vec<OpdView>)), security(("bearer" = [])))]
#[get("/opds")]
pub async fn list(state: web::Data<AppState>, _user: AuthUser) -> Result<web::Json<Vec<OpdView>>, ApiError> {
    let db = state.db.clone();
    let opds = blocking(move || Ok(db.read(accounts::list_opds)?)).await?;
    Ok(web::Json(opds.into_iter().map(OpdView::from).collect()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateOpd {
    pub name: String,
    pub code: Option<String>,
}

/// Add an OPD (admin).
#[utoipa::path(tag = "opds", operation_id = "create_opd", request_body = CreateOpd, responses((status = 201, body = OpdView), (status = 409, body = crate::Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
#[post("/opds")]
pub async fn create(state: web::Data<AppState>, user: AuthUser, body: web::Json<CreateOpd>) -> Result<HttpResponse, ApiError> {
    user.require_admin()?;
    let body = body.into_inner();
    if body.name.trim().is_empty() || body.name.len() > 200 {
        return Err(ApiError::validation("invalid_name", "name must be 1 to 200 characters"));
    }
    let db = state.db.clone();
    let opd = blocking(move || Ok(db.write(|c| accounts::create_opd(c, &body.name, body.code.as_deref()))?)).await?;
    Ok(HttpResponse::Created().json(OpdView::from(opd)))
}
