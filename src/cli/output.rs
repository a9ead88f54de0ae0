//! Output for people and programs: colours, tables fitted to the terminal,
//! and the JSON records of issues.

use std::borrow::Cow;
use std::io::{BufWriter, IsTerminal, Stdout, Write};

use anstyle::{AnsiColor, Style};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};
use yit::model::issue::Issue;
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
    /// A search match in a snippet.
    Match,
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
            Paint::Match => AnsiColor::Red.on_default().bold(),
        }
    }
}

/// stdout (or a pager reading it), buffered, with the colour decision and
/// the terminal width.
pub struct Output {
    out: BufWriter<Box<dyn Write>>,
    color: bool,
    width: Option<usize>,
    /// stdout is a terminal (a person reads): times say how long ago.
    terminal: bool,
    /// The pager, waited for by [`Output::finish`] (and on drop).
    pager: Option<Pager>,
}

/// A pager process that owns the terminal until it exits.
struct Pager(std::process::Child);

impl Drop for Pager {
    fn drop(&mut self) {
        // its input is closed by now: it exits when the person quits it
        let _ = self.0.wait();
    }
}

impl Output {
    /// stdout; on a terminal with `page`, through the pager that
    /// `YIT_PAGER`, else `PAGER`, else `less` names (empty or `cat`: none).
    /// `less` gets `LESS=FRX` unless set: it quits at once when the output
    /// fits the screen, and keeps colours.
    pub fn stdout(color: bool, page: bool) -> Output {
        let stdout = std::io::stdout();
        let terminal = stdout.is_terminal();
        let width = terminal.then(|| terminal_width(&stdout)).flatten();
        // (a dumb terminal cannot run less)
        let dumb = std::env::var("TERM").map_or(true, |t| t == "dumb");
        let pager = (page && terminal && !dumb).then(spawn_pager).flatten();
        let (out, pager): (Box<dyn Write>, _) = match pager {
            Some((input, child)) => (Box::new(input), Some(Pager(child))),
            None => (Box::new(stdout), None),
        };
        Output {
            out: BufWriter::new(out),
            color,
            width,
            terminal,
            pager,
        }
    }

    /// Flushes, closes the pager's input and waits for the person to quit it.
    pub fn finish(&mut self) -> std::io::Result<()> {
        let flushed = self.out.flush();
        if let Some(pager) = self.pager.take() {
            // the pager sees the end of its input when ours is replaced
            drop(std::mem::replace(
                &mut self.out,
                BufWriter::new(Box::new(std::io::sink())),
            ));
            drop(pager);
        }
        flushed
    }

    /// The terminal's width; `None` off a terminal, where nothing is cut.
    pub fn width(&self) -> Option<usize> {
        self.width
    }

    /// A time for a person: local (the zone `TZ` names, else the
    /// system's), and on a terminal to the minute with how long before
    /// `now` it was.
    pub fn when(&self, t: jiff::Timestamp, now: jiff::Timestamp) -> String {
        // the zone is looked up once (reading /etc/localtime each time
        // costs ~0.2 ms)
        static ZONE: std::sync::OnceLock<jiff::tz::TimeZone> = std::sync::OnceLock::new();
        let zone = ZONE.get_or_init(local_zone).clone();
        let local = t.to_zoned_datetime(zone);
        if self.terminal {
            format!("{} ({})", local.strftime("%Y-%m-%d %H:%M %:z"), ago(t, now))
        } else {
            local.strftime("%Y-%m-%d %H:%M:%S %:z").to_string()
        }
    }

    /// [`Output::when`] for a time in seconds since the epoch (git's, the
    /// trash's); empty for one out of range.
    pub fn when_unix(&self, seconds: i64, now: jiff::Timestamp) -> String {
        jiff::Timestamp::from_second(seconds)
            .map(|t| self.when(t, now))
            .unwrap_or_default()
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

    /// Text for a person, with every control character an issue's text
    /// might carry made visible ([`visible`]).
    pub fn write_str(&mut self, text: &str) -> std::io::Result<()> {
        self.out.write_all(visible(text, self.color).as_bytes())
    }

    pub fn line(&mut self, text: &str) -> std::io::Result<()> {
        self.write_str(text)?;
        self.out.write_all(b"\n")
    }

    /// Pretty JSON and a newline.
    pub fn json(&mut self, value: &impl serde::Serialize) -> std::io::Result<()> {
        serde_json::to_writer_pretty(&mut self.out, value)?;
        self.out.write_all(b"\n")
    }

    /// Compact JSON on one line.
    pub fn json_line(&mut self, value: &impl serde::Serialize) -> std::io::Result<()> {
        serde_json::to_writer(&mut self.out, value)?;
        self.out.write_all(b"\n")
    }

    /// Bytes as they are (a file's, CSV), except on a terminal, where
    /// text is written as [`Output::write_str`] writes it.
    pub fn bytes(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        match std::str::from_utf8(bytes) {
            Ok(text) if self.terminal => self.write_str(text),
            _ => self.out.write_all(bytes),
        }
    }

    pub fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

/// `text` with its control characters made visible, so that no issue
/// text (a title, an assignee, a body, a comment, whoever wrote it) can
/// drive the terminal: no clipboard write (OSC 52), no screen clear, no
/// cursor move, no carriage return over a line. Control characters but
/// newline and tab become caret notation (`^[`, `^M`, `^?`) and C1 ones
/// `\u{9b}`; with `colours`, the colour sequences yit writes itself (SGR,
/// `ESC [ … m`) are kept.
pub fn visible(text: &str, colours: bool) -> Cow<'_, str> {
    let unsafe_byte =
        |b: &u8| (*b < 0x20 && *b != b'\n' && *b != b'\t') || *b == 0x7f || *b == 0xc2;
    if !text.as_bytes().iter().any(unsafe_byte) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if c == '\u{1b}' && colours {
            let sgr = rest[1..]
                .strip_prefix('[')
                .and_then(|r| {
                    r.find(|c: char| !(c.is_ascii_digit() || c == ';' || c == ':'))
                        .map(|end| (r, end))
                })
                .filter(|(r, end)| r[*end..].starts_with('m'));
            if let Some((_, end)) = sgr {
                let whole = 1 + 1 + end + 1;
                out.push_str(&rest[..whole]);
                rest = &rest[whole..];
                continue;
            }
        }
        match c {
            '\n' | '\t' => out.push(c),
            '\u{7f}' => out.push_str("^?"),
            c if (c as u32) < 0x20 => {
                out.push('^');
                out.push(char::from(b'@' + c as u8));
            }
            c if (0x80..0xa0).contains(&(c as u32)) => {
                out.push_str(&format!("\\u{{{:x}}}", c as u32));
            }
            c => out.push(c),
        }
        rest = &rest[c.len_utf8()..];
    }
    Cow::Owned(out)
}

/// How long before `now` `t` was, as a person says it: `2 h ago`,
/// `3 days ago`, `in 5 min` for a time to come.
pub fn ago(t: jiff::Timestamp, now: jiff::Timestamp) -> String {
    let seconds = now.as_second() - t.as_second();
    let (n, unit) = match seconds.unsigned_abs() {
        s if s < 60 => return "just now".to_owned(),
        s if s < 3600 => (s / 60, "min"),
        s if s < 86_400 => (s / 3600, "h"),
        s if s < 2 * 86_400 => (1, "day"),
        s if s < 60 * 86_400 => (s / 86_400, "days"),
        s if s < 365 * 86_400 => (s / (30 * 86_400), "months"),
        s if s < 2 * 365 * 86_400 => (1, "year"),
        s => (s / (365 * 86_400), "years"),
    };
    if seconds < 0 {
        format!("in {n} {unit}")
    } else {
        format!("{n} {unit} ago")
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
pub struct Cell<'a> {
    text: Cow<'a, str>,
    /// Display width, measured once.
    width: usize,
    paint: Option<Paint>,
}

impl<'a> Cell<'a> {
    pub fn new(text: impl Into<Cow<'a, str>>) -> Cell<'a> {
        let text = text.into();
        Cell {
            width: display_width(&text),
            text,
            paint: None,
        }
    }

    pub fn painted(text: impl Into<Cow<'a, str>>, paint: Paint) -> Cell<'a> {
        Cell::new(text).paint_if(true, paint)
    }

    pub fn paint_if(mut self, condition: bool, paint: Paint) -> Cell<'a> {
        if condition {
            self.paint = Some(paint);
        }
        self
    }
}

/// Display columns of `text` (ASCII: its length, without a table lookup).
pub fn display_width(text: &str) -> usize {
    if text.is_ascii() {
        text.len()
    } else {
        text.width()
    }
}

/// A borderless table with a header row, written in two passes over the
/// items (one to measure, one to write), so that no cell is kept. On a
/// terminal the `flexible` column shrinks (with an ellipsis) and `optional`
/// columns are left out, so that rows fit its width; off a terminal nothing
/// is cut.
pub struct Table<const N: usize> {
    headers: [&'static str; N],
    flexible: usize,
    optional: Vec<usize>,
    /// Columns cut (to no fewer than their floor) before the flexible one.
    shrinking: Vec<(usize, usize)>,
}

/// The flexible column keeps this many columns before optional ones go.
const COMFORTABLE: usize = 20;
/// ... and never fewer than this.
const NARROWEST: usize = 8;

impl<const N: usize> Table<N> {
    pub fn new(headers: [&'static str; N], flexible: usize) -> Table<N> {
        Table {
            headers,
            flexible,
            optional: Vec::new(),
            shrinking: Vec::new(),
        }
    }

    /// Marks a column as cut (with an ellipsis, to no fewer than `floor`
    /// columns) before the flexible one on a narrow terminal.
    pub fn shrinks(mut self, column: usize, floor: usize) -> Table<N> {
        self.shrinking.push((column, floor));
        self
    }

    /// Marks a column as the first to leave out on a narrow terminal
    /// (columns marked later leave earlier).
    pub fn optional(mut self, column: usize) -> Table<N> {
        self.optional.push(column);
        self
    }

    /// Column widths for the widest cells `natural` and the terminal width
    /// `limit`; a hidden column gets `None`.
    fn layout(&self, natural: [usize; N], limit: Option<usize>) -> [Option<usize>; N] {
        let mut widths = natural.map(Some);
        let Some(limit) = limit else { return widths };
        let total = |ws: &[Option<usize>; N]| {
            let shown = ws.iter().flatten();
            shown.clone().sum::<usize>() + 2 * shown.count().saturating_sub(1)
        };
        for &(col, floor) in &self.shrinking {
            let excess = total(&widths).saturating_sub(limit);
            if let Some(w) = widths[col] {
                widths[col] = Some(w.saturating_sub(excess).max(floor.min(w)));
            }
        }
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

    /// Writes the table of `items`, whose cells `cells` gives (it is called
    /// twice per item), fitted to `out`'s width and coloured as it says.
    /// Long tables are measured and rendered on every core, in chunks.
    pub fn write<T: Sync>(
        &self,
        out: &mut Output,
        items: &[T],
        cells: impl for<'t> Fn(&'t T) -> [Cell<'t>; N] + Sync,
    ) -> std::io::Result<()> {
        use rayon::prelude::*;
        let measure = |chunk: &[T]| {
            let mut natural = [0; N];
            for item in chunk {
                for (width, cell) in natural.iter_mut().zip(cells(item)) {
                    *width = (*width).max(cell.width);
                }
            }
            natural
        };
        let widest = |a: [usize; N], b: [usize; N]| std::array::from_fn(|i| a[i].max(b[i]));
        let natural = items
            .par_chunks(TABLE_CHUNK)
            .map(measure)
            .reduce(|| self.headers.map(display_width), widest);
        let widths = self.layout(natural, out.width());
        let color = out.color;
        let mut line = String::new();
        let header = self.headers.map(|h| Cell::painted(h, Paint::Header));
        out.line(render_row(&mut line, header, &widths, color))?;
        // a row is at most as wide as the widths and gaps (and colours)
        let row_len =
            widths.iter().flatten().map(|w| w + 2).sum::<usize>() + if color { N * 16 } else { 1 };
        let render = |chunk: &[T]| {
            let mut text = String::with_capacity(chunk.len() * row_len);
            let mut line = String::new();
            for item in chunk {
                text.push_str(render_row(&mut line, cells(item), &widths, color));
                text.push('\n');
            }
            text
        };
        // a few chunks at a time, written before the next are rendered,
        // so that their memory is used again
        for batch in items.chunks(TABLE_CHUNK * rayon::current_num_threads()) {
            if batch.len() <= TABLE_CHUNK {
                out.write_str(&render(batch))?;
                continue;
            }
            let rendered: Vec<String> = batch.par_chunks(TABLE_CHUNK).map(render).collect();
            for text in rendered {
                out.write_str(&text)?;
            }
        }
        Ok(())
    }
}

/// Rows per chunk when a long table is measured and rendered in parallel.
const TABLE_CHUNK: usize = 4096;

/// One row of a table in `line` (cleared first), without trailing spaces.
fn render_row<'l, const N: usize>(
    line: &'l mut String,
    cells: [Cell<'_>; N],
    widths: &[Option<usize>; N],
    color: bool,
) -> &'l str {
    const SPACES: &str = "                                                                ";
    line.clear();
    // padding is written only before a cell that follows
    let mut pending = 0;
    let mut first = true;
    for (cell, width) in cells.into_iter().zip(widths) {
        let Some(width) = *width else { continue };
        if !first {
            pending += 2;
        }
        first = false;
        let (shown, shown_width) = if cell.width <= width {
            (cell.text, cell.width)
        } else {
            let cut = fit(&cell.text, width);
            let w = cut.width();
            (Cow::Owned(cut), w)
        };
        if shown.is_empty() {
            pending += width;
            continue;
        }
        while pending > 0 {
            let n = pending.min(SPACES.len());
            line.push_str(&SPACES[..n]);
            pending -= n;
        }
        match cell.paint {
            Some(p) if color => {
                use std::fmt::Write as _;
                let style = p.style();
                let _ = write!(line, "{}{shown}{}", style.render(), style.render_reset());
            }
            _ => line.push_str(&shown),
        }
        pending = width - shown_width;
    }
    line
}

/// The pager's input and process, if one is configured and starts.
fn spawn_pager() -> Option<(std::process::ChildStdin, std::process::Child)> {
    let command = std::env::var("YIT_PAGER")
        .or_else(|_| std::env::var("PAGER"))
        .unwrap_or_else(|_| "less".to_owned());
    let command = command.trim();
    if command.is_empty() || command == "cat" {
        return None;
    }
    // through the shell, as git runs its pager: PAGER may hold arguments
    let mut cmd = std::process::Command::new("sh");
    cmd.args(["-c", command])
        .stdin(std::process::Stdio::piped());
    if std::env::var_os("LESS").is_none() {
        cmd.env("LESS", "FRX");
    }
    let mut child = cmd.spawn().ok()?;
    let input = child.stdin.take()?;
    Some((input, child))
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
    yit::model::record::Record::of(issue, listing.short_id(&issue.id), true).to_value()
}

pub use yit::ops::Shorts;

pub use yit::model::record::{SCHEMA_VERSION, envelope};

/// A cell of a Markdown table: pipes escaped, on one line.
pub fn markdown_cell(text: &str) -> String {
    text.replace('|', "\\|").replace(['\n', '\r'], " ")
}

/// The zone times are shown in: the one `TZ` names, else the system's,
/// read from /etc/localtime as the C library reads it. (jiff's own lookup
/// of the system zone finds the link's name in the zone database, listing
/// its ~600 files first: a millisecond of every `show`.)
fn local_zone() -> jiff::tz::TimeZone {
    use jiff::tz::TimeZone;
    match std::env::var("TZ").as_deref() {
        Ok("UTC" | ":UTC" | "Etc/UTC" | "UTC0") => TimeZone::UTC,
        Ok(_) => TimeZone::system(),
        Err(_) => {
            let path = std::path::Path::new("/etc/localtime");
            let name = std::fs::read_link(path).ok().and_then(|target| {
                let target = target.to_string_lossy().into_owned();
                target
                    .split_once("zoneinfo/")
                    .map(|(_, name)| name.to_owned())
            });
            match std::fs::read(path) {
                Ok(bytes) => TimeZone::tzif(name.as_deref().unwrap_or("Local"), &bytes)
                    .unwrap_or_else(|_| TimeZone::system()),
                Err(_) => TimeZone::system(),
            }
        }
    }
}

#[cfg(test)]
mod visible_tests {
    use super::visible;

    #[test]
    fn control_characters_never_reach_the_terminal() {
        let hostile = "a\u{1b}]52;c;cHduZWQ=\u{7}b\u{1b}[2Jc\rd\u{9b}31me\u{7f}";
        for colours in [false, true] {
            let shown = visible(hostile, colours);
            assert!(
                !shown
                    .chars()
                    .any(|c| c.is_control() && c != '\n' && c != '\t'),
                "{shown:?}"
            );
            assert_eq!(shown, "a^[]52;c;cHduZWQ=^Gb^[[2Jc^Md\\u{9b}31me^?");
        }
        assert_eq!(
            visible("x\u{1b}[1;31mred\u{1b}[0m\n\ty", true),
            "x\u{1b}[1;31mred\u{1b}[0m\n\ty"
        );
        assert_eq!(visible("x\u{1b}[1;31mred", false), "x^[[1;31mred");
        assert!(matches!(
            visible("plain ünïcode ✓", false),
            std::borrow::Cow::Borrowed(_)
        ));
    }
}
