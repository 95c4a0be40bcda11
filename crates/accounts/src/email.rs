use std::fmt;

use serde::{Deserialize, Serialize};

/// An e-mail address, trimmed and lower-cased so that uniqueness checks compare like with like.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Email(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a valid e-mail address: {0}")]
pub struct EmailError(pub String);

impl Email {
    pub fn parse(input: &str) -> Result<Self, EmailError> {
        let s = input.trim().to_lowercase();
        let bad = || EmailError(input.to_string());
        if s.len() > 254 || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(bad());
        }
        let (local, domain) = s.split_once('@').ok_or_else(bad)?;
        if local.is_empty()
            || local.len() > 64
            || domain.contains('@')
            || !domain.contains('.')
            || domain.starts_with('.')
            || domain.ends_with('.')
            || domain.contains("..")
            || domain.starts_with('-')
        {
            return Err(bad());
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Email {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Email::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_and_validates() {
        assert_eq!(Email::parse(" Budi@BatangHari.go.id ").unwrap().as_str(), "budi@batanghari.go.id");
        for bad in ["", "budi", "budi@", "@x.id", "budi@localhost", "a b@x.id", "a@@x.id", "a@x..id"] {
            assert!(Email::parse(bad).is_err(), "{bad} should be rejected");
        }
    }
}
