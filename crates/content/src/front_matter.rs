//! Lesson files: YAML front matter between `---` lines, then the Markdown body.

use serde::Deserialize;

use crate::problem::{Problem, ProblemCode};

/// A lesson file split into its front matter and body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitLesson<'a> {
    /// The YAML between the `---` lines, if the file has front matter.
    pub yaml: Option<&'a str>,
    /// The line of the file the YAML starts on (the line after the opening `---`).
    pub yaml_first_line: u32,
    /// The Markdown after the front matter.
    pub body: &'a str,
    /// The line of the file the body starts on.
    pub body_first_line: u32,
}

/// Why front matter could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct FrontMatterError {
    pub line: u32,
    pub column: u32,
    pub message: String,
}

/// Splits a lesson file (a leading byte-order mark is ignored). Front matter starts with a
/// `---` line at the very top and ends with a `---` or `...` line.
pub fn split_front_matter(text: &str) -> Result<SplitLesson<'_>, FrontMatterError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text.split_inclusive('\n');
    let first = lines.next().unwrap_or_default();
    if first.trim_end() != "---" {
        return Ok(SplitLesson {
            yaml: None,
            yaml_first_line: 1,
            body: text,
            body_first_line: 1,
        });
    }
    let yaml_start = first.len();
    let mut offset = yaml_start;
    for (line_no, line) in (2u32..).zip(lines) {
        let trimmed = line.trim_end();
        if trimmed == "---" || trimmed == "..." {
            return Ok(SplitLesson {
                yaml: text.get(yaml_start..offset),
                yaml_first_line: 2,
                body: text.get(offset + line.len()..).unwrap_or_default(),
                body_first_line: line_no + 1,
            });
        }
        offset += line.len();
    }
    Err(FrontMatterError {
        line: 1,
        column: 1,
        message: "the front matter that starts here is never closed with a '---' line".to_owned(),
    })
}

/// The fields of a lesson's front matter. Unknown fields (Carpentries' `teaching`,
/// `exercises`, …) are allowed and ignored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct FrontMatter {
    pub id: Option<String>,
    pub title: Option<String>,
    pub required: Option<bool>,
    pub duration_minutes: Option<u32>,
}

/// Parses front matter YAML that starts on `first_line` of `file`.
pub(crate) fn parse_front_matter(
    yaml: &str,
    file: &str,
    first_line: u32,
) -> Result<FrontMatter, Problem> {
    if yaml.trim().is_empty() {
        return Ok(FrontMatter::default());
    }
    serde_norway::from_str::<FrontMatter>(yaml).map_err(|e| {
        let text = e.to_string();
        // The library appends "at line N column M" relative to the YAML; the problem carries
        // the position in the file instead.
        let message = text
            .find(" at line ")
            .map_or(text.as_str(), |i| text.get(..i).unwrap_or_default())
            .to_owned();
        let (line, column) = e.location().map_or((first_line, 1), |l| {
            let line = u32::try_from(l.line()).unwrap_or(1).max(1);
            let column = u32::try_from(l.column()).unwrap_or(1).max(1);
            (first_line + line - 1, column)
        });
        Problem::new(
            ProblemCode::BadFrontMatter,
            file,
            format!("front matter: {message}"),
        )
        .at(line, column)
    })
}

/// The line of `key:` in the YAML, for problems about that field.
pub(crate) fn field_line(yaml: &str, key: &str, first_line: u32) -> Option<u32> {
    yaml.lines()
        .position(|l| {
            l.strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with(':'))
        })
        .and_then(|i| u32::try_from(i).ok())
        .map(|i| first_line + i)
}

/// A lesson file rendered for the browser editor's live preview.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LessonPreview {
    pub title: Option<String>,
    pub id: Option<String>,
    pub rendered: crate::RenderedLesson,
}

/// Renders a whole lesson file (front matter and body) as the editor holds it. Front matter
/// problems join the renderer's in `rendered.problems`, all at lines of the file.
pub fn preview_lesson(source: &str, ctx: &crate::RenderContext) -> LessonPreview {
    let mut problems = Vec::new();
    let (front, body, first_line) = match split_front_matter(source) {
        Ok(split) => {
            let front = match split.yaml {
                Some(yaml) => parse_front_matter(yaml, &ctx.lesson_path, split.yaml_first_line)
                    .unwrap_or_else(|problem| {
                        problems.push(problem);
                        FrontMatter::default()
                    }),
                None => FrontMatter::default(),
            };
            (front, split.body, split.body_first_line)
        }
        Err(e) => {
            problems.push(
                Problem::new(ProblemCode::BadFrontMatter, &ctx.lesson_path, e.message)
                    .at(e.line, e.column),
            );
            (FrontMatter::default(), source, 1)
        }
    };
    if front.title.as_deref().is_none_or(|t| t.trim().is_empty()) {
        problems.push(
            Problem::new(
                ProblemCode::MissingFrontMatterField,
                &ctx.lesson_path,
                "the lesson has no title",
            )
            .at(1, 1),
        );
    }
    let mut rendered =
        crate::render_lesson(body, &ctx.for_lesson(ctx.lesson_path.as_str(), first_line));
    problems.append(&mut rendered.problems);
    rendered.problems = problems;
    LessonPreview {
        title: front.title,
        id: front.id,
        rendered,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_and_counts_lines() {
        let text = "---\nid: a\ntitle: A\n---\n# Body\n";
        let split = split_front_matter(text).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(split.yaml, Some("id: a\ntitle: A\n"));
        assert_eq!(split.body, "# Body\n");
        assert_eq!(split.body_first_line, 5);
        let none = split_front_matter("# Just body\n").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(none.yaml, None);
        assert_eq!(none.body_first_line, 1);
        let bom = split_front_matter("\u{feff}---\r\ntitle: x\r\n...\r\nbody")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(bom.yaml, Some("title: x\r\n"));
        assert_eq!(bom.body, "body");
        assert!(split_front_matter("---\ntitle: x\n").is_err());
    }

    #[test]
    fn parses_and_reports_positions_in_the_file() {
        let fm = parse_front_matter("id: apa\ntitle: Apa?\nteaching: 10\n", "a.md", 2)
            .unwrap_or_else(|p| panic!("{p}"));
        assert_eq!(fm.id.as_deref(), Some("apa"));
        let err = parse_front_matter("title: A\nrequired: maybe\n", "a.md", 2).err();
        let err = err.unwrap_or_else(|| panic!("expected an error"));
        assert_eq!(err.code, ProblemCode::BadFrontMatter);
        assert_eq!(err.line, Some(3));
        assert!(!err.message.contains("at line"), "{}", err.message);
        let syntax = parse_front_matter("title: [unclosed\n", "a.md", 2).err();
        assert_eq!(syntax.map(|p| p.code), Some(ProblemCode::BadFrontMatter));
        assert_eq!(field_line("title: A\nid: x\n", "id", 2), Some(3));
    }

    #[test]
    fn previews_a_whole_file_with_problems_at_file_lines() {
        let ctx = crate::RenderContext::new("k", "/a").for_lesson("01-m/01-x.md", 1);
        let p = preview_lesson("---\ntitle: Judul\n---\n\n# Satu\n\n[x](hilang.md)\n", &ctx);
        assert_eq!(p.title.as_deref(), Some("Judul"));
        assert!(
            p.rendered.html.contains("<h1 id=\"satu\">Satu</h1>"),
            "{}",
            p.rendered.html
        );
        let at: Vec<_> = p
            .rendered
            .problems
            .iter()
            .map(|p| (p.code, p.line))
            .collect();
        assert_eq!(at, [(ProblemCode::BrokenLessonLink, Some(7))]);
        let bad = preview_lesson("---\ntitle: [x\n---\nIsi\n", &ctx);
        let codes: Vec<_> = bad.rendered.problems.iter().map(|p| p.code).collect();
        assert_eq!(
            codes,
            [
                ProblemCode::BadFrontMatter,
                ProblemCode::MissingFrontMatterField
            ]
        );
    }
}
