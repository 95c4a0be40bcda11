//! What a programme is made of, whether a definition is sound, and when a learner has completed it.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

/// A course's id as the programme refers to it (the course table's key).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct CourseId(pub String);

impl CourseId {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for CourseId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// One course of a programme, in the programme's order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProgrammeCourse {
    pub course: CourseId,
    /// Required courses must all be completed; the others are electives ("any N of").
    pub required: bool,
    /// The course's own JP, in hundredths (what the catalogue stores).
    pub jp_hundredths: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProgrammeError {
    #[error("the title must be 1 to 200 characters")]
    Title,
    #[error("a programme needs at least one course")]
    NoCourses,
    #[error("course {0} appears twice")]
    DuplicateCourse(CourseId),
    #[error("{needed} elective(s) needed but the programme has only {available}")]
    ElectivesNeeded { needed: u32, available: usize },
    #[error("JP must be between 0 and 10000")]
    Jp,
}

impl ProgrammeError {
    /// Stable machine-readable code for API errors.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Title => "invalid_title",
            Self::NoCourses => "programme_without_courses",
            Self::DuplicateCourse(_) => "duplicate_course",
            Self::ElectivesNeeded { .. } => "electives_needed_too_many",
            Self::Jp => "invalid_jp",
        }
    }
}

/// Checks a programme's definition: a title, at least one course, each course once, and no
/// more electives needed than it offers.
pub fn check_programme(
    title: &str,
    courses: &[ProgrammeCourse],
    electives_needed: u32,
    jp_hundredths: Option<i64>,
) -> Result<(), ProgrammeError> {
    let title = title.trim();
    if title.is_empty() || title.chars().count() > 200 {
        return Err(ProgrammeError::Title);
    }
    if courses.is_empty() {
        return Err(ProgrammeError::NoCourses);
    }
    let mut seen = HashSet::new();
    for c in courses {
        if !seen.insert(&c.course) {
            return Err(ProgrammeError::DuplicateCourse(c.course.clone()));
        }
    }
    let available = courses.iter().filter(|c| !c.required).count();
    if electives_needed as usize > available {
        return Err(ProgrammeError::ElectivesNeeded { needed: electives_needed, available });
    }
    if jp_hundredths.is_some_and(|jp| !(0..=1_000_000).contains(&jp)) {
        return Err(ProgrammeError::Jp);
    }
    Ok(())
}

/// The JP a programme counts when its owner does not set one: every required course, plus the
/// `electives_needed` electives with the fewest JP (the least a learner can complete it with).
pub fn default_jp_hundredths(courses: &[ProgrammeCourse], electives_needed: u32) -> i64 {
    let required: i64 = courses.iter().filter(|c| c.required).map(|c| c.jp_hundredths).sum();
    let mut electives: Vec<i64> = courses.iter().filter(|c| !c.required).map(|c| c.jp_hundredths).collect();
    electives.sort_unstable();
    required + electives.iter().take(electives_needed as usize).sum::<i64>()
}

/// Where a learner stands in a programme.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProgrammeProgress {
    pub required_done: usize,
    pub required_total: usize,
    /// Electives completed (may exceed the number needed).
    pub electives_done: usize,
    pub electives_needed: usize,
    /// 0–100: the share of the needed courses completed (extra electives do not count twice).
    pub percent: u8,
    pub complete: bool,
    /// Required courses not yet completed, in the programme's order.
    pub missing_required: Vec<CourseId>,
}

/// The completion rule: every required course completed and at least `electives_needed` of the
/// electives. A course listed twice counts once.
pub fn programme_complete(
    required: &[CourseId],
    electives: &[CourseId],
    electives_needed: usize,
    completed: &HashSet<CourseId>,
) -> ProgrammeProgress {
    let mut seen = HashSet::new();
    let required: Vec<&CourseId> = required.iter().filter(|c| seen.insert(*c)).collect();
    let electives: Vec<&CourseId> = electives.iter().filter(|c| seen.insert(*c)).collect();
    let missing_required: Vec<CourseId> =
        required.iter().filter(|c| !completed.contains(**c)).map(|c| (*c).clone()).collect();
    let required_done = required.len() - missing_required.len();
    let electives_done = electives.iter().filter(|c| completed.contains(**c)).count();
    let needed_units = required.len() + electives_needed;
    let done_units = required_done + electives_done.min(electives_needed);
    let percent = (done_units * 100).checked_div(needed_units).map_or(0, |p| p as u8);
    let complete = needed_units > 0 && missing_required.is_empty() && electives_done >= electives_needed;
    ProgrammeProgress {
        required_done,
        required_total: required.len(),
        electives_done,
        electives_needed,
        percent,
        complete,
        missing_required,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(names: &[&str]) -> Vec<CourseId> {
        names.iter().map(|n| CourseId((*n).to_string())).collect()
    }

    fn done(names: &[&str]) -> HashSet<CourseId> {
        ids(names).into_iter().collect()
    }

    #[test]
    fn all_required_and_enough_electives_complete_it() {
        let p = programme_complete(&ids(&["a", "b"]), &ids(&["x", "y", "z"]), 2, &done(&["a", "b", "x", "z"]));
        assert!(p.complete);
        assert_eq!(p.percent, 100);
        assert_eq!((p.required_done, p.electives_done), (2, 2));
    }

    #[test]
    fn a_missing_required_course_keeps_it_open_whatever_the_electives() {
        let p = programme_complete(&ids(&["a", "b"]), &ids(&["x", "y"]), 1, &done(&["a", "x", "y"]));
        assert!(!p.complete);
        assert_eq!(p.missing_required, ids(&["b"]));
        // a + one elective out of 3 needed units; the second elective does not count twice.
        assert_eq!(p.percent, 66);
    }

    #[test]
    fn too_few_electives_keep_it_open() {
        let p = programme_complete(&ids(&["a"]), &ids(&["x", "y", "z"]), 2, &done(&["a", "y"]));
        assert!(!p.complete);
        assert_eq!(p.percent, 66);
    }

    #[test]
    fn electives_only_and_required_only_programmes() {
        assert!(programme_complete(&[], &ids(&["x", "y"]), 1, &done(&["y"])).complete);
        assert!(!programme_complete(&[], &ids(&["x", "y"]), 1, &done(&[])).complete);
        assert!(programme_complete(&ids(&["a"]), &[], 0, &done(&["a"])).complete);
        // Nothing needed at all is never "complete": a programme must ask for something.
        assert!(!programme_complete(&[], &ids(&["x"]), 0, &done(&["x"])).complete);
    }

    #[test]
    fn completions_of_other_courses_do_not_count() {
        let p = programme_complete(&ids(&["a"]), &ids(&["x"]), 1, &done(&["q", "r"]));
        assert_eq!(p.percent, 0);
        assert!(!p.complete);
    }

    #[test]
    fn a_course_listed_twice_counts_once() {
        let p = programme_complete(&ids(&["a", "a"]), &ids(&["a", "x"]), 1, &done(&["a"]));
        assert_eq!(p.required_total, 1);
        assert!(!p.complete);
    }

    fn course(id: &str, required: bool, jp: i64) -> ProgrammeCourse {
        ProgrammeCourse { course: CourseId(id.into()), required, jp_hundredths: jp }
    }

    #[test]
    fn definitions_are_checked() {
        let ok = [course("a", true, 200), course("x", false, 100), course("y", false, 300)];
        assert_eq!(check_programme("Pelatihan Manajemen Pemerintahan", &ok, 1, None), Ok(()));
        assert_eq!(check_programme("  ", &ok, 1, None).unwrap_err().code(), "invalid_title");
        assert_eq!(check_programme("P", &[], 0, None).unwrap_err().code(), "programme_without_courses");
        assert_eq!(check_programme("P", &ok, 3, None).unwrap_err().code(), "electives_needed_too_many");
        let dup = [course("a", true, 1), course("a", false, 1)];
        assert_eq!(check_programme("P", &dup, 0, None).unwrap_err().code(), "duplicate_course");
        assert_eq!(check_programme("P", &ok, 0, Some(-1)).unwrap_err().code(), "invalid_jp");
    }

    #[test]
    fn default_jp_counts_required_and_the_cheapest_needed_electives() {
        let c = [course("a", true, 200), course("x", false, 300), course("y", false, 100), course("z", false, 150)];
        assert_eq!(default_jp_hundredths(&c, 2), 200 + 100 + 150);
        assert_eq!(default_jp_hundredths(&c, 0), 200);
    }
}
