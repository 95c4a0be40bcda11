//! The accounts domain: parse-once types for what identifies an ASN (NIP, e-mail), the roles a user
//! may hold, the OPD scope of an hr officer, and the permission rules built on them.
//!
//! **Architecture Invariant:** this crate knows nothing of HTTP, SQL or password hashing; it takes
//! and returns plain types so every rule here is unit-tested without a server or a database.

mod csv_import;
mod email;
mod nip;
mod roles;

pub use csv_import::{CsvProblem, UserCsvRow, parse_user_csv};
pub use email::{Email, EmailError};
pub use nip::{Nip, NipError, Sex, mask_nip};
pub use roles::{EmploymentType, HrScope, Language, OpdId, Principal, Role, RoleGrant, UserId};

/// Password rules: long enough to resist guessing, bounded so hashing cost stays bounded.
pub fn check_password_policy(password: &str) -> Result<(), PasswordPolicyError> {
    let chars = password.chars().count();
    if chars < 8 {
        return Err(PasswordPolicyError::TooShort);
    }
    if password.len() > 256 {
        return Err(PasswordPolicyError::TooLong);
    }
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PasswordPolicyError {
    #[error("password must be at least 8 characters")]
    TooShort,
    #[error("password must be at most 256 bytes")]
    TooLong,
}

impl PasswordPolicyError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::TooShort => "password_too_short",
            Self::TooLong => "password_too_long",
        }
    }
}
