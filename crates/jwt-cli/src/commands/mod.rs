//! One module per subcommand; each turns parsed arguments into its whole stdout text.
//!
//! Why return text instead of printing: a command that fails halfway must leave stdout empty
//! (the exit-code contract), so nothing is written until the command has fully succeeded.

mod decode;
mod encode;
mod inspect;
mod jwks;
mod keygen;

use crate::cli::Command;
use crate::failure::Failure;

/// What a successful command prints.
#[derive(Debug)]
pub(crate) struct Output {
    /// Everything for stdout, newline included.
    pub(crate) stdout: String,
    /// A line for stderr after the output (without the `warning: ` prefix).
    pub(crate) warning: Option<String>,
}

impl Output {
    /// `line` and a newline on stdout, nothing on stderr.
    fn line(line: impl Into<String>) -> Self {
        let mut stdout = line.into();
        stdout.push('\n');
        Output {
            stdout,
            warning: None,
        }
    }
}

/// Runs one subcommand.
pub(crate) fn run(command: Command) -> Result<Output, Failure> {
    match command {
        Command::Encode(args) => encode::run(&args),
        Command::Decode(args) => decode::run(&args),
        Command::Inspect(args) => inspect::run(&args),
        Command::Keygen(args) => keygen::run(&args),
        Command::Jwks(args) => jwks::run(&args),
    }
}
