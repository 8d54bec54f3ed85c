//! What every test module here starts from: a key, settings pointing at a fake orchestrator, and
//! the gateway served on a loopback port.

use gateway::{router, AppState};
use homelab_common::{startup::spawn_on_loopback, GatewayConfig, Secret};

pub const KEY: &str = "test-key-4f1c9b2e";

/// The default settings with [`KEY`] and `orchestrator` as the orchestrator's address.
pub fn settings(orchestrator: &str) -> GatewayConfig {
    GatewayConfig { api_key: Some(Secret::new(KEY)), orchestrator_url: orchestrator.into(), ..GatewayConfig::default() }
}

/// The gateway with `settings`, on a loopback port; its base URL.
pub async fn spawn(settings: GatewayConfig) -> String {
    let state = AppState::from_settings(&settings).unwrap();
    spawn_on_loopback(router(state, &settings)).await
}
