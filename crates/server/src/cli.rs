use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use lentera_accounts::{Email, EmploymentType, HrScope, Language, Nip, Role, RoleGrant, parse_user_csv};
use lentera_storage::Db;
use lentera_storage::accounts::{self, ImportOptions, NewUser};

use crate::config::Config;

#[derive(Parser)]
#[command(name = "lentera", version, about = "Lentera: a learning platform for Indonesian civil servants (ASN)")]
struct Cli {
    /// TOML configuration file (default: ./lentera.toml if present).
    #[arg(long, global = true, env = "LENTERA_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server (migrates the database first).
    Serve {
        /// Address to listen on (overrides LENTERA_BIND).
        #[arg(long)]
        bind: Option<String>,
        /// On an empty database, create the regency's OPDs, demo accounts for every role and
        /// import the sample courses in ./content. For trying Lentera, never for production.
        #[arg(long)]
        demo: bool,
    },
    /// Apply pending database migrations.
    Migrate,
    /// Print the OpenAPI document (the web app's types are generated from it).
    Openapi,
    /// Manage one user.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Manage users in bulk.
    Users {
        #[command(subcommand)]
        command: UsersCommand,
    },
    /// Manage OPDs (agencies).
    Opd {
        #[command(subcommand)]
        command: OpdCommand,
    },
    /// Generate a reproducible synthetic regency (learners with realistic NIPs, courses,
    /// enrolments and completions) for tests and benchmarks.
    DemoData {
        #[arg(long, default_value_t = 1000)]
        learners: usize,
        #[arg(long, default_value_t = 20)]
        courses: usize,
        #[arg(long, default_value_t = 5)]
        enrolments_per_learner: usize,
        #[arg(long, default_value_t = 2026)]
        seed: u64,
    },
    /// Check and import course folders.
    Course {
        #[command(subcommand)]
        command: CourseCommand,
    },
    /// HR reports as CSV or XLSX: completions, courses, opds, jp, expiring.
    Report {
        #[command(subcommand)]
        command: crate::report_cli::ReportCommand,
    },
    /// The e-mail outbox.
    Outbox {
        #[command(subcommand)]
        command: OutboxCommand,
    },
}

#[derive(Subcommand)]
enum OutboxCommand {
    /// Send every message that is due, once, then exit (the worker in `serve` does this every
    /// few seconds). Safe beside running servers and other drains: no message is sent twice.
    Drain {
        /// Also retry at once the messages waiting out a backoff (after an SMTP outage ends).
        #[arg(long)]
        retry_now: bool,
    },
}

#[derive(Subcommand)]
enum CourseCommand {
    /// Check course folders: every problem with file:line:column; exit 1 if any is an error.
    Check {
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
        /// `text` (default) or `json` (the parsed course and its problems, for a content repo's CI).
        #[arg(long, default_value = "text")]
        format: String,
    },
    /// Import course folders in one transaction (all or nothing). A changed course becomes a new
    /// version; learners keep their progress on unchanged lessons.
    Import {
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a user. The password is read from stdin with --password-stdin, otherwise generated
    /// and printed once.
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        nip: Option<String>,
        /// OPD name (must exist).
        #[arg(long)]
        opd: Option<String>,
        #[arg(long, default_value = "")]
        jabatan: String,
        /// PNS or PPPK.
        #[arg(long)]
        jenis: Option<String>,
        /// learner, instructor, mentor, hr, admin (repeatable).
        #[arg(long = "role", default_value = "learner")]
        roles: Vec<String>,
        /// Scope an hr role to the user's OPD.
        #[arg(long)]
        hr_scoped: bool,
        #[arg(long)]
        password_stdin: bool,
    },
}

#[derive(Subcommand)]
enum UsersCommand {
    /// Import users from a CSV file (columns NIP, nama, email, OPD, jabatan, jenis). Nothing is
    /// written if any row is bad, unless --skip-invalid.
    Import {
        file: PathBuf,
        #[arg(long)]
        skip_invalid: bool,
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Subcommand)]
enum OpdCommand {
    /// Add an OPD.
    Add {
        name: String,
        #[arg(long)]
        code: Option<String>,
    },
}

pub fn run() -> ExitCode {
    let cli = Cli::parse();
    let config = match Config::load(cli.config.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e:#}");
            return ExitCode::from(2);
        }
    };
    crate::serve::init_tracing(&config);
    let result = match cli.command {
        Command::Serve { bind, demo } => {
            let mut config = config;
            if let Some(b) = bind {
                config.bind = b;
            }
            crate::serve::serve(config, demo)
        }
        Command::Migrate => open_db(&config).map(|_| ()),
        Command::Openapi => serde_json::to_string_pretty(&lentera_api::openapi())
            .map(|s| println!("{s}"))
            .map_err(anyhow::Error::from),
        Command::User { command: UserCommand::Add { email, name, nip, opd, jabatan, jenis, roles, hr_scoped, password_stdin } } => {
            user_add(&config, email, name, nip, opd, jabatan, jenis, roles, hr_scoped, password_stdin)
        }
        Command::Users { command: UsersCommand::Import { file, skip_invalid, dry_run } } => {
            return users_import(&config, &file, skip_invalid, dry_run);
        }
        Command::DemoData { learners, courses, enrolments_per_learner, seed } => open_db(&config).and_then(|db| {
            let started = std::time::Instant::now();
            let opts = crate::demo_data::Options { learners, courses, enrolments_per_learner, seed };
            let (l, c, e) = crate::demo_data::generate(&db, &opts)?;
            println!("generated {l} learners, {c} courses, {e} enrolments in {:.1} s", started.elapsed().as_secs_f64());
            Ok(())
        }),
        Command::Course { command: CourseCommand::Check { dirs, format } } => return course_check(&dirs, &format),
        Command::Course { command: CourseCommand::Import { dirs } } => return course_import(&config, &dirs),
        Command::Outbox { command: OutboxCommand::Drain { retry_now } } => outbox_drain(&config, retry_now),
        Command::Report { command } => crate::report_cli::run(&config, command),
        Command::Opd { command: OpdCommand::Add { name, code } } => open_db(&config).and_then(|db| {
            let opd = db.write(|c| accounts::create_opd(c, &name, code.as_deref()))?;
            println!("{}\t{}", opd.id, opd.name);
            Ok(())
        }),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn outbox_drain(config: &Config, retry_now: bool) -> anyhow::Result<()> {
    let mailer = crate::outbox::Mailer::from_config(&config.smtp, &config.public_url)?
        .context("e-mail is off: set smtp.host (LENTERA_SMTP__HOST)")?;
    let db = open_db(config)?;
    let worker = crate::outbox::worker_id();
    let r = crate::outbox::drain(&db, &mailer, &config.notifications, &config.public_url, &worker, retry_now)?;
    println!("sent {}, retrying {}, failed {}, skipped {}", r.sent, r.retrying, r.failed, r.skipped);
    Ok(())
}

/// Opens the database and applies pending migrations.
pub fn open_db(config: &Config) -> anyhow::Result<Db> {
    let db = Db::connect(&config.database_url, config.database_pool_size).context("cannot open the database")?;
    let applied = db.migrate().context("cannot migrate the database")?;
    for m in applied {
        tracing::info!(migration = %m, "applied migration");
    }
    Ok(db)
}

#[allow(clippy::too_many_arguments)]
fn user_add(
    config: &Config,
    email: String,
    name: String,
    nip: Option<String>,
    opd: Option<String>,
    jabatan: String,
    jenis: Option<String>,
    roles: Vec<String>,
    hr_scoped: bool,
    password_stdin: bool,
) -> anyhow::Result<()> {
    let db = open_db(config)?;
    let email = Email::parse(&email)?;
    let nip = nip.map(|n| Nip::parse(&n)).transpose()?;
    let employment_type = jenis.map(|j| j.parse::<EmploymentType>()).transpose().map_err(anyhow::Error::msg)?;
    let opd = match opd {
        Some(name) => Some(db.read(|c| accounts::find_opd_by_name(c, &name))?.with_context(|| format!("no OPD named {name:?}"))?),
        None => None,
    };
    let roles = roles
        .iter()
        .map(|r| {
            let role: Role = r.parse().map_err(anyhow::Error::msg)?;
            let scoped = role == Role::Hr && hr_scoped;
            anyhow::ensure!(!scoped || opd.is_some(), "--hr-scoped needs --opd");
            Ok(RoleGrant { role, opd: if scoped { opd.as_ref().map(|o| o.id) } else { None } })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let (password, generated) = if password_stdin {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s)?;
        (s.trim_end_matches(['\n', '\r']).to_string(), false)
    } else {
        (lentera_api::auth::random_token()[..16].to_string(), true)
    };
    lentera_accounts::check_password_policy(&password)?;
    let hasher = lentera_api::PasswordHasherConfig::new(config.api.argon2).map_err(|e| anyhow::anyhow!("{e}"))?;
    let hash = hasher.hash(&password).map_err(|e| anyhow::anyhow!("{e}"))?;
    let new = NewUser {
        nip,
        name,
        email,
        opd_id: opd.map(|o| o.id),
        jabatan,
        employment_type,
        language: Language::Id,
        password_hash: Some(hash),
        roles,
    };
    let id = db.write(|c| accounts::create_user(c, &new))?;
    println!("created user {id}");
    if generated {
        println!("password (shown once): {password}");
    }
    Ok(())
}

fn users_import(config: &Config, file: &PathBuf, skip_invalid: bool, dry_run: bool) -> ExitCode {
    let run = || -> anyhow::Result<bool> {
        let data = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
        let db = open_db(config)?;
        let (rows, parse_problems) = parse_user_csv(&data);
        let scope = HrScope::All;
        let outcome = db.write(|c| {
            accounts::import_users(c, &rows, ImportOptions { skip_invalid, scope: &scope, parse_problems, dry_run })
        })?;
        match outcome {
            Ok(o) => {
                for p in &o.problems {
                    eprintln!("{}:{}: skipped: {} ({})", file.display(), p.row, p.message, p.code);
                }
                let verb = if dry_run { "would import" } else { "imported" };
                println!("{verb} {} user(s), skipped {}", o.created, o.skipped);
                Ok(true)
            }
            Err(problems) => {
                for p in &problems {
                    let col = p.column.as_deref().map(|c| format!(" [{c}]")).unwrap_or_default();
                    eprintln!("{}:{}:{col} {} ({})", file.display(), p.row, p.message, p.code);
                }
                eprintln!("{} problem(s); nothing was imported (use --skip-invalid to import the valid rows)", problems.len());
                Ok(false)
            }
        }
    };
    match run() {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn course_check(dirs: &[PathBuf], format: &str) -> ExitCode {
    let outputs: Vec<_> = dirs.iter().map(|d| lentera_api::course_import::check_dir(d).output).collect();
    let ok = outputs.iter().all(|o| o.ok);
    if format == "json" {
        let value = if outputs.len() == 1 { serde_json::to_value(&outputs[0]) } else { serde_json::to_value(&outputs) };
        match value.and_then(|v| serde_json::to_string_pretty(&v)) {
            Ok(s) => println!("{s}"),
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::FAILURE;
            }
        }
    } else {
        for o in &outputs {
            print_check(o);
        }
    }
    if ok { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}

fn print_check(o: &lentera_api::course_import::CheckOutput) {
    for p in &o.problems {
        eprintln!("{}/{p}", o.path.trim_end_matches('/'));
    }
    let errors = o.problems.iter().filter(|p| p.severity == "error").count();
    let lessons: usize = o.modules.iter().map(|m| m.lessons.len()).sum();
    let questions: usize = o.quizzes.iter().map(|q| q.questions.len()).sum();
    if o.ok {
        println!(
            "{}: ok — {} ({} modules, {lessons} lessons, {} quizzes with {questions} questions, {} JP), {} warning(s)",
            o.path,
            o.slug.as_deref().unwrap_or("?"),
            o.modules.len(),
            o.quizzes.len(),
            o.jp.unwrap_or(0.0),
            o.problems.len()
        );
    } else {
        println!("{}: {errors} error(s)", o.path);
    }
}

fn course_import(config: &Config, dirs: &[PathBuf]) -> ExitCode {
    let db = match open_db(config) {
        Ok(db) => db,
        Err(e) => {
            eprintln!("error: {e:#}");
            return ExitCode::FAILURE;
        }
    };
    use lentera_api::course_import::{ImportError, Importer, import_dirs};
    match import_dirs(&db, dirs, Importer::Operator, "cli") {
        Ok(results) => {
            for r in results {
                let what = if r.unchanged { "unchanged".to_string() } else if r.created { "created".to_string() } else { format!("new version {}", r.version) };
                println!("{}: {what}", r.slug);
                if !r.archived_lessons.is_empty() {
                    println!("  archived lessons: {}", r.archived_lessons.join(", "));
                }
            }
            ExitCode::SUCCESS
        }
        Err(ImportError::Invalid(outputs)) => {
            for o in &outputs {
                print_check(o);
            }
            eprintln!("nothing was imported");
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
