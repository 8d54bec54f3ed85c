//! The chat's one audit line: [`ChatAudit`] is made when a chat starts and writes its line
//! exactly once, either as the chat ended ([`ChatAudit::finish`]) or, when the chat is dropped
//! before it ends (its client went away, on `/chat` as on `/chat/stream`), as `cancelled` with
//! the tools run so far.

use homelab_schemas::Usage;

use crate::{
    audit::{AuditEntry, Outcome, ToolInvocation},
    AppState,
};

/// What a cancelled chat's line says it answered.
const CANCELLED: &str = "(cancelled: the client disconnected)";

/// A chat's audit line, written once.
pub(crate) struct ChatAudit<'a> {
    state: &'a AppState,
    /// The line's question, conversation and request id; `None` once written.
    entry: Option<AuditEntry>,
    /// The tools that ran, in order.
    pub(crate) made: Vec<String>,
    /// Every call, whether it ran or not.
    pub(crate) invocations: Vec<ToolInvocation>,
}

impl<'a> ChatAudit<'a> {
    pub(crate) fn new(state: &'a AppState, entry: AuditEntry) -> Self {
        Self { state, entry: Some(entry), made: Vec::new(), invocations: Vec::new() }
    }

    /// Writes the line: how the chat ended, what was said, the tools and what the model cost.
    pub(crate) async fn finish(mut self, outcome: Outcome, said: &str, usage: Option<Usage>) {
        let Some(entry) = self.entry.take() else { return };
        let entry = self.complete(entry, outcome, said, usage);
        count(self.state, &entry);
        self.state.audit.record(entry).await;
    }

    /// The line as the chat ended, stamped now (when it ended, as every audit line is).
    fn complete(&mut self, started: AuditEntry, outcome: Outcome, said: &str, usage: Option<Usage>) -> AuditEntry {
        let mut entry = AuditEntry::new(&started.conversation_id, &started.user_message, outcome);
        entry.request_id = started.request_id;
        entry.assistant_response = said.into();
        entry.tool_calls = std::mem::take(&mut self.made);
        entry.tool_invocations = std::mem::take(&mut self.invocations);
        entry.usage = usage;
        entry
    }
}

impl Drop for ChatAudit<'_> {
    /// Not finished: the chat was dropped on the way. Queued at once (no await is possible
    /// here); the writer flushes it like any other line.
    fn drop(&mut self) {
        if let Some(entry) = self.entry.take() {
            tracing::info!(conversation_id = entry.conversation_id, "client went away; chat cancelled");
            let entry = self.complete(entry, Outcome::Cancelled, CANCELLED, None);
            count(self.state, &entry);
            self.state.audit.queue(entry);
        }
    }
}

/// Counts the chat by outcome (`homelab_chats_total`).
fn count(state: &AppState, entry: &AuditEntry) {
    let outcome =
        serde_json::to_value(entry.outcome).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default();
    state.chats.with_label_values(&[outcome.as_str()]).inc();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state_in(dir: &std::path::Path) -> (AppState, std::path::PathBuf) {
        let settings = homelab_common::OrchestratorConfig {
            db_path: dir.join("db.sqlite3"),
            audit_log_path: dir.join("audit.jsonl"),
            ..homelab_common::OrchestratorConfig::default()
        };
        (AppState::from_settings(&settings).unwrap(), settings.audit_log_path)
    }

    #[tokio::test]
    async fn a_chat_is_audited_once_as_it_ended_or_as_cancelled_when_dropped_on_the_way() {
        let dir = tempfile::tempdir().unwrap();
        let (state, path) = state_in(dir.path());
        // Finished: one line, as it ended.
        let mut chat = ChatAudit::new(&state, AuditEntry::new("c1", "hi", Outcome::Answered));
        chat.made.push("get_system_resources".into());
        chat.finish(Outcome::Answered, "CPU 3%", None).await;
        // Dropped with a tool run (the client went away): one line, cancelled, the tool named.
        let mut chat = ChatAudit::new(&state, AuditEntry::new("c2", "hi", Outcome::Answered));
        chat.made.push("list_containers".into());
        drop(chat);
        // Dropped inside a future that is abandoned half way, as a client leaving does.
        let abandoned = async {
            let _chat = ChatAudit::new(&state, AuditEntry::new("c3", "hi", Outcome::Answered));
            std::future::pending::<()>().await;
        };
        assert!(tokio::time::timeout(std::time::Duration::from_millis(20), abandoned).await.is_err());
        // A later line waits for the writer, so the queued ones are on disk before it.
        state.audit.record(AuditEntry::new("c4", "hi", Outcome::Answered)).await;
        let lines = crate::audit::read_lines(&path).unwrap();
        let seen: Vec<_> = lines
            .iter()
            .map(|l| (l["conversation_id"].as_str().unwrap(), l["outcome"].as_str().unwrap(), l["tool_calls"].clone()))
            .collect();
        assert_eq!(
            seen,
            vec![
                ("c1", "answered", serde_json::json!(["get_system_resources"])),
                ("c2", "cancelled", serde_json::json!(["list_containers"])),
                ("c3", "cancelled", serde_json::json!([])),
                ("c4", "answered", serde_json::json!([])),
            ]
        );
        assert_eq!(lines[1]["assistant_response"], CANCELLED);
    }
}
