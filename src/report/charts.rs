//! Charts: the [`View`] in, each chart drawn with plotters as SVG and PNG out.
//!
//! Five charts (issue 5): each wave's enrollment against its target curve by week
//! of its own rollout; every group against target, sorted by gap; the funnel per
//! wave; help-desk load and categories; the training and email lift. Every chart
//! draws the same on any machine: text is measured and (in the PNG) drawn with the
//! DejaVu Sans font compiled into the binary, colours are the Okabe–Ito palette
//! (safe for colour-blind readers), long labels are cut with an ellipsis to the
//! width measured, and canvases grow with the number of rows. A chart without data
//! is not drawn; [`Rendered::Empty`] says why, for the page.

use std::sync::Once;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{FontDesc, FontStyle};

use super::html::thousands;
use super::view::{pct, View};
use crate::schema::ALL;

/// The font family every chart asks for. The same string is the name the
/// embedded font is registered under and the CSS font list the SVG carries, so a
/// browser without DejaVu Sans falls back to a font of similar width.
pub const FONT: &str = "DejaVu Sans, Verdana, sans-serif";

/// DejaVu Sans 2.37 (Bitstream Vera licence, see assets/fonts/LICENSE-DejaVu.txt).
static FONT_BYTES: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");

/// Canvas width of every chart, in pixels.
const WIDTH: u32 = 960;

// Okabe & Ito (2008), "Color Universal Design": distinguishable with every common
// colour-vision deficiency.
const OI_BLACK: RGBColor = RGBColor(0x00, 0x00, 0x00);
const OI_ORANGE: RGBColor = RGBColor(0xE6, 0x9F, 0x00);
const OI_SKY: RGBColor = RGBColor(0x56, 0xB4, 0xE9);
const OI_GREEN: RGBColor = RGBColor(0x00, 0x9E, 0x73);
const OI_BLUE: RGBColor = RGBColor(0x00, 0x72, 0xB2);
const OI_VERMILLION: RGBColor = RGBColor(0xD5, 0x5E, 0x00);
const OI_PURPLE: RGBColor = RGBColor(0xCC, 0x79, 0xA7);
const OI_GREY: RGBColor = RGBColor(0x99, 0x99, 0x99);
const INK_SOFT: RGBColor = RGBColor(0x44, 0x44, 0x44);
const RULE: RGBColor = RGBColor(0xDD, 0xDD, 0xDD);
const BAND: RGBColor = RGBColor(0xF3, 0xF3, 0xF3);

/// Wave colours, in config order (yellow left out: too pale on white).
const WAVE_COLOURS: [RGBColor; 7] = [
    OI_BLUE,
    OI_ORANGE,
    OI_GREEN,
    OI_PURPLE,
    OI_SKY,
    OI_VERMILLION,
    OI_BLACK,
];

/// The colour of a wave by its position.
fn wave_colour(i: usize) -> RGBColor {
    WAVE_COLOURS[i % WAVE_COLOURS.len()]
}

/// The colour of a status (table name).
fn status_colour(status: &str) -> RGBColor {
    match status {
        "on_track" => OI_GREEN,
        "at_risk" => OI_ORANGE,
        "behind" => OI_VERMILLION,
        _ => OI_GREY,
    }
}

/// A chart of the report.
pub struct Chart {
    /// File stem under `charts/`.
    pub name: &'static str,
    /// Its title (also the SVG's accessible name).
    pub title: String,
    /// The drawing, or why there is none.
    pub rendered: Rendered,
}

/// A drawn chart, or the reason it was not drawn.
pub enum Rendered {
    /// SVG text (as plotters writes it) and PNG bytes.
    Drawn {
        /// The standalone SVG file.
        svg: String,
        /// The PNG file.
        png: Vec<u8>,
    },
    /// Nothing to draw; the sentence says why.
    Empty(String),
}

impl Chart {
    /// The SVG made fit to sit inside an HTML page: no XML prolog, scaled to the
    /// page's width, with an accessible title.
    pub fn inline_svg(&self) -> Option<String> {
        let Rendered::Drawn { svg, .. } = &self.rendered else {
            return None;
        };
        let mut body = svg.trim_start();
        if body.starts_with("<?xml") {
            body = body.find("?>").map_or(body, |i| body[i + 2..].trim_start());
        }
        let end = body.find('>')?;
        let (open, rest) = body.split_at(end);
        // The opening tag is plotters' own (`<svg width=".." height=".." viewBox=..`);
        // the page sizes the chart by CSS instead of fixed pixels.
        let open = open
            .split_whitespace()
            .filter(|a| !a.starts_with("width=") && !a.starts_with("height="))
            .collect::<Vec<_>>()
            .join(" ");
        Some(format!(
            "{open} class=\"chart\" role=\"img\" preserveAspectRatio=\"xMinYMin meet\"><title>{}</title>{}",
            escape_xml(&self.title),
            &rest[1..]
        ))
    }
}

/// Escapes text for XML and HTML.
pub fn escape_xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A label as a chart shows it: control characters and bidirectional overrides
/// (which would reorder the text around it) removed.
pub fn clean_label(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .filter(|c| {
            !matches!(
                c,
                '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
            )
        })
        .collect::<String>()
        .trim()
        .to_string()
}

/// Registers the embedded font once per process, under [`FONT`] and under
/// plotters' default `sans-serif`.
fn register_fonts() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        for name in [FONT, "sans-serif"] {
            // A failure shows up as a font error when the first chart is drawn.
            let _ = plotters::style::register_font(name, FontStyle::Normal, FONT_BYTES);
        }
    });
}

fn font(size: f64) -> FontDesc<'static> {
    (FONT, size).into_font()
}

fn text_style(size: f64, colour: &'static RGBColor) -> TextStyle<'static> {
    font(size).color(colour)
}

/// Width in pixels of `s` at `size`.
fn text_width(s: &str, size: f64) -> u32 {
    font(size).box_size(s).map_or(u32::MAX, |(w, _)| w)
}

/// `s` cut to at most `max_px` pixels at `size`, with an ellipsis when cut.
pub fn fit(s: &str, size: f64, max_px: u32) -> String {
    let s = clean_label(s);
    if text_width(&s, size) <= max_px {
        return s;
    }
    let chars: Vec<char> = s.chars().collect();
    let cut = |n: usize| format!("{}…", chars[..n].iter().collect::<String>().trim_end());
    let (mut lo, mut hi) = (0usize, chars.len());
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        if text_width(&cut(mid), size) <= max_px {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    cut(lo)
}

type DrawResult<DB> = Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

/// A chart that knows its canvas and how to draw itself on any backend.
trait Plot {
    fn size(&self) -> (u32, u32);
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB>;
}

/// Draws `plot` as SVG and as PNG.
fn render<P: Plot>(plot: &P) -> Result<Rendered, String> {
    register_fonts();
    let (w, h) = plot.size();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (w, h)).into_drawing_area();
        plot.draw(&root).map_err(|e| e.to_string())?;
        root.present().map_err(|e| e.to_string())?;
    }
    let mut rgb = vec![0u8; (w as usize) * (h as usize) * 3];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, (w, h)).into_drawing_area();
        plot.draw(&root).map_err(|e| e.to_string())?;
        root.present().map_err(|e| e.to_string())?;
    }
    let png = encode_png(&rgb, w, h).map_err(|e| e.to_string())?;
    Ok(Rendered::Drawn { svg, png })
}

fn encode_png(rgb: &[u8], w: u32, h: u32) -> Result<Vec<u8>, png::EncodingError> {
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, w, h);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        let mut writer = enc.write_header()?;
        writer.write_image_data(rgb)?;
        writer.finish()?;
    }
    Ok(out)
}

/// Draws every chart of the report. A chart that fails to draw is reported as
/// empty with the reason rather than failing the run: the tables are the record.
pub fn draw_all(view: &View) -> Vec<Chart> {
    let mut charts = Vec::new();
    let mut push = |name: &'static str, title: String, r: Result<Rendered, String>| {
        let rendered = r.unwrap_or_else(|e| Rendered::Empty(format!("the chart failed: {e}")));
        charts.push(Chart {
            name,
            title,
            rendered,
        });
    };

    let p = WaveProgress::new(view);
    push("wave_progress", p.title(), p.render_or_empty());
    let p = group_gaps(view);
    push("group_gaps", p.title.clone(), p.render_or_empty());
    let p = Funnel::new(view);
    push("funnel", p.title(), p.render_or_empty());
    let p = HelpDesk::new(view);
    push("helpdesk", p.title(), p.render_or_empty());
    let p = lift(view);
    push("lift", p.title.clone(), p.render_or_empty());
    charts
}

/// What a chart needs that is common to all: a title, a subtitle, a legend.
trait Framed: Plot + Sized {
    fn why_empty(&self) -> Option<String>;
    fn render_or_empty(&self) -> Result<Rendered, String> {
        match self.why_empty() {
            Some(why) => Ok(Rendered::Empty(why)),
            None => render(self),
        }
    }
}

// ---------------------------------------------------------------------------
// Frame: title, subtitle, legend.

#[derive(Clone, Copy)]
enum Swatch {
    Line(RGBColor),
    Dashed(RGBColor),
    Dot(RGBColor),
    Bar(RGBColor),
    Tick(RGBColor),
    Whisker(RGBColor),
}

struct LegendEntry {
    label: String,
    swatch: Swatch,
}

const TITLE_SIZE: f64 = 22.0;
const SUBTITLE_SIZE: f64 = 14.0;
const LABEL_SIZE: f64 = 14.0;
const TICK_SIZE: f64 = 13.0;
const LEGEND_SIZE: f64 = 13.0;
const LEGEND_ROW: u32 = 22;
const SWATCH_W: u32 = 26;

/// Lays legend entries out in rows that fit `width`; returns the rows.
fn legend_rows(entries: &[LegendEntry], width: u32) -> Vec<Vec<(usize, u32)>> {
    let mut rows: Vec<Vec<(usize, u32)>> = vec![Vec::new()];
    let mut x = 0u32;
    for (i, e) in entries.iter().enumerate() {
        let w = SWATCH_W + 6 + text_width(&e.label, LEGEND_SIZE).min(width / 2) + 22;
        if x + w > width && x > 0 {
            rows.push(Vec::new());
            x = 0;
        }
        rows.last_mut().expect("one row at least").push((i, x));
        x += w;
    }
    rows.retain(|r| !r.is_empty());
    rows
}

/// Height of the header (title, subtitle, legend) of a chart.
fn header_height(entries: &[LegendEntry]) -> u32 {
    let legend = legend_rows(entries, WIDTH - 40).len() as u32 * LEGEND_ROW;
    64 + legend + if entries.is_empty() { 0 } else { 8 }
}

/// Draws title, subtitle and legend; returns the area below them.
fn draw_header<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    subtitle: &str,
    entries: &[LegendEntry],
) -> Result<DrawingArea<DB, Shift>, DrawingAreaErrorKind<DB::ErrorType>> {
    root.fill(&WHITE)?;
    let max = WIDTH - 40;
    root.draw(&Text::new(
        fit(title, TITLE_SIZE, max),
        (20, 12),
        text_style(TITLE_SIZE, &OI_BLACK),
    ))?;
    root.draw(&Text::new(
        fit(subtitle, SUBTITLE_SIZE, max),
        (20, 42),
        text_style(SUBTITLE_SIZE, &INK_SOFT),
    ))?;
    let top = 68;
    for (r, row) in legend_rows(entries, max).iter().enumerate() {
        let y = top + r as i32 * LEGEND_ROW as i32 + (LEGEND_ROW as i32) / 2;
        for &(i, x) in row {
            let e = &entries[i];
            let x = 20 + x as i32;
            draw_swatch(root, e.swatch, x, y)?;
            root.draw(&Text::new(
                fit(&e.label, LEGEND_SIZE, max / 2),
                (x + SWATCH_W as i32 + 6, y),
                text_style(LEGEND_SIZE, &OI_BLACK).pos(Pos::new(HPos::Left, VPos::Center)),
            ))?;
        }
    }
    let h = header_height(entries);
    Ok(root.split_vertically(h).1)
}

fn draw_swatch<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    swatch: Swatch,
    x: i32,
    y: i32,
) -> DrawResult<DB> {
    let w = SWATCH_W as i32;
    match swatch {
        Swatch::Line(c) => root.draw(&PathElement::new(
            vec![(x, y), (x + w, y)],
            c.stroke_width(3),
        )),
        Swatch::Dashed(c) => {
            for k in 0..3 {
                let x0 = x + k * 10;
                root.draw(&PathElement::new(
                    vec![(x0, y), (x0 + 6, y)],
                    c.stroke_width(2),
                ))?;
            }
            Ok(())
        }
        Swatch::Dot(c) => root.draw(&Circle::new((x + w / 2, y), 6, c.filled())),
        Swatch::Bar(c) => root.draw(&Rectangle::new([(x, y - 7), (x + w, y + 7)], c.filled())),
        Swatch::Tick(c) => root.draw(&PathElement::new(
            vec![(x + w / 2, y - 9), (x + w / 2, y + 9)],
            c.stroke_width(3),
        )),
        Swatch::Whisker(c) => {
            root.draw(&PathElement::new(
                vec![(x, y), (x + w, y)],
                c.stroke_width(2),
            ))?;
            root.draw(&PathElement::new(
                vec![(x, y - 5), (x, y + 5)],
                c.stroke_width(2),
            ))?;
            root.draw(&PathElement::new(
                vec![(x + w, y - 5), (x + w, y + 5)],
                c.stroke_width(2),
            ))
        }
    }
}

fn percent_label(v: &f64) -> String {
    format!("{:.0} %", 100.0 * v)
}

// ---------------------------------------------------------------------------
// (a) Each wave's enrollment against its target curve, by week of its own rollout.

struct WaveSeries {
    name: String,
    colour: RGBColor,
    /// (week of wave, enrolled share, target share)
    points: Vec<(i32, f64, f64)>,
}

struct WaveProgress {
    series: Vec<WaveSeries>,
    legend: Vec<LegendEntry>,
    max_week: i32,
}

impl WaveProgress {
    fn new(view: &View) -> WaveProgress {
        let series: Vec<WaveSeries> = view
            .waves
            .iter()
            .enumerate()
            .map(|(i, w)| WaveSeries {
                name: w.line.wave.clone(),
                colour: wave_colour(i),
                points: view
                    .weeks
                    .iter()
                    .filter(|p| p.wave == w.line.wave)
                    .filter_map(|p| Some((p.week_of_wave as i32, p.rate?, p.target?)))
                    .collect(),
            })
            .filter(|s| !s.points.is_empty())
            .collect();
        let mut legend: Vec<LegendEntry> = series
            .iter()
            .map(|s| LegendEntry {
                label: s.name.clone(),
                swatch: Swatch::Line(s.colour),
            })
            .collect();
        legend.push(LegendEntry {
            label: "target (dashed, in the wave's colour)".to_string(),
            swatch: Swatch::Dashed(INK_SOFT),
        });
        let max_week = series
            .iter()
            .flat_map(|s| s.points.iter().map(|p| p.0))
            .max()
            .unwrap_or(0);
        WaveProgress {
            series,
            legend,
            max_week,
        }
    }

    fn title(&self) -> String {
        "Enrollment by week of each wave, against target".to_string()
    }
}

impl Plot for WaveProgress {
    fn size(&self) -> (u32, u32) {
        (WIDTH, header_height(&self.legend) + 440)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let body = draw_header(
            root,
            &self.title(),
            "Share of eligible people enrolled at the end of each week; week 0 is the wave's start week",
            &self.legend,
        )?;
        let mut chart = ChartBuilder::on(&body)
            .margin_left(20)
            .margin_right(30)
            .margin_bottom(10)
            .x_label_area_size(50)
            .y_label_area_size(70)
            .build_cartesian_2d(0i32..self.max_week.max(1), 0f64..1.0)?;
        chart
            .configure_mesh()
            .x_desc("Weeks since the wave's start")
            .y_desc("Enrolled (% of eligible)")
            .x_labels((self.max_week.max(1) as usize + 1).min(20))
            .y_labels(11)
            .y_label_formatter(&percent_label)
            .label_style(font(TICK_SIZE))
            .axis_desc_style(font(LABEL_SIZE))
            .light_line_style(TRANSPARENT)
            .bold_line_style(RULE)
            .draw()?;
        for s in &self.series {
            chart.draw_series(DashedLineSeries::new(
                s.points.iter().map(|p| (p.0, p.2)),
                8,
                5,
                s.colour.stroke_width(2),
            ))?;
            chart.draw_series(LineSeries::new(
                s.points.iter().map(|p| (p.0, p.1)),
                s.colour.stroke_width(3),
            ))?;
            chart.draw_series(
                s.points
                    .iter()
                    .map(|p| Circle::new((p.0, p.1), 4, s.colour.filled())),
            )?;
        }
        Ok(())
    }
}

impl Framed for WaveProgress {
    fn why_empty(&self) -> Option<String> {
        self.series
            .is_empty()
            .then(|| "No wave has weekly progress to show yet (none has started, or every wave is too small to show).".to_string())
    }
}

// ---------------------------------------------------------------------------
// Rows of dots with interval whiskers: groups against target (b), lift (e).

struct Mark {
    value: f64,
    interval: Option<(f64, f64)>,
    colour: RGBColor,
    /// Vertical offset within the row, in rows (−0.5..0.5).
    offset: f64,
}

struct DotRow {
    label: String,
    marks: Vec<Mark>,
    target: Option<f64>,
    right: String,
    /// Starts a new block (a thin rule is drawn above it).
    block_start: bool,
}

struct DotRows {
    title: String,
    subtitle: String,
    x_desc: String,
    right_header: String,
    rows: Vec<DotRow>,
    legend: Vec<LegendEntry>,
    row_height: u32,
    empty: String,
}

const DOT_LABEL_W: u32 = 300;
const DOT_RIGHT_W: u32 = 110;

impl Plot for DotRows {
    fn size(&self) -> (u32, u32) {
        let n = self.rows.len().max(1) as u32;
        (
            WIDTH,
            header_height(&self.legend) + 30 + n * self.row_height + 60,
        )
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let body = draw_header(root, &self.title, &self.subtitle, &self.legend)?;
        let n = self.rows.len();
        let mut chart = ChartBuilder::on(&body)
            .margin_top(30)
            .margin_left(20)
            .margin_right(20 + DOT_RIGHT_W)
            .margin_bottom(10)
            .x_label_area_size(50)
            .y_label_area_size(DOT_LABEL_W)
            .build_cartesian_2d(0f64..1.0, -0.5f64..(n as f64 - 0.5))?;
        let y_of = |i: usize| (n - 1 - i) as f64;
        // Alternate bands first, under the grid and the marks.
        chart.draw_series((0..n).filter(|i| i % 2 == 0).map(|i| {
            Rectangle::new([(0.0, y_of(i) - 0.5), (1.0, y_of(i) + 0.5)], BAND.filled())
        }))?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(0)
            .x_labels(11)
            .x_label_formatter(&percent_label)
            .x_desc(self.x_desc.as_str())
            .label_style(font(TICK_SIZE))
            .axis_desc_style(font(LABEL_SIZE))
            .light_line_style(TRANSPARENT)
            .bold_line_style(RULE)
            .draw()?;
        let label_style =
            text_style(LABEL_SIZE, &OI_BLACK).pos(Pos::new(HPos::Right, VPos::Center));
        let right_style =
            text_style(LABEL_SIZE, &OI_BLACK).pos(Pos::new(HPos::Right, VPos::Center));
        let (_, top) = chart.backend_coord(&(0.0, n as f64 - 0.5));
        let (right_x, _) = chart.backend_coord(&(1.0, 0.0));
        root.draw(&Text::new(
            fit(&self.right_header, TICK_SIZE, DOT_RIGHT_W),
            (right_x + DOT_RIGHT_W as i32 + 10, top - 14),
            text_style(TICK_SIZE, &INK_SOFT).pos(Pos::new(HPos::Right, VPos::Center)),
        ))?;
        for (i, row) in self.rows.iter().enumerate() {
            let y = y_of(i);
            let (left_x, py) = chart.backend_coord(&(0.0, y));
            root.draw(&Text::new(
                fit(&row.label, LABEL_SIZE, DOT_LABEL_W - 16),
                (left_x - 8, py),
                label_style.clone(),
            ))?;
            root.draw(&Text::new(
                fit(&row.right, LABEL_SIZE, DOT_RIGHT_W - 8),
                (right_x + DOT_RIGHT_W as i32 + 10, py),
                right_style.clone(),
            ))?;
            if row.block_start && i > 0 {
                chart.draw_series(std::iter::once(PathElement::new(
                    vec![(0.0, y + 0.5), (1.0, y + 0.5)],
                    INK_SOFT.stroke_width(1),
                )))?;
            }
            if let Some(t) = row.target {
                chart.draw_series(std::iter::once(PathElement::new(
                    vec![(t, y - 0.38), (t, y + 0.38)],
                    OI_BLACK.stroke_width(3),
                )))?;
            }
            for m in &row.marks {
                let my = y + m.offset;
                if let Some((lo, hi)) = m.interval {
                    let style = m.colour.stroke_width(2);
                    chart.draw_series([
                        PathElement::new(vec![(lo, my), (hi, my)], style),
                        PathElement::new(vec![(lo, my - 0.15), (lo, my + 0.15)], style),
                        PathElement::new(vec![(hi, my - 0.15), (hi, my + 0.15)], style),
                    ])?;
                }
                chart.draw_series(std::iter::once(Circle::new(
                    (m.value, my),
                    5,
                    m.colour.filled(),
                )))?;
            }
        }
        Ok(())
    }
}

impl Framed for DotRows {
    fn why_empty(&self) -> Option<String> {
        self.rows.is_empty().then(|| self.empty.clone())
    }
}

/// (b) Every shown group's enrollment rate against its target, most behind first.
fn group_gaps(view: &View) -> DotRows {
    let mut groups: Vec<_> = view
        .groups
        .iter()
        .filter(|g| g.shown && g.rate.is_some() && g.gap.is_some())
        .collect();
    let wave_ix = |w: &str| view.waves.iter().position(|x| x.line.wave == w);
    groups.sort_by(|a, b| {
        let (ga, gb) = (a.gap.unwrap_or(0.0), b.gap.unwrap_or(0.0));
        ga.total_cmp(&gb)
            .then_with(|| wave_ix(&a.wave).cmp(&wave_ix(&b.wave)))
            .then_with(|| a.group.cmp(&b.group))
    });
    let one_wave = view.waves.len() <= 1;
    let rows = groups
        .iter()
        .map(|g| DotRow {
            label: if one_wave {
                clean_label(&g.group)
            } else {
                format!("{} · {}", clean_label(&g.wave), clean_label(&g.group))
            },
            marks: vec![Mark {
                value: g.rate.unwrap_or(0.0),
                interval: g.rate_low.zip(g.rate_high),
                colour: status_colour(g.status),
                offset: 0.0,
            }],
            target: g.target,
            right: g.gap_text.clone(),
            block_start: false,
        })
        .collect();
    let legend = vec![
        LegendEntry {
            label: "on track".into(),
            swatch: Swatch::Dot(OI_GREEN),
        },
        LegendEntry {
            label: format!("at risk (up to {} pts under)", view.at_risk_margin_text),
            swatch: Swatch::Dot(OI_ORANGE),
        },
        LegendEntry {
            label: "behind".into(),
            swatch: Swatch::Dot(OI_VERMILLION),
        },
        LegendEntry {
            label: "not started".into(),
            swatch: Swatch::Dot(OI_GREY),
        },
        LegendEntry {
            label: "target today".into(),
            swatch: Swatch::Tick(OI_BLACK),
        },
        LegendEntry {
            label: "95 % interval".into(),
            swatch: Swatch::Whisker(INK_SOFT),
        },
    ];
    DotRows {
        title: "Groups against today's target, most behind first".into(),
        subtitle: format!(
            "Enrolled share of eligible people on {}; groups under {} people are folded, not shown alone",
            view.as_of, view.min_group_size
        ),
        x_desc: "Enrolled (% of eligible)".into(),
        right_header: "gap to target".into(),
        rows,
        legend,
        row_height: 24,
        empty: "No group to show: every wave is too small to show, or none has people.".into(),
    }
}

/// (e) Enrollment with and without each factor (opened an email, trained).
fn lift(view: &View) -> DotRows {
    let mut rows = Vec::new();
    let mut last_wave: Option<&str> = None;
    for l in &view.lift {
        let (Some(rw), Some(ro)) = (l.rate_with, l.rate_without) else {
            continue;
        };
        let wave = if l.wave == ALL {
            "All waves".to_string()
        } else {
            clean_label(&l.wave)
        };
        rows.push(DotRow {
            label: format!("{wave} · {}", l.factor_label),
            marks: vec![
                Mark {
                    value: rw,
                    interval: l.with_interval,
                    colour: OI_BLUE,
                    offset: 0.17,
                },
                Mark {
                    value: ro,
                    interval: l.without_interval,
                    colour: OI_ORANGE,
                    offset: -0.17,
                },
            ],
            target: None,
            right: l.difference_text.clone(),
            block_start: last_wave.is_some_and(|w| w != l.wave),
        });
        last_wave = Some(&l.wave);
    }
    let legend = vec![
        LegendEntry {
            label: "with the factor".into(),
            swatch: Swatch::Dot(OI_BLUE),
        },
        LegendEntry {
            label: "without it".into(),
            swatch: Swatch::Dot(OI_ORANGE),
        },
        LegendEntry {
            label: "95 % interval".into(),
            swatch: Swatch::Whisker(INK_SOFT),
        },
    ];
    DotRows {
        title: "Enrollment with and without email opens and training".into(),
        subtitle:
            "Observational: people who open or train may differ in other ways; not proof of cause"
                .into(),
        x_desc: "Enrolled (% of the people with / without)".into(),
        right_header: "difference".into(),
        rows,
        legend,
        row_height: 34,
        empty: "No lift to show: no wave has people both with and without a factor.".into(),
    }
}

// ---------------------------------------------------------------------------
// (c) The funnel per wave: eligible → opened → trained → enrolled.

struct FunnelWave {
    name: String,
    eligible: i64,
    /// (share of eligible, people) per stage.
    stages: [(f64, i64); 4],
}

struct Funnel {
    waves: Vec<FunnelWave>,
    legend: Vec<LegendEntry>,
}

const STAGE_COLOURS: [RGBColor; 4] = [OI_GREY, OI_SKY, OI_GREEN, OI_BLUE];
const FUNNEL_BAR: u32 = 20;
const FUNNEL_GAP: u32 = 22;
const FUNNEL_LABEL_W: u32 = 220;

impl Funnel {
    fn new(view: &View) -> Funnel {
        let mut waves: Vec<FunnelWave> = view
            .waves
            .iter()
            .map(|w| &w.line)
            .chain(view.overall.iter())
            .filter_map(|l| {
                let eligible = l.eligible.filter(|&e| e > 0)?;
                let share = |k: i64| (k as f64 / eligible as f64, k);
                Some(FunnelWave {
                    name: if l.wave == ALL {
                        "All waves".to_string()
                    } else {
                        clean_label(&l.wave)
                    },
                    eligible,
                    stages: [
                        share(eligible),
                        share(l.openers.unwrap_or(0)),
                        share(l.trained.unwrap_or(0)),
                        share(l.enrolled.unwrap_or(0)),
                    ],
                })
            })
            .collect();
        // With a single wave the overall row repeats it.
        if waves.len() == 2 {
            waves.pop();
        }
        let legend = ["eligible", "opened an email", "trained", "enrolled"]
            .iter()
            .zip(STAGE_COLOURS)
            .map(|(label, c)| LegendEntry {
                label: (*label).to_string(),
                swatch: Swatch::Bar(c),
            })
            .collect();
        Funnel { waves, legend }
    }

    fn title(&self) -> String {
        "From eligible to enrolled, per wave".to_string()
    }
}

impl Plot for Funnel {
    fn size(&self) -> (u32, u32) {
        let per_wave = 4 * FUNNEL_BAR + FUNNEL_GAP;
        (
            WIDTH,
            header_height(&self.legend) + 20 + self.waves.len() as u32 * per_wave + 60,
        )
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let body = draw_header(
            root,
            &self.title(),
            "Share of each wave's eligible people who opened a rollout email, trained and enrolled (people in brackets)",
            &self.legend,
        )?;
        let per_wave = (4 * FUNNEL_BAR + FUNNEL_GAP) as f64;
        let total = self.waves.len() as f64 * per_wave;
        let mut chart = ChartBuilder::on(&body)
            .margin_top(20)
            .margin_left(20)
            .margin_right(40)
            .margin_bottom(10)
            .x_label_area_size(50)
            .y_label_area_size(FUNNEL_LABEL_W)
            .build_cartesian_2d(0f64..1.0, 0f64..total)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(0)
            .x_labels(11)
            .x_label_formatter(&percent_label)
            .x_desc("% of the wave's eligible people")
            .label_style(font(TICK_SIZE))
            .axis_desc_style(font(LABEL_SIZE))
            .light_line_style(TRANSPARENT)
            .bold_line_style(RULE)
            .draw()?;
        let bar = FUNNEL_BAR as f64;
        for (i, w) in self.waves.iter().enumerate() {
            // Top of this wave's block, in chart units (y grows upwards).
            let top = total - i as f64 * per_wave - FUNNEL_GAP as f64 / 2.0;
            let (left_x, py) = chart.backend_coord(&(0.0, top - 2.0 * bar));
            root.draw(&Text::new(
                fit(&w.name, LABEL_SIZE, FUNNEL_LABEL_W - 70),
                (left_x - 10, py - 9),
                text_style(LABEL_SIZE, &OI_BLACK).pos(Pos::new(HPos::Right, VPos::Center)),
            ))?;
            root.draw(&Text::new(
                format!("{} people", thousands(w.eligible)),
                (left_x - 10, py + 10),
                text_style(TICK_SIZE, &INK_SOFT).pos(Pos::new(HPos::Right, VPos::Center)),
            ))?;
            for (k, &(share, people)) in w.stages.iter().enumerate() {
                let y1 = top - k as f64 * bar - 2.0;
                let y0 = y1 - bar + 4.0;
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(0.0, y0), (share.clamp(0.0, 1.0), y1)],
                    STAGE_COLOURS[k].filled(),
                )))?;
                let label = format!("{} ({})", pct(Some(share)), thousands(people));
                let (bx, by) = chart.backend_coord(&(share.clamp(0.0, 1.0), (y0 + y1) / 2.0));
                let (plot_right, _) = chart.backend_coord(&(1.0, 0.0));
                let w_label = text_width(&label, TICK_SIZE) as i32;
                // Inside the bar's end when there is no room after it.
                let (x, colour, anchor) = if bx + 6 + w_label > plot_right + 30 {
                    (bx - 6, &WHITE, HPos::Right)
                } else {
                    (bx + 6, &OI_BLACK, HPos::Left)
                };
                root.draw(&Text::new(
                    label,
                    (x, by),
                    text_style(TICK_SIZE, colour).pos(Pos::new(anchor, VPos::Center)),
                ))?;
            }
        }
        Ok(())
    }
}

impl Framed for Funnel {
    fn why_empty(&self) -> Option<String> {
        self.waves
            .is_empty()
            .then(|| "No funnel to show: no wave has people to show.".to_string())
    }
}

// ---------------------------------------------------------------------------
// (d) Help-desk load by week of wave, and the top categories.

/// A wave's line: name, colour, (week of wave, value).
type WeekSeries = (String, RGBColor, Vec<(i32, f64)>);

struct HelpDesk {
    /// Per wave: name, colour, (week, tickets per 100 enrolled).
    series: Vec<WeekSeries>,
    /// (category, share, tickets), overall, largest first.
    categories: Vec<(String, f64, i64)>,
    legend: Vec<LegendEntry>,
    max_week: i32,
    max_rate: f64,
    any_tickets: bool,
}

const TOP_CATEGORIES: usize = 8;

impl HelpDesk {
    fn new(view: &View) -> HelpDesk {
        let series: Vec<WeekSeries> = view
            .waves
            .iter()
            .enumerate()
            .map(|(i, w)| {
                let points = view
                    .weeks
                    .iter()
                    .filter(|p| p.wave == w.line.wave)
                    .filter_map(|p| Some((p.week_of_wave as i32, p.tickets_per_100()?)))
                    .collect();
                (clean_label(&w.line.wave), wave_colour(i), points)
            })
            .filter(|s: &WeekSeries| !s.2.is_empty())
            .collect();
        let any_tickets = view.weeks.iter().any(|p| p.tickets > 0)
            || view.categories.iter().any(|c| c.tickets > 0);
        let mut categories: Vec<(String, f64, i64)> = view
            .categories
            .iter()
            .filter(|c| c.wave == ALL)
            .map(|c| (clean_label(&c.category), c.share.unwrap_or(0.0), c.tickets))
            .collect();
        categories.truncate(TOP_CATEGORIES);
        let legend = series
            .iter()
            .map(|s| LegendEntry {
                label: s.0.clone(),
                swatch: Swatch::Line(s.1),
            })
            .collect();
        let max_week = series
            .iter()
            .flat_map(|s| s.2.iter().map(|p| p.0))
            .max()
            .unwrap_or(0);
        let max_rate = series
            .iter()
            .flat_map(|s| s.2.iter().map(|p| p.1))
            .fold(0.0, f64::max);
        HelpDesk {
            series,
            categories,
            legend,
            max_week,
            max_rate,
            any_tickets,
        }
    }

    fn title(&self) -> String {
        "Help-desk load by week of each wave, and what the tickets were about".to_string()
    }
}

impl Plot for HelpDesk {
    fn size(&self) -> (u32, u32) {
        (WIDTH, header_height(&self.legend) + 400)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let body = draw_header(
            root,
            &self.title(),
            "Left: tickets opened in the week per 100 people enrolled by its end. Right: share of all tickets",
            &self.legend,
        )?;
        let (left, right) = body.split_horizontally(560);
        let y_max = (self.max_rate * 1.15).max(1.0);
        let mut chart = ChartBuilder::on(&left)
            .margin_left(20)
            .margin_right(20)
            .margin_bottom(10)
            .margin_top(10)
            .x_label_area_size(50)
            .y_label_area_size(70)
            .build_cartesian_2d(0i32..self.max_week.max(1), 0f64..y_max)?;
        chart
            .configure_mesh()
            .x_desc("Weeks since the wave's start")
            .y_desc("Tickets per 100 enrolled")
            .x_labels((self.max_week.max(1) as usize + 1).min(20))
            .y_labels(8)
            .y_label_formatter(&|v| format!("{v:.0}"))
            .label_style(font(TICK_SIZE))
            .axis_desc_style(font(LABEL_SIZE))
            .light_line_style(TRANSPARENT)
            .bold_line_style(RULE)
            .draw()?;
        for (_, colour, points) in &self.series {
            chart.draw_series(LineSeries::new(
                points.iter().copied(),
                colour.stroke_width(3),
            ))?;
            chart.draw_series(
                points
                    .iter()
                    .map(|&(x, y)| Circle::new((x, y), 4, colour.filled())),
            )?;
        }

        // Top categories as labelled bars, drawn in pixels.
        let (w, _) = right.dim_in_pixel();
        let (ox, oy) = right.get_base_pixel();
        root.draw(&Text::new(
            "Top categories, all waves",
            (ox + 10, oy + 16),
            text_style(LABEL_SIZE, &OI_BLACK).pos(Pos::new(HPos::Left, VPos::Center)),
        ))?;
        if self.categories.is_empty() {
            root.draw(&Text::new(
                "No ticket categories.",
                (ox + 10, oy + 48),
                text_style(TICK_SIZE, &INK_SOFT).pos(Pos::new(HPos::Left, VPos::Center)),
            ))?;
        }
        let label_w = 130u32;
        let bar_max = w.saturating_sub(label_w + 120) as f64;
        for (i, (name, share, tickets)) in self.categories.iter().enumerate() {
            let y = oy + 52 + i as i32 * 34;
            let x0 = ox + 10 + label_w as i32;
            root.draw(&Text::new(
                fit(name, TICK_SIZE, label_w - 10),
                (x0 - 8, y),
                text_style(TICK_SIZE, &OI_BLACK).pos(Pos::new(HPos::Right, VPos::Center)),
            ))?;
            let len = (share.clamp(0.0, 1.0) * bar_max).round() as i32;
            root.draw(&Rectangle::new(
                [(x0, y - 9), (x0 + len.max(1), y + 9)],
                OI_SKY.filled(),
            ))?;
            root.draw(&Text::new(
                format!("{} ({})", pct(Some(*share)), thousands(*tickets)),
                (x0 + len + 6, y),
                text_style(TICK_SIZE, &OI_BLACK).pos(Pos::new(HPos::Left, VPos::Center)),
            ))?;
        }
        Ok(())
    }
}

impl Framed for HelpDesk {
    fn why_empty(&self) -> Option<String> {
        (!self.any_tickets).then(|| "No help-desk tickets up to the as-of day.".to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_labels_are_cut_to_the_width_with_an_ellipsis() {
        register_fonts();
        let long = "Research and Development ".repeat(8);
        let cut = fit(&long, 14.0, 200);
        assert!(cut.ends_with('…'), "{cut}");
        assert!(text_width(&cut, 14.0) <= 200);
        assert_eq!(fit("Finance", 14.0, 200), "Finance");
    }

    #[test]
    fn bidi_overrides_and_controls_are_removed_from_labels() {
        assert_eq!(clean_label("a\u{202E}b\nc"), "ab c");
        assert_eq!(clean_label("  שיווק  "), "שיווק");
    }

    #[test]
    fn inline_svg_has_no_prolog_no_fixed_size_and_an_escaped_title() {
        let chart = Chart {
            name: "x",
            title: "a <b> & \"c\"".into(),
            rendered: Rendered::Drawn {
                svg: "<?xml version=\"1.0\"?>\n<svg width=\"960\" height=\"500\" viewBox=\"0 0 960 500\" xmlns=\"http://www.w3.org/2000/svg\">\n<rect/></svg>".into(),
                png: Vec::new(),
            },
        };
        let s = chart.inline_svg().unwrap();
        assert!(s.starts_with("<svg viewBox=\"0 0 960 500\""), "{s}");
        assert!(!s.contains("<?xml") && !s.contains("width=\"960\""), "{s}");
        assert!(
            s.contains("<title>a &lt;b&gt; &amp; &quot;c&quot;</title>"),
            "{s}"
        );
    }

    #[test]
    fn png_is_encoded() {
        let png = encode_png(&[255u8; 2 * 2 * 3], 2, 2).unwrap();
        assert_eq!(&png[1..4], b"PNG");
    }
}
