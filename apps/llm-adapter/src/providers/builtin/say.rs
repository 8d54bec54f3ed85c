//! How the builtin model says sizes, rates and times, one way everywhere: sizes in binary units
//! (`868 KiB`, `4.25 GiB`: the tools' GB and MB are GiB and MiB), rates in bytes per second
//! (`1.2 MiB/s`), and times in the host's local time with its zone (`03:12 CET on Dec 5`).

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
    homelab_common::clock::local_time(rfc3339, zone)
        .unwrap_or_else(|| homelab_common::markdown::escape(rfc3339).into_owned())
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
    match homelab_common::clock::parse_rfc3339(rfc3339) {
        Some(at) => homelab_common::clock::HostZone::named(zone.unwrap_or("UTC")).date_and_clock(at),
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
}
