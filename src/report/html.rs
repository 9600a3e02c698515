//! The sponsor page: the [`View`] and the drawn charts in, `index.html` out.
//!
//! One self-contained file: the CSS and the charts' SVG are inline, nothing is
//! fetched, no script runs. The page is rendered by minijinja from
//! `templates/report.html` (compiled into the binary) with HTML auto-escaping on,
//! so every string from the inputs (rollout, wave and group names, categories) is
//! escaped; only the charts' SVG, which plotters and [`Chart::inline_svg`] escape
//! themselves, is inserted as markup.

use minijinja::value::Serde;
use minijinja::{AutoEscape, Environment, Value};
use serde::Serialize;

use super::charts::{Chart, Rendered};
use super::format::thousands;
use super::view::View;

/// The page template.
const TEMPLATE: &str = include_str!("../../templates/report.html");

/// What the template sees of a chart.
#[derive(Serialize)]
struct ChartContext {
    name: String,
    title: String,
    /// Inline SVG markup, when drawn.
    svg: Option<String>,
    /// Why it is not drawn.
    empty: Option<String>,
}

#[derive(Serialize)]
struct Page<'a> {
    view: &'a View,
    charts: std::collections::BTreeMap<String, ChartContext>,
    version: &'static str,
    font_css: String,
}

/// Renders the page.
pub fn render(view: &View, charts: &[Chart]) -> Result<String, minijinja::Error> {
    let mut env = Environment::new();
    env.set_auto_escape_callback(|_| AutoEscape::Html);
    env.add_filter("num", |v: Option<i64>| match v {
        Some(n) => thousands(n),
        None => "–".to_string(),
    });
    env.add_filter("capitalize_first", |s: String| {
        let mut c = s.chars();
        match c.next() {
            Some(f) => f.to_uppercase().chain(c).collect::<String>(),
            None => s,
        }
    });
    env.add_template("report.html", TEMPLATE)?;
    let charts = charts
        .iter()
        .map(|c| {
            (
                c.name.clone(),
                ChartContext {
                    name: c.name.clone(),
                    title: c.title.clone(),
                    svg: c.inline_svg(),
                    empty: match &c.rendered {
                        Rendered::Empty(why) => Some(why.clone()),
                        Rendered::Drawn { .. } => None,
                    },
                },
            )
        })
        .collect();
    let page = Page {
        view,
        charts,
        version: env!("CARGO_PKG_VERSION"),
        font_css: super::charts::font_face_css(),
    };
    env.get_template("report.html")?
        .render(Value::from(Serde(&page)))
}
