//! `cargo xtask build-times`: issue 7's compile-time figures for the demo, from real builds.
//!
//! The workspace's files (`git ls-files --cached --others --exclude-standard`, so uncommitted
//! edits count) are copied to a scratch directory, `$TMPDIR/xtask-build-times/src`, built
//! there with its own `CARGO_TARGET_DIR` (`…/target`): the real tree and `target/` are never
//! touched, and every edit below is made to the copy. Each figure is the wall time
//! (`Instant`) of a real `cargo build --example demo` (the README's debug dev loop):
//!
//! 1. cold: an empty target directory, every dependency compiled (the crates come from the
//!    local cargo registry cache, so no download is timed); run with `--timings`, whose report
//!    gives each crate's own compile time, `auth-macros` and `syn` among them;
//! 2. no-op: the same command again, nothing changed;
//! 3. incremental, edited `auth!` block: the credentials provider's `name: "Credentials"`
//!    toggled between two strings (so every run is a real change to the macro's input);
//! 4. incremental, edited plain handler: the `<h1>` string literal in `home` toggled likewise;
//!    3 and 4 alternate, three runs each, and the median is reported;
//! 5. where the demo crate's own compile goes: the exact rustc command cargo ran for the
//!    demo (read from `cargo build -vv`) is run again by hand with `RUSTC_BOOTSTRAP=1
//!    -Z time-passes` added: first unchanged (`RUSTC_BOOTSTRAP` changes an option rustc's
//!    incremental cache is keyed on, so this run compiles the whole crate), then after each
//!    kind of edit (incremental, like cargo's). The `expand_crate` pass (all macro expansion,
//!    the `auth!` proc macro included, so an upper bound on its share) is set against type
//!    checking, borrow checking, codegen, LLVM and the link; one more run with
//!    `-Z macro-stats` gives the size of `auth!`'s expansion. Running rustc by hand, not
//!    `cargo rustc` with `RUSTC_BOOTSTRAP` set, matters: build scripts such as proc-macro2's
//!    rerun on a `RUSTC_BOOTSTRAP` change, which would rebuild half the graph.
//!
//! `BUILD_TIMES_RELEASE=1` adds a cold `cargo build --release --example demo` (in its own
//! profile directory of the same scratch target). The table is printed at the end with the
//! machine's core count, rustc's version and the date. Figures from a shared machine are
//! noisy: read them as magnitudes. The scratch target is deleted at the end (the `--timings`
//! report is kept beside it).

use std::env;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::{Result, step, workspace_root};

/// Incremental rebuilds per kind of edit.
const REPEATS: usize = 3;
/// The `auth!` edit: the credentials provider's display name, toggled.
const AUTH_EDIT: (&str, &str) = ("name: \"Credentials\",", "name: \"Credentials (edited)\",");
/// The plain-handler edit: the home page's heading in `home`, toggled.
const HANDLER_EDIT: (&str, &str) = (
    "<h1>auth-runtime demo</h1>",
    "<h1>auth-runtime demo (edited)</h1>",
);
/// The `-Z time-passes` passes reported, in rustc's order (they nest and overlap: LLVM runs
/// on other threads while codegen goes on, so they do not add up to the total).
const PASSES: [(&str, &str); 8] = [
    (
        "expand_crate",
        "macro expansion (`expand_crate`, all macros)",
    ),
    ("type_check_crate", "type checking (`type_check_crate`)"),
    (
        "MIR_borrow_checking",
        "borrow checking (`MIR_borrow_checking`)",
    ),
    (
        "monomorphization_collector_graph_walk",
        "monomorphization (`monomorphization_collector_graph_walk`)",
    ),
    ("codegen_crate", "codegen to LLVM IR (`codegen_crate`)"),
    ("LLVM_passes", "LLVM (`LLVM_passes`, parallel)"),
    ("link", "link (`link`)"),
    ("total", "**rustc total** (`total`)"),
];

#[derive(Clone, Copy, PartialEq)]
enum Edit {
    Auth,
    Handler,
}

impl Edit {
    fn label(self) -> &'static str {
        match self {
            Edit::Auth => "edited `auth!` block (credentials `name`)",
            Edit::Handler => "edited plain handler (`home`'s `<h1>`)",
        }
    }

    fn strings(self) -> (&'static str, &'static str) {
        match self {
            Edit::Auth => AUTH_EDIT,
            Edit::Handler => HANDLER_EDIT,
        }
    }
}

/// The scratch copy: sources, target directory, and the edits made to its `demo.rs`.
struct Scratch {
    root: PathBuf,
    src: PathBuf,
    target: PathBuf,
    /// Whether each edit currently holds its second value.
    edited: [bool; 2],
}

impl Scratch {
    /// A fresh copy of the workspace's files with an empty target directory.
    fn create() -> Result<Scratch> {
        let root = env::temp_dir().join("xtask-build-times");
        step(&format!("copying the workspace to {}", root.display()));
        if root.exists() {
            fs::remove_dir_all(&root)
                .map_err(|e| format!("cannot remove {}: {e}", root.display()))?;
        }
        let src = root.join("src");
        let target = root.join("target");
        let workspace = workspace_root();
        let listing = Command::new("git")
            .args([
                "ls-files",
                "-z",
                "--cached",
                "--others",
                "--exclude-standard",
            ])
            .current_dir(&workspace)
            .output()
            .map_err(|e| format!("cannot run git: {e}"))?;
        if !listing.status.success() {
            return Err("`git ls-files` failed".to_owned());
        }
        let mut copied = 0;
        for name in listing.stdout.split(|&b| b == 0).filter(|n| !n.is_empty()) {
            let name = String::from_utf8_lossy(name);
            let from = workspace.join(name.as_ref());
            // A tracked file deleted in the working tree is listed but absent.
            if !from.is_file() {
                continue;
            }
            let to = src.join(name.as_ref());
            if let Some(parent) = to.parent() {
                fs::create_dir_all(parent).map_err(|e| e.to_string())?;
            }
            fs::copy(&from, &to).map_err(|e| format!("cannot copy {name}: {e}"))?;
            copied += 1;
        }
        println!("  {copied} files");
        Ok(Scratch {
            root,
            src,
            target,
            edited: [false; 2],
        })
    }

    fn demo_rs(&self) -> PathBuf {
        self.src.join("examples/demo.rs")
    }

    /// Toggles one edit in the copy's `demo.rs`: always a real change to the file.
    fn edit(&mut self, edit: Edit) -> Result {
        let path = self.demo_rs();
        let slot = &mut self.edited[edit as usize];
        let (original, changed) = edit.strings();
        let (from, to) = if *slot {
            (changed, original)
        } else {
            (original, changed)
        };
        let text = fs::read_to_string(&path).map_err(|e| e.to_string())?;
        if text.matches(from).count() != 1 {
            return Err(format!(
                "examples/demo.rs no longer holds `{from}` exactly once: update build_times.rs"
            ));
        }
        fs::write(&path, text.replacen(from, to, 1)).map_err(|e| e.to_string())?;
        *slot = !*slot;
        Ok(())
    }

    fn cargo(&self, args: &[&str]) -> Command {
        let cargo = env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
        let mut command = Command::new(cargo);
        command
            .args(args)
            .current_dir(&self.src)
            .env("CARGO_TARGET_DIR", &self.target);
        command
    }

    /// A `cargo` run with its output shown, timed.
    fn timed(&self, args: &[&str]) -> Result<Duration> {
        step(&format!(
            "cargo {} (in {}, CARGO_TARGET_DIR={})",
            args.join(" "),
            self.src.display(),
            self.target.display()
        ));
        let started = Instant::now();
        let status = self
            .cargo(args)
            .status()
            .map_err(|e| format!("cannot run cargo: {e}"))?;
        let elapsed = started.elapsed();
        if !status.success() {
            return Err(format!("`cargo {}` failed ({status})", args.join(" ")));
        }
        println!("  {:.2} s", elapsed.as_secs_f64());
        Ok(elapsed)
    }

    /// `cargo build -vv --example demo`, timed, its output kept: returns the time and the
    /// rustc command cargo ran for the demo (none when nothing was rebuilt).
    fn timed_verbose(&self, what: &str) -> Result<(Duration, Option<String>)> {
        let args = ["build", "-vv", "--example", "demo"];
        step(&format!("{what}: cargo {}", args.join(" ")));
        let started = Instant::now();
        let mut child = self
            .cargo(&args)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot run cargo: {e}"))?;
        let mut log = String::new();
        child
            .stderr
            .take()
            .ok_or("no stderr")?
            .read_to_string(&mut log)
            .map_err(|e| e.to_string())?;
        let status = child.wait().map_err(|e| e.to_string())?;
        let elapsed = started.elapsed();
        if !status.success() {
            return Err(format!(
                "`cargo {}` failed ({status}):\n{log}",
                args.join(" ")
            ));
        }
        println!("  {:.2} s", elapsed.as_secs_f64());
        Ok((elapsed, demo_rustc_command(&log)))
    }
}

pub fn build_times() -> Result {
    let mut scratch = Scratch::create()?;
    let mut table = Vec::new();

    let cold = scratch.timed(&["build", "--example", "demo", "--timings"])?;
    let timings = scratch.target.join("cargo-timings/cargo-timing.html");
    let units = fs::read_to_string(&timings)
        .map(|html| unit_durations(&html))
        .map_err(|e| format!("cannot read {}: {e}", timings.display()))?;
    table.push((
        format!(
            "cold `cargo build --example demo` (empty target, {} units)",
            units.len()
        ),
        secs(cold),
    ));
    let release = env::var("BUILD_TIMES_RELEASE").is_ok_and(|v| v == "1");
    if release {
        let cold_release = scratch.timed(&["build", "--release", "--example", "demo"])?;
        table.push((
            "cold `cargo build --release --example demo`".to_owned(),
            secs(cold_release),
        ));
    }

    let (noop, _) = scratch.timed_verbose("no-op rebuild")?;
    table.push(("no-op rebuild (nothing changed)".to_owned(), secs(noop)));

    let mut runs: [Vec<Duration>; 2] = [Vec::new(), Vec::new()];
    let mut command = None;
    for round in 1..=REPEATS {
        for edit in [Edit::Auth, Edit::Handler] {
            scratch.edit(edit)?;
            let (elapsed, ran) =
                scratch.timed_verbose(&format!("{} ({round}/{REPEATS})", edit.label()))?;
            runs[edit as usize].push(elapsed);
            command = ran.or(command);
        }
    }
    for edit in [Edit::Auth, Edit::Handler] {
        let times = &runs[edit as usize];
        let each: Vec<String> = times
            .iter()
            .map(|t| format!("{:.2}", t.as_secs_f64()))
            .collect();
        table.push((
            format!(
                "incremental, {} (runs: {} s)",
                edit.label(),
                each.join(", ")
            ),
            format!("**{}** median", secs(median(times))),
        ));
    }

    let command = command.ok_or("cargo -vv never showed the demo's rustc command")?;
    let rustc = RustcCommand::parse(&command)?;
    let mut passes = Vec::new();
    // RUSTC_BOOTSTRAP changes an option rustc's incremental cache is keyed on: the first run
    // finds cargo's cache stale and compiles the whole crate; the edited runs after it reuse
    // its cache, as cargo's incremental rebuilds do.
    for edit in [None, Some(Edit::Auth), Some(Edit::Handler)] {
        let what = match edit {
            Some(edit) => {
                scratch.edit(edit)?;
                edit.label()
            }
            None => "unchanged, the whole crate (incremental cache discarded)",
        };
        step(&format!(
            "{what}: the demo's rustc command again, with RUSTC_BOOTSTRAP=1 -Z time-passes"
        ));
        let (elapsed, output) = rustc.run(&scratch.src, &["-Z", "time-passes"])?;
        let figures = time_passes(&output);
        if figures.is_empty() {
            return Err(format!("no time-passes output:\n{output}"));
        }
        println!("  {:.2} s", elapsed.as_secs_f64());
        passes.push(figures);
    }
    step("the demo's rustc command with RUSTC_BOOTSTRAP=1 -Z macro-stats");
    let (_, stats) = rustc.run(&scratch.src, &["-Z", "macro-stats"])?;
    let (auth_lines, auth_bytes, all_lines, all_bytes) =
        macro_stats(&stats).ok_or_else(|| format!("no `auth!` row in -Z macro-stats:\n{stats}"))?;

    print_tables(&table, &passes, &units);
    println!(
        "\n`-Z macro-stats`: `auth!` expands to {auth_lines} lines ({auth_bytes} bytes); every \
         macro in the demo together, {all_lines} lines ({all_bytes} bytes; nested expansions \
         count at each level)."
    );

    let kept = scratch.root.join("cargo-timing.html");
    fs::copy(&timings, &kept).map_err(|e| e.to_string())?;
    fs::remove_dir_all(&scratch.target).map_err(|e| e.to_string())?;
    println!(
        "\nThe cold build's `--timings` report: {} (scratch target removed).",
        kept.display()
    );
    Ok(())
}

fn secs(duration: Duration) -> String {
    format!("{:.2} s", duration.as_secs_f64())
}

fn median(times: &[Duration]) -> Duration {
    let mut sorted = times.to_vec();
    sorted.sort();
    sorted.get(sorted.len() / 2).copied().unwrap_or_default()
}

/// The demo's rustc invocation from `cargo build -vv`'s log: the text between the backticks
/// of its `Running` line, environment assignments first.
fn demo_rustc_command(log: &str) -> Option<String> {
    log.lines()
        .filter(|l| l.contains("--crate-name demo ") && l.contains("examples/demo.rs"))
        .filter_map(|l| {
            let start = l.find('`')? + 1;
            let end = l.rfind('`')?;
            (end > start).then(|| l[start..end].to_owned())
        })
        .next_back()
}

/// A rustc command cargo printed: its environment, program and arguments.
struct RustcCommand {
    envs: Vec<(String, String)>,
    program: String,
    args: Vec<String>,
}

impl RustcCommand {
    fn parse(command: &str) -> Result<RustcCommand> {
        let mut words = shell_words(command).into_iter().peekable();
        let mut envs = Vec::new();
        while let Some((key, value)) = words.peek().and_then(|w| assignment(w)) {
            envs.push((key, value));
            words.next();
        }
        let program = words.next().ok_or("an empty rustc command")?;
        // Plain diagnostics instead of cargo's JSON: nothing else about the compile changes.
        let args = words
            .filter(|a| !a.starts_with("--error-format=") && !a.starts_with("--json="))
            .collect();
        Ok(RustcCommand {
            envs,
            program,
            args,
        })
    }

    /// Runs it with `RUSTC_BOOTSTRAP=1` and `extra` flags; returns its time and stderr.
    fn run(&self, dir: &Path, extra: &[&str]) -> Result<(Duration, String)> {
        let started = Instant::now();
        let output = Command::new(&self.program)
            .args(&self.args)
            .args(extra)
            .envs(self.envs.iter().map(|(k, v)| (k, v)))
            .env("RUSTC_BOOTSTRAP", "1")
            .current_dir(dir)
            .output()
            .map_err(|e| format!("cannot run {}: {e}", self.program))?;
        let elapsed = started.elapsed();
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        if !output.status.success() {
            return Err(format!("rustc failed ({}):\n{stderr}", output.status));
        }
        Ok((elapsed, stderr))
    }
}

/// `KEY=value` at the head of a command line.
fn assignment(word: &str) -> Option<(String, String)> {
    let (key, value) = word.split_once('=')?;
    let is_name = !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
    is_name.then(|| (key.to_owned(), value.to_owned()))
}

/// Splits a command line as a POSIX shell would, for the quoting cargo prints: single
/// quotes, double quotes and backslashes.
fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                for q in chars.by_ref() {
                    if q == '\'' {
                        break;
                    }
                    word.push(q);
                }
            }
            '"' => {
                in_word = true;
                while let Some(q) = chars.next() {
                    match q {
                        '"' => break,
                        '\\' => word.extend(chars.next()),
                        _ => word.push(q),
                    }
                }
            }
            '\\' => {
                in_word = true;
                word.extend(chars.next());
            }
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    words
}

/// `-Z time-passes` lines, `time:   0.117; rss: …\texpand_crate`: each pass's first time.
fn time_passes(output: &str) -> Vec<(String, f64)> {
    let mut passes: Vec<(String, f64)> = Vec::new();
    for line in output.lines() {
        let Some(rest) = line.trim_start().strip_prefix("time:") else {
            continue;
        };
        let Some((seconds, _)) = rest.split_once(';') else {
            continue;
        };
        let (Ok(seconds), Some(name)) = (
            seconds.trim().parse::<f64>(),
            rest.split_whitespace().next_back(),
        ) else {
            continue;
        };
        if !passes.iter().any(|(n, _)| n == name) {
            passes.push((name.to_owned(), seconds));
        }
    }
    passes
}

/// `-Z macro-stats`: `auth!`'s lines and bytes, and the sums over every macro.
fn macro_stats(output: &str) -> Option<(u64, u64, u64, u64)> {
    let number = |s: &str| s.replace('_', "").parse::<u64>().ok();
    let mut auth = None;
    let (mut lines, mut bytes) = (0, 0);
    // A long macro name sits on its own line, its figures on the next.
    let mut name = String::new();
    for line in output.lines() {
        let Some(row) = line.strip_prefix("macro-stats") else {
            continue;
        };
        let fields: Vec<&str> = row.split_whitespace().collect();
        // … Uses Lines AvgLines Bytes AvgBytes
        let figures = match fields.len().checked_sub(5) {
            Some(at) => {
                let tail = &fields[at..];
                match (number(tail[0]), number(tail[1]), number(tail[3])) {
                    (Some(_), Some(l), Some(b)) => Some((at, l, b)),
                    _ => None,
                }
            }
            None => None,
        };
        match figures {
            Some((at, l, b)) => {
                if at > 0 {
                    name = fields[..at].join(" ");
                }
                if name == "auth!" {
                    auth = Some((l, b));
                }
                lines += l;
                bytes += b;
                name.clear();
            }
            None => name = fields.join(" "),
        }
    }
    auth.map(|(l, b)| (l, b, lines, bytes))
}

/// Each unit's own compile time from a `--timings` HTML report (its `UNIT_DATA` array,
/// pretty-printed one key a line): `(crate, version and target, seconds)`.
fn unit_durations(html: &str) -> Vec<(String, f64)> {
    let Some(start) = html.find("UNIT_DATA = [") else {
        return Vec::new();
    };
    let mut units = Vec::new();
    let (mut name, mut version, mut target) = (String::new(), String::new(), String::new());
    for line in html[start..].lines().skip(1) {
        let line = line.trim().trim_end_matches(',');
        if line == "];" {
            break;
        }
        let Some((key, value)) = line.split_once(": ") else {
            continue;
        };
        let text = value
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .unwrap_or(value)
            .replace("\\\"", "\"");
        match key {
            "\"name\"" => name = text,
            "\"version\"" => version = text,
            "\"target\"" => target = text,
            "\"duration\"" => {
                if let Ok(seconds) = value.parse::<f64>() {
                    units.push((format!("{name} {version}{target}"), seconds));
                }
            }
            _ => {}
        }
    }
    units
}

fn print_tables(
    table: &[(String, String)],
    passes: &[Vec<(String, f64)>],
    units: &[(String, f64)],
) {
    let rustc = Command::new("rustc")
        .arg("-V")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_else(|_| "rustc (unknown)".to_owned());
    let date = Command::new("date")
        .args(["-u", "+%Y-%m-%d %H:%M UTC"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());

    println!(
        "\n## Build times of `examples/demo.rs` ({cores} cores, {rustc}, {date}; debug profile \
         unless noted, wall time of one real run each)\n"
    );
    println!("| build | wall time |");
    println!("|---|---:|");
    for (what, time) in table {
        println!("| {what} | {time} |");
    }

    println!(
        "\n### The demo crate's own rustc run (`-Z time-passes`, seconds; one run each, \
         rustc alone, no cargo)\n"
    );
    println!(
        "| pass | whole crate (no incremental reuse) | after `auth!` edit | after handler edit |"
    );
    println!("|---|---:|---:|---:|");
    let find = |figures: &[(String, f64)], pass: &str| {
        figures
            .iter()
            .find(|(n, _)| n == pass)
            .map_or("–".to_owned(), |(_, s)| format!("{s:.3}"))
    };
    for (pass, label) in PASSES {
        let cells: Vec<String> = passes.iter().map(|f| find(f, pass)).collect();
        println!("| {label} | {} |", cells.join(" | "));
    }
    let runs = [
        "the whole crate's compile",
        "the incremental rebuild after the `auth!` edit",
        "the incremental rebuild after the handler edit",
    ];
    for (run, figures) in runs.iter().zip(passes) {
        let of = |pass: &str| figures.iter().find(|(n, _)| n == pass).map(|(_, s)| *s);
        if let (Some(expand), Some(total)) = (of("expand_crate"), of("total")) {
            println!(
                "\nIn {run}: macro expansion {expand:.3} s of rustc's {total:.3} s ({:.1} %).",
                100.0 * expand / total
            );
        }
    }

    let mut sorted = units.to_vec();
    sorted.sort_by(|a, b| b.1.total_cmp(&a.1));
    let serial: f64 = units.iter().map(|(_, s)| s).sum();
    println!(
        "\n### The cold build's slowest units (`--timings`; {} units, {serial:.1} s of unit \
         time in all)\n",
        units.len()
    );
    println!("| unit | seconds |");
    println!("|---|---:|");
    for (unit, seconds) in sorted.iter().take(8) {
        println!("| {unit} | {seconds:.2} |");
    }
    for wanted in ["auth-macros ", "syn ", "auth-runtime ", "auth-workspace "] {
        for (rank, (unit, seconds)) in sorted.iter().enumerate() {
            if unit.starts_with(wanted) && rank >= 8 {
                println!("| {unit} (#{}) | {seconds:.2} |", rank + 1);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_cargo_command_lines() {
        let words = shell_words(
            "CARGO_PKG_AUTHORS='' CARGO_PKG_LICENSE='MIT OR Apache-2.0' /bin/rustc \
             --check-cfg 'cfg(feature, values())' 'it'\\''s' a\\ b",
        );
        assert_eq!(
            words,
            [
                "CARGO_PKG_AUTHORS=",
                "CARGO_PKG_LICENSE=MIT OR Apache-2.0",
                "/bin/rustc",
                "--check-cfg",
                "cfg(feature, values())",
                "it's",
                "a b",
            ]
        );
        let command = RustcCommand::parse(
            "A=1 B='x y' /bin/rustc --crate-name demo --error-format=json --json=artifacts -C x",
        )
        .expect("parses");
        assert_eq!(
            command.envs,
            [
                ("A".to_owned(), "1".to_owned()),
                ("B".to_owned(), "x y".to_owned())
            ]
        );
        assert_eq!(command.program, "/bin/rustc");
        assert_eq!(command.args, ["--crate-name", "demo", "-C", "x"]);
    }

    #[test]
    fn reads_time_passes_and_macro_stats() {
        let passes = time_passes(
            "time:   0.117; rss:   46MB ->  176MB ( +130MB)\texpand_crate\n\
             warning: unused\n\
             time:  10.091; rss:   28MB ->  109MB (  +81MB)\ttotal\n",
        );
        assert_eq!(
            passes,
            [
                ("expand_crate".to_owned(), 0.117),
                ("total".to_owned(), 10.091)
            ]
        );
        let stats = "macro-stats Macro Name  Uses  Lines  Avg Lines  Bytes  Avg Bytes\n\
                     macro-stats ---------\n\
                     macro-stats auth!   1   132  132.0   6_448  6_448.0\n\
                     macro-stats ::tracing::__macro_support::format_args!\n\
                     macro-stats           6     8    1.3     524     87.3\n";
        assert_eq!(macro_stats(stats), Some((132, 6448, 140, 6972)));
    }

    #[test]
    fn reads_timings_units() {
        let html = r#"<script>
const UNIT_DATA = [
  {
    "name": "syn",
    "version": "2.0.119",
    "target": "",
    "duration": 4.5,
  },
  {
    "name": "auth-workspace",
    "version": "0.1.0",
    "target": " demo \"example\"",
    "duration": 7.25,
  }
];
"#;
        let units = unit_durations(html);
        assert_eq!(
            units,
            [
                ("syn 2.0.119".to_owned(), 4.5),
                ("auth-workspace 0.1.0 demo \"example\"".to_owned(), 7.25),
            ]
        );
    }

    #[test]
    fn median_of_three() {
        let times = [3, 1, 2].map(Duration::from_secs);
        assert_eq!(median(&times), Duration::from_secs(2));
    }
}
