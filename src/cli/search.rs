//! `yit search`: full-text search, best matches first.

use clap::Args;
use yit::query::SearchResult;

use super::list::ListArgs;
use super::output::Paint;
use super::{CommandError, Ctx, Format};

/// Search titles, bodies and comments for words; best matches first
///
/// Whole words, ignoring case; every word must occur. Ranked by BM25 with
/// matches in the title first, each hit with a snippet around its first
/// match. The query may hold any term of the query language
/// (docs/query.md) to narrow the search; closed issues are searched with
/// --all or a `status:`/`is:` term.
///
/// Examples:
///   yit search crash index
///   yit search '"empty repo" label:bug'
///   yit search daemon --all -n 5 --json
#[derive(Args)]
#[command(verbatim_doc_comment)]
pub struct SearchArgs {
    /// Words, "exact phrases" and query terms
    #[arg(required = true, value_name = "QUERY")]
    query: Vec<String>,
    /// Search closed issues too
    #[arg(long)]
    all: bool,
    /// Show at most N hits
    #[arg(long, short = 'n', value_name = "N", default_value_t = 20)]
    limit: usize,
}

pub fn cmd_search(ctx: &mut Ctx, args: SearchArgs) -> Result<(), CommandError> {
    let format = ctx.format(
        "search",
        &[Format::Table, Format::Ids, Format::Json, Format::Jsonl],
        Format::Table,
    )?;
    let tracker = ctx.open_tracker()?;
    let config = tracker.config();
    let me = || -> Result<String, CommandError> { Ok(tracker.author()?) };
    let claims = || tracker.claims_in_force(ctx.now);
    let query = ListArgs::of_query(args.query, args.all, Some(args.limit))
        .query(config, &me, &claims, ctx.now, false)?;
    query
        .check_search()
        .map_err(|e| CommandError::usage(e.to_string()))?;
    let mut answers = yit::ops::Answers::default();
    let result =
        super::session(ctx, &tracker).search(&query, ctx.scan_mode(false), &mut answers)?;
    let printed = print(ctx, format, result);
    super::exit_without_freeing(answers);
    printed
}

fn print(ctx: &mut Ctx, format: Format, result: SearchResult<'_>) -> Result<(), CommandError> {
    let hit_json = yit::ops::json::hit;
    match format {
        Format::Json => {
            ctx.out
                .json(&super::output::envelope(yit::ops::json::search(
                    result.matched,
                    &result.hits,
                )))?;
        }
        Format::Jsonl => {
            for hit in &result.hits {
                ctx.out.json_line(&hit_json(hit))?;
            }
        }
        Format::Ids => {
            for hit in &result.hits {
                ctx.out.line(&hit.record.id)?;
            }
        }
        _ => {
            // short ids and statuses in columns
            let id_width = result.hits.iter().map(|h| h.record.short_id.len()).max();
            let status_width = result
                .hits
                .iter()
                .map(|h| super::output::display_width(&h.record.status))
                .max();
            for hit in &result.hits {
                let r = &hit.record;
                let id_pad = " ".repeat(id_width.unwrap_or(0) - r.short_id.len());
                let status_pad =
                    " ".repeat(status_width.unwrap_or(0) - super::output::display_width(&r.status));
                ctx.out.line(&format!(
                    "{}{id_pad}  {}{status_pad}  {}",
                    ctx.out.paint(Paint::Id, &r.short_id),
                    ctx.out.paint(Paint::Dim, &r.status),
                    marked(ctx, &r.title, &hit.title_highlights),
                ))?;
                if let Some(s) = hit
                    .snippet
                    .as_ref()
                    .filter(|s| s.field != yit::query::search::Field::Title)
                {
                    let field = match s.field {
                        yit::query::search::Field::Comment => "comment: ",
                        _ => "",
                    };
                    // on a terminal, one line: cut to its width
                    let room = ctx
                        .out
                        .width()
                        .map(|w| w.saturating_sub(6 + field.len()).max(20));
                    let (shown, cut) = match room {
                        Some(room) => {
                            let fitted = super::output::fit(&s.text, room);
                            let kept = fitted.strip_suffix('…').unwrap_or(&fitted).len();
                            (fitted.clone(), kept.min(s.text.len()))
                        }
                        None => (s.text.clone(), s.text.len()),
                    };
                    let marks: Vec<(usize, usize)> = s
                        .highlights
                        .iter()
                        .copied()
                        .filter(|&(_, end)| end <= cut)
                        .collect();
                    let text = marked(ctx, &shown, &marks);
                    ctx.out.line(&format!("      {field}{text}"))?;
                }
            }
            if result.hits.is_empty() {
                ctx.note("no issues match");
            } else if result.matched > result.hits.len() {
                ctx.note(&format!(
                    "{} of {} matching issues shown (-n N for more)",
                    result.hits.len(),
                    result.matched
                ));
            }
        }
    }
    let none = result.hits.is_empty();
    super::partial(ctx, result.problems, result.broken_files, "searched")?;
    // like rg and grep: no match is exit 1, the answer (empty) printed
    if none {
        return Err(CommandError::silent(super::ErrorKind::NotFound));
    }
    Ok(())
}

/// `text` with the byte ranges `marks` painted as matches.
fn marked(ctx: &Ctx, text: &str, marks: &[(usize, usize)]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for &(start, end) in marks {
        // overlapping matches ("go" in "go-going") are painted once
        if start < at {
            continue;
        }
        out.push_str(&text[at..start]);
        out.push_str(&ctx.out.paint(Paint::Match, &text[start..end]));
        at = end;
    }
    out.push_str(&text[at..]);
    out
}
