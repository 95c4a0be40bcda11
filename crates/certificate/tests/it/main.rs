//! The one integration-test binary of `lentera-certificate`: render real PDFs, rasterise them
//! with poppler (`pdftoppm`, `pdftotext`) and read them back as a person or a phone would.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod render;
mod support;
mod verify;
