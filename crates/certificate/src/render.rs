use chrono::{Datelike, NaiveDate};
use krilla::Document;
use krilla::action::LinkAction;
use krilla::annotation::{Annotation, LinkAnnotation, Target};
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect, Size};
use krilla::image::Image;
use krilla::metadata::Metadata;
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::text::TextDirection;
use krilla_svg::{SurfaceExt, SvgSettings};
use lentera_progress::Language;
use qrcode::{EcLevel, QrCode};

use crate::fonts::{FaceData, FontSet};
use crate::text;
use crate::{CertificateData, CertificateError};

/// A4 landscape, in PostScript points.
pub const PAGE_WIDTH_PT: f32 = 841.89;
pub const PAGE_HEIGHT_PT: f32 = 595.28;

const CENTER_X: f32 = PAGE_WIDTH_PT / 2.0;
/// The central text column; the QR code (left) and the signature (right) sit below it.
const COLUMN_WIDTH: f32 = 520.0;
/// The usual QR size; a long URL gets a bigger code (up to `QR_MAX_SIZE`).
const QR_SIZE: f32 = 118.0;
const QR_MAX_SIZE: f32 = 170.0;
const QR_X: f32 = 62.0;
/// Bottom edge of the QR code and of the signature block.
const QR_BOTTOM: f32 = 536.0;
const LOGO_HEIGHT: f32 = 58.0;
const QR_QUIET_MODULES: usize = 4;

const NAVY: (u8, u8, u8) = (22, 46, 92);
const GOLD: (u8, u8, u8) = (176, 141, 62);
const INK: (u8, u8, u8) = (25, 25, 25);
const GREY: (u8, u8, u8) = (95, 95, 95);

/// Renders the certificate with the embedded fonts.
pub fn render_pdf(data: &CertificateData) -> Result<Vec<u8>, CertificateError> {
    render_pdf_with_fonts(data, &FontSet::embedded()?)
}

/// Renders the certificate as a one-page PDF.
pub fn render_pdf_with_fonts(
    data: &CertificateData,
    fonts: &FontSet,
) -> Result<Vec<u8>, CertificateError> {
    data.check()?;
    let qr = qr_modules(&data.verification_url)?;
    let logo = data.logo.as_deref().map(Logo::load).transpose()?;
    let words = Words::of(data.language);

    let mut document = Document::new();
    document.set_metadata(
        Metadata::new()
            .title(format!("{} — {}", words.title_case, data.learner_name))
            .description(data.course_title.clone())
            .language(match data.language {
                Language::Id => "id".to_owned(),
                Language::En => "en".to_owned(),
            })
            .creator("Lentera".to_owned()),
    );
    let settings = PageSettings::from_wh(PAGE_WIDTH_PT, PAGE_HEIGHT_PT)
        .ok_or_else(|| CertificateError::Pdf("invalid page size".to_owned()))?;
    let mut page = document.start_page_with(settings);
    let url_box = {
        let mut surface = page.surface();
        let url_box = draw_page(&mut surface, data, fonts, &words, logo.as_ref(), &qr)?;
        surface.finish();
        url_box
    };
    let link = |rect: Rect| {
        Annotation::new_link(
            LinkAnnotation::new(
                rect,
                Target::Action(LinkAction::new(data.verification_url.clone()).into()),
            ),
            Some(words.scan.to_owned()),
        )
    };
    let (qr_x, qr_y, qr_size) = qr_rect(qr.0);
    if let Some(rect) = Rect::from_xywh(qr_x, qr_y, qr_size, qr_size) {
        page.add_annotation(link(rect));
    }
    if let Some(url_rect) = url_box {
        page.add_annotation(link(url_rect));
    }
    page.finish();
    document
        .finish()
        .map_err(|e| CertificateError::Pdf(format!("{e:?}")))
}

/// The QR code of `url` as a square matrix: `(width, dark modules row by row)`.
pub fn qr_modules(url: &str) -> Result<(usize, Vec<bool>), CertificateError> {
    let code = QrCode::with_error_correction_level(url.as_bytes(), EcLevel::M)
        .map_err(|e| CertificateError::Qr(e.to_string()))?;
    let dark = code
        .to_colors()
        .into_iter()
        .map(|c| c == qrcode::Color::Dark)
        .collect();
    Ok((code.width(), dark))
}

struct Words {
    title: &'static str,
    title_case: &'static str,
    number: &'static str,
    awarded_to: &'static str,
    completed: &'static str,
    scan: &'static str,
    verify_at: &'static str,
    issued_by: &'static str,
    language: Language,
}

impl Words {
    fn of(language: Language) -> Self {
        match language {
            Language::Id => Self {
                title: "SERTIFIKAT",
                title_case: "Sertifikat",
                number: "Nomor",
                awarded_to: "diberikan kepada",
                completed: "atas keberhasilannya menyelesaikan pelatihan",
                scan: "Pindai untuk verifikasi",
                verify_at: "Periksa keaslian sertifikat ini di",
                issued_by: "Diterbitkan oleh",
                language,
            },
            Language::En => Self {
                title: "CERTIFICATE",
                title_case: "Certificate",
                number: "Number",
                awarded_to: "is awarded to",
                completed: "for successfully completing the course",
                scan: "Scan to verify",
                verify_at: "Check that this certificate is genuine at",
                issued_by: "Issued by",
                language,
            },
        }
    }

    fn date_and_jp(&self, date: NaiveDate, jp: lentera_progress::Jp) -> String {
        let jp = jp.format(self.language);
        match self.language {
            Language::Id => format!(
                "pada tanggal {} dengan bobot {jp} JP (jam pelajaran)",
                long_date(date, self.language)
            ),
            Language::En => format!(
                "on {}, worth {jp} JP (learning hours)",
                long_date(date, self.language)
            ),
        }
    }
}

/// "2 Maret 2026" / "2 March 2026".
pub(crate) fn long_date(date: NaiveDate, language: Language) -> String {
    const ID: [&str; 12] = [
        "Januari",
        "Februari",
        "Maret",
        "April",
        "Mei",
        "Juni",
        "Juli",
        "Agustus",
        "September",
        "Oktober",
        "November",
        "Desember",
    ];
    const EN: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let months = match language {
        Language::Id => &ID,
        Language::En => &EN,
    };
    let month = months
        .get(date.month0() as usize)
        .copied()
        .unwrap_or_default();
    format!("{} {month} {}", date.day(), date.year())
}

enum Logo {
    Raster(Image),
    Svg(Box<usvg::Tree>),
}

impl Logo {
    fn load(bytes: &[u8]) -> Result<Logo, CertificateError> {
        let logo_err = CertificateError::Logo;
        if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            return Image::from_png(bytes.to_vec().into(), true)
                .map(Logo::Raster)
                .map_err(logo_err);
        }
        if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            return Image::from_jpeg(bytes.to_vec().into(), true)
                .map(Logo::Raster)
                .map_err(logo_err);
        }
        let head = String::from_utf8_lossy(&bytes[..bytes.len().min(512)]).to_ascii_lowercase();
        if head.contains("<svg") || head.trim_start().starts_with("<?xml") {
            let mut options = usvg::Options::default();
            // A logo must not reach for files on the server: only embedded (data:) images.
            options.image_href_resolver.resolve_string = Box::new(|_, _| None);
            // Text in a logo is set in the embedded fonts, not whatever the system has.
            let db = std::sync::Arc::make_mut(&mut options.fontdb);
            db.load_font_data(dejavu::sans::regular().to_vec());
            db.load_font_data(dejavu::sans::bold().to_vec());
            db.load_font_data(dejavu::serif::regular().to_vec());
            options.font_family = "DejaVu Sans".to_owned();
            return usvg::Tree::from_data(bytes, &options)
                .map(|t| Logo::Svg(Box::new(t)))
                .map_err(|e| CertificateError::Logo(e.to_string()));
        }
        Err(CertificateError::Logo(
            "unknown format (expected PNG, JPEG or SVG)".to_owned(),
        ))
    }

    /// Width and height in the image's own units (pixels, or SVG user units).
    fn size(&self) -> (f32, f32) {
        match self {
            #[allow(clippy::cast_precision_loss)]
            Logo::Raster(image) => {
                let (w, h) = image.size();
                (w as f32, h as f32)
            }
            Logo::Svg(tree) => (tree.size().width(), tree.size().height()),
        }
    }
}

fn color((r, g, b): (u8, u8, u8)) -> rgb::Color {
    rgb::Color::new(r, g, b)
}

fn set_fill(surface: &mut Surface, c: (u8, u8, u8)) {
    surface.set_fill(Some(Fill {
        paint: color(c).into(),
        opacity: NormalizedF32::ONE,
        rule: Default::default(),
    }));
}

fn centered(surface: &mut Surface, face: &FaceData, size: f32, text: &str, baseline: f32) {
    let x = CENTER_X - text::width(face, size, text) / 2.0;
    left(surface, face, size, text, x, baseline);
}

fn left(surface: &mut Surface, face: &FaceData, size: f32, text: &str, x: f32, baseline: f32) {
    surface.draw_text(
        Point::from_xy(x, baseline),
        face.font.clone(),
        size,
        text,
        false,
        TextDirection::Auto,
    );
}

fn stroke_rect(surface: &mut Surface, rect: Option<Rect>, c: (u8, u8, u8), width: f32) {
    let Some(rect) = rect else { return };
    let mut pb = PathBuilder::new();
    pb.push_rect(rect);
    if let Some(path) = pb.finish() {
        surface.set_fill(None);
        surface.set_stroke(Some(Stroke {
            paint: color(c).into(),
            width,
            ..Stroke::default()
        }));
        surface.draw_path(&path);
        surface.set_stroke(None);
    }
}

/// One line of the central block, `gap` points below the previous baseline.
struct Line<'a> {
    face: &'a FaceData,
    size: f32,
    text: String,
    color: (u8, u8, u8),
    gap: f32,
}

/// The central block, from the regency's name down to the date line.
fn central_lines<'a>(data: &CertificateData, fonts: &'a FontSet, words: &Words) -> Vec<Line<'a>> {
    let wide = COLUMN_WIDTH + 120.0;
    let mut lines = Vec::new();
    let mut push = |face: &'a FaceData, size: f32, text: String, color, gap| {
        lines.push(Line {
            face,
            size,
            text,
            color,
            gap,
        });
    };
    let regency = data.regency_name.to_uppercase();
    push(
        &fonts.bold,
        text::fit(&fonts.bold, 15.0, 10.0, &regency, wide),
        regency,
        NAVY,
        0.0,
    );
    let issuer = data.issuer_name.clone();
    push(
        &fonts.regular,
        text::fit(&fonts.regular, 12.0, 9.0, &issuer, wide),
        issuer,
        INK,
        18.0,
    );
    push(&fonts.display, 38.0, words.title.to_owned(), NAVY, 44.0);
    push(
        &fonts.regular,
        10.5,
        format!("{}: {}", words.number, data.certificate_number),
        GREY,
        20.0,
    );
    push(&fonts.regular, 12.0, words.awarded_to.to_owned(), INK, 28.0);
    let name = data.learner_name.clone();
    push(
        &fonts.display,
        text::fit(&fonts.display, 26.0, 14.0, &name, COLUMN_WIDTH + 80.0),
        name,
        NAVY,
        31.0,
    );
    if let Some(nip) = data.nip.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
        push(&fonts.regular, 12.0, format!("NIP {nip}"), INK, 20.0);
    }
    push(&fonts.regular, 12.0, words.completed.to_owned(), INK, 27.0);
    // The course title: wrapped, at most three lines, smaller if it would need more.
    let mut title_size = 17.0;
    let mut title = text::wrap(&fonts.bold, title_size, &data.course_title, COLUMN_WIDTH);
    while title.len() > 3 && title_size > 11.0 {
        title_size -= 1.0;
        title = text::wrap(&fonts.bold, title_size, &data.course_title, COLUMN_WIDTH);
    }
    for line in title {
        push(&fonts.bold, title_size, line, NAVY, title_size + 6.0);
    }
    let date_line = words.date_and_jp(data.completed_on, data.jp);
    let size = text::fit(&fonts.regular, 12.0, 9.0, &date_line, COLUMN_WIDTH + 80.0);
    push(&fonts.regular, size, date_line, INK, 24.0);
    lines
}

/// Where the QR code goes: bottom left, with modules of at least `MIN_MODULE_PT` so that a phone
/// (or a 100 dpi scan) still reads a long URL; it grows upwards.
fn qr_rect(width: usize) -> (f32, f32, f32) {
    const MIN_MODULE_PT: f32 = 2.6;
    #[allow(clippy::cast_precision_loss)]
    let total = (width + 2 * QR_QUIET_MODULES) as f32;
    let size = (total * MIN_MODULE_PT).clamp(QR_SIZE, QR_MAX_SIZE);
    (QR_X, QR_BOTTOM - size, size)
}

/// Draws everything; returns the box of the printed verification URL (for a link).
fn draw_page(
    surface: &mut Surface,
    data: &CertificateData,
    fonts: &FontSet,
    words: &Words,
    logo: Option<&Logo>,
    qr: &(usize, Vec<bool>),
) -> Result<Option<Rect>, CertificateError> {
    // Frame: a navy outer line and a thin gold inner line.
    stroke_rect(
        surface,
        Rect::from_xywh(20.0, 20.0, PAGE_WIDTH_PT - 40.0, PAGE_HEIGHT_PT - 40.0),
        NAVY,
        3.0,
    );
    stroke_rect(
        surface,
        Rect::from_xywh(29.0, 29.0, PAGE_WIDTH_PT - 58.0, PAGE_HEIGHT_PT - 58.0),
        GOLD,
        0.8,
    );

    let (logo_size, logo_gap) = match logo {
        Some(logo) => {
            let (w, h) = logo.size();
            let mut height = LOGO_HEIGHT;
            let width = if h > 0.0 {
                (w / h * height).min(160.0)
            } else {
                height
            };
            if w > 0.0 {
                height = width * h / w;
            }
            let size = Size::from_wh(width, height)
                .ok_or_else(|| CertificateError::Logo("empty logo".to_owned()))?;
            (Some(size), height + 24.0)
        }
        None => (None, 0.0),
    };
    let lines = central_lines(data, fonts, words);
    // Centre the logo and the block vertically in the space above the QR code and signature,
    // measuring from the top of the first line (its cap height) to the last baseline.
    let first_ascent = lines.first().map_or(0.0, |l| l.size * 0.75);
    let gaps: f32 = lines.iter().map(|l| l.gap).sum();
    let (_, qr_top, _) = qr_rect(qr.0);
    let (top, bottom) = (44.0, qr_top.min(QR_BOTTOM - QR_SIZE) - 14.0);
    // A tall block (logo, long title, big QR code) is set a little tighter rather than overlap.
    let room = bottom - top - logo_gap - first_ascent;
    let squeeze = if gaps > room && gaps > 0.0 {
        (room / gaps).max(0.8)
    } else {
        1.0
    };
    let block = logo_gap + first_ascent + gaps * squeeze;
    let mut y = top + ((bottom - top - block) / 2.0).max(0.0);

    if let (Some(logo), Some(size)) = (logo, logo_size) {
        surface.push_transform(&krilla::geom::Transform::from_translate(
            CENTER_X - size.width() / 2.0,
            y,
        ));
        match logo {
            Logo::Raster(image) => surface.draw_image(image.clone(), size),
            Logo::Svg(tree) => {
                surface
                    .draw_svg(tree, size, SvgSettings::default())
                    .ok_or_else(|| {
                        CertificateError::Logo("the SVG could not be drawn".to_owned())
                    })?;
            }
        }
        surface.pop();
    }
    y += logo_gap + first_ascent;
    for line in &lines {
        y += line.gap * squeeze;
        set_fill(surface, line.color);
        centered(surface, line.face, line.size, &line.text, y);
    }

    draw_qr(surface, qr);
    set_fill(surface, GREY);
    let caption_y = QR_BOTTOM + 12.0;
    let caption_w = text::width(&fonts.regular, 8.0, words.scan);
    let (qr_x, _, qr_size) = qr_rect(qr.0);
    left(
        surface,
        &fonts.regular,
        8.0,
        words.scan,
        qr_x + (qr_size - caption_w) / 2.0,
        caption_y,
    );

    draw_signatory(surface, data, fonts, words);

    // The verification URL, small, centred at the bottom.
    let verify = format!("{} {}", words.verify_at, data.verification_url);
    let size = text::fit(&fonts.regular, 8.0, 6.0, &verify, 380.0);
    let w = text::width(&fonts.regular, size, &verify);
    set_fill(surface, GREY);
    centered(surface, &fonts.regular, size, &verify, caption_y);
    Ok(Rect::from_xywh(
        CENTER_X - w / 2.0,
        caption_y - size,
        w,
        size * 1.3,
    ))
}

fn draw_signatory(surface: &mut Surface, data: &CertificateData, fonts: &FontSet, words: &Words) {
    let cx = PAGE_WIDTH_PT - 62.0 - 105.0;
    let center = |surface: &mut Surface, face: &FaceData, size: f32, text: &str, baseline: f32| {
        let w = text::width(face, size, text);
        left(surface, face, size, text, cx - w / 2.0, baseline);
    };
    set_fill(surface, INK);
    match &data.signatory {
        Some(s) => {
            let mut y = QR_BOTTOM - QR_SIZE + 4.0;
            for line in text::wrap(&fonts.regular, 9.5, &s.position, 210.0)
                .iter()
                .take(3)
            {
                center(surface, &fonts.regular, 9.5, line, y);
                y += 12.0;
            }
            let name_y = QR_BOTTOM - 14.0;
            let size = text::fit(&fonts.bold, 10.5, 8.0, &s.name, 210.0);
            center(surface, &fonts.bold, size, &s.name, name_y);
            // Underline the name, as on signed letters.
            let w = text::width(&fonts.bold, size, &s.name);
            let mut pb = PathBuilder::new();
            pb.move_to(cx - w / 2.0, name_y + 2.5);
            pb.line_to(cx + w / 2.0, name_y + 2.5);
            if let Some(path) = pb.finish() {
                surface.set_stroke(Some(Stroke {
                    paint: color(INK).into(),
                    width: 0.6,
                    ..Stroke::default()
                }));
                surface.draw_path(&path);
                surface.set_stroke(None);
            }
            if let Some(nip) = s.nip.as_deref().filter(|n| !n.trim().is_empty()) {
                center(
                    surface,
                    &fonts.regular,
                    9.5,
                    &format!("NIP {}", nip.trim()),
                    name_y + 14.0,
                );
            }
        }
        None => {
            center(
                surface,
                &fonts.regular,
                9.5,
                words.issued_by,
                QR_BOTTOM - 58.0,
            );
            for (i, line) in text::wrap(&fonts.bold, 10.0, &data.issuer_name, 210.0)
                .iter()
                .take(3)
                .enumerate()
            {
                #[allow(clippy::cast_precision_loss)]
                let dy = i as f32 * 13.0;
                center(surface, &fonts.bold, 10.0, line, QR_BOTTOM - 43.0 + dy);
            }
        }
    }
}

/// The QR code as vector squares (one rectangle per horizontal run of dark modules) on a white
/// quiet zone, so it stays sharp at any zoom and any print resolution.
fn draw_qr(surface: &mut Surface, (width, modules): &(usize, Vec<bool>)) {
    let (qr_x, qr_y, qr_size) = qr_rect(*width);
    let total = width + 2 * QR_QUIET_MODULES;
    #[allow(clippy::cast_precision_loss)]
    let module = qr_size / total as f32;
    set_fill(surface, (255, 255, 255));
    let mut background = PathBuilder::new();
    if let Some(r) = Rect::from_xywh(qr_x, qr_y, qr_size, qr_size) {
        background.push_rect(r);
    }
    if let Some(path) = background.finish() {
        surface.draw_path(&path);
    }
    let mut pb = PathBuilder::new();
    for row in 0..*width {
        let mut col = 0;
        while col < *width {
            if !modules[row * width + col] {
                col += 1;
                continue;
            }
            let start = col;
            while col < *width && modules[row * width + col] {
                col += 1;
            }
            #[allow(clippy::cast_precision_loss)]
            let rect = Rect::from_xywh(
                qr_x + (QR_QUIET_MODULES + start) as f32 * module,
                qr_y + (QR_QUIET_MODULES + row) as f32 * module,
                (col - start) as f32 * module,
                module,
            );
            if let Some(rect) = rect {
                pb.push_rect(rect);
            }
        }
    }
    if let Some(path) = pb.finish() {
        set_fill(surface, (0, 0, 0));
        surface.draw_path(&path);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_written_out_in_both_languages() {
        let d = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
        assert_eq!(long_date(d, Language::Id), "2 Maret 2026");
        assert_eq!(long_date(d, Language::En), "2 March 2026");
        let d = NaiveDate::from_ymd_opt(2026, 8, 17).unwrap();
        assert_eq!(long_date(d, Language::Id), "17 Agustus 2026");
    }

    #[test]
    fn qr_matrix_is_square() {
        let (w, m) = qr_modules("https://lentera.example/v/ABCDE12345").unwrap();
        assert_eq!(m.len(), w * w);
        assert!(m.iter().any(|d| *d) && m.iter().any(|d| !*d));
    }
}
