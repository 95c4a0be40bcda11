use serde::{Deserialize, Serialize};

/// What the progress rules need to know about one version of a course: its lessons (in reading
/// order, each required or optional) and the ids of its quizzes. The content crate owns the full
/// course; storage builds this from it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CourseOutline {
    pub course_id: String,
    /// The published version of the course; a new version gets a new number.
    pub version: u32,
    pub lessons: Vec<OutlineLesson>,
    #[serde(default)]
    pub quizzes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutlineLesson {
    pub id: String,
    #[serde(default = "default_required")]
    pub required: bool,
}

fn default_required() -> bool {
    true
}

impl OutlineLesson {
    pub fn required(id: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            required: true,
        }
    }

    pub fn optional(id: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            required: false,
        }
    }
}

impl CourseOutline {
    pub fn has_lesson(&self, lesson_id: &str) -> bool {
        self.lessons.iter().any(|l| l.id == lesson_id)
    }

    pub fn has_quiz(&self, quiz_id: &str) -> bool {
        self.quizzes.iter().any(|q| q == quiz_id)
    }

    /// Required lessons, in reading order.
    pub fn required_lessons(&self) -> impl Iterator<Item = &str> {
        self.lessons
            .iter()
            .filter(|l| l.required)
            .map(|l| l.id.as_str())
    }
}
