use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::NaiveDate;
use lentera_certificate::{CertificateData, Signatory};
use lentera_progress::{CertificateNumber, Jp, Language};

pub fn sample() -> CertificateData {
    CertificateData {
        regency_name: "Pemerintah Kabupaten Batang Hari".into(),
        issuer_name: "BKPSDM Kabupaten Batang Hari".into(),
        logo: None,
        learner_name: "Siti Rahmawati, S.Kom.".into(),
        nip: Some("198609262015052001".into()),
        course_title: "Etika dan Integritas Aparatur Sipil Negara".into(),
        completed_on: NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(),
        jp: Jp::halves(29),
        certificate_number: CertificateNumber::new("LTR", 2026, 123).unwrap(),
        verification_url: "https://lentera.batangharikab.example/verifikasi/7K3QMX9ZP2".into(),
        signatory: Some(Signatory {
            position: "Kepala BKPSDM Kabupaten Batang Hari".into(),
            name: "Drs. H. Ahmad Fauzi, M.Si.".into(),
            nip: Some("197001011990031005".into()),
        }),
        language: Language::Id,
    }
}

/// Whether a poppler tool is installed. Under CI (`CI=true`) a missing tool fails the test; on a
/// developer machine the test is skipped with a message.
pub fn have_tool(name: &str) -> bool {
    if Command::new(name).arg("-v").output().is_ok() {
        return true;
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("{name} is missing: install the Debian package poppler-utils");
    }
    // Written to stderr directly, not with eprintln!, so libtest does not swallow it.
    let _ = writeln!(
        std::io::stderr(),
        "SKIPPED: {name} not found (apt-get install poppler-utils to run this test)"
    );
    false
}

pub fn write_pdf(dir: &Path, pdf: &[u8]) -> PathBuf {
    let path = dir.join("sertifikat.pdf");
    std::fs::write(&path, pdf).unwrap();
    path
}

/// Page 1 at 100 dpi as an RGB image.
pub fn rasterise(pdf: &[u8]) -> image::RgbImage {
    let dir = tempfile::tempdir().unwrap();
    let input = write_pdf(dir.path(), pdf);
    let prefix = dir.path().join("page");
    let status = Command::new("pdftoppm")
        .args(["-png", "-r", "100", "-f", "1", "-l", "1", "-singlefile"])
        .arg(&input)
        .arg(&prefix)
        .status()
        .unwrap();
    assert!(status.success(), "pdftoppm failed");
    image::open(prefix.with_extension("png"))
        .unwrap()
        .into_rgb8()
}

pub fn text_of(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let input = write_pdf(dir.path(), pdf);
    let out = Command::new("pdftotext")
        .arg(&input)
        .arg("-")
        .output()
        .unwrap();
    assert!(out.status.success(), "pdftotext failed");
    String::from_utf8(out.stdout).unwrap()
}

pub fn decode_qr(page: &image::RgbImage) -> Vec<String> {
    let luma = image::DynamicImage::ImageRgb8(page.clone()).into_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(luma);
    prepared
        .detect_grids()
        .iter()
        .filter_map(|g| g.decode().ok())
        .map(|(_, content)| content)
        .collect()
}
