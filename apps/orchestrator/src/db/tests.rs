use super::*;

fn open(dir: &tempfile::TempDir) -> Database {
    Database::open(&dir.path().join("nested/dir/db.sqlite3"), &["get_system_resources", "list_containers"]).unwrap()
}

#[tokio::test]
async fn tables_exist_and_tools_are_seeded_enabled() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(&dir);
    let tables: Vec<String> = db
        .with(|conn| {
            let mut stmt = conn.prepare(
                "SELECT name FROM sqlite_master WHERE type IN ('table','index') AND name NOT LIKE 'sqlite_%' ORDER BY name",
            )?;
            let names = stmt.query_map([], |r| r.get(0))?.collect::<Result<_, _>>();
            names
        })
        .await
        .unwrap();
    assert_eq!(
        tables,
        [
            "configuration",
            "enabled_tools",
            "idx_messages_conversation",
            "idx_sessions_last_active_at",
            "messages",
            "sessions",
            "users"
        ]
    );
    let mode: String = db.with(|conn| conn.query_row("PRAGMA journal_mode", [], |r| r.get(0))).await.unwrap();
    assert_eq!(mode, "wal");
    assert_eq!(db.enabled_tools().await.unwrap().len(), 2);
}

#[tokio::test]
async fn the_database_and_its_wal_files_are_readable_by_their_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db/db.sqlite3");
    let db = Database::open(&path, &["list_containers"]).unwrap();
    db.begin_chat("c1".into()).await.unwrap();
    db.append_messages("c1".into(), vec![Message::user("my question")]).await.unwrap();
    for file in ["db.sqlite3", "db.sqlite3-wal", "db.sqlite3-shm"] {
        assert_eq!(mode(&dir.path().join("db").join(file)), 0o600, "{file}");
    }
    drop(db);
    // A database an older version left readable by everyone is narrowed at the next start.
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let _db = Database::open(&path, &["list_containers"]).unwrap();
    assert_eq!(mode(&path), 0o600);
}

#[tokio::test]
async fn sessions_upsert_and_count_messages() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(&dir);
    db.begin_chat("c1".into()).await.unwrap();
    db.begin_chat("c1".into()).await.unwrap();
    db.begin_chat("c2".into()).await.unwrap();
    assert_eq!(db.message_count("c1").await.unwrap(), Some(2));
    assert_eq!(db.message_count("c2").await.unwrap(), Some(1));
    assert_eq!(db.message_count("nope").await.unwrap(), None);
}

#[tokio::test]
async fn init_is_idempotent_and_keeps_operator_choices() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(&dir);
    db.set_tool_enabled("list_containers", false).await.unwrap();
    db.begin_chat("c1".into()).await.unwrap();
    // The session count is only queued by begin_chat; a shutdown flushes the queue first.
    db.flush().await.unwrap();
    drop(db);
    let again = open(&dir);
    let enabled = again.enabled_tools().await.unwrap();
    assert!(enabled.contains("get_system_resources") && !enabled.contains("list_containers"));
    assert_eq!(again.message_count("c1").await.unwrap(), Some(1));
}

mod conversations {
    use super::*;

    #[tokio::test]
    async fn conversations_are_listed_newest_first_titled_by_their_question_and_deleted() {
        let dir = tempfile::tempdir().unwrap();
        let db = Database::open(&dir.path().join("db.sqlite3"), &[]).unwrap();
        for (id, question) in
            [("older", "How much disk space is left?"), ("newer", &"Which containers are stopped? ".repeat(10))]
        {
            db.begin_chat(id.into()).await.unwrap();
            db.append_messages(id.into(), vec![Message::user(question.to_string()), Message::answer("ok", &[])])
                .await
                .unwrap();
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        let list = db.conversations(30, 100).await.unwrap();
        let ids: Vec<&str> = list.iter().map(|c| c.conversation_id.as_str()).collect();
        assert_eq!(ids, ["newer", "older"]);
        assert_eq!(list[1].title, "How much disk space is left?");
        assert_eq!(list[0].title.chars().count(), 80);
        assert!(list[0].title.ends_with('…'));
        assert_eq!(list[0].message_count, 1);
        assert!(db.delete_conversation("older").await.unwrap());
        assert!(!db.delete_conversation("older").await.unwrap(), "already gone");
        assert_eq!(db.conversation("older").await.unwrap(), None);
        assert_eq!(db.conversations(30, 100).await.unwrap().len(), 1);
    }

    #[tokio::test]
    async fn messages_are_kept_in_order_and_old_conversations_pruned() {
        let dir = tempfile::tempdir().unwrap();
        let db = Database::open(&dir.path().join("db.sqlite3"), &[]).unwrap();
        db.begin_chat("c1".into()).await.unwrap();
        db.append_messages("c1".into(), vec![Message::user("hi"), Message::answer("hello", &[])]).await.unwrap();
        let msgs = db.conversation("c1").await.unwrap().unwrap();
        assert_eq!(msgs.len(), 2);
        let start = db.begin_chat("c1".into()).await.unwrap();
        assert_eq!(start.recent, vec![Message::user("hi"), Message::answer("hello", &[])]);
        assert_eq!(msgs[1]["content"], "hello");
        assert!(msgs[0]["created_at"].is_string());
        assert!(db.conversation("nope").await.unwrap().is_none());

        db.with(|c| {
            c.execute(
                "UPDATE sessions SET last_active_at = '2000-01-01T00:00:00.000Z' WHERE conversation_id = 'c1'",
                [],
            )
            .map(|_| ())
        })
        .await
        .unwrap();
        db.begin_chat("c2".into()).await.unwrap();
        assert_eq!(db.prune(30).await.unwrap(), 1);
        assert!(db.conversation("c1").await.unwrap().is_none());
        assert!(db.conversation("c2").await.unwrap().is_some());
    }

    #[tokio::test]
    async fn a_new_chat_reads_back_only_the_latest_messages() {
        let dir = tempfile::tempdir().unwrap();
        let db = Database::open(&dir.path().join("db.sqlite3"), &[]).unwrap();
        let many: Vec<_> = (0..RECENT_MESSAGES + 30).map(|i| Message::user(i.to_string())).collect();
        db.append_messages("long".into(), many).await.unwrap();
        let recent = db.begin_chat("long".into()).await.unwrap().recent;
        assert_eq!(recent.len(), RECENT_MESSAGES);
        assert_eq!(recent[0], Message::user("30"), "oldest dropped first");
        assert_eq!(recent[RECENT_MESSAGES - 1], Message::user((RECENT_MESSAGES + 29).to_string()));
    }
}

/// A turn stored without waiting is queued before the call returns: a read asked right after it
/// sees it, however many turns went before. (It relies on tokio-rusqlite sending a job when its
/// call is first polled; if a new version stopped doing so, this fails.)
#[tokio::test]
async fn a_queued_turn_is_seen_by_the_very_next_read() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(&dir);
    db.begin_chat("c1".into()).await.unwrap();
    for n in 0..200 {
        db.append_messages_queued("c1".into(), vec![Message::user(format!("question {n}"))]);
        let stored = db.conversation("c1").await.unwrap().unwrap();
        assert_eq!(stored.len(), n + 1, "turn {n} was not stored before the next read");
    }
    drop(db);
    // The database thread ends with the last handle, having run every queued job.
    let reopened = open(&dir);
    assert_eq!(reopened.conversation("c1").await.unwrap().unwrap().len(), 200);
}
