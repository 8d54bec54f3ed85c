//! Shortening a tool's result for the model (and for the stored copy of a turn) without breaking
//! it: the whole answer is parsed first, and what is too long is cut by structure — a list keeps
//! its first items and ends with `{"omitted": k}`, a long text is cut with a note of its length —
//! so what the model reads is still valid JSON and says what it does not show. A log's lines keep
//! their last ones instead (`{"omitted": k}` first), since the newest lines say why it stopped.
//! `/status`, `/history` and understanding read the answer whole and never come here.

use serde_json::{json, Map, Value};

/// Lists of at most this many items are shortened item by item (a fleet's hosts, a chart's
/// series), so each stays visible; longer lists keep their first items whole.
const FEW_ITEMS: usize = 8;
/// Room kept for the `{"omitted": k}` marker of a list.
const MARKER_CHARS: usize = 24;
/// A text is never cut shorter than this (its note would be longer than what it saves).
const SHORTEST_TEXT: usize = 40;

/// `value` as JSON text of at most `max` characters, shortened by structure when it is longer.
pub fn for_model(value: &Value, max: usize) -> String {
    let text = value.to_string();
    if text.chars().count() <= max {
        return text;
    }
    // The budget is shared out by estimate; tighten it until the whole fits.
    let mut budget = max;
    for _ in 0..12 {
        let shortened = fit(value, budget, false).to_string();
        if shortened.chars().count() <= max {
            return shortened;
        }
        budget = budget * 4 / 5;
    }
    cut_text(&text, max)
}

/// Text that may be JSON (a stored tool result): shortened by structure when it parses, cut as
/// text otherwise (an `Error: …` line).
pub fn result_text(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    match serde_json::from_str::<Value>(text) {
        Ok(value) => for_model(&value, max),
        Err(_) => cut_text(text, max),
    }
}

/// JSON text length of `value`.
fn size(value: &Value) -> usize {
    value.to_string().chars().count()
}

/// `value` shortened to about `budget` characters of JSON. `tail`: keep a list's last items.
fn fit(value: &Value, budget: usize, tail: bool) -> Value {
    if size(value) <= budget {
        return value.clone();
    }
    match value {
        Value::String(s) => Value::String(cut_text(s, budget.saturating_sub(2).max(SHORTEST_TEXT))),
        Value::Array(items) if items.len() <= FEW_ITEMS => Value::Array(shared(items.iter(), budget)),
        Value::Array(items) => Value::Array(first_items(items, budget, tail)),
        Value::Object(fields) => {
            let keys: Vec<&String> = fields.keys().collect();
            let overhead: usize = keys.iter().map(|k| k.chars().count() + 4).sum();
            let values = shared_keyed(fields, budget.saturating_sub(overhead));
            Value::Object(keys.into_iter().cloned().zip(values).collect::<Map<_, _>>())
        }
        // A number, a boolean or null cannot be shorter.
        other => other.clone(),
    }
}

/// The items of a long list that fit in `budget`, whole, from its start (or its end when
/// `tail`), with `{"omitted": k}` after them (before them when `tail`). When not even the first
/// fits whole, it is shortened itself, so the list is never shown empty.
fn first_items(items: &[Value], budget: usize, tail: bool) -> Vec<Value> {
    let room = budget.saturating_sub(MARKER_CHARS);
    let ordered: Box<dyn Iterator<Item = &Value>> =
        if tail { Box::new(items.iter().rev()) } else { Box::new(items.iter()) };
    let mut kept = Vec::new();
    let mut used = 0;
    for item in ordered {
        let cost = size(item) + 1;
        if used + cost > room {
            break;
        }
        used += cost;
        kept.push(item.clone());
    }
    if kept.is_empty() {
        let first = if tail { items.last() } else { items.first() };
        kept.extend(first.map(|item| fit(item, room, false)));
    }
    let marker = json!({"omitted": items.len() - kept.len()});
    if tail {
        kept.reverse();
        kept.insert(0, marker);
    } else {
        kept.push(marker);
    }
    kept
}

/// Each of a few values shortened to a fair share of `budget`: the small ones whole, what they
/// leave shared among the large ones (max-min fairness).
fn shared<'a>(values: impl Iterator<Item = &'a Value>, budget: usize) -> Vec<Value> {
    let values: Vec<(&Value, bool)> = values.map(|v| (v, false)).collect();
    allocate(&values, budget.saturating_sub(values.len() + 2))
}

/// [`shared`] for an object's fields; a log's `lines` keep their last ones.
fn shared_keyed(fields: &Map<String, Value>, budget: usize) -> Vec<Value> {
    let values: Vec<(&Value, bool)> = fields.iter().map(|(k, v)| (v, k == "lines")).collect();
    allocate(&values, budget)
}

fn allocate(values: &[(&Value, bool)], budget: usize) -> Vec<Value> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by_key(|&i| size(values[i].0));
    let mut out = vec![Value::Null; values.len()];
    let mut left = budget;
    for (done, &i) in order.iter().enumerate() {
        let share = left / (values.len() - done);
        let (value, tail) = values[i];
        let shortened = fit(value, share, tail);
        left = left.saturating_sub(size(&shortened));
        out[i] = shortened;
    }
    out
}

/// `text` cut to about `max` characters, with a note of how long it was.
fn cut_text(text: &str, max: usize) -> String {
    let length = text.chars().count();
    if length <= max {
        return text.to_string();
    }
    let note = format!("… [cut: {length} characters]");
    let keep = max.saturating_sub(note.chars().count());
    format!("{}{note}", text.chars().take(keep).collect::<String>())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list_of(n: usize) -> String {
        let list: Value = (0..n).map(|i| json!({"name": format!("app-{i}"), "state": "running"})).collect();
        list.to_string()
    }

    #[test]
    fn a_long_list_keeps_its_first_items_whole_and_says_how_many_it_left_out() {
        let list: Value = serde_json::from_str(&list_of(1000)).unwrap();
        let text = for_model(&list, 2_000);
        assert!(text.chars().count() <= 2_000);
        let shown: Vec<Value> = serde_json::from_str(&text).unwrap();
        let (items, marker) = shown.split_at(shown.len() - 1);
        assert!(items.len() > 40, "{}", items.len());
        assert!(items.iter().enumerate().all(|(i, c)| c["name"] == format!("app-{i}")));
        assert_eq!(marker[0], json!({"omitted": 1000 - items.len()}));
    }

    #[test]
    fn every_host_and_series_stays_visible_and_a_log_keeps_its_newest_lines() {
        let hosts: Value = (0..3)
            .map(|h| json!({"host": format!("h{h}"), "result": {"lines": (0..500).map(|i| format!("line {i} {}", "x".repeat(80))).collect::<Vec<_>>()}}))
            .collect();
        let text = for_model(&hosts, 6_000);
        assert!(text.chars().count() <= 6_000, "{}", text.chars().count());
        let shown: Vec<Value> = serde_json::from_str(&text).unwrap();
        assert_eq!(shown.len(), 3);
        for host in &shown {
            let lines = host["result"]["lines"].as_array().unwrap();
            assert!(lines.len() > 5, "{host}");
            assert_eq!(lines[0], json!({"omitted": 501 - lines.len()}));
            assert!(lines.last().unwrap().as_str().unwrap().starts_with("line 499 "));
        }
    }

    #[test]
    fn long_text_is_cut_with_a_note_and_short_results_are_untouched() {
        let one = json!({"detail": "z".repeat(50_000)});
        let text = for_model(&one, 1_000);
        let shown: Value = serde_json::from_str(&text).unwrap();
        assert!(shown["detail"].as_str().unwrap().ends_with("… [cut: 50000 characters]"));
        assert!(text.chars().count() <= 1_000);
        let small = json!({"cpu_percent": 3.5, "containers": ["plex"]});
        assert_eq!(for_model(&small, 1_000), small.to_string());
        let error = format!("Error: {}", "e".repeat(5_000));
        assert!(result_text(&error, 100).ends_with("… [cut: 5007 characters]"));
        let stored = result_text(&list_of(300), 2_000);
        assert!(serde_json::from_str::<Vec<Value>>(&stored).is_ok(), "a stored result stays JSON");
    }
}
