//! `yit mcp`: the tracker for coding agents, over the Model Context
//! Protocol on stdio (rmcp, the official Rust SDK).
//!
//! Tools ([`tools::TOOLS`]) are the command line's operations with its
//! records and errors; resources are each issue (`yit://issue/ID`), the
//! configuration and the query language's documentation, and a client
//! subscribed to an issue hears when its file changes (the front ends'
//! watcher). Every call runs the synchronous library on a blocking thread,
//! so several servers and commands on one tracker hold its invariants
//! through its locks (two agents claiming one issue: one wins, the other is
//! told who holds it). A tool's failure is a tool error, never a crash;
//! the server ends when the client closes stdin, on SIGINT or SIGTERM, or
//! with its lifeline.

mod text;
mod tools;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, Implementation,
    JsonObject, ListResourcesResult, ListToolsResult, PaginatedRequestParams,
    ReadResourceRequestParams, ReadResourceResponse, ReadResourceResult, Resource,
    ResourceContents, ResourceUpdatedNotificationParam, ServerCapabilities, ServerConfig,
    SubscribeRequestParams, Tool, ToolAnnotations, UnsubscribeRequestParams,
};
use rmcp::service::{Peer, RequestContext};
use rmcp::{ErrorData, RoleServer, ServerHandler, ServiceExt};
use yit::model::record::envelope;

use crate::front::error::{CommandError, ErrorKind};
use crate::front::live::{Live, Watch};
use crate::front::request::shown;
use crate::front::stop::{Stopping, runtime};
use crate::front::{Front, Options};

/// The query language, as a resource.
const QUERY_DOC: &str = include_str!("../../docs/query.md");
const CONFIG_URI: &str = "yit://config";
const QUERY_URI: &str = "yit://docs/query.md";
const ISSUE_URI: &str = "yit://issue/";
/// Issues listed per page of `resources/list`.
const PAGE: usize = 500;

/// The server: the front end, and who listens to which issue.
#[derive(Clone)]
pub struct Server {
    front: Arc<Front>,
    live: Live,
    /// Subscribed URIs by the full id they name (or the URI itself for the
    /// configuration), and the peer to tell.
    subscribed: Arc<Mutex<Subscriptions>>,
}

#[derive(Default)]
struct Subscriptions {
    uris: HashMap<String, String>,
    peer: Option<Peer<RoleServer>>,
}

fn tool_error(err: &CommandError) -> CallToolResult {
    CallToolResult::structured_error(err.json())
}

fn protocol_error(err: &CommandError) -> ErrorData {
    let data = Some(err.json());
    match err.kind {
        ErrorKind::NotFound => ErrorData::resource_not_found(err.message.clone(), data),
        ErrorKind::Internal => ErrorData::internal_error(err.message.clone(), data),
        _ => ErrorData::invalid_params(err.message.clone(), data),
    }
}

impl Server {
    async fn call(
        &self,
        name: &str,
        arguments: Option<JsonObject>,
    ) -> Result<CallToolResult, ErrorData> {
        let Some(tool) = tools::TOOLS.iter().find(|t| t.name == name) else {
            let known: Vec<&str> = tools::TOOLS.iter().map(|t| t.name).collect();
            return Err(ErrorData::invalid_params(
                format!("no tool {name:?}; the tools are {}", known.join(", ")),
                None,
            ));
        };
        let arguments = serde_json::Value::Object(arguments.unwrap_or_default());
        // (a list tool's records as JSON too; its schema has the key)
        let json = arguments.get("json") == Some(&serde_json::Value::Bool(true));
        let call = tool.call;
        let answer = self
            .front
            .run_blocking(self.live.version(), move |ctx| call(ctx, arguments))
            .await;
        Ok(match answer {
            Ok(value) => {
                let value = envelope(value);
                match tool.text {
                    None => CallToolResult::structured(value),
                    // a line per issue for every client, and the records
                    // only when asked for (docs/mcp.md says why)
                    Some(render) if !json => {
                        CallToolResult::success(vec![ContentBlock::text(render(&value, true))])
                    }
                    Some(render) => {
                        let text = render(&value, false);
                        let mut result = CallToolResult::structured(value);
                        result.content = vec![ContentBlock::text(text)];
                        result
                    }
                }
            }
            Err(err) => tool_error(&err),
        })
    }

    /// The full id an issue URI names, or the configuration's URI.
    async fn subject(&self, uri: &str) -> Result<String, CommandError> {
        if uri == CONFIG_URI {
            return Ok(uri.to_owned());
        }
        let input = issue_input(uri)?.to_owned();
        self.front
            .run_blocking(self.live.version(), move |ctx| {
                Ok(ctx.session().resolve(&input)?.to_string())
            })
            .await
    }

    /// Renews the leases this session holds, every third of `claim_ttl`
    /// (`YIT_TEST_RENEW_MS`, a test hook, says how often instead), until
    /// the server ends. A lease that cannot be renewed (taken over after
    /// it expired, released by hand) is no longer the session's.
    async fn renew_leases(self) {
        let every = match std::env::var("YIT_TEST_RENEW_MS")
            .ok()
            .and_then(|m| m.parse().ok())
        {
            Some(ms) => Duration::from_millis(ms),
            None => {
                let ttl = self
                    .front
                    .run_blocking(0, |ctx| Ok(ctx.tracker.config().claim_ttl))
                    .await;
                match ttl {
                    Ok(Some(seconds)) => Duration::from_secs((seconds / 3).max(1)),
                    // never expire (or no tracker): nothing to renew
                    _ => return,
                }
            }
        };
        loop {
            tokio::time::sleep(every).await;
            let _ = self
                .front
                .run_blocking(0, |ctx| {
                    let held: Vec<String> = ctx.held.map_or_else(Vec::new, |h| {
                        h.lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .keys()
                            .cloned()
                            .collect()
                    });
                    for id in held {
                        let clock = ctx.clock;
                        if ctx.session().renew(&id, false, clock).is_err() {
                            ctx.hold(&id, None);
                        }
                    }
                    Ok(())
                })
                .await;
        }
    }

    /// Gives up every lease this session still holds (its end).
    async fn release_leases(&self) {
        let _ = self
            .front
            .run_blocking(0, |ctx| {
                let held: Vec<(String, u64)> = ctx.held.map_or_else(Vec::new, |h| {
                    std::mem::take(&mut *h.lock().unwrap_or_else(|e| e.into_inner()))
                        .into_iter()
                        .collect()
                });
                for (id, token) in held {
                    let tracker = ctx.tracker;
                    let clock = ctx.clock;
                    let _ =
                        yit::ops::Session::without_daemon(tracker).release(&id, Some(token), clock);
                }
                Ok(())
            })
            .await;
    }

    /// Tells the subscribed client of each changed issue (and of the
    /// configuration, when anything may have changed), until the server
    /// ends.
    async fn notify(self) {
        let mut changes = self.live.tx.subscribe();
        loop {
            let changed = match changes.recv().await {
                Ok(changed) => changed,
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
            };
            let (peer, uris) = {
                let subscribed = self.subscribed.lock().unwrap_or_else(|e| e.into_inner());
                let uris: Vec<String> = subscribed
                    .uris
                    .iter()
                    .filter(|(subject, _)| {
                        changed.all || changed.ids.iter().any(|id| id == *subject)
                    })
                    .map(|(_, uri)| uri.clone())
                    .collect();
                (subscribed.peer.clone(), uris)
            };
            let Some(peer) = peer else { continue };
            for uri in uris {
                // a client gone is the end of the server, seen elsewhere
                let _ = peer
                    .notify_resource_updated(ResourceUpdatedNotificationParam::new(uri))
                    .await;
            }
        }
    }
}

impl ServerHandler for Server {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(
            ServerCapabilities::builder()
                .enable_tools()
                .enable_resources()
                .enable_resources_subscribe()
                .build(),
        )
        .with_server_info(Implementation::new("yit", env!("CARGO_PKG_VERSION")))
        .with_instructions(
            "yit is the issue tracker of this git repository: one YAML file per issue in .issues/. \
             Find work with `ready`, take it with `claim` (atomic: if another agent holds it you are told who), \
             comment as you go, `close` when done. `list` and `search` take yit's query language \
             (resource yit://docs/query.md). Ids may be given as any unique prefix.",
        )
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        let tools = tools::TOOLS
            .iter()
            .map(|t| {
                let schema = match (t.schema)() {
                    serde_json::Value::Object(map) => map,
                    _ => JsonObject::default(),
                };
                Tool::new(t.name, t.description, Arc::new(schema))
                    .with_annotations(ToolAnnotations::new().read_only(t.read_only))
            })
            .collect();
        Ok(ListToolsResult::with_all_items(tools))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        self.call(&request.name, request.arguments)
            .await
            .map(Into::into)
    }

    async fn list_resources(
        &self,
        request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, ErrorData> {
        let start: usize = match request.and_then(|r| r.cursor) {
            Some(cursor) => cursor.parse().map_err(|_| {
                ErrorData::invalid_params(format!("cursor {cursor:?} is not one of yit's"), None)
            })?,
            None => 0,
        };
        let listed = self
            .front
            .run_blocking(self.live.version(), move |ctx| {
                let mut query = yit::query::ListQuery {
                    all: true,
                    sort: yit::query::SortKey::Id,
                    ..yit::query::ListQuery::default()
                };
                query.limit = Some(start + PAGE + 1);
                let mut answers = yit::ops::Answers::default();
                let mode = ctx.mode;
                let result = ctx.session().list(&query, mode, &mut answers)?;
                Ok(result
                    .records
                    .iter()
                    .skip(start)
                    .map(|r| {
                        (
                            r.id.to_string(),
                            r.short_id.to_string(),
                            r.title.to_string(),
                            r.status.to_string(),
                        )
                    })
                    .collect::<Vec<_>>())
            })
            .await
            .map_err(|e| protocol_error(&e))?;
        let more = listed.len() > PAGE;
        let mut resources = Vec::new();
        if start == 0 {
            resources.push(
                Resource::new(CONFIG_URI, "config.yaml")
                    .with_description(
                        "The tracker's configuration: statuses, types, labels, priorities",
                    )
                    .with_mime_type("application/yaml"),
            );
            resources.push(
                Resource::new(QUERY_URI, "query.md")
                    .with_description(
                        "yit's query language, taken by the list, search, ready and blocked tools",
                    )
                    .with_mime_type("text/markdown"),
            );
        }
        for (id, short, title, status) in listed.into_iter().take(PAGE) {
            resources.push(
                Resource::new(format!("{ISSUE_URI}{id}"), format!("{short} {title}"))
                    .with_description(format!("issue {short} ({status})"))
                    .with_mime_type("application/json"),
            );
        }
        let mut result = ListResourcesResult::with_all_items(resources);
        if more {
            result.next_cursor = Some((start + PAGE).to_string());
        }
        Ok(result)
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        let uri = request.uri;
        let (text, mime) = if uri == QUERY_URI {
            (QUERY_DOC.to_owned(), "text/markdown")
        } else if uri == CONFIG_URI {
            let text = self
                .front
                .run_blocking(0, |ctx| {
                    let path = ctx.tracker.issues_dir().join(yit::store::CONFIG_FILE);
                    std::fs::read_to_string(&path).map_err(CommandError::file(
                        ErrorKind::Internal,
                        "cannot read",
                        &path,
                    ))
                })
                .await
                .map_err(|e| protocol_error(&e))?;
            (text, "application/yaml")
        } else {
            let input = issue_input(&uri)
                .map_err(|e| protocol_error(&e))?
                .to_owned();
            let value = self
                .front
                .run_blocking(self.live.version(), move |ctx| shown(ctx, &input))
                .await
                .map_err(|e| protocol_error(&e))?;
            (envelope(value).to_string(), "application/json")
        };
        let contents = ResourceContents::text(text, uri).with_mime_type(mime);
        Ok(ReadResourceResult::new(vec![contents]).into())
    }

    async fn subscribe(
        &self,
        request: SubscribeRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        let subject = self
            .subject(&request.uri)
            .await
            .map_err(|e| protocol_error(&e))?;
        let mut subscribed = self.subscribed.lock().unwrap_or_else(|e| e.into_inner());
        subscribed.uris.insert(subject, request.uri);
        subscribed.peer = Some(context.peer);
        Ok(())
    }

    async fn unsubscribe(
        &self,
        request: UnsubscribeRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        let mut subscribed = self.subscribed.lock().unwrap_or_else(|e| e.into_inner());
        subscribed.uris.retain(|_, uri| *uri != request.uri);
        Ok(())
    }
}

/// The id or prefix an issue's URI holds.
fn issue_input(uri: &str) -> Result<&str, CommandError> {
    uri.strip_prefix(ISSUE_URI).ok_or_else(|| {
        CommandError::new(
            ErrorKind::NotFound,
            format!("no resource {uri:?}: yit's are {CONFIG_URI}, {QUERY_URI} and {ISSUE_URI}ID"),
        )
    })
}

/// Serves on stdin and stdout until the client closes them, SIGINT,
/// SIGTERM or the lifeline.
pub fn serve(options: Options) -> Result<(), CommandError> {
    let front = Arc::new(Front::start(options)?);
    let runtime = runtime("yit-mcp")?;
    let watch = Watch::start(front.issues_dir())?;
    let server = Server {
        front,
        live: watch.live(),
        subscribed: Arc::default(),
    };
    let served = runtime.block_on(async move {
        let stopping = Stopping::new()?;
        let notifier = tokio::spawn(server.clone().notify());
        let renewer = tokio::spawn(server.clone().renew_leases());
        let ending = server.clone();
        let (transport, framing) = framed_stdio();
        let result = match server.serve(transport).await {
            Ok(running) => {
                let token = running.cancellation_token();
                let stopper = tokio::spawn(async move {
                    stopping.wait().await;
                    token.cancel();
                });
                let quit = running.waiting().await;
                stopper.abort();
                quit.map(drop).map_err(|e| {
                    CommandError::new(ErrorKind::Internal, "the MCP session failed").because(&e)
                })
            }
            Err(e) => Err(CommandError::new(
                ErrorKind::Internal,
                "the MCP session could not start",
            )
            .because(&e)),
        };
        notifier.abort();
        renewer.abort();
        ending.release_leases().await;
        // the last answers out; a reader still blocked on stdin (a stop by
        // signal) is not waited for
        let writer = framing.abort_handle();
        if tokio::time::timeout(Duration::from_millis(500), framing)
            .await
            .is_err()
        {
            writer.abort();
        }
        result
    });
    watch.stop();
    // stdin's reader may still be blocked in a read: not waited for
    runtime.shutdown_timeout(Duration::from_millis(500));
    served
}

/// The longest line of stdin read (a message holds at most an issue of
/// `max_file_size`, its JSON escaping, and its arguments); past it the
/// line is skipped unbuffered and answered with an error, where the SDK
/// (16 MiB) would drop it silently.
const LINE_LIMIT: usize = 8 << 20;

/// What the guard does with one line of stdin.
#[derive(Debug, PartialEq)]
enum Line {
    /// A message for the SDK.
    Pass,
    /// Nothing (a blank line).
    Skip,
    /// An error to answer, the message not passed on.
    Refuse(serde_json::Value),
}

/// A JSON-RPC error answer (`id` null when the message had none).
fn rpc_error(id: serde_json::Value, code: i64, message: &str) -> serde_json::Value {
    serde_json::json!({ "jsonrpc": "2.0", "id": id, "error": { "code": code, "message": message } })
}

/// Checks one line of stdin: JSON, UTF-8, one JSON-RPC message (a batch
/// is refused, as MCP has no batches), and before the session is
/// initialized nothing but the `initialize` request (the SDK would end
/// the session on anything else).
fn check_line(line: &[u8], initialized: &mut bool) -> Line {
    use serde_json::Value;
    if line.iter().all(u8::is_ascii_whitespace) {
        return Line::Skip;
    }
    let Ok(text) = std::str::from_utf8(line) else {
        return Line::Refuse(rpc_error(
            Value::Null,
            -32700,
            "parse error: a message is UTF-8 text",
        ));
    };
    let message = match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(message)) => message,
        Ok(_) | Err(_) => {
            return Line::Refuse(rpc_error(
                Value::Null,
                -32700,
                "parse error: a message is one JSON object per line",
            ));
        }
    };
    // an id is a string or a number; any other is not one to answer with
    let id = match message.get("id") {
        Some(id @ (Value::String(_) | Value::Number(_))) => Some(id.clone()),
        _ => None,
    };
    let answer_to = id.clone().unwrap_or(Value::Null);
    let method = message.get("method").and_then(Value::as_str);
    let shaped = message.get("jsonrpc") == Some(&Value::String("2.0".into()))
        && match method {
            Some(_) => message.get("id").is_none() || id.is_some(),
            None => {
                id.is_some() && (message.contains_key("result") || message.contains_key("error"))
            }
        };
    if !shaped {
        return Line::Refuse(rpc_error(
            answer_to,
            -32600,
            "invalid request: not a JSON-RPC 2.0 request, notification or response",
        ));
    }
    if !*initialized {
        if method != Some("initialize") || id.is_none() {
            return Line::Refuse(rpc_error(
                answer_to,
                -32600,
                "invalid request: the session starts with the initialize request",
            ));
        }
        *initialized = true;
    }
    Line::Pass
}

/// The next line of `input` (without its newline) in `line`, at most
/// [`LINE_LIMIT`] bytes of it kept: `Ok(None)` at the end of input,
/// `Ok(Some(false))` for a line past the limit (the rest of it read and
/// dropped).
async fn read_line(
    input: &mut (impl tokio::io::AsyncBufRead + Unpin),
    line: &mut Vec<u8>,
) -> std::io::Result<Option<bool>> {
    use tokio::io::AsyncBufReadExt;
    line.clear();
    let mut whole = true;
    loop {
        let buffer = input.fill_buf().await?;
        if buffer.is_empty() {
            return Ok((!line.is_empty() || !whole).then_some(whole));
        }
        let (chunk, done) = match memchr::memchr(b'\n', buffer) {
            Some(end) => (&buffer[..end], Some(end + 1)),
            None => (buffer, None),
        };
        if whole && line.len() + chunk.len() <= LINE_LIMIT {
            line.extend_from_slice(chunk);
        } else {
            whole = false;
            line.clear();
        }
        let used = done.unwrap_or(buffer.len());
        input.consume(used);
        if done.is_some() {
            return Ok(Some(whole));
        }
    }
}

/// The server's side of stdio, behind a guard of the framing
/// ([`check_line`], [`read_line`]): each line of stdin that is not one
/// JSON-RPC message, or too long, or early, gets a JSON-RPC error on
/// stdout and the server goes on; every other line is the SDK's. One task
/// writes stdout, so answers and errors never interleave, and an error
/// the SDK writes without an `id` gets `"id": null`.
fn framed_stdio() -> (
    (tokio::io::DuplexStream, tokio::io::DuplexStream),
    tokio::task::JoinHandle<()>,
) {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    const BUFFER: usize = 1 << 20;
    let (server_in, mut feed) = tokio::io::duplex(BUFFER);
    let (server_out, drain) = tokio::io::duplex(BUFFER);
    let (out_tx, mut out_rx) = tokio::sync::mpsc::unbounded_channel::<String>();
    let reader = {
        let out_tx = out_tx.clone();
        async move {
            let mut input = BufReader::new(tokio::io::stdin());
            let (mut line, mut initialized) = (Vec::new(), false);
            while let Ok(Some(whole)) = read_line(&mut input, &mut line).await {
                let checked = if whole {
                    check_line(&line, &mut initialized)
                } else {
                    Line::Refuse(rpc_error(
                        serde_json::Value::Null,
                        -32600,
                        &format!("invalid request: a message is at most {LINE_LIMIT} bytes"),
                    ))
                };
                match checked {
                    Line::Skip => {}
                    Line::Refuse(error) => {
                        let _ = out_tx.send(error.to_string());
                    }
                    Line::Pass => {
                        if feed.write_all(&line).await.is_err()
                            || feed.write_all(b"\n").await.is_err()
                        {
                            break;
                        }
                    }
                }
            }
            // end of input: the SDK sees it and ends the session
            let _ = feed.shutdown().await;
        }
    };
    let answers = async move {
        let mut lines = BufReader::new(drain).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            if out_tx.send(with_id(line)).is_err() {
                break;
            }
        }
    };
    let writer = async move {
        let mut stdout = tokio::io::stdout();
        while let Some(line) = out_rx.recv().await {
            if stdout.write_all(line.as_bytes()).await.is_err()
                || stdout.write_all(b"\n").await.is_err()
                || stdout.flush().await.is_err()
            {
                break;
            }
        }
    };
    let task = tokio::spawn(async move {
        tokio::join!(reader, answers, writer);
    });
    ((server_in, server_out), task)
}

/// An error answer of the SDK's, with `"id": null` when it has no id (as
/// JSON-RPC asks).
fn with_id(line: String) -> String {
    if !line.contains("\"error\"") {
        return line;
    }
    match serde_json::from_str::<serde_json::Value>(&line) {
        Ok(serde_json::Value::Object(mut answer))
            if answer.contains_key("error") && !answer.contains_key("id") =>
        {
            answer.insert("id".into(), serde_json::Value::Null);
            serde_json::Value::Object(answer).to_string()
        }
        _ => line,
    }
}

/// The MCP clients `--print-config` knows, by the name it takes.
pub const CLIENTS: [&str; 4] = ["claude-code", "cursor", "vscode", "claude-desktop"];

/// The configuration that adds this server to `client` (one of
/// [`CLIENTS`]), as the JSON of its file. The files a team commits
/// (Claude Code's `.mcp.json`, Cursor's and VS Code's) name `yit` on PATH
/// and the project the client opened, so they work from any clone; Claude
/// Desktop's per-user file needs this binary's and this worktree's
/// absolute paths, since it starts servers outside any project.
pub fn client_json(
    client: &str,
    exe: &std::path::Path,
    root: &std::path::Path,
) -> serde_json::Value {
    use serde_json::json;
    match client {
        // started in the directory Claude Code runs in, inside the project
        "claude-code" => json!({ "mcpServers": { "yit": { "command": "yit", "args": ["mcp"] } } }),
        "cursor" => json!({ "mcpServers": { "yit": {
            "command": "yit", "args": ["mcp", "-C", "${workspaceFolder}"] } } }),
        "vscode" => json!({ "servers": { "yit": {
            "type": "stdio", "command": "yit", "args": ["mcp", "-C", "${workspaceFolder}"] } } }),
        _ => {
            let name = root
                .file_name()
                .map(|n| format!("yit-{}", n.to_string_lossy()))
                .unwrap_or_else(|| "yit".to_owned());
            json!({ "mcpServers": { name: { "command": exe, "args": ["mcp", "-C", root] } } })
        }
    }
}

/// Every client's configuration, each under the file it goes in.
pub fn client_config(exe: &std::path::Path, root: &std::path::Path) -> String {
    let pretty = |client: &str| {
        serde_json::to_string_pretty(&client_json(client, exe, root)).unwrap_or_default()
    };
    format!(
        "# Files to commit: they work from any clone, for whoever has `yit` on PATH.\n\n\
         # Claude Code: .mcp.json at the top of the repository\n\
         # (or run: claude mcp add --scope project yit -- yit mcp)\n{}\n\n\
         # Cursor: .cursor/mcp.json\n{}\n\n\
         # VS Code: .vscode/mcp.json\n{}\n\n\
         # Per-user settings need absolute paths: Claude Desktop starts servers outside\n\
         # any project and without your shell's PATH, so it is given this binary and\n\
         # this worktree.\n\n\
         # Claude Desktop: claude_desktop_config.json\n{}\n\n\
         # `yit mcp --print-config CLIENT` prints one of these alone ({}).\n\
         # To act as an agent of its own: add \"--as\", \"Name <email>\" to the args.\n",
        pretty("claude-code"),
        pretty("cursor"),
        pretty("vscode"),
        pretty("claude-desktop"),
        CLIENTS.join(", "),
    )
}
