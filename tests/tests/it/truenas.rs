//! TrueNAS end to end: the real tool-monitoring against the fake TrueNAS (TrueNAS's JSON-RPC API
//! over TLS, trusted through TRUENAS_CA_CERT), for a 27 that only has `auth.login_ex`, a 25.10 and
//! a release before 25.04; the builtin model's prose on the real results; a cloud model that asks
//! for a topic through the whole stack; and the fake's results checked against TrueNAS's models.

use std::path::Path;

use e2e_tests::{
    fake_truenas::{data, Api, FakeTruenas, Options, API_KEY, READS, USERNAME},
    stack::{Llm, Stack},
};
use homelab_common::{startup::spawn_on_loopback, MonitoringConfig, Secret};
use homelab_schemas::{
    monitoring::{TruenasReport, TruenasStatus, TruenasTopic},
    ToolId, ToolOutput,
};
use llm_adapter::providers::builtin::truenas::say;
use serde_json::{json, Value};
use tool_monitoring::{router, truenas::calls::Method, AppState};

fn settings(fake: &FakeTruenas, username: Option<&str>, key: &str) -> MonitoringConfig {
    MonitoringConfig {
        truenas_url: Some(fake.url()),
        truenas_username: username.map(String::from),
        truenas_api_key: Some(Secret::new(key)),
        truenas_ca_cert: Some(fake.ca_file.clone()),
        docker_host: Some("unix:///nonexistent.sock".into()),
        history_path: None,
        ..MonitoringConfig::default()
    }
}

async fn monitoring(settings: &MonitoringConfig) -> String {
    let _ = rustls::crypto::ring::default_provider().install_default();
    spawn_on_loopback(router(AppState::from_settings(settings))).await
}

async fn get(url: String) -> (u16, Value) {
    let resp = reqwest::get(url).await.unwrap();
    (resp.status().as_u16(), resp.json().await.unwrap())
}

/// `GET /truenas?topic=…` read as the builtin model reads it.
async fn topic(base: &str, topic: TruenasTopic) -> (Value, TruenasStatus) {
    let (status, v) = get(format!("{base}/truenas?topic={}", topic.as_str())).await;
    assert_eq!(status, 200, "{topic:?}: {v}");
    let ToolOutput::TruenasStatus(t) = ToolOutput::parse(ToolId::TruenasStatus, &v.to_string()).unwrap() else {
        panic!("not a TrueNAS answer")
    };
    assert_eq!(t.report.as_ref().map(TruenasReport::topic), Some(topic));
    (v, t)
}

/// tool-monitoring's event record reads TrueNAS's alerts once at start, on a connection of its
/// own: waits for that read and says how many methods the fake had been sent by then.
async fn after_the_event_record_looked(fake: &FakeTruenas) -> usize {
    for _ in 0..200 {
        let seen = fake.methods();
        if seen.iter().any(|m| m == "alert.list") {
            return seen.len();
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("the event record never read TrueNAS's alerts: {:?}", fake.methods())
}

#[tokio::test]
async fn every_topic_is_answered_truly_by_a_truenas_27_that_only_has_login_ex() {
    let dir = tempfile::tempdir().unwrap();
    let fake = FakeTruenas::start(Api::V27, dir.path()).await;
    let base = monitoring(&settings(&fake, Some(USERNAME), API_KEY)).await;
    let from = after_the_event_record_looked(&fake).await;

    let (status, v) = get(format!("{base}/truenas")).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["report"]["topic"], "overview", "no topic is the overview");
    let prose = |t: &TruenasStatus| say(t);

    let (_, pools) = topic(&base, TruenasTopic::Pools).await;
    let p = prose(&pools);
    assert!(p.contains("Pool **tank** is ONLINE and healthy: 71% used (7.7 TiB of 10.9 TiB, 3.2 TiB free)."), "{p}");
    assert!(p.contains("The last scrub finished 3 days ago with 0 errors."), "{p}");
    assert!(
        p.contains("Pool **fast** is ONLINE and healthy: 23% used") && p.contains("A resilver is running: 45% done"),
        "{p}"
    );

    let (v, datasets) = topic(&base, TruenasTopic::Datasets).await;
    let names: Vec<&str> =
        v["report"]["datasets"].as_array().unwrap().iter().map(|d| d["name"].as_str().unwrap()).collect();
    assert_eq!(
        names[..4],
        ["tank/media", "tank/backups", "tank/apps", "tank/photos"],
        "largest first, pool roots left out"
    );
    let p = prose(&datasets);
    assert!(p.contains("**tank/media**: 6.1 TiB used") && p.contains("**tank/backups**: 1.2 TiB used"), "{p}");
    assert!(p.contains("60% of its 2.0 TiB quota"), "{p}");

    let (v, snapshots) = topic(&base, TruenasTopic::Snapshots).await;
    assert_eq!(v["report"]["replications"][0]["state"], "ERROR");
    let p = prose(&snapshots);
    assert!(p.starts_with("**1 task failed** on its last run:"), "{p}");
    assert!(p.contains("Replication **offsite** (tank/photos → backup/truenas/photos) **failed**"), "{p}");
    assert!(p.contains("ssh: connect to host backup.lan port 22: Connection refused"), "{p}");
    assert!(
        p.contains("Snapshots of **tank/photos** finished") && p.contains("Snapshots of **tank/apps** finished"),
        "{p}"
    );

    let (_, disks) = topic(&base, TruenasTopic::Disks).await;
    let p = prose(&disks);
    assert!(p.starts_with("The hottest disk is **sdb** at 47 °C; the others are at 34–39 °C."), "{p}");

    let (_, apps) = topic(&base, TruenasTopic::Apps).await;
    let p = prose(&apps);
    assert!(
        p.starts_with("1 of 2 apps has an update:\n\n- **immich**:") && p.ends_with("Up to date: **plex**."),
        "{p}"
    );

    let (_, system) = topic(&base, TruenasTopic::System).await;
    let p = prose(&system);
    assert!(p.starts_with("This is **TrueNAS-25.10.1** on **truenas**, up 12 days, 3 hours, 25 minutes."), "{p}");

    let (_, alerts) = topic(&base, TruenasTopic::Alerts).await;
    let p = prose(&alerts);
    assert_eq!(p, "TrueNAS has 2 active alerts:\n\n- **CRITICAL**: Replication \"offsite\" failed\n- **WARNING**: Pool fast is resilvering");

    // One connection per request: log in, wait, narrow to read-only, then the topic's reads.
    let seen = fake.methods()[from..].to_vec();
    assert!(
        !seen.iter().any(|m| m == "auth.login_with_api_key"),
        "the deprecated login is never tried on 27: {seen:?}"
    );
    assert_eq!(seen[..4], ["auth.login_ex", "privilege.become_readonly", "pool.query", "alert.list"]);
    let allowed: Vec<&str> = Method::ALL.iter().map(|m| m.name()).collect();
    assert!(seen.iter().all(|m| allowed.contains(&m.as_str())), "only the fixed list: {seen:?}");
    assert!(seen
        .iter()
        .all(|m| m.starts_with("auth.") || m == "privilege.become_readonly" || READS.contains(&m.as_str())));
    assert_eq!(seen.iter().filter(|m| *m == "auth.login_ex").count(), 8, "one login per request");
}

#[tokio::test]
async fn truenas_25_10_logs_in_with_login_ex_and_an_older_one_falls_back_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let current = FakeTruenas::start(Api::V25_10, dir.path()).await;
    let base = monitoring(&settings(&current, Some(USERNAME), API_KEY)).await;
    let from = after_the_event_record_looked(&current).await;
    topic(&base, TruenasTopic::Pools).await;
    assert_eq!(current.methods()[from..], ["auth.login_ex", "privilege.become_readonly", "pool.query"]);

    let old_dir = tempfile::tempdir().unwrap();
    let old = FakeTruenas::start(Api::Legacy, old_dir.path()).await;
    let base = monitoring(&settings(&old, Some(USERNAME), API_KEY)).await;
    let from = after_the_event_record_looked(&old).await;
    topic(&base, TruenasTopic::Alerts).await;
    assert_eq!(
        old.methods()[from..from + 3],
        ["auth.login_ex", "auth.login_with_api_key", "privilege.become_readonly"]
    );
    let base = monitoring(&settings(&old, Some(USERNAME), "7-WrongKeyForTheOldTrueNAS")).await;
    let (status, v) = get(format!("{base}/truenas?topic=alerts")).await;
    assert_eq!(status, 503);
    let detail = v["detail"].as_str().unwrap();
    assert!(
        detail.contains("auth.login_with_api_key did not accept the key") && detail.contains("before 25.04"),
        "{detail}"
    );
    assert!(!detail.contains("WrongKey"), "{detail}");
}

#[tokio::test]
async fn a_wrong_key_or_user_is_a_503_naming_the_login_and_never_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let fake = FakeTruenas::start(Api::V27, dir.path()).await;
    for (user, key) in [(USERNAME, "7-NotTheRightKeyAtAll"), ("someone", API_KEY)] {
        let base = monitoring(&settings(&fake, Some(user), key)).await;
        let (status, v) = get(format!("{base}/truenas?topic=pools")).await;
        assert_eq!(status, 503);
        let detail = v["detail"].as_str().unwrap();
        assert!(
            detail.starts_with("TrueNAS API unavailable: auth.login_ex did not accept the key (AUTH_ERR for the user"),
            "{detail}"
        );
        assert!(!detail.contains(key), "{detail}");
    }
    assert!(!fake.methods().iter().any(|m| m == "pool.query"), "nothing is read without a login");

    let base = monitoring(&settings(&fake, None, API_KEY)).await;
    let (status, v) = get(format!("{base}/truenas")).await;
    assert_eq!(status, 503);
    assert!(v["detail"].as_str().unwrap().contains("TRUENAS_USERNAME is not set"), "{v}");
    let (_, offered) = get(format!("{base}/tools/available")).await;
    assert!(offered["available"].as_array().unwrap().contains(&json!("get_truenas_status")), "offered, to say why");
}

#[tokio::test]
async fn a_user_narrower_than_readonly_admin_reads_what_its_roles_allow_and_is_told_which_role_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    let options = Options { api: Api::V27, narrow_role: true, ..Options::default() };
    let fake = FakeTruenas::start_with(options, "127.0.0.1:0".parse().unwrap(), dir.path()).await.unwrap();
    let base = monitoring(&settings(&fake, Some(USERNAME), API_KEY)).await;
    // README's narrowest privilege (L10): the *_READ roles alone answer every topic but `system`.
    for t in TruenasTopic::ALL.into_iter().filter(|t| *t != TruenasTopic::System) {
        topic(&base, t).await;
    }
    let (status, v) = get(format!("{base}/truenas?topic=system")).await;
    assert_eq!(status, 503);
    assert_eq!(
        v["detail"],
        "TrueNAS API unavailable: system.info is not allowed for this user: it needs the READONLY_ADMIN role (README, \
         \"TrueNAS SCALE\")"
    );
}

#[tokio::test]
async fn bad_topics_are_422_an_untrusted_certificate_gets_no_key_and_alerts_are_problems() {
    let dir = tempfile::tempdir().unwrap();
    let fake = FakeTruenas::start(Api::V27, dir.path()).await;
    let base = monitoring(&settings(&fake, Some(USERNAME), API_KEY)).await;
    for query in ["topic=shares", "topic=", "pool=tank"] {
        let (status, v) = get(format!("{base}/truenas?{query}")).await;
        assert_eq!(status, 422, "{query}: {v}");
        assert!(v["detail"].as_str().is_some(), "{v}");
    }
    let (_, problems) = get(format!("{base}/problems")).await;
    let critical = problems["problems"].as_array().unwrap().iter().find(|p| p["kind"] == "truenas alert").unwrap();
    assert_eq!(
        (critical["severity"].as_str(), critical["reason"].as_str()),
        (Some("critical"), Some("Replication \"offsite\" failed"))
    );

    let before = fake.methods().len();
    let mut untrusted = settings(&fake, Some(USERNAME), API_KEY);
    untrusted.truenas_ca_cert = None;
    let base = monitoring(&untrusted).await;
    let (status, _) = get(format!("{base}/truenas")).await;
    assert_eq!(status, 503);
    assert_eq!(fake.methods().len(), before, "the key was never sent to an unverified server");

    let off = monitoring(&MonitoringConfig { history_path: None, ..MonitoringConfig::default() }).await;
    let (_, v) = get(format!("{off}/truenas")).await;
    assert_eq!((v["configured"].as_bool(), v.get("report")), (Some(false), None));
}

#[tokio::test]
async fn truenas_s_own_certificate_naming_only_localhost_is_trusted_as_itself_at_the_lan_address() {
    let dir = tempfile::tempdir().unwrap();
    let fake = FakeTruenas::start(Api::V27, dir.path()).await;
    // A container reaches the NAS by address; TrueNAS's certificate names only localhost.
    let mut by_address = settings(&fake, Some(USERNAME), API_KEY);
    by_address.truenas_url = Some(format!("https://127.0.0.1:{}", fake.addr.port()));
    let base = monitoring(&by_address).await;
    topic(&base, TruenasTopic::System).await;

    // Another certificate in TRUENAS_CA_CERT vouches for nothing: no key is sent.
    let other_dir = tempfile::tempdir().unwrap();
    let other = FakeTruenas::start(Api::V27, other_dir.path()).await;
    let before = fake.methods().len();
    for url in [format!("https://127.0.0.1:{}", fake.addr.port()), fake.url()] {
        let mut wrong = by_address.clone();
        wrong.truenas_url = Some(url);
        wrong.truenas_ca_cert = Some(other.ca_file.clone());
        let base = monitoring(&wrong).await;
        let (status, v) = get(format!("{base}/truenas")).await;
        assert_eq!(status, 503, "{v}");
        assert!(v["detail"].as_str().unwrap().contains("cannot connect"), "{v}");
    }
    assert_eq!(fake.methods().len(), before, "the key never went to a server it could not verify");
}

#[tokio::test]
async fn a_cloud_model_gets_the_topic_it_asks_for_through_the_whole_stack() {
    use wiremock::{matchers::method, Mock, MockServer, Request, ResponseTemplate};
    let dir = tempfile::tempdir().unwrap();
    let fake = FakeTruenas::start(Api::V27, dir.path()).await;
    let cloud = MockServer::start().await;
    // First turn: ask for the snapshots topic; once the result is in, answer.
    Mock::given(method("POST"))
        .respond_with(|request: &Request| {
            let body: Value = serde_json::from_slice(&request.body).unwrap();
            let answered = body["messages"].as_array().unwrap().iter().any(|m| m["role"] == "tool");
            let message = if answered {
                json!({"role": "assistant", "content": "Replication offsite failed."})
            } else {
                json!({"role": "assistant", "content": null, "tool_calls": [{"id": "call_1", "type": "function",
                    "function": {"name": "get_truenas_status", "arguments": "{\"topic\": \"snapshots\"}"}}]})
            };
            ResponseTemplate::new(200).set_body_json(json!({"id": "x", "object": "chat.completion", "model": "m",
                "choices": [{"index": 0, "message": message, "finish_reason": if answered { "stop" } else { "tool_calls" }}]}))
        })
        .mount(&cloud)
        .await;
    let (url, ca) = (fake.url(), fake.ca_file.display().to_string());
    let uri = cloud.uri();
    let stack = tokio::task::spawn_blocking(move || {
        let extra = [
            ("PREFETCH_TOOLS", "false"),
            ("TRUENAS_URL", url.as_str()),
            ("TRUENAS_USERNAME", USERNAME),
            ("TRUENAS_API_KEY", API_KEY),
            ("TRUENAS_CA_CERT", ca.as_str()),
        ];
        Stack::start(Llm::OpenAi(uri), &extra)
    })
    .await
    .unwrap();
    let (status, body) = stack.chat(&json!({"message": "Did last night's backups run?"})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["tool_calls_made"], json!(["get_truenas_status"]));
    let requests = cloud.received_requests().await.unwrap();
    let first: Value = serde_json::from_slice(&requests[0].body).unwrap();
    let offered =
        first["tools"].as_array().unwrap().iter().find(|t| t["function"]["name"] == "get_truenas_status").unwrap();
    assert_eq!(offered["function"]["parameters"]["properties"]["topic"]["enum"], json!(TruenasTopic::NAMES));
    let second: Value = serde_json::from_slice(&requests[1].body).unwrap();
    let result = second["messages"].as_array().unwrap().iter().find(|m| m["role"] == "tool").unwrap()["content"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(result.contains("\"topic\":\"snapshots\"") && result.contains("Connection refused"), "{result}");
    assert!(!result.contains(API_KEY) && !stack.audit().iter().any(|l| l.to_string().contains(API_KEY)));
}

/// The fixtures: TrueNAS's API models' shapes, derived by hand (each notes its source file and
/// commit).
fn schema(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/truenas").join(format!("{name}.schema.json"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn assert_valid(name: &str, value: &Value) {
    let validator = jsonschema::validator_for(&schema(name)).unwrap();
    let errors: Vec<String> = validator.iter_errors(value).map(|e| format!("{} at {}", e, e.instance_path)).collect();
    assert!(errors.is_empty(), "{name}: {errors:?}");
}

#[tokio::test]
async fn the_fake_answers_as_truenas_s_api_models_shape_it() {
    let now = chrono::Utc::now();
    for method in READS {
        let params = if *method == "pool.dataset.query" { Method::DatasetQuery.read_params() } else { json!([]) };
        let result = data::result(method, &params, now).unwrap();
        assert_valid(method, &result);
        // A shape the models do not allow is caught: the check can fail.
        let mut broken = result.clone();
        match &mut broken {
            Value::Array(items) => items[0]["name"] = json!(42),
            Value::Object(map) => {
                map.insert("hostname".into(), json!(42));
                map.insert("sda".into(), json!("hot"));
            }
            _ => unreachable!(),
        }
        let validator = jsonschema::validator_for(&schema(method)).unwrap();
        assert!(!validator.is_valid(&broken), "{method} accepts a wrong type");
    }
    // The logins and errors, as the fake sends them on the wire.
    let dir = tempfile::tempdir().unwrap();
    let fake = FakeTruenas::start(Api::V27, dir.path()).await;
    let _ = rustls::crypto::ring::default_provider().install_default();
    let answers = wire(
        &fake,
        &[
            ("auth.login_with_api_key", json!([API_KEY])),
            ("pool.query", json!([])),
            ("auth.login_ex", json!([{"mechanism": "API_KEY_PLAIN", "username": USERNAME, "api_key": "1-wrong"}])),
            (
                "auth.login_ex",
                json!([{"mechanism": "API_KEY_PLAIN", "username": USERNAME, "api_key": API_KEY,
            "login_options": {"user_info": false}}]),
            ),
            ("privilege.become_readonly", json!([])),
        ],
    )
    .await;
    assert_eq!(answers[0]["error"], json!({"code": -32601, "message": "Method does not exist"}), "gone in 27");
    assert_eq!(answers[1]["error"]["data"]["errname"], "ENOTAUTHENTICATED");
    for error in &answers[..2] {
        assert_valid("jsonrpc-error", error);
    }
    assert_eq!(answers[2]["result"], json!({"response_type": "AUTH_ERR"}));
    assert_eq!(answers[3]["result"]["response_type"], "SUCCESS");
    for answer in &answers[2..4] {
        assert_valid("auth.login_ex", &answer["result"]);
    }
    assert_valid("privilege.become_readonly", &answers[4]["result"]);
}

/// Sends each call and waits for its answer, skipping notifications.
async fn wire(fake: &FakeTruenas, calls: &[(&str, Value)]) -> Vec<Value> {
    use futures::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;
    let mut roots = rustls::RootCertStore::empty();
    for cert in rustls_pki_types::pem::PemObject::pem_file_iter(&fake.ca_file).unwrap() {
        roots.add(cert.unwrap()).unwrap();
    }
    let tls = rustls::ClientConfig::builder().with_root_certificates(roots).with_no_client_auth();
    let url = format!("wss://localhost:{}/api/current", fake.addr.port());
    let connector = tokio_tungstenite::Connector::Rustls(std::sync::Arc::new(tls));
    let (mut ws, _) =
        tokio_tungstenite::connect_async_tls_with_config(url, None, false, Some(connector)).await.unwrap();
    let mut answers = Vec::new();
    for (id, (method, params)) in calls.iter().enumerate() {
        let call = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
        ws.send(Message::Text(call.to_string().into())).await.unwrap();
        loop {
            let Some(Ok(Message::Text(text))) = ws.next().await else { panic!("closed") };
            let answer: Value = serde_json::from_str(text.as_str()).unwrap();
            if answer["id"] == json!(id) {
                answers.push(answer);
                break;
            }
        }
    }
    answers
}
