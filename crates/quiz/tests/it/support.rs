//! Helpers shared by the test modules.

use lentera_quiz::{Choice, OptionId, Question, QuestionKind};

pub fn fixture(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

pub fn choices(q: &Question) -> &[Choice] {
    match &q.kind {
        QuestionKind::SingleChoice { choices, .. }
        | QuestionKind::MultipleResponse { choices, .. } => choices,
        other => panic!("{} is {other:?}, not a choice question", q.id),
    }
}

/// (text, weight, feedback) of each option.
pub fn options(q: &Question) -> Vec<(String, f64, Option<String>)> {
    choices(q)
        .iter()
        .map(|c| (c.text.clone(), c.weight, c.feedback.clone()))
        .collect()
}

pub fn option_id(q: &Question, text: &str) -> OptionId {
    choices(q)
        .iter()
        .find(|c| c.text == text)
        .unwrap_or_else(|| panic!("no option {text:?} in {}", q.id))
        .id
        .clone()
}

pub fn by_title<'a>(qs: &'a [Question], title: &str) -> &'a Question {
    qs.iter()
        .find(|q| q.title == title)
        .unwrap_or_else(|| panic!("no question titled {title:?}"))
}

pub fn s(x: &str) -> String {
    x.to_string()
}

pub fn some(x: &str) -> Option<String> {
    Some(x.to_string())
}
