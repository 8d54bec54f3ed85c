//! `GET /host`: hostname, OS and kernel, uptime and boot time (in the host's time zone), cores,
//! temperatures and network totals (the host's interfaces, from `net/dev`).

use axum::{extract::State, Json};
use homelab_common::{clock::HostZone, ApiError};
use homelab_schemas::monitoring::{HostInfo, NetworkInterface, Temperature};
use sysinfo::{Components, System};

use crate::{resources::HostPaths, AppState};

/// A component this hot (°C) counts as hot even without a critical threshold.
pub const HOT_CELSIUS: f32 = 80.0;

/// Reads the host facts (blocking: call from `spawn_blocking`).
pub fn host_info(paths: &HostPaths, zone: &HostZone) -> HostInfo {
    let components = Components::new_with_refreshed_list();
    let temperatures = components
        .iter()
        .filter_map(|c| {
            let t = c.temperature()?;
            (t.is_finite() && t > -50.0).then(|| Temperature {
                label: c.label().to_string(),
                celsius: round1(t),
                critical_celsius: c.critical().filter(|v| v.is_finite()).map(round1),
            })
        })
        .collect();
    let net_dev = std::fs::read_to_string(&paths.net_dev).unwrap_or_default();
    let mut interfaces: Vec<NetworkInterface> = crate::network::parse_net_dev(&net_dev)
        .into_iter()
        .filter(|(name, ..)| name != "lo")
        .map(|(name, rx, tx)| NetworkInterface { name, received_bytes: rx, transmitted_bytes: tx })
        .collect();
    interfaces.sort_by(|a, b| a.name.cmp(&b.name));
    let uptime = System::uptime();
    let boot = chrono::Utc::now().timestamp() - uptime as i64;
    HostInfo {
        hostname: System::host_name(),
        os: System::long_os_version(),
        kernel: System::kernel_version(),
        uptime_seconds: uptime,
        uptime: human_duration(uptime),
        boot_time: zone.rfc3339(boot),
        timezone: zone.name().to_string(),
        cpu_cores: std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
        physical_cores: System::physical_core_count(),
        temperatures,
        network_interfaces: interfaces,
    }
}

fn round1(v: f32) -> f64 {
    (f64::from(v) * 10.0).round() / 10.0
}

/// `3 days, 4 hours, 5 minutes`.
pub fn human_duration(seconds: u64) -> String {
    let (d, h, m) = (seconds / 86_400, seconds % 86_400 / 3600, seconds % 3600 / 60);
    let mut parts = Vec::new();
    for (n, unit) in [(d, "day"), (h, "hour"), (m, "minute")] {
        if n > 0 {
            parts.push(format!("{n} {unit}{}", if n == 1 { "" } else { "s" }));
        }
    }
    if parts.is_empty() {
        format!("{seconds} seconds")
    } else {
        parts.join(", ")
    }
}

/// `GET /host`.
pub async fn answer(State(state): State<AppState>) -> Result<Json<HostInfo>, ApiError> {
    let info = tokio::task::spawn_blocking(move || host_info(&state.paths, &state.zone))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(Json(info))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_naturally() {
        assert_eq!(human_duration(90061), "1 day, 1 hour, 1 minute");
        assert_eq!(human_duration(42), "42 seconds");
    }

    #[test]
    fn host_info_reports_this_machine() {
        let paths = HostPaths::local();
        let v = host_info(&paths, &HostZone::named("Europe/Berlin"));
        let uptime: f64 =
            std::fs::read_to_string("/proc/uptime").unwrap().split_whitespace().next().unwrap().parse().unwrap();
        assert!((v.uptime_seconds as f64 - uptime).abs() < 5.0, "{v:?}");
        let boot = homelab_common::clock::parse_rfc3339(&v.boot_time).unwrap();
        assert!((chrono::Utc::now().timestamp() - boot - uptime as i64).abs() < 5, "{v:?}");
        assert!(v.boot_time.ends_with("+01:00") || v.boot_time.ends_with("+02:00"), "{}", v.boot_time);
        assert_eq!(v.timezone, "Europe/Berlin");
        assert!(v.network_interfaces.iter().all(|n| n.name != "lo"));
        assert!(v.cpu_cores >= 1);
        assert!(v.kernel.is_some());
    }
}
