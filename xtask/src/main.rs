//! Workspace task runner, invoked as `cargo xtask <command>`.
//!
//! This exists so that contributors and CI run exactly the same checks with
//! one command: `cargo xtask ci` is the whole gate (format, lint, tests with
//! the Python interop environment, docs). Keeping the logic in Rust rather
//! than in shell scripts makes it portable and reviewable, and the crate is
//! deliberately dependency-free so it compiles in a couple of seconds.
//!
//! See `cargo xtask help` for the available commands.

use std::env;
use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

const USAGE: &str = "\
Usage: cargo xtask <command> [args...]

Commands:
  ci            Run the full CI gate: fmt, clippy, interop venv, tests, docs
  bench [args]  Run `cargo bench -p jwt-core --bench jwt`, passing args through
  help          Print this message
";

/// Python packages the interop tests run against (pinned for reproducibility).
const REQUIREMENTS: &str = "tests/interop/requirements.txt";
/// Virtualenv holding the interop packages; lives in `target/` so `cargo clean` removes it.
const VENV: &str = "target/interop-venv";
/// Stamp file recording which requirements the venv was installed from.
const STAMP: &str = ".installed";

/// A failure that aborts the current command.
type Result<T = ()> = std::result::Result<T, String>;

fn main() -> ExitCode {
    let mut args = env::args_os().skip(1);
    let command = args.next();
    let rest: Vec<OsString> = args.collect();

    let outcome = match command.as_ref().and_then(|c| c.to_str()) {
        None | Some("help" | "-h" | "--help") => {
            print!("{USAGE}");
            Ok(())
        }
        Some("ci") => ci(),
        Some("bench") => bench(&rest),
        Some(other) => Err(format!("unknown command `{other}`\n\n{USAGE}")),
    };

    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// `cargo xtask ci`: every step in order, stopping at the first failure.
fn ci() -> Result {
    let started = Instant::now();
    timed("fmt", fmt)?;
    timed("clippy", clippy)?;
    let python = timed("interop-venv", interop_venv)?;
    timed("test", || test(&python))?;
    timed("doc", doc)?;
    println!("\nxtask: ci passed in {}", secs(started.elapsed()));
    Ok(())
}

/// `cargo xtask bench [args]`: run the jwt-core criterion benchmarks.
fn bench(extra: &[OsString]) -> Result {
    let mut cmd = cargo(&["bench", "-p", "jwt-core", "--bench", "jwt"]);
    cmd.args(extra);
    timed("bench", || run(&mut cmd))
}

fn fmt() -> Result {
    run(&mut cargo(&["fmt", "--all", "--", "--check"]))
}

fn clippy() -> Result {
    run(&mut cargo(&[
        "clippy",
        "--workspace",
        "--all-targets",
        "--locked",
        "--",
        "-D",
        "warnings",
    ]))
}

/// Ensure `target/interop-venv` has the pinned packages; returns its python.
fn interop_venv() -> Result<PathBuf> {
    let root = workspace_root();
    let venv = root.join(VENV);
    let python = venv.join("bin").join("python");
    let stamp = venv.join(STAMP);
    let requirements = fs::read_to_string(root.join(REQUIREMENTS))
        .map_err(|e| format!("cannot read {REQUIREMENTS}: {e}"))?;

    if !python.exists() {
        // A half-created venv (e.g. ensurepip missing) would poison later runs.
        let _ = fs::remove_dir_all(&venv);
        let mut create = Command::new("python3");
        create.args(["-m", "venv"]).arg(&venv);
        if let Err(e) = run(&mut create) {
            let _ = fs::remove_dir_all(&venv);
            return Err(format!(
                "{e}\n(python3 with the `venv` module is required for the interop tests)"
            ));
        }
    }

    if fs::read_to_string(&stamp).is_ok_and(|s| s == requirements) {
        println!("{VENV} is up to date with {REQUIREMENTS}; skipping pip install");
    } else {
        let mut install = Command::new(&python);
        install
            .args(["-m", "pip", "install", "--disable-pip-version-check", "-q"])
            .arg("-r")
            .arg(root.join(REQUIREMENTS));
        run(&mut install)?;
        fs::write(&stamp, &requirements)
            .map_err(|e| format!("cannot write {}: {e}", stamp.display()))?;
    }
    Ok(python)
}

fn test(python: &Path) -> Result {
    let mut cmd = cargo(&["test", "--workspace", "--locked"]);
    cmd.env("JWT_INTEROP_PYTHON", python);
    run(&mut cmd)
}

fn doc() -> Result {
    let mut cmd = cargo(&["doc", "--workspace", "--no-deps", "--locked"]);
    cmd.env("RUSTDOCFLAGS", "-D warnings");
    run(&mut cmd)
}

/// Run one named step, printing a header and its duration; failures are
/// prefixed with the step name.
fn timed<T>(name: &str, step: impl FnOnce() -> Result<T>) -> Result<T> {
    println!("\n==> [{name}]");
    let started = Instant::now();
    let outcome = step();
    let took = secs(started.elapsed());
    match outcome {
        Ok(value) => {
            println!("<== [{name}] ok in {took}");
            Ok(value)
        }
        Err(e) => Err(format!("step `{name}` failed after {took}: {e}")),
    }
}

/// Print `cmd` and run it from the workspace root, failing on a non-zero exit.
fn run(cmd: &mut Command) -> Result {
    cmd.current_dir(workspace_root());
    let shown = display(cmd);
    println!("$ {shown}");
    let status = cmd
        .status()
        .map_err(|e| format!("could not start `{shown}`: {e}"))?;
    match status.code() {
        Some(0) => Ok(()),
        Some(code) => Err(format!("`{shown}` exited with code {code}")),
        None => Err(format!("`{shown}` was terminated ({status})")),
    }
}

/// A `cargo` command, using the same cargo binary that launched us.
fn cargo(args: &[&str]) -> Command {
    let mut cmd = Command::new(env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cmd.args(args);
    cmd
}

/// Render a command as a shell-like line, including any env overrides.
fn display(cmd: &Command) -> String {
    let mut parts: Vec<String> = cmd
        .get_envs()
        .filter_map(|(k, v)| Some(format!("{}={:?}", k.to_string_lossy(), v?)))
        .collect();
    let program = Path::new(cmd.get_program());
    // Show `cargo` rather than the absolute path from $CARGO.
    parts.push(match program.file_stem() {
        Some(stem) if stem == "cargo" => "cargo".to_owned(),
        _ => program.display().to_string(),
    });
    parts.extend(cmd.get_args().map(|a| a.to_string_lossy().into_owned()));
    parts.join(" ")
}

/// The workspace root: the parent of this crate's directory.
fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one level below the workspace root")
        .to_path_buf()
}

fn secs(d: Duration) -> String {
    format!("{:.1}s", d.as_secs_f64())
}
