//! `tazan-fuzz-afl TARGET`: one afl++ persistent-mode harness for every
//! target of `tazan-fuzz`. Built and run by `scripts/fuzz.sh`.

#![forbid(unsafe_code)]

use std::process::ExitCode;

use tazan_fuzz::{Runner, Target};

fn main() -> ExitCode {
    let name = std::env::args().nth(1).unwrap_or_default();
    let Some(target) = Target::from_name(&name) else {
        let names: Vec<_> = Target::ALL.iter().map(|t| t.name()).collect();
        eprintln!("usage: tazan-fuzz-afl TARGET  (one of {})", names.join(", "));
        return ExitCode::from(2);
    };
    // Built before the fork server starts, so each fuzzed input pays only for
    // the target itself (the IPADIC dictionary loads once).
    let runner = Runner::new(target);
    afl::fuzz!(|data: &[u8]| {
        runner.run(data);
    });
    ExitCode::SUCCESS
}
