use std::borrow::Cow;
use std::sync::Arc;

use krilla::text::Font;

/// The fonts a certificate is set in: a sans for running text, a bold sans, and a bold serif for
/// the title and the learner's name.
#[derive(Clone)]
pub struct FontSet {
    pub(crate) regular: FaceData,
    pub(crate) bold: FaceData,
    pub(crate) display: FaceData,
}

#[derive(Clone)]
pub(crate) struct FaceData {
    pub(crate) bytes: Arc<Cow<'static, [u8]>>,
    pub(crate) font: Font,
}

#[derive(Debug, thiserror::Error)]
pub enum FontError {
    #[error("the {0} font is not a TrueType/OpenType font")]
    Unreadable(&'static str),
}

impl FontSet {
    /// DejaVu Sans, DejaVu Sans Bold and DejaVu Serif Bold, compiled into the binary (from the
    /// `dejavu` crate; the same fonts Debian ships in `fonts-dejavu-core` under
    /// `/usr/share/fonts/truetype/dejavu/`). They cover Latin with all Indonesian needs.
    pub fn embedded() -> Result<Self, FontError> {
        Ok(Self {
            regular: face(Cow::Borrowed(dejavu::sans::regular()), "regular")?,
            bold: face(Cow::Borrowed(dejavu::sans::bold()), "bold")?,
            display: face(Cow::Borrowed(dejavu::serif::bold()), "display")?,
        })
    }

    /// Other fonts, e.g. read once at start-up from a configured path.
    pub fn from_bytes(
        regular: Vec<u8>,
        bold: Vec<u8>,
        display: Vec<u8>,
    ) -> Result<Self, FontError> {
        Ok(Self {
            regular: face(Cow::Owned(regular), "regular")?,
            bold: face(Cow::Owned(bold), "bold")?,
            display: face(Cow::Owned(display), "display")?,
        })
    }
}

fn face(bytes: Cow<'static, [u8]>, role: &'static str) -> Result<FaceData, FontError> {
    rustybuzz::Face::from_slice(&bytes, 0).ok_or(FontError::Unreadable(role))?;
    let bytes = Arc::new(bytes);
    let shared: Arc<dyn AsRef<[u8]> + Send + Sync> = bytes.clone();
    let font = Font::new(shared.into(), 0).ok_or(FontError::Unreadable(role))?;
    Ok(FaceData { bytes, font })
}
