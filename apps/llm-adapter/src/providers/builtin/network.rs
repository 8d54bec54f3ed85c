//! How the builtin model says `get_network`: traffic now in bytes per second (never bits), per
//! interface with its totals since boot, and the containers moving the most data — first when
//! the question is who uses the bandwidth.

use homelab_schemas::monitoring::Network;

use super::{
    reports::{bullets, text},
    say,
};

/// The traffic now. `containers_first` (for "what is using my bandwidth?") leads with the
/// containers; otherwise the interfaces come first.
pub fn network(n: &Network, containers_first: bool) -> String {
    let mut parts = Vec::new();
    let interfaces = (!n.interfaces.is_empty()).then(|| {
        let mut head = format!("Network traffic now (over the last {:.0} seconds), per interface:", n.interval_seconds);
        if n.interfaces_omitted > 0 {
            head = format!(
                "Network traffic now (over the last {:.0} seconds), the {} busiest interfaces ({} quieter not shown):",
                n.interval_seconds,
                n.interfaces.len(),
                n.interfaces_omitted
            );
        }
        bullets(
            &head,
            n.interfaces.iter().map(|i| {
                format!(
                    "**{}**: {} in, {} out ({} received, {} sent since boot)",
                    text(&i.name),
                    say::rate(i.rx_bytes_per_second),
                    say::rate(i.tx_bytes_per_second),
                    say::bytes(i.received_bytes as f64),
                    say::bytes(i.transmitted_bytes as f64)
                )
            }),
        )
    });
    let containers = (!n.containers.is_empty()).then(|| {
        let over = n.containers_interval_seconds.map(|s| format!(" over the last {}", minutes(s))).unwrap_or_default();
        let more = if n.containers_omitted > 0 {
            format!(" ({} more not shown)", n.containers_omitted)
        } else {
            String::new()
        };
        bullets(
            &format!("The containers moving the most data{over}{more}:"),
            n.containers.iter().map(|c| {
                format!(
                    "**{}**: {} in, {} out",
                    text(&c.name),
                    say::rate(c.rx_bytes_per_second),
                    say::rate(c.tx_bytes_per_second)
                )
            }),
        )
    });
    let note = n.note.as_ref().map(|note| text(note).into_owned());
    if containers_first {
        // Asked who uses the network and no container figures yet: why not, before the interfaces.
        if containers.is_none() {
            parts.extend(note.clone());
        }
        parts.extend(containers.clone());
        parts.extend(interfaces);
        if containers.is_some() {
            parts.extend(note);
        }
    } else {
        parts.extend(interfaces);
        parts.extend(containers);
        parts.extend(note);
    }
    if parts.is_empty() {
        return "I have no network figures yet.".into();
    }
    parts.join("\n\n")
}

/// `60` → `minute`, `120` → `2 minutes`.
fn minutes(seconds: f64) -> String {
    match (seconds / 60.0).round() as u64 {
        0 => format!("{seconds:.0} seconds"),
        1 => "minute".into(),
        n => format!("{n} minutes"),
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use serde_json::json;

    pub fn sample() -> serde_json::Value {
        json!({"interval_seconds": 5.0, "interfaces_omitted": 31,
            "interfaces": [
                {"name": "eth0", "rx_bytes_per_second": 1258291.0, "tx_bytes_per_second": 358400.0,
                 "received_bytes": 891289u64, "transmitted_bytes": 5368709120u64},
                {"name": "veth1a2b3c", "rx_bytes_per_second": 1024.0, "tx_bytes_per_second": 0.0,
                 "received_bytes": 1000u64, "transmitted_bytes": 0u64}],
            "containers_interval_seconds": 60.0, "containers_omitted": 2,
            "containers": [
                {"name": "qbittorrent", "rx_bytes_per_second": 1153433.0, "tx_bytes_per_second": 307200.0},
                {"name": "plex", "rx_bytes_per_second": 2048.0, "tx_bytes_per_second": 52428.0}]})
    }

    fn say(v: serde_json::Value, containers_first: bool) -> String {
        network(&serde_json::from_value(v).unwrap(), containers_first)
    }

    #[test]
    fn bandwidth_names_the_top_containers_first_in_bytes_per_second() {
        assert_eq!(
            say(sample(), true),
            "The containers moving the most data over the last minute (2 more not shown):\n\n\
             - **qbittorrent**: 1.1 MiB/s in, 300 KiB/s out\n\
             - **plex**: 2 KiB/s in, 51 KiB/s out\n\n\
             Network traffic now (over the last 5 seconds), the 2 busiest interfaces (31 quieter not shown):\n\n\
             - **eth0**: 1.2 MiB/s in, 350 KiB/s out (870 KiB received, 5.00 GiB sent since boot)\n\
             - **veth1a2b3c**: 1 KiB/s in, 0 B/s out (1000 B received, 0 B sent since boot)"
        );
        assert!(say(sample(), false).starts_with("Network traffic now"));
    }

    #[test]
    fn missing_parts_are_explained() {
        let v = json!({"interval_seconds": 5.0, "interfaces_omitted": 0, "interfaces": [
                {"name": "eth0", "rx_bytes_per_second": 0.0, "tx_bytes_per_second": 0.0,
                 "received_bytes": 0u64, "transmitted_bytes": 0u64}],
            "containers_interval_seconds": null, "containers_omitted": 0, "containers": [],
            "note": "Container rates need two samples a minute apart."});
        // Asked which container uses the network: why there are no container figures, first.
        let said = say(v.clone(), true);
        assert!(said.starts_with("Container rates need two samples a minute apart.\n\nNetwork traffic now"), "{said}");
        let said = say(v, false);
        assert!(said.starts_with("Network traffic now (over the last 5 seconds), per interface:"), "{said}");
        assert!(said.ends_with("Container rates need two samples a minute apart."), "{said}");
    }
}
