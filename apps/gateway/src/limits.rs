//! Rate limits with governor (GCRA): `RATE_LIMIT_REQUESTS` per `RATE_LIMIT_WINDOW` seconds per
//! API key; the reads beside a chat (`/status`, `/history`, `/events`, `/conversations`) in a bucket of their
//! own, so the page's refreshes never spend the chat allowance but a script cannot hammer the
//! hosts through them either; and failed authentications limited per client IP and overall so a
//! key cannot be brute-forced. Idle entries are dropped every minute (`retain_recent`), so memory stays bounded
//! however many distinct keys or addresses show up.

use std::{
    net::IpAddr,
    num::NonZeroU32,
    sync::{Arc, Weak},
    time::Duration,
};

use governor::{
    clock::{Clock, DefaultClock},
    middleware::NoOpMiddleware,
    state::{keyed::DefaultKeyedStateStore, InMemoryState, NotKeyed},
    Quota, RateLimiter,
};
use homelab_common::ApiError;

/// Failed authentications one address may make per minute, by default (`FAILED_AUTH_PER_MINUTE`).
pub const FAILED_AUTH_PER_IP_PER_MINUTE: u32 = 10;
/// Reads of status, history, events and conversations per key per minute, by default
/// (`READS_PER_MINUTE`): the chat page asks `/status` every 15 s and the conversation list after
/// each answer; each `/status` reads three tools of every host.
pub const READS_PER_MINUTE: u32 = 120;
/// Failed authentications from all addresses together per minute: a backstop against an
/// attacker rotating addresses.
pub const FAILED_AUTH_TOTAL_PER_MINUTE: u32 = 300;

type Keyed<K, C> = RateLimiter<K, DefaultKeyedStateStore<K>, C, NoOpMiddleware<<C as Clock>::Instant>>;
type Direct<C> = RateLimiter<NotKeyed, InMemoryState, C, NoOpMiddleware<<C as Clock>::Instant>>;

/// The gateway's limiters, on the real clock; tests give them a clock they move by hand.
pub struct Limits<C: Clock = DefaultClock> {
    clock: C,
    per_key: Keyed<String, C>,
    /// Reads beside the chat, per key (`READS_PER_MINUTE`).
    reads: Keyed<String, C>,
    reads_per_minute: u32,
    failed_auth_per_ip: Keyed<IpAddr, C>,
    failed_auth_total: Direct<C>,
    /// For the 429 text: "Max N requests per W seconds".
    requests: u32,
    window_secs: u64,
}

fn quota(count: u32, window: Duration) -> Quota {
    let count = NonZeroU32::new(count.max(1)).expect("at least 1");
    let period = (window / count.get()).max(Duration::from_nanos(1));
    Quota::with_period(period).expect("non-zero period").allow_burst(count)
}

impl Limits {
    pub fn new(requests: u32, window_secs: u64) -> Self {
        Self::configured(requests, window_secs, FAILED_AUTH_PER_IP_PER_MINUTE, READS_PER_MINUTE)
    }

    /// With `failed_auth_per_ip` failed authentications a minute per address and
    /// `reads_per_minute` reads a minute per key.
    pub fn configured(requests: u32, window_secs: u64, failed_auth_per_ip: u32, reads_per_minute: u32) -> Self {
        Self::with_clock(requests, window_secs, failed_auth_per_ip, DefaultClock::default())
            .with_reads(reads_per_minute)
    }
}

impl<C: Clock + Clone> Limits<C> {
    pub fn with_clock(requests: u32, window_secs: u64, failed_auth_per_ip: u32, clock: C) -> Self {
        let minute = Duration::from_secs(60);
        Self {
            per_key: RateLimiter::new(
                quota(requests, Duration::from_secs(window_secs)),
                DefaultKeyedStateStore::default(),
                clock.clone(),
            ),
            reads: RateLimiter::new(quota(READS_PER_MINUTE, minute), DefaultKeyedStateStore::default(), clock.clone()),
            reads_per_minute: READS_PER_MINUTE,
            failed_auth_per_ip: RateLimiter::new(
                quota(failed_auth_per_ip, minute),
                DefaultKeyedStateStore::default(),
                clock.clone(),
            ),
            failed_auth_total: RateLimiter::direct_with_clock(
                quota(FAILED_AUTH_TOTAL_PER_MINUTE, minute),
                clock.clone(),
            ),
            clock,
            requests,
            window_secs,
        }
    }

    /// With `per_minute` reads a minute per key instead of [`READS_PER_MINUTE`].
    pub fn with_reads(mut self, per_minute: u32) -> Self {
        let minute = Duration::from_secs(60);
        self.reads = RateLimiter::new(quota(per_minute, minute), DefaultKeyedStateStore::default(), self.clock.clone());
        self.reads_per_minute = per_minute.max(1);
        self
    }

    /// Whole seconds until the limiter allows again, the part of a second left counting as one.
    fn retry_after(&self, not_until: governor::NotUntil<C::Instant>) -> u64 {
        let wait = not_until.wait_time_from(self.clock.now());
        wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
    }

    /// One request by `key`.
    pub fn check_key(&self, key: &str) -> Result<(), ApiError> {
        self.per_key.check_key(&key.to_string()).map_err(|nu| ApiError::RateLimited {
            detail: format!("Rate limit exceeded. Max {} requests per {} seconds", self.requests, self.window_secs),
            retry_after_secs: self.retry_after(nu),
        })
    }

    /// One read of status, history or conversations by `key`.
    pub fn check_read(&self, key: &str) -> Result<(), ApiError> {
        self.reads.check_key(&key.to_string()).map_err(|nu| ApiError::RateLimited {
            detail: format!(
                "Rate limit exceeded. Max {} reads of status, history, events and conversations per minute",
                self.reads_per_minute
            ),
            retry_after_secs: self.retry_after(nu),
        })
    }

    /// Counts one failed authentication from `ip`; over the limit the caller answers 429
    /// instead of 401, so guessing stays slow.
    pub fn record_failed_auth(&self, ip: IpAddr) -> Result<(), ApiError> {
        let limited = |nu| ApiError::RateLimited {
            detail: "Too many failed authentication attempts. Try again later".into(),
            retry_after_secs: self.retry_after(nu),
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
        self.reads.retain_recent();
        self.reads.shrink_to_fit();
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
    fn keys_are_limited_independently_with_the_contract_message() {
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
    fn reads_have_their_own_configured_allowance_that_never_spends_the_chats() {
        let limits = Limits::configured(1, 60, FAILED_AUTH_PER_IP_PER_MINUTE, 3);
        for _ in 0..3 {
            assert!(limits.check_read("a").is_ok());
        }
        let err = limits.check_read("a").unwrap_err();
        assert_eq!(
            err.to_string(),
            "Rate limit exceeded. Max 3 reads of status, history, events and conversations per minute"
        );
        assert!(limits.check_key("a").is_ok(), "the chat allowance is untouched");
        assert!(limits.check_read("b").is_ok());
        // The default is the contract's 120.
        let default = Limits::new(60, 60);
        assert!((0..READS_PER_MINUTE).all(|_| default.check_read("a").is_ok()));
        assert!(default.check_read("a").is_err());
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
        let clock = governor::clock::FakeRelativeClock::default();
        // Two per minute: an idle entry is dropped once it is indistinguishable from a new one.
        let limits = Limits::with_clock(2, 60, FAILED_AUTH_PER_IP_PER_MINUTE, clock.clone());
        for i in 0..10_000u32 {
            let _ = limits.check_key(&format!("key-{i}"));
        }
        assert_eq!(limits.tracked().0, 10_000);
        clock.advance(Duration::from_secs(29));
        limits.housekeep();
        assert_eq!(limits.tracked().0, 10_000, "still remembered within the window");
        clock.advance(Duration::from_secs(40));
        limits.housekeep();
        assert_eq!(limits.tracked().0, 0);
    }

    #[test]
    fn the_allowance_comes_back_as_the_window_passes() {
        let clock = governor::clock::FakeRelativeClock::default();
        let limits = Limits::with_clock(2, 60, FAILED_AUTH_PER_IP_PER_MINUTE, clock.clone());
        assert!(limits.check_key("a").is_ok() && limits.check_key("a").is_ok());
        match limits.check_key("a").unwrap_err() {
            ApiError::RateLimited { retry_after_secs, .. } => assert_eq!(retry_after_secs, 30),
            other => panic!("{other:?}"),
        }
        clock.advance(Duration::from_secs(29));
        assert!(limits.check_key("a").is_err());
        clock.advance(Duration::from_secs(1));
        assert!(limits.check_key("a").is_ok(), "one request back after half the window");
    }
}
