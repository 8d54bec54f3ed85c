//! Small models (3–4B) often print a tool call as text instead of making it: a JSON object, a
//! list of them, a fenced ```json block, Hermes/Qwen's `<tool_call>` tags, Llama's
//! `<|python_tag|>` or Mistral's `[TOOL_CALLS]` prefix. When the answer ends with such a call to
//! a tool that was offered, it becomes that call, and its arguments go through the same checks as
//! any other (the orchestrator validates them again against the catalog). A call to a tool that
//! was not offered, or anything that is not clearly a call, stays text.
//!
//! In a stream, text from the start of a line that could open such a call is held back until
//! the answer ends, so a printed call is never shown as the answer while it is being generated.

use homelab_schemas::{LlmResponse, ToolCall};
use serde_json::Value;

use super::openai::parse_arguments;

/// Answers longer than this are not searched for a printed call.
const MAX_SEARCHED_CHARS: usize = 16_000;
/// What a printed call may start with, at the start of a line.
const OPENERS: [&str; 6] = ["```", "<tool_call>", "<|python_tag|>", "[TOOL_CALLS]", "{", "["];

/// The answer with a printed call at its end turned into a call, when the model made none.
pub fn recover(mut response: LlmResponse, offered: &[&str]) -> LlmResponse {
    if !response.tool_calls.is_empty() || offered.is_empty() {
        return response;
    }
    let Some(content) = response.content.as_deref() else { return response };
    let Some((prose, calls)) = find(content, offered) else { return response };
    tracing::info!(calls = calls.len(), "the model printed its tool call as text; it is made as a call");
    response.content = prose;
    response.tool_calls = calls;
    response.finish_reason = "tool_calls".into();
    response
}

/// The prose before the first line from which the rest of `content` is a printed call, and the
/// calls.
fn find(content: &str, offered: &[&str]) -> Option<(Option<String>, Vec<ToolCall>)> {
    if content.len() > MAX_SEARCHED_CHARS {
        return None;
    }
    let line_starts = std::iter::once(0).chain(content.match_indices('\n').map(|(at, _)| at + 1));
    for start in line_starts {
        let rest = content[start..].trim();
        if !OPENERS.iter().any(|o| rest.starts_with(o)) {
            continue;
        }
        if let Some(calls) = calls_in(rest, offered) {
            let prose = content[..start].trim();
            return Some(((!prose.is_empty()).then(|| prose.to_string()), calls));
        }
    }
    None
}

/// The calls `text` consists of, all of them to offered tools; `None` otherwise.
fn calls_in(text: &str, offered: &[&str]) -> Option<Vec<ToolCall>> {
    let text = text.trim();
    if let Some(rest) = text.strip_prefix("<|python_tag|>").or_else(|| text.strip_prefix("[TOOL_CALLS]")) {
        return calls_in(rest, offered);
    }
    if let Some(fenced) = text.strip_prefix("```") {
        let inner = fenced.strip_suffix("```")?;
        let (label, body) = inner.split_once('\n')?;
        let label = label.trim();
        if !["", "json", "tool_call", "tool_code"].contains(&label) {
            return None;
        }
        return calls_in(body, offered);
    }
    let values: Vec<Value> = if text.starts_with("<tool_call>") {
        let mut values = Vec::new();
        let mut rest = text;
        while let Some(after) = rest.strip_prefix("<tool_call>") {
            let (body, next) = after.split_once("</tool_call>").unwrap_or((after, ""));
            values.push(serde_json::from_str(body.trim()).ok()?);
            rest = next.trim_start();
        }
        if !rest.is_empty() {
            return None;
        }
        values
    } else {
        match serde_json::from_str(text).ok()? {
            Value::Array(items) if !items.is_empty() => items,
            one @ Value::Object(_) => vec![one],
            _ => return None,
        }
    };
    values.iter().enumerate().map(|(i, v)| call_of(v, offered, i)).collect()
}

/// One printed call: `{"name", "arguments" | "parameters"}`, optionally with `"type":
/// "function"` and an `id`, or the wire's own `{"function": {"name", "arguments"}}`.
fn call_of(value: &Value, offered: &[&str], index: usize) -> Option<ToolCall> {
    let object = value.as_object()?;
    if let Some(function) = object.get("function").and_then(Value::as_object) {
        let outer_ok = object.keys().all(|k| ["function", "type", "id", "index"].contains(&k.as_str()));
        return if outer_ok { call_of(&Value::Object(function.clone()), offered, index) } else { None };
    }
    if !object.keys().all(|k| ["name", "arguments", "parameters", "type", "id"].contains(&k.as_str())) {
        return None;
    }
    if object.get("type").is_some_and(|t| t != "function") {
        return None;
    }
    let name = object.get("name")?.as_str()?;
    if !offered.contains(&name) {
        return None;
    }
    let arguments = match (object.get("arguments"), object.get("parameters")) {
        (Some(_), Some(_)) => return None,
        (arguments, parameters) => parse_arguments(arguments.or(parameters)),
    };
    Some(ToolCall { id: format!("call_printed_{index}"), name: name.to_string(), arguments })
}

/// Holds back streamed text that may be a printed call, from the start of a line that opens
/// like one to the end of the answer.
#[derive(Default)]
pub struct Guard {
    /// The text of the current line so far, while it may still open a call.
    line: String,
    /// Held from a line that opened like a call: released at the end unless it was one.
    held: Option<String>,
    /// Whether the text let through so far stops in the middle of a line (a line that started
    /// as prose cannot open a call any more).
    mid_line: bool,
}

impl Guard {
    /// Takes one piece of answer text; returns what may be shown now.
    pub fn push(&mut self, piece: &str) -> String {
        if let Some(held) = &mut self.held {
            held.push_str(piece);
            return String::new();
        }
        let mut out = String::new();
        let mut rest = piece;
        while !rest.is_empty() {
            let (line, after) = rest.split_at(rest.find('\n').map_or(rest.len(), |at| at + 1));
            rest = after;
            if self.mid_line {
                out.push_str(line);
                self.mid_line = !line.ends_with('\n');
                continue;
            }
            self.line.push_str(line);
            let start = self.line.trim_start();
            if OPENERS.iter().any(|o| start.starts_with(o)) {
                let mut held = std::mem::take(&mut self.line);
                held.push_str(rest);
                self.held = Some(held);
                return out;
            }
            let whole_line = self.line.ends_with('\n');
            // "``" or "<tool" may still become an opener; a line that ended cannot.
            let undecided = !whole_line && OPENERS.iter().any(|o| o.starts_with(start));
            if !undecided {
                out.push_str(&std::mem::take(&mut self.line));
                self.mid_line = !whole_line;
            }
        }
        out
    }

    /// The end of the answer: the text still held back, to be shown when it was not a call.
    pub fn finish(&mut self) -> String {
        let mut out = std::mem::take(&mut self.line);
        out.push_str(&self.held.take().unwrap_or_default());
        out
    }
}

#[cfg(test)]
mod tests;
