//! `yit board`: a kanban view, one column per status.

use clap::Args;

use yit::model::record::Record;
use yit::ops::Column;

use super::list::ListArgs;
use super::output::{Paint, display_width, fit};
use super::{CommandError, Ctx, Format};

/// A kanban board: one column per status, in config.yaml's order
///
/// Cards show the short id, the priority and the title, highest priority
/// first (closed columns: most recently updated first), fitted to the
/// terminal's width. QUERY (docs/query.md) chooses the cards.
///
/// Examples:
///   yit board
///   yit board assignee:me
///   yit board label:search -n 5 --json
#[derive(Args)]
#[command(verbatim_doc_comment)]
pub struct BoardArgs {
    /// Query terms that choose the cards
    #[arg(value_name = "QUERY")]
    query: Vec<String>,
    /// Cards per column
    #[arg(long, short = 'n', value_name = "N", default_value_t = 20)]
    limit: usize,
}

pub fn cmd_board(ctx: &mut Ctx, args: BoardArgs) -> Result<(), CommandError> {
    let format = ctx.format("board", &[Format::Table, Format::Json], Format::Table)?;
    let tracker = ctx.open_tracker()?;
    let config = tracker.config();
    let me = || -> Result<String, CommandError> { Ok(tracker.author()?) };
    let claims = || tracker.claims_in_force(ctx.now);
    let base = ListArgs::of_query(args.query, true, Some(args.limit))
        .query(config, &me, &claims, ctx.now, false)?;
    let mut answers = yit::ops::Answers::default();
    let columns = super::session(ctx, &tracker).board(&base, ctx.scan_mode(false), &mut answers)?;
    let printed = print(ctx, format, &columns);
    // (every column's answer names the same broken files)
    let (problems, broken) = columns
        .first()
        .map(|c| (c.result.problems.clone(), c.result.broken_files))
        .unwrap_or_default();
    super::exit_without_freeing(answers);
    printed.and_then(|()| super::partial(ctx, problems, broken, "shown"))
}

fn print(ctx: &mut Ctx, format: Format, columns: &[Column]) -> Result<(), CommandError> {
    if format == Format::Json {
        ctx.out
            .json(&super::output::envelope(yit::ops::board_json(columns)))?;
        return Ok(());
    }
    let gap = 2;
    let k = columns.len().max(1);
    // a terminal's width; 120 columns elsewhere
    let width = ctx.out.width().unwrap_or(120).max(k * 12);
    let col = (width - gap * (k - 1)) / k;
    let headers: Vec<String> = columns
        .iter()
        .map(|c| {
            let count = c.result.matched.unwrap_or(c.result.records.len());
            fit(&format!("{} ({count})", c.status.to_uppercase()), col)
        })
        .collect();
    let rows = columns
        .iter()
        .map(|c| c.result.records.len() + usize::from(more(c) > 0))
        .max()
        .unwrap_or(0);
    let mut line = String::new();
    for (n, h) in headers.iter().enumerate() {
        cell(
            &mut line,
            &ctx.out.paint(Paint::Header, h),
            display_width(h),
            col,
            n + 1 == k,
        );
    }
    ctx.out.line(line.trim_end())?;
    for row in 0..rows {
        let mut line = String::new();
        for (n, c) in columns.iter().enumerate() {
            let last = n + 1 == k;
            match c.result.records.get(row) {
                Some(card) => {
                    let (text, painted) = card_text(ctx, card, col);
                    cell(&mut line, &painted, display_width(&text), col, last);
                }
                None if row == c.result.records.len() && more(c) > 0 => {
                    let text = fit(&format!("+{} more", more(c)), col);
                    cell(
                        &mut line,
                        &ctx.out.paint(Paint::Dim, &text),
                        display_width(&text),
                        col,
                        last,
                    );
                }
                None => cell(&mut line, "", 0, col, last),
            }
        }
        ctx.out.line(line.trim_end())?;
    }
    Ok(())
}

/// Cards of a column not shown.
fn more(c: &Column) -> usize {
    c.result
        .matched
        .unwrap_or(0)
        .saturating_sub(c.result.records.len())
}

/// A card: `4k2f P1 Title…`, as plain text (for its width) and painted.
fn card_text(ctx: &Ctx, card: &Record, col: usize) -> (String, String) {
    let head = format!("{} P{} ", card.short_id, card.priority);
    let title = fit(&card.title, col.saturating_sub(display_width(&head)).max(1));
    let plain = format!("{head}{title}");
    let painted = format!(
        "{} {} {title}",
        ctx.out.paint(Paint::Id, &card.short_id),
        ctx.out.paint(
            if card.priority <= 1 {
                Paint::Urgent
            } else {
                Paint::Dim
            },
            &format!("P{}", card.priority)
        ),
    );
    (plain, painted)
}

/// Appends a cell padded to `col` columns (and the gap), unless last.
fn cell(line: &mut String, painted: &str, width: usize, col: usize, last: bool) {
    line.push_str(painted);
    if !last {
        line.push_str(&" ".repeat(col.saturating_sub(width) + 2));
    }
}
