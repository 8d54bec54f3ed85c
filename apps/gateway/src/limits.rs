//! Rate limits with governor (GCRA): `RATE_LIMIT_REQUESTS` per `RATE_LIMIT_WINDOW` seconds per
//! API key, and failed authentications limited per client IP and overall so a key cannot be
//! brute-forced. Idle entries are dropped every minute (`retain_recent`), so memory stays bounded
//! however many distinct keys or addresses show up.

use std::{
    net::IpAddr,
    num::NonZeroU32,
    sync::{Arc, Weak},
    time::Duration,
};

use governor::{
    clock::{Clock, DefaultClock},
    DefaultDirectRateLimiter, DefaultKeyedRateLimiter, Quota, RateLimiter,
};
use homelab_common::ApiError;

/// Failed authentications one address may make per minute.
pub const FAILED_AUTH_PER_IP_PER_MINUTE: u32 = 10;
/// Failed authentications from all addresses together per minute: a backstop against an
/// attacker rotating addresses.
pub const FAILED_AUTH_TOTAL_PER_MINUTE: u32 = 300;

pub struct Limits {
    per_key: DefaultKeyedRateLimiter<String>,
    failed_auth_per_ip: DefaultKeyedRateLimiter<IpAddr>,
    failed_auth_total: DefaultDirectRateLimiter,
    /// For the 429 text: "Max N requests per W seconds".
    requests: u32,
    window_secs: u64,
}

fn quota(count: u32, window: Duration) -> Quota {
    let count = NonZeroU32::new(count.max(1)).expect("at least 1");
    let period = (window / count.get()).max(Duration::from_nanos(1));
    Quota::with_period(period).expect("non-zero period").allow_burst(count)
}

fn retry_after(not_until: governor::NotUntil<<DefaultClock as Clock>::Instant>) -> u64 {
    let wait = not_until.wait_time_from(DefaultClock::default().now());
    wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
}

impl Limits {
    pub fn new(requests: u32, window_secs: u64) -> Self {
        let minute = Duration::from_secs(60);
        Self {
            per_key: RateLimiter::keyed(quota(requests, Duration::from_secs(window_secs))),
            failed_auth_per_ip: RateLimiter::keyed(quota(FAILED_AUTH_PER_IP_PER_MINUTE, minute)),
            failed_auth_total: RateLimiter::direct(quota(FAILED_AUTH_TOTAL_PER_MINUTE, minute)),
            requests,
            window_secs,
        }
    }

    /// One request by `key`.
    pub fn check_key(&self, key: &str) -> Result<(), ApiError> {
        self.per_key.check_key(&key.to_string()).map_err(|nu| ApiError::RateLimited {
            detail: format!("Rate limit exceeded. Max {} requests per {} seconds", self.requests, self.window_secs),
            retry_after_secs: retry_after(nu),
        })
    }

    /// Counts one failed authentication from `ip`; over the limit the caller answers 429
    /// instead of 401, so guessing stays slow.
    pub fn record_failed_auth(&self, ip: IpAddr) -> Result<(), ApiError> {
        let limited = |nu| ApiError::RateLimited {
            detail: "Too many failed authentication attempts. Try again later".into(),
            retry_after_secs: retry_after(nu),
        };
        self.failed_auth_per_ip.check_key(&ip).map_err(limited)?;
        self.failed_auth_total.check().map_err(limited)
    }

    /// Entries currently held, for tests of bounded memory.
    pub fn tracked(&self) -> (usize, usize) {
        (self.per_key.len(), self.failed_auth_per_ip.len())
    }

    /// Drops entries that are back to a full allowance.
    pub fn housekeep(&self) {
        self.per_key.retain_recent();
        self.per_key.shrink_to_fit();
        self.failed_auth_per_ip.retain_recent();
        self.failed_auth_per_ip.shrink_to_fit();
    }
}

/// Runs `housekeep` every minute for as long as the limits exist.
pub fn spawn_housekeeping(limits: &Arc<Limits>) {
    let weak: Weak<Limits> = Arc::downgrade(limits);
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(60));
        tick.tick().await;
        loop {
            tick.tick().await;
            match weak.upgrade() {
                Some(limits) => limits.housekeep(),
                None => return,
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_limited_independently_with_the_spec_message() {
        let limits = Limits::new(2, 60);
        assert!(limits.check_key("a").is_ok());
        assert!(limits.check_key("a").is_ok());
        let err = limits.check_key("a").unwrap_err();
        assert_eq!(err.to_string(), "Rate limit exceeded. Max 2 requests per 60 seconds");
        match err {
            ApiError::RateLimited { retry_after_secs, .. } => assert!((1..=30).contains(&retry_after_secs)),
            other => panic!("{other:?}"),
        }
        assert!(limits.check_key("b").is_ok());
    }

    #[test]
    fn failed_authentications_are_limited_per_ip() {
        let limits = Limits::new(60, 60);
        let ip: IpAddr = "192.0.2.7".parse().unwrap();
        for _ in 0..FAILED_AUTH_PER_IP_PER_MINUTE {
            assert!(limits.record_failed_auth(ip).is_ok());
        }
        assert!(limits.record_failed_auth(ip).is_err());
        assert!(limits.record_failed_auth("192.0.2.8".parse().unwrap()).is_ok());
    }

    #[test]
    fn housekeeping_forgets_idle_entries() {
        let limits = Limits::new(1000, 1);
        for i in 0..10_000u32 {
            let _ = limits.check_key(&format!("key-{i}"));
        }
        assert_eq!(limits.tracked().0, 10_000);
        std::thread::sleep(Duration::from_millis(1100));
        limits.housekeep();
        assert_eq!(limits.tracked().0, 0);
    }
}
