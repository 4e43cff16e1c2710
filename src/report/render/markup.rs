//! The template environment: the two templates (`templates/`, embedded), strict about undefined
//! values so that a misspelt field fails the render instead of printing nothing, and the
//! filters that make a cell safe for its document — Markdown escaping and HTML cells that break
//! only before the interval.

use crate::report::ReportError;
use minijinja::{Environment, UndefinedBehavior};

const HTML_TEMPLATE: &str = include_str!("../templates/index.html");
const MD_TEMPLATE: &str = include_str!("../templates/report.md");

/// Escapes text for a Markdown table cell or paragraph.
fn md_escape(s: String) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '|' | '*' | '\\' | '`' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

/// HTML for a numeric cell: the estimate and its bracketed interval each kept on one line, so
/// that a narrow page breaks the cell between them and nowhere else.
fn html_cell(s: String) -> minijinja::Value {
    let escape = |t: &str| {
        t.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    let html = match s.split_once(" [") {
        Some((est, ci)) => format!(
            "<span class=\"nw\">{}</span> <span class=\"nw\">[{}</span>",
            escape(est),
            escape(ci)
        ),
        None => format!("<span class=\"nw\">{}</span>", escape(&s)),
    };
    minijinja::Value::from_safe_string(html)
}

/// The environment holding both templates and their filters.
pub(super) fn environment() -> Result<Environment<'static>, ReportError> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_keep_trailing_newline(true);
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    env.add_filter("md", md_escape);
    env.add_filter("cell", html_cell);
    // The default auto-escape callback escapes templates named *.html and leaves *.md alone.
    env.add_template("index.html", HTML_TEMPLATE)
        .map_err(|e| ReportError::Internal(format!("template index.html: {e}")))?;
    env.add_template("report.md", MD_TEMPLATE)
        .map_err(|e| ReportError::Internal(format!("template report.md: {e}")))?;
    Ok(env)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_cells_break_only_before_the_interval() {
        assert_eq!(
            html_cell("0.6889 [0.6224; 0.7485]".into()).to_string(),
            "<span class=\"nw\">0.6889</span> <span class=\"nw\">[0.6224; 0.7485]</span>"
        );
        assert_eq!(
            html_cell("< 0.0001".into()).to_string(),
            "<span class=\"nw\">&lt; 0.0001</span>"
        );
    }

    #[test]
    fn markdown_cells_cannot_break_a_table() {
        assert_eq!(md_escape("a|b*c\nd".into()), "a\\|b\\*c d");
    }
}
