//! What one chat may spend on tools, and what it has spent.

/// What one chat may spend on tools.
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    pub calls_per_turn: usize,
    pub calls_per_chat: usize,
    pub output_chars: usize,
}

/// What a chat has spent so far.
#[derive(Debug, Default)]
pub(crate) struct Spent {
    calls: usize,
    output_chars: usize,
}

impl Spent {
    /// `None` when the `index`-th call of this turn may run (and counts it), else the budget
    /// that stops it.
    pub(super) fn admit(&mut self, index: usize, budget: &Budget) -> Option<&'static str> {
        if index >= budget.calls_per_turn {
            return Some("per_turn");
        }
        if self.calls >= budget.calls_per_chat {
            return Some("per_chat");
        }
        self.calls += 1;
        None
    }

    /// The result as the model gets it within the output budget: `Err` when it had to be cut.
    pub(crate) fn take_output(&mut self, content: String, budget: usize) -> Result<String, String> {
        let left = budget.saturating_sub(self.output_chars);
        let length = content.chars().count();
        if length <= left {
            self.output_chars += length;
            return Ok(content);
        }
        self.output_chars = budget;
        if left < 200 {
            return Err(format!(
                "Error: not shown: this chat's tool output budget ({budget} characters) is used up. \
                 Answer with what you have and say that the rest could not be looked at."
            ));
        }
        let cut: String = content.chars().take(left).collect();
        Err(format!("{cut}… [cut: this chat's tool output budget of {budget} characters is used up]"))
    }

    pub(super) fn exhausted(&self, budget: &Budget) -> bool {
        self.calls >= budget.calls_per_chat || self.output_chars >= budget.output_chars
    }
}
