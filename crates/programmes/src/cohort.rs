//! A cohort (angkatan): one run of a programme with its own calendar.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

/// A cohort's calendar, in UTC. Learners are assigned while enrolment is open; their courses are
/// due at `due_at`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CohortDates {
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub enrol_opens_at: NaiveDateTime,
    pub enrol_closes_at: NaiveDateTime,
    pub due_at: NaiveDateTime,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CohortError {
    #[error("the cohort must end after it starts")]
    EndsBeforeStart,
    #[error("enrolment must close after it opens")]
    EnrolmentClosesBeforeOpens,
    #[error("enrolment must close before the cohort ends")]
    EnrolmentClosesAfterEnd,
    #[error("the deadline must fall between the start and the end of the cohort")]
    DueOutsideRun,
}

impl CohortError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::EndsBeforeStart => "cohort_ends_before_start",
            Self::EnrolmentClosesBeforeOpens => "enrolment_closes_before_opens",
            Self::EnrolmentClosesAfterEnd => "enrolment_closes_after_end",
            Self::DueOutsideRun => "due_outside_cohort",
        }
    }
}

impl CohortDates {
    pub fn check(&self) -> Result<(), CohortError> {
        if self.ends_at <= self.starts_at {
            return Err(CohortError::EndsBeforeStart);
        }
        if self.enrol_closes_at <= self.enrol_opens_at {
            return Err(CohortError::EnrolmentClosesBeforeOpens);
        }
        if self.enrol_closes_at > self.ends_at {
            return Err(CohortError::EnrolmentClosesAfterEnd);
        }
        if self.due_at < self.starts_at || self.due_at > self.ends_at {
            return Err(CohortError::DueOutsideRun);
        }
        Ok(())
    }

    /// Do assignment rules add learners at `now`? Only inside the enrolment window: someone who
    /// joins an OPD after it closes is not pulled into a cohort that has moved on.
    pub fn enrolment_open(&self, now: NaiveDateTime) -> bool {
        self.enrol_opens_at <= now && now < self.enrol_closes_at
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    fn dates() -> CohortDates {
        CohortDates {
            starts_at: at("2027-02-01 00:00"),
            ends_at: at("2027-04-30 00:00"),
            enrol_opens_at: at("2027-01-15 00:00"),
            enrol_closes_at: at("2027-02-15 00:00"),
            due_at: at("2027-04-15 00:00"),
        }
    }

    #[test]
    fn a_sound_calendar_passes_and_each_fault_has_its_code() {
        assert_eq!(dates().check(), Ok(()));
        type Fault = fn(&mut CohortDates);
        let cases: [(Fault, &str); 4] = [
            (|d| d.ends_at = d.starts_at, "cohort_ends_before_start"),
            (|d| d.enrol_closes_at = d.enrol_opens_at, "enrolment_closes_before_opens"),
            (|d| d.enrol_closes_at = at("2027-05-01 00:00"), "enrolment_closes_after_end"),
            (|d| d.due_at = at("2027-05-01 00:00"), "due_outside_cohort"),
        ];
        for (break_it, code) in cases {
            let mut d = dates();
            break_it(&mut d);
            assert_eq!(d.check().unwrap_err().code(), code);
        }
    }

    #[test]
    fn enrolment_is_open_from_opening_until_just_before_closing() {
        let d = dates();
        assert!(!d.enrolment_open(at("2027-01-14 23:59")));
        assert!(d.enrolment_open(at("2027-01-15 00:00")));
        assert!(d.enrolment_open(at("2027-02-14 23:59")));
        assert!(!d.enrolment_open(at("2027-02-15 00:00")));
    }
}
