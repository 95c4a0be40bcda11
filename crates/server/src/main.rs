//! `lentera`: the one binary. CLI verbs, configuration, start-up and the HTTP server that
//! serves the API and the embedded web app.

mod cli;
mod config;
mod demo;
mod demo_data;
mod jobs;
mod outbox;
mod report_cli;
mod serve;
mod web_app;

/// mimalloc instead of glibc's malloc: a request allocates and frees many small JSON values
/// and rows across threads, where glibc spent a quarter of the quiz-submit CPU
/// (docs/PERFORMANCE.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    cli::run()
}
