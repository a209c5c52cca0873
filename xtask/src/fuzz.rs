//! `cargo xtask fuzz --seconds N [--sanitizer S] [target…]`: the cargo-fuzz (libFuzzer) targets
//! in `fuzz/`, each for N seconds on one core from its corpus, one summary line per target.
//!
//! cargo-fuzz needs nightly-only flags; it runs under `RUSTC_BOOTSTRAP=1` on the stable
//! toolchain, builds into `fuzz/target`, and is installed (pinned) when missing. The corpus
//! of a target is `fuzz/corpus/<target>/`: the committed `seed-*` files plus what libFuzzer
//! adds (ignored by git). Crash inputs land in `fuzz/artifacts/<target>/`; any crash fails
//! the command.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

use crate::{Result, cargo_program, step, workspace_root};

/// The cargo-fuzz release known to build with the project's toolchain (Rust 1.95).
const CARGO_FUZZ_VERSION: &str = "0.13.2";

/// What libFuzzer names the inputs it saves for a failure.
const ARTIFACT_PREFIXES: &[&str] = &["crash-", "leak-", "timeout-", "oom-", "slow-unit-"];

/// One target's run, as printed.
struct Outcome {
    target: String,
    executions: u64,
    execs_per_sec: u64,
    corpus: usize,
    artifacts: Vec<PathBuf>,
    exit_ok: bool,
    log: PathBuf,
}

pub fn fuzz(args: &[String]) -> Result {
    let mut seconds: Option<u64> = None;
    let mut sanitizer = "address".to_owned();
    let mut targets = Vec::new();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--seconds" => {
                let value = args.next().ok_or("--seconds needs a number")?;
                seconds = Some(
                    value
                        .parse()
                        .map_err(|_| format!("--seconds: `{value}` is not a number"))?,
                );
            }
            "--sanitizer" => {
                sanitizer = args.next().ok_or("--sanitizer needs a value")?.clone();
            }
            other if other.starts_with('-') => {
                return Err(format!(
                    "unknown option `{other}`; usage: cargo xtask fuzz --seconds N \
                     [--sanitizer address|none] [target…]"
                ));
            }
            target => targets.push(target.to_owned()),
        }
    }
    let seconds = seconds.ok_or("usage: cargo xtask fuzz --seconds N [target…]")?;
    let fuzz_dir = workspace_root().join("fuzz");
    let known = known_targets(&fuzz_dir)?;
    if targets.is_empty() {
        targets = known.clone();
    }
    if let Some(unknown) = targets.iter().find(|t| !known.contains(t)) {
        return Err(format!(
            "unknown fuzz target `{unknown}`; expected one of {}",
            known.join(", ")
        ));
    }

    ensure_cargo_fuzz()?;
    for target in &targets {
        cargo_fuzz(&fuzz_dir, &["build", "--sanitizer", &sanitizer, target])?;
    }
    let mut outcomes = Vec::new();
    for target in &targets {
        outcomes.push(run_target(&fuzz_dir, target, seconds)?);
    }

    step(&format!(
        "fuzzing summary ({seconds} s per target, one core)"
    ));
    for outcome in &outcomes {
        let crashes = if outcome.artifacts.is_empty() && !outcome.exit_ok {
            format!(
                "libFuzzer failed without an artifact, see {}",
                outcome.log.display()
            )
        } else if outcome.artifacts.is_empty() {
            "0".to_owned()
        } else {
            let paths: Vec<String> = outcome
                .artifacts
                .iter()
                .map(|p| p.display().to_string())
                .collect();
            format!("{} ({})", outcome.artifacts.len(), paths.join(", "))
        };
        println!(
            "fuzz {:<14} executions {:>10}  exec/s {:>7}  corpus {:>5}  crashes {crashes}",
            outcome.target, outcome.executions, outcome.execs_per_sec, outcome.corpus
        );
    }
    let failed: Vec<&str> = outcomes
        .iter()
        .filter(|o| !o.exit_ok || !o.artifacts.is_empty())
        .map(|o| o.target.as_str())
        .collect();
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!("fuzzing found crashes in: {}", failed.join(", ")))
    }
}

/// The targets: `fuzz/fuzz_targets/<name>.rs`, sorted.
fn known_targets(fuzz_dir: &Path) -> Result<Vec<String>> {
    let dir = fuzz_dir.join("fuzz_targets");
    let entries = fs::read_dir(&dir).map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
    let mut names: Vec<String> = entries
        .filter_map(|entry| entry.ok())
        .filter_map(|entry| {
            let name = entry.file_name().into_string().ok()?;
            name.strip_suffix(".rs").map(str::to_owned)
        })
        .collect();
    names.sort();
    Ok(names)
}

fn ensure_cargo_fuzz() -> Result {
    let installed = Command::new(cargo_program())
        .args(["fuzz", "--version"])
        .output()
        .is_ok_and(|out| out.status.success());
    if installed {
        return Ok(());
    }
    step(&format!("installing cargo-fuzz {CARGO_FUZZ_VERSION}"));
    let status = Command::new(cargo_program())
        .args([
            "install",
            "cargo-fuzz",
            "--locked",
            "--version",
            CARGO_FUZZ_VERSION,
        ])
        .status()
        .map_err(|e| format!("cannot run cargo install: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`cargo install cargo-fuzz` failed ({status})"))
    }
}

/// `cargo fuzz <args>` on `fuzz/`, building into `fuzz/target` with nightly flags allowed.
fn cargo_fuzz(fuzz_dir: &Path, args: &[&str]) -> Result {
    let target_dir = fuzz_dir.join("target");
    let mut command = Command::new(cargo_program());
    command
        .arg("fuzz")
        .args(args)
        .arg("--fuzz-dir")
        .arg(fuzz_dir)
        .arg("--target-dir")
        .arg(&target_dir)
        .current_dir(workspace_root())
        .env("RUSTC_BOOTSTRAP", "1");
    step(&format!("RUSTC_BOOTSTRAP=1 cargo fuzz {}", args.join(" ")));
    let status = command
        .status()
        .map_err(|e| format!("cannot run cargo fuzz: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`cargo fuzz {}` failed ({status})", args.join(" ")))
    }
}

/// Runs the built binary directly, so its log, corpus and artifacts go where we say.
fn run_target(fuzz_dir: &Path, target: &str, seconds: u64) -> Result<Outcome> {
    let binary = built_binary(fuzz_dir, target)?;
    let corpus = fuzz_dir.join("corpus").join(target);
    let artifacts = fuzz_dir.join("artifacts").join(target);
    // With `-jobs`, libFuzzer runs the fuzzing in a child and writes its output to
    // `fuzz-<job>.log` in the working directory: a scratch directory under target/.
    let log_dir = fuzz_dir.join("target").join("fuzz-logs").join(target);
    for dir in [&corpus, &artifacts, &log_dir] {
        fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    let log = log_dir.join("fuzz-0.log");
    let _ = fs::remove_file(&log);
    let before = SystemTime::now();
    step(&format!("fuzz {target} for {seconds} s"));
    let status = Command::new(&binary)
        .arg(format!("-max_total_time={seconds}"))
        .arg("-jobs=1")
        .arg("-workers=1")
        .arg("-timeout=20")
        .arg("-print_final_stats=1")
        .arg(format!("-artifact_prefix={}/", artifacts.display()))
        .arg(&corpus)
        .current_dir(&log_dir)
        .status()
        .map_err(|e| format!("cannot run {}: {e}", binary.display()))?;
    let output = fs::read_to_string(&log).unwrap_or_default();
    let stat = |name: &str| {
        output
            .lines()
            .filter_map(|line| line.strip_prefix(name))
            .filter_map(|rest| rest.trim_start_matches(':').trim().parse::<u64>().ok())
            .next_back()
            .unwrap_or(0)
    };
    let new_artifacts: Vec<PathBuf> = fs::read_dir(&artifacts)
        .map_err(|e| format!("cannot list {}: {e}", artifacts.display()))?
        .filter_map(|entry| entry.ok())
        .filter(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            ARTIFACT_PREFIXES.iter().any(|p| name.starts_with(p))
                && entry
                    .metadata()
                    .and_then(|m| m.modified())
                    .is_ok_and(|modified| modified >= before)
        })
        .map(|entry| entry.path())
        .collect();
    if !status.success() || !new_artifacts.is_empty() {
        let lines: Vec<&str> = output.lines().collect();
        println!("--- last lines of {}", log.display());
        for line in &lines[lines.len().saturating_sub(60)..] {
            println!("{line}");
        }
    }
    let corpus_size = fs::read_dir(&corpus)
        .map_err(|e| format!("cannot list {}: {e}", corpus.display()))?
        .count();
    Ok(Outcome {
        target: target.to_owned(),
        executions: stat("stat::number_of_executed_units"),
        execs_per_sec: stat("stat::average_exec_per_sec"),
        corpus: corpus_size,
        artifacts: new_artifacts,
        exit_ok: status.success(),
        log,
    })
}

/// `fuzz/target/<triple>/release/<target>`, whichever triple cargo-fuzz built for.
fn built_binary(fuzz_dir: &Path, target: &str) -> Result<PathBuf> {
    let target_dir = fuzz_dir.join("target");
    fs::read_dir(&target_dir)
        .map_err(|e| format!("cannot list {}: {e}", target_dir.display()))?
        .filter_map(|entry| entry.ok())
        .map(|entry| entry.path().join("release").join(target))
        .find(|path| path.is_file())
        .ok_or_else(|| {
            format!(
                "no built binary for fuzz target `{target}` under {}",
                target_dir.display()
            )
        })
}
