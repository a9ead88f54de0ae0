//! Output for people and programs: colours, tables fitted to the terminal,
//! and the JSON records of issues.

use std::io::{BufWriter, IsTerminal, Stdout, Write};

use anstyle::{AnsiColor, Style};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};
use yit::issue::Issue;
use yit::store::Listing;

/// Kinds of text that get a colour.
#[derive(Clone, Copy)]
pub enum Paint {
    Id,
    Header,
    Dim,
    Urgent,
    Label,
    Warning,
    Closed,
}

impl Paint {
    fn style(self) -> Style {
        match self {
            Paint::Id => AnsiColor::Yellow.on_default(),
            Paint::Header => Style::new().bold().underline(),
            Paint::Dim => Style::new().dimmed(),
            Paint::Urgent => AnsiColor::Red.on_default().bold(),
            Paint::Label => AnsiColor::Cyan.on_default(),
            Paint::Warning => AnsiColor::Yellow.on_default().bold(),
            Paint::Closed => AnsiColor::Green.on_default(),
        }
    }
}

/// stdout, buffered, with the colour decision and the terminal width.
pub struct Output {
    out: BufWriter<Stdout>,
    color: bool,
    width: Option<usize>,
}

impl Output {
    pub fn stdout(color: bool) -> Output {
        let stdout = std::io::stdout();
        let width = stdout
            .is_terminal()
            .then(|| terminal_width(&stdout))
            .flatten();
        Output {
            out: BufWriter::new(stdout),
            color,
            width,
        }
    }

    /// The terminal's width; `None` off a terminal, where nothing is cut.
    pub fn width(&self) -> Option<usize> {
        self.width
    }

    pub fn paint(&self, paint: Paint, text: &str) -> String {
        if self.color && !text.is_empty() {
            let style = paint.style();
            format!("{}{text}{}", style.render(), style.render_reset())
        } else {
            text.to_owned()
        }
    }

    /// Colours for stderr follow stderr's own terminal status.
    pub fn paint_stderr(&self, paint: Paint, text: &str) -> String {
        if self.color && std::io::stderr().is_terminal() {
            self.paint(paint, text)
        } else {
            text.to_owned()
        }
    }

    pub fn write_str(&mut self, text: &str) -> std::io::Result<()> {
        self.out.write_all(text.as_bytes())
    }

    pub fn line(&mut self, text: &str) -> std::io::Result<()> {
        self.out.write_all(text.as_bytes())?;
        self.out.write_all(b"\n")
    }

    pub fn json(&mut self, value: &serde_json::Value) -> std::io::Result<()> {
        serde_json::to_writer_pretty(&mut self.out, value)?;
        self.out.write_all(b"\n")
    }

    pub fn bytes(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.out.write_all(bytes)
    }

    pub fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

fn terminal_width(stdout: &Stdout) -> Option<usize> {
    if let Some(cols) = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse::<usize>().ok())
    {
        return Some(cols.max(20));
    }
    rustix::termios::tcgetwinsize(stdout)
        .ok()
        .map(|w| usize::from(w.ws_col))
        .filter(|&w| w > 0)
}

/// One cell: text and an optional colour.
pub struct Cell {
    text: String,
    paint: Option<Paint>,
}

impl Cell {
    pub fn plain(text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            paint: None,
        }
    }

    pub fn painted(text: impl Into<String>, paint: Paint) -> Cell {
        Cell {
            text: text.into(),
            paint: Some(paint),
        }
    }
}

/// A borderless table with a header row. On a terminal the `flexible`
/// column shrinks (with an ellipsis) and `optional` columns are left out,
/// so that rows fit its width; off a terminal nothing is cut.
pub struct Table {
    headers: Vec<&'static str>,
    rows: Vec<Vec<Cell>>,
    flexible: usize,
    optional: Vec<usize>,
}

/// The flexible column keeps this many columns before optional ones go.
const COMFORTABLE: usize = 20;
/// ... and never fewer than this.
const NARROWEST: usize = 8;

impl Table {
    pub fn new(headers: Vec<&'static str>, flexible: usize) -> Table {
        Table {
            headers,
            rows: Vec::new(),
            flexible,
            optional: Vec::new(),
        }
    }

    /// Marks a column as the first to leave out on a narrow terminal
    /// (columns marked later leave earlier).
    pub fn optional(mut self, column: usize) -> Table {
        self.optional.push(column);
        self
    }

    /// Column widths for `limit`; a hidden column gets `None`.
    fn layout(&self, limit: Option<usize>) -> Vec<Option<usize>> {
        let mut widths: Vec<Option<usize>> = self.headers.iter().map(|h| Some(h.width())).collect();
        for row in &self.rows {
            for (i, cell) in row.iter().enumerate() {
                widths[i] = widths[i].map(|w| w.max(cell.text.width()));
            }
        }
        let Some(limit) = limit else { return widths };
        let total = |ws: &[Option<usize>]| {
            let shown: Vec<usize> = ws.iter().flatten().copied().collect();
            shown.iter().sum::<usize>() + 2 * shown.len().saturating_sub(1)
        };
        let mut optional = self.optional.clone();
        for floor in [COMFORTABLE, NARROWEST] {
            loop {
                let excess = total(&widths).saturating_sub(limit);
                let flex = widths[self.flexible].unwrap_or(0);
                if excess == 0 {
                    return widths;
                }
                if flex.saturating_sub(excess) >= floor {
                    widths[self.flexible] = Some(flex - excess);
                    return widths;
                }
                widths[self.flexible] = Some(floor.min(flex));
                match optional.pop() {
                    Some(col) if floor == COMFORTABLE => widths[col] = None,
                    _ => break,
                }
            }
        }
        widths
    }

    pub fn push(&mut self, row: Vec<Cell>) {
        self.rows.push(row);
    }

    pub fn render(&self, out: &Output) -> String {
        let widths = self.layout(out.width());
        let mut text = String::new();
        let header: Vec<Cell> = self
            .headers
            .iter()
            .map(|h| Cell::painted(*h, Paint::Header))
            .collect();
        for row in std::iter::once(&header).chain(self.rows.iter()) {
            let mut cells = Vec::new();
            for (cell, width) in row.iter().zip(&widths) {
                let Some(width) = *width else { continue };
                let shown = fit(&cell.text, width);
                let pad = width.saturating_sub(shown.width());
                let painted = match cell.paint {
                    Some(p) => out.paint(p, &shown),
                    None => shown,
                };
                cells.push(format!("{painted}{}", " ".repeat(pad)));
            }
            text.push_str(cells.join("  ").trim_end());
            text.push('\n');
        }
        text
    }
}

/// Cuts `text` to `width` display columns, ending in `…` when cut.
pub fn fit(text: &str, width: usize) -> String {
    if text.width() <= width {
        return text.to_owned();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        used += w;
        out.push(c);
    }
    out.push('…');
    out
}

/// The JSON record of one issue (schema_version 1, see docs/format.md).
pub fn issue_json(issue: &Issue, listing: &Listing) -> serde_json::Value {
    yit::query::record(issue, listing.short_id(&issue.id), true)
}

/// Short ids for output: from a listing of the files, or as the daemon
/// computed them (it knows every id without listing the directory).
pub enum Shorts {
    Listing(Listing),
    Known(std::collections::HashMap<yit::id::IssueId, String>),
}

impl Shorts {
    pub fn of<'a>(&'a self, id: &'a yit::id::IssueId) -> &'a str {
        match self {
            Shorts::Listing(listing) => listing.short_id(id),
            Shorts::Known(known) => known.get(id).map_or(id.as_str(), String::as_str),
        }
    }
}
