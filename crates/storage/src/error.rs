use diesel::result::{DatabaseErrorKind, Error as DieselError};

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("not found")]
    NotFound,
    /// A unique constraint refused the write; `field` names what is duplicated (`nip`, `email`, …).
    #[error("duplicate {field}")]
    Duplicate { field: String },
    #[error("referenced record does not exist")]
    ForeignKey,
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error("database configuration: {0}")]
    Config(String),
    #[error("migration failed: {0}")]
    Migration(String),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    #[error("database error: {0}")]
    Database(DieselError),
}

impl From<DieselError> for StorageError {
    fn from(e: DieselError) -> Self {
        match e {
            DieselError::NotFound => Self::NotFound,
            DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                // PostgreSQL names the constraint (`users_email_key`); SQLite names the column
                // (`UNIQUE constraint failed: users.email`).
                let text = info.constraint_name().unwrap_or(info.message()).to_string();
                let field = ["nip", "email", "name_key", "slug", "token_hash", "client_id"]
                    .into_iter()
                    .find(|f| text.contains(f))
                    .map(|f| if f == "name_key" { "name" } else { f })
                    .unwrap_or("record");
                Self::Duplicate { field: field.to_string() }
            }
            DieselError::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, _) => Self::ForeignKey,
            DieselError::DatabaseError(DatabaseErrorKind::ClosedConnection, info) => {
                Self::Unavailable(info.message().to_string())
            }
            other => Self::Database(other),
        }
    }
}
