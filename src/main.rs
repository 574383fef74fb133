//! The `tazan` command: parse arguments, set up logging, call one library
//! function, choose the exit code.

use std::process::ExitCode;

use clap::Parser;

mod cli;
mod cmd;

/// The allocator of every service this binary runs. sled and the gRPC stack
/// allocate per key and per message: under `tazan bench federation`, glibc's
/// malloc and free were about 15 % of the process's CPU samples, and with
/// mimalloc the CPU per lesson end to end fell about 15 % (BENCHMARKS.md,
/// "Where the CPU goes, and the first cuts").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // Detached by `tazan up --detach`: leave its session first.
    tazan::supervise::enter_own_session_if_asked();
    // Started by a bench harness (`tazan bench soak`/`scale`): die with it.
    tazan::procs::die_with_parent_if_asked();
    // Output piped into `head` and the like: a closed pipe is not an error.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if info.to_string().contains("Broken pipe") {
            std::process::exit(0);
        }
        default_hook(info);
    }));
    let args = cli::Cli::parse();
    // Before the runtime and the stores allocate much: 4 KiB pages for the
    // services (mimalloc's arenas), the default for one-shot commands.
    if args.command.serves() {
        tazan::procs::disable_huge_pages();
    }
    cli::init_tracing(&args);
    // The dictionary compiles on first use (a few seconds): say so, not
    // a silent pause.
    tazan_sanitize::set_compile_notice(|line| eprintln!("tazan: {line}"));
    match cmd::run(args) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {}", one_line(&err));
            ExitCode::from(1)
        }
    }
}

/// The whole context chain on one line. Library errors often print their
/// source in their own message too; a cause already said is not repeated.
fn one_line(err: &anyhow::Error) -> String {
    let mut line = String::new();
    for cause in err.chain() {
        let text = cause.to_string();
        if line.contains(&text) {
            continue;
        }
        if !line.is_empty() {
            line.push_str(": ");
        }
        line.push_str(&text);
    }
    line
}
