//! Every Markdown example in the quiz part of `docs/AUTHORING.md` (between the
//! `<!-- quiz-format -->` markers) must parse without a problem, so the guide cannot drift from
//! the parser. Complete files start with front matter; snippets get a title added.

use lentera_quiz::parse_quiz_markdown;

/// The quiz part of the authoring guide, and the number of lines before it in the file.
fn guide() -> (String, usize) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/AUTHORING.md");
    let text =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let start = text
        .find("<!-- quiz-format -->")
        .expect("docs/AUTHORING.md has the <!-- quiz-format --> marker");
    let end = text[start..]
        .find("<!-- /quiz-format -->")
        .map_or(text.len(), |e| start + e);
    let before = text[..start].lines().count();
    (text[start..end].to_string(), before)
}

/// Bodies of the ```markdown blocks (or ````markdown, for examples holding a code block),
/// with the line they start on.
fn markdown_blocks(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut current: Option<(usize, &str, Vec<&str>)> = None;
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        match &mut current {
            None => {
                for fence in ["````", "```"] {
                    if t == format!("{fence}markdown") {
                        current = Some((i + 2, fence, Vec::new()));
                        break;
                    }
                }
            }
            Some((start, fence, body)) => {
                if t == *fence {
                    out.push((*start, body.join("\n")));
                    current = None;
                } else {
                    body.push(line);
                }
            }
        }
    }
    out
}

#[test]
fn every_example_in_the_guide_parses_cleanly() {
    let (text, offset) = guide();
    let blocks = markdown_blocks(&text);
    assert!(
        blocks.len() >= 12,
        "only {} markdown examples found",
        blocks.len()
    );
    let mut questions = 0;
    for (line, body) in blocks {
        let source = if body.starts_with("---") || body.starts_with("+++") {
            body.clone()
        } else {
            format!("---\ntitle: Contoh\n---\n{body}")
        };
        let doc = parse_quiz_markdown(&source, "contoh");
        assert!(
            doc.problems.is_empty(),
            "example at docs/AUTHORING.md:{} has problems: {:#?}\n{body}",
            line + offset,
            doc.problems
        );
        questions += doc.questions.len();
    }
    assert!(
        questions >= 20,
        "the guide's examples hold {questions} questions"
    );
}
