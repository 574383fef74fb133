//! The `tazan` command: parse arguments, set up logging, call one library
//! function, choose the exit code.

use std::process::ExitCode;

use clap::Parser;

mod cli;
mod cmd;

fn main() -> ExitCode {
    // Detached by `tazan up --detach`: leave its session first.
    tazan::supervise::enter_own_session_if_asked();
    // Output piped into `head` and the like: a closed pipe is not an error.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if info.to_string().contains("Broken pipe") {
            std::process::exit(0);
        }
        default_hook(info);
    }));
    let args = cli::Cli::parse();
    cli::init_tracing(&args);
    match cmd::run(args) {
        Ok(code) => code,
        Err(err) => {
            // `{:#}` prints the whole context chain on one line.
            eprintln!("error: {err:#}");
            ExitCode::from(1)
        }
    }
}
