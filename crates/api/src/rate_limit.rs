//! Login throttling, per account and per client IP, with governor's keyed GCRA limiters.
//! Limits are per process: behind a load balancer each instance limits on its own, so the
//! effective limit is N times the setting (documented in the configuration table).

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use serde::{Deserialize, Serialize};

use crate::ApiError;

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct LoginLimits {
    /// Attempts one account may take per minute (burst of the same size).
    pub per_account_per_minute: u32,
    /// Attempts one IP address may take per minute (an office behind one NAT shares it).
    pub per_ip_per_minute: u32,
}

impl Default for LoginLimits {
    fn default() -> Self {
        Self { per_account_per_minute: 5, per_ip_per_minute: 60 }
    }
}

#[derive(Clone)]
pub struct LoginLimiter {
    accounts: Arc<DefaultKeyedRateLimiter<String>>,
    ips: Arc<DefaultKeyedRateLimiter<IpAddr>>,
    clock: DefaultClock,
}

fn quota(per_minute: u32) -> Quota {
    let n = NonZeroU32::new(per_minute.max(1)).unwrap_or(NonZeroU32::MIN);
    Quota::per_minute(n).allow_burst(n)
}

impl LoginLimiter {
    pub fn new(limits: LoginLimits) -> Self {
        Self {
            accounts: Arc::new(RateLimiter::keyed(quota(limits.per_account_per_minute))),
            ips: Arc::new(RateLimiter::keyed(quota(limits.per_ip_per_minute))),
            clock: DefaultClock::default(),
        }
    }

    /// Takes one attempt for this account and this IP, or says how long to wait.
    pub fn check(&self, account: &str, ip: Option<IpAddr>) -> Result<(), ApiError> {
        let now = self.clock.now();
        if let Some(ip) = ip
            && let Err(not_until) = self.ips.check_key(&ip) {
                return Err(ApiError::RateLimited { retry_after_secs: not_until.wait_time_from(now).as_secs().max(1) });
            }
        let key: String = account.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_lowercase();
        if let Err(not_until) = self.accounts.check_key(&key) {
            return Err(ApiError::RateLimited { retry_after_secs: not_until.wait_time_from(now).as_secs().max(1) });
        }
        // Keep the maps from growing without bound under a spray of names.
        if self.accounts.len() > 100_000 {
            self.accounts.retain_recent();
        }
        Ok(())
    }
}
