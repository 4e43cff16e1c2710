//! The building blocks of an analysis in both documents: paragraphs and tables of preformatted
//! cells. Every kind of section (pooled, network, sensitivity, bias …) describes its tables
//! with these, and one table macro per template draws them all, so a new section kind needs no
//! template change and the HTML and Markdown tables cannot drift apart.

use serde::Serialize;

/// How a cell is drawn: the row's label (`<th scope="row">` in HTML), text, a number (right
/// aligned, the interval kept on one line), or links to lines of the data file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub(super) enum CellKind {
    Head,
    Text,
    Num,
    Lines,
}

/// One cell.
#[derive(Debug, Serialize)]
pub(super) struct CellView {
    text: String,
    kind: CellKind,
    lines: Vec<u64>,
}

/// The label of a row.
pub(super) fn head(text: impl Into<String>) -> CellView {
    cell(text, CellKind::Head)
}

/// A text cell.
pub(super) fn text(text: impl Into<String>) -> CellView {
    cell(text, CellKind::Text)
}

/// A numeric cell.
pub(super) fn num(text: impl Into<String>) -> CellView {
    cell(text, CellKind::Num)
}

/// Links to the lines of the analysis' data file ("12, 13" in Markdown).
pub(super) fn lines(lines: Vec<u64>) -> CellView {
    CellView {
        text: lines
            .iter()
            .map(u64::to_string)
            .collect::<Vec<_>>()
            .join(", "),
        kind: CellKind::Lines,
        lines,
    }
}

fn cell(text: impl Into<String>, kind: CellKind) -> CellView {
    CellView {
        text: text.into(),
        kind,
        lines: Vec::new(),
    }
}

/// A column: its header and whether its cells are right-aligned (Markdown `--:`).
#[derive(Debug, Serialize)]
pub(super) struct ColumnView {
    header: String,
    right: bool,
}

/// Text column `header`.
pub(super) fn left(header: impl Into<String>) -> ColumnView {
    ColumnView {
        header: header.into(),
        right: false,
    }
}

/// Numeric column `header`.
pub(super) fn right(header: impl Into<String>) -> ColumnView {
    ColumnView {
        header: header.into(),
        right: true,
    }
}

/// A row: its cells, or a band naming the group of the rows below it.
#[derive(Debug, Serialize)]
pub(super) struct RowView {
    band: Option<String>,
    cells: Vec<CellView>,
}

/// A table: its HTML class (`pooled`, `pooled compact`, `studies`), caption, columns and rows.
#[derive(Debug, Serialize)]
pub(super) struct TableView {
    class: &'static str,
    caption: String,
    columns: Vec<ColumnView>,
    rows: Vec<RowView>,
}

impl TableView {
    /// An empty table.
    pub(super) fn new(class: &'static str, caption: String, columns: Vec<ColumnView>) -> Self {
        Self {
            class,
            caption,
            columns,
            rows: Vec::new(),
        }
    }

    /// Adds a row; it must have a cell per column.
    pub(super) fn row(&mut self, cells: Vec<CellView>) {
        debug_assert_eq!(cells.len(), self.columns.len(), "{}", self.caption);
        self.rows.push(RowView { band: None, cells });
    }

    /// Adds a band naming the group of the rows that follow.
    pub(super) fn band(&mut self, label: String) {
        self.rows.push(RowView {
            band: Some(label),
            cells: Vec::new(),
        });
    }

    /// Whether it has no rows.
    pub(super) fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

/// A paragraph or a table.
#[derive(Debug, Serialize)]
pub(super) struct BlockView {
    paragraph: Option<String>,
    table: Option<TableView>,
}

impl From<TableView> for BlockView {
    fn from(t: TableView) -> Self {
        Self {
            paragraph: None,
            table: Some(t),
        }
    }
}

impl From<String> for BlockView {
    fn from(p: String) -> Self {
        Self {
            paragraph: Some(p),
            table: None,
        }
    }
}
