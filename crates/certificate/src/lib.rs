//! Completion certificates (sertifikat) as PDF: A4 landscape, the regency's and issuer's names,
//! an optional logo, the learner, the course, the date, the JP earned, the certificate number and
//! a QR code that leads to the public verification page. Also the data of that verification
//! page, with the NIP masked.
//!
//! **Architecture Invariant:** this crate knows nothing of the database, HTTP or the file system:
//! it takes plain data and returns bytes. Its fonts (DejaVu) are compiled in, so rendering does
//! not depend on what fonts the server has.

mod fonts;
mod render;
mod text;
mod verify;

use chrono::NaiveDate;
use lentera_progress::{CertificateNumber, Jp, Language};
use serde::{Deserialize, Serialize};

pub use fonts::{FontError, FontSet};
pub use render::{PAGE_HEIGHT_PT, PAGE_WIDTH_PT, qr_modules, render_pdf, render_pdf_with_fonts};
pub use verify::{VerificationPage, VerificationStatus};

/// Everything printed on one certificate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CertificateData {
    /// The government issuing it, e.g. "Pemerintah Kabupaten Batang Hari".
    pub regency_name: String,
    /// The agency issuing it, e.g. "BKPSDM Kabupaten Batang Hari".
    pub issuer_name: String,
    /// PNG, JPEG or SVG bytes, drawn centred above the names.
    #[serde(default)]
    pub logo: Option<Vec<u8>>,
    pub learner_name: String,
    /// Printed whole: the certificate belongs to its holder. (The public verification page masks
    /// it; see [`VerificationPage`].)
    #[serde(default)]
    pub nip: Option<String>,
    pub course_title: String,
    pub completed_on: NaiveDate,
    pub jp: Jp,
    pub certificate_number: CertificateNumber,
    /// Encoded in the QR code and printed below it.
    pub verification_url: String,
    #[serde(default)]
    pub signatory: Option<Signatory>,
    #[serde(default)]
    pub language: Language,
}

/// Who signs: the position (e.g. "Kepala BKPSDM Kabupaten Batang Hari"), the name and NIP.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signatory {
    pub position: String,
    pub name: String,
    #[serde(default)]
    pub nip: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum CertificateError {
    #[error("{field} must not be empty")]
    Empty { field: &'static str },
    #[error("verification URL {0:?} must be an absolute http(s) URL")]
    BadVerificationUrl(String),
    #[error("the logo is not a PNG, JPEG or SVG image the renderer can read: {0}")]
    Logo(String),
    #[error("the verification URL does not fit in a QR code: {0}")]
    Qr(String),
    #[error(transparent)]
    Font(#[from] FontError),
    #[error("the PDF could not be written: {0}")]
    Pdf(String),
}

impl CertificateData {
    /// Checks what the renderer relies on, so bad input fails with a clear error.
    pub fn check(&self) -> Result<(), CertificateError> {
        let fields = [
            ("regency_name", &self.regency_name),
            ("issuer_name", &self.issuer_name),
            ("learner_name", &self.learner_name),
            ("course_title", &self.course_title),
        ];
        if let Some((field, _)) = fields.iter().find(|(_, v)| v.trim().is_empty()) {
            return Err(CertificateError::Empty { field });
        }
        let url = self.verification_url.trim();
        let rest = url
            .strip_prefix("https://")
            .or_else(|| url.strip_prefix("http://"));
        if rest.is_none_or(|r| r.is_empty() || r.chars().any(char::is_whitespace)) {
            return Err(CertificateError::BadVerificationUrl(
                self.verification_url.clone(),
            ));
        }
        Ok(())
    }
}
