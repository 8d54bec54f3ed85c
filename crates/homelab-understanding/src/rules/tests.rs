use super::*;

#[test]
fn clause_splitting_catches_orders_after_questions() {
    assert!(matches!(check("Which containers are stopped and restart them"), Verdict::Refuse { .. }));
    assert_eq!(check("Which containers are running and which are stopped?"), Verdict::Allow);
}

#[test]
fn refusal_names_the_request() {
    match check("Please restart the nextcloud container") {
        Verdict::Refuse { request, reason } => {
            assert_eq!(request, "Please restart the nextcloud container");
            assert_eq!(reason, RefusalKind::Action);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn gerunds_count_only_after_a_polite_lead_in() {
    assert!(matches!(check("Would you mind restarting plex?"), Verdict::Refuse { .. }));
    assert_eq!(check("Running containers?"), Verdict::Allow);
}
