//! `ReadOnlyDocker`: the only way this crate reaches the Docker API. It exposes list, inspect,
//! logs, stats, events and version — reads only — so no code path here can create, start, stop or
//! remove anything.
//! The mapping from Docker's container summary to our `ContainerInfo` lives here too.

use std::{collections::BTreeMap, error::Error as _, time::Duration};

use axum::{extract::State, Json};
use bollard::{
    models::{ContainerInspectResponse, ContainerSummary, SystemVersion},
    query_parameters::{InspectContainerOptions, ListContainersOptionsBuilder},
    Docker, API_DEFAULT_VERSION,
};
use homelab_common::ApiError;
use homelab_schemas::{ContainerInfo, PortBinding};

use crate::AppState;

/// Docker's default local socket.
pub const DEFAULT_DOCKER_HOST: &str = "unix:///var/run/docker.sock";

/// What to do when the Docker API is not where it was looked for.
const HINT: &str = "If Docker is elsewhere, set DOCKER_HOST: unix:///run/user/1000/docker.sock for rootless \
Docker, unix:///run/podman/podman.sock for podman, tcp://host:2375 for a remote engine or proxy";

/// The container events the event record asks Docker for (`health_status` also matches
/// `health_status: healthy` and `: unhealthy`). The Docker proxy allows `/events` with exactly
/// this filter.
pub const EVENT_ACTIONS: [&str; 8] = ["create", "start", "restart", "die", "oom", "kill", "health_status", "destroy"];

/// How long one Docker call may take before we answer 503.
const CALL_TIMEOUT: Duration = homelab_common::timeouts::DOCKER_CALL;

/// Why the Docker API could not answer.
#[derive(Debug, thiserror::Error)]
pub enum DockerUnavailable {
    /// 503 `Docker API unavailable: <reason>`.
    #[error("Docker API unavailable: {0}")]
    Unreachable(String),
    /// 404: Docker answered, but has no such container.
    #[error("No container named '{0}'")]
    NoSuchContainer(String),
}

impl DockerUnavailable {
    /// Names the container the user asked for, rather than Docker's own wording.
    fn naming(self, name: &str) -> Self {
        match self {
            Self::NoSuchContainer(_) => Self::NoSuchContainer(name.to_string()),
            other => other,
        }
    }
}

impl From<DockerUnavailable> for ApiError {
    fn from(e: DockerUnavailable) -> Self {
        match e {
            DockerUnavailable::NoSuchContainer(_) => ApiError::NotFound(e.to_string()),
            DockerUnavailable::Unreachable(_) => ApiError::ServiceUnavailable(e.to_string()),
        }
    }
}

/// A client for `host`; bollard checks that a Unix socket exists, and contacts nothing.
fn connect(host: &str) -> Result<Docker, String> {
    let timeout = CALL_TIMEOUT.as_secs();
    if host.starts_with("unix://") {
        Docker::connect_with_unix(host, timeout, API_DEFAULT_VERSION)
    } else {
        Docker::connect_with_http(host, timeout, API_DEFAULT_VERSION)
    }
    .map_err(|e| e.to_string())
}

/// Read-only access to a Docker-compatible API (Docker, podman, a docker-socket-proxy).
pub struct ReadOnlyDocker {
    /// The address in use, for logs and error messages (never holds a secret).
    host: String,
    /// The client, or why one could not be made from `DOCKER_HOST` (bollard will not make one
    /// for a Unix socket that does not exist yet; made again on the next call).
    client: std::sync::RwLock<Result<Docker, String>>,
}

impl ReadOnlyDocker {
    /// A client for `docker_host` (`unix://…`, `tcp://…`, `http://…`), default the local socket.
    /// Nothing is contacted until the first call, so the service starts without Docker, and a
    /// socket that appears later (Docker started after this service) is used from then on.
    pub fn new(docker_host: Option<&str>) -> Self {
        let host = docker_host.unwrap_or(DEFAULT_DOCKER_HOST).to_string();
        let client = std::sync::RwLock::new(connect(&host));
        Self { host, client }
    }

    /// The client, made now if it could not be before.
    fn client(&self) -> Result<Docker, String> {
        let made = self.client.read().unwrap_or_else(std::sync::PoisonError::into_inner).clone();
        if made.is_ok() {
            return made;
        }
        let fresh = connect(&self.host);
        if fresh.is_ok() {
            *self.client.write().unwrap_or_else(std::sync::PoisonError::into_inner) = fresh.clone();
        }
        fresh
    }

    /// Where the API is reached, e.g. `unix:///var/run/docker.sock`.
    pub fn describe(&self) -> &str {
        &self.host
    }

    async fn call<T, F>(&self, f: impl FnOnce(Docker) -> F) -> Result<T, DockerUnavailable>
    where
        F: std::future::Future<Output = Result<T, bollard::errors::Error>>,
    {
        let docker = self.client().map_err(|e| DockerUnavailable::Unreachable(format!("{e}. {HINT}")))?;
        match tokio::time::timeout(CALL_TIMEOUT, f(docker)).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(bollard::errors::Error::DockerResponseServerError { status_code: 404, message })) => {
                Err(DockerUnavailable::NoSuchContainer(message.chars().take(100).collect()))
            }
            Ok(Err(e)) => Err(DockerUnavailable::Unreachable(format!("{} ({}). {HINT}", reason(&e), self.host))),
            Err(_) => Err(DockerUnavailable::Unreachable(format!(
                "no answer from {} within {} s",
                self.host,
                CALL_TIMEOUT.as_secs()
            ))),
        }
    }

    /// Every container, running or not.
    pub async fn list_containers(&self) -> Result<Vec<ContainerSummary>, DockerUnavailable> {
        let options = ListContainersOptionsBuilder::default().all(true).build();
        self.call(|d| async move { d.list_containers(Some(options)).await }).await
    }

    /// One container's full description, by name or id.
    pub async fn inspect_container(&self, name: &str) -> Result<ContainerInspectResponse, DockerUnavailable> {
        let owned = name.to_string();
        self.call(|d| async move { d.inspect_container(&owned, None::<InspectContainerOptions>).await })
            .await
            .map_err(|e| e.naming(name))
    }

    /// The last `tail` lines of a container's output (stdout and stderr), optionally only those
    /// after `since` (Unix seconds).
    pub async fn logs(&self, name: &str, tail: usize, since: Option<i64>) -> Result<Vec<String>, DockerUnavailable> {
        use futures::StreamExt;
        let options = bollard::query_parameters::LogsOptionsBuilder::default()
            .stdout(true)
            .stderr(true)
            .tail(&tail.to_string())
            .since(since.unwrap_or(0).clamp(0, i64::from(i32::MAX)) as i32)
            .build();
        let owned = name.to_string();
        self.call(|d| async move {
            // Bounded at the source: the last `tail` lines, each cut, and no more than
            // STREAM_BYTES read, whatever the container printed.
            let mut stream = d.logs(&owned, Some(options));
            let mut kept = crate::logs::Tail::new(tail);
            while let Some(chunk) = stream.next().await {
                kept.push(&chunk?.into_bytes());
                if kept.received > crate::logs::STREAM_BYTES {
                    tracing::warn!(container = owned, "log stream over its byte limit; the rest was not read");
                    break;
                }
            }
            Ok(kept.finish())
        })
        .await
        .map_err(|e| e.naming(name))
    }

    /// One stats sample of a running container (the engine waits for a second CPU reading).
    pub async fn stats(&self, name: &str) -> Result<serde_json::Value, DockerUnavailable> {
        self.stats_sample(name, false).await
    }

    /// One container's figures now, without the engine's second CPU reading (the history takes
    /// CPU from two of its own samples a minute apart).
    pub async fn stats_once(&self, name: &str) -> Result<serde_json::Value, DockerUnavailable> {
        self.stats_sample(name, true).await
    }

    async fn stats_sample(&self, name: &str, one_shot: bool) -> Result<serde_json::Value, DockerUnavailable> {
        use futures::StreamExt;
        let options =
            bollard::query_parameters::StatsOptionsBuilder::default().stream(false).one_shot(one_shot).build();
        let owned = name.to_string();
        self.call(|d| async move {
            let mut stream = d.stats(&owned, Some(options));
            match stream.next().await {
                Some(sample) => Ok(serde_json::to_value(sample?).unwrap_or_default()),
                None => Ok(serde_json::Value::Null),
            }
        })
        .await
        .map_err(|e| e.naming(name))
    }

    /// Container events of the kinds in [`EVENT_ACTIONS`] as Docker sends them, from `since`
    /// (Unix seconds, with a fraction: Docker replays what it still holds since then) on. The
    /// stream stays open (no call timeout) until Docker or a proxy closes it.
    pub fn events(
        &self,
        since: Option<&str>,
    ) -> futures::stream::BoxStream<'static, Result<bollard::models::EventMessage, DockerUnavailable>> {
        use futures::StreamExt;
        let docker = match self.client() {
            Ok(docker) => docker,
            Err(e) => {
                let e = DockerUnavailable::Unreachable(format!("{e}. {HINT}"));
                return futures::stream::once(async move { Err(e) }).boxed();
            }
        };
        // One filter key only, so the query is the same every time and the proxy can allow
        // exactly it: `type` would come in another order on each call.
        let filters = std::collections::HashMap::from([(
            "event".to_string(),
            EVENT_ACTIONS.iter().map(|a| a.to_string()).collect::<Vec<_>>(),
        )]);
        let mut options = bollard::query_parameters::EventsOptionsBuilder::default().filters(&filters);
        if let Some(since) = since {
            options = options.since(since);
        }
        let host = self.host.clone();
        docker
            .events(Some(options.build()))
            .map(move |item| {
                item.map_err(|e| DockerUnavailable::Unreachable(format!("{} ({host}). {HINT}", reason(&e))))
            })
            .boxed()
    }

    /// The engine's version, a cheap reachability check.
    pub async fn version(&self) -> Result<SystemVersion, DockerUnavailable> {
        self.call(|d| async move { d.version().await }).await
    }
}

/// The most specific text in an error chain ("No such file or directory", "Connection refused").
fn reason(e: &bollard::errors::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text = s.to_string();
        source = s.source();
    }
    text
}

/// Docker's summary → our shape (docs/contract.md §9).
pub fn to_container_info(c: ContainerSummary) -> ContainerInfo {
    let id = c.id.unwrap_or_default();
    let name = c
        .names
        .as_ref()
        .and_then(|n| n.first())
        .map(|n| n.trim_start_matches('/').to_string())
        .unwrap_or_else(|| short_id(&id));
    ContainerInfo {
        id: short_id(&id),
        name,
        image: image_name(c.image.as_deref(), c.image_id.as_deref()),
        state: c.state.map(|s| s.to_string()).filter(|s| !s.is_empty()).unwrap_or_else(|| "unknown".into()).into(),
        status: c.status.unwrap_or_default(),
        created: c
            .created
            .and_then(|t| chrono::DateTime::from_timestamp(t, 0))
            .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
            .unwrap_or_default(),
        ports: ports_map(c.ports.unwrap_or_default()),
    }
}

/// A container's first name without Docker's leading `/`.
pub fn to_name(names: &Option<Vec<String>>) -> Option<String> {
    names.as_ref()?.first().map(|n| n.trim_start_matches('/').to_string())
}

/// 12 characters of an id, without any `sha256:` prefix.
fn short_id(id: &str) -> String {
    id.trim_start_matches("sha256:").chars().take(12).collect()
}

/// The tag the container was created from, or the short image id when it has none.
fn image_name(image: Option<&str>, image_id: Option<&str>) -> String {
    match image {
        Some(i) if !i.is_empty() && !i.starts_with("sha256:") && !looks_like_bare_id(i) => i.to_string(),
        Some(i) if !i.is_empty() => short_id(i),
        _ => image_id.map(short_id).unwrap_or_default(),
    }
}

fn looks_like_bare_id(s: &str) -> bool {
    s.len() == 64 && s.chars().all(|c| c.is_ascii_hexdigit())
}

fn ports_map(ports: Vec<bollard::models::Port>) -> BTreeMap<String, Option<Vec<PortBinding>>> {
    let mut map: BTreeMap<String, Option<Vec<PortBinding>>> = BTreeMap::new();
    for p in ports {
        let proto = p.typ.map(|t| t.to_string()).filter(|t| !t.is_empty()).unwrap_or_else(|| "tcp".into());
        let entry = map.entry(format!("{}/{}", p.private_port, proto)).or_insert(None);
        if let Some(public) = p.public_port {
            let binding =
                PortBinding { host_ip: p.ip.unwrap_or_else(|| "0.0.0.0".into()), host_port: public.to_string() };
            let list = entry.get_or_insert_with(Vec::new);
            if !list.contains(&binding) {
                list.push(binding);
            }
        }
    }
    map
}

/// `GET /containers`.
pub async fn answer(State(state): State<AppState>) -> Result<Json<Vec<ContainerInfo>>, ApiError> {
    let summaries = state.docker.list_containers().await?;
    Ok(Json(summaries.into_iter().map(to_container_info).collect()))
}

/// A tool's arguments from its query string (and its path's `name`), read into the catalog's
/// typed struct `A` by the check a model's call passes in the orchestrator: an unknown
/// parameter, a number out of range or a text that does not match is a 422 naming the field.
pub fn arguments<A: serde::de::DeserializeOwned>(
    tool: homelab_schemas::monitoring::ToolId,
    pairs: impl IntoIterator<Item = (String, String)>,
) -> Result<A, ApiError> {
    tool.arguments_from_text(pairs).map_err(ApiError::Unprocessable)
}

/// Container names as Docker allows them; anything else never reaches the Docker API.
pub fn checked_name(name: &str) -> Result<&str, ApiError> {
    if homelab_schemas::monitoring::ContainerName::is_valid(name) {
        Ok(name)
    } else {
        Err(ApiError::Unprocessable(format!(
            "'{}' is not a valid container name",
            name.chars().take(64).collect::<String>()
        )))
    }
}

#[cfg(test)]
mod tests;
