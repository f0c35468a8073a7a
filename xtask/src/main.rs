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
  ci            Run the full CI gate: fmt, clippy, interop venv, tests, the quickstart under
                valgrind, fuzz seeds, docs
  bench [args]  jwt-core next to jsonwebtoken, jwt-simple, jwt-compact and raw ring in one run
                (crates/jwt-bench, its own workspace; args go to criterion), then heap
                allocations per operation (also as `bench-peers`)
  bench-core [args]
                jwt-core's own criterion benchmarks against raw ring
                (`cargo bench -p jwt-core --bench jwt`, args passed through)
  fuzz [TARGET...] [--runs N] [--time SECS] [--sanitizer address|none] [-- LIBFUZZER_ARGS...]
                Run the cargo-fuzz targets of crates/jwt-core/fuzz (default: every target,
                20000 runs each). Needs `cargo install cargo-fuzz`; runs on stable through
                RUSTC_BOOTSTRAP=1. Not part of `ci` (building the sanitizer-instrumented fuzz
                crate alone takes minutes); `ci` runs every committed seed through the
                targets' code without libFuzzer instead.
  valgrind      jwt-core's quickstart under valgrind (a step of `ci`; Linux)
  help          Print this message
";

/// The fuzz crate: its own workspace (own Cargo.lock), outside the main one.
const FUZZ_DIR: &str = "crates/jwt-core/fuzz";
/// Every fuzz target, in the order `cargo xtask fuzz` runs them.
const FUZZ_TARGETS: &[&str] = &["verify", "header_claims", "jwk", "keys", "roundtrip"];
/// Runs per target when `--runs` is not given: a smoke test, seconds per target.
const FUZZ_SMOKE_RUNS: u64 = 20_000;
/// Where runs grow their corpus. The committed seeds (`crates/jwt-core/fuzz/corpus/<target>`)
/// are passed as a second, read-only corpus, so nothing generated lands in the repository.
const FUZZ_SCRATCH: &str = "target/fuzz-corpus";

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
        // `bench-peers` was the side-by-side run's first name; it stays as an alias.
        Some("bench" | "bench-peers") => bench_peers(&rest),
        Some("bench-core") => bench_core(&rest),
        Some("fuzz") => fuzz(&rest),
        Some("valgrind") => timed("valgrind", valgrind),
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
    timed("valgrind", valgrind)?;
    timed("fuzz-seeds", fuzz_seeds)?;
    timed("doc", doc)?;
    println!("\nxtask: ci passed in {}", secs(started.elapsed()));
    Ok(())
}

/// `cargo xtask bench-core [args]`: run the jwt-core criterion benchmarks.
fn bench_core(extra: &[OsString]) -> Result {
    let mut cmd = cargo(&["bench", "-p", "jwt-core", "--bench", "jwt"]);
    cmd.args(extra);
    timed("bench-core", || run(&mut cmd))
}

/// What `cargo xtask fuzz` was asked to do.
#[derive(Debug)]
struct FuzzOptions {
    targets: Vec<String>,
    runs: u64,
    max_total_time: Option<u64>,
    sanitizer: Option<String>,
    libfuzzer_args: Vec<OsString>,
}

fn parse_fuzz_args(args: &[OsString]) -> Result<FuzzOptions> {
    let mut options = FuzzOptions {
        targets: Vec::new(),
        runs: FUZZ_SMOKE_RUNS,
        max_total_time: None,
        sanitizer: None,
        libfuzzer_args: Vec::new(),
    };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let text = arg
            .to_str()
            .ok_or_else(|| format!("argument {arg:?} is not UTF-8"))?;
        let mut value = |name: &str| {
            args.next()
                .and_then(|v| v.to_str())
                .map(str::to_owned)
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match text {
            "--" => {
                options.libfuzzer_args = args.cloned().collect();
                break;
            }
            "--runs" => {
                options.runs = value("--runs")?
                    .replace('_', "")
                    .parse()
                    .map_err(|e| format!("--runs: {e}"))?;
            }
            "--time" => {
                options.max_total_time = Some(
                    value("--time")?
                        .parse()
                        .map_err(|e| format!("--time: {e}"))?,
                );
            }
            "--sanitizer" | "-s" => options.sanitizer = Some(value("--sanitizer")?),
            target if FUZZ_TARGETS.contains(&target) => options.targets.push(target.to_owned()),
            other => {
                return Err(format!(
                    "unknown fuzz target or option `{other}` (targets: {})",
                    FUZZ_TARGETS.join(", ")
                ));
            }
        }
    }
    if options.targets.is_empty() {
        options.targets = FUZZ_TARGETS.iter().map(|t| (*t).to_owned()).collect();
    }
    Ok(options)
}

/// `cargo xtask fuzz`: build the fuzz crate once, then run each target for `--runs`
/// executions from the committed seeds plus a scratch corpus under `target/`.
fn fuzz(args: &[OsString]) -> Result {
    let options = parse_fuzz_args(args)?;
    let root = workspace_root();
    let fuzz_dir = root.join(FUZZ_DIR);
    let installed = cargo(&["fuzz", "--version"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    if !installed {
        return Err("cargo-fuzz is not installed; run `cargo install cargo-fuzz`".to_owned());
    }
    let fuzz_cmd = |subcommand: &str| {
        let mut cmd = cargo(&["fuzz", subcommand]);
        // cargo-fuzz passes -Z flags (sanitizers, coverage instrumentation) to rustc: allowed
        // on the stable toolchain with RUSTC_BOOTSTRAP=1.
        cmd.env("RUSTC_BOOTSTRAP", "1");
        if let Some(sanitizer) = &options.sanitizer {
            cmd.args(["--sanitizer", sanitizer]);
        }
        cmd
    };

    let started = Instant::now();
    timed("fuzz-build", || run_in(&mut fuzz_cmd("build"), &fuzz_dir))?;
    let mut summary = Vec::new();
    for target in &options.targets {
        let seeds = fuzz_dir.join("corpus").join(target);
        if !seeds.is_dir() {
            return Err(format!("missing seed corpus {}", seeds.display()));
        }
        let scratch = root.join(FUZZ_SCRATCH).join(target);
        fs::create_dir_all(&scratch)
            .map_err(|e| format!("cannot create {}: {e}", scratch.display()))?;
        let mut cmd = fuzz_cmd("run");
        cmd.arg(target).arg(&scratch).arg(&seeds).arg("--");
        cmd.arg(format!("-runs={}", options.runs));
        if let Some(seconds) = options.max_total_time {
            cmd.arg(format!("-max_total_time={seconds}"));
        }
        cmd.args(["-timeout=30", "-print_final_stats=1"]);
        cmd.args(&options.libfuzzer_args);
        let done = timed(&format!("fuzz {target}"), || {
            fuzz_run(&mut cmd, &fuzz_dir, target)
        })?;
        summary.push(format!("{target:<14} {done}"));
    }
    println!("\nxtask: fuzzing passed in {}", secs(started.elapsed()));
    for line in summary {
        println!("  {line}");
    }
    Ok(())
}

/// Runs one libFuzzer process, echoing its output, and returns its final `#N DONE ...` line.
fn fuzz_run(cmd: &mut Command, fuzz_dir: &Path, target: &str) -> Result<String> {
    use std::io::{BufRead, BufReader};
    cmd.current_dir(fuzz_dir);
    cmd.stderr(std::process::Stdio::piped());
    let shown = display(cmd);
    println!("$ (cd {FUZZ_DIR} && {shown})");
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("could not start `{shown}`: {e}"))?;
    let mut done = String::from("(no DONE line)");
    if let Some(stderr) = child.stderr.take() {
        for line in BufReader::new(stderr)
            .lines()
            .map_while(std::result::Result::ok)
        {
            eprintln!("{line}");
            // `#20000\tDONE   cov: ... exec/s: ...`: libFuzzer's final stats line.
            if line.starts_with('#') && line.split_whitespace().nth(1) == Some("DONE") {
                done = line;
            }
        }
    }
    let status = child
        .wait()
        .map_err(|e| format!("`{shown}` did not finish: {e}"))?;
    if status.success() {
        Ok(done)
    } else {
        Err(format!(
            "`{shown}` failed ({status}); the crashing input is in {FUZZ_DIR}/artifacts/{target}/ \
             (reproduce: cd {FUZZ_DIR} && RUSTC_BOOTSTRAP=1 cargo fuzz run {target} <file>)"
        ))
    }
}

/// The peer benchmark's own workspace (kept out of the root one: it builds aws-lc-rs and the
/// other JWT crates, which `cargo xtask ci` never needs).
const PEERS_MANIFEST: &str = "crates/jwt-bench/Cargo.toml";

/// `cargo xtask bench [args]` (or `bench-peers`): the side-by-side criterion run (args go to criterion), then
/// the heap allocations per operation of the same operations.
fn bench_peers(extra: &[OsString]) -> Result {
    let mut cmd = cargo(&[
        "bench",
        "--locked",
        "--manifest-path",
        PEERS_MANIFEST,
        "--bench",
        "peers",
        "--",
    ]);
    cmd.args(extra);
    timed("bench", || run(&mut cmd))?;
    let mut allocs = cargo(&[
        "run",
        "--release",
        "--locked",
        "--quiet",
        "--manifest-path",
        PEERS_MANIFEST,
        "--bin",
        "allocs",
    ]);
    timed("allocs", || run(&mut allocs))
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

/// jwt-core's quickstart (sign, verify, refuse: keys, the clock, the random source) run under
/// valgrind's memcheck. Why: jwt-core reaches the kernel's coarse clock through `rustix`, and
/// one way of finding the vDSO crashed every program under valgrind. Linux only; it needs
/// `valgrind` on the PATH (`.ci/run` installs it). The example is built first and its path
/// taken from cargo's build messages, then run under valgrind directly, so that no runner a
/// contributor configured replaces valgrind.
fn valgrind() -> Result {
    if !cfg!(target_os = "linux") {
        println!("(skipped: valgrind runs on Linux only)");
        return Ok(());
    }
    let found = Command::new("valgrind")
        .arg("--version")
        .output()
        .is_ok_and(|out| out.status.success());
    if !found {
        return Err("valgrind not found: install it (`apt-get install valgrind`)".into());
    }
    let mut build = cargo(&[
        "build",
        "--quiet",
        "--locked",
        "-p",
        "jwt-core",
        "--example",
        "quickstart",
        "--message-format=json",
    ]);
    build.current_dir(workspace_root());
    println!("$ {}", display(&build));
    let built = build
        .output()
        .map_err(|e| format!("could not start cargo build: {e}"))?;
    if !built.status.success() {
        return Err(format!(
            "building the quickstart failed:\n{}",
            String::from_utf8_lossy(&built.stderr)
        ));
    }
    let messages = String::from_utf8_lossy(&built.stdout);
    let executable = messages
        .lines()
        .filter(|line| line.contains(r#""reason":"compiler-artifact""#))
        .filter(|line| line.contains(r#""name":"quickstart""#))
        .find_map(json_string_member("executable"))
        .ok_or("cargo named no executable for the quickstart example")?;
    run(Command::new("valgrind")
        .args(["-q", "--error-exitcode=9"])
        .arg(executable))
}

/// Reads the string member `name` of one line of cargo's JSON messages (paths only: no escapes
/// but `\\` and `\"` are expected, and those are undone).
fn json_string_member(name: &str) -> impl Fn(&str) -> Option<String> + '_ {
    move |line| {
        let key = format!(r#""{name}":""#);
        let start = line.find(&key)?.checked_add(key.len())?;
        let mut value = String::new();
        let mut chars = line.get(start..)?.chars();
        while let Some(c) = chars.next() {
            match c {
                '"' => return Some(value),
                '\\' => value.push(chars.next()?),
                c => value.push(c),
            }
        }
        None
    }
}

/// The fuzz targets over their committed seeds, as plain tests (no libFuzzer, no sanitizer): the
/// fuzz crate is its own workspace, so this is also what keeps it compiling.
fn fuzz_seeds() -> Result {
    let manifest = format!("{FUZZ_DIR}/Cargo.toml");
    run(&mut cargo(&[
        "test",
        "--manifest-path",
        &manifest,
        "--no-default-features",
        "--locked",
    ]))
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
    run_in(cmd, &workspace_root())
}

/// Print `cmd` and run it from `dir`, failing on a non-zero exit.
fn run_in(cmd: &mut Command, dir: &Path) -> Result {
    cmd.current_dir(dir);
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
