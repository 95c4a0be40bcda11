use lentera_certificate::{CertificateError, FontSet, render_pdf, render_pdf_with_fonts};
use lentera_progress::Language;

use crate::support::*;

#[test]
fn the_pdf_is_a_pdf() {
    let pdf = render_pdf(&sample()).unwrap();
    assert!(pdf.starts_with(b"%PDF"), "{:?}", &pdf[..8]);
    assert!(pdf.len() < 300_000, "fonts are subset: {} bytes", pdf.len());
}

#[test]
fn page_one_is_landscape_and_its_qr_code_reads_back_as_the_verification_url() {
    if !have_tool("pdftoppm") {
        return;
    }
    let data = sample();
    let page = rasterise(&render_pdf(&data).unwrap());
    let (w, h) = page.dimensions();
    assert!(w > h, "landscape: {w}x{h}");
    let ratio = f64::from(w) / f64::from(h);
    assert!(
        (ratio - 297.0 / 210.0).abs() < 0.01,
        "A4 proportions: {ratio}"
    );
    assert_eq!(decode_qr(&page), vec![data.verification_url]);
}

#[test]
fn a_long_url_still_reads_back() {
    if !have_tool("pdftoppm") {
        return;
    }
    let mut data = sample();
    data.verification_url = format!(
        "https://lentera.provinsi-jambi.example/verifikasi/{}?lang=id&ref=qr",
        "X".repeat(60)
    );
    let page = rasterise(&render_pdf(&data).unwrap());
    assert_eq!(decode_qr(&page), vec![data.verification_url]);
}

#[test]
fn the_text_is_real_selectable_text() {
    if !have_tool("pdftotext") {
        return;
    }
    let text = text_of(&render_pdf(&sample()).unwrap());
    for expected in [
        "PEMERINTAH KABUPATEN BATANG HARI",
        "BKPSDM Kabupaten Batang Hari",
        "SERTIFIKAT",
        "Nomor: LTR/2026/000123",
        "Siti Rahmawati, S.Kom.",
        "NIP 198609262015052001",
        "Etika dan Integritas Aparatur Sipil Negara",
        "pada tanggal 2 Maret 2026 dengan bobot 14,5 JP (jam pelajaran)",
        "Drs. H. Ahmad Fauzi, M.Si.",
        "https://lentera.batangharikab.example/verifikasi/7K3QMX9ZP2",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
}

#[test]
fn english_certificates_are_in_english() {
    if !have_tool("pdftotext") {
        return;
    }
    let mut data = sample();
    data.language = Language::En;
    data.signatory = None;
    let text = text_of(&render_pdf(&data).unwrap());
    assert!(text.contains("CERTIFICATE"), "{text}");
    assert!(
        text.contains("on 2 March 2026, worth 14.5 JP (learning hours)"),
        "{text}"
    );
    assert!(text.contains("Issued by"), "{text}");
    assert!(!text.contains("SERTIFIKAT"));
}

#[test]
fn a_long_course_title_wraps_inside_the_page() {
    if !have_tool("pdftotext") {
        return;
    }
    let mut data = sample();
    data.course_title = "Pelatihan Kepemimpinan Administrator bagi Pejabat Administrator di Lingkungan Pemerintah Kabupaten Batang Hari Angkatan Kedua Tahun Anggaran Dua Ribu Dua Puluh Enam".into();
    let text = text_of(&render_pdf(&data).unwrap());
    let words: Vec<&str> = text.split_whitespace().collect();
    for w in data.course_title.split_whitespace() {
        assert!(words.contains(&w), "{w} lost");
    }
    let lines_with_title_words = text
        .lines()
        .filter(|l| l.contains("Administrator") || l.contains("Angkatan"))
        .count();
    assert!(lines_with_title_words >= 2, "wrapped:\n{text}");
}

fn red_png() -> Vec<u8> {
    let img = image::RgbaImage::from_pixel(120, 60, image::Rgba([220, 20, 20, 255]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// How many pixels in the logo area (the top centre, above the title) are close to `rgb`.
fn logo_pixels(page: &image::RgbImage, rgb: [u8; 3]) -> usize {
    let (w, _) = page.dimensions();
    let top = (30.0 / 72.0 * 100.0) as u32;
    let bottom = (150.0 / 72.0 * 100.0) as u32;
    (w / 2 - 80..w / 2 + 80)
        .flat_map(|x| (top..bottom).map(move |y| (x, y)))
        .filter(|(x, y)| {
            let p = page.get_pixel(*x, *y).0;
            p.iter().zip(rgb).all(|(a, b)| a.abs_diff(b) < 40)
        })
        .count()
}

#[test]
fn a_png_logo_is_drawn_at_the_top() {
    if !have_tool("pdftoppm") {
        return;
    }
    let without = rasterise(&render_pdf(&sample()).unwrap());
    assert_eq!(logo_pixels(&without, [220, 20, 20]), 0);
    let mut data = sample();
    data.logo = Some(red_png());
    let page = rasterise(&render_pdf(&data).unwrap());
    assert!(logo_pixels(&page, [220, 20, 20]) > 2_000);
    assert_eq!(decode_qr(&page), vec![data.verification_url]);
}

#[test]
fn an_svg_logo_is_drawn_as_vectors() {
    if !have_tool("pdftoppm") {
        return;
    }
    let mut data = sample();
    data.logo = Some(
        br##"<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100" viewBox="0 0 100 100">
            <circle cx="50" cy="50" r="48" fill="#1040c0"/>
            <text x="50" y="60" font-size="24" text-anchor="middle" fill="#ffffff">BH</text>
        </svg>"##
            .to_vec(),
    );
    let page = rasterise(&render_pdf(&data).unwrap());
    assert!(logo_pixels(&page, [16, 64, 192]) > 1_000);
}

#[test]
fn bad_input_is_refused_with_a_clear_error() {
    let mut data = sample();
    data.logo = Some(b"GIF89a not really".to_vec());
    assert!(matches!(render_pdf(&data), Err(CertificateError::Logo(_))));
    let mut data = sample();
    data.logo = Some(b"<svg xmlns='http://www.w3.org/2000/svg'><unclosed".to_vec());
    assert!(matches!(render_pdf(&data), Err(CertificateError::Logo(_))));
    let mut data = sample();
    data.learner_name = "  ".into();
    assert!(matches!(
        render_pdf(&data),
        Err(CertificateError::Empty {
            field: "learner_name"
        })
    ));
    let mut data = sample();
    data.verification_url = "lentera/verifikasi/123".into();
    assert!(matches!(
        render_pdf(&data),
        Err(CertificateError::BadVerificationUrl(_))
    ));
    let mut data = sample();
    data.verification_url = format!("https://x.example/{}", "A".repeat(5_000));
    assert!(matches!(render_pdf(&data), Err(CertificateError::Qr(_))));
}

#[test]
fn fonts_from_the_debian_package_work_too() {
    let dir = std::path::Path::new("/usr/share/fonts/truetype/dejavu");
    let read = |f: &str| std::fs::read(dir.join(f));
    let (Ok(regular), Ok(bold), Ok(serif)) = (
        read("DejaVuSans.ttf"),
        read("DejaVuSans-Bold.ttf"),
        read("DejaVuSerif-Bold.ttf"),
    ) else {
        eprintln!("SKIPPED: fonts-dejavu-core is not installed");
        return;
    };
    let fonts = FontSet::from_bytes(regular, bold, serif).unwrap();
    let pdf = render_pdf_with_fonts(&sample(), &fonts).unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    assert!(FontSet::from_bytes(b"not a font".to_vec(), vec![], vec![]).is_err());
}
