//! Reports as tables (Indonesian column names by default), and their CSV and XLSX writers.
//! Shared by the HTTP endpoints (streamed) and `lentera report` on the command line.

use std::collections::HashMap;
use std::io::Write;

use chrono::{NaiveDate, NaiveDateTime, TimeZone};
use chrono_tz::Tz;
use lentera_storage::reports::{self, CompletionRow, ReportFilter};
use lentera_storage::{Db, StorageError};
use serde::Serialize;

/// One cell of a report: typed, so XLSX gets real numbers and dates.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Cell {
    Text(String),
    Number(f64),
    /// A local date and time (already in the report's time zone).
    DateTime(NaiveDateTime),
    /// A calendar day (its time part is ignored).
    Date(NaiveDateTime),
    Empty,
}

impl Cell {
    fn text(s: impl Into<String>) -> Self {
        Cell::Text(s.into())
    }
    fn opt(s: Option<String>) -> Self {
        s.map_or(Cell::Empty, Cell::Text)
    }
    fn csv(&self) -> String {
        match self {
            Cell::Text(t) => t.clone(),
            Cell::Number(n) if n.fract() == 0.0 => format!("{n:.0}"),
            Cell::Number(n) => format!("{n}"),
            Cell::DateTime(d) => d.format("%Y-%m-%d %H:%M").to_string(),
            Cell::Date(d) => d.format("%Y-%m-%d").to_string(),
            Cell::Empty => String::new(),
        }
    }
}

/// Converts a stored UTC time into the report's zone.
pub fn local(t: NaiveDateTime, tz: Tz) -> NaiveDateTime {
    tz.from_utc_datetime(&t).naive_local()
}

/// The UTC instant a month begins in `tz`.
pub fn month_start(year: i32, month: u32, tz: Tz) -> Option<NaiveDateTime> {
    NaiveDate::from_ymd_opt(year, month, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .and_then(|d| tz.from_local_datetime(&d).earliest())
        .map(|d| d.naive_utc())
}

/// The UTC bounds of a calendar year in `tz`: `[start, end)`.
pub fn year_bounds(year: i32, tz: Tz) -> Option<(NaiveDateTime, NaiveDateTime)> {
    Some((month_start(year, 1, tz)?, month_start(year + 1, 1, tz)?))
}

/// What a report asks for, as the API's query and `lentera report`'s options give it.
pub struct FilterRequest {
    pub year: Option<i32>,
    pub opd_id: Option<String>,
    pub course_slug: Option<String>,
    pub employment_type: Option<String>,
    pub status: Option<String>,
    pub programme_id: Option<String>,
}

/// Checks a report request and turns it into a storage filter; a refusal is (code, message).
pub fn report_filter(r: FilterRequest, scope: reports::ReportScope, tz: Tz) -> Result<ReportFilter, (&'static str, String)> {
    let period = match r.year {
        Some(y) if (2000..=2100).contains(&y) => year_bounds(y, tz),
        Some(y) => return Err(("invalid_year", format!("year {y} is out of range"))),
        None => None,
    };
    if let Some(kind) = &r.employment_type
        && kind != "PNS"
        && kind != "PPPK"
    {
        return Err(("invalid_employment_type", "employment_type must be PNS or PPPK".into()));
    }
    Ok(ReportFilter {
        period,
        opd_id: r.opd_id,
        course_slug: r.course_slug,
        employment_type: r.employment_type,
        status: r.status,
        programme_id: r.programme_id,
        scope,
    })
}

pub fn status_label(status: &str, percent: i32, lang_en: bool) -> &'static str {
    match (status, percent > 0, lang_en) {
        ("completed", _, false) => "selesai",
        ("completed", _, true) => "completed",
        ("withdrawn", _, false) => "mengundurkan diri",
        ("withdrawn", _, true) => "withdrawn",
        (_, true, false) => "sedang berjalan",
        (_, true, true) => "in progress",
        (_, false, false) => "belum mulai",
        (_, false, true) => "not started",
    }
}

pub const COMPLETION_COLUMNS_ID: [&str; 14] = [
    "NIP", "Nama", "OPD", "Jabatan", "Jenis ASN", "Kode Kursus", "Judul Kursus", "Tanggal Daftar", "Status",
    "Kemajuan (%)", "Tanggal Selesai", "Nilai", "Nomor Sertifikat", "JP",
];
pub const COMPLETION_COLUMNS_EN: [&str; 14] = [
    "NIP", "Name", "OPD", "Position", "Employment type", "Course code", "Course title", "Enrolled on", "Status",
    "Progress (%)", "Completed on", "Score", "Certificate number", "JP",
];

pub fn completion_cells(r: &CompletionRow, tz: Tz, en: bool) -> Vec<Cell> {
    vec![
        Cell::opt(r.nip.clone()),
        Cell::text(&r.name),
        Cell::opt(r.opd.clone()),
        Cell::text(&r.jabatan),
        Cell::opt(r.employment_type.clone()),
        Cell::text(&r.course_slug),
        Cell::text(&r.course_title),
        Cell::DateTime(local(r.enrolled_at, tz)),
        Cell::text(status_label(&r.status, r.percent_complete, en)),
        Cell::Number(f64::from(r.percent_complete)),
        r.completed_at.map_or(Cell::Empty, |t| Cell::DateTime(local(t, tz))),
        r.score_percent.map_or(Cell::Empty, |s| Cell::Number((s * 10.0).round() / 10.0)),
        Cell::opt(r.certificate_number.clone()),
        if r.completed_at.is_some() { Cell::Number(r.course_jp_hundredths as f64 / 100.0) } else { Cell::Number(0.0) },
    ]
}

/// Streams every completion row through `sink` (memory stays flat): from one query row by row
/// on PostgreSQL, a page at a time on SQLite.
pub fn for_each_completion(
    db: &Db,
    filter: &ReportFilter,
    mut sink: impl FnMut(&CompletionRow) -> std::io::Result<()>,
) -> Result<u64, ReportError> {
    if db.backend() == lentera_storage::Backend::Postgres {
        let mut conn = db.conn()?;
        if let lentera_storage::AnyConnection::Postgresql(pg) = &mut *conn {
            return reports::stream_completions_pg(pg, filter, |row| sink(&row).map_err(ReportError::from));
        }
    }
    let mut cursor = reports::ExportCursor::Start;
    let mut count = 0;
    loop {
        let (page, next) = db.read(|c| reports::completion_export_page(c, filter, &cursor, 5_000))?;
        if page.is_empty() {
            break;
        }
        cursor = next;
        for row in &page {
            sink(row)?;
            count += 1;
        }
    }
    Ok(count)
}

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error("writing the report: {0}")]
    Io(#[from] std::io::Error),
    #[error("writing the workbook: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    #[error("writing CSV: {0}")]
    Csv(#[from] csv::Error),
}

/// A CSV writer (UTF-8 with a BOM so Excel reads Indonesian names right, RFC 4180 quoting).
pub struct CsvOut<W: Write> {
    inner: csv::Writer<W>,
}

impl<W: Write> CsvOut<W> {
    pub fn new(mut w: W, headers: &[&str]) -> Result<Self, ReportError> {
        w.write_all(b"\xEF\xBB\xBF")?;
        let mut inner = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(w);
        inner.write_record(headers)?;
        Ok(Self { inner })
    }
    pub fn row(&mut self, cells: &[Cell]) -> Result<(), ReportError> {
        self.inner.write_record(cells.iter().map(Cell::csv))?;
        Ok(())
    }
    pub fn finish(mut self) -> Result<W, ReportError> {
        self.inner.flush()?;
        self.inner.into_inner().map_err(|e| ReportError::Io(e.into_error()))
    }
}

/// An XLSX workbook written in constant memory: header row in bold, frozen panes, column
/// widths, real number and date cells.
pub struct XlsxOut {
    workbook: rust_xlsxwriter::Workbook,
    row: u32,
    widths: Vec<usize>,
    date: rust_xlsxwriter::Format,
    day: rust_xlsxwriter::Format,
}

impl XlsxOut {
    pub fn new(sheet: &str, headers: &[&str]) -> Result<Self, ReportError> {
        let mut workbook = rust_xlsxwriter::Workbook::new();
        let bold = rust_xlsxwriter::Format::new().set_bold().set_background_color("#DDEBF7");
        let ws = workbook.add_worksheet_with_constant_memory()?;
        ws.set_name(sheet)?;
        for (i, h) in headers.iter().enumerate() {
            ws.write_string_with_format(0, i as u16, *h, &bold)?;
        }
        ws.set_freeze_panes(1, 0)?;
        let widths = headers.iter().map(|h| h.chars().count().max(10)).collect();
        Ok(Self {
            workbook,
            row: 0,
            widths,
            date: rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd hh:mm"),
            day: rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd"),
        })
    }

    pub fn row(&mut self, cells: &[Cell]) -> Result<(), ReportError> {
        self.row += 1;
        let ws = self.workbook.worksheet_from_index(0)?;
        for (i, cell) in cells.iter().enumerate() {
            let col = i as u16;
            match cell {
                Cell::Text(t) => {
                    ws.write_string(self.row, col, t)?;
                    if let Some(w) = self.widths.get_mut(i) {
                        *w = (*w).max(t.chars().count().min(60));
                    }
                }
                Cell::Number(n) => {
                    ws.write_number(self.row, col, *n)?;
                }
                Cell::DateTime(d) => {
                    ws.write_datetime_with_format(self.row, col, d, &self.date)?;
                    if let Some(w) = self.widths.get_mut(i) {
                        *w = (*w).max(16);
                    }
                }
                Cell::Date(d) => {
                    ws.write_datetime_with_format(self.row, col, d, &self.day)?;
                    if let Some(w) = self.widths.get_mut(i) {
                        *w = (*w).max(11);
                    }
                }
                Cell::Empty => {}
            }
        }
        Ok(())
    }

    /// Writes the workbook to `path`.
    pub fn save(mut self, path: &std::path::Path) -> Result<(), ReportError> {
        let widths = std::mem::take(&mut self.widths);
        let ws = self.workbook.worksheet_from_index(0)?;
        for (i, w) in widths.iter().enumerate() {
            ws.set_column_width(i as u16, (*w + 2) as f64)?;
        }
        self.workbook.save(path)?;
        Ok(())
    }
}

/// Enrolments of one course or one OPD by state.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TallyRow {
    /// The course slug or the OPD id.
    pub key: String,
    pub label: String,
    pub enrolled: i64,
    pub not_started: i64,
    pub in_progress: i64,
    pub completed: i64,
    pub withdrawn: i64,
    pub completion_rate: f64,
    pub average_progress: f64,
    /// Mean of the learners' scores (best passed quiz score); absent when nobody has one.
    pub average_score: Option<f64>,
}

/// Tallies per course (or per OPD), sorted by label.
pub fn tallies(db: &Db, f: &ReportFilter, by_opd: bool) -> Result<Vec<TallyRow>, StorageError> {
    let (tally, labels) = db.read(|c| Ok((reports::tally(c, f, by_opd)?, if by_opd { reports::opd_names(c)? } else { reports::course_titles(c)? })))?;
    let mut rows: Vec<TallyRow> = tally
        .into_iter()
        .map(|(key, t)| TallyRow {
            label: labels.get(&key).cloned().unwrap_or_else(|| "(tanpa OPD)".into()),
            key,
            enrolled: t.enrolled,
            not_started: t.not_started,
            in_progress: t.in_progress,
            completed: t.completed,
            withdrawn: t.withdrawn,
            completion_rate: t.completion_rate(),
            average_progress: t.average_percent(),
            average_score: t.average_score(),
        })
        .collect();
    rows.sort_by(|a, b| a.label.cmp(&b.label));
    Ok(rows)
}

pub fn tally_columns(en: bool) -> &'static [&'static str] {
    const ID: [&str; 8] = ["Nama", "Terdaftar", "Belum Mulai", "Sedang Berjalan", "Selesai", "Tingkat Penyelesaian (%)", "Rata-rata Kemajuan (%)", "Rata-rata Nilai"];
    const EN: [&str; 8] = ["Name", "Enrolled", "Not started", "In progress", "Completed", "Completion rate (%)", "Average progress (%)", "Average score"];
    if en { &EN } else { &ID }
}

pub fn tally_file_name(by_opd: bool, en: bool) -> &'static str {
    match (by_opd, en) {
        (true, false) => "laporan-per-opd",
        (false, false) => "laporan-per-kursus",
        (true, true) => "report-by-opd",
        (false, true) => "report-by-course",
    }
}

pub fn tally_cells(r: &TallyRow) -> Vec<Cell> {
    vec![
        Cell::Text(r.label.clone()),
        Cell::Number(r.enrolled as f64),
        Cell::Number(r.not_started as f64),
        Cell::Number(r.in_progress as f64),
        Cell::Number(r.completed as f64),
        Cell::Number((r.completion_rate * 1000.0).round() / 10.0),
        Cell::Number((r.average_progress * 10.0).round() / 10.0),
        r.average_score.map_or(Cell::Empty, |s| Cell::Number((s * 10.0).round() / 10.0)),
    ]
}

/// JP compliance for a year: per learner, per OPD, and who is still short.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct JpCompliance {
    pub year: i32,
    pub target: f64,
    pub learners: usize,
    pub at_or_above: usize,
    pub share: f64,
    pub opds: Vec<OpdCompliance>,
    /// How many learners are below the target.
    pub below_total: usize,
    /// Learners below the target, most JP still needed first (the first `below_limit` of them
    /// in JSON; exports carry them all).
    pub below: Vec<LearnerJp>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OpdCompliance {
    pub opd_id: Option<String>,
    pub opd: String,
    pub learners: usize,
    pub at_or_above: usize,
    pub share: f64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LearnerJp {
    pub user_id: String,
    pub nip: Option<String>,
    pub name: String,
    pub opd: Option<String>,
    pub employment_type: Option<String>,
    pub earned: f64,
    pub needed: f64,
}

/// Computes JP compliance: JP of courses completed within the year plus approved external
/// training that ended within it.
pub fn jp_compliance(
    db: &Db,
    filter: &ReportFilter,
    year: i32,
    tz: Tz,
    target_hundredths: i64,
) -> Result<JpCompliance, ReportError> {
    let (start, end) = year_bounds(year, tz).ok_or_else(|| ReportError::Io(std::io::Error::other("bad year")))?;
    let (first, last) = NaiveDate::from_ymd_opt(year, 1, 1).zip(NaiveDate::from_ymd_opt(year, 12, 31)).ok_or_else(|| ReportError::Io(std::io::Error::other("bad year")))?;
    let (learners, courses, external) = db.read(|c| {
        Ok((reports::learners(c, filter)?, reports::course_jp_by_user(c, start, end)?, reports::external_jp_by_user(c, first, last)?))
    })?;
    let mut opds: HashMap<Option<String>, OpdCompliance> = HashMap::new();
    let mut below = Vec::new();
    let mut at_or_above = 0;
    for l in &learners {
        let earned = courses.get(&l.id).copied().unwrap_or(0) + external.get(&l.id).copied().unwrap_or(0);
        let ok = earned >= target_hundredths;
        let entry = opds.entry(l.opd_id.clone()).or_insert_with(|| OpdCompliance {
            opd_id: l.opd_id.clone(),
            opd: l.opd.clone().unwrap_or_else(|| "(tanpa OPD)".into()),
            learners: 0,
            at_or_above: 0,
            share: 0.0,
        });
        entry.learners += 1;
        if ok {
            entry.at_or_above += 1;
            at_or_above += 1;
        } else {
            below.push(LearnerJp {
                user_id: l.id.clone(),
                nip: l.nip.clone(),
                name: l.name.clone(),
                opd: l.opd.clone(),
                employment_type: l.employment_type.clone(),
                earned: earned as f64 / 100.0,
                needed: (target_hundredths - earned) as f64 / 100.0,
            });
        }
    }
    let mut opds: Vec<OpdCompliance> = opds
        .into_values()
        .map(|mut o| {
            o.share = if o.learners == 0 { 0.0 } else { o.at_or_above as f64 / o.learners as f64 };
            o
        })
        .collect();
    opds.sort_by(|a, b| a.opd.cmp(&b.opd));
    below.sort_by(|a, b| b.needed.total_cmp(&a.needed).then(a.name.cmp(&b.name)));
    Ok(JpCompliance {
        year,
        target: target_hundredths as f64 / 100.0,
        learners: learners.len(),
        at_or_above,
        share: if learners.is_empty() { 0.0 } else { at_or_above as f64 / learners.len() as f64 },
        opds,
        below_total: below.len(),
        below,
    })
}

pub const JP_COLUMNS_ID: [&str; 7] = ["NIP", "Nama", "OPD", "Jenis ASN", "JP Diperoleh", "Target JP", "Kekurangan JP"];
pub const JP_COLUMNS_EN: [&str; 7] = ["NIP", "Name", "OPD", "Employment type", "JP earned", "JP target", "JP still needed"];

pub fn jp_cells(l: &LearnerJp, target: f64) -> Vec<Cell> {
    vec![
        Cell::opt(l.nip.clone()),
        Cell::text(&l.name),
        Cell::opt(l.opd.clone()),
        Cell::opt(l.employment_type.clone()),
        Cell::Number(l.earned),
        Cell::Number(target),
        Cell::Number(l.needed),
    ]
}

pub fn expiring_columns(en: bool) -> &'static [&'static str] {
    const ID: [&str; 8] = ["NIP", "Nama", "OPD", "Sertifikasi", "Penerbit", "Nomor", "Tanggal Terbit", "Berlaku Sampai"];
    const EN: [&str; 8] = ["NIP", "Name", "OPD", "Certification", "Issuer", "Number", "Issued on", "Valid until"];
    if en { &EN } else { &ID }
}

/// A professional certification as a report row (dates as date cells).
pub fn expiring_cells(r: &lentera_storage::progress::CertificationRow) -> Vec<Cell> {
    let day = |d: NaiveDate| d.and_hms_opt(0, 0, 0).map_or(Cell::Empty, Cell::Date);
    vec![
        Cell::opt(r.nip.clone()),
        Cell::text(&r.user_name),
        Cell::opt(r.opd_name.clone()),
        Cell::text(&r.name),
        Cell::text(&r.issuer),
        Cell::text(&r.number),
        day(r.issued_on),
        r.expires_on.map_or(Cell::Empty, day),
    ]
}
