//! Text from the system (a health check's output, an alert, a log line, the user's own words)
//! placed into a Markdown answer must stay text: escaped here, it cannot become a link, an image,
//! markup or a code span, whatever it holds. Container names, sizes and other plain words come out
//! unchanged, so answers read the same over curl.

use std::borrow::Cow;

/// The characters that start Markdown constructs other than emphasis by `_` (which CommonMark
/// does not apply inside words, so `my_app` stays as it is).
const SPECIAL: &[char] = &['\\', '`', '*', '[', ']', '<', '>', '!', '|'];

/// Backslash-escapes the Markdown-special characters of `text` and folds line breaks into
/// spaces, so one value cannot start a new block (a heading, a list, a fenced block).
pub fn escape(text: &str) -> Cow<'_, str> {
    if !text.contains(SPECIAL) && !text.contains(['\n', '\r']) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' | '\r' => out.push(' '),
            c if SPECIAL.contains(&c) => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn plain_words_are_unchanged() {
        for s in ["homelab-fixture-web", "my_app", "12.5 GB free of 100 GB", "nas.local (TrueNAS 24.10)"] {
            assert_eq!(escape(s), s);
        }
    }

    #[test]
    fn images_links_and_markup_become_text() {
        assert_eq!(escape("![x](http://e/?d=1)"), "\\!\\[x\\](http://e/?d=1)");
        assert_eq!(escape("[click](http://e)"), "\\[click\\](http://e)");
        assert_eq!(escape("<img src=x>"), "\\<img src=x\\>");
        assert_eq!(escape("`code` **bold** a|b \\"), "\\`code\\` \\*\\*bold\\*\\* a\\|b \\\\");
    }

    #[test]
    fn a_value_cannot_start_a_block() {
        assert_eq!(escape("ok\n# heading\n- item"), "ok # heading - item");
    }
}
