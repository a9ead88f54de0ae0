//! `yit help`: a command's help, or a topic the binary carries with it
//! (the query language, the file format), as `jj help -k revsets` does, so
//! that an installed yit documents itself without the repository's docs/.

use clap::{Args, CommandFactory};

use super::{Cli, CommandError, Ctx, Format};

/// A topic: its name, one line on it, its man page section, and its text
/// (the repository's own document, compiled in).
pub struct Topic {
    pub name: &'static str,
    pub about: &'static str,
    pub section: &'static str,
    pub text: &'static str,
}

/// Every topic, in the order `yit help` lists them.
pub const TOPICS: &[Topic] = &[
    Topic {
        name: "query",
        about: "the query language of list, search, ready, blocked, board, export and stats",
        section: "7",
        text: include_str!("../../docs/query.md"),
    },
    Topic {
        name: "format",
        about: "the issue files, config.yaml, plans and the --json records",
        section: "5",
        text: include_str!("../../docs/format.md"),
    },
];

/// Print a command's help, or a topic: `query` (the query language), `format` (the files and JSON)
///
/// Examples:
///   yit help query          the query language, as docs/query.md
///   yit help format         the issue file format and --json records
///   yit help dep add        a command's help (as `yit dep add --help`)
#[derive(Args)]
#[command(verbatim_doc_comment)]
pub struct HelpArgs {
    /// A topic (query, format) or a command (`dep add`: a subcommand)
    topic: Vec<String>,
}

pub fn cmd_help(ctx: &mut Ctx, args: HelpArgs) -> Result<(), CommandError> {
    ctx.format("help", &[Format::Table], Format::Table)?;
    if let [name] = args.topic.as_slice()
        && let Some(topic) = TOPICS.iter().find(|t| t.name == name)
    {
        return Ok(ctx.out.bytes(topic.text.as_bytes())?);
    }
    if !args.topic.is_empty() {
        // a command's help exactly as its --help prints it
        let argv = std::iter::once("yit")
            .chain(args.topic.iter().map(String::as_str))
            .chain(std::iter::once("--help"));
        if let Err(e) = Cli::command().try_get_matches_from(argv)
            && e.kind() == clap::error::ErrorKind::DisplayHelp
        {
            return Ok(ctx.out.bytes(e.render().to_string().as_bytes())?);
        }
    }
    let mut cmd = Cli::command();
    cmd.build();
    let mut path = String::from("yit");
    for name in &args.topic {
        let Some(sub) = cmd
            .find_subcommand(name)
            .filter(|s| !s.is_hide_set())
            .cloned()
        else {
            let commands: Vec<&str> = cmd
                .get_subcommands()
                .filter(|s| !s.is_hide_set())
                .map(|s| s.get_name())
                .collect();
            let mut err = CommandError::usage(format!("`{path}` has no command or topic {name:?}"));
            if path == "yit" {
                err = err.hint(format!("topics: {}", topic_names()));
            }
            return Err(err.hint(format!("commands: {}", commands.join(", "))));
        };
        path = format!("{path} {name}");
        cmd = sub;
    }
    let mut text = cmd.render_long_help().to_string();
    if args.topic.is_empty() {
        text.push_str("\nHelp topics (`yit help TOPIC`):\n");
        for t in TOPICS {
            text.push_str(&format!("  {:<8} {}\n", t.name, t.about));
        }
    }
    Ok(ctx.out.bytes(text.as_bytes())?)
}

fn topic_names() -> String {
    TOPICS.iter().map(|t| t.name).collect::<Vec<_>>().join(", ")
}

/// The man page of a topic (`yit-query(7)`): its text as written,
/// preformatted.
pub fn topic_page(topic: &Topic) -> String {
    let mut page = format!(
        ".TH YIT-{} {} \"\" \"yit {}\" \"yit manual\"\n.SH NAME\nyit-{} \\- {}\n.SH DESCRIPTION\n.nf\n",
        topic.name.to_uppercase(),
        topic.section,
        env!("CARGO_PKG_VERSION"),
        topic.name,
        topic.about.replace('-', "\\-"),
    );
    for line in topic.text.lines() {
        let line = line.replace('\\', "\\e");
        // a line starting with a control character would be a request
        if line.starts_with(['.', '\'']) {
            page.push_str("\\&");
        }
        page.push_str(&line);
        page.push('\n');
    }
    page.push_str(".fi\n");
    page
}
