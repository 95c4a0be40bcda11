//! When reminders are due and how long a failed message waits before its next try. The clock is
//! always passed in.

use chrono::{NaiveDateTime, TimeDelta};

/// Which deadline reminder applies at `now`: of the configured days-before stages that have been
/// reached (and the deadline not yet passed), the latest one. Sending each stage once (the
/// stage is part of the message's unique key) gives "7 days before, then 1 day before"; someone
/// assigned 3 days before the deadline gets the 7-day stage at once and the 1-day stage later,
/// never a stage twice.
pub fn reminder_stage(due_at: NaiveDateTime, now: NaiveDateTime, days_before: &[u32]) -> Option<u32> {
    if now >= due_at {
        return None;
    }
    days_before
        .iter()
        .copied()
        .filter(|d| now >= due_at - TimeDelta::days(i64::from(*d)))
        .min()
}

/// Past the deadline?
pub fn is_overdue(due_at: NaiveDateTime, now: NaiveDateTime) -> bool {
    now >= due_at
}

/// Exponential backoff after the `attempt`-th failed try (1-based): `base`, `2·base`, `4·base`, …
/// capped at `max`. A little spread, taken from `spread_seed` (e.g. the message id), keeps
/// messages that failed together from all retrying in the same second.
pub fn retry_delay(attempt: u32, base_secs: u64, max_secs: u64, spread_seed: u64) -> TimeDelta {
    let base = base_secs.max(1);
    let exp = attempt.saturating_sub(1).min(30);
    let delay = base.saturating_mul(1u64 << exp).min(max_secs.max(base));
    // Up to +10 %, never beyond the cap.
    let spread = if delay >= 10 { spread_seed % (delay / 10 + 1) } else { 0 };
    let secs = (delay + spread).min(max_secs.max(base));
    TimeDelta::seconds(i64::try_from(secs).unwrap_or(i64::MAX / 1000))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    #[test]
    fn stages_come_in_order_and_stop_at_the_deadline() {
        let due = at("2027-04-15 00:00");
        let days = [7, 1];
        assert_eq!(reminder_stage(due, at("2027-04-07 23:59"), &days), None);
        assert_eq!(reminder_stage(due, at("2027-04-08 00:00"), &days), Some(7));
        assert_eq!(reminder_stage(due, at("2027-04-13 12:00"), &days), Some(7));
        assert_eq!(reminder_stage(due, at("2027-04-14 00:00"), &days), Some(1));
        assert_eq!(reminder_stage(due, at("2027-04-15 00:00"), &days), None);
        assert!(is_overdue(due, at("2027-04-15 00:00")));
        assert!(!is_overdue(due, at("2027-04-14 23:59")));
        assert_eq!(reminder_stage(due, at("2027-04-14 00:00"), &[]), None);
    }

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let secs = |attempt| retry_delay(attempt, 30, 3600, 0).num_seconds();
        assert_eq!([secs(1), secs(2), secs(3), secs(4)], [30, 60, 120, 240]);
        assert_eq!(secs(20), 3600);
        assert_eq!(secs(u32::MAX), 3600);
        for seed in 0..50 {
            let d = retry_delay(3, 30, 3600, seed).num_seconds();
            assert!((120..=132).contains(&d), "{d}");
        }
        assert_eq!(retry_delay(1, 0, 0, 7).num_seconds(), 1, "never a zero wait");
    }
}
