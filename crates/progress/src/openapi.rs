//! Schemas for the types that serialise themselves (as a number or a string), for the API's
//! OpenAPI document. Only built with the `openapi` feature.

use std::borrow::Cow;

use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::RefOr;

use crate::{CertificateNumber, Jp, VerificationCode};

fn plain(kind: Type, description: &str) -> RefOr<Schema> {
    ObjectBuilder::new().schema_type(kind).description(Some(description)).into()
}

impl utoipa::PartialSchema for Jp {
    fn schema() -> RefOr<Schema> {
        plain(Type::Number, "JP (jam pelajaran), in steps of a half.")
    }
}
impl utoipa::ToSchema for Jp {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("Jp")
    }
}

impl utoipa::PartialSchema for CertificateNumber {
    fn schema() -> RefOr<Schema> {
        plain(Type::String, "PREFIX/YEAR/SEQUENCE, e.g. `LTR/2026/000123`.")
    }
}
impl utoipa::ToSchema for CertificateNumber {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("CertificateNumber")
    }
}

impl utoipa::PartialSchema for VerificationCode {
    fn schema() -> RefOr<Schema> {
        plain(Type::String, "The verification code printed on a certificate.")
    }
}
impl utoipa::ToSchema for VerificationCode {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("VerificationCode")
    }
}
