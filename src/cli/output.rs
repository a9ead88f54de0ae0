//! Output for people and programs: colours, tables fitted to the terminal,
//! and the JSON records of issues.

use std::io::{BufWriter, IsTerminal, Stdout, Write};

use anstyle::{AnsiColor, Style};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};
use yit::issue::{self, Issue};
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
        let width = stdout.is_terminal().then(|| terminal_width(&stdout)).flatten();
        Output { out: BufWriter::new(stdout), color, width }
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
    if let Some(cols) = std::env::var("COLUMNS").ok().and_then(|c| c.parse::<usize>().ok()) {
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
        Cell { text: text.into(), paint: None }
    }

    pub fn painted(text: impl Into<String>, paint: Paint) -> Cell {
        Cell { text: text.into(), paint: Some(paint) }
    }
}

/// A borderless table with a header row. On a terminal the `flexible`
/// column shrinks (with an ellipsis) so that rows fit its width.
pub struct Table {
    headers: Vec<&'static str>,
    rows: Vec<Vec<Cell>>,
    flexible: usize,
}

impl Table {
    pub fn new(headers: Vec<&'static str>, flexible: usize) -> Table {
        Table { headers, rows: Vec::new(), flexible }
    }

    pub fn push(&mut self, row: Vec<Cell>) {
        self.rows.push(row);
    }

    pub fn render(&self, out: &Output) -> String {
        let columns = self.headers.len();
        let mut widths: Vec<usize> = self.headers.iter().map(|h| h.width()).collect();
        for row in &self.rows {
            for (i, cell) in row.iter().enumerate() {
                widths[i] = widths[i].max(cell.text.width());
            }
        }
        if let Some(limit) = out.width() {
            let total: usize = widths.iter().sum::<usize>() + 2 * (columns - 1);
            if total > limit {
                let others = total - widths[self.flexible];
                widths[self.flexible] = limit.saturating_sub(others).max(8);
            }
        }
        let mut text = String::new();
        let header: Vec<Cell> = self.headers.iter().map(|h| Cell::painted(*h, Paint::Header)).collect();
        for row in std::iter::once(&header).chain(self.rows.iter()) {
            let mut line = String::new();
            for (i, cell) in row.iter().enumerate() {
                let last = i + 1 == columns;
                let shown = fit(&cell.text, widths[i]);
                let pad = widths[i].saturating_sub(shown.width());
                match cell.paint {
                    Some(p) => line.push_str(&out.paint(p, &shown)),
                    None => line.push_str(&shown),
                }
                if !last {
                    line.push_str(&" ".repeat(pad + 2));
                }
            }
            text.push_str(line.trim_end());
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
    let comments: Vec<serde_json::Value> = issue
        .comments
        .iter()
        .map(|c| {
            serde_json::json!({
                "id": c.id,
                "author": c.author,
                "created": issue::format_time(c.created),
                "body": c.body,
            })
        })
        .collect();
    serde_json::json!({
        "id": issue.id,
        "short_id": listing.short_id(&issue.id),
        "title": issue.title,
        "status": issue.status,
        "priority": issue.priority,
        "type": issue.kind,
        "labels": issue.labels,
        "assignee": issue.assignee,
        "author": issue.author,
        "created": issue::format_time(issue.created),
        "updated": issue::format_time(issue.updated),
        "body": issue.body,
        "comments": comments,
        "parent": issue.parent,
        "depends_on": issue.depends_on,
        "github": issue.github,
        "conflicts": issue.conflicts,
        "extra": issue.extra,
    })
}
