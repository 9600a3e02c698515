//! The two digests in Markdown: `summary.md` for sponsors (short enough to paste into
//! an email or a Teams post) and `lessons.md` for operations.
//!
//! Both are rendered by minijinja from `templates/summary.md` and
//! `templates/lessons.md` over the [`View`]: group-level figures that the privacy rules
//! already made safe, never a person. Every name that comes from the data (waves,
//! groups, campaigns, categories) is Markdown-escaped by the templates' `md` filter.

use minijinja::value::Serde;
use minijinja::{Environment, Value};

use super::view::View;

/// Escapes text from the data for Markdown (and for the HTML a renderer makes of it).
///
/// `&` is escaped only where a renderer would read it as the start of an entity
/// (`&amp;`, `&#38;`): `R&D` stays `R&D`, which reads the same rendered or pasted as
/// plain text into an email.
pub fn md(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for (i, c) in s.char_indices() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '|' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' if starts_entity(&s[i + 1..]) => out.push_str("&amp;"),
            '\n' | '\r' | '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Whether the text after a `&` would make it an entity: letters, digits or `#`, then `;`.
fn starts_entity(rest: &str) -> bool {
    let name = rest
        .bytes()
        .take_while(|b| b.is_ascii_alphanumeric() || *b == b'#')
        .count();
    name > 0 && rest.as_bytes().get(name) == Some(&b';')
}

/// An environment for templates of text (the digests, the email's parts): block tags
/// on lines of their own leave no trace; the file ends with a newline.
pub(super) fn text_environment() -> Result<Environment<'static>, minijinja::Error> {
    let mut env = Environment::new();
    env.set_syntax(
        minijinja::syntax::SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .keep_trailing_newline(true)
            .build()?,
    );
    Ok(env)
}

/// The templates, compiled into the binary.
const SUMMARY: &str = include_str!("../../templates/summary.md");
const LESSONS: &str = include_str!("../../templates/lessons.md");

/// The Markdown templates' environment: no auto-escaping (Markdown is not HTML), the
/// `md` filter for every name from the data, `num` for counts.
fn environment() -> Result<Environment<'static>, minijinja::Error> {
    let mut env = text_environment()?;
    env.add_filter("md", |s: String| md(&s));
    env.add_filter("num", |v: Option<i64>| super::format::count(v));
    env.add_template("summary.md", SUMMARY)?;
    env.add_template("lessons.md", LESSONS)?;
    Ok(env)
}

fn render(name: &str, view: &View) -> Result<String, minijinja::Error> {
    let env = environment()?;
    let context = minijinja::context! { view => Value::from(Serde(view)) };
    env.get_template(name)?.render(context)
}

/// `summary.md`: headline, what changed since last week, waves at risk, top actions.
pub fn summary(view: &View) -> Result<String, minijinja::Error> {
    render("summary.md", view)
}

/// `lessons.md`: wave against wave at the same week of wave, the communication plan
/// phase by phase, what training did to enrollment, what to brief the help desk on.
pub fn lessons(view: &View) -> Result<String, minijinja::Error> {
    render("lessons.md", view)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_is_escaped() {
        assert_eq!(md("R&D | <script>"), "R&D \\| &lt;script&gt;");
        assert_eq!(md("Sales & Marketing"), "Sales & Marketing");
        // Only an `&` that a renderer would read as an entity is escaped.
        assert_eq!(md("A&amp;B &#60; &x"), "A&amp;amp;B &amp;\\#60; &x");
        assert_eq!(md("a_b*c"), "a\\_b\\*c");
    }
}
