//! Charts: the [`View`] in, each chart drawn with plotters as SVG and PNG out.
//!
//! Five charts (issue 5): each wave's enrollment against its target curve by week
//! of its own rollout; every group against target, sorted by gap; the funnel per
//! wave; help-desk load and categories; the training and email lift; with
//! touchpoints, each channel's reach and lift per wave ([`channels`]). Every chart
//! draws the same on any machine: text is measured and (in the PNG) drawn with the
//! DejaVu Sans font compiled into the binary, colours are the Okabe–Ito palette
//! (safe for colour-blind readers), long labels are cut with an ellipsis to the
//! width measured, and canvases grow with the number of rows. A chart without data
//! is not drawn; [`Rendered::Empty`] says why, for the page.

use std::sync::Once;

use plotters::coord::Shift;
use plotters::element::{Drawable, PointCollection};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{FontDesc, FontStyle};
use plotters_backend::{BackendCoord, DrawingErrorKind};

use super::format::{pct, thousands};
use super::view::{CutSection, View};

mod channels;
mod funnel;
mod progress;
mod rows;
mod survival;
mod visual;

use crate::schema::ALL;
use funnel::Funnel;
use progress::{HelpDesk, WaveProgress};
use rows::{group_gaps, lift};

/// The font family every chart asks for. The same string is the name the
/// embedded font is registered under and the CSS font list the SVG carries, so a
/// browser without DejaVu Sans falls back to a font of similar width.
pub const FONT: &str = "DejaVu Sans, Verdana, sans-serif";

/// DejaVu Sans 2.37 (Bitstream Vera licence, see assets/fonts/LICENSE-DejaVu.txt).
static FONT_BYTES: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");

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

/// The shape that marks a wave's points. The seven colours repeat from the eighth wave
/// on; the shape tells the next seven apart, and so on (28 waves in all before a
/// colour and a shape come back together).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Mark {
    Circle,
    Square,
    Triangle,
    Diamond,
}

const MARKS: [Mark; 4] = [Mark::Circle, Mark::Square, Mark::Triangle, Mark::Diamond];

/// A wave's colour and mark, by its position.
#[derive(Debug, Clone, Copy, PartialEq)]
struct WaveStyle {
    colour: RGBColor,
    mark: Mark,
}

fn wave_style(i: usize) -> WaveStyle {
    WaveStyle {
        colour: WAVE_COLOURS[i % WAVE_COLOURS.len()],
        mark: MARKS[(i / WAVE_COLOURS.len()) % MARKS.len()],
    }
}

/// A wave's mark at a point of a chart, `r` pixels from its centre to its edge.
struct MarkAt<C> {
    at: C,
    style: WaveStyle,
    r: i32,
}

fn mark_at<C>(at: C, style: WaveStyle, r: i32) -> MarkAt<C> {
    MarkAt { at, style, r }
}

impl<'a, C> PointCollection<'a, C> for &'a MarkAt<C> {
    type Point = &'a C;
    type IntoIter = std::iter::Once<&'a C>;
    fn point_iter(self) -> Self::IntoIter {
        std::iter::once(&self.at)
    }
}

impl<C, DB: DrawingBackend> Drawable<DB> for MarkAt<C> {
    fn draw<I: Iterator<Item = BackendCoord>>(
        &self,
        mut points: I,
        backend: &mut DB,
        _: (u32, u32),
    ) -> Result<(), DrawingErrorKind<DB::ErrorType>> {
        let Some((x, y)) = points.next() else {
            return Ok(());
        };
        let fill = self.style.colour.filled();
        let r = self.r;
        match self.style.mark {
            Mark::Circle => backend.draw_circle((x, y), r.unsigned_abs(), &fill, true),
            Mark::Square => backend.draw_rect((x - r, y - r), (x + r, y + r), &fill, true),
            Mark::Triangle => {
                let d = r + 1;
                backend.fill_polygon([(x, y - d), (x + d, y + d), (x - d, y + d)], &fill)
            }
            Mark::Diamond => {
                let d = r + 1;
                backend.fill_polygon([(x, y - d), (x + d, y), (x, y + d), (x - d, y)], &fill)
            }
        }
    }
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
    pub name: String,
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

/// DejaVu Sans cut to Latin, Latin Extended and common punctuation (49 KB), for
/// the page and the SVG files: `pyftsubset DejaVuSans.ttf --unicodes="U+0020-007E,
/// U+00A0-024F,U+2010-2027,U+2030-203A,U+2044,U+20AC,U+2190-2193,U+2212,U+2264,
/// U+2265,U+00B1,U+25CF" --no-hinting --desubroutinize`. Other scripts (Hebrew,
/// Arabic, CJK) fall back to the reader's fonts, which shape them correctly.
static WEB_FONT: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans-web.ttf");

/// A CSS `@font-face` rule carrying [`WEB_FONT`], so that browsers draw chart and
/// page text in the font the layout was measured with, whatever they have installed.
pub fn font_face_css() -> String {
    format!(
        "@font-face {{ font-family: \"DejaVu Sans\"; src: url(data:font/ttf;base64,{}) format(\"truetype\"); }}",
        base64(WEB_FONT)
    )
}

/// A standalone SVG file with the font embedded in a `<style>` after its opening tag.
pub fn svg_with_font(svg: &str) -> String {
    let Some(start) = svg.find("<svg") else {
        return svg.to_string();
    };
    let Some(end) = svg[start..].find('>').map(|i| start + i + 1) else {
        return svg.to_string();
    };
    format!(
        "{}\n<style>{}</style>{}",
        &svg[..end],
        font_face_css(),
        &svg[end..]
    )
}

/// Standard base64 (RFC 4648, with padding).
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
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
        let root =
            visual::VisualOrder(BitMapBackend::with_buffer(&mut rgb, (w, h))).into_drawing_area();
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
    use rayon::prelude::*;
    fn chart(name: &str, title: String, r: Result<Rendered, String>) -> Chart {
        let rendered = r.unwrap_or_else(|e| Rendered::Empty(format!("the chart failed: {e}")));
        Chart {
            name: name.to_string(),
            title,
            rendered,
        }
    }
    // Each chart reads only the view: they are drawn side by side (a PNG's encoding
    // is most of a chart's time), in the order the page shows them.
    let fixed: [fn(&View) -> Chart; 7] = [
        |view| {
            let p = WaveProgress::new(view);
            chart("wave_progress", p.title(), p.render_or_empty())
        },
        |view| {
            let p = group_gaps(view);
            chart("group_gaps", p.title.clone(), p.render_or_empty())
        },
        |view| {
            let p = Funnel::new(view);
            chart("funnel", p.title(), p.render_or_empty())
        },
        |view| {
            let p = HelpDesk::new(view);
            chart("helpdesk", p.title(), p.render_or_empty())
        },
        |view| {
            let p = lift(view);
            chart("lift", p.title.clone(), p.render_or_empty())
        },
        |view| {
            let p = channels::Channels::new(view);
            chart("channels", p.title(), p.render_or_empty())
        },
        |view| {
            let p = survival::TimeToEnroll::new(view);
            chart("time_to_enroll", p.title(), p.render_or_empty())
        },
    ];
    let mut charts: Vec<Chart> = fixed.par_iter().map(|draw| draw(view)).collect();
    charts.par_extend(view.cuts.par_iter().map(|section| {
        let p = rows::cut_gaps(view, section);
        chart(&section.chart, p.title.clone(), p.render_or_empty())
    }));
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
    /// A line with a wave's mark on it.
    Marked(WaveStyle),
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
        Swatch::Marked(style) => {
            root.draw(&PathElement::new(
                vec![(x, y), (x + w, y)],
                style.colour.stroke_width(3),
            ))?;
            root.draw(&mark_at((x + w / 2, y), style, 5))
        }
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

/// A chart with a share (0 to 1) up the side and `X` along the bottom.
type ShareChart<'a, DB, X> =
    ChartContext<'a, DB, Cartesian2d<X, plotters::coord::types::RangedCoordf64>>;

/// The axes of a share (0 to 100 %) over time since each wave's start, as the wave
/// progress and time-to-enroll charts draw them: margins, mesh, labels and rules.
fn share_over_time<'a, DB, X>(
    body: &'a DrawingArea<DB, Shift>,
    x: X,
    x_desc: &str,
    y_desc: &str,
    x_labels: usize,
) -> Result<ShareChart<'a, DB, X::CoordDescType>, DrawingAreaErrorKind<DB::ErrorType>>
where
    DB: DrawingBackend,
    X: plotters::coord::ranged1d::AsRangedCoord,
    X::CoordDescType: plotters::coord::ranged1d::ValueFormatter<X::Value>,
{
    let mut chart = ChartBuilder::on(body)
        .margin_left(20)
        .margin_right(30)
        .margin_bottom(10)
        .x_label_area_size(50)
        .y_label_area_size(70)
        .build_cartesian_2d(x, 0f64..1.0)?;
    chart
        .configure_mesh()
        .x_desc(x_desc)
        .y_desc(y_desc)
        .x_labels(x_labels)
        .y_labels(11)
        .y_label_formatter(&percent_label)
        .label_style(font(TICK_SIZE))
        .axis_desc_style(font(LABEL_SIZE))
        .light_line_style(TRANSPARENT)
        .bold_line_style(RULE)
        .draw()?;
    Ok(chart)
}

fn percent_label(v: &f64) -> String {
    format!("{:.0} %", 100.0 * v)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Waves 8 to 28 are told apart by their marks (the colours repeated from the
    /// eighth wave on, so waves 1 and 8 were drawn alike).
    #[test]
    fn twenty_eight_waves_each_have_their_own_colour_and_mark() {
        let styles: Vec<WaveStyle> = (0..28).map(wave_style).collect();
        for (i, a) in styles.iter().enumerate() {
            for (j, b) in styles.iter().enumerate().skip(i + 1) {
                assert_ne!(a, b, "waves {} and {} look alike", i + 1, j + 1);
            }
        }
        assert_eq!(wave_style(0).mark, Mark::Circle);
        assert_eq!(wave_style(7).colour, wave_style(0).colour);
        assert_eq!(wave_style(7).mark, Mark::Square);
    }

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
    fn base64_matches_rfc_4648() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }

    #[test]
    fn standalone_svg_carries_the_font() {
        let s = svg_with_font("<?xml version=\"1.0\"?>\n<svg viewBox=\"0 0 1 1\"><rect/></svg>");
        assert!(
            s.contains("<svg viewBox=\"0 0 1 1\">\n<style>@font-face"),
            "{}",
            &s[..80]
        );
        assert!(s.ends_with("<rect/></svg>"));
    }

    #[test]
    fn inline_svg_has_no_prolog_no_fixed_size_and_an_escaped_title() {
        let chart = Chart {
            name: "x".to_string(),
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
