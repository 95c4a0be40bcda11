use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use anyhow::Context;
use lentera_api::AppState;
use tracing_subscriber::EnvFilter;

use crate::config::Config;

pub fn init_tracing(config: &Config) {
    let filter = EnvFilter::try_from_env("LENTERA_LOG").unwrap_or_else(|_| EnvFilter::new(&config.log_level));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = if config.log_format == "json" { builder.json().try_init() } else { builder.try_init() };
}

pub fn serve(config: Config, demo: bool) -> anyhow::Result<()> {
    let db = crate::cli::open_db(&config)?;
    if demo {
        let password = std::env::var("LENTERA_DEMO_PASSWORD").unwrap_or_else(|_| "Lentera#2026".into());
        let hasher = lentera_api::PasswordHasherConfig::new(config.api.argon2).map_err(|e| anyhow::anyhow!("{e}"))?;
        let hash = hasher.hash(&password).map_err(|e| anyhow::anyhow!("{e}"))?;
        if crate::demo::seed(&db, &hash)? {
            tracing::info!("demo data created");
        }
        crate::demo::import_content(&db, &config.content_dir)?;
        crate::demo::print_accounts(&password);
    }
    let secret = config.jwt_secret()?;
    let progress = lentera_api::progress_glue::ProgressSettings::from_config(config.progress.clone(), &config.public_url)
        .map_err(|e| anyhow::anyhow!("invalid configuration: {e}"))?;
    let progress = web::Data::new(progress);
    crate::jobs::start(&db, progress.clone().into_inner())?;
    if config.notifications.worker {
        crate::outbox::spawn_worker(db.clone(), &config)?;
    }
    let state = web::Data::new(AppState::new(db, config.api.clone(), &secret).map_err(|e| anyhow::anyhow!("{e}"))?);
    let metrics = actix_web_prom::PrometheusMetricsBuilder::new("lentera")
        .endpoint("/metrics")
        .build()
        .map_err(|e| anyhow::anyhow!("metrics: {e}"))?;
    let metrics_on = config.metrics;
    let bind = config.bind.clone();
    let workers = config.workers.unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()));
    actix_web::rt::System::new().block_on(async move {
        let server = HttpServer::new(move || {
            App::new()
                .wrap(lentera_api::problem_errors())
                .wrap(actix_web::middleware::Condition::new(metrics_on, metrics.clone()))
                .wrap(tracing_actix_web::TracingLogger::default())
                .wrap(actix_web::middleware::Compress::default())
                .app_data(progress.clone())
                .configure(lentera_api::configure(state.clone()))
                .default_service(web::to(fallback))
        })
        .workers(workers)
        .bind(&bind)
        .with_context(|| format!("cannot listen on {bind}"))?;
        for addr in server.addrs() {
            tracing::info!("Lentera is listening on http://{addr}");
        }
        server.run().await.context("server failed")
    })
}

async fn fallback(req: HttpRequest) -> Result<HttpResponse, lentera_api::ApiError> {
    if req.path().starts_with("/api") {
        return lentera_api::api_not_found().await;
    }
    Ok(crate::web_app::serve(&req))
}
