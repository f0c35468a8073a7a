//! `jwt`: sign, verify and inspect JSON Web Tokens from the shell, on `jwt-core`.
//!
//! Why a thin `main`: the contract scripts rely on is about *outcomes* (exit code 0, 1 or 2;
//! stdout only on success; exactly one line on stderr on failure). Keeping that contract in one
//! place — here and in [`failure`] — means no command can print half an answer or a multi-line
//! error by accident: commands return their whole stdout text or a [`failure::Failure`], and
//! only this function writes.
//!
//! Module map:
//! - [`cli`]: the clap definitions, help texts, and the one-line rendering of clap's errors;
//! - [`keys`]: reading `--key`/`--secret` and turning them into typed `jwt-core` keys;
//! - [`commands`]: one module per subcommand;
//! - [`input`], [`json_text`], [`base64url`]: small helpers (stdin/files, JSON text, base64url).

#![forbid(unsafe_code)]

mod base64url;
mod cli;
mod commands;
mod failure;
mod input;
mod json_text;
mod keys;

use std::io::Write;
use std::process::ExitCode;

use failure::Failure;

fn main() -> ExitCode {
    let cli = match cli::parse() {
        Ok(cli::Parsed::Run(cli)) => cli,
        Ok(cli::Parsed::Done) => return ExitCode::SUCCESS,
        Err(failure) => return report(&failure),
    };
    match commands::run(cli.command) {
        Ok(output) => match write_stdout(&output) {
            Ok(()) => ExitCode::SUCCESS,
            Err(failure) => report(&failure),
        },
        Err(failure) => report(&failure),
    }
}

/// Writes a command's whole output at once; a closed pipe is a failure, never a panic.
fn write_stdout(output: &commands::Output) -> Result<(), Failure> {
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(output.stdout.as_bytes())
        .and_then(|()| stdout.flush())
        .map_err(|e| Failure::usage(format!("cannot write to standard output: {e}")))?;
    if let Some(warning) = &output.warning {
        // Best effort: the answer is already out, and a warning cannot change the exit code.
        let _ = writeln!(std::io::stderr().lock(), "warning: {warning}");
    }
    Ok(())
}

/// Prints the failure's single line on stderr and returns its exit code.
fn report(failure: &Failure) -> ExitCode {
    let _ = writeln!(std::io::stderr().lock(), "{}", failure.line());
    ExitCode::from(failure.exit_code())
}
