//! Secrets that only look like secrets: a placeholder copied from an example file
//! (`CHANGE-ME-api-key`, `your-api-key`), one character repeated, or too short or too uniform to
//! be guessed slowly. Every service that reads `API_KEY` or `INTERNAL_TOKEN` refuses to start on
//! one, naming the variable and the command that makes a good value.
//!
//! The rule, as the README states it: at least [`MIN_CHARS`] characters, at least
//! [`MIN_DISTINCT`] different ones, no placeholder marker ([`PLACEHOLDER_MARKERS`], any case, or a
//! value that starts with `your-`/`your_`/`<`).

/// Shortest accepted secret, in characters.
pub const MIN_CHARS: usize = 16;
/// Fewest different characters: `abababababababab` is 16 characters of 1 bit each.
pub const MIN_DISTINCT: usize = 8;
/// Text found in the placeholders of example files and templates.
pub const PLACEHOLDER_MARKERS: &[&str] =
    &["change-me", "changeme", "change_me", "change me", "replace-me", "replaceme", "placeholder", "example"];

/// How to make a good value, said in every refusal.
pub const HOW_TO_MAKE_ONE: &str = "make one with: openssl rand -hex 32";

/// Why `value` is not a usable secret, or `None` when it is.
pub fn weakness(value: &str) -> Option<String> {
    let lower = value.to_lowercase();
    if let Some(marker) = PLACEHOLDER_MARKERS.iter().find(|m| lower.contains(*m)) {
        return Some(format!("looks like a placeholder (it contains '{marker}')"));
    }
    if lower.starts_with("your-") || lower.starts_with("your_") || lower.starts_with('<') {
        return Some("looks like a placeholder from an example file".into());
    }
    let chars = value.chars().count();
    let mut distinct: Vec<char> = value.chars().collect();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() == 1 {
        return Some("is one character repeated".into());
    }
    if chars < MIN_CHARS {
        return Some(format!("is {chars} characters long; it must be at least {MIN_CHARS}"));
    }
    if distinct.len() < MIN_DISTINCT {
        return Some(format!("uses only {} different characters; it must use at least {MIN_DISTINCT}", distinct.len()));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_from_example_files_are_refused() {
        for placeholder in [
            "CHANGE-ME-api-key",
            "CHANGE-ME-internal-token",
            "changeme-changeme-1234",
            "please_Change_Me_0123456789",
            "your-api-key-goes-here",
            "YOUR_TOKEN_0123456789abcdef",
            "<paste a key here 0123456>",
            "example-key-0123456789abc",
        ] {
            assert!(weakness(placeholder).is_some_and(|w| w.contains("placeholder")), "{placeholder}");
        }
    }

    #[test]
    fn short_repeated_and_uniform_values_are_refused() {
        assert_eq!(weakness("aaaaaaaaaaaaaaaaaaaaaaaa").as_deref(), Some("is one character repeated"));
        assert!(weakness("0123456789abcde").unwrap().contains("15 characters"));
        assert!(weakness("abababababababababab").unwrap().contains("2 different characters"));
        assert!(weakness("1111222233334444").unwrap().contains("4 different"));
    }

    #[test]
    fn generated_and_ordinary_strong_values_pass() {
        assert_eq!(weakness("3f9c1d0e8b7a6f5e4d3c2b1a09f8e7d6c5b4a39281706f5e4d3c2b1a0f9e8d7c"), None);
        assert_eq!(weakness("stack-key-0123456789abcdef"), None);
        assert_eq!(weakness("Tr0ub4dor&3-horse-battery"), None);
    }
}
