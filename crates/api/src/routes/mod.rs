pub mod auth;
pub mod courses;
pub mod health;
pub mod opds;
pub mod reports;
pub mod users;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(auth::login)
        .service(auth::refresh)
        .service(auth::logout)
        .service(auth::me)
        .service(auth::update_me)
        .service(auth::change_password)
        .service(users::list)
        .service(users::create)
        .service(users::import)
        .service(users::get)
        .service(users::update)
        .service(users::deactivate)
        .service(users::activate)
        .service(users::reset_password)
        .service(opds::list)
        .service(opds::create)
        .service(reports::completions)
        .service(reports::per_course)
        .service(reports::per_opd)
        .service(reports::jp_compliance)
        .service(reports::pair)
        .service(courses::upload)
        .service(courses::catalog)
        .service(courses::detail)
        .service(courses::enrol)
        .service(courses::unenrol)
        .service(courses::lesson)
        .service(courses::asset)
        .service(courses::source)
        .service(courses::preview)
        .service(courses::publish);
}

/// Runs blocking storage work off the async workers.
pub async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, crate::ApiError> + Send + 'static,
) -> Result<T, crate::ApiError> {
    actix_web::web::block(f).await?
}

/// Reads a request body up to `limit` bytes, answering 413 as a problem beyond it.
pub async fn read_limited(mut payload: actix_web::web::Payload, limit: usize) -> Result<actix_web::web::Bytes, crate::ApiError> {
    use futures_util::StreamExt;
    let mut buf = actix_web::web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| crate::ApiError::BadRequest { code: "unreadable_body", detail: e.to_string() })?;
        if buf.len() + chunk.len() > limit {
            return Err(crate::ApiError::PayloadTooLarge { limit });
        }
        buf.extend_from_slice(&chunk);
    }
    Ok(buf.freeze())
}
