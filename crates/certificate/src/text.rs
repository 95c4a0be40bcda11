//! Measuring and wrapping single-line text, shaped the way krilla shapes it (rustybuzz).

use crate::fonts::FaceData;

pub(crate) fn width(face: &FaceData, size: f32, text: &str) -> f32 {
    let Some(parsed) = rustybuzz::Face::from_slice(&face.bytes, 0) else {
        return 0.0;
    };
    let mut buffer = rustybuzz::UnicodeBuffer::new();
    buffer.push_str(text);
    let shaped = rustybuzz::shape(&parsed, &[], buffer);
    let advance: i64 = shaped
        .glyph_positions()
        .iter()
        .map(|p| i64::from(p.x_advance))
        .sum();
    #[allow(clippy::cast_precision_loss)]
    let advance = advance as f32;
    let upem = u16::try_from(parsed.units_per_em()).unwrap_or(0).max(1);
    advance * size / f32::from(upem)
}

/// Greedy word wrap to `max_width`; a single word wider than the line stays on its own line.
pub(crate) fn wrap(face: &FaceData, size: f32, text: &str, max_width: f32) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let candidate = if line.is_empty() {
            word.to_owned()
        } else {
            format!("{line} {word}")
        };
        if !line.is_empty() && width(face, size, &candidate) > max_width {
            lines.push(std::mem::replace(&mut line, word.to_owned()));
        } else {
            line = candidate;
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// The largest size from `size` down to `min` (in steps of 1 pt) at which `text` fits on a line.
pub(crate) fn fit(face: &FaceData, size: f32, min: f32, text: &str, max_width: f32) -> f32 {
    let mut s = size;
    while s > min && width(face, s, text) > max_width {
        s -= 1.0;
    }
    s.max(min)
}
