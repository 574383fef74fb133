//! `tazan lesson template` and `tazan incident template`: the files in
//! `examples/`, printed from the binary, to start a file from.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};

/// `tazan lesson template`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  tazan lesson template > my-lesson.toml          # every field, commented
  tazan lesson template --format json > my-lesson.json
  tazan lesson publish my-lesson.toml --home ~/acme

The README's \"Lesson files\" section describes each field and its type.")]
pub(crate) struct LessonTemplateArgs {
    /// TOML (commented) or JSON.
    #[arg(long, value_enum, default_value_t = LessonFormat::Toml)]
    format: LessonFormat,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum LessonFormat {
    Toml,
    Json,
}

/// `tazan incident template`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  tazan incident template > incident.json                       # one incident, every field
  tazan incident template --format jsonl > incidents.jsonl
  tazan incident template --format csv > incidents.csv          # English column names, UTF-8
  tazan incident template --format csv-sjis > incidents.csv     # Japanese column names, Shift_JIS
  tazan incident import incidents.csv --home ~/acme

The README's \"Incident files\" section describes each field, its type and its Japanese names.")]
pub(crate) struct IncidentTemplateArgs {
    /// json (one incident, every field), jsonl, csv (UTF-8, English column names) or
    /// csv-sjis (Shift_JIS, Japanese column names, as Excel saves it).
    #[arg(long, default_value = "json", value_parser = ["json", "jsonl", "csv", "csv-sjis"])]
    format: String,
}

pub(super) fn lesson(args: LessonTemplateArgs) -> Result<ExitCode> {
    let text = match args.format {
        LessonFormat::Toml => tazan::examples::LESSON_TOML,
        LessonFormat::Json => tazan::examples::LESSON_JSON,
    };
    print_bytes(text.as_bytes())
}

pub(super) fn incident(args: IncidentTemplateArgs) -> Result<ExitCode> {
    let (_, bytes) = tazan::examples::incident_template(&args.format).with_context(|| {
        format!(
            "--format {}: expected json, jsonl, csv or csv-sjis",
            args.format
        )
    })?;
    print_bytes(bytes)
}

fn print_bytes(bytes: &[u8]) -> Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    out.write_all(bytes)
        .and_then(|()| out.flush())
        .context("writing the template to stdout")?;
    Ok(ExitCode::SUCCESS)
}
