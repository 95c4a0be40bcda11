use chrono::NaiveDate;
use lentera_progress::{CertificateNumber, Jp, mask_nip};
use serde::{Deserialize, Serialize};

use crate::CertificateData;

/// What the public verification page (the QR code's target) shows: enough to confirm the paper
/// in hand is genuine, with the NIP masked because the page is public.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VerificationPage {
    pub status: VerificationStatus,
    pub certificate_number: CertificateNumber,
    pub learner_name: String,
    /// At most the first and last four digits (see [`lentera_progress::mask_nip`]).
    pub nip_masked: Option<String>,
    pub course_title: String,
    pub completed_on: NaiveDate,
    pub jp: Jp,
    pub issuer_name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum VerificationStatus {
    Valid,
    Revoked {
        revoked_on: NaiveDate,
        reason: String,
    },
}

impl VerificationPage {
    pub fn new(data: &CertificateData, status: VerificationStatus) -> Self {
        Self {
            status,
            certificate_number: data.certificate_number.clone(),
            learner_name: data.learner_name.clone(),
            nip_masked: data.nip.as_deref().map(mask_nip),
            course_title: data.course_title.clone(),
            completed_on: data.completed_on,
            jp: data.jp,
            issuer_name: data.issuer_name.clone(),
        }
    }
}
