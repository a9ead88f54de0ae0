//! `yit config`: print the effective configuration.

use clap::Args;

use super::{CommandError, Ctx, Format};

/// Print the effective configuration (config.yaml with defaults filled in)
///
/// Examples:
///   yit config
///   yit config --json | jq '.statuses'
#[derive(Args)]
#[command(verbatim_doc_comment)]
pub struct ConfigArgs {}

pub fn cmd_config(ctx: &mut Ctx, _args: ConfigArgs) -> Result<(), CommandError> {
    let format = ctx.format(
        "config",
        &[Format::Table, Format::Yaml, Format::Json],
        Format::Yaml,
    )?;
    let tracker = ctx.open_tracker()?;
    let config = tracker.config();
    if format == Format::Json {
        let value = super::output::envelope(serde_json::json!({ "config": config }));
        return Ok(ctx.out.json(&value)?);
    }
    let text = yit::model::yaml::to_string(config)
        .map_err(|e| CommandError::new(super::ErrorKind::Internal, e.to_string()))?;
    ctx.out.write_str(&text)?;
    Ok(())
}
