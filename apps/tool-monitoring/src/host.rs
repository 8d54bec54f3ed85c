//! `GET /host`: hostname, OS and kernel, uptime, cores, temperatures and network totals.

use axum::Json;
use homelab_common::ApiError;
use homelab_schemas::monitoring::{HostInfo, NetworkInterface, Temperature};
use sysinfo::{Components, Networks, System};

/// A component this hot (°C) counts as hot even without a critical threshold.
pub const HOT_CELSIUS: f32 = 80.0;

/// Reads the host facts (blocking: call from `spawn_blocking`).
pub fn host_info() -> HostInfo {
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
    let networks = Networks::new_with_refreshed_list();
    let mut interfaces: Vec<NetworkInterface> = networks
        .iter()
        .filter(|(name, _)| *name != "lo")
        .map(|(name, data)| NetworkInterface {
            name: name.clone(),
            received_bytes: data.total_received(),
            transmitted_bytes: data.total_transmitted(),
        })
        .collect();
    interfaces.sort_by(|a, b| a.name.cmp(&b.name));
    let uptime = System::uptime();
    HostInfo {
        hostname: System::host_name(),
        os: System::long_os_version(),
        kernel: System::kernel_version(),
        uptime_seconds: uptime,
        uptime: human_duration(uptime),
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
pub async fn answer() -> Result<Json<HostInfo>, ApiError> {
    let info = tokio::task::spawn_blocking(host_info).await.map_err(|e| ApiError::Internal(e.to_string()))?;
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
        let v = host_info();
        let uptime: f64 =
            std::fs::read_to_string("/proc/uptime").unwrap().split_whitespace().next().unwrap().parse().unwrap();
        assert!((v.uptime_seconds as f64 - uptime).abs() < 5.0, "{v:?}");
        assert!(v.cpu_cores >= 1);
        assert!(v.kernel.is_some());
    }
}
