//! `lentera report …`: the hr reports on the command line, as CSV (to standard output or a file)
//! or XLSX (to a file), with every row and the operator's full view (no OPD scope). The rows
//! and columns are the ones the API exports.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, bail};
use chrono::Datelike;
use clap::{Args, Subcommand};
use lentera_api::reports::{self as rep, Cell, CsvOut, XlsxOut};
use lentera_storage::Db;
use lentera_storage::reports::{ReportFilter, ReportScope};

use crate::config::Config;

#[derive(Subcommand)]
pub enum ReportCommand {
    /// Completion per learner × course: enrolled, progress, completed on, score, certificate, JP.
    Completions(Filters),
    /// Per course: enrolled, not started, in progress, completed, completion rate, average score.
    Courses(Filters),
    /// Per OPD: the same counts as per course.
    Opds(Filters),
    /// JP compliance for a year: the ASN below the target with the JP they still need (or, with
    /// --per-opd, the share at or above the target per OPD). A summary goes to standard error.
    Jp {
        #[command(flatten)]
        filters: Filters,
        #[arg(long)]
        per_opd: bool,
    },
    /// Professional certifications expiring within N days.
    Expiring {
        #[arg(long, default_value_t = 90)]
        days: u32,
        #[command(flatten)]
        out: Output,
    },
}

#[derive(Args)]
pub struct Filters {
    /// Calendar year in Asia/Jakarta (JP: default this year; others: all years).
    #[arg(long)]
    year: Option<i32>,
    /// OPD name (or id).
    #[arg(long)]
    opd: Option<String>,
    /// Course slug.
    #[arg(long)]
    course: Option<String>,
    /// Employment type: PNS or PPPK.
    #[arg(long)]
    jenis: Option<String>,
    /// completed, active or withdrawn.
    #[arg(long)]
    status: Option<String>,
    /// Programme id: only its courses and the learners of its cohorts.
    #[arg(long)]
    programme: Option<String>,
    #[command(flatten)]
    out: Output,
}

#[derive(Args)]
pub struct Output {
    /// csv or xlsx.
    #[arg(long, default_value = "csv")]
    format: String,
    /// File to write; CSV goes to standard output without it, XLSX needs it.
    #[arg(long, short)]
    output: Option<PathBuf>,
    /// English column names (Indonesian by default).
    #[arg(long)]
    en: bool,
}

/// A table's rows, handed one at a time to a CSV or XLSX writer.
type Rows<'a> = Box<dyn FnOnce(&mut dyn FnMut(Vec<Cell>) -> Result<(), rep::ReportError>) -> Result<(), rep::ReportError> + 'a>;

fn write_table(out: &Output, headers: &[&str], rows: Rows<'_>) -> anyhow::Result<u64> {
    let mut count = 0u64;
    match (out.format.as_str(), &out.output) {
        ("csv", path) => {
            let out: Box<dyn Write> = match path {
                Some(path) => Box::new(std::fs::File::create(path).with_context(|| format!("cannot create {}", path.display()))?),
                None => Box::new(std::io::stdout().lock()),
            };
            let mut csv = CsvOut::new(std::io::BufWriter::new(out), headers)?;
            rows(&mut |cells| {
                count += 1;
                csv.row(&cells)
            })?;
            csv.finish()?.flush()?;
        }
        ("xlsx", Some(path)) => {
            let mut xlsx = XlsxOut::new("Laporan", headers)?;
            rows(&mut |cells| {
                count += 1;
                xlsx.row(&cells)
            })?;
            xlsx.save(path)?;
        }
        ("xlsx", None) => bail!("an XLSX report needs --output FILE.xlsx"),
        (other, _) => bail!("--format must be csv or xlsx, not {other:?}"),
    }
    Ok(count)
}

fn filter(db: &Db, f: &Filters) -> anyhow::Result<ReportFilter> {
    let opd_id = match &f.opd {
        None => None,
        Some(name) => match db.read(|c| lentera_storage::accounts::find_opd_by_name(c, name))? {
            Some(o) => Some(o.id.to_string()),
            None => Some(name.clone()),
        },
    };
    let request = rep::FilterRequest {
        year: f.year,
        opd_id,
        course_slug: f.course.clone(),
        employment_type: f.jenis.clone(),
        status: f.status.clone(),
        programme_id: f.programme.clone(),
    };
    rep::report_filter(request, ReportScope::All, lentera_progress::JAKARTA).map_err(|(_, message)| anyhow::anyhow!(message))
}

pub fn run(config: &Config, command: ReportCommand) -> anyhow::Result<()> {
    let db = crate::cli::open_db(config)?;
    let tz = lentera_progress::JAKARTA;
    let count = match command {
        ReportCommand::Completions(f) => {
            let filter = filter(&db, &f)?;
            let en = f.out.en;
            let headers: &[&str] = if en { &rep::COMPLETION_COLUMNS_EN } else { &rep::COMPLETION_COLUMNS_ID };
            write_table(
                &f.out,
                headers,
                Box::new(|emit| {
                    rep::for_each_completion(&db, &filter, |row| emit(rep::completion_cells(row, tz, en)).map_err(|e| std::io::Error::other(e.to_string())))?;
                    Ok(())
                }),
            )?
        }
        ReportCommand::Courses(f) => tallies(&db, &f, false)?,
        ReportCommand::Opds(f) => tallies(&db, &f, true)?,
        ReportCommand::Jp { filters, per_opd } => {
            let year = filters.year.unwrap_or_else(|| chrono::Utc::now().with_timezone(&tz).year());
            let mut filter = filter(&db, &filters)?;
            filter.period = rep::year_bounds(year, tz);
            let target = i64::from(lentera_progress::JpPolicy::default().yearly_target.hundredths());
            let report = rep::jp_compliance(&db, &filter, year, tz, target)?;
            eprintln!(
                "{year}: {} of {} ASN at or above {} JP ({:.1} %)",
                report.at_or_above,
                report.learners,
                report.target,
                report.share * 100.0
            );
            if per_opd {
                let headers: &[&str] = if filters.out.en { &["OPD", "ASN", "At or above target", "Share (%)"] } else { &["OPD", "Jumlah ASN", "Memenuhi Target", "Persentase (%)"] };
                write_table(
                    &filters.out,
                    headers,
                    Box::new(|emit| {
                        for o in &report.opds {
                            emit(vec![Cell::Text(o.opd.clone()), Cell::Number(o.learners as f64), Cell::Number(o.at_or_above as f64), Cell::Number((o.share * 1000.0).round() / 10.0)])?;
                        }
                        Ok(())
                    }),
                )?
            } else {
                let headers: &[&str] = if filters.out.en { &rep::JP_COLUMNS_EN } else { &rep::JP_COLUMNS_ID };
                write_table(
                    &filters.out,
                    headers,
                    Box::new(|emit| {
                        for l in &report.below {
                            emit(rep::jp_cells(l, report.target))?;
                        }
                        Ok(())
                    }),
                )?
            }
        }
        ReportCommand::Expiring { days, out } => {
            let today = chrono::Utc::now().with_timezone(&tz).date_naive();
            let until = today + chrono::Days::new(u64::from(days.min(3650)));
            let rows = db.read(|c| lentera_storage::progress::certifications_expiring(c, &lentera_accounts::HrScope::All, today, until))?;
            write_table(
                &out,
                rep::expiring_columns(out.en),
                Box::new(|emit| {
                    for r in &rows {
                        emit(rep::expiring_cells(r))?;
                    }
                    Ok(())
                }),
            )?
        }
    };
    eprintln!("{count} rows");
    Ok(())
}

fn tallies(db: &Db, f: &Filters, by_opd: bool) -> anyhow::Result<u64> {
    let filter = filter(db, f)?;
    let rows = rep::tallies(db, &filter, by_opd)?;
    write_table(
        &f.out,
        rep::tally_columns(f.out.en),
        Box::new(|emit| {
            for r in &rows {
                emit(rep::tally_cells(r))?;
            }
            Ok(())
        }),
    )
}
