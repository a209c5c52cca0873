//! `cargo xtask mutants [--file PATH]…`: cargo-mutants over the security-critical code, with
//! the runtime's own tests (its unit tests and `auth-runtime/tests/`, hermetic: no database,
//! Node or browser). Prints caught, missed, timed-out and unviable mutants, the share of the
//! viable ones caught, and every survivor; fails below [`TARGET_PERCENT`]. On demand only: a
//! full run rebuilds the runtime once per mutant.

use std::process::Command;

use crate::{Result, cargo_program, step, workspace_root};

/// cargo-mutants, pinned so the figures in SECURITY.md stay comparable.
const CARGO_MUTANTS_VERSION: &str = "27.1.0";

/// The share of viable mutants the tests must catch.
const TARGET_PERCENT: f64 = 90.0;

/// The code whose every changed comparison or flipped condition a test must notice: CSRF,
/// the callbackUrl rule, the session token and the check cookies, cookies and their chunks,
/// OAuth state, PKCE and nonce and the ID token, email normalisation and tokens, throttling,
/// and the route dispatch.
const SECURITY_FILES: &[&str] = &[
    "auth-runtime/src/csrf.rs",
    "auth-runtime/src/callback_url.rs",
    "auth-runtime/src/jwe.rs",
    "auth-runtime/src/cookies.rs",
    "auth-runtime/src/text.rs",
    "auth-runtime/src/routes/checks.rs",
    "auth-runtime/src/oauth/pkce.rs",
    "auth-runtime/src/oauth/id_token.rs",
    "auth-runtime/src/email/normalize.rs",
    "auth-runtime/src/email/token.rs",
    "auth-runtime/src/throttle/mod.rs",
    "auth-runtime/src/throttle/memory.rs",
    "auth-runtime/src/routes/mod.rs",
];

pub fn mutants(args: &[String]) -> Result {
    let mut files: Vec<String> = Vec::new();
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--file" => files.push(rest.next().ok_or("--file needs a path")?.clone()),
            other => return Err(format!("unknown argument `{other}`; expected --file PATH")),
        }
    }
    if files.is_empty() {
        files = SECURITY_FILES.iter().map(|f| (*f).to_owned()).collect();
    }
    ensure_cargo_mutants()?;
    let output = workspace_root().join("target").join("mutants");
    let mut command = Command::new(cargo_program());
    command
        .args(["mutants", "--package", "auth-runtime"])
        // The passkey routes are dispatched from `routes/mod.rs`; without the feature their
        // arms are compiled out and their mutants could only be missed.
        .args(["--features", "passkeys"])
        // No debug info (the `mutants` profile in Cargo.toml): each mutant links faster.
        .args(["--profile", "mutants", "--no-shuffle"])
        // The unit tests and auth-runtime/tests/; the doc tests are examples, compiled one by
        // one, which would add minutes to every mutant and check nothing they do not.
        .args(["--cargo-test-arg=--lib", "--cargo-test-arg=--tests"])
        .arg("--output")
        .arg(&output)
        .current_dir(workspace_root())
        // A clean copy builds once; incremental caches would only take disk.
        .env("CARGO_INCREMENTAL", "0");
    for file in &files {
        command.args(["--file", file]);
    }
    step(&format!("cargo mutants on {}", files.join(", ")));
    // cargo-mutants exits non-zero when a mutant survives: the figures decide below.
    let status = command
        .status()
        .map_err(|e| format!("cannot run cargo mutants: {e}"))?;
    let outcomes = output.join("mutants.out").join("outcomes.json");
    let text = std::fs::read_to_string(&outcomes).map_err(|e| {
        format!(
            "cargo mutants ({status}) left no {}: {e}",
            outcomes.display()
        )
    })?;
    let figures = Figures::read(&text)?;
    let missed =
        std::fs::read_to_string(output.join("mutants.out").join("missed.txt")).unwrap_or_default();
    println!(
        "\nmutants: {} caught, {} missed, {} timed out, {} unviable; {:.1}% of the viable caught (target {TARGET_PERCENT}%)",
        figures.caught,
        figures.missed,
        figures.timeout,
        figures.unviable,
        figures.caught_percent()
    );
    if !missed.is_empty() {
        println!("survivors (kill each with a test, or write it down as equivalent):\n{missed}");
    }
    if figures.caught_percent() < TARGET_PERCENT {
        return Err(format!(
            "{:.1}% of the viable mutants caught, below the {TARGET_PERCENT}% target",
            figures.caught_percent()
        ));
    }
    Ok(())
}

/// The counts of `mutants.out/outcomes.json`.
#[derive(Debug, PartialEq)]
struct Figures {
    caught: u64,
    missed: u64,
    timeout: u64,
    unviable: u64,
}

impl Figures {
    fn read(outcomes_json: &str) -> Result<Figures> {
        let value: serde_json::Value = serde_json::from_str(outcomes_json)
            .map_err(|e| format!("outcomes.json is not JSON: {e}"))?;
        let count = |key: &str| {
            value[key]
                .as_u64()
                .ok_or_else(|| format!("outcomes.json has no count `{key}`"))
        };
        Ok(Figures {
            caught: count("caught")?,
            missed: count("missed")?,
            timeout: count("timeout")?,
            unviable: count("unviable")?,
        })
    }

    /// Caught among the viable ones; a timeout counts as not caught, the stricter reading.
    fn caught_percent(&self) -> f64 {
        let viable = self.caught + self.missed + self.timeout;
        if viable == 0 {
            return 100.0;
        }
        self.caught as f64 * 100.0 / viable as f64
    }
}

fn ensure_cargo_mutants() -> Result {
    let installed = Command::new(cargo_program())
        .args(["mutants", "--version"])
        .output()
        .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).contains(CARGO_MUTANTS_VERSION));
    if installed {
        return Ok(());
    }
    step(&format!("installing cargo-mutants {CARGO_MUTANTS_VERSION}"));
    let status = Command::new(cargo_program())
        .args([
            "install",
            "cargo-mutants",
            "--locked",
            "--version",
            CARGO_MUTANTS_VERSION,
        ])
        .status()
        .map_err(|e| format!("cannot run cargo install: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`cargo install cargo-mutants` failed ({status})"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_share_caught_counts_timeouts_as_survivors_and_ignores_unviable_mutants() {
        let figures = Figures::read(
            r#"{"total_mutants": 20, "caught": 9, "missed": 0, "timeout": 1, "unviable": 10}"#,
        )
        .unwrap();
        assert_eq!(
            figures,
            Figures {
                caught: 9,
                missed: 0,
                timeout: 1,
                unviable: 10
            }
        );
        assert!((figures.caught_percent() - 90.0).abs() < 1e-9);
        assert!(Figures::read(r#"{"caught": 1}"#).is_err());
    }
}
