//! Tables: each computed table written as CSV, Parquet and Arrow IPC under `tables/`.
//!
//! Each table comes as typed rows with its declared columns ([`Written`]); the frame
//! for Parquet and Arrow is built here, from the values, typed by each column's kind.
//! Column and row order are the table's own (the metrics stage sorts explicitly), so
//! the same inputs give byte-identical files. CSV text cells are made formula-safe;
//! numbers are written in their shortest round-trip form; empty cells are nulls.

use std::fmt::Write as _;
use std::path::Path;

use polars::prelude::*;

use crate::error::Error;
use crate::metrics::{Kind, Value, Written};
use crate::output::{safe_cell, write_file};

/// Writes `table` as `<dir>/<name>.csv`, `.parquet` and `.arrow`.
pub fn write_table(dir: &Path, table: &dyn Written) -> Result<(), Error> {
    let name = table.name();
    let csv_path = dir.join(format!("{name}.csv"));
    write_file(&csv_path, to_csv(table).as_bytes())?;

    let mut df = frame(table).map_err(|e| Error::compute(name, e))?;
    // Encoded in memory, then written: a full disk or a read-only folder is then
    // reported as the operating system says it, not as a broken Parquet stream.
    let parquet_path = dir.join(format!("{name}.parquet"));
    let mut bytes = Vec::new();
    ParquetWriter::new(&mut bytes)
        .finish(&mut df)
        .map_err(|e| Error::compute(format!("{name}.parquet"), e))?;
    write_file(&parquet_path, &bytes)?;

    let ipc_path = dir.join(format!("{name}.arrow"));
    let mut bytes = Vec::new();
    IpcWriter::new(&mut bytes)
        .finish(&mut df)
        .map_err(|e| Error::compute(format!("{name}.arrow"), e))?;
    write_file(&ipc_path, &bytes)
}

/// The table as a polars frame, one column per declared column, typed by its kind:
/// built from the values, in one chunk with fresh validity bitmaps, so the Arrow IPC
/// bytes depend only on the values.
pub fn frame(table: &dyn Written) -> PolarsResult<DataFrame> {
    let columns = table
        .header()
        .into_iter()
        .enumerate()
        .map(|(j, (name, kind))| {
            let values = table.column_values(j);
            let name = PlSmallStr::from(name);
            let column = match kind {
                Kind::Text => Column::new(
                    name,
                    values
                        .iter()
                        .map(|v| match v {
                            Value::Text(t) => t.as_deref(),
                            _ => None,
                        })
                        .collect::<Vec<_>>(),
                ),
                Kind::Count => Column::new(
                    name,
                    values
                        .iter()
                        .map(|v| match v {
                            Value::Int(n) => *n,
                            _ => None,
                        })
                        .collect::<Vec<_>>(),
                ),
                Kind::Rate | Kind::Points | Kind::Number => Column::new(
                    name,
                    values
                        .iter()
                        .map(|v| match v {
                            Value::Float(x) => x.filter(|x| x.is_finite()).map(significant),
                            _ => None,
                        })
                        .collect::<Vec<_>>(),
                ),
                Kind::Date => Column::new(
                    name,
                    values
                        .iter()
                        .map(|v| match v {
                            Value::Date(d) => d.map(crate::calendar::epoch_days),
                            _ => None,
                        })
                        .collect::<Vec<_>>(),
                )
                .cast(&DataType::Date)?,
                Kind::Flag => Column::new(
                    name,
                    values
                        .iter()
                        .map(|v| match v {
                            Value::Bool(b) => *b,
                            _ => None,
                        })
                        .collect::<Vec<_>>(),
                ),
            };
            Ok(column)
        })
        .collect::<PolarsResult<Vec<_>>>()?;
    DataFrame::new(table.height(), columns)
}

/// The table as CSV text: a header row, then one line per row, `\n` line ends. Text
/// cells are made formula-safe; numbers are written in their shortest round-trip
/// form; empty cells are empty.
pub fn to_csv(table: &dyn Written) -> String {
    let header = table.header();
    let names: Vec<String> = header
        .iter()
        .map(|(n, _)| csv_field(&safe_cell(n)))
        .collect();
    let columns: Vec<Vec<Value<'_>>> = (0..header.len()).map(|j| table.column_values(j)).collect();
    let mut out = String::new();
    out.push_str(&names.join(","));
    out.push('\n');
    for row in 0..table.height() {
        for (j, column) in columns.iter().enumerate() {
            if j > 0 {
                out.push(',');
            }
            push_value(&mut out, &column[row]);
        }
        out.push('\n');
    }
    out
}

fn push_value(out: &mut String, value: &Value<'_>) {
    match value {
        Value::Text(Some(s)) => out.push_str(&csv_field(&safe_cell(s))),
        Value::Int(Some(n)) => {
            let _ = write!(out, "{n}");
        }
        Value::Float(Some(f)) if f.is_finite() => {
            let _ = write!(out, "{}", significant(*f));
        }
        Value::Date(Some(d)) => {
            let _ = write!(out, "{}", d.format("%Y-%m-%d"));
        }
        Value::Bool(Some(b)) => out.push_str(if *b { "true" } else { "false" }),
        _ => {}
    }
}

/// `x` rounded to 12 significant digits: the arithmetic's last-bit noise is not a
/// figure (one hour is `1`, not `0.9999999999999999`), and 12 digits are far more than
/// any rate or hour needs.
pub fn significant(x: f64) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    // Rust formats the correctly rounded decimal; reading it back gives the double
    // nearest to it.
    format!("{x:.11e}").parse().unwrap_or(x)
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

    use crate::metrics::CategoryRow;

    #[test]
    fn csv_is_typed_and_formula_safe() {
        let rows = [
            CategoryRow {
                workload: "Intune".into(),
                wave: "=cmd".into(),
                category: "Sales, EMEA".into(),
                tickets: 3,
                share: Some(0.5),
                median_resolution_hours: None,
            },
            CategoryRow {
                workload: "Intune".into(),
                wave: "W".into(),
                category: "say \"hi\"".into(),
                tickets: 0,
                share: None,
                median_resolution_hours: Some(-0.25),
            },
        ];
        let table = crate::metrics::table::rows(&rows);
        assert_eq!(
            to_csv(&table),
            "workload,wave,category,tickets,share,median_resolution_hours\n\
             Intune,'=cmd,\"Sales, EMEA\",3,0.5,\n\
             Intune,W,\"say \"\"hi\"\"\",0,,-0.25\n"
        );
        let df = frame(&table).unwrap();
        assert_eq!(df.height(), 2);
        assert_eq!(significant(0.9999999999999999), 1.0);
        assert_eq!(significant(1.0 / 3.0), 0.333333333333);
        assert_eq!(significant(-2.0e-20 / 3.0), -6.66666666667e-21);
        assert_eq!(significant(0.0), 0.0);
        assert_eq!(
            df.dtypes(),
            [
                DataType::String,
                DataType::String,
                DataType::String,
                DataType::Int64,
                DataType::Float64,
                DataType::Float64
            ]
        );
    }
}
