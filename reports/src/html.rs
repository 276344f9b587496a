//! Markup pieces the sections share: text cells, tables (each in its own horizontally scrolling box, so a wide
//! table never widens the page), key–value tables, links to a run's files. maud's `html!` escapes every
//! interpolated string.

use maud::{Markup, Render, html};
use std::collections::BTreeMap;

/// Text as a table cell or a fragment; maud escapes it.
pub fn text(s: impl Render) -> Markup {
    html! { (s) }
}

/// A sortable table (the script finds it by `data-sort`) inside an `overflow-x:auto` box. Numbers are
/// right-aligned to line up their digits; words (names, verdicts, reasons) are left-aligned and may wrap.
pub fn table(head: &[&str], rows: &[Vec<Markup>], class: &str) -> Markup {
    html! {
        div.scroll {
            table class=(class) data-sort {
                thead { tr { @for h in head { th { (h) } } } }
                tbody {
                    @for r in rows {
                        tr { @for c in r { @if is_number(c) { td { (c) } } @else { td.l { (c) } } } }
                    }
                }
            }
        }
    }
}

/// Whether a cell reads as a number (or the dash of a missing one): its text, tags left out, starts with a digit,
/// a sign or a dash.
fn is_number(cell: &Markup) -> bool {
    let (mut depth, mut first) = (0, None);
    for ch in cell.0.chars() {
        match ch {
            '<' => depth += 1,
            '>' => depth -= 1,
            c if depth == 0 && !c.is_whitespace() => {
                first = Some(c);
                break;
            }
            _ => {}
        }
    }
    first.is_none_or(|c| c.is_ascii_digit() || "+-−–.".contains(c))
}

/// Key–value pairs: no header row (the keys say what the values are), left-aligned.
pub fn kv_table(kv: &BTreeMap<String, String>) -> Markup {
    html! {
        div.scroll {
            table.kv { tbody { @for (k, v) in kv { tr { th.l scope="row" { (k) } td { (v) } } } } }
        }
    }
}

/// Links to a run's artifacts folder and log, as the bench lays them out beside the report
/// (`artifacts/<id>/`, `logs/<id>.log`, harness/bench/src/store.rs); a dash for what the directory lacks, so the
/// page has no dead links.
pub fn run_links(id: &str, dir: &std::path::Path) -> Markup {
    let artifacts = format!("artifacts/{id}/");
    let log = format!("logs/{id}.log");
    html! {
        @if dir.join(&artifacts).is_dir() { a href=(artifacts) { "artifacts" } } @else { "–" }
        " "
        @if dir.join(&log).is_file() { a href=(log) { "log" } } @else { "–" }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn text_is_escaped_by_the_markup() {
        let cell = super::text("<a&\"b\">").into_string();
        assert_eq!(cell, "&lt;a&amp;&quot;b&quot;&gt;");
    }

    #[test]
    fn numbers_align_right_and_words_left() {
        use maud::html;
        let rows =
            vec![vec![super::text("run"), super::text(3), html! { b { "-0.5" } }, super::text("–"), super::text("ok")]];
        let t = super::table(&["a", "b", "c", "d", "e"], &rows, "x").into_string();
        assert!(
            t.contains(
                "<tr><td class=\"l\">run</td><td>3</td><td><b>-0.5</b></td><td>–</td><td class=\"l\">ok</td></tr>"
            ),
            "{t}"
        );
    }

    #[test]
    fn kv_tables_have_no_header_row() {
        let kv = std::collections::BTreeMap::from([("cpu".to_string(), "x<y".to_string())]);
        let t = super::kv_table(&kv).into_string();
        assert!(!t.contains("<thead") && t.contains("<th class=\"l\" scope=\"row\">cpu</th><td>x&lt;y</td>"), "{t}");
    }
}
