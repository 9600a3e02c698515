//! The sponsor digest as an email: the [`View`] and the drawn charts in, `digest.eml`
//! out — a draft a sponsor opens, addresses and sends (docs/outputs.md, "digest.eml").
//!
//! The message is `multipart/related`: a `multipart/alternative` (plain text from
//! `templates/digest.txt`, HTML from `templates/digest.html`, every style inline, no
//! script, nothing fetched) and the progress chart as an inline PNG the HTML shows by
//! `cid:`. It has a `Subject:`, a `Date:` fixed by the as-of day (the first instant
//! after it, in the rollout's zone), `X-Unsent: 1` (mail programs open it as a new
//! message), and no `From:`, `To:` or `Message-ID:`: the program that sends it adds
//! them. mail-builder encodes the headers (RFC 2047 for any language) and the parts
//! (quoted-printable or base64, short lines); the boundaries are ours, chosen so that
//! no part contains them, so the same run gives the same bytes. Only the view's
//! group-level figures reach it: no person is named.
//!
//! [`Headline`] words the headline once for the subject, both parts and the Teams
//! card.

use std::io::Write as _;

use chrono::NaiveDate;
use chrono_tz::Tz;
use mail_builder::headers::content_type::ContentType;
use mail_builder::headers::text::Text;
use mail_builder::headers::Header as _;
use mail_builder::mime::MimePart;
use minijinja::value::Serde;
use minijinja::{AutoEscape, Environment, Value};
use serde::Serialize;

use super::charts::{clean_label, Chart, Rendered};
use super::format::{count, plural};
use super::view::View;

/// The chart the email shows.
const CHART: &str = "wave_progress";
/// Its `Content-ID` (the HTML's `cid:` reference).
const CHART_CID: &str = "wave_progress@uptake";

const HTML: &str = include_str!("../../templates/digest.html");
const TEXT: &str = include_str!("../../templates/digest.txt");

/// The headline, worded once: the email's subject and first lines, the card's top.
#[derive(Debug, Clone, Serialize)]
pub struct Headline {
    /// `<rollout>: week to <D>`.
    pub title: String,
    /// Whether the overall row is shown (some wave is large enough).
    pub shown: bool,
    /// The overall status (table name: `on_track`, `at_risk`, …), or `suppressed`.
    pub status: &'static str,
    /// The status in words.
    pub status_label: &'static str,
    /// `64.3 % enrolled (9 of 14 people) against a target of 70.2 %`, or why there
    /// are no figures.
    pub figures: String,
    /// `+17.6 pts since last week (3 people enrolled in the week)`, when known.
    pub change: Option<String>,
    /// The email's subject: title and the headline in a few words.
    pub subject: String,
}

impl Headline {
    /// The headline of `view`.
    pub fn of(view: &View) -> Headline {
        let title = format!("{}: week to {}", view.rollout, view.as_of);
        match &view.overall {
            Some(o) => Headline {
                subject: format!(
                    "{title} \u{2014} {} enrolled, {}",
                    o.rate_text, o.status_label
                ),
                title,
                shown: true,
                status: o.status,
                status_label: o.status_label,
                figures: format!(
                    "{} enrolled ({} of {}) against a target of {}",
                    o.rate_text,
                    count(o.enrolled),
                    plural(o.eligible.unwrap_or(0), "person", "people"),
                    o.target_text
                ),
                change: o.change.map(|_| {
                    format!(
                        "{} since last week ({} enrolled in the week)",
                        o.change_text,
                        plural(o.new_this_week.unwrap_or(0), "person", "people")
                    )
                }),
            },
            None => Headline {
                subject: format!("{title} \u{2014} no wave large enough to show yet"),
                title,
                shown: false,
                status: "suppressed",
                status_label: "too small to show",
                figures: "No wave has enough eligible people to show figures yet".to_string(),
                change: None,
            },
        }
    }
}

/// What the templates see.
#[derive(Serialize)]
struct Context<'a> {
    view: &'a View,
    headline: &'a Headline,
    /// The chart, when drawn: its `cid:` and its title (the image's text).
    chart: Option<ChartRef>,
    version: &'static str,
}

#[derive(Serialize)]
struct ChartRef {
    cid: &'static str,
    title: String,
}

/// The email's templates: HTML auto-escaped, plain text as is, `num` for counts,
/// `nobreak` for figures in table cells.
fn environment() -> Result<Environment<'static>, minijinja::Error> {
    let mut env = super::markdown::text_environment()?;
    env.set_auto_escape_callback(|name| {
        if name.ends_with(".html") {
            AutoEscape::Html
        } else {
            AutoEscape::None
        }
    });
    env.add_filter("num", count);
    // A share never breaks before its unit (`95.0 %`) in a narrow table.
    env.add_filter("nobreak", |s: String| s.replace(" %", "\u{a0}%"));
    env.add_template("digest.html", HTML)?;
    env.add_template("digest.txt", TEXT)?;
    Ok(env)
}

/// Renders `digest.eml` for the run as of `as_of` in `tz`.
pub fn render(view: &View, charts: &[Chart], tz: Tz, as_of: NaiveDate) -> std::io::Result<Vec<u8>> {
    let headline = Headline::of(view);
    let png = charts.iter().find_map(|c| match &c.rendered {
        Rendered::Drawn { png, .. } if c.name == CHART => Some((c, png)),
        _ => None,
    });
    let context = Context {
        view,
        headline: &headline,
        chart: png.map(|(c, _)| ChartRef {
            cid: CHART_CID,
            title: c.title.clone(),
        }),
        version: env!("CARGO_PKG_VERSION"),
    };
    let env = environment().map_err(std::io::Error::other)?;
    let render = |name: &str| {
        env.get_template(name)
            .and_then(|t| t.render(Value::from(Serde(&context))))
            .map_err(|e| std::io::Error::other(format!("rendering {name}: {e:#}")))
    };
    let (text, html) = (render("digest.txt")?, render("digest.html")?);

    let alternative_boundary = boundary("alternative", &[&text, &html]);
    let alternative = MimePart::new(
        ContentType::new("multipart/alternative").attribute("boundary", alternative_boundary),
        vec![
            MimePart::new("text/plain", text.as_str()),
            MimePart::new("text/html", html.as_str()),
        ],
    );
    let body = match png {
        Some((_, png)) => {
            let related_boundary = boundary("related", &[&text, &html]);
            MimePart::new(
                ContentType::new("multipart/related")
                    .attribute("type", "multipart/alternative")
                    .attribute("boundary", related_boundary),
                vec![
                    alternative,
                    MimePart::new("image/png", png.as_slice())
                        .header(
                            "Content-Disposition",
                            ContentType::new("inline")
                                .attribute("filename", format!("{CHART}.png")),
                        )
                        .cid(CHART_CID),
                ],
            )
        }
        None => alternative,
    };

    let closed = chrono::DateTime::from_timestamp_millis(crate::calendar::end_of_day_ms(tz, as_of))
        .map(|t| t.with_timezone(&tz).to_rfc2822())
        .ok_or_else(|| {
            std::io::Error::other(format!("{as_of} has no instant to date the email"))
        })?;
    let mut out = Vec::new();
    write!(out, "Date: {closed}\r\n")?;
    out.extend_from_slice(b"Subject: ");
    // On one line: a line break in a rollout's name must not start a header of its own.
    Text::new(clean_label(&headline.subject)).write_header(&mut out, "Subject: ".len())?;
    out.extend_from_slice(b"MIME-Version: 1.0\r\nX-Unsent: 1\r\n");
    body.write_part(&mut out)?;
    Ok(out)
}

/// A boundary no part contains: `=_uptake_<name>`, numbered when a text part happens
/// to hold it. (`=_` never occurs in quoted-printable or base64 output.)
fn boundary(name: &str, parts: &[&str]) -> String {
    let base = format!("=_uptake_{name}");
    let mut candidate = base.clone();
    let mut n = 1;
    while parts.iter().any(|p| p.contains(&candidate)) {
        n += 1;
        candidate = format!("{base}_{n}");
    }
    candidate
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_boundary_is_never_inside_a_part() {
        assert_eq!(boundary("related", &["hello"]), "=_uptake_related");
        assert_eq!(
            boundary("related", &["a =_uptake_related b", "=_uptake_related_2"]),
            "=_uptake_related_3"
        );
    }
}
