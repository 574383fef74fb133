//! Command-line arguments.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use tracing_subscriber::EnvFilter;

/// tazan — share lessons from IT system failures (他山の石): org node → group hub → cross-industry hub.
#[derive(Debug, Parser)]
#[command(name = "tazan", version, propagate_version = true)]
#[command(
    after_help = "Start with `tazan demo`. Every command that keeps local state takes --home DIR \
(default $TAZAN_HOME, else ~/.local/share/tazan)."
)]
pub(crate) struct Cli {
    /// Log format on stderr.
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text)]
    pub(crate) log_format: LogFormat,
    /// More logging (-v info, -vv debug); RUST_LOG overrides.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub(crate) verbose: u8,
    #[command(subcommand)]
    pub(crate) command: Command,
}

impl Command {
    /// Whether this command runs hubs, nodes or their stores for long (the
    /// services, the demo, the federation benches): those turn transparent
    /// huge pages off (see `procs::disable_huge_pages`). One-shot work such
    /// as `sanitize` keeps them: its dictionary and automata are large tables
    /// read at random, which run faster with 2 MiB pages.
    pub(crate) fn serves(&self) -> bool {
        matches!(
            self,
            Command::Hub(HubCmd::Serve { .. })
                | Command::Node(NodeCmd::Serve { .. })
                | Command::Demo { .. }
                | Command::Up(_)
                | Command::Bench(
                    BenchCmd::Federation { .. }
                        | BenchCmd::Soak { .. }
                        | BenchCmd::Scale { .. }
                        | BenchCmd::Backup { .. }
                        | BenchCmd::Portal { .. }
                )
        )
    }
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Run a whole federation on 127.0.0.1 and show who receives what.
    #[command(
        after_help = "Example:\n  tazan demo\n  tazan demo --keep /tmp/tazan-demo   # keep the generated PKI, configs and data"
    )]
    Demo {
        /// Keep the generated topology in DIR instead of a temporary directory.
        #[arg(long, value_name = "DIR")]
        keep: Option<PathBuf>,
        /// After the walkthrough, keep the federation running with a web portal on every hub and
        /// node; print their URLs and a login for each role; stop with Ctrl-C.
        #[arg(long)]
        serve: bool,
    },
    /// Run or inspect a hub (group or cross-industry tier, chosen by its config).
    #[command(subcommand)]
    Hub(HubCmd),
    /// People who log in to a hub's or node's web portal.
    #[command(subcommand)]
    User(crate::cmd::users::UserCmd),
    /// Run an org node.
    #[command(subcommand)]
    Node(NodeCmd),
    /// Signing keys (ed25519).
    #[command(subcommand)]
    Keys(KeysCmd),
    /// Certificate authority and certificates for mutual TLS.
    #[command(subcommand)]
    Pki(PkiCmd),
    /// Group rosters: who may publish, with which keys and TLS identities.
    #[command(subcommand)]
    Roster(RosterCmd),
    /// The group's NDA policy as a signed, versioned document (admin: sign, publish, withdraw;
    /// node: fetch; both: show, status).
    #[command(subcommand)]
    Policy(crate::cmd::policy::PolicyCmd),
    /// Lessons published by this node.
    #[command(subcommand)]
    Lesson(LessonCmd),
    /// Lessons received by this node.
    #[command(subcommand)]
    Lessons(LessonsCmd),
    /// Feedback on a received lesson: applies / adopted / effective, and what readers said.
    #[command(subcommand)]
    Feedback(crate::cmd::answers::FeedbackCmd),
    /// A hub editor's curated collections: create, add, remove, reorder, describe, publish.
    #[command(subcommand)]
    Collection(crate::cmd::editorial::CollectionCmd),
    /// Curated collections this node received from its hubs.
    #[command(subcommand)]
    Collections(crate::cmd::editorial::CollectionsCmd),
    /// Press-reported failures: public cases at a hub, the half-yearly table by cause.
    #[command(subcommand)]
    Press(crate::cmd::editorial::PressCmd),
    /// The hub's newsletter by e-mail: who is subscribed, and sending an issue.
    #[command(subcommand)]
    Newsletter(crate::cmd::newsletter::NewsletterCmd),
    /// Case stories on a received lesson: ケース (the situation) and 活用 (how it was applied).
    #[command(subcommand)]
    Story(crate::cmd::answers::StoryCmd),
    /// Questions to a lesson's anonymous publisher, and its answers.
    #[command(subcommand)]
    Question(crate::cmd::answers::QuestionCmd),
    /// Print the hub's log as this node sees it, optionally following new entries.
    #[command(
        after_help = "Example:\n  tazan subscribe --home ~/acme --follow\n  tazan subscribe --home ~/acme --after 120 --json"
    )]
    Subscribe(SubscribeArgs),
    /// Write a ready topology (PKI, keys, rosters, configs) to a directory.
    #[command(
        after_help = "Example:\n  tazan topology create --dir ./fed --cross-port 7400 --group-port 7401\n  tazan hub serve --config ./fed/cross/hub.toml"
    )]
    #[command(subcommand)]
    Topology(TopologyCmd),
    /// Raw incidents, local to this node (they never leave it).
    #[command(subcommand)]
    Incident(IncidentCmd),
    /// Search the node's library and imported catalogues (Japanese full text).
    #[command(
        after_help = "Example:\n  tazan search \"夜間バッチが二重に起動した\" --home ~/acme\n  tazan search \"切替え 失敗\" --cause ハードウェア障害 --json --limit 5\n  tazan search --purpose 運用手順 --home ~/acme                  # browse a purpose\n\nThe text output first says which usage purpose the query reads as (`tazan scenes route`)."
    )]
    Search(SearchArgs),
    /// Lesson catalogues: JSON Lines of id, domain, theme, title, summary, cases.
    #[command(subcommand)]
    Catalog(CatalogCmd),
    /// Usage scenes (活用シーン): the guidebook's seven purposes and the scenes under each.
    #[command(subcommand)]
    Scenes(ScenesCmd),
    /// Counts by cause, industry, period, stage, domain, threat, usage purpose and scene, impact
    /// kind and outage duration, with the shares of human error and overload and the month
    /// average (a node's library; with --hub-config everything a hub holds; with --vault the
    /// company's own incidents). Counts under 3 are shown as `*`.
    #[command(
        after_help = "Examples:\n  tazan trends --home ~/acme --format svg > trends.svg\n  tazan trends --hub-config fed/finance/hub.toml --format json   # hub running or not\n  tazan trends --vault --home ~/acme --period month             # own incidents, exact counts\n\nLibrary and hub counts under 3 are suppressed (shown as `*`, `null` in JSON), with as many\nothers as it takes so that no total gives one back. Vault counts are exact: they are the\ncompany's own record, computed on its node and never sent."
    )]
    Trends {
        #[command(flatten)]
        home: HomeArg,
        /// Count at the hub with this config instead: its whole log, from its search index.
        #[arg(long, value_name = "FILE", conflicts_with = "home")]
        hub_config: Option<PathBuf>,
        /// Count the raw incidents in this node's vault instead (its own failure record).
        #[arg(long, conflicts_with = "hub_config")]
        vault: bool,
        /// Output format.
        #[arg(long, value_enum, default_value_t = TrendFormat::Text)]
        format: TrendFormat,
        /// Period buckets.
        #[arg(long, value_enum, default_value_t = Period::Half)]
        period: Period,
    },
    /// A digest of lessons received since DATE, with related older lessons (Markdown or HTML for a mailing list).
    #[command(
        after_help = "Examples:\n  tazan digest --since 2026-11-01 --home ~/acme --format html > digest.html\n  tazan digest --since 2026-11-01 --hub-config fed/cross/hub.toml"
    )]
    Digest {
        /// ISO 8601 date or time (2026-11-01, 2026-11-01T09:00:00Z).
        #[arg(long)]
        since: String,
        #[command(flatten)]
        home: HomeArg,
        /// Digest at the hub with this config instead: lessons it received since DATE.
        #[arg(long, value_name = "FILE", conflicts_with = "home")]
        hub_config: Option<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = DigestFormat::Markdown)]
        format: DigestFormat,
    },
    /// Anonymise incident records (JSON Lines, corpus schema) with the group's NDA policy.
    #[command(
        after_help = "Example:\n  tazan sanitize --input incidents.jsonl --output out.jsonl --level GREEN\n  tazan eval sanitize --output out.jsonl --annotations annotations.jsonl"
    )]
    Sanitize {
        /// Incident records, one JSON object per line.
        #[arg(long)]
        input: PathBuf,
        /// Where to write one sanitised record per input record.
        #[arg(long)]
        output: PathBuf,
        /// Policy TOML (default: the shipped policy).
        #[arg(long)]
        policy: Option<PathBuf>,
        /// Disclosure level whose rules apply (AMBER, GREEN, CLEAR).
        #[arg(long, default_value = "GREEN")]
        level: String,
        /// Worker threads (0: one per core); the output is the same for any count.
        #[arg(long, default_value_t = 0)]
        threads: usize,
        /// Print the run's summary as JSON on stdout.
        #[arg(long)]
        json: bool,
    },
    /// Quality evaluations (figures in BENCHMARKS.md).
    #[command(subcommand)]
    Eval(EvalCmd),
    /// Benchmarks that produce the figures in BENCHMARKS.md.
    #[command(subcommand)]
    Bench(BenchCmd),
    /// Start every service of a topology directory (deploy/local) as its own process.
    #[command(after_help = crate::cmd::ops::UP_HELP)]
    Up(crate::cmd::ops::UpArgs),
    /// Each service's state, health, log head, relay lag and outbox depth; exit 1 unless all are healthy.
    #[command(after_help = crate::cmd::ops::STATUS_HELP)]
    Status(crate::cmd::ops::StatusArgs),
    /// Restart one service of a topology directory (stop it if it runs, start it detached).
    #[command(after_help = crate::cmd::ops::RESTART_HELP)]
    Restart(crate::cmd::ops::RestartArgs),
    /// Stop every service started by `tazan up` and remove their pid files.
    #[command(after_help = crate::cmd::ops::DOWN_HELP)]
    Down(crate::cmd::ops::DownArgs),
    /// Back up a hub's or node's store (every sled tree) to one checked file; works while it runs.
    #[command(
        after_help = "Example:\n  tazan backup --config /var/lib/tazan/finance/hub.toml --out /backup/finance-2026-11-01.tzb\n  tazan backup --config ~/acme/node.toml --out acme.tzb --json\n\nKeys, certificates, configs and the roster are not in the file: back them up separately."
    )]
    Backup(BackupArgs),
    /// Restore a hub's or node's store from a backup file (the service must be stopped).
    #[command(
        after_help = "Example:\n  tazan restore --config /var/lib/tazan/finance/hub.toml --from /backup/finance-2026-11-01.tzb --force\n\nThe file is verified whole before anything is written; with --force the replaced data\ndirectory is kept as DATA.before-restore-UNIXTIME."
    )]
    Restore(RestoreArgs),
    /// Re-verify a hub's stored log, or a node's receipts, against the Merkle tree and signed checkpoints.
    #[command(subcommand)]
    Verify(VerifyCmd),
    /// Print a shell completion script.
    #[command(
        after_help = "Example:\n  tazan completions bash > /etc/bash_completion.d/tazan\n  tazan completions zsh > \"${fpath[1]}/_tazan\""
    )]
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum VerifyCmd {
    /// Re-verify a whole stored log (the service stopped): a hub home's every entry against
    /// the tree, the tree's root, the checkpoints kept and every envelope signature against
    /// the roster's key history; a node home's receipts and kept hub checkpoint.
    #[command(after_help = "Example:
  tazan verify log --home fed/finance
  tazan verify log --home fed/sakura-bank --json

Exit code 1 when anything is wrong; each problem names the entry or checkpoint.")]
    Log {
        #[command(flatten)]
        home: HomeArg,
        /// One JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Ask the hub whether every lesson this node holds a receipt for is still there,
    /// unchanged, in a log that extends the one the receipt was given for (node stopped).
    #[command(after_help = "Example:
  tazan verify receipts --home fed/sakura-bank

Exit code 1 when a receipt no longer holds.")]
    Receipts {
        #[command(flatten)]
        home: HomeArg,
        /// One JSON object.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum TopologyCmd {
    /// Create a cross hub, two group hubs and three org nodes in DIR (must not exist yet).
    #[command(
        after_help = "Example:\n  tazan topology create --dir ./fed --cross-port 7400 --group-port 7401\n  tazan hub serve --config ./fed/cross/hub.toml"
    )]
    Create {
        /// Output directory.
        #[arg(long)]
        dir: PathBuf,
        /// Cross hub port (its metrics: this + 1000).
        #[arg(long, default_value_t = 7400)]
        cross_port: u16,
        /// First group hub port; the next groups use the following ports (metrics: + 1000).
        #[arg(long, default_value_t = 7401)]
        group_port: u16,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum TrendFormat {
    Text,
    Csv,
    Svg,
    Json,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum DigestFormat {
    Markdown,
    Html,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum Period {
    Month,
    Half,
}

#[derive(Debug, Subcommand)]
pub(crate) enum ScenesCmd {
    /// The vocabulary: each purpose and its scenes, with how many lessons of the library serve
    /// each (counts under 3 shown as `*`).
    #[command(
        after_help = "Example:\n  tazan scenes list --home ~/acme\n  tazan search --purpose 運用手順 --home ~/acme      # browse one purpose"
    )]
    List {
        #[command(flatten)]
        home: HomeArg,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// Scenes proposed for a lesson file (TOML/JSON) or for each entry of a catalogue
    /// (.jsonl), each with the words or fields that led to it.
    #[command(
        after_help = "Example:\n  tazan scenes propose my-lesson.toml\n  tazan scenes propose lessons.jsonl --json"
    )]
    Propose {
        /// A lesson file, or a catalogue in JSON Lines.
        file: PathBuf,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// The purpose a reader's situation (words or a paragraph) is routed to, and why.
    #[command(
        after_help = "Example:\n  tazan scenes route \"新人研修で使える障害事例を探している\""
    )]
    Route {
        /// The situation.
        text: String,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
pub(crate) struct SearchArgs {
    /// What you are looking for: words or a paragraph describing your situation (may be empty
    /// with filters, to browse).
    #[arg(default_value = "")]
    pub(crate) query: String,
    #[command(flatten)]
    pub(crate) home: HomeArg,
    /// Most hits to show.
    #[arg(long, default_value_t = 10)]
    pub(crate) limit: usize,
    /// Only these levels.
    #[arg(long = "level")]
    pub(crate) levels: Vec<String>,
    /// Only these industries.
    #[arg(long = "industry")]
    pub(crate) industries: Vec<String>,
    /// Only this domain (governance or technical).
    #[arg(long)]
    pub(crate) domain: Option<String>,
    /// Only these direct cause categories.
    #[arg(long = "cause")]
    pub(crate) causes: Vec<String>,
    /// Only these usage scenes (`運用手順/監視と検知`, or the scene's name alone); see `tazan scenes list`.
    #[arg(long = "scene")]
    pub(crate) scenes: Vec<String>,
    /// Only lessons serving these purposes (社内教育, 組織・体制の整備, レビュー・試験項目,
    /// 調達時の指示・確認事項, 運用手順, 開発手順, 障害の根本原因の対策).
    #[arg(long = "purpose")]
    pub(crate) purposes: Vec<String>,
    /// Period from (2017, 2017-H2, 2017-Q3, 2017-07).
    #[arg(long)]
    pub(crate) from: Option<String>,
    /// Period to.
    #[arg(long)]
    pub(crate) to: Option<String>,
    /// JSON array of hits.
    #[arg(long)]
    pub(crate) json: bool,
    /// Ask the node's group hub (gRPC Search over its whole log) instead of the local library.
    #[arg(long)]
    pub(crate) hub: bool,
}

#[derive(Debug, Subcommand)]
pub(crate) enum CatalogCmd {
    /// Import a catalogue into the node's searchable library, or with --hub-config into a group
    /// hub's log, served to its members as CLEAR lessons (each entry's id becomes its `ref`).
    #[command(
        after_help = "Examples:\n  tazan catalog import lessons.jsonl --home ~/acme\n  tazan catalog import lessons.jsonl --hub-config fed/finance/hub.toml   # hub running or not\n\nBad lines are reported as FILE:LINE:FIELD: reason and the good ones are still imported\n(exit code 1 then); importing the same file again stores nothing twice."
    )]
    Import {
        /// JSON Lines file.
        file: PathBuf,
        #[command(flatten)]
        home: HomeArg,
        /// Import at the group hub with this config instead: the entries become lessons in its
        /// log, signed with its key (works while the hub runs, through its admin socket).
        #[arg(long, value_name = "FILE", conflicts_with = "home")]
        hub_config: Option<PathBuf>,
        /// A JSON summary on stdout.
        #[arg(long)]
        json: bool,
    },
    /// Publish a catalogue from this node: each entry becomes a lesson (the same conversion as
    /// `catalog import --hub-config`), passes the leak gate and is signed by this node.
    #[command(
        after_help = "Example:\n  tazan catalog publish lessons.jsonl --home ~/acme\n  tazan catalog publish lessons.jsonl --home ~/acme --level GREEN\n\nEvery entry is gated with the node's own names and policy; a bad line or any refused entry\nrefuses the whole file and nothing is signed. Publishing the same file again stores nothing twice."
    )]
    Publish {
        /// JSON Lines file.
        file: PathBuf,
        #[command(flatten)]
        home: HomeArg,
        /// CLEAR (public, the default) or GREEN.
        #[arg(long, default_value = "CLEAR")]
        level: String,
        /// A JSON array of the published entries on stdout.
        #[arg(long)]
        json: bool,
    },
    /// Write the imported catalogue back as JSON Lines.
    #[command(
        after_help = "Example:\n  tazan catalog export --home ~/acme --out catalog.jsonl\n\nThe lines come back exactly as imported (a re-imported id replaces its line)."
    )]
    Export {
        #[command(flatten)]
        home: HomeArg,
        /// Output file (default stdout).
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum EvalCmd {
    /// Score anonymisation against gold annotations: spans leaked per kind, records blocked, keep terms kept.
    #[command(
        after_help = "Examples:\n  tazan eval sanitize --incidents ../shared/corpus/incidents.jsonl --annotations ../shared/corpus/annotations.jsonl --level GREEN\n  tazan sanitize --input ../shared/corpus/incidents.jsonl --output out.jsonl --level GREEN\n  tazan eval sanitize --output out.jsonl --annotations ../shared/corpus/annotations.jsonl --json"
    )]
    Sanitize {
        /// Incident records to sanitise in-process and score (one step).
        #[arg(long, required_unless_present = "output", conflicts_with = "output")]
        incidents: Option<PathBuf>,
        /// Or: an output of `tazan sanitize` to score.
        #[arg(long)]
        output: Option<PathBuf>,
        /// Gold annotations (JSON Lines).
        #[arg(long)]
        annotations: PathBuf,
        /// Disclosure level whose rules apply, with --incidents (AMBER, GREEN, CLEAR) [default: GREEN].
        #[arg(long, conflicts_with = "output")]
        level: Option<String>,
        /// Policy TOML, with --incidents (default: the shipped policy).
        #[arg(long, conflicts_with = "output")]
        policy: Option<PathBuf>,
        /// Also list the leaked spans and lost keep terms, also in --json (raw text:
        /// development sets only; without it --json carries totals only).
        #[arg(long)]
        show_leaks: bool,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// Related lessons: what the lists a hub keeps (refreshed as lessons arrive) keep of the
    /// reference query run now (overlap@k, score ratio), nDCG@10 of similar texts, CPU time.
    #[command(
        after_help = "Example:\n  cargo run --release -- eval related --lessons 100000 --sample 300 \\\n    --catalog ../shared/corpus/lessons.jsonl \\\n    --scenarios crates/tazan-search/tests/fixtures/situations-dev.jsonl \\\n    --scenarios crates/tazan-search/tests/fixtures/situations-frozen.jsonl"
    )]
    Related {
        /// Synthetic lessons to index (0: catalogue only).
        #[arg(long, default_value_t = 100_000)]
        lessons: usize,
        /// Synthetic lessons whose neighbours are compared.
        #[arg(long, default_value_t = 300)]
        sample: usize,
        /// Synthetic lessons that arrive after the sample's lists were kept (default: as
        /// many as a list may fall behind before it is refreshed when read).
        #[arg(long, default_value_t = tazan_search::STALE_AFTER as usize)]
        newer: usize,
        /// Neighbours compared per lesson.
        #[arg(long, default_value_t = 5)]
        k: usize,
        /// Seed of the synthetic lessons and the sample.
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Catalogue (JSON Lines): neighbours on real lesson text.
        #[arg(long)]
        catalog: Option<PathBuf>,
        /// Judged scenarios (JSON Lines, repeatable), run as raw incident texts; need --catalog.
        #[arg(long)]
        scenarios: Vec<PathBuf>,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// nDCG@10 and MAP of search for judged scenarios against a catalogue.
    #[command(
        after_help = "Example:\n  tazan eval search --catalog ../shared/corpus/lessons.jsonl --scenarios ../shared/corpus/scenarios.jsonl"
    )]
    Search {
        /// Catalogue (JSON Lines).
        #[arg(long)]
        catalog: PathBuf,
        /// Scenarios: query and relevant ids (JSON Lines).
        #[arg(long)]
        scenarios: PathBuf,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum HubCmd {
    /// Serve until SIGINT/SIGTERM.
    #[command(
        after_help = "Example:\n  tazan hub serve --config /etc/tazan/hub.toml\n  tazan hub serve --home /var/lib/tazan/finance   # uses HOME/hub.toml"
    )]
    Serve {
        /// Hub config (TOML); default HOME/hub.toml.
        #[arg(long)]
        config: Option<PathBuf>,
        #[command(flatten)]
        home: HomeArg,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum NodeCmd {
    /// Deliver the outbox and follow the hub until SIGINT/SIGTERM.
    #[command(
        after_help = "Example:\n  tazan node serve --config ~/acme/node.toml\n  tazan node serve --home ~/acme   # uses HOME/node.toml"
    )]
    Serve {
        /// Node config (TOML); default HOME/node.toml.
        #[arg(long)]
        config: Option<PathBuf>,
        #[command(flatten)]
        home: HomeArg,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum KeysCmd {
    /// Generate a signing key (file created 0600, never overwritten).
    #[command(
        after_help = "Example:\n  tazan keys generate --home ~/acme      # writes ~/acme/node.key\n  tazan keys generate --out admin.key"
    )]
    Generate {
        #[command(flatten)]
        home: HomeArg,
        /// Output file (default HOME/node.key).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Replace a node's (or hub's) signing key: a new key at the same path, the old one kept
    /// beside it, and a key announcement signed by both for the group admin.
    #[command(
        after_help = "Example:\n  tazan keys rotate --home ~/acme                          # node: ~/acme/node.key (stop the node first)\n  tazan keys rotate --key finance/hub.key --id finance-hub # a group hub's key (cross roster)\n\nThen the admin runs `tazan roster rotate --announcement FILE`; restart the service so it signs\nwith the new key. Lessons signed with the new key wait in the outbox until the roster lists it."
    )]
    Rotate {
        #[command(flatten)]
        home: HomeArg,
        /// The key file to rotate instead of HOME/node.key (needs --id).
        #[arg(long, requires = "id")]
        key: Option<PathBuf>,
        /// The member or hub id the key belongs to (default: the node's id from HOME/node.toml).
        #[arg(long)]
        id: Option<String>,
        /// Where to write the announcement (default KEY.rotation-NEWKEYID.json).
        #[arg(long)]
        out: Option<PathBuf>,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// Show a key's id and public key.
    #[command(after_help = "Example:\n  tazan keys show ~/acme/node.key --json")]
    Show {
        /// Key file.
        file: PathBuf,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum PkiCmd {
    /// Create a certificate authority (ca.pem, ca.key) in DIR.
    #[command(
        after_help = "Example:\n  tazan pki init --dir ./finance/ca --name \"finance group CA\""
    )]
    Init {
        /// Directory for ca.pem and ca.key.
        #[arg(long)]
        dir: PathBuf,
        /// The CA's common name.
        #[arg(long)]
        name: String,
    },
    /// Issue a certificate for a member or hub id (valid for client and server auth).
    #[command(
        after_help = "Example:\n  tazan pki issue --ca ./finance/ca --id acme-bank --out ./acme/tls --stem node"
    )]
    Issue {
        /// CA directory.
        #[arg(long)]
        ca: PathBuf,
        /// Member or hub id (the TLS identity).
        #[arg(long)]
        id: String,
        /// Output directory.
        #[arg(long)]
        out: PathBuf,
        /// File stem: STEM.pem and STEM.key.
        #[arg(long, default_value = "node")]
        stem: String,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum RosterCmd {
    /// Create an empty roster signed by the admin key.
    #[command(
        after_help = "Example:\n  tazan keys generate --out admin.key\n  tazan roster init --group finance-hub --admin-key admin.key --out roster.json"
    )]
    Init {
        /// The group's (hub's) id.
        #[arg(long)]
        group: String,
        /// Admin signing key.
        #[arg(long)]
        admin_key: PathBuf,
        /// Roster file to write.
        #[arg(long)]
        out: PathBuf,
    },
    /// Add a member and re-sign.
    #[command(
        after_help = "Example:\n  tazan roster add --roster roster.json --admin-key admin.key --id acme-bank \\\n      --name \"Acme Bank\" --role publisher --role subscriber \\\n      --key \"$(tazan keys show acme/node.key --json | jq -r .public_key)\""
    )]
    Add {
        #[command(flatten)]
        signer: RosterSigner,
        /// Member id (and TLS identity).
        #[arg(long)]
        id: String,
        /// Display name.
        #[arg(long)]
        name: String,
        /// The member's public key as 64 hex characters (see `tazan keys show`).
        #[arg(long)]
        key: String,
        /// Roles (publisher, subscriber, hub, admin).
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
    },
    /// Revoke a member and re-sign: a running hub is told at once and refuses its new lessons; earlier lessons stay.
    #[command(
        after_help = "Example:\n  tazan roster revoke --roster finance/roster.json --admin-key finance/admin.key --id acme-bank"
    )]
    Revoke {
        #[command(flatten)]
        signer: RosterSigner,
        /// Member id.
        #[arg(long)]
        id: String,
    },
    /// Apply a member's key announcement: add its new key, retire the old one after a grace period.
    #[command(
        after_help = "Example:\n  tazan roster rotate --roster finance/roster.json --admin-key finance/admin.key \\\n      --announcement node.key.rotation-ed25519-….json --grace 24h\n\nRefused unless the announcement is signed by a key the roster lists as current for that member."
    )]
    Rotate {
        #[command(flatten)]
        signer: RosterSigner,
        /// The announcement written by `tazan keys rotate`.
        #[arg(long)]
        announcement: PathBuf,
        /// How long the old key keeps signing after the rotation (e.g. 0, 3600, 30m, 24h, 7d).
        #[arg(long, default_value = "24h")]
        grace: String,
    },
    /// Revoke one signing key from a time on (a leaked key): entries received before it keep verifying.
    #[command(
        name = "revoke-key",
        after_help = "Example:\n  tazan roster revoke-key --roster finance/roster.json --admin-key finance/admin.key \\\n      --id acme-bank --key ed25519-0123456789abcdef --effective 2026-11-01T09:00:00Z"
    )]
    RevokeKey {
        #[command(flatten)]
        signer: RosterSigner,
        /// Member id.
        #[arg(long)]
        id: String,
        /// The key id (ed25519-…, see `tazan roster show`).
        #[arg(long)]
        key: String,
        /// From when its signatures are refused: ISO 8601 (2026-11-01, 2026-11-01T09:00:00Z) or unix seconds; default now.
        #[arg(long)]
        effective: Option<String>,
    },
    /// Show a roster after verifying its signature: a roster file, or the one
    /// a member's hub distributes (`--home NODE`).
    #[command(
        visible_alias = "list",
        after_help = "Examples:\n  tazan roster show --roster fed/finance/roster.json\n  tazan roster list --home fed/sakura-bank --json   # as the member's hub serves it"
    )]
    Show {
        /// Roster file (default: ask the hub of the node in --home).
        #[arg(long)]
        roster: Option<PathBuf>,
        #[command(flatten)]
        home: HomeArg,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
}

/// The roster file an edit re-signs, and the group admin's key that signs it.
#[derive(Debug, Args)]
pub(crate) struct RosterSigner {
    /// Roster file (replaced atomically, re-signed).
    #[arg(long)]
    pub(crate) roster: PathBuf,
    /// Admin signing key.
    #[arg(long)]
    pub(crate) admin_key: PathBuf,
    /// The hub serving this roster, told to reload it through its admin socket when it runs
    /// (default: the hub.toml beside the roster file, if it names this roster).
    #[arg(long, value_name = "FILE")]
    pub(crate) hub_config: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum LessonCmd {
    /// Draft a lesson from a vault incident for one level (sanitised with the node's policy).
    Draft(crate::cmd::review::DraftArgs),
    /// List the lesson drafts in the vault and their review status.
    Drafts(crate::cmd::review::ListArgs),
    /// Show a draft with every replacement and leak-gate finding marked (the gate runs again).
    Show(crate::cmd::review::ShowArgs),
    /// Edit a draft (--set FIELD=VALUE or $EDITOR); the leak gate runs again.
    Edit(crate::cmd::review::EditArgs),
    /// Put an original the sanitizer replaced back into a draft, with a recorded reason.
    Restore(crate::cmd::review::RestoreArgs),
    /// Coarsen one field of a draft that, with too few lessons sharing it, singles it out.
    Coarsen(crate::cmd::review::CoarsenArgs),
    /// Approve a draft: re-run the leak gate, check k-anonymity, record overrides, sign and queue it.
    Approve(crate::cmd::review::ApproveArgs),
    /// Sign a lesson (JSON or TOML) and queue it for the group hub, after the leak gate.
    Publish(crate::cmd::review::PublishArgs),
    /// Publish a corrected version of one of this node's lessons (it supersedes it).
    Correct(crate::cmd::review::CorrectArgs),
    /// Print a lesson file to start from: every field, commented (TOML) or as JSON.
    Template(crate::cmd::templates::LessonTemplateArgs),
    /// Withdraw one of this node's lessons (signed; travels as far as the lesson did).
    Withdraw(crate::cmd::review::WithdrawArgs),
    /// Everything this node signed: lessons, corrections, withdrawals.
    Published(crate::cmd::review::ListArgs),
}

#[derive(Debug, Subcommand)]
pub(crate) enum IncidentCmd {
    /// Import raw incidents (JSON, JSON Lines, CSV; UTF-8, UTF-16, Shift_JIS or EUC-JP) into the
    /// node's vault.
    Import(crate::cmd::incidents::ImportArgs),
    /// Print an incident file to start from, in any accepted format.
    Template(crate::cmd::templates::IncidentTemplateArgs),
    /// List the incidents in the vault.
    List(crate::cmd::incidents::ListArgs),
    /// Show one raw incident from the vault.
    Show(crate::cmd::incidents::ShowArgs),
    /// Edit an incident (--set FIELD=VALUE or $EDITOR); a bad edit changes nothing.
    Edit(crate::cmd::incidents::EditArgs),
    /// Peer lessons most likely to help with an incident, and why each matched; computed
    /// locally against the node's library: the incident text never leaves the node.
    #[command(
        after_help = "Example:\n  tazan incident similar INC-0042 --home ~/acme          # an incident in the vault\n  tazan incident similar incident.json --home ~/acme\n  tazan incident similar exports.jsonl --id INC-0042 --home ~/acme --json"
    )]
    Similar {
        /// A vault incident id, or an incident file: JSON, JSON Lines or CSV (UTF-8 or Shift_JIS).
        incident: String,
        /// Which record of the file (default: the first).
        #[arg(long)]
        id: Option<String>,
        #[command(flatten)]
        home: HomeArg,
        /// How many lessons.
        #[arg(long, default_value_t = 5)]
        limit: usize,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum LessonsCmd {
    /// Lessons related to one in the library (same ranking as `incident similar`).
    #[command(
        after_help = "Example:\n  tazan lessons related T7 --home ~/acme            # a catalogue reference\n  tazan lessons related 3f9c02e1 --home ~/acme --json   # 8+ characters of a lesson id (see `lessons list`)"
    )]
    Related {
        /// Lesson id (64 hex, or a unique prefix of at least 8) or catalogue reference (e.g. T7).
        id: String,
        #[command(flatten)]
        home: HomeArg,
        /// How many lessons.
        #[arg(long, default_value_t = 5)]
        limit: usize,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// Show one received lesson in full: 問題 / 原因 / 対策 / 教訓, classification, where it came
    /// from, its withdrawal and corrections.
    #[command(
        after_help = "Example:\n  tazan lessons show 3f9c02e1 --home ~/acme        # 8+ characters of a lesson id (see `lessons list`)\n  tazan lessons show T7 --home ~/acme --json       # a catalogue reference"
    )]
    Show {
        /// Lesson id (64 hex, or a unique prefix of at least 8) or catalogue reference (e.g. T7).
        id: String,
        #[command(flatten)]
        home: HomeArg,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// List lessons in the node's library (or ask the hub when the node is running), with short
    /// ids and withdrawn lessons marked.
    #[command(
        after_help = "Example:\n  tazan lessons list --home ~/acme\n  tazan lessons list --home ~/acme --json | jq .lesson.title\n\nColumns: hub sequence number, short id (any 8 or more of its characters name the lesson in\nother commands), level, group/publisher, title; `[withdrawn]` marks a withdrawn lesson."
    )]
    List {
        #[command(flatten)]
        home: HomeArg,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
pub(crate) struct SubscribeArgs {
    #[command(flatten)]
    pub(crate) home: HomeArg,
    /// Start after this sequence number.
    #[arg(long, default_value_t = 0)]
    pub(crate) after: u64,
    /// Keep the stream open for new lessons.
    #[arg(long)]
    pub(crate) follow: bool,
    /// Only these levels.
    #[arg(long = "level")]
    pub(crate) levels: Vec<String>,
    /// JSON lines output.
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, Args)]
pub(crate) struct HomeArg {
    /// Home directory of this node or hub: its config, keys, TLS files and data (default $TAZAN_HOME,
    /// else ~/.local/share/tazan).
    #[arg(long, value_name = "DIR")]
    pub(crate) home: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum BenchCmd {
    /// Back up and restore a hub store of a given size: how long an online backup pauses publishing.
    #[command(
        after_help = "Example:\n  cargo run --release -- bench backup --lessons 1000000 --json\n\nA publisher appends one lesson at a time (durably) at --rate, first for 3 s without a backup,\nthen while the backup runs; `pause_ms` is its longest append during the backup."
    )]
    Backup {
        /// Lessons in the hub's log.
        #[arg(long, default_value_t = 100_000)]
        lessons: u64,
        /// Publish rate while measuring, lessons per second.
        #[arg(long, default_value_t = 1000)]
        rate: u32,
        /// Write the backup file through the page cache, synced every this many KiB (as
        /// backups were written before direct writes: 4096; 0 = only at the end). Left out,
        /// it is written as `tazan backup` writes it: around the page cache where the file
        /// system allows, a step at a time.
        #[arg(long)]
        sync_step_kib: Option<u64>,
        /// One JSON object instead of the summary.
        #[arg(long)]
        json: bool,
    },
    /// Hub ingest with mutual TLS, signature checks and durable storage; end-to-end latency across the federation.
    #[command(after_help = "Example:\n  cargo run --release -- bench federation --json")]
    Federation {
        /// Print one JSON object.
        #[arg(long)]
        json: bool,
        /// Lessons for the ingest phase.
        #[arg(long, default_value_t = 100_000)]
        ingest_lessons: usize,
        /// Lessons for the latency phase.
        #[arg(long, default_value_t = 10_000)]
        latency_lessons: usize,
        /// Publish rate for the latency phase (lessons/s).
        #[arg(long, default_value_t = 1_000)]
        rate: u32,
        /// Keep search indexing on during the run, at the hubs (their logs) and the
        /// nodes (their libraries), as deployed. Off by default: the figure is the
        /// federation path, and here every service shares two cores.
        #[arg(long)]
        hub_search: bool,
        /// Seconds per step of the sustained-rate ladder (rates ×√2 from 250/s until the
        /// end-to-end p99 passes 20 ms); 0 leaves the ladder out.
        #[arg(long, default_value_t = 3.0)]
        sustain_step_secs: f64,
        /// Highest rate the ladder tries (lessons/s).
        #[arg(long, default_value_t = 16_000)]
        sustain_max_rate: u32,
    },
    /// The hub portal's list, search and lesson pages over a large hub log, with concurrent
    /// logged-in clients (p50/p99 ms per page).
    #[command(
        after_help = "Example:\n  cargo run --release -- bench portal --lessons 100000 --clients 20 --json"
    )]
    Portal {
        /// Lessons in the hub's log.
        #[arg(long, default_value_t = 100_000)]
        lessons: usize,
        /// Concurrent clients.
        #[arg(long, default_value_t = 20)]
        clients: usize,
        /// Requests per page kind.
        #[arg(long, default_value_t = 2_000)]
        requests: usize,
        /// Seed for the lessons and the requests.
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Print one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Hub start-up, wall and CPU, to a listening portal over a log of many lessons: a first
    /// start and a restart per size.
    #[command(
        after_help = "Example:\n  cargo run --release -- bench hub-start --lessons 10000,100000"
    )]
    HubStart {
        /// Lessons in the hub's log, one run per size (comma-separated).
        #[arg(long, value_delimiter = ',', default_values_t = [10_000, 100_000])]
        lessons: Vec<usize>,
        /// Seed for the lessons.
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Print one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// `tazan sanitize` as a whole process vs the library in-process (and Presidio+GiNZA), chars per CPU second.
    #[command(
        after_help = "Examples (from the repository root: it reads the shared corpus and the crate's fixture sets):\n  cargo run --release -- bench sanitize --records 10000\n  scripts/setup-presidio.sh && cargo run --release -- bench sanitize --records 10000 --presidio 112 --repeat 5"
    )]
    Sanitize {
        /// Records to generate (cycling the source sets, ids renumbered).
        #[arg(long, default_value_t = 10_000)]
        records: usize,
        /// Take the records from this JSON Lines file instead of generating them.
        #[arg(long, value_name = "FILE")]
        input: Option<PathBuf>,
        /// Disclosure level.
        #[arg(long, default_value = "GREEN")]
        level: String,
        /// Also run Presidio+GiNZA on the first N records (see scripts/setup-presidio.sh).
        #[arg(long, value_name = "N")]
        presidio: Option<usize>,
        /// The Presidio venv's python [default: $TAZAN_PRESIDIO_VENV/bin/python, else ~/.cache/tazan/presidio-venv/bin/python].
        #[arg(long, value_name = "FILE")]
        presidio_python: Option<PathBuf>,
        /// Run every measurement N times, round after round, and keep each one's least CPU time
        /// (other load on a shared machine only adds CPU time).
        #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=20))]
        repeat: u16,
        /// Print one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Hubs as processes, every member an mTLS subscriber: time until every member holds
    /// every lesson it is entitled to, and hub memory, as the number of groups grows.
    #[command(
        after_help = "Example:\n  cargo run --release -- bench scale --groups 5,10,20 --members 50 --lessons 100000"
    )]
    Scale {
        /// Group counts, one federation each (comma-separated).
        #[arg(long, value_delimiter = ',', default_value = "5")]
        groups: Vec<usize>,
        /// Members per group.
        #[arg(long, default_value_t = 50)]
        members: usize,
        /// Lessons published per run (half AMBER, half GREEN).
        #[arg(long, default_value_t = 100_000)]
        lessons: usize,
        /// Give up on a run after this many seconds.
        #[arg(long, default_value_t = 3600)]
        limit_s: u64,
        /// Print one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Kill -9 cycles of every tier (hubs and an org node process), a hub outage, a connection
    /// cut through a proxy, a full disk and 1,000 idle connections, under publish load; exits 1
    /// on any loss, duplicate or gap. SIGINT/SIGTERM stop it at once with what it measured.
    #[command(
        after_help = "Example:\n  cargo run --release -- bench soak --kills 20 --outage-s 600"
    )]
    Soak {
        /// SIGKILL cycles of each tier (both group hubs, the cross hub, the org node).
        #[arg(long, default_value_t = 20)]
        kills: usize,
        /// Length of the group hub outage, seconds (600 for the record).
        #[arg(long, default_value_t = 10)]
        outage_s: u64,
        /// Idle TCP connections held open against the group hub during the load.
        #[arg(long, default_value_t = 1000)]
        idle: usize,
        /// Lessons per publish call.
        #[arg(long, default_value_t = 20)]
        batch: usize,
        /// Leave out the disk-full and recovery phase.
        #[arg(long)]
        no_disk: bool,
        /// Lessons per second the members publish together (0: as fast as the hubs answer).
        /// Paced, the stores grow with time, not with the build's speed: a release build
        /// unpaced wrote about 2 GiB to the transport hub in 12 kill cycles.
        #[arg(long, default_value_t = 200)]
        rate: u64,
        /// Size of the tmpfs under the transport hub's data directory, MiB: a cap that
        /// only what the hub stores occupies. The disk-full phase shrinks it to what the
        /// store holds plus a little and fills that; then it is grown back.
        #[arg(long, default_value_t = 4096)]
        disk_mib: u64,
        /// Print one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Index synthetic lessons, then time searches (lessons/s, p50/p99 ms).
    #[command(
        after_help = "Example:\n  cargo run --release -- bench search --docs 1000000 --json"
    )]
    Search {
        /// Synthetic lessons to index.
        #[arg(long, default_value_t = 100_000)]
        docs: usize,
        /// Queries to time.
        #[arg(long, default_value_t = 1_000)]
        queries: usize,
        /// Seed for the generator.
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Index directory (default: a temporary directory).
        #[arg(long)]
        dir: Option<PathBuf>,
        /// Print one JSON object.
        #[arg(long)]
        json: bool,
    },
}

pub(crate) fn init_tracing(args: &Cli) {
    let default = match args.verbose {
        0 => match args.command {
            Command::Hub(_) | Command::Node(_) => "info",
            _ => "warn",
        },
        1 => "info",
        _ => "debug",
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    // Colour only on a terminal, and never under NO_COLOR (no-color.org):
    // a log redirected to a file stays plain text.
    let colour = std::io::IsTerminal::is_terminal(&std::io::stderr())
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(colour)
        .with_writer(std::io::stderr);
    match args.log_format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}

#[derive(Debug, Args)]
pub(crate) struct BackupArgs {
    /// The service's config: a hub.toml or a node.toml.
    #[arg(long)]
    pub(crate) config: PathBuf,
    /// The backup file to write (refused if it exists).
    #[arg(long)]
    pub(crate) out: PathBuf,
    /// Seconds to wait for a running service to write the backup.
    #[arg(long, default_value_t = 300)]
    pub(crate) timeout: u64,
    /// JSON output.
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, Args)]
pub(crate) struct RestoreArgs {
    /// The service's config: a hub.toml or a node.toml.
    #[arg(long)]
    pub(crate) config: PathBuf,
    /// The backup file.
    #[arg(long)]
    pub(crate) from: PathBuf,
    /// Replace a data directory that is not empty (kept beside it as DATA.before-restore-UNIXTIME).
    #[arg(long)]
    pub(crate) force: bool,
    /// JSON output.
    #[arg(long)]
    pub(crate) json: bool,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    /// Every command a user can run shows examples under `--help`.
    #[test]
    fn every_command_has_examples_in_its_help() {
        fn walk(cmd: &clap::Command, path: &str, missing: &mut Vec<String>) {
            let path = format!("{path} {}", cmd.get_name());
            if cmd.has_subcommands() {
                for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
                    walk(sub, &path, missing);
                }
            } else if !cmd
                .get_after_help()
                .is_some_and(|h| h.to_string().contains("Example"))
            {
                missing.push(path);
            }
        }
        let mut missing = Vec::new();
        walk(&super::Cli::command(), "", &mut missing);
        assert!(missing.is_empty(), "no examples in --help: {missing:?}");
    }

    /// Huge pages go off for the commands that serve, and stay for one-shot
    /// work such as `sanitize` (BENCHMARKS.md, "Sixth round").
    #[test]
    fn only_serving_commands_turn_huge_pages_off() {
        use clap::Parser;
        let serves = |args: &[&str]| {
            super::Cli::try_parse_from(std::iter::once("tazan").chain(args.iter().copied()))
                .unwrap()
                .command
                .serves()
        };
        assert!(serves(&["hub", "serve", "--config", "hub.toml"]));
        assert!(serves(&["node", "serve", "--config", "node.toml"]));
        assert!(serves(&["bench", "federation"]));
        assert!(serves(&["bench", "soak"]));
        assert!(!serves(&[
            "sanitize", "--input", "a.jsonl", "--output", "b.jsonl"
        ]));
        assert!(!serves(&["bench", "sanitize"]));
        assert!(!serves(&[
            "eval",
            "sanitize",
            "--incidents",
            "a.jsonl",
            "--annotations",
            "g.jsonl"
        ]));
    }
}
