//! The arguments before clap reads them (negated query terms moved to
//! the query), and clap's usage errors as `--json` prints errors.

use super::CommandError;

/// The commands whose positional QUERY takes the query language.
const QUERY_COMMANDS: [&str; 8] = [
    "list", "search", "board", "export", "stats", "ready", "blocked", "children",
];

/// Global options that take a value in the next argument.
const GLOBAL_VALUES: [&str; 5] = ["-C", "--format", "--color", "--lock-timeout", "--as"];

/// `yit list -label:cli` is a negated query term, not `-l abel:cli`: in the
/// arguments of a command that takes a query, a `-KEY:VALUE` term whose KEY
/// is a query key moves behind `--`, where clap reads it as QUERY. (The
/// terms of a query are all ANDed, so their order does not matter.)
pub(super) fn negated_terms_to_query(args: Vec<std::ffi::OsString>) -> Vec<std::ffi::OsString> {
    let mut i = 1;
    // the subcommand: the first argument that is neither an option nor
    // the value of a global option
    while let Some(arg) = args.get(i).and_then(|a| a.to_str()) {
        if GLOBAL_VALUES.contains(&arg) {
            i += 2;
        } else if arg.starts_with('-') && arg != "--" {
            i += 1;
        } else {
            break;
        }
    }
    if !args
        .get(i)
        .and_then(|a| a.to_str())
        .is_some_and(|c| QUERY_COMMANDS.contains(&c))
    {
        return args;
    }
    let is_term = |arg: &std::ffi::OsString| {
        arg.to_str()
            .and_then(|a| a.strip_prefix('-'))
            .and_then(|a| a.split_once(':'))
            .is_some_and(|(key, _)| yit::query::filter::KEYS.contains(&key))
    };
    let end = args[i..]
        .iter()
        .position(|a| a == "--")
        .map_or(args.len(), |p| i + p);
    let (mut before, after) = (args[..end].to_vec(), args[end..].to_vec());
    let terms: Vec<_> = before.extract_if(i.., |a| is_term(a)).collect();
    if terms.is_empty() {
        return args;
    }
    before.push("--".into());
    before.extend(terms);
    // what followed a `--` of the user's was positional already
    before.extend(after.into_iter().skip(1));
    before
}

/// A usage error from clap, as `--json` prints errors (kind `usage`).
pub(super) fn usage_json(e: &clap::Error) -> String {
    let text = e.render().to_string();
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let message = lines
        .next()
        .map(|l| l.trim_start_matches("error: ").to_owned())
        .unwrap_or_default();
    let mut err = CommandError::usage(message);
    for line in lines {
        let line = line.trim();
        if let Some(tip) = line.strip_prefix("tip: ") {
            err = err.hint(tip);
        } else if let Some(usage) = line.strip_prefix("Usage: ") {
            err = err.hint(format!("usage: {usage}"));
        }
    }
    err.render_json()
}

/// Whether the arguments (or YIT_FORMAT) ask for JSON: then even a usage
/// error is printed as JSON.
pub(super) fn wants_json(args: &[std::ffi::OsString]) -> bool {
    let mut format = std::env::var("YIT_FORMAT").ok();
    let mut json = false;
    let mut args = args.iter().skip(1).filter_map(|a| a.to_str());
    while let Some(arg) = args.next() {
        match arg {
            "--" => break,
            "--json" => json = true,
            "--format" => format = args.next().map(str::to_owned),
            _ => {
                if let Some(f) = arg.strip_prefix("--format=") {
                    format = Some(f.to_owned());
                }
            }
        }
    }
    json || format.as_deref() == Some("json")
}
