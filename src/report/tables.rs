//! Tables: each computed table written as CSV, Parquet and Arrow IPC under `tables/`.
//!
//! Column and row order are the frame's own (the metrics stage sorts explicitly), so
//! the same inputs give byte-identical files. CSV text cells are made formula-safe;
//! numbers are written in their shortest round-trip form; empty cells are nulls.

use std::fmt::Write as _;
use std::path::Path;

use polars::prelude::*;

use crate::error::Error;
use crate::output::{safe_cell, write_file};

/// Writes `df` as `<dir>/<name>.csv`, `.parquet` and `.arrow`.
pub fn write_table(dir: &Path, name: &str, df: &mut DataFrame) -> Result<(), Error> {
    *df = rebuilt(df).map_err(|e| Error::compute(name, e))?;
    let csv_path = dir.join(format!("{name}.csv"));
    write_file(&csv_path, to_csv(df).as_bytes())?;

    // Encoded in memory, then written: a full disk or a read-only folder is then
    // reported as the operating system says it, not as a broken Parquet stream.
    let parquet_path = dir.join(format!("{name}.parquet"));
    let mut bytes = Vec::new();
    ParquetWriter::new(&mut bytes)
        .finish(df)
        .map_err(|e| Error::compute(format!("{name}.parquet"), e))?;
    write_file(&parquet_path, &bytes)?;

    let ipc_path = dir.join(format!("{name}.arrow"));
    let mut bytes = Vec::new();
    IpcWriter::new(&mut bytes)
        .finish(df)
        .map_err(|e| Error::compute(format!("{name}.arrow"), e))?;
    write_file(&ipc_path, &bytes)
}

/// The frame rebuilt column by column from its values: one chunk and fresh validity
/// bitmaps, so the Arrow IPC bytes depend only on the values, never on how a lazy plan
/// happened to chunk them (IPC copies unused bitmap bits as they are).
fn rebuilt(df: &DataFrame) -> PolarsResult<DataFrame> {
    let columns = df
        .columns()
        .iter()
        .map(|c| {
            let values: Vec<AnyValue<'_>> = (0..c.len())
                .map(|i| c.get(i))
                .collect::<PolarsResult<_>>()?;
            Series::from_any_values_and_dtype(c.name().clone(), &values, c.dtype(), true)
                .map(Column::from)
        })
        .collect::<PolarsResult<Vec<_>>>()?;
    DataFrame::new(df.height(), columns)
}

/// A column's values as text (`None` for nulls or a missing column).
pub fn strings(df: &DataFrame, name: &str) -> Vec<Option<String>> {
    match df.column(name).and_then(|c| c.cast(&DataType::String)) {
        Ok(c) => match c.str() {
            Ok(s) => s.iter().map(|v| v.map(str::to_string)).collect(),
            Err(_) => vec![None; df.height()],
        },
        Err(_) => vec![None; df.height()],
    }
}

/// A column's values as floats (`None` for nulls or a missing column).
pub fn floats(df: &DataFrame, name: &str) -> Vec<Option<f64>> {
    match df.column(name).and_then(|c| c.cast(&DataType::Float64)) {
        Ok(c) => match c.f64() {
            Ok(s) => s.iter().collect(),
            Err(_) => vec![None; df.height()],
        },
        Err(_) => vec![None; df.height()],
    }
}

/// The frame as CSV text: a header row, then one line per row, `\n` line ends.
pub fn to_csv(df: &DataFrame) -> String {
    let mut out = String::new();
    let names: Vec<String> = df
        .get_column_names()
        .iter()
        .map(|n| csv_field(&safe_cell(n.as_str())))
        .collect();
    out.push_str(&names.join(","));
    out.push('\n');
    let columns = df.columns();
    for row in 0..df.height() {
        for (j, col) in columns.iter().enumerate() {
            if j > 0 {
                out.push(',');
            }
            if let Ok(value) = col.get(row) {
                push_value(&mut out, &value);
            }
        }
        out.push('\n');
    }
    out
}

fn push_value(out: &mut String, value: &AnyValue<'_>) {
    match value {
        AnyValue::Null => {}
        AnyValue::Boolean(b) => out.push_str(if *b { "true" } else { "false" }),
        AnyValue::String(s) => out.push_str(&csv_field(&safe_cell(s))),
        AnyValue::StringOwned(s) => out.push_str(&csv_field(&safe_cell(s.as_str()))),
        AnyValue::Float64(f) => push_float(out, *f),
        AnyValue::Float32(f) => push_float(out, f64::from(*f)),
        AnyValue::Date(days) => {
            let d = chrono::NaiveDate::from_ymd_opt(1970, 1, 1)
                .and_then(|e| e.checked_add_signed(chrono::Duration::days(i64::from(*days))));
            if let Some(d) = d {
                let _ = write!(out, "{}", d.format("%Y-%m-%d"));
            }
        }
        other => {
            let _ = write!(out, "{other}");
        }
    }
}

fn push_float(out: &mut String, f: f64) {
    if f.is_finite() {
        let _ = write!(out, "{f}");
    }
}

/// Quotes a CSV field when it holds a comma, quote or line break.
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_is_typed_and_formula_safe() {
        let df = DataFrame::new_infer_height(vec![
            Column::new("group".into(), ["=cmd", "Sales, EMEA"]),
            Column::new("gap".into(), [-0.05, 0.1]),
            Column::new("n".into(), [Some(3i64), None]),
            Column::new("ok".into(), [true, false]),
        ])
        .unwrap();
        assert_eq!(
            to_csv(&df),
            "group,gap,n,ok\n'=cmd,-0.05,3,true\n\"Sales, EMEA\",0.1,,false\n"
        );
    }
}
