//! How the builtin model says sizes, rates and times, one way everywhere: sizes in binary units
//! (`868 KiB`, `4.25 GiB`: the tools' GB and MB are GiB and MiB), rates in bytes per second
//! (`1.2 MiB/s`), and times in the host's local time with its zone (`03:12 CET on Dec 5`) — or,
//! when the question came with the reader's zone (the chat page sends the browser's), in that one,
//! so that the page shows one time convention ([`for_reader`]).

use std::cell::RefCell;

use homelab_common::clock::{self, HostZone};

thread_local! {
    /// The reader's zone while an answer is composed ([`for_reader`]); `None`: the host's.
    static READER: RefCell<Option<HostZone>> = const { RefCell::new(None) };
}

/// Composes an answer (`compose` runs on this thread, synchronously) with every time said in the
/// reader's zone `name`; a name this model does not know leaves the host's zone.
pub fn for_reader<T>(name: Option<&str>, compose: impl FnOnce() -> T) -> T {
    struct Restore(Option<HostZone>);
    impl Drop for Restore {
        fn drop(&mut self) {
            READER.with(|r| *r.borrow_mut() = self.0.take());
        }
    }
    let zone =
        name.map(HostZone::named).filter(|z| z.name() != "UTC" || name.is_some_and(|n| n.eq_ignore_ascii_case("UTC")));
    let _restore = Restore(READER.with(|r| r.replace(zone)));
    compose()
}

/// The zone a time is said in: the reader's when known, else `host` (the tool's), else UTC.
fn zone_for(host: Option<&str>) -> HostZone {
    READER.with(|r| r.borrow().clone()).unwrap_or_else(|| HostZone::named(host.unwrap_or("UTC")))
}

/// `text` (a tool's own words, such as history's `covered`: `since recording began at 19:08
/// CET`) with the times of `instants` that it says in the host's zone said in the reader's.
pub fn in_reader_zone(text: &str, host: Option<&str>, instants: &[&str]) -> String {
    let Some(reader) = READER.with(|r| r.borrow().clone()) else {
        return text.to_string();
    };
    let host = HostZone::named(host.unwrap_or("UTC"));
    let mut out = text.to_string();
    for at in instants.iter().filter_map(|i| clock::parse_rfc3339(i)) {
        // The longer form first: `22:00 CET on Dec 4` contains `22:00 CET`.
        out = out.replace(&host.day_and_clock(at), &reader.day_and_clock(at));
        out = out.replace(&host.clock(at), &reader.clock(at));
    }
    out
}

/// `512 B`, `868 KiB`, `12.4 MiB`, `3.21 GiB`, `1.50 TiB`.
pub fn bytes(n: f64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = n.max(0.0);
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    match unit {
        0 => format!("{value:.0} B"),
        1 => format!("{value:.0} KiB"),
        2 => format!("{value:.1} MiB"),
        _ => format!("{value:.2} {}", UNITS[unit]),
    }
}

/// A rate in bytes per second: `0 B/s`, `350 KiB/s`, `1.2 MiB/s`.
pub fn rate(bytes_per_second: f64) -> String {
    format!("{}/s", bytes(bytes_per_second))
}

/// A size the tools give in GiB (their `_gb` fields): `4.25 GiB`.
pub fn gib(value: f64) -> String {
    format!("{value:.2} GiB")
}

/// An RFC 3339 time in the host's zone (named by the tool's answer; UTC when it names none):
/// `03:12 CET on Dec 5`. Text that is not a time is said as it is, escaped.
pub fn when(rfc3339: &str, zone: Option<&str>) -> String {
    match clock::parse_rfc3339(rfc3339) {
        Some(at) => zone_for(zone).day_and_clock(at),
        None => homelab_common::markdown::escape(rfc3339).into_owned(),
    }
}

/// A time of day in the host's zone, for a list that says the day apart: `03:12 CET`.
pub fn clock(rfc3339: &str, zone: Option<&str>) -> String {
    match homelab_common::clock::parse_rfc3339(rfc3339) {
        Some(at) => homelab_common::clock::HostZone::named(zone.unwrap_or("UTC")).clock(at),
        None => homelab_common::markdown::escape(rfc3339).into_owned(),
    }
}

/// A time that may lie days back: `Dec 5, 2026 at 03:12 CET`.
pub fn date(rfc3339: &str, zone: Option<&str>) -> String {
    match clock::parse_rfc3339(rfc3339) {
        Some(at) => zone_for(zone).date_and_clock(at),
        None => homelab_common::markdown::escape(rfc3339).into_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_rates_use_binary_units_and_say_so() {
        assert_eq!(bytes(891_289.0), "870 KiB");
        assert_eq!(bytes(512.0), "512 B");
        assert_eq!(bytes(1_073_741_824.0 * 3.21), "3.21 GiB");
        assert_eq!(bytes(5.5 * 1_048_576.0), "5.5 MiB");
        assert_eq!(rate(1_258_291.0), "1.2 MiB/s");
        assert_eq!(rate(0.0), "0 B/s");
        assert_eq!(gib(4.254), "4.25 GiB");
    }

    #[test]
    fn times_are_local_with_the_zone() {
        assert_eq!(when("2026-12-05T02:12:00Z", Some("Europe/Berlin")), "03:12 CET on Dec 5");
        assert_eq!(when("2026-12-05T02:12:00.123456789Z", None), "02:12 UTC on Dec 5");
        assert_eq!(when("soon", None), "soon");
        assert_eq!(date("2026-12-05T03:12:00+01:00", Some("Europe/Berlin")), "Dec 5, 2026 at 03:12 CET");
        assert_eq!(clock("2026-12-05T03:12:00+01:00", Some("Europe/Berlin")), "03:12 CET");
    }

    #[test]
    fn with_the_readers_zone_times_are_said_in_it_and_only_while_composing() {
        let said = for_reader(Some("America/New_York"), || {
            (
                when("2026-12-05T02:12:00Z", Some("Europe/Berlin")),
                date("2026-12-05T03:12:00+01:00", Some("Europe/Berlin")),
            )
        });
        assert_eq!(said, ("21:12 EST on Dec 4".to_string(), "Dec 4, 2026 at 21:12 EST".to_string()));
        assert_eq!(when("2026-12-05T02:12:00Z", Some("Europe/Berlin")), "03:12 CET on Dec 5", "the host's again after");
        let unknown = for_reader(Some("Mars/Olympus"), || when("2026-12-05T02:12:00Z", Some("Europe/Berlin")));
        assert_eq!(unknown, "03:12 CET on Dec 5", "an unknown name leaves the host's zone");
        let utc = for_reader(Some("UTC"), || when("2026-12-05T02:12:00Z", Some("Europe/Berlin")));
        assert_eq!(utc, "02:12 UTC on Dec 5");
    }

    #[test]
    fn a_tools_own_words_are_said_in_the_readers_zone_too() {
        let covered = "8 hours from 22:00 CET on Dec 4 to 06:00 CET";
        let instants = ["2026-12-04T21:00:00Z", "2026-12-05T05:00:00Z"];
        let said = for_reader(Some("Asia/Tokyo"), || in_reader_zone(covered, Some("Europe/Berlin"), &instants));
        assert_eq!(said, "8 hours from 06:00 JST on Dec 5 to 14:00 JST");
        assert_eq!(in_reader_zone(covered, Some("Europe/Berlin"), &instants), covered, "no reader: as said");
    }
}
