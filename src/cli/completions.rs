//! `yit completions` and `yit man`: shell completion scripts and the man
//! page, generated from the command line's own definitions.

use clap::{Args, CommandFactory};

use super::{Cli, CommandError, Ctx, ErrorKind, Format};

/// Print a completion script for a shell
///
/// The bash and zsh scripts also complete issue ids (and labels for `yit
/// label`) from the tracker of the directory you are in.
///
/// Examples:
///   yit completions bash > ~/.local/share/bash-completion/completions/yit
///   yit completions zsh > "${fpath[1]}/_yit"
///   yit completions fish > ~/.config/fish/completions/yit.fish
#[derive(Args)]
#[command(verbatim_doc_comment)]
pub struct CompletionsArgs {
    /// bash, zsh, fish, powershell or elvish
    shell: clap_complete::Shell,
}

pub fn cmd_completions(ctx: &mut Ctx, args: CompletionsArgs) -> Result<(), CommandError> {
    // a script, in no other format
    ctx.format("completions", &[Format::Table], Format::Table)?;
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "yit", &mut script);
    let mut script = String::from_utf8_lossy(&script).into_owned();
    match args.shell {
        clap_complete::Shell::Bash => script.push_str(BASH_DYNAMIC),
        clap_complete::Shell::Zsh => {
            // the last lines run or register `_yit`: ours wraps it
            let tail = "if [ \"$funcstack[1]\" = \"_yit\" ]; then\n    _yit \"$@\"\nelse\n    compdef _yit yit\nfi\n";
            let Some(at) = script.rfind(tail) else {
                return Err(CommandError::new(
                    super::ErrorKind::Internal,
                    "the zsh script's last lines are not what yit expects",
                ));
            };
            script.truncate(at);
            script.push_str(ZSH_DYNAMIC);
        }
        _ => {}
    }
    Ok(ctx.out.write_str(&script)?)
}

const BASH_DYNAMIC: &str = r#"
# the values of options (types, statuses, labels, priorities), issue ids
# (and labels for `yit label`) from the tracker of the directory
_yit_with_ids() {
    local cur=${COMP_WORDS[COMP_CWORD]} cmd=${COMP_WORDS[1]} first=2
    local prev=${COMP_WORDS[COMP_CWORD-1]} values=
    case $prev in
        --type|-t) values=types ;;
        --status|-s) values=statuses ;;
        --label|-l|--add-label|--rm-label) values=labels ;;
        --priority) values=priorities ;;
        -p) [[ $cmd != log ]] && values=priorities ;;
        --assignee|-a) values=people ;;
        --parent|--depends-on) values=ids ;;
    esac
    if [[ -n $values ]]; then
        COMPREPLY=($(compgen -W "$(yit __complete $values 2>/dev/null)" -- "$cur"))
        return 0
    fi
    case $cmd in dep|label) first=3 ;; esac
    if [[ $COMP_CWORD -ge $first && $cur != -* ]]; then
        case $cmd in
            show|edit|close|reopen|comment|assign|unassign|claim|release|rm|log|children|dep|label)
                local words
                words=$(yit __complete ids 2>/dev/null)
                [[ $cmd == label ]] && words="$words $(yit __complete labels 2>/dev/null)"
                COMPREPLY=($(compgen -W "$words" -- "$cur"))
                [[ ${#COMPREPLY[@]} -gt 0 ]] && return 0
                ;;
        esac
    fi
    _yit "$@"
}
complete -F _yit_with_ids -o nosort -o bashdefault -o default yit
"#;

const ZSH_DYNAMIC: &str = r#"
# the values of options (types, statuses, labels, priorities), issue ids
# (and labels for `yit label`) from the tracker of the directory
_yit_with_ids() {
    local cmd=${words[2]} first=3 values=
    case ${words[CURRENT-1]} in
        (--type|-t) values=types ;;
        (--status|-s) values=statuses ;;
        (--label|-l|--add-label|--rm-label) values=labels ;;
        (--priority) values=priorities ;;
        (-p) [[ $cmd != log ]] && values=priorities ;;
        (--assignee|-a) values=people ;;
    esac
    if [[ -n $values ]]; then
        local -a found
        found=(${(f)"$(yit __complete $values 2>/dev/null)"})
        compadd -a found
        return 0
    fi
    [[ $cmd == (dep|label) ]] && first=4
    if (( CURRENT >= first )) && [[ ${words[CURRENT]} != -* ]]; then
        case $cmd in
            (show|edit|close|reopen|comment|assign|unassign|claim|release|rm|log|children|dep|label)
                local -a ids
                ids=(${(f)"$(yit __complete ids --describe 2>/dev/null)"})
                [[ $cmd == label ]] && ids+=(${(f)"$(yit __complete labels 2>/dev/null)"})
                _describe 'issue' ids && return 0
                ;;
        esac
    fi
    _yit "$@"
}
if [ "$funcstack[1]" = "_yit" ]; then
    compdef _yit_with_ids yit
    _yit_with_ids "$@"
else
    compdef _yit_with_ids yit
fi
"#;

/// What the completion scripts ask for (hidden: `yit __complete ids`)
#[derive(Args)]
pub struct CompleteArgs {
    #[arg(value_parser = ["ids", "labels", "types", "statuses", "priorities", "people"])]
    what: String,
    /// `ID:title` lines (zsh)
    #[arg(long)]
    describe: bool,
}

/// Prints candidates, one per line; nothing (and success) outside a
/// tracker, so that completion never prints errors into a command line.
pub fn cmd_complete(ctx: &mut Ctx, args: CompleteArgs) -> Result<(), CommandError> {
    let Ok(tracker) = yit::store::Tracker::open(&ctx.cwd) else {
        return Ok(());
    };
    let config = tracker.config();
    let fixed: Option<Vec<String>> = match args.what.as_str() {
        "types" => Some(config.types.clone()),
        "statuses" => Some(config.statuses.iter().map(|s| s.name.clone()).collect()),
        "priorities" => Some(
            (0..=yit::model::config::LOWEST_PRIORITY)
                .map(|p| p.to_string())
                .collect(),
        ),
        _ => None,
    };
    if let Some(values) = fixed {
        for value in values {
            ctx.out.line(&value)?;
        }
        return Ok(());
    }
    let Ok(scan) = super::session(ctx, &tracker).scan(ctx.scan_mode(false)) else {
        return Ok(());
    };
    if args.what == "people" {
        // the email is what every --assignee takes
        let mut people: std::collections::BTreeSet<String> =
            ["me".to_owned(), "none".to_owned()].into();
        people.extend(
            scan.issues
                .iter()
                .filter_map(|i| i.assignee.as_deref())
                .filter_map(|a| yit::model::issue::person_email(a).map(str::to_lowercase)),
        );
        for person in people {
            ctx.out.line(&person)?;
        }
    } else if args.what == "labels" {
        let mut labels: std::collections::BTreeSet<&str> =
            tracker.config().labels.iter().map(String::as_str).collect();
        labels.extend(
            scan.issues
                .iter()
                .flat_map(|i| i.labels.iter().map(String::as_str)),
        );
        for label in labels {
            ctx.out.line(label)?;
        }
    } else {
        for issue in &scan.issues {
            let short = scan.listing.short_id(&issue.id);
            if args.describe {
                ctx.out
                    .line(&format!("{short}:{}", issue.title.replace(':', "\\:")))?;
            } else {
                ctx.out.line(short)?;
            }
        }
    }
    super::exit_without_freeing(scan);
    Ok(())
}

/// Print a man page (roff): yit's, or a command's
///
/// Examples:
///   yit man > ~/.local/share/man/man1/yit.1
///   yit man dep add                  the page of `yit dep add`
///   yit man --dir ~/.local/share/man/man1    every page: yit.1, yit-new.1, ...
#[derive(Args)]
#[command(verbatim_doc_comment)]
pub struct ManArgs {
    /// The command whose page to print (`dep add`: a subcommand's), or a
    /// topic: `query` (yit-query(7)) or `format` (yit-format(5))
    #[arg(conflicts_with = "out_dir")]
    command: Vec<String>,
    /// Write every page into this directory (made if missing) and list them
    #[arg(long = "dir", value_name = "DIR")]
    out_dir: Option<std::path::PathBuf>,
}

pub fn cmd_man(ctx: &mut Ctx, args: ManArgs) -> Result<(), CommandError> {
    ctx.format("man", &[Format::Table], Format::Table)?;
    let internal = |e: std::io::Error| CommandError::new(super::ErrorKind::Internal, e.to_string());
    let mut root = Cli::command().disable_help_subcommand(true);
    root.build();
    if let Some(dir) = &args.out_dir {
        std::fs::create_dir_all(dir).map_err(CommandError::file(
            ErrorKind::User,
            "cannot make",
            dir,
        ))?;
        // the page of every command that has one, parents before children
        let mut todo = vec![root];
        while let Some(cmd) = todo.pop() {
            todo.extend(cmd.get_subcommands().filter(|s| !s.is_hide_set()).cloned());
            let path = page_of(cmd).generate_to(dir).map_err(CommandError::file(
                ErrorKind::User,
                "cannot write into",
                dir,
            ))?;
            ctx.out.line(&path.display().to_string())?;
        }
        for topic in super::help::TOPICS {
            let path = dir.join(format!("yit-{}.{}", topic.name, topic.section));
            std::fs::write(&path, super::help::topic_page(topic)).map_err(CommandError::file(
                ErrorKind::User,
                "cannot write",
                &path,
            ))?;
            ctx.out.line(&path.display().to_string())?;
        }
        return Ok(());
    }
    if let [name] = args.command.as_slice()
        && let Some(topic) = super::help::TOPICS.iter().find(|t| t.name == name)
    {
        return Ok(ctx.out.bytes(super::help::topic_page(topic).as_bytes())?);
    }
    let mut cmd = root;
    let mut path = String::from("yit");
    for name in &args.command {
        let Some(sub) = cmd.find_subcommand(name).cloned() else {
            let known: Vec<&str> = cmd
                .get_subcommands()
                .filter(|s| !s.is_hide_set())
                .map(|s| s.get_name())
                .collect();
            return Err(
                CommandError::usage(format!("`{path}` has no command {name:?}"))
                    .hint(format!("its commands: {}", known.join(", "))),
            );
        };
        path = format!("{path} {name}");
        cmd = sub;
    }
    let mut page = Vec::new();
    page_of(cmd).render(&mut page).map_err(internal)?;
    Ok(ctx.out.bytes(&page)?)
}

/// A command's page, from yit and its version.
fn page_of(cmd: clap::Command) -> clap_mangen::Man {
    clap_mangen::Man::new(cmd)
        .source(format!("yit {}", env!("CARGO_PKG_VERSION")))
        .manual("yit manual")
}
