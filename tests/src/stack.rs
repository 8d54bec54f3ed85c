//! The one test stack of the end-to-end tests, the fault tests and the benchmark: the four real
//! binaries as separate processes on free loopback ports, wired to each other over real HTTP,
//! with their database and audit log in a temporary folder.

use std::{
    path::{Path, PathBuf},
    time::{Duration, Instant},
};

use homelab_common::testing::RunningBinary;
use serde_json::Value;

/// The gateway's key in every stack.
pub const KEY: &str = "stack-key-0123456789abcdef";
/// The internal token the services share.
pub const INTERNAL_TOKEN: &str = "stack-internal-token-0123";
/// How long a service may take to answer `/health` after it is started.
const HEALTHY: Duration = Duration::from_secs(15);

/// Where the podman fixture serves the Docker API, when it runs.
pub fn docker_host() -> String {
    std::env::var("TEST_DOCKER_HOST").unwrap_or_else(|_| "unix:///tmp/homelab-podman/podman.sock".into())
}

/// Whether a Docker API is there to test against.
pub fn docker_available() -> bool {
    let host = docker_host();
    // Something must answer: a socket left behind by a killed podman service is not one.
    !host.starts_with("unix://") || std::os::unix::net::UnixStream::connect(host.trim_start_matches("unix://")).is_ok()
}

/// Where the services' binaries are.
#[derive(Debug, Clone)]
pub struct Binaries {
    dir: PathBuf,
    prefix: &'static str,
}

impl Binaries {
    /// The binaries in `dir` under their own names (the release ones, for the benchmark and
    /// the evaluation).
    pub fn in_dir(dir: &Path) -> Self {
        Self { dir: std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf()), prefix: "" }
    }

    /// This package's `stack-<service>` binaries (src/bin/stack_*.rs, each the service's own
    /// `main`): cargo builds them before it runs this package's integration tests, next to the
    /// `deps/` folder the test runs from. No test builds anything.
    pub fn for_tests() -> Self {
        let exe = std::env::current_exe().expect("the test's own path");
        let mut dir = exe.parent().expect("a folder").to_path_buf();
        if dir.ends_with("deps") {
            dir.pop();
        }
        let binaries = Self { dir, prefix: "stack-" };
        let gateway = binaries.path("gateway");
        assert!(
            gateway.exists(),
            "{} is missing: run the tests with cargo (cargo test -p e2e-tests), which builds it",
            gateway.display()
        );
        binaries
    }

    /// The binary of `service` (`gateway`, `tool-monitoring`…).
    pub fn path(&self, service: &str) -> PathBuf {
        self.dir.join(format!("{}{service}", self.prefix))
    }
}

/// The services in start order, with their port variable.
pub const SERVICES: [(&str, &str); 4] = [
    ("tool-monitoring", "MONITORING_PORT"),
    ("llm-adapter", "LLM_ADAPTER_PORT"),
    ("orchestrator", "ORCHESTRATOR_PORT"),
    ("gateway", "GATEWAY_PORT"),
];

/// Indexes of the services in a [`Stack`].
pub const MONITORING: usize = 0;
pub const ADAPTER: usize = 1;
pub const ORCHESTRATOR: usize = 2;
pub const GATEWAY: usize = 3;

/// Which model answers.
#[derive(Debug, Clone)]
pub enum Llm {
    /// The builtin offline model.
    Builtin,
    /// An OpenAI-compatible server at this base URL, as `LLM_PROVIDER=openai`.
    OpenAi(String),
    /// Groq's wire at this base URL, as `LLM_PROVIDER=groq`.
    Groq(String),
    /// An Ollama server at this base URL with this model, as `LLM_PROVIDER=ollama` (no key).
    Ollama(String, String),
    /// A cloud provider is selected but has no key.
    Unconfigured,
    /// The orchestrator is pointed at an llm-adapter that is not there.
    Down,
}

/// One running service and how long it took from exec to its first healthy `/health`.
pub struct Service {
    pub name: &'static str,
    pub binary: RunningBinary,
    pub startup: Duration,
}

impl Service {
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.binary.port)
    }
}

/// The four services.
pub struct Stack {
    /// In [`SERVICES`] order; the adapter is `None` while a test has it stopped.
    services: Vec<Option<Service>>,
    /// Each service's environment, to start it again the same way.
    envs: Vec<Vec<(String, String)>>,
    binaries: Binaries,
    pub dir: tempfile::TempDir,
}

impl Stack {
    /// Starts the test binaries ([`Binaries::for_tests`]) with `llm` and `extra` variables
    /// (which win over the defaults: a fresh database and audit log, the Docker fixture, a high
    /// rate limit, quiet logs).
    pub fn start(llm: Llm, extra: &[(&str, &str)]) -> Self {
        Self::start_with(Binaries::for_tests(), llm, extra)
    }

    /// The same from the binaries in `bin_dir` (the benchmark runs the release ones).
    pub fn start_from(bin_dir: &Path, llm: Llm, extra: &[(&str, &str)]) -> Self {
        Self::start_with(Binaries::in_dir(bin_dir), llm, extra)
    }

    fn start_with(binaries: Binaries, llm: Llm, extra: &[(&str, &str)]) -> Self {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let mut common: Vec<(String, String)> = [
            ("LOG_LEVEL", "warning".to_string()),
            ("API_KEY", KEY.into()),
            ("RATE_LIMIT_REQUESTS", "1000000000".into()),
            ("DOCKER_HOST", docker_host()),
            ("DB_PATH", dir.path().join("data/db.sqlite3").display().to_string()),
            ("HISTORY_PATH", dir.path().join("data/history.json").display().to_string()),
            ("AUDIT_LOG_PATH", dir.path().join("data/audit.jsonl").display().to_string()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        let provider: &[(&str, String)] = &match &llm {
            Llm::Builtin | Llm::Down => vec![("LLM_PROVIDER", "builtin".into())],
            Llm::OpenAi(url) => vec![
                ("LLM_PROVIDER", "openai".into()),
                ("OPENAI_API_KEY", "sk-stack-cloud-key-123".into()),
                ("LLM_BASE_URL", url.clone()),
            ],
            Llm::Groq(url) => vec![
                ("LLM_PROVIDER", "groq".into()),
                ("GROQ_API_KEY", "gsk_stack_cloud_key_123".into()),
                ("LLM_BASE_URL", url.clone()),
            ],
            Llm::Ollama(url, model) => {
                vec![("LLM_PROVIDER", "ollama".into()), ("LLM_BASE_URL", url.clone()), ("LLM_MODEL", model.clone())]
            }
            Llm::Unconfigured => vec![("LLM_PROVIDER", "openai".into())],
        };
        common.extend(provider.iter().map(|(k, v)| (k.to_string(), v.clone())));
        common.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        let mut stack = Self { services: Vec::new(), envs: Vec::new(), binaries, dir };
        for (index, _) in SERVICES.iter().enumerate() {
            let mut env = common.clone();
            match index {
                ORCHESTRATOR => {
                    let adapter = match llm {
                        Llm::Down => "http://127.0.0.1:1".to_string(),
                        _ => stack.url(ADAPTER),
                    };
                    env.push(("LLM_ADAPTER_URL".into(), adapter));
                    env.push(("MONITORING_URL".into(), stack.url(MONITORING)));
                }
                GATEWAY => env.push(("ORCHESTRATOR_URL".into(), stack.url(ORCHESTRATOR))),
                _ => {}
            }
            // The caller's variables win over the wiring too.
            env.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
            stack.envs.push(env);
            let service = stack.launch(index, None);
            stack.services.push(Some(service));
        }
        stack
    }

    fn launch(&self, index: usize, port: Option<u16>) -> Service {
        let (name, port_var) = SERVICES[index];
        let exe = self.binaries.path(name).display().to_string();
        let env: Vec<(&str, &str)> = self.envs[index].iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let started = Instant::now();
        let mut binary = match port {
            Some(port) => RunningBinary::start_on(&exe, port_var, port, &env),
            None => RunningBinary::start(&exe, port_var, &env),
        };
        binary.wait_healthy(HEALTHY);
        Service { name, binary, startup: started.elapsed() }
    }

    fn url(&self, index: usize) -> String {
        self.services[index].as_ref().map(Service::url).expect("the service runs")
    }

    pub fn services(&self) -> impl Iterator<Item = &Service> {
        self.services.iter().flatten()
    }

    pub fn monitoring_url(&self) -> String {
        self.url(MONITORING)
    }
    pub fn adapter_url(&self) -> String {
        self.url(ADAPTER)
    }
    pub fn orchestrator_url(&self) -> String {
        self.url(ORCHESTRATOR)
    }
    pub fn gateway_url(&self) -> String {
        self.url(GATEWAY)
    }

    /// The running service at `index` (see [`MONITORING`] …), if it runs.
    pub fn service(&self, index: usize) -> Option<&Service> {
        self.services[index].as_ref()
    }

    /// Takes a service out of the stack (to stop it from another thread, or to drop it).
    pub fn take(&mut self, index: usize) -> Option<Service> {
        self.services[index].take()
    }

    /// Kills a service (SIGKILL), as a crash would, and returns the port it had.
    pub fn kill(&mut self, index: usize) -> u16 {
        let mut service = self.take(index).expect("the service runs");
        let _ = service.binary.child.kill();
        let _ = service.binary.child.wait();
        service.binary.port
    }

    /// Starts a service again on `port`, where the others expect it.
    pub fn restart(&mut self, index: usize, port: u16) {
        let service = self.launch(index, Some(port));
        self.services[index] = Some(service);
    }

    /// `POST /chat` through the gateway with the key.
    pub async fn chat(&self, body: &Value) -> (u16, Value) {
        self.chat_with(Some(KEY), "application/json", body.to_string()).await
    }

    /// `POST /chat` with any key, content type and body.
    pub async fn chat_with(&self, key: Option<&str>, content_type: &str, body: String) -> (u16, Value) {
        let mut request = reqwest::Client::new()
            .post(format!("{}/chat", self.gateway_url()))
            .header("content-type", content_type)
            .body(body);
        if let Some(key) = key {
            request = request.header("X-API-Key", key);
        }
        let response = request.send().await.expect("the gateway answers");
        (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
    }

    /// `POST /chat/stream`, with the key unless `key` is `None`; the response is left unread.
    pub async fn stream(&self, key: Option<&str>, body: &Value) -> reqwest::Response {
        let mut request = reqwest::Client::new().post(format!("{}/chat/stream", self.gateway_url())).json(body);
        if let Some(key) = key {
            request = request.header("X-API-Key", key);
        }
        request.send().await.expect("the gateway answers")
    }

    pub fn audit_path(&self) -> PathBuf {
        self.dir.path().join("data/audit.jsonl")
    }

    pub fn db_path(&self) -> PathBuf {
        self.dir.path().join("data/db.sqlite3")
    }

    /// The audit file's lines so far (the writer syncs within 100 ms).
    pub fn audit(&self) -> Vec<Value> {
        read_jsonl(&self.audit_path())
    }

    /// How many messages the sessions table counts for a conversation, read from the SQLite file.
    pub fn message_count(&self, conversation_id: &str) -> Option<i64> {
        let db = rusqlite::Connection::open(self.db_path()).ok()?;
        db.query_row("SELECT message_count FROM sessions WHERE conversation_id = ?1", [conversation_id], |r| r.get(0))
            .ok()
    }
}

/// The JSON lines of a file, skipping any that do not parse (a line being written).
pub fn read_jsonl(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path).unwrap_or_default().lines().filter_map(|l| serde_json::from_str(l).ok()).collect()
}
