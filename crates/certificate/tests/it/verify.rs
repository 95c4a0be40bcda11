use chrono::NaiveDate;
use lentera_certificate::{VerificationPage, VerificationStatus};

use crate::support::sample;

#[test]
fn the_public_page_masks_the_nip() {
    let page = VerificationPage::new(&sample(), VerificationStatus::Valid);
    assert_eq!(page.nip_masked.as_deref(), Some("1986**********2001"));
    assert_eq!(page.certificate_number.to_string(), "LTR/2026/000123");
    let json = serde_json::to_value(&page).unwrap();
    assert!(!json.to_string().contains("198609262015052001"));
    assert_eq!(json["status"]["status"], "valid");
    assert_eq!(json["jp"], 14.5);
}

#[test]
fn a_revoked_certificate_says_so() {
    let status = VerificationStatus::Revoked {
        revoked_on: NaiveDate::from_ymd_opt(2026, 4, 1).unwrap(),
        reason: "diterbitkan ganda".into(),
    };
    let page = VerificationPage::new(&sample(), status);
    let json = serde_json::to_value(&page).unwrap();
    assert_eq!(json["status"]["status"], "revoked");
    assert_eq!(json["status"]["revoked_on"], "2026-04-01");
}
