//! The operational database (docs/contract.md §7): SQLite at `DB_PATH`, WAL mode, created
//! idempotently on start. One connection on one thread of its own (`tokio-rusqlite`): async code
//! sends it closures, which run in the order sent, and awaits the answer when it needs one (a
//! conversation's turn is only queued). SQLite never blocks an async worker, and a burst of chats
//! never spawns a crowd of blocking threads all waiting on the same lock.

use std::{collections::HashSet, path::Path};

use chrono::{SecondsFormat, Utc};
use futures::FutureExt;
use homelab_schemas::{ConversationSummary, Message};
use rusqlite::{params, Connection};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    api_key_hash TEXT UNIQUE NOT NULL,
    is_active INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sessions (
    conversation_id TEXT PRIMARY KEY,
    created_at TEXT,
    last_active_at TEXT,
    message_count INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS idx_sessions_last_active_at ON sessions(last_active_at);
CREATE TABLE IF NOT EXISTS configuration (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at TEXT
);
CREATE TABLE IF NOT EXISTS enabled_tools (
    tool_name TEXT PRIMARY KEY,
    is_enabled INTEGER NOT NULL DEFAULT 1,
    updated_at TEXT
);
CREATE TABLE IF NOT EXISTS messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id TEXT NOT NULL,
    message TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS idx_messages_conversation ON messages(conversation_id, id);
";

/// How many stored messages (questions, answers, tool calls and results) a new chat reads back;
/// the history sent to the model is chosen from these (`chat::recent_history`).
pub const RECENT_MESSAGES: usize = 120;

/// What a chat needs from the database before it starts.
#[derive(Debug)]
pub struct ChatStart {
    pub enabled: HashSet<String>,
    /// The conversation's latest stored messages, oldest first.
    pub recent: Vec<Message>,
}

/// Why the database could not be used; chats answer 503 rather than guess which tools are allowed.
#[derive(Debug, thiserror::Error)]
#[error("database error: {0}")]
pub struct DbError(String);

impl From<rusqlite::Error> for DbError {
    fn from(e: rusqlite::Error) -> Self {
        Self(e.to_string())
    }
}

impl From<tokio_rusqlite::Error> for DbError {
    fn from(e: tokio_rusqlite::Error) -> Self {
        match e {
            tokio_rusqlite::Error::Error(e) => e.into(),
            _ => Self("the database thread has stopped".into()),
        }
    }
}

impl From<DbError> for homelab_common::ApiError {
    fn from(e: DbError) -> Self {
        homelab_common::ApiError::ServiceUnavailable("Operational database unavailable".into()).because(e)
    }
}

/// The database file (conversations: what was asked, what the tools answered) made readable by its
/// owner only: created 0600 when new, narrowed to 0600 when an older start left it wider, and so
/// its `-wal` and `-shm` files, which SQLite creates with the database file's own mode.
fn owner_only(path: &Path) -> Result<(), DbError> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let cannot = |e: std::io::Error| DbError(format!("cannot make {} private: {e}", path.display()));
    std::fs::OpenOptions::new().create(true).append(true).mode(0o600).open(path).map_err(cannot)?;
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let file = std::path::PathBuf::from(format!("{}{suffix}", path.display()));
        match std::fs::metadata(&file) {
            Ok(meta) if meta.permissions().mode() & 0o077 != 0 => {
                std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).map_err(cannot)?;
            }
            _ => {}
        }
    }
    Ok(())
}

/// Handle to the database; cheap to clone. The thread ends when the last handle is dropped.
#[derive(Clone)]
pub struct Database {
    conn: tokio_rusqlite::Connection,
}

fn now() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true)
}

impl Database {
    /// Opens (creating parent folders and tables as needed) and seeds `enabled_tools` with every
    /// registered tool, enabled, without touching rows an operator already changed; then hands
    /// the connection to its thread.
    pub fn open(path: &Path, tools: &[&str]) -> Result<Self, DbError> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| DbError(format!("cannot create {}: {e}", parent.display())))?;
        }
        owner_only(path)?;
        let conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.execute_batch(SCHEMA)?;
        let stamp = now();
        for tool in tools {
            conn.execute(
                "INSERT OR IGNORE INTO enabled_tools (tool_name, is_enabled, updated_at) VALUES (?1, 1, ?2)",
                params![tool, stamp],
            )?;
        }
        Ok(Self { conn: conn.into() })
    }

    /// Runs `f` on the database thread and waits for its answer.
    pub(crate) async fn with<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, rusqlite::Error> + Send + 'static,
    ) -> Result<T, DbError> {
        Ok(self.conn.call(f).await?)
    }

    /// Returns what a chat in `conversation_id` needs (the enabled tools and the conversation's
    /// most recent messages) and records the chat (session upsert, `message_count` + 1) in the
    /// same job, so the next chat sees the count. The history is a convenience: if it cannot be
    /// read the chat goes on without it.
    pub async fn begin_chat(&self, conversation_id: String) -> Result<ChatStart, DbError> {
        self.with(move |conn| {
            let start = enabled_tools(conn).map(|enabled| {
                let recent = recent_messages(conn, &conversation_id).unwrap_or_else(|e| {
                    tracing::warn!(error = %e, "conversation history unavailable; answering without it");
                    Vec::new()
                });
                ChatStart { enabled, recent }
            });
            let counted = conn.execute(
                "INSERT INTO sessions (conversation_id, created_at, last_active_at, message_count) VALUES (?1, ?2, ?2, 1)
                 ON CONFLICT(conversation_id) DO UPDATE SET message_count = message_count + 1, last_active_at = excluded.last_active_at",
                params![conversation_id, now()],
            );
            if let Err(e) = counted {
                tracing::error!(error = %e, "could not record the chat in the sessions table");
            }
            start
        })
        .await
    }

    /// Waits until every job sent before has run (at shutdown, so nothing queued is lost).
    pub async fn flush(&self) -> Result<(), DbError> {
        self.with(|_| Ok(())).await
    }

    pub async fn enabled_tools(&self) -> Result<HashSet<String>, DbError> {
        self.with(|conn| enabled_tools(conn)).await
    }

    /// Turns a tool on or off (operators can also do this with the sqlite3 shell).
    pub async fn set_tool_enabled(&self, tool: &str, enabled: bool) -> Result<(), DbError> {
        let tool = tool.to_string();
        self.with(move |conn| {
            conn.execute(
                "INSERT INTO enabled_tools (tool_name, is_enabled, updated_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT(tool_name) DO UPDATE SET is_enabled = excluded.is_enabled, updated_at = excluded.updated_at",
                params![tool, enabled as i64, now()],
            )?;
            Ok(())
        })
        .await
    }

    /// Appends a turn's messages (OpenAI chat format, plus our `tool_calls_made` on answers).
    pub async fn append_messages(&self, conversation_id: String, messages: Vec<Message>) -> Result<(), DbError> {
        self.with(move |conn| insert_messages(conn, &conversation_id, messages)).await
    }

    /// [`Self::append_messages`] without waiting: the job is queued before this returns
    /// (tokio-rusqlite sends a job when its call is first polled, which `now_or_never` does,
    /// once), so any later request for the conversation runs after it. A failure is logged.
    pub fn append_messages_queued(&self, conversation_id: String, messages: Vec<Message>) {
        let job = self.conn.call(move |conn| {
            if let Err(e) = insert_messages(conn, &conversation_id, messages) {
                tracing::warn!(error = %e, "could not store the conversation turn");
            }
            Ok::<_, rusqlite::Error>(())
        });
        if let Some(Err(_)) = job.now_or_never() {
            tracing::warn!("could not store the conversation turn: the database thread has stopped");
        }
    }

    /// Every stored message of a conversation, oldest first, with `created_at`; `None` when the
    /// conversation is unknown.
    pub async fn conversation(&self, conversation_id: &str) -> Result<Option<Vec<serde_json::Value>>, DbError> {
        let id = conversation_id.to_string();
        self.with(move |conn| {
            let known: bool =
                conn.query_row("SELECT EXISTS(SELECT 1 FROM sessions WHERE conversation_id = ?1)", params![id], |r| {
                    r.get(0)
                })?;
            if !known {
                return Ok(None);
            }
            let mut stmt =
                conn.prepare_cached("SELECT message, created_at FROM messages WHERE conversation_id = ?1 ORDER BY id")?;
            let rows = stmt.query_map(params![id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
            let mut out = Vec::new();
            for row in rows {
                let (text, created_at) = row?;
                if let Ok(mut v) = serde_json::from_str::<serde_json::Value>(&text) {
                    v["created_at"] = created_at.into();
                    out.push(v);
                }
            }
            Ok(Some(out))
        })
        .await
    }

    /// The conversations used within the last `days` days, newest first (at most `limit`), each
    /// titled by its first question. A conversation with nothing stored (its only chats failed:
    /// the model was unavailable, say) is not listed: there is nothing in it to open.
    pub async fn conversations(&self, days: u32, limit: usize) -> Result<Vec<ConversationSummary>, DbError> {
        let cutoff = cutoff_of(days);
        self.with(move |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT s.conversation_id, s.last_active_at, s.message_count, \
                   (SELECT m.message FROM messages m WHERE m.conversation_id = s.conversation_id ORDER BY m.id LIMIT 1) \
                 FROM sessions s WHERE s.last_active_at >= ?1 \
                   AND EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = s.conversation_id) \
                 ORDER BY s.last_active_at DESC, s.rowid DESC LIMIT ?2",
            )?;
            let rows = stmt.query_map(params![cutoff, limit as i64], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?, r.get::<_, i64>(2)?, r.get::<_, Option<String>>(3)?))
            })?;
            let mut out = Vec::new();
            for row in rows {
                let (conversation_id, last_active_at, message_count, first) = row?;
                let title = first
                    .and_then(|text| serde_json::from_str::<Message>(&text).ok())
                    .and_then(|m| match m {
                        Message::User { content } => Some(content),
                        _ => None,
                    })
                    .map(|q| cut_title(&q))
                    .unwrap_or_else(|| "(no question)".into());
                out.push(ConversationSummary {
                    conversation_id,
                    title,
                    last_active_at: last_active_at.unwrap_or_default(),
                    message_count,
                });
            }
            Ok(out)
        })
        .await
    }

    /// Deletes one conversation's messages and session row; `false` when there was none.
    pub async fn delete_conversation(&self, conversation_id: &str) -> Result<bool, DbError> {
        let id = conversation_id.to_string();
        self.with(move |conn| {
            let tx = conn.transaction()?;
            tx.execute("DELETE FROM messages WHERE conversation_id = ?1", params![id])?;
            let removed = tx.execute("DELETE FROM sessions WHERE conversation_id = ?1", params![id])?;
            tx.commit()?;
            Ok(removed > 0)
        })
        .await
    }

    /// Deletes conversations (messages and session rows) inactive for more than `days` days.
    pub async fn prune(&self, days: u32) -> Result<usize, DbError> {
        let cutoff = cutoff_of(days);
        self.with(move |conn| {
            let tx = conn.transaction()?;
            tx.execute(
                "DELETE FROM messages WHERE conversation_id IN (SELECT conversation_id FROM sessions WHERE last_active_at < ?1)",
                params![cutoff],
            )?;
            let removed = tx.execute("DELETE FROM sessions WHERE last_active_at < ?1", params![cutoff])?;
            tx.commit()?;
            Ok(removed)
        })
        .await
    }

    /// `(message_count)` of a conversation, if it exists.
    pub async fn message_count(&self, conversation_id: &str) -> Result<Option<i64>, DbError> {
        let id = conversation_id.to_string();
        self.with(move |conn| {
            let mut stmt = conn.prepare_cached("SELECT message_count FROM sessions WHERE conversation_id = ?1")?;
            let mut rows = stmt.query(params![id])?;
            Ok(match rows.next()? {
                Some(row) => Some(row.get(0)?),
                None => None,
            })
        })
        .await
    }
}

/// The oldest `last_active_at` still kept after `days` days.
fn cutoff_of(days: u32) -> String {
    (Utc::now() - chrono::Duration::days(i64::from(days))).to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// A question as a title: its first line, at most 80 characters.
fn cut_title(question: &str) -> String {
    let line = question.lines().find(|l| !l.trim().is_empty()).unwrap_or_default().trim();
    if line.chars().count() <= 80 {
        line.to_string()
    } else {
        format!("{}…", line.chars().take(79).collect::<String>())
    }
}

fn insert_messages(
    conn: &mut Connection,
    conversation_id: &str,
    messages: Vec<Message>,
) -> Result<(), rusqlite::Error> {
    let tx = conn.transaction()?;
    {
        let mut stmt =
            tx.prepare_cached("INSERT INTO messages (conversation_id, message, created_at) VALUES (?1, ?2, ?3)")?;
        let stamp = now();
        for m in messages {
            let text = serde_json::to_string(&m).unwrap_or_default();
            stmt.execute(params![conversation_id, text, stamp])?;
        }
    }
    tx.commit()
}

/// The last [`RECENT_MESSAGES`] stored messages of a conversation, oldest first; a long
/// conversation costs each new chat no more than a short one.
/// A stored row that is not a message (written by hand, or by a future version) is skipped.
fn recent_messages(conn: &Connection, conversation_id: &str) -> Result<Vec<Message>, rusqlite::Error> {
    let mut stmt =
        conn.prepare_cached("SELECT message FROM messages WHERE conversation_id = ?1 ORDER BY id DESC LIMIT ?2")?;
    let rows = stmt.query_map(params![conversation_id, RECENT_MESSAGES as i64], |r| r.get::<_, String>(0))?;
    let mut out = Vec::new();
    for row in rows {
        if let Ok(m) = serde_json::from_str::<Message>(&row?) {
            out.push(m);
        }
    }
    out.reverse();
    Ok(out)
}

fn enabled_tools(conn: &Connection) -> Result<HashSet<String>, rusqlite::Error> {
    let mut stmt = conn.prepare_cached("SELECT tool_name FROM enabled_tools WHERE is_enabled = 1")?;
    let names = stmt.query_map([], |row| row.get::<_, String>(0))?;
    names.collect()
}

#[cfg(test)]
mod tests;
