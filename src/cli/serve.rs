//! `yit serve`: the web front end (see `crate::web`).

use std::net::IpAddr;

use std::io::Write;

use clap::Args;

use super::{CommandError, Ctx, Format};

/// Serve a live web board and issue pages for this tracker
///
/// Prints the address to open, with a token that lets your browser make
/// changes (kept in a cookie). Pages follow every change to the files as
/// it happens: an edit in your editor, a `git checkout`, another command.
/// Listens on 127.0.0.1 unless --bind says otherwise; stop it with Ctrl-C.
///
/// Examples:
///   yit serve
///   yit serve --port 0 --open        any free port, opened in your browser
#[derive(Args)]
#[command(verbatim_doc_comment)]
pub struct ServeArgs {
    /// The port to listen on (0: any free one)
    #[arg(long, short = 'p', default_value_t = 7474)]
    port: u16,
    /// The address to listen on; anything but a loopback address lets other
    /// machines read your issues (writes still need the token)
    #[arg(long, default_value = "127.0.0.1", value_name = "ADDR")]
    bind: IpAddr,
    /// Open the address in your browser ($BROWSER, else xdg-open)
    #[arg(long)]
    open: bool,
}

pub fn cmd_serve(ctx: &mut Ctx, args: ServeArgs) -> Result<(), CommandError> {
    ctx.format("serve", &[Format::Table], Format::Table)?;
    // an interrupted plan is completed, and a missing tracker said, first
    drop(ctx.open_tracker()?);
    if !args.bind.is_loopback() {
        ctx.warn(&format!(
            "listening on {}: other machines can read these issues",
            args.bind
        ));
    }
    let options = crate::web::Options {
        front: ctx.front_options(),
        bind: args.bind,
        port: args.port,
    };
    let quiet = ctx.quiet;
    let mut browser = None;
    let served = crate::web::serve(options, |url| {
        // the one line a script reads; the rest goes to stderr
        // (a closed stdout is the script's business: the server serves on)
        let _ = writeln!(std::io::stdout(), "{url}");
        if !quiet {
            crate::front::say!("yit serve: serving this tracker at {url} (Ctrl-C stops it)");
        }
        if args.open {
            browser = open_browser(url);
        }
    });
    if let Some(mut child) = browser {
        let _ = child.wait();
    }
    served
}

/// Starts the person's browser on `url`; the caller reaps it.
fn open_browser(url: &str) -> Option<std::process::Child> {
    let program = std::env::var("BROWSER").unwrap_or_else(|_| "xdg-open".to_owned());
    match std::process::Command::new(&program)
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .spawn()
    {
        Ok(child) => Some(child),
        Err(e) => {
            crate::front::say!(
                "warning: could not start {program}: {e}; open the address yourself"
            );
            None
        }
    }
}
