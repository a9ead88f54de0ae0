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
    /// Connections served at once; past them a client is answered 503
    /// (default: half the descriptors yit may open, at most 512)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    max_connections: Option<u16>,
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
        max_connections: args.max_connections.map(usize::from),
    };
    let quiet = ctx.quiet;
    let handover_dir = ctx.open_tracker()?.repo().git_dir().join("yit");
    let mut browser = None;
    let mut handover = None;
    let served = crate::web::serve(options, |url| {
        // the one line a script reads; the rest goes to stderr
        // (a closed stdout is the script's business: the server serves on)
        let _ = writeln!(std::io::stdout(), "{url}");
        if !quiet {
            crate::front::say!("yit serve: serving this tracker at {url} (Ctrl-C stops it)");
        }
        if args.open {
            match Handover::write(&handover_dir, url) {
                Ok(page) => {
                    browser = open_browser(&page.path());
                    handover = Some(page);
                }
                Err(e) => crate::front::say!(
                    "warning: could not write the page that opens the server ({e}); open the address yourself"
                ),
            }
        }
    });
    // the page with the token is removed when the server ends
    drop(handover);
    if let Some(mut child) = browser {
        let _ = child.wait();
    }
    served
}

/// The page `--open` hands the browser: it leads to the address with the
/// token, so the token is in a file only the user can read (in a
/// directory of its own under the git directory) and never in the
/// browser's arguments, which every process on the machine can read
/// (`ps`). Removed on drop.
struct Handover {
    dir: tempfile::TempDir,
}

impl Handover {
    fn write(under: &std::path::Path, url: &str) -> std::io::Result<Handover> {
        std::fs::create_dir_all(under)?;
        // a directory of mode 0700, made new
        let dir = tempfile::Builder::new()
            .prefix("serve-open-")
            .permissions(std::os::unix::fs::PermissionsExt::from_mode(0o700))
            .tempdir_in(under)?;
        let attribute = url.replace('&', "&amp;").replace('"', "&quot;");
        let page = format!(
            "<!doctype html>\n<meta charset=\"utf-8\">\n\
             <meta http-equiv=\"refresh\" content=\"0;url={attribute}\">\n\
             <title>yit serve</title>\n<p><a href=\"{attribute}\">Open yit serve</a></p>\n"
        );
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(dir.path().join("open.html"))?;
        file.write_all(page.as_bytes())?;
        Ok(Handover { dir })
    }

    fn path(&self) -> std::path::PathBuf {
        self.dir.path().join("open.html")
    }
}

/// Starts the person's browser on `target`; the caller reaps it.
fn open_browser(target: &std::path::Path) -> Option<std::process::Child> {
    let program = std::env::var("BROWSER").unwrap_or_else(|_| "xdg-open".to_owned());
    match std::process::Command::new(&program)
        .arg(target)
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
