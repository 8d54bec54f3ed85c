//! The chat's audit line, written once.

use crate::{audit::AuditEntry, AppState};

tokio::task_local! {
    /// Set by `/chat/stream` around one chat: whichever of the chat itself and the
    /// client-went-away path records first takes it, so a chat has exactly one audit line even
    /// when the client leaves while its line is being written.
    pub(crate) static AUDIT_CLAIM: std::sync::Arc<std::sync::atomic::AtomicBool>;
}

/// Writes the audit line and counts the chat by outcome.
pub(crate) async fn record(state: &AppState, entry: AuditEntry) {
    // Claimed and queued in the same poll (no await in between), so a claimed line is written.
    let already = AUDIT_CLAIM.try_with(|claim| claim.swap(true, std::sync::atomic::Ordering::SeqCst)).unwrap_or(false);
    if already {
        tracing::debug!("audit line of this chat already recorded");
        return;
    }
    let outcome =
        serde_json::to_value(entry.outcome).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default();
    state.chats.with_label_values(&[outcome.as_str()]).inc();
    state.audit.record(entry).await;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::Outcome;

    #[tokio::test]
    async fn a_streamed_chat_has_one_audit_line_even_if_both_paths_record() {
        let dir = tempfile::tempdir().unwrap();
        let settings = homelab_common::Settings {
            db_path: dir.path().join("db.sqlite3"),
            audit_log_path: dir.path().join("audit.jsonl"),
            ..homelab_common::Settings::default()
        };
        let state = AppState::from_settings(&settings).unwrap();
        let claim = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        AUDIT_CLAIM
            .scope(claim, async {
                // The chat's own line, then the client-went-away path racing it.
                record(&state, AuditEntry::new("c1", "hi", Outcome::Answered)).await;
                record(&state, AuditEntry::new("c1", "hi", Outcome::Cancelled)).await;
            })
            .await;
        // Outside a stream, every record writes.
        record(&state, AuditEntry::new("c2", "hi", Outcome::Answered)).await;
        let lines = crate::audit::read_lines(&settings.audit_log_path).unwrap();
        let outcomes: Vec<_> = lines.iter().map(|l| (l["conversation_id"].clone(), l["outcome"].clone())).collect();
        assert_eq!(
            outcomes,
            vec![
                (serde_json::json!("c1"), serde_json::json!("answered")),
                (serde_json::json!("c2"), serde_json::json!("answered"))
            ]
        );
    }
}
