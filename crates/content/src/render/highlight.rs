//! Server-side syntax highlighting with syntect: CSS classes in the HTML (prefixed `hl-`), the
//! colours in a stylesheet the web app serves once, so lessons stay small and theme-able.

use std::sync::LazyLock;

use syntect::highlighting::ThemeSet;
use syntect::html::{ClassStyle, ClassedHTMLGenerator, css_for_theme_with_class_style};
use syntect::parsing::{SyntaxReference, SyntaxSet};
use syntect::util::LinesWithEndings;

/// Every highlighting class starts with this prefix, so the sanitiser can keep exactly these.
pub(crate) const CLASS_PREFIX: &str = "hl-";
const CLASS_STYLE: ClassStyle = ClassStyle::SpacedPrefixed {
    prefix: CLASS_PREFIX,
};

// Loading the grammars takes tens of milliseconds; they are immutable data, so load them once.
static SYNTAXES: LazyLock<SyntaxSet> = LazyLock::new(SyntaxSet::load_defaults_newlines);

/// The colour themes a stylesheet can be generated for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HighlightTheme {
    /// A light theme in GitHub's colours (syntect's "InspiredGitHub").
    Light,
    /// A dark theme ("base16-ocean.dark").
    Dark,
}

impl HighlightTheme {
    fn syntect_name(self) -> &'static str {
        match self {
            Self::Light => "InspiredGitHub",
            Self::Dark => "base16-ocean.dark",
        }
    }
}

/// A stylesheet could not be produced for a theme.
#[derive(Debug, thiserror::Error)]
pub enum HighlightCssError {
    #[error("the highlighting theme {0:?} is not built in")]
    UnknownTheme(&'static str),
    #[error("could not write the highlighting stylesheet: {0}")]
    Css(#[from] syntect::Error),
}

/// The CSS for the `hl-*` classes that [`crate::render_lesson`] puts on code, for one theme.
pub fn highlight_css(theme: HighlightTheme) -> Result<String, HighlightCssError> {
    let themes = ThemeSet::load_defaults();
    let name = theme.syntect_name();
    let theme = themes
        .themes
        .get(name)
        .ok_or(HighlightCssError::UnknownTheme(name))?;
    Ok(css_for_theme_with_class_style(theme, CLASS_STYLE)?)
}

/// The language named by a fenced code block's info string, in the spellings lessons use:
/// `r`, `{r}`, `{r, eval=FALSE}`, `{.language-r}`, `{.r .numberLines}`, `language-r`,
/// `python title="x.py"`.
pub(crate) fn language_of(info: &str) -> Option<String> {
    let info = info.trim();
    let inner = info
        .strip_prefix('{')
        .map(|s| s.trim_end().trim_end_matches('}'))
        .unwrap_or(info);
    let token = inner
        .split(|c: char| c.is_whitespace() || c == ',')
        .find(|t| !t.is_empty() && !t.contains('=') && !t.starts_with('#'))?;
    let token = token.trim_start_matches('.');
    let token = token.strip_prefix("language-").unwrap_or(token);
    let lang: String = token
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '+' | '#'))
        .collect::<String>()
        .to_ascii_lowercase();
    (!lang.is_empty()).then_some(lang)
}

fn syntax_for(lang: &str) -> Option<&'static SyntaxReference> {
    let token = match lang {
        "sh" | "shell" | "console" | "zsh" | "shell-session" => "bash",
        "py" | "python3" => "python",
        "rscript" => "r",
        "js" | "javascript" => "js",
        "yml" => "yaml",
        "htm" => "html",
        // Output blocks in Carpentries lessons are plain text on purpose.
        "output" | "error" | "warning" | "text" | "plaintext" | "txt" => return None,
        other => other,
    };
    SYNTAXES.find_syntax_by_token(token)
}

/// A fenced or indented code block as HTML. Known languages get `hl-*` spans; everything is
/// escaped; nothing here is trusted until the sanitiser has run.
pub(crate) fn code_block_html(code: &str, lang: Option<&str>) -> String {
    let class = lang.map_or_else(String::new, |l| format!(" class=\"language-{l}\""));
    let highlighted = lang.and_then(syntax_for).and_then(|syntax| {
        let mut generator =
            ClassedHTMLGenerator::new_with_class_style(syntax, &SYNTAXES, CLASS_STYLE);
        for line in LinesWithEndings::from(code) {
            // A grammar failure is not the author's fault: fall back to plain text.
            generator
                .parse_html_for_line_which_includes_newline(line)
                .ok()?;
        }
        Some(generator.finalize())
    });
    let body = highlighted.unwrap_or_else(|| super::escape_html(code));
    format!("<pre class=\"highlight\"><code{class}>{body}</code></pre>\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn info_strings() {
        assert_eq!(language_of("r").as_deref(), Some("r"));
        assert_eq!(language_of("{r}").as_deref(), Some("r"));
        assert_eq!(language_of("{r, eval=FALSE}").as_deref(), Some("r"));
        assert_eq!(language_of("{.language-r}").as_deref(), Some("r"));
        assert_eq!(
            language_of("{.python .numberLines}").as_deref(),
            Some("python")
        );
        assert_eq!(language_of("language-sql").as_deref(), Some("sql"));
        assert_eq!(
            language_of("python title=\"x.py\"").as_deref(),
            Some("python")
        );
        assert_eq!(language_of("   ").as_deref(), None);
        assert_eq!(language_of("C++").as_deref(), Some("c++"));
    }

    #[test]
    fn highlights_with_classes_not_styles() {
        let html = code_block_html("x <- c(1, 2)\nprint(x)\n", Some("r"));
        assert!(html.contains("<span class=\"hl-"), "{html}");
        assert!(!html.contains("style="), "{html}");
        assert!(html.contains("&lt;-"), "{html}");
        let py = code_block_html("def f():\n    return 1\n", Some("python"));
        assert!(py.contains("hl-keyword"), "{py}");
    }

    #[test]
    fn unknown_and_output_blocks_are_escaped_text() {
        let html = code_block_html("<b>[1] 42</b>\n", Some("output"));
        assert_eq!(
            html,
            "<pre class=\"highlight\"><code class=\"language-output\">&lt;b&gt;[1] 42&lt;/b&gt;\n</code></pre>\n"
        );
    }

    #[test]
    fn css_for_both_themes() {
        for theme in [HighlightTheme::Light, HighlightTheme::Dark] {
            let css = highlight_css(theme).unwrap_or_default();
            assert!(css.contains(".hl-"), "{css}");
        }
    }
}
