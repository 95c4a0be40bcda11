//! Parsing the bulk user import file. Resolving OPD names and checking uniqueness against
//! existing accounts is the storage layer's job; this module checks each row on its own and
//! against the other rows of the same file.

use std::collections::HashMap;

use serde::Serialize;

use crate::{Email, EmploymentType, Nip};

/// One valid row of the import file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserCsvRow {
    /// Line of the row in the file, as a spreadsheet numbers it (the header is row 1).
    pub row: u64,
    pub nip: Nip,
    pub name: String,
    pub email: Email,
    pub opd: String,
    pub jabatan: String,
    pub employment_type: EmploymentType,
}

/// Something wrong with one row (or the header, row 1) of the import file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CsvProblem {
    pub row: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    pub code: String,
    pub message: String,
}

fn line_of(data: &[u8], byte: u64) -> u64 {
    let mut end = usize::try_from(byte).unwrap_or(usize::MAX).min(data.len());
    // On CRLF files the reader places a record at the '\n' that ends the previous line.
    while end < data.len() && (data[end] == b'\n' || data[end] == b'\r') {
        end += 1;
    }
    data[..end].iter().filter(|b| **b == b'\n').count() as u64 + 1
}

const COLUMNS: [&str; 6] = ["nip", "nama", "email", "opd", "jabatan", "jenis"];

/// Parses the CSV (UTF-8, optional BOM, comma or semicolon separated — Indonesian Excel saves
/// with semicolons). Returns every valid row and every problem; the caller decides whether a file
/// with problems is refused whole.
pub fn parse_user_csv(data: &[u8]) -> (Vec<UserCsvRow>, Vec<CsvProblem>) {
    let data = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
    let first_line = data.split(|b| *b == b'\n').next().unwrap_or_default();
    let delimiter = if first_line.iter().filter(|b| **b == b';').count()
        > first_line.iter().filter(|b| **b == b',').count()
    {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new().delimiter(delimiter).flexible(true).from_reader(data);
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    let problem = |row: u64, column: Option<&str>, code: &str, message: String| CsvProblem {
        row,
        column: column.map(str::to_string),
        code: code.to_string(),
        message,
    };

    let header = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            problems.push(problem(1, None, "csv_unreadable", e.to_string()));
            return (rows, problems);
        }
    };
    let mut index = HashMap::new();
    for (i, name) in header.iter().enumerate() {
        index.insert(name.trim().to_lowercase(), i);
    }
    let missing: Vec<&str> = COLUMNS.iter().copied().filter(|c| !index.contains_key(*c)).collect();
    if !missing.is_empty() {
        problems.push(problem(
            1,
            None,
            "csv_missing_columns",
            format!("header lacks column(s) {} (expected {})", missing.join(", "), COLUMNS.join(", ")),
        ));
        return (rows, problems);
    }

    let mut seen_nip: HashMap<String, u64> = HashMap::new();
    let mut seen_email: HashMap<String, u64> = HashMap::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let row = e.position().map_or(0, |p| line_of(data, p.byte()));
                problems.push(problem(row, None, "csv_unreadable", e.to_string()));
                continue;
            }
        };
        // The line a spreadsheet shows, counted from the record's byte offset (the reader's own
        // line count drifts on CRLF files).
        let row = record.position().map_or(0, |p| line_of(data, p.byte()));
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let field = |name: &str| index.get(name).and_then(|i| record.get(*i)).unwrap_or("").trim();
        let before = problems.len();

        let nip = Nip::parse(field("nip"))
            .map_err(|e| problems.push(problem(row, Some("nip"), e.code(), e.to_string())))
            .ok();
        let name = field("nama").to_string();
        if name.is_empty() {
            problems.push(problem(row, Some("nama"), "required", "nama is empty".into()));
        }
        let email = Email::parse(field("email"))
            .map_err(|e| problems.push(problem(row, Some("email"), "invalid_email", e.to_string())))
            .ok();
        let opd = field("opd").to_string();
        if opd.is_empty() {
            problems.push(problem(row, Some("opd"), "required", "OPD is empty".into()));
        }
        let jabatan = field("jabatan").to_string();
        let employment_type = field("jenis")
            .parse::<EmploymentType>()
            .map_err(|e| problems.push(problem(row, Some("jenis"), "invalid_employment_type", e)))
            .ok();

        if let Some(nip) = &nip
            && let Some(first) = seen_nip.insert(nip.as_str().to_string(), row) {
                problems.push(problem(
                    row,
                    Some("nip"),
                    "duplicate_in_file",
                    format!("NIP {nip} already appears in row {first}"),
                ));
            }
        if let Some(email) = &email
            && let Some(first) = seen_email.insert(email.as_str().to_string(), row) {
                problems.push(problem(
                    row,
                    Some("email"),
                    "duplicate_in_file",
                    format!("e-mail {email} already appears in row {first}"),
                ));
            }
        if problems.len() == before
            && let (Some(nip), Some(email), Some(employment_type)) = (nip, email, employment_type) {
                rows.push(UserCsvRow { row, nip, name, email, opd, jabatan, employment_type });
            }
    }
    (rows, problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_every_bad_row_with_its_number() {
        let csv = "NIP,nama,email,OPD,jabatan,jenis\n\
            198609262015051001,Budi Santoso,budi@example.go.id,Dinas Kesehatan,Analis,PNS\n\
            19860926,Siti,siti@example.go.id,Dinas Sosial,Staf,PNS\n\
            198701012010012002,,bukan-email,Dinas Sosial,Staf,honorer\n\
            198609262015051001,Budi Lagi,budi2@example.go.id,Inspektorat,Staf,PPPK\n";
        let (rows, problems) = parse_user_csv(csv.as_bytes());
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].row, 2);
        let summary: Vec<(u64, &str)> = problems.iter().map(|p| (p.row, p.code.as_str())).collect();
        assert_eq!(
            summary,
            vec![
                (3, "nip_length"),
                (4, "required"),
                (4, "invalid_email"),
                (4, "invalid_employment_type"),
                (5, "duplicate_in_file"),
            ]
        );
    }

    #[test]
    fn accepts_semicolons_and_a_bom() {
        let csv = "\u{feff}nip;nama;email;opd;jabatan;jenis\n\
            198609262015052001;Rina;rina@example.go.id;Bappeda;Perencana;PPPK\n";
        let (rows, problems) = parse_user_csv(csv.as_bytes());
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(rows[0].employment_type, EmploymentType::Pppk);
    }

    #[test]
    fn row_numbers_hold_for_excel_line_endings() {
        let csv = "nip,nama,email,opd,jabatan,jenis\r\n\
            198609262015051001,Budi,budi@x.go.id,Dinas,Staf,PNS\r\n\
            123,Siti,siti@x.go.id,Dinas,Staf,PNS\r\n";
        let (_, problems) = parse_user_csv(csv.as_bytes());
        assert_eq!(problems[0].row, 3, "{problems:?}");
    }

    #[test]
    fn missing_columns_are_a_header_problem() {
        let (rows, problems) = parse_user_csv(b"nip,nama\n1,2\n");
        assert!(rows.is_empty());
        assert_eq!(problems[0].row, 1);
        assert_eq!(problems[0].code, "csv_missing_columns");
    }
}
