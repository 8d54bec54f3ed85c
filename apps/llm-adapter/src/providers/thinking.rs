//! A model's reasoning is never the answer. Servers that separate it send it in its own field
//! (`reasoning` from Ollama, `reasoning_content` from llama.cpp, `thinking` in Ollama's own API),
//! which the readers never take as content; a server that does not leaves it in the text between
//! `<think>` and `</think>`, which is cut here, in a whole answer and in a stream of tokens whose
//! tags may be split across pieces.

/// Tag pairs that enclose reasoning in a model's text.
const TAGS: [(&str, &str); 2] = [("<think>", "</think>"), ("<thinking>", "</thinking>")];

/// The answer without its reasoning: every tagged block is removed, and so is everything before
/// a closing tag that has no opening one (a template that opens the block in the prompt).
pub fn strip(text: &str) -> String {
    let mut rest = text;
    let mut filter = Filter::default();
    for (open, close) in TAGS {
        if let Some(end) = rest.find(close) {
            if !rest[..end].contains(open) {
                rest = &rest[end + close.len()..];
                filter.trim_next = true;
            }
        }
    }
    let mut out = filter.push(rest);
    out.push_str(&filter.finish());
    out
}

/// Removes tagged reasoning from a stream of text pieces.
#[derive(Default)]
pub struct Filter {
    /// Inside a block: the closing tag being waited for.
    inside: Option<&'static str>,
    /// Text held back because it may be the start of a tag.
    pending: String,
    /// Right after a block: the blank lines that separated it from the answer go with it.
    trim_next: bool,
}

impl Filter {
    /// Takes one piece; returns the answer text it lets through (possibly empty).
    pub fn push(&mut self, piece: &str) -> String {
        let mut text = std::mem::take(&mut self.pending);
        text.push_str(piece);
        let mut out = String::new();
        let mut rest = text.as_str();
        loop {
            match self.inside {
                Some(close) => match rest.find(close) {
                    Some(at) => {
                        rest = &rest[at + close.len()..];
                        self.inside = None;
                        self.trim_next = true;
                    }
                    None => {
                        self.pending = partial_suffix(rest, &[close]).to_string();
                        break;
                    }
                },
                None => {
                    let next =
                        TAGS.iter().filter_map(|(open, close)| rest.find(open).map(|at| (at, *open, *close))).min();
                    match next {
                        Some((at, open, close)) => {
                            self.emit(&rest[..at], &mut out);
                            rest = &rest[at + open.len()..];
                            self.inside = Some(close);
                        }
                        None => {
                            let opens: Vec<&str> = TAGS.iter().map(|(open, _)| *open).collect();
                            let held = partial_suffix(rest, &opens);
                            self.emit(&rest[..rest.len() - held.len()], &mut out);
                            self.pending = held.to_string();
                            break;
                        }
                    }
                }
            }
        }
        out
    }

    /// The end of the stream: text held back as a possible tag was answer text after all; an
    /// unclosed block is dropped.
    pub fn finish(&mut self) -> String {
        let mut out = String::new();
        if self.inside.is_none() {
            let pending = std::mem::take(&mut self.pending);
            self.emit(&pending, &mut out);
        }
        out
    }

    fn emit(&mut self, text: &str, out: &mut String) {
        let text = if self.trim_next { text.trim_start() } else { text };
        if !text.is_empty() {
            self.trim_next = false;
            out.push_str(text);
        }
    }
}

/// The longest end of `text` that is the beginning of one of `tags` (and not a whole tag).
fn partial_suffix<'a>(text: &'a str, tags: &[&str]) -> &'a str {
    let longest = tags.iter().map(|t| t.len()).max().unwrap_or(0);
    for len in (1..longest.min(text.len() + 1)).rev() {
        let start = text.len() - len;
        if text.is_char_boundary(start) && tags.iter().any(|t| t.len() > len && t.starts_with(&text[start..])) {
            return &text[start..];
        }
    }
    ""
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasoning_between_tags_is_never_part_of_the_answer() {
        assert_eq!(strip("<think>The user wants CPU.</think>\n\nCPU usage is 4%."), "CPU usage is 4%.");
        assert_eq!(strip("Okay, let me see.</think>CPU is 4%."), "CPU is 4%.", "opened in the prompt");
        assert_eq!(strip("<thinking>hmm</thinking>All good."), "All good.");
        assert_eq!(strip("Plain answer, no tags."), "Plain answer, no tags.");
        assert_eq!(strip("<think>never closed"), "");
        assert_eq!(strip("Use a < b and <th> tags."), "Use a < b and <th> tags.");
    }

    #[test]
    fn tags_split_across_pieces_are_still_recognised() {
        let mut f = Filter::default();
        let pieces = ["<th", "ink>The user", " asks.</thi", "nk>\n", "CPU is ", "4% <", "b>ok</b>"];
        let out: String = pieces.iter().map(|p| f.push(p)).collect::<String>() + &f.finish();
        assert_eq!(out, "CPU is 4% <b>ok</b>");

        let mut g = Filter::default();
        assert_eq!(g.push("Température <"), "Température ");
        assert_eq!(g.push("3"), "<3");
        assert_eq!(g.push(" °C <thi"), " °C ");
        assert_eq!(g.finish(), "<thi", "a tag's beginning at the very end was text");
    }
}
