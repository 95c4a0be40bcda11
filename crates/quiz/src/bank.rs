//! A question bank: the questions a quiz draws from, by id and by category.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::error::QuizError;
use crate::ids::QuestionId;
use crate::model::Question;

/// Questions with unique ids. Serialised as a plain list.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "Vec<Question>", into = "Vec<Question>")]
pub struct QuestionBank {
    questions: Vec<Question>,
    #[serde(skip)]
    index: HashMap<QuestionId, usize>,
}

impl QuestionBank {
    /// A bank of `questions`, each checked with [`Question::validate`].
    pub fn new(questions: Vec<Question>) -> Result<Self, QuizError> {
        let mut bank = Self::default();
        for q in questions {
            bank.insert(q)?;
        }
        Ok(bank)
    }

    pub fn insert(&mut self, question: Question) -> Result<(), QuizError> {
        question.validate()?;
        if self.index.contains_key(&question.id) {
            return Err(QuizError::DuplicateQuestionId(question.id));
        }
        self.index.insert(question.id.clone(), self.questions.len());
        self.questions.push(question);
        Ok(())
    }

    /// Replaces the question with the same id (e.g. after an author corrected it), or adds it.
    pub fn upsert(&mut self, question: Question) -> Result<(), QuizError> {
        question.validate()?;
        match self.index.get(&question.id) {
            Some(&i) => self.questions[i] = question,
            None => {
                self.index.insert(question.id.clone(), self.questions.len());
                self.questions.push(question);
            }
        }
        Ok(())
    }

    pub fn get(&self, id: &QuestionId) -> Option<&Question> {
        self.index.get(id).map(|&i| &self.questions[i])
    }

    pub fn require(&self, id: &QuestionId) -> Result<&Question, QuizError> {
        self.get(id)
            .ok_or_else(|| QuizError::UnknownQuestion(id.clone()))
    }

    pub fn questions(&self) -> &[Question] {
        &self.questions
    }

    pub fn len(&self) -> usize {
        self.questions.len()
    }

    pub fn is_empty(&self) -> bool {
        self.questions.is_empty()
    }

    /// Questions in `category` or any of its subcategories (`Keuangan` includes
    /// `Keuangan/Anggaran`), in bank order. Comparison ignores case and spaces around `/`.
    pub fn in_category<'a>(&'a self, category: &'a str) -> impl Iterator<Item = &'a Question> + 'a {
        let wanted = normalise_category(category);
        self.questions.iter().filter(move |q| {
            q.category
                .as_deref()
                .map(normalise_category)
                .is_some_and(|c| {
                    c == wanted
                        || (c.len() > wanted.len()
                            && c.starts_with(&wanted)
                            && c[wanted.len()..].starts_with('/'))
                })
        })
    }
}

/// Category paths compare case-insensitively, with surrounding spaces and empty segments
/// removed: ` Keuangan / Anggaran/` equals `keuangan/anggaran`.
pub fn normalise_category(category: &str) -> String {
    category
        .split('/')
        .map(|s| s.trim().to_lowercase())
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("/")
}

impl TryFrom<Vec<Question>> for QuestionBank {
    type Error = QuizError;

    fn try_from(questions: Vec<Question>) -> Result<Self, Self::Error> {
        Self::new(questions)
    }
}

impl From<QuestionBank> for Vec<Question> {
    fn from(bank: QuestionBank) -> Self {
        bank.questions
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::model::{QuestionKind, TextFormat};

    fn q(id: &str, category: Option<&str>) -> Question {
        Question {
            id: QuestionId::new(id),
            title: id.into(),
            text: "t".into(),
            text_format: TextFormat::Markdown,
            default_points: 1.0,
            category: category.map(Into::into),
            tags: vec![],
            general_feedback: None,
            kind: QuestionKind::TrueFalse {
                correct: true,
                feedback_true: None,
                feedback_false: None,
            },
            source_line: None,
        }
    }

    #[test]
    fn ids_are_unique_and_categories_include_subcategories() {
        let bank = QuestionBank::new(vec![
            q("a", Some("Keuangan")),
            q("b", Some("Keuangan / Anggaran")),
            q("c", Some("KeuanganDaerah")),
            q("d", None),
        ])
        .unwrap();
        let ids: Vec<_> = bank
            .in_category("keuangan")
            .map(|q| q.id.as_str())
            .collect();
        assert_eq!(ids, ["a", "b"]);
        let ids: Vec<_> = bank
            .in_category("Keuangan/Anggaran")
            .map(|q| q.id.as_str())
            .collect();
        assert_eq!(ids, ["b"]);
        assert_eq!(
            QuestionBank::new(vec![q("a", None), q("a", None)]),
            Err(QuizError::DuplicateQuestionId(QuestionId::new("a")))
        );
    }

    #[test]
    fn serialises_as_a_list_and_rebuilds_the_index() {
        let bank = QuestionBank::new(vec![q("a", None), q("b", None)]).unwrap();
        let json = serde_json::to_string(&bank).unwrap();
        assert!(json.starts_with('['));
        let back: QuestionBank = serde_json::from_str(&json).unwrap();
        assert!(back.get(&QuestionId::new("b")).is_some());
        let dup = serde_json::to_string(&vec![q("a", None), q("a", None)]).unwrap();
        assert!(serde_json::from_str::<QuestionBank>(&dup).is_err());
    }

    #[test]
    fn upsert_replaces_by_id() {
        let mut bank = QuestionBank::new(vec![q("a", None)]).unwrap();
        let mut fixed = q("a", None);
        fixed.text = "fixed".into();
        bank.upsert(fixed).unwrap();
        assert_eq!(bank.len(), 1);
        assert_eq!(bank.get(&QuestionId::new("a")).unwrap().text, "fixed");
    }
}
