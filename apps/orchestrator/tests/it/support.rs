//! Shared by the test modules here: the real tool-monitoring, served on a loopback port.

use homelab_common::{startup::spawn_on_loopback, MonitoringConfig};

/// `monitoring` when a test brings its own, else the real tool-monitoring without Docker (its
/// Docker tools answer "unavailable"); its base URL.
pub async fn monitoring_or_real(monitoring: Option<String>) -> String {
    if let Some(url) = monitoring {
        return url;
    }
    let settings = MonitoringConfig {
        docker_host: Some("unix:///nonexistent/docker.sock".into()),
        history_path: None,
        ..MonitoringConfig::default()
    };
    spawn_on_loopback(tool_monitoring::router(tool_monitoring::AppState::from_settings(&settings))).await
}
