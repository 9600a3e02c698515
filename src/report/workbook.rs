//! The workbook: the [`View`] and every written table in, `workbook.xlsx` out.
//!
//! A `Summary` sheet first (the headline figures and the waves, from the view), then
//! one sheet per table of [`Tables::written`](crate::metrics::Tables::written), in that
//! order. A table's sheet is laid out from its column declarations alone — the kind
//! of each column decides its number format, never its name — so a new table needs no
//! change here. Text is stored as text (a group named `=SUM(A1)` is a string, never a
//! formula), empty figures are empty cells, the header row is frozen and filtered, and
//! columns are sized to what they hold. The same inputs give the same bytes: the
//! document's creation time is the end of the as-of day, not the clock. See
//! docs/outputs.md, "workbook.xlsx", for the formats.

use chrono::NaiveDate;
use chrono_tz::Tz;
use rust_xlsxwriter::{
    Color, DocProperties, ExcelDateTime, Format, FormatBorder, Workbook, Worksheet, XlsxError,
};

use super::format::thousands;
use super::view::{GroupLine, View};
use crate::metrics::{Kind, Value, Written};

/// Excel's longest cell text, in UTF-16 units.
const MAX_CELL_UTF16: usize = 32_767;
/// Excel's longest sheet name.
const MAX_SHEET_NAME: usize = 31;
/// Column widths, in characters of the default font: the widest cell and a margin
/// (a right-aligned number next to left-aligned text must not touch it), at least a
/// short number, at most what a screen shows without scrolling a long note.
const MARGIN: usize = 3;
const MIN_WIDTH: usize = 9;
const MAX_WIDTH: usize = 60;
/// The format of other numbers: zero, then under 0.0001, then the rest.
const NUMBER_FORMAT: &str = "[=0]0.0;[<0.0001]0.0E+00;#,##0.0###";

/// The number formats and styles of the workbook, one per kind of figure.
struct Formats {
    title: Format,
    header: Format,
    label: Format,
    note: Format,
    text: Format,
    count: Format,
    rate: Format,
    points: Format,
    number: Format,
    date: Format,
    flag: Format,
}

impl Formats {
    fn new() -> Formats {
        Formats {
            title: Format::new().set_bold().set_font_size(14),
            header: Format::new()
                .set_bold()
                .set_background_color(Color::RGB(0xE8_EE_F4))
                .set_border_bottom(FormatBorder::Thin),
            label: Format::new().set_bold(),
            note: Format::new()
                .set_italic()
                .set_font_color(Color::RGB(0x55_55_55)),
            // "@": the cell stays text even when someone types into it later.
            text: Format::new().set_num_format("@"),
            count: Format::new().set_num_format("#,##0"),
            rate: Format::new().set_num_format("0.0%"),
            // A difference of shares, as a signed percentage: 0.023 shows `+2.3%`
            // (2.3 points), so `rate − target` computed in a cell equals the gap cell.
            points: Format::new().set_num_format("+0.0%;-0.0%;0.0%"),
            // Hours, tickets per 100, p-values: one to four decimals, and a number
            // closer to zero in scientific notation (a p-value of 3e-21 must not read
            // 0.0); the cell holds the number in full.
            number: Format::new().set_num_format(NUMBER_FORMAT),
            date: Format::new().set_num_format("yyyy-mm-dd"),
            flag: Format::new(),
        }
    }

    fn of(&self, kind: Kind) -> &Format {
        match kind {
            Kind::Text => &self.text,
            Kind::Count => &self.count,
            Kind::Rate => &self.rate,
            Kind::Points => &self.points,
            Kind::Number => &self.number,
            Kind::Date => &self.date,
            Kind::Flag => &self.flag,
        }
    }
}

/// A sheet being written: the worksheet and the widest text of each column so far.
struct Sheet<'a> {
    ws: &'a mut Worksheet,
    widths: Vec<usize>,
}

impl<'a> Sheet<'a> {
    fn new(ws: &'a mut Worksheet) -> Self {
        Sheet {
            ws,
            widths: Vec::new(),
        }
    }

    /// Notes that column `col` shows `chars` characters.
    fn grow(&mut self, col: u16, chars: usize) {
        let col = usize::from(col);
        if self.widths.len() <= col {
            self.widths.resize(col + 1, 0);
        }
        self.widths[col] = self.widths[col].max(chars);
    }

    /// Text, stored as a string (never a formula), cut to what a cell holds.
    fn text(&mut self, row: u32, col: u16, s: &str, format: &Format) -> Result<(), XlsxError> {
        let s = cell_text(s);
        self.grow(col, display_width(&s));
        self.ws.write_string_with_format(row, col, s, format)?;
        Ok(())
    }

    /// Text that may be absent: an empty cell when it is.
    fn opt_text(
        &mut self,
        row: u32,
        col: u16,
        s: Option<&str>,
        format: &Format,
    ) -> Result<(), XlsxError> {
        match s {
            Some(s) => self.text(row, col, s, format),
            None => Ok(()),
        }
    }

    /// A number shown as `shown` (for the column's width); an empty cell when absent
    /// or not finite.
    fn number(
        &mut self,
        row: u32,
        col: u16,
        x: Option<f64>,
        shown: impl Fn(f64) -> String,
        format: &Format,
    ) -> Result<(), XlsxError> {
        if let Some(x) = x.filter(|x| x.is_finite()) {
            self.grow(col, shown(x).chars().count());
            self.ws.write_number_with_format(row, col, x, format)?;
        }
        Ok(())
    }

    /// A day, as a date cell.
    fn date(
        &mut self,
        row: u32,
        col: u16,
        d: Option<NaiveDate>,
        format: &Format,
    ) -> Result<(), XlsxError> {
        if let Some(d) = d {
            self.grow(col, 10);
            self.ws
                .write_datetime_with_format(row, col, excel_date(d)?, format)?;
        }
        Ok(())
    }

    /// One cell of a table, by its kind.
    fn value(
        &mut self,
        row: u32,
        col: u16,
        v: &Value<'_>,
        f: &Formats,
        kind: Kind,
    ) -> Result<(), XlsxError> {
        let format = f.of(kind);
        match v {
            Value::Text(s) => self.opt_text(row, col, s.as_deref(), format),
            Value::Int(n) => self.number(
                row,
                col,
                n.map(|n| n as f64),
                |x| thousands(x as i64),
                format,
            ),
            // Rounded as every written table is (12 significant digits).
            Value::Float(x) => self.number(
                row,
                col,
                x.map(super::tables::significant),
                |x| shown_float(x, kind),
                format,
            ),
            Value::Date(d) => self.date(row, col, *d, format),
            Value::Bool(b) => {
                if let Some(b) = b {
                    self.grow(col, 5);
                    self.ws.write_boolean_with_format(row, col, *b, format)?;
                }
                Ok(())
            }
        }
    }

    /// Sizes every column to its widest text, within bounds.
    fn size_columns(&mut self) -> Result<(), XlsxError> {
        for (col, chars) in self.widths.iter().enumerate() {
            let width = (chars + MARGIN).clamp(MIN_WIDTH, MAX_WIDTH);
            let col = u16::try_from(col).map_err(|_| XlsxError::RowColumnLimitError)?;
            self.ws.set_column_width(col, width as f64)?;
        }
        Ok(())
    }
}

/// How a float of a kind reads in its cell, for the column's width only.
fn shown_float(x: f64, kind: Kind) -> String {
    match kind {
        Kind::Rate => format!("{:.1}%", 100.0 * x),
        Kind::Points => format!("{:+.1}%", 100.0 * x),
        _ => format!("{x:.4}"),
    }
}

/// Columns a text takes: East Asian wide characters count twice.
fn display_width(s: &str) -> usize {
    s.chars()
        .map(|c| match u32::from(c) {
            0x1100..=0x115F | 0x2E80..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF => 2,
            0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 | 0x20000..=0x3FFFD => 2,
            _ => 1,
        })
        .sum()
}

/// Text cut to Excel's limit, with an ellipsis when cut (a cell of more is an error).
fn cell_text(s: &str) -> String {
    if s.encode_utf16().count() <= MAX_CELL_UTF16 {
        return s.to_string();
    }
    let mut out = String::new();
    let mut units = 0;
    for c in s.chars() {
        units += c.len_utf16();
        if units > MAX_CELL_UTF16 - 1 {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}

fn excel_date(d: NaiveDate) -> Result<ExcelDateTime, XlsxError> {
    use chrono::Datelike;
    let year = u16::try_from(d.year()).map_err(|_| date_error(d))?;
    // Month and day always fit; the year is checked by the crate (1900..=9999).
    ExcelDateTime::from_ymd(year, d.month() as u8, d.day() as u8)
}

fn date_error(d: NaiveDate) -> XlsxError {
    XlsxError::ParameterError(format!("{d} is outside the years a workbook can hold"))
}

/// A sheet name Excel accepts, unique among `used` (compared without case): the
/// characters `[]:*?/\` replaced, cut to 31 characters.
fn sheet_name(name: &str, used: &mut Vec<String>) -> String {
    let clean: String = name
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { '_' } else { c })
        .collect();
    let clean = clean.trim_matches('\'');
    let clean = if clean.is_empty() { "table" } else { clean };
    let mut n = 1;
    loop {
        let suffix = if n == 1 {
            String::new()
        } else {
            format!("~{n}")
        };
        let keep = MAX_SHEET_NAME - suffix.chars().count();
        let candidate: String = clean.chars().take(keep).collect::<String>() + &suffix;
        if !used.iter().any(|u| u.eq_ignore_ascii_case(&candidate)) {
            used.push(candidate.clone());
            return candidate;
        }
        n += 1;
    }
}

/// Renders `workbook.xlsx` for the run as of `as_of` in `tz`.
pub fn render(
    view: &View,
    tables: &[Box<dyn Written + '_>],
    tz: Tz,
    as_of: NaiveDate,
) -> Result<Vec<u8>, XlsxError> {
    let f = Formats::new();
    let mut wb = Workbook::new();
    // The first instant after D: the moment the figures are complete (the same every
    // run of the same day, unlike the clock).
    let closed = crate::calendar::end_of_day_ms(tz, as_of).div_euclid(1000);
    wb.set_properties(
        &DocProperties::new()
            .set_title(format!("{}: week to {}", view.rollout, view.as_of))
            .set_comment(format!(
                "Written by uptake {} from group figures only: no person is named.",
                env!("CARGO_PKG_VERSION")
            ))
            .set_creation_datetime(&ExcelDateTime::from_timestamp(closed)?),
    );
    let mut used = Vec::new();
    summary(
        wb.add_worksheet()
            .set_name(sheet_name("Summary", &mut used))?,
        view,
        &f,
    )?;
    for table in tables {
        let ws = wb.add_worksheet();
        ws.set_name(sheet_name(table.name(), &mut used))?;
        table_sheet(ws, table.as_ref(), &f)?;
    }
    wb.save_to_buffer()
}

/// Print set-up shared by every sheet: landscape, one page wide.
fn print_setup(ws: &mut Worksheet) {
    ws.set_landscape();
    ws.set_print_fit_to_pages(1, 0);
}

/// One table: the header from its columns, then its rows, each cell by its kind.
fn table_sheet(ws: &mut Worksheet, table: &dyn Written, f: &Formats) -> Result<(), XlsxError> {
    let header = table.header();
    let height = table.height();
    let last_row = u32::try_from(height).map_err(|_| XlsxError::RowColumnLimitError)?;
    print_setup(ws);
    ws.set_repeat_rows(0, 0)?;
    ws.set_freeze_panes(1, 0)?;
    let mut sheet = Sheet::new(ws);
    for (j, (name, kind)) in header.iter().enumerate() {
        let col = u16::try_from(j).map_err(|_| XlsxError::RowColumnLimitError)?;
        sheet.text(0, col, name, &f.header)?;
        for (i, v) in table.column_values(j).iter().enumerate() {
            // i < height, which fits in u32 (checked above).
            sheet.value(i as u32 + 1, col, v, f, *kind)?;
        }
    }
    if !header.is_empty() {
        let last_col =
            u16::try_from(header.len() - 1).map_err(|_| XlsxError::RowColumnLimitError)?;
        sheet.ws.autofilter(0, 0, last_row, last_col)?;
    }
    sheet.size_columns()
}

/// The Summary sheet: the rollout and the day, the headline figures one per row, then
/// the waves as a filtered table.
fn summary(ws: &mut Worksheet, view: &View, f: &Formats) -> Result<(), XlsxError> {
    print_setup(ws);
    let as_of = NaiveDate::parse_from_str(&view.as_of, "%Y-%m-%d").ok();
    let mut s = Sheet::new(ws);
    // The title is long and sits alone on its row: it does not size column A.
    s.ws.write_string_with_format(
        0,
        0,
        cell_text(&format!("{}: week to {}", view.rollout, view.as_of)),
        &f.title,
    )?;
    let mut row = 2;
    let mut label = |s: &mut Sheet<'_>, text: &str| -> Result<u32, XlsxError> {
        s.text(row, 0, text, &f.label)?;
        row += 1;
        Ok(row - 1)
    };
    let r = label(&mut s, "As of")?;
    s.date(r, 1, as_of, &f.date)?;
    match &view.overall {
        Some(o) => {
            let r = label(&mut s, "Enrolled")?;
            s.number(r, 1, o.rate, |x| shown_float(x, Kind::Rate), &f.rate)?;
            let r = label(&mut s, "People enrolled")?;
            count_cell(&mut s, r, 1, o.enrolled, f)?;
            let r = label(&mut s, "People eligible")?;
            count_cell(&mut s, r, 1, o.eligible, f)?;
            let r = label(&mut s, "Target today")?;
            s.number(r, 1, o.target, |x| shown_float(x, Kind::Rate), &f.rate)?;
            let r = label(&mut s, "Gap to target")?;
            s.number(r, 1, o.gap, |x| shown_float(x, Kind::Points), &f.points)?;
            let r = label(&mut s, "Status")?;
            s.text(r, 1, o.status_label, &f.text)?;
            let r = label(&mut s, "Since last week")?;
            s.number(r, 1, o.change, |x| shown_float(x, Kind::Points), &f.points)?;
            let r = label(&mut s, "Enrolled in the week")?;
            count_cell(&mut s, r, 1, o.new_this_week, f)?;
        }
        None => {
            let r = label(&mut s, "Status")?;
            s.text(
                r,
                1,
                "no wave has enough eligible people to show figures yet",
                &f.text,
            )?;
        }
    }
    let note_row = row;
    let waves_row = note_row + 2;
    const WAVE_HEADER: [&str; 11] = [
        "Wave",
        "Start",
        "Eligible",
        "Enrolled",
        "Enrolled %",
        "Target today",
        "Gap",
        "Status",
        "Since last week",
        "Enrolled in the week",
        "Target date",
    ];
    for (col, h) in WAVE_HEADER.iter().enumerate() {
        s.text(waves_row, col as u16, h, &f.header)?;
    }
    let mut r = waves_row;
    for w in &view.waves {
        r += 1;
        let start = NaiveDate::parse_from_str(&w.start, "%Y-%m-%d").ok();
        wave_row(&mut s, r, &w.line, start, f)?;
    }
    s.ws.autofilter(waves_row, 0, r, WAVE_HEADER.len() as u16 - 1)?;
    s.size_columns()?;
    // Written after sizing: the note is long and runs across the sheet.
    let note = format!(
        "Groups under {} eligible people are folded together; figures count people \
         enrolled by the end of {} ({}). Every table of the report follows, one sheet each.",
        view.min_group_size, view.as_of, view.timezone
    );
    s.ws.write_string_with_format(note_row, 0, cell_text(&note), &f.note)?;
    Ok(())
}

fn count_cell(
    s: &mut Sheet<'_>,
    row: u32,
    col: u16,
    n: Option<i64>,
    f: &Formats,
) -> Result<(), XlsxError> {
    s.number(
        row,
        col,
        n.map(|n| n as f64),
        |x| thousands(x as i64),
        &f.count,
    )
}

/// One wave of the Summary: a row of figures, empty where the wave is not shown.
fn wave_row(
    s: &mut Sheet<'_>,
    r: u32,
    w: &GroupLine,
    start: Option<NaiveDate>,
    f: &Formats,
) -> Result<(), XlsxError> {
    let rate = |x: f64| shown_float(x, Kind::Rate);
    let pts = |x: f64| shown_float(x, Kind::Points);
    s.text(r, 0, &w.wave, &f.text)?;
    s.date(r, 1, start, &f.date)?;
    count_cell(s, r, 2, w.eligible, f)?;
    count_cell(s, r, 3, w.enrolled, f)?;
    s.number(r, 4, w.rate, rate, &f.rate)?;
    s.number(r, 5, w.target, rate, &f.rate)?;
    s.number(r, 6, w.gap, pts, &f.points)?;
    s.text(r, 7, w.status_label, &f.text)?;
    s.number(r, 8, w.change, pts, &f.points)?;
    count_cell(s, r, 9, w.new_this_week, f)?;
    match NaiveDate::parse_from_str(&w.projected_text, "%Y-%m-%d") {
        Ok(d) => s.date(r, 10, Some(d), &f.date),
        Err(_) => s.text(r, 10, &w.projected_text, &f.text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_are_cut_cleaned_and_unique() {
        let mut used = Vec::new();
        assert_eq!(sheet_name("Summary", &mut used), "Summary");
        assert_eq!(sheet_name("summary", &mut used), "summary~2");
        assert_eq!(sheet_name("a/b:c", &mut used), "a_b_c");
        let long = "x".repeat(40);
        assert_eq!(sheet_name(&long, &mut used), "x".repeat(31));
        assert_eq!(
            sheet_name(&long, &mut used),
            format!("{}~2", "x".repeat(29))
        );
        assert_eq!(sheet_name("''", &mut used), "table");
    }

    #[test]
    fn overlong_text_is_cut_to_what_a_cell_holds() {
        let s = "é".repeat(40_000);
        let cut = cell_text(&s);
        assert_eq!(cut.encode_utf16().count(), MAX_CELL_UTF16);
        assert!(cut.ends_with('…'));
        assert_eq!(cell_text("=1+1"), "=1+1");
    }

    #[test]
    fn wide_characters_count_twice() {
        assert_eq!(display_width("Finance"), 7);
        assert_eq!(display_width("営業部"), 6);
    }

    #[test]
    fn widths_read_as_the_cells_show() {
        assert_eq!(shown_float(0.715, Kind::Rate), "71.5%");
        assert_eq!(shown_float(-0.004, Kind::Points), "-0.4%");
        assert_eq!(shown_float(0.023, Kind::Points), "+2.3%");
    }
}
