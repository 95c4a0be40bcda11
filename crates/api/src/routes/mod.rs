pub mod auth;
pub mod certificates;
pub mod courses;
pub mod health;
pub mod mentoring;
pub mod notifications;
pub mod opds;
pub mod programmes;
pub mod progress;
pub mod reports;
pub mod quizzes;
pub mod users;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    // actix tries routes in this order: the requests learners make most come first, so they are
    // matched without testing the patterns of the rest.
    cfg.service(courses::lesson)
        .service(courses::asset)
        .service(progress::sync)
        .service(quizzes::save)
        .service(quizzes::submit)
        .service(auth::me)
        .service(courses::catalog)
        .service(auth::login)
        .service(auth::refresh)
        .service(auth::logout)
        .service(auth::update_me)
        .service(auth::change_password)
        .service(notifications::password_reset)
        .service(notifications::password_reset_confirm)
        .service(notifications::my_notifications)
        .service(notifications::mark_notification_read)
        .service(notifications::mark_all_notifications_read)
        .service(notifications::notification_settings)
        .service(notifications::update_notification_settings)
        .service(notifications::admin_outbox)
        .service(notifications::admin_outbox_retry)
        .service(notifications::admin_templates)
        .service(notifications::admin_put_template)
        .service(notifications::admin_delete_template)
        .service(programmes::create_programme)
        .service(programmes::list_programmes)
        .service(programmes::get_programme)
        .service(programmes::update_programme)
        .service(programmes::create_cohort)
        .service(programmes::get_cohort)
        .service(programmes::cohort_members)
        .service(programmes::assign_cohort)
        .service(programmes::assign_cohort_nips)
        .service(programmes::delete_cohort_rule)
        .service(programmes::get_job)
        .service(programmes::my_programmes)
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
        .service(reports::timeline)
        .service(mentoring::pair)
        .service(mentoring::list)
        .service(mentoring::end)
        .service(mentoring::my_mentees)
        .service(courses::upload)
        .service(courses::detail)
        .service(courses::enrol)
        .service(courses::unenrol)
        .service(courses::source)
        .service(courses::preview)
        .service(courses::publish)
        .service(progress::my_progress)
        .service(progress::course_progress)
        .service(progress::user_progress)
        .service(progress::my_jp)
        .service(progress::user_jp)
        .service(progress::forms)
        .service(progress::suggest_jp)
        .service(progress::upload_proof)
        .service(progress::proof)
        .service(progress::create_training)
        .service(progress::my_trainings)
        .service(progress::delete_training)
        .service(progress::review_list)
        .service(progress::approve)
        .service(progress::reject)
        .service(progress::create_certification)
        .service(progress::my_certifications)
        .service(progress::expiring)
        .service(progress::xapi)
        .service(certificates::mine)
        .service(certificates::bulk)
        .service(certificates::get)
        .service(certificates::pdf)
        .service(certificates::revoke)
        .service(certificates::reissue)
        .service(certificates::job)
        .service(certificates::verify)
        .service(quizzes::list)
        .service(quizzes::detail)
        .service(quizzes::put_bank_quiz)
        .service(quizzes::start)
        .service(quizzes::get_attempt)
        .service(quizzes::course_attempts)
        .service(quizzes::manual_grades)
        .service(quizzes::regrade)
        .service(quizzes::statistics)
        .service(quizzes::bank_list)
        .service(quizzes::bank_import)
        .service(quizzes::bank_put);
}

/// How many pieces of blocking storage work run at once: four per core, at least eight (the
/// SQLite pool's size, so that a slow import or report leaves room). The others wait in
/// one first-come-first-served queue (tokio's semaphore is fair), so under load every request
/// waits about as long as the others instead of some losing the race for a pooled connection
/// or the SQLite write lock again and again (the quiz-submit benchmark's p99 was three times
/// its median before this queue).
static STORAGE_SLOTS: std::sync::LazyLock<tokio::sync::Semaphore> = std::sync::LazyLock::new(|| {
    let cores = std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get);
    tokio::sync::Semaphore::new((cores * 4).clamp(8, 64))
});

/// Runs blocking storage work off the async workers, in turn (see [`STORAGE_SLOTS`]).
pub async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, crate::ApiError> + Send + 'static,
) -> Result<T, crate::ApiError> {
    let _slot = STORAGE_SLOTS.acquire().await.map_err(|e| crate::ApiError::Internal(e.to_string()))?;
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
