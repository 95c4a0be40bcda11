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

fn main() -> std::process::ExitCode {
    cli::run()
}
