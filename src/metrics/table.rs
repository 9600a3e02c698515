//! The shape every metrics table shares: typed rows, and for each table the list of its
//! columns — a name, the kind of figure, and how to read it from a row.
//!
//! A table is computed once as a `Vec` of its row type; the report reads the rows
//! themselves (never a column by name). Where files are written (`tables/*.csv`,
//! Parquet, Arrow IPC, the workbook), the writers walk [`Table::columns`], so a column
//! is named, typed and formatted in one place. See docs/metrics.md for what each
//! column means.

use std::borrow::Cow;

use chrono::NaiveDate;

/// What kind of figure a column holds: decides its type in Parquet and Arrow and its
/// number format in the workbook.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Text (names, statuses, notes).
    Text,
    /// A count of people, tickets or days: a whole number.
    Count,
    /// A share in 0..1 (shown as a percentage in the workbook).
    Rate,
    /// A difference of shares (percentage points).
    Points,
    /// Any other number (hours, tickets per 100, a ratio, a p-value).
    Number,
    /// A calendar day.
    Date,
    /// True or false.
    Flag,
}

/// One cell, as a column reads it from a row. `None` is an empty cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Value<'a> {
    /// Text.
    Text(Option<Cow<'a, str>>),
    /// A whole number.
    Int(Option<i64>),
    /// A number.
    Float(Option<f64>),
    /// A day.
    Date(Option<NaiveDate>),
    /// A flag.
    Bool(Option<bool>),
}

/// One column of a table: its name in every written file, its kind, and its reader.
pub struct Col<R> {
    /// The header.
    pub name: &'static str,
    /// The kind of figure.
    pub kind: Kind,
    /// Reads the cell of a row.
    pub get: fn(&R) -> Value<'_>,
}

impl<R> Col<R> {
    /// A text column.
    pub const fn text(name: &'static str, get: fn(&R) -> Value<'_>) -> Self {
        Col {
            name,
            kind: Kind::Text,
            get,
        }
    }

    /// A column of `kind`.
    pub const fn of(name: &'static str, kind: Kind, get: fn(&R) -> Value<'_>) -> Self {
        Col { name, kind, get }
    }
}

/// A table's row type: the table's name and its columns, in order.
pub trait Table: Sized {
    /// The table's name (`tables/<name>.csv`, the workbook's sheet).
    const NAME: &'static str;
    /// The columns, in order.
    fn columns() -> Vec<Col<Self>>;
}

/// A table of any row type, as the writers see it: a name, columns and cells.
pub trait Written {
    /// The table's name.
    fn name(&self) -> &'static str;
    /// Its columns' names and kinds, in order.
    fn header(&self) -> Vec<(&'static str, Kind)>;
    /// The number of rows.
    fn height(&self) -> usize;
    /// The cells of column `j`, top to bottom.
    fn column_values(&self, j: usize) -> Vec<Value<'_>>;
}

/// A named table: the rows of one computed table.
pub struct Rows<'a, R> {
    /// The name it is written under (a table can be written twice, e.g.
    /// `group_metrics_week_ago`).
    pub name: &'static str,
    /// Its rows.
    pub rows: &'a [R],
}

impl<R: Table> Written for Rows<'_, R> {
    fn name(&self) -> &'static str {
        self.name
    }

    fn header(&self) -> Vec<(&'static str, Kind)> {
        R::columns().iter().map(|c| (c.name, c.kind)).collect()
    }

    fn height(&self) -> usize {
        self.rows.len()
    }

    fn column_values(&self, j: usize) -> Vec<Value<'_>> {
        let columns = R::columns();
        let get = columns[j].get;
        self.rows.iter().map(get).collect()
    }
}

/// The rows of a table written without some of its columns (a column that only
/// applies when an optional source is configured).
pub struct Without<'a, R> {
    /// The rows.
    pub rows: Rows<'a, R>,
    /// The names of the columns left out.
    pub omit: &'static [&'static str],
}

impl<R: Table> Without<'_, R> {
    /// The indices of the columns kept, in order.
    fn kept(&self) -> Vec<usize> {
        let columns = R::columns();
        (0..columns.len())
            .filter(|&j| !self.omit.contains(&columns[j].name))
            .collect()
    }
}

impl<R: Table> Written for Without<'_, R> {
    fn name(&self) -> &'static str {
        self.rows.name
    }

    fn header(&self) -> Vec<(&'static str, Kind)> {
        let all = self.rows.header();
        self.kept().into_iter().map(|j| all[j]).collect()
    }

    fn height(&self) -> usize {
        self.rows.height()
    }

    fn column_values(&self, j: usize) -> Vec<Value<'_>> {
        self.rows.column_values(self.kept()[j])
    }
}

impl<'a> Value<'a> {
    /// Borrowed text.
    pub fn str(s: &'a str) -> Self {
        Value::Text(Some(Cow::Borrowed(s)))
    }

    /// Text that may be absent.
    pub fn opt_str(s: Option<&'a str>) -> Self {
        Value::Text(s.map(Cow::Borrowed))
    }

    /// Text made for the cell.
    pub fn owned(s: String) -> Self {
        Value::Text(Some(Cow::Owned(s)))
    }
}

/// The rows of `R` written under its own name.
pub fn rows<R: Table>(rows: &[R]) -> Rows<'_, R> {
    Rows {
        name: R::NAME,
        rows,
    }
}
