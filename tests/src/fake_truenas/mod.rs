//! A fake TrueNAS SCALE at the edge of the tests: its JSON-RPC 2.0 WebSocket API (`/api/current`)
//! over TLS with a self-signed certificate, answering the read methods from one fixed scenario
//! ([`data`]) and recording every method it is sent.
//!
//! It behaves as TrueNAS's `RpcWebSocketHandler` does (middleware
//! `src/middlewared/middlewared/api/base/server/ws_handler/rpc.py`): an unknown method gets
//! `-32601 "Method does not exist"` before any authentication; every other message runs as its
//! own task, so a read sent alongside the login may run first and get `-32001 "Method call
//! error"` with `ENOTAUTHENTICATED`; a call the user's role does not allow gets `EACCES`.
//! [`Api`] says which logins exist: 25.10 has both, 27 has only `auth.login_ex` (and
//! `privilege.become_readonly`, from 26), a release before 25.04 only `auth.login_with_api_key`.

pub mod data;

use std::{
    net::SocketAddr,
    path::{Path, PathBuf},
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc, Mutex,
    },
    time::Duration,
};

use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

/// The user the test key belongs to.
pub const USERNAME: &str = "homelab";
/// The one key the fake accepts, in TrueNAS's `<id>-<key>` form.
pub const API_KEY: &str = "7-HomelabAssistantFakeTruenasReadOnlyKey0123456789";

/// Which TrueNAS release the fake's API is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Api {
    /// Before 25.04: `auth.login_with_api_key` only.
    Legacy,
    /// 25.10: `auth.login_ex` and the deprecated `auth.login_with_api_key`.
    V25_10,
    /// 27: `auth.login_ex` only, and `privilege.become_readonly`.
    V27,
}

impl Api {
    fn has(self, method: &str) -> bool {
        match method {
            "auth.login_ex" => self != Self::Legacy,
            "auth.login_with_api_key" => self != Self::V27,
            "privilege.become_readonly" => self == Self::V27,
            _ => true,
        }
    }
}

/// How the fake is started.
#[derive(Debug, Clone)]
pub struct Options {
    pub api: Api,
    /// The user has a narrower privilege than READONLY_ADMIN: `system.info` and
    /// `privilege.become_readonly` are refused with EACCES.
    pub narrow_role: bool,
    /// Names (and IP addresses) the certificate is for, besides `localhost`: none by default, as
    /// TrueNAS's own self-signed certificate names only `localhost`.
    pub hostnames: Vec<String>,
    /// One more active alert, with this text: what a share, app or dataset name someone chose can
    /// make TrueNAS say (the tests of untrusted tool output use it).
    pub alert: Option<String>,
}

impl Default for Options {
    fn default() -> Self {
        Self { api: Api::V25_10, narrow_role: false, hostnames: Vec::new(), alert: None }
    }
}

/// A running fake; it stops when dropped.
pub struct FakeTruenas {
    pub addr: SocketAddr,
    /// The certificate to trust (`TRUENAS_CA_CERT`).
    pub ca_file: PathBuf,
    seen: Arc<Mutex<Vec<String>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for FakeTruenas {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl FakeTruenas {
    /// Starts on a free loopback port; the certificate is written into `dir`.
    pub async fn start(api: Api, dir: &Path) -> Self {
        Self::start_with(Options { api, ..Options::default() }, "127.0.0.1:0".parse().unwrap(), dir)
            .await
            .expect("the fake TrueNAS starts")
    }

    pub async fn start_with(options: Options, addr: SocketAddr, dir: &Path) -> std::io::Result<Self> {
        let mut names = vec!["localhost".to_string()];
        names.extend(options.hostnames.iter().cloned());
        let cert = rcgen::generate_simple_self_signed(names).map_err(std::io::Error::other)?;
        let ca_file = dir.join("truenas-ca.pem");
        std::fs::write(&ca_file, cert.cert.pem())?;
        let key = rustls_pki_types::PrivateKeyDer::try_from(cert.signing_key.serialize_der())
            .map_err(std::io::Error::other)?;
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let tls = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .and_then(|b| b.with_no_client_auth().with_single_cert(vec![cert.cert.der().clone()], key))
            .map_err(std::io::Error::other)?;
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(tls));
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        let task = tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                let (acceptor, log, options) = (acceptor.clone(), log.clone(), options.clone());
                tokio::spawn(async move {
                    let Ok(tls) = acceptor.accept(tcp).await else { return };
                    let Ok(ws) = tokio_tungstenite::accept_async(tls).await else { return };
                    serve(ws, log, options).await;
                });
            }
        });
        Ok(Self { addr, ca_file, seen, task })
    }

    /// `https://localhost:<port>`, as `TRUENAS_URL`.
    pub fn url(&self) -> String {
        format!("https://localhost:{}", self.addr.port())
    }

    /// Every method it was sent, in order.
    pub fn methods(&self) -> Vec<String> {
        self.seen.lock().unwrap().clone()
    }
}

/// The methods the fake answers once logged in, besides the logins.
pub const READS: &[&str] = &[
    "pool.query",
    "pool.dataset.query",
    "pool.snapshottask.query",
    "replication.query",
    "disk.temperatures",
    "app.query",
    "system.info",
    "alert.list",
];

/// One connection: each message is its own task, as in TrueNAS, answering through one writer.
async fn serve<S>(ws: tokio_tungstenite::WebSocketStream<S>, log: Arc<Mutex<Vec<String>>>, options: Options)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let (mut sink, mut stream) = ws.split();
    let (tx, mut rx) = mpsc::unbounded_channel::<Value>();
    let writer = tokio::spawn(async move {
        while let Some(message) = rx.recv().await {
            if sink.send(Message::Text(message.to_string().into())).await.is_err() {
                break;
            }
        }
    });
    let authenticated = Arc::new(AtomicBool::new(false));
    while let Some(Ok(Message::Text(text))) = stream.next().await {
        let Ok(call) = serde_json::from_str::<Value>(text.as_str()) else {
            let _ = tx.send(error(Value::Null, -32700, "Invalid JSON", None));
            continue;
        };
        let (id, method) = (call["id"].clone(), call["method"].as_str().unwrap_or_default().to_string());
        log.lock().unwrap().push(method.clone());
        let known = ["auth.login_ex", "auth.login_with_api_key", "privilege.become_readonly"]
            .contains(&method.as_str())
            || READS.contains(&method.as_str());
        if !known || !options.api.has(&method) {
            let _ = tx.send(error(id, -32601, "Method does not exist", None));
            continue;
        }
        let (tx, authenticated, options) = (tx.clone(), authenticated.clone(), options.clone());
        tokio::spawn(async move {
            let answer = answer(&method, &call["params"], &authenticated, &options).await;
            let _ = tx.send(match answer {
                Ok(result) => json!({"jsonrpc": "2.0", "result": result, "id": id}),
                Err((errno, errname, reason)) => error(id, -32001, "Method call error", Some((errno, errname, reason))),
            });
            // TrueNAS also sends notifications on the same connection; a client must skip them.
            let _ = tx.send(json!({"jsonrpc": "2.0", "method": "collection_update",
                "params": {"msg": "changed", "collection": "core.get_jobs", "id": 1, "fields": {}}}));
        });
    }
    drop(tx);
    let _ = writer.await;
}

/// A JSON-RPC error as `RpcWebSocketApp.send_error` writes it; TrueNAS's own call errors carry
/// `data` (`send_truenas_error`).
fn error(id: Value, code: i64, message: &str, truenas: Option<(i64, &str, String)>) -> Value {
    let mut error = json!({"code": code, "message": message});
    if let Some((errno, errname, reason)) = truenas {
        error["data"] = json!({"error": errno, "errname": errname, "reason": reason,
            "trace": {"class": "CallError", "formatted": format!("CallError: {reason}"), "repr": format!("CallError({reason:?})")},
            "extra": null});
    }
    json!({"jsonrpc": "2.0", "error": error, "id": id})
}

type CallError = (i64, &'static str, String);

const EACCES: i64 = 13;
const ENOTAUTHENTICATED: i64 = 207;

async fn answer(
    method: &str,
    params: &Value,
    authenticated: &AtomicBool,
    options: &Options,
) -> Result<Value, CallError> {
    match method {
        "auth.login_ex" => {
            // PAM takes a moment: a read sent in the same breath runs before the login is done.
            tokio::time::sleep(Duration::from_millis(50)).await;
            let data = &params[0];
            if data["mechanism"] != "API_KEY_PLAIN" {
                return Err((22, "EINVAL", "[EINVAL] login_data.mechanism: this fake knows API_KEY_PLAIN only".into()));
            }
            if data["username"] == USERNAME && data["api_key"] == API_KEY {
                authenticated.store(true, Ordering::SeqCst);
                let user_info = if data["login_options"]["user_info"] == false { Value::Null } else { json!({}) };
                Ok(json!({"response_type": "SUCCESS", "user_info": user_info, "authenticator": "LEVEL_1"}))
            } else {
                Ok(json!({"response_type": "AUTH_ERR"}))
            }
        }
        "auth.login_with_api_key" => {
            tokio::time::sleep(Duration::from_millis(50)).await;
            let ok = params[0] == API_KEY;
            authenticated.store(ok, Ordering::SeqCst);
            Ok(Value::Bool(ok))
        }
        _ if !authenticated.load(Ordering::SeqCst) => {
            Err((ENOTAUTHENTICATED, "ENOTAUTHENTICATED", "[ENOTAUTHENTICATED] Not authenticated".into()))
        }
        "privilege.become_readonly" | "system.info" if options.narrow_role => {
            Err((EACCES, "EACCES", "[EACCES] Not authorized".into()))
        }
        "privilege.become_readonly" => Ok(Value::Null),
        "alert.list" if options.alert.is_some() => {
            let mut alerts = data::result("alert.list", params, chrono::Utc::now()).unwrap_or_default();
            if let (Value::Array(list), Some(text)) = (&mut alerts, &options.alert) {
                list.push(data::alert("a9", "WARNING", "ShareAlert", text, chrono::Utc::now()));
            }
            Ok(alerts)
        }
        read => data::result(read, params, chrono::Utc::now()).ok_or((
            22,
            "EINVAL",
            format!("[EINVAL] {read}: not in the fake's scenario"),
        )),
    }
}
