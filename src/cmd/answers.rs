//! `tazan feedback …` and `tazan question …`: readers answer. Arguments in,
//! one [`tazan_node::Desk`] call, output; the rules live in tazan-node.

use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use tazan_model::FeedbackKind;

use super::review::{desk, print_publication};
use crate::cli::HomeArg;

/// `tazan feedback`.
#[derive(Debug, Subcommand)]
pub(crate) enum FeedbackCmd {
    /// Tell the group a received lesson applies to you, that you adopted its countermeasure, or
    /// that it worked.
    #[command(after_help = "Examples:
  tazan feedback send 3f2a9c01 --kind applies --home ~/acme
  tazan feedback send 3f2a9c01 --kind adopted --comment \"月次の切替え訓練を始めた\" --home ~/acme

KIND is applies (当社にも当てはまる), adopted (対策を採用した) or effective (効果があった).
The comment (at most 400 characters) is read by every receiver of the lesson, so the leak
gate checks it: no names, phone numbers, addresses or hosts. The hub relays it under a
pseudonym: nobody outside this node learns which member sent it. Counts by kind are shown
only once 3 organisations sent feedback.")]
    Send(SendArgs),
    /// What readers said about a lesson: counts (from 3 organisations up), comments, questions.
    #[command(after_help = "Example:\n  tazan feedback show 3f2a9c01 --home ~/acme")]
    Show(ShowArgs),
}

/// `tazan question`.
#[derive(Debug, Subcommand)]
pub(crate) enum QuestionCmd {
    /// Ask the (anonymous) publisher of a received lesson a question.
    #[command(after_help = "Example:
  tazan question ask 3f2a9c01 --text \"切替え訓練の頻度はどの程度ですか\" --home ~/acme

The hub relays it re-signed: the publisher does not learn who asked, and you do not learn who
published. The question passes the leak gate like a lesson's text.")]
    Ask(AskArgs),
    /// Answer a question about one of this node's lessons.
    #[command(after_help = "Example:
  tazan question answer 9b1c44d0 --text \"四半期に１回実施しています\" --home ~/acme

QUESTION is the question's id or a unique prefix (≥ 8 hex; see `tazan question list`).")]
    Answer(AnswerArgs),
    /// Questions in this node's library and their answers; `[yours]` marks those about this
    /// node's lessons.
    #[command(
        after_help = "Example:\n  tazan question list --home ~/acme\n  tazan question list --lesson 3f2a9c01 --json"
    )]
    List(ListArgs),
}

/// `tazan story`.
#[derive(Debug, Subcommand)]
pub(crate) enum StoryCmd {
    /// Append a case story to a received lesson: ケース (your situation) and 活用 (how you
    /// applied the lesson).
    #[command(after_help = "Example:
  tazan story add 3f2a9c01 --case \"夜間の切替えで同じ事象が起きかけた\" --applied \"切替え前に本番値を二人で照合する手順を加えた\" --home ~/acme

Both texts pass the leak gate (a person's name, a phone number, your company's name refuse it,
naming the finding). The hub relays it re-signed: nobody learns which member told it. Stories
show with the lesson (`tazan lessons show`, the portals' lesson pages).")]
    Add(StoryArgs),
}

#[derive(Debug, Args)]
pub(crate) struct StoryArgs {
    /// The lesson: its id or a unique prefix (≥ 8 hex).
    lesson: String,
    /// ケース: the situation (at most 2000 characters).
    #[arg(long)]
    case: String,
    /// 活用: how the lesson was applied (at most 2000 characters).
    #[arg(long)]
    applied: String,
    #[command(flatten)]
    home: HomeArg,
    /// JSON output.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
pub(crate) struct SendArgs {
    /// The lesson: its id or a unique prefix (≥ 8 hex).
    lesson: String,
    /// applies, adopted or effective.
    #[arg(long)]
    kind: String,
    /// A short comment (at most 400 characters).
    #[arg(long, default_value = "")]
    comment: String,
    #[command(flatten)]
    home: HomeArg,
    /// JSON output.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
pub(crate) struct ShowArgs {
    /// The lesson: its id or a unique prefix (≥ 8 hex).
    lesson: String,
    #[command(flatten)]
    home: HomeArg,
    /// JSON output.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
pub(crate) struct AskArgs {
    /// The lesson: its id or a unique prefix (≥ 8 hex).
    lesson: String,
    /// The question (at most 1000 characters).
    #[arg(long)]
    text: String,
    #[command(flatten)]
    home: HomeArg,
    /// JSON output.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
pub(crate) struct AnswerArgs {
    /// The question: its id or a unique prefix (≥ 8 hex).
    question: String,
    /// The answer (at most 1000 characters).
    #[arg(long)]
    text: String,
    #[command(flatten)]
    home: HomeArg,
    /// JSON output.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
pub(crate) struct ListArgs {
    /// Only questions about this lesson (id or unique prefix).
    #[arg(long)]
    lesson: Option<String>,
    #[command(flatten)]
    home: HomeArg,
    /// JSON output.
    #[arg(long)]
    json: bool,
}

pub(crate) async fn feedback(cmd: FeedbackCmd) -> Result<ExitCode> {
    match cmd {
        FeedbackCmd::Send(a) => {
            let kind: FeedbackKind = a.kind.parse().context("--kind")?;
            let p = desk(a.home.home)?
                .send_feedback(&a.lesson, kind, &a.comment)
                .await?;
            Ok(print_publication(&p, a.json))
        }
        FeedbackCmd::Show(a) => {
            let r = desk(a.home.home)?.responses(&a.lesson).await?;
            if a.json {
                println!("{}", serde_json::to_string_pretty(&r)?);
                return Ok(ExitCode::SUCCESS);
            }
            println!("{}  {}", r.lesson, r.title);
            println!("feedback: {}", r.responses.feedback);
            for (kind, comment) in &r.responses.comments {
                println!("  [{}] {comment}", kind.label());
            }
            for q in &r.responses.questions {
                print_thread(q);
            }
            print_stories(&r.responses.stories);
            Ok(ExitCode::SUCCESS)
        }
    }
}

pub(crate) async fn story(cmd: StoryCmd) -> Result<ExitCode> {
    match cmd {
        StoryCmd::Add(a) => {
            let p = desk(a.home.home)?
                .tell_story(&a.lesson, &a.case, &a.applied)
                .await?;
            Ok(print_publication(&p, a.json))
        }
    }
}

/// The case stories of a lesson, oldest first (no author: none travels).
pub(crate) fn print_stories(stories: &[tazan_model::CaseStory]) {
    for (i, s) in stories.iter().enumerate() {
        println!("  ケース {}: {}", i + 1, s.case);
        println!("    活用: {}", s.applied);
    }
}

pub(crate) async fn question(cmd: QuestionCmd) -> Result<ExitCode> {
    match cmd {
        QuestionCmd::Ask(a) => {
            let p = desk(a.home.home)?.ask(&a.lesson, &a.text).await?;
            Ok(print_publication(&p, a.json))
        }
        QuestionCmd::Answer(a) => {
            let p = desk(a.home.home)?.answer(&a.question, &a.text).await?;
            Ok(print_publication(&p, a.json))
        }
        QuestionCmd::List(a) => {
            let all = desk(a.home.home)?.questions(a.lesson.as_deref()).await?;
            if a.json {
                println!("{}", serde_json::to_string_pretty(&all)?);
                return Ok(ExitCode::SUCCESS);
            }
            if all.is_empty() {
                println!("(no questions in this node's library)");
            }
            for q in &all {
                let mark = if q.ours { "  [yours]" } else { "" };
                println!("lesson {}  {}{mark}", q.lesson.short(), q.title);
                print_thread(&q.thread);
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn print_thread(q: &tazan_model::QuestionThread) {
    println!("  Q {}  {}", q.id, q.text);
    if q.answers.is_empty() {
        println!("    (not answered yet)");
    }
    for (text, _) in &q.answers {
        println!("    A  {text}");
    }
}
