//! One WebSocket session with TrueNAS's JSON-RPC 2.0 API (`wss://…/api/current`), used for one
//! burst of calls: log in and wait for the answer (TrueNAS handles a connection's messages
//! concurrently, so a read sent alongside the login could run before it and be refused), narrow the
//! session to read-only where TrueNAS can, then send the reads together and collect their answers.

use std::{collections::HashMap, sync::Arc};

use futures::{SinkExt, StreamExt};
use homelab_common::Secret;
use serde_json::{json, Value};
use tokio::net::TcpStream;
use tokio_tungstenite::{
    tungstenite::{protocol::WebSocketConfig, Message},
    Connector, MaybeTlsStream, WebSocketStream,
};

use super::calls::{legacy_login_params, login_ex_params, Method};

/// JSON-RPC's "Method not found", which TrueNAS answers for a method its API version lacks.
const METHOD_NOT_FOUND: i64 = -32601;
/// The largest answer read: a NAS with many datasets or apps stays far below it.
const MAX_MESSAGE: usize = 8 << 20;
/// Error text kept, in characters.
const MAX_ERROR_CHARS: usize = 200;

/// Why TrueNAS could not answer, in words for the user (never containing the key).
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error("cannot connect: {0}")]
    Connect(String),
    #[error("the connection closed before TrueNAS answered {0}")]
    Closed(&'static str),
    #[error("{0} answered in a form that cannot be read")]
    Unreadable(&'static str),
    // Not `key: …`, which the redaction rules read as a secret.
    #[error("{method} did not accept the key ({reason})")]
    LoginRefused { method: &'static str, reason: String },
    #[error("{method} is not allowed for this user: it needs the {role} role (README, \"TrueNAS SCALE\")")]
    NotAuthorized { method: &'static str, role: &'static str },
    #[error("{method} failed: {reason}")]
    Failed { method: &'static str, reason: String },
}

/// An error TrueNAS answered for one call.
#[derive(Debug, Clone)]
struct RpcError {
    code: i64,
    /// `EACCES`, `ENOTAUTHENTICATED`, … for TrueNAS's own call errors.
    errname: Option<String>,
    /// TrueNAS's reason when it gave one, else the JSON-RPC message.
    reason: String,
}

impl RpcError {
    fn of(error: &Value) -> Self {
        let data = &error["data"];
        let reason = data["reason"].as_str().or_else(|| error["message"].as_str()).unwrap_or("error");
        Self {
            code: error["code"].as_i64().unwrap_or_default(),
            errname: data["errname"].as_str().map(String::from),
            reason: homelab_common::redact::redact(&reason.chars().take(MAX_ERROR_CHARS).collect::<String>()),
        }
    }

    fn into_failure(self, method: Method) -> SessionError {
        match (self.errname.as_deref(), method.role()) {
            (Some("EACCES" | "EPERM"), Some(role)) => SessionError::NotAuthorized { method: method.name(), role },
            _ => SessionError::Failed { method: method.name(), reason: self.reason },
        }
    }
}

/// Which login TrueNAS accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Login {
    /// `auth.login_ex` with API_KEY_PLAIN (TrueNAS 25.04 and later).
    Ex,
    /// `auth.login_with_api_key`, on a TrueNAS without `auth.login_ex`.
    Legacy,
}

/// A connection, for one burst of calls.
pub struct Session {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    next_id: u64,
}

impl Session {
    /// Connects over TLS, verifying TrueNAS's certificate before anything is sent.
    pub async fn open(url: &str, tls: Arc<rustls::ClientConfig>) -> Result<Self, SessionError> {
        let config = WebSocketConfig::default().max_message_size(Some(MAX_MESSAGE)).max_frame_size(Some(MAX_MESSAGE));
        let (ws, _) =
            tokio_tungstenite::connect_async_tls_with_config(url, Some(config), false, Some(Connector::Rustls(tls)))
                .await
                .map_err(|e| SessionError::Connect(e.to_string()))?;
        Ok(Self { ws, next_id: 0 })
    }

    /// Logs in with the key and, once TrueNAS has said yes, narrows the session to read-only.
    /// `auth.login_ex` first; `auth.login_with_api_key` only where `auth.login_ex` does not exist.
    pub async fn login(&mut self, username: &str, key: &Secret) -> Result<Login, SessionError> {
        let login = match self.call(Method::LoginEx, login_ex_params(username, key)).await? {
            Ok(answer) => match answer["response_type"].as_str() {
                Some("SUCCESS") => Login::Ex,
                other => {
                    let reason = match other {
                        Some("AUTH_ERR") => format!(
                            "AUTH_ERR for the user '{username}': check that TRUENAS_USERNAME is the user the key \
                             belongs to and that the key is neither revoked nor expired"
                        ),
                        Some("EXPIRED") => "the key or the user's password has expired (EXPIRED)".into(),
                        Some("OTP_REQUIRED") => "TrueNAS asks for a one-time password (OTP_REQUIRED)".into(),
                        Some("REDIRECT") => "this is a standby node; use the active node's address (REDIRECT)".into(),
                        _ => "an unexpected answer".into(),
                    };
                    return Err(SessionError::LoginRefused { method: Method::LoginEx.name(), reason });
                }
            },
            Err(e) if e.code == METHOD_NOT_FOUND => {
                match self.call(Method::LoginWithApiKey, legacy_login_params(key)).await? {
                    Ok(Value::Bool(true)) => Login::Legacy,
                    Ok(_) => {
                        return Err(SessionError::LoginRefused {
                            method: Method::LoginWithApiKey.name(),
                            reason: "this TrueNAS has no auth.login_ex (before 25.04) and refused the key".into(),
                        })
                    }
                    Err(e) => return Err(e.into_failure(Method::LoginWithApiKey)),
                }
            }
            Err(e) => return Err(e.into_failure(Method::LoginEx)),
        };
        // Not every TrueNAS has it (26 and later do), and a user narrower than READONLY_ADMIN may
        // not call it: either way the key's own role still bounds the session.
        if let Err(e) = self.call(Method::BecomeReadonly, json!([])).await? {
            tracing::debug!(code = e.code, reason = %e.reason, "privilege.become_readonly not applied");
        }
        Ok(login)
    }

    /// Sends the reads together and returns their results in the same order.
    pub async fn read_all(&mut self, reads: &[Method]) -> Result<Vec<Value>, SessionError> {
        let mut pending = HashMap::new();
        for &method in reads {
            let id = self.send(method, method.read_params()).await?;
            pending.insert(id, method);
        }
        let mut results: HashMap<Method, Value> = HashMap::new();
        while let Some(&waiting) = pending.values().next() {
            let (id, answer) = self.next_answer(waiting).await?;
            let Some(method) = pending.remove(&id) else { continue };
            results.insert(method, answer.map_err(|e| e.into_failure(method))?);
        }
        let _ = self.ws.close(None).await;
        Ok(reads.iter().map(|m| results.remove(m).unwrap_or_default()).collect())
    }

    /// One call, waiting for its own answer.
    async fn call(&mut self, method: Method, params: Value) -> Result<Result<Value, RpcError>, SessionError> {
        let id = self.send(method, params).await?;
        loop {
            let (answered, answer) = self.next_answer(method).await?;
            if answered == id {
                return Ok(answer);
            }
        }
    }

    async fn send(&mut self, method: Method, params: Value) -> Result<u64, SessionError> {
        self.next_id += 1;
        let call = json!({"jsonrpc": "2.0", "id": self.next_id, "method": method.name(), "params": params});
        self.ws.send(Message::Text(call.to_string().into())).await.map_err(|_| SessionError::Closed(method.name()))?;
        Ok(self.next_id)
    }

    /// The next answer to a call of ours; notifications (`collection_update`, …) are skipped.
    async fn next_answer(&mut self, waiting_for: Method) -> Result<(u64, Result<Value, RpcError>), SessionError> {
        loop {
            let message = match self.ws.next().await {
                Some(Ok(message)) => message,
                Some(Err(_)) | None => return Err(SessionError::Closed(waiting_for.name())),
            };
            let Message::Text(text) = message else { continue };
            let reply: Value =
                serde_json::from_str(text.as_str()).map_err(|_| SessionError::Unreadable(waiting_for.name()))?;
            let Some(id) = reply["id"].as_u64() else { continue };
            return Ok(match reply.get("error").filter(|e| !e.is_null()) {
                Some(error) => (id, Err(RpcError::of(error))),
                None => (id, Ok(reply["result"].clone())),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_read_names_the_role_it_needs_and_other_errors_keep_truenas_s_reason() {
        let refused = json!({"code": -32001, "message": "Method call error",
            "data": {"error": 13, "errname": "EACCES", "reason": "[EACCES] Not authorized", "trace": null, "extra": null}});
        let e = RpcError::of(&refused).into_failure(Method::SystemInfo).to_string();
        assert_eq!(
            e,
            "system.info is not allowed for this user: it needs the READONLY_ADMIN role (README, \"TrueNAS SCALE\")"
        );
        let missing = json!({"code": -32601, "message": "Method does not exist"});
        let e = RpcError::of(&missing).into_failure(Method::AppQuery).to_string();
        assert_eq!(e, "app.query failed: Method does not exist");
    }
}
