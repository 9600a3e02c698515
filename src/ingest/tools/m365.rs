//! The Microsoft 365 admin center's Active Users detail report (Reports > Usage >
//! Microsoft 365 > Active Users > Export; the Graph report
//! `getOffice365ActiveUserDetail` writes the same CSV) as usage.
//!
//! One row per person: `Report Refresh Date, User Principal Name, Display Name, Is
//! Deleted, Deleted Date, Has <Product> License, ..., <Product> Last Activity Date,
//! ..., <Product> License Assign Date, ..., Assigned Products`, the products being
//! Exchange, OneDrive, SharePoint, Skype For Business, Yammer and Teams. Each `<Product>
//! Last Activity Date` column whose product counts for a workload (the source's
//! `products`, see `config`) gives one usage row per person: `user_id` from `User
//! Principal Name`, the workload, `last_active` the date (empty when the person never
//! used the product: the row still says so). A product that counts for no workload is
//! not read, and a note says how many dates each such product held. Dates are
//! `YYYY-MM-DD` (a spreadsheet re-save's `11/18/2026` reads too).
//!
//! Unless the tenant turned it off, the admin center conceals names in its reports:
//! the UPN column then holds a hash that matches nobody, and a note says how to show
//! the names.

use crate::error::Error;
use crate::ingest::table::{column_cells, lines, parse_table, Adapted, Ctx, Out};
use crate::normalize::label_key;
use crate::schema::{LAST_ACTIVE, USER_ID, WORKLOAD};

/// The report's header for each canonical column it maps directly.
pub const ALIASES: &[(&str, &[&str])] = &[(USER_ID, &["User Principal Name", "userPrincipalName"])];

/// What ends the header of each product's last activity.
const LAST_ACTIVITY: &str = "last activity date";

/// The product of a `<Product> Last Activity Date` header.
pub fn product_of(header: &str) -> Option<&str> {
    let h = header.trim();
    let lower = h.to_ascii_lowercase();
    let product = h[..lower.strip_suffix(LAST_ACTIVITY)?.len()].trim();
    (!product.is_empty()).then_some(product)
}

/// Reads one Active Users detail report.
pub fn read(ctx: &Ctx<'_>, text: &str) -> Result<Adapted, Error> {
    let (first, offset) = lines(text)
        .find(|(_, _, l)| !l.trim().is_empty())
        .map_or((1, 0), |(n, o, _)| (n, o));
    let table = parse_table(&text[offset..], first);
    let map = ctx.map_table(&table, ALIASES, &[WORKLOAD, LAST_ACTIVE])?;
    let c_user = map[ctx.ix(USER_ID).expect("usage wants user_id")];
    // Each product column, and the workload its use counts for.
    let products: Vec<(usize, &str, Option<&str>)> = table
        .headers
        .iter()
        .enumerate()
        .filter_map(|(j, h)| {
            let product = product_of(h)?;
            let workload = ctx
                .cfg
                .products
                .iter()
                .find(|(p, _)| label_key(p) == label_key(product))
                .map(|(_, w)| w.as_str());
            Some((j, product, workload))
        })
        .collect();
    if products.is_empty() {
        let shown: String = table.headers.join(", ").chars().take(200).collect();
        return Err(Error::Unreadable {
            file: ctx.path.to_path_buf(),
            message: format!(
                "has no `<Product> Last Activity Date` column: not an Active Users detail report (found: {shown})\nhelp: export Reports > Usage > Microsoft 365 > Active Users, or read the file with format = \"canonical\" and `columns`"
            ),
        });
    }
    let read: Vec<&(usize, &str, Option<&str>)> =
        products.iter().filter(|p| p.2.is_some()).collect();
    if read.is_empty() {
        let names: Vec<&str> = products.iter().map(|p| p.1).collect();
        return Err(Error::config(
            &ctx.cfg.config_file,
            format!("sources.{}.products", ctx.source.name()),
            format!(
                "{}: none of its products ({}) counts for a workload",
                ctx.path.display(),
                names.join(", ")
            ),
        )
        .with_help(format!(
            "say which product's use counts for which workload, e.g. products = {{ \"{}\" = \"<a [[workloads]] name>\" }}",
            names[0]
        )));
    }
    let cells: Vec<String> = read
        .iter()
        .flat_map(|&&(j, _, _)| column_cells(&table, Some(j)))
        .collect();
    let dates = ctx.dates(cells.iter().map(String::as_str), false)?;
    let mut rows = Vec::with_capacity(table.rows.len() * read.len());
    for row in &table.rows {
        if let Err(reason) = row.shape(table.headers.len()) {
            rows.push(Out::Bad {
                line: row.line,
                reason,
                raw: row.raw.clone(),
            });
            continue;
        }
        let user = row.get(c_user);
        for &&(j, _, workload) in &read {
            let mut fields = ctx.blank();
            ctx.set(&mut fields, USER_ID, user.as_str());
            ctx.set(&mut fields, WORKLOAD, workload.unwrap_or_default());
            ctx.set(&mut fields, LAST_ACTIVE, dates.iso(&row.get(Some(j))));
            rows.push(Out::Row {
                line: row.line,
                fields,
                raw: row.raw.clone(),
            });
        }
    }
    let mut notes = Vec::new();
    let skipped: Vec<String> = products
        .iter()
        .filter(|p| p.2.is_none())
        .map(|&(j, product, _)| {
            let n = column_cells(&table, Some(j))
                .iter()
                .filter(|c| !c.is_empty())
                .count();
            format!("{product}: {n} dates")
        })
        .collect();
    if !skipped.is_empty() {
        notes.push(format!(
            "{}: {} products count for no workload and were not read ({}); `products` on the source maps one to a workload",
            ctx.path.display(),
            skipped.len(),
            skipped.join(", ")
        ));
    }
    let users = column_cells(&table, c_user);
    let named: Vec<&String> = users.iter().filter(|u| !u.is_empty()).collect();
    if !named.is_empty() && named.iter().all(|u| concealed(u)) {
        notes.push(format!(
            "{}: the user names are concealed (hashes, not addresses): no row can be matched to a person; in the Microsoft 365 admin center, Settings > Org settings > Reports, clear \"Display concealed user, group, and site names in all reports\" and export again",
            ctx.path.display()
        ));
    }
    Ok(Adapted { rows, notes })
}

/// Whether a UPN cell is a concealed name: a long run of hex digits, no address.
fn concealed(cell: &str) -> bool {
    cell.len() >= 16 && cell.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn product_columns_are_told_by_their_suffix() {
        assert_eq!(product_of("OneDrive Last Activity Date"), Some("OneDrive"));
        assert_eq!(
            product_of(" Skype For Business Last Activity Date "),
            Some("Skype For Business")
        );
        assert_eq!(product_of("teams last activity date"), Some("teams"));
        assert_eq!(product_of("Last Activity Date"), None);
        assert_eq!(product_of("OneDrive License Assign Date"), None);
        assert!(concealed("8E1D6F5C0A2B4C3D9E8F7A6B5C4D3E2F"));
        assert!(!concealed("ann@contoso.com"));
        assert!(!concealed("1234"));
    }
}
