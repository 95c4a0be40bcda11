use serde::{Deserialize, Serialize};

/// The two interface languages: Indonesian first (the default), English second.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    #[default]
    Id,
    En,
}

impl Language {
    /// The BCP 47 tag used in language maps (xAPI) and HTML.
    pub fn tag(self) -> &'static str {
        match self {
            Self::Id => "id-ID",
            Self::En => "en-US",
        }
    }
}
