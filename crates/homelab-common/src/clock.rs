//! The host's time zone and how a time is said in it: `03:12 CET on Dec 5`, one way everywhere.
//!
//! The zone is `TZ` when set, else the host's `/etc/localtime` (under `HOST_ROOT` in a
//! container). Its rules come from jiff's bundled database, so an image without tzdata knows them
//! too, and daylight saving time is right on both sides of a change.

use std::path::Path;

use jiff::{tz::TimeZone, Timestamp};

/// A time zone by the name the tools send (`Europe/Berlin`, `UTC`, or a POSIX `TZ` rule).
#[derive(Debug, Clone)]
pub struct HostZone {
    /// What the tools call it: an IANA name, or the `TZ` rule as given.
    name: String,
    tz: TimeZone,
}

impl Default for HostZone {
    fn default() -> Self {
        Self { name: "UTC".into(), tz: TimeZone::UTC }
    }
}

impl HostZone {
    /// The zone called `name` (an IANA name or a POSIX rule such as `CET-1CEST,M3.5.0,M10.5.0/3`),
    /// or UTC when it is neither.
    pub fn named(name: &str) -> Self {
        let name = name.trim().trim_start_matches(':');
        if name.is_empty() {
            return Self::default();
        }
        let tz = TimeZone::get(name).or_else(|_| TimeZone::posix(name));
        match tz {
            Ok(tz) => Self { name: name.to_string(), tz },
            Err(_) => Self::default(),
        }
    }

    /// The host's zone: `tz_variable` (the value of `TZ`) when set, else `<root>/etc/localtime`,
    /// else UTC. Blocking (reads a file); call once at start.
    pub fn detect(tz_variable: Option<&str>, root: &Path) -> Self {
        if let Some(tz) = tz_variable.map(str::trim).filter(|t| !t.is_empty()) {
            let zone = Self::named(tz);
            if zone.name != "UTC" || tz.trim_start_matches(':').eq_ignore_ascii_case("utc") {
                return zone;
            }
            tracing::warn!(tz, "TZ names no time zone this service knows; using the host's /etc/localtime");
        }
        let localtime = root.join("etc/localtime");
        // Usually a link into zoneinfo, whose path is the zone's name; the link is absolute on the
        // host, so it is never followed from inside a container.
        if let Some(name) = std::fs::read_link(&localtime).ok().and_then(|target| zone_name_in(&target)) {
            let zone = Self::named(&name);
            if zone.name != "UTC" || name == "UTC" {
                return zone;
            }
        }
        // A copied file: Debian keeps the name in /etc/timezone.
        if let Ok(name) = std::fs::read_to_string(root.join("etc/timezone")) {
            let zone = Self::named(name.trim());
            if zone.name != "UTC" || name.trim() == "UTC" {
                return zone;
            }
        }
        Self::default()
    }

    /// The name the tools send: `Europe/Berlin`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// RFC 3339 with this zone's offset at that time: `2026-12-05T03:12:00+01:00`.
    pub fn rfc3339(&self, unix_seconds: i64) -> String {
        match Timestamp::from_second(unix_seconds) {
            Ok(t) => t.to_zoned(self.tz.clone()).strftime("%Y-%m-%dT%H:%M:%S%:z").to_string(),
            Err(_) => String::new(),
        }
    }

    /// `19:08 CET`.
    pub fn clock(&self, unix_seconds: i64) -> String {
        self.format(unix_seconds, "%H:%M %Z")
    }

    /// `03:12 CET on Dec 5`.
    pub fn day_and_clock(&self, unix_seconds: i64) -> String {
        self.format(unix_seconds, "%H:%M %Z on %b %-d")
    }

    /// `Dec 5, 2026 at 03:12 CET`: a time that may lie far back.
    pub fn date_and_clock(&self, unix_seconds: i64) -> String {
        self.format(unix_seconds, "%b %-d, %Y at %H:%M %Z")
    }

    fn format(&self, unix_seconds: i64, pattern: &str) -> String {
        match Timestamp::from_second(unix_seconds) {
            Ok(t) => t.to_zoned(self.tz.clone()).strftime(pattern).to_string(),
            Err(_) => String::new(),
        }
    }
}

/// `/usr/share/zoneinfo/Europe/Berlin` (or `../usr/share/zoneinfo/…`) → `Europe/Berlin`.
fn zone_name_in(target: &Path) -> Option<String> {
    let text = target.to_str()?;
    let (_, name) = text.split_once("zoneinfo/")?;
    let name = name.trim_start_matches("posix/").trim_start_matches("right/");
    (!name.is_empty()).then(|| name.to_string())
}

/// An RFC 3339 time (any offset) → Unix seconds.
pub fn parse_rfc3339(text: &str) -> Option<i64> {
    text.trim().parse::<Timestamp>().ok().map(|t| t.as_second())
}

/// `03:12 CET on Dec 5` for an RFC 3339 time said in the zone called `zone` (UTC when absent):
/// the one way the builtin model says a time.
pub fn local_time(rfc3339: &str, zone: Option<&str>) -> Option<String> {
    let at = parse_rfc3339(rfc3339)?;
    Some(HostZone::named(zone.unwrap_or("UTC")).day_and_clock(at))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_said_in_the_zone_with_its_abbreviation_across_dst() {
        let berlin = HostZone::named("Europe/Berlin");
        // 2026-12-05T02:12:00Z is winter time; 2026-07-05T02:12:00Z is summer time.
        let winter = parse_rfc3339("2026-12-05T02:12:00Z").unwrap();
        let summer = parse_rfc3339("2026-07-05T02:12:00Z").unwrap();
        assert_eq!(berlin.day_and_clock(winter), "03:12 CET on Dec 5");
        assert_eq!(berlin.day_and_clock(summer), "04:12 CEST on Jul 5");
        assert_eq!(berlin.rfc3339(winter), "2026-12-05T03:12:00+01:00");
        assert_eq!(berlin.rfc3339(summer), "2026-07-05T04:12:00+02:00");
        assert_eq!(local_time("2026-12-05T02:12:00Z", None).unwrap(), "02:12 UTC on Dec 5");
        assert_eq!(local_time("2026-12-05T03:12:00+01:00", Some("America/New_York")).unwrap(), "21:12 EST on Dec 4");
        assert_eq!(local_time("yesterday", Some("Europe/Berlin")), None);
    }

    #[test]
    fn unknown_names_fall_back_to_utc_and_posix_rules_work() {
        assert_eq!(HostZone::named("Mars/Olympus").name(), "UTC");
        assert_eq!(HostZone::named("").name(), "UTC");
        let posix = HostZone::named("CET-1CEST,M3.5.0,M10.5.0/3");
        assert_eq!(posix.clock(parse_rfc3339("2026-12-05T02:12:00Z").unwrap()), "03:12 CET");
        assert_eq!(HostZone::named(":Asia/Tokyo").name(), "Asia/Tokyo");
    }

    #[test]
    fn the_hosts_zone_comes_from_tz_or_its_localtime_link_under_the_root() {
        let root = tempfile_root();
        std::fs::create_dir_all(root.join("etc")).unwrap();
        // An absolute link as on the host: its target does not exist here, only its name matters.
        std::os::unix::fs::symlink("/usr/share/zoneinfo/America/Chicago", root.join("etc/localtime")).unwrap();
        assert_eq!(HostZone::detect(None, &root).name(), "America/Chicago");
        assert_eq!(HostZone::detect(Some("Europe/Paris"), &root).name(), "Europe/Paris");
        assert_eq!(HostZone::detect(Some("nonsense/zone"), &root).name(), "America/Chicago");
        std::fs::remove_file(root.join("etc/localtime")).unwrap();
        std::fs::write(root.join("etc/timezone"), "Australia/Sydney\n").unwrap();
        assert_eq!(HostZone::detect(None, &root).name(), "Australia/Sydney");
        std::fs::remove_dir_all(&root).unwrap();
        assert_eq!(HostZone::detect(None, Path::new("/nonexistent")).name(), "UTC");
    }

    fn tempfile_root() -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("clock-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }
}
