//! The tools a test's peer needs (Node.js and a project's `node_modules`, Python's aiosmtpd):
//! checked before the peer starts, so that a plain `cargo test` on a machine without one fails
//! at once with one line naming what is missing and the command that provides it, not with a
//! peer's timeout or a panic deep in a harness.
//!
//! What can be installed without root (`npm ci`, `pip install`) is installed on first use, once
//! per test process, as `cargo xtask test` would.

use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use crate::peer::install_once;
use crate::{peers_dir, workspace_root};

/// Makes sure `node` runs and the Node project `dir` has its `node_modules`, running `npm ci`
/// there when it is missing (a fresh clone: it is never committed), at most once per `done`.
/// `needed_by` names the tests, for the message. Panics with one line when Node.js or npm is
/// missing or the install fails.
#[track_caller]
pub fn require_node(done: &OnceLock<Result<(), String>>, dir: &Path, needed_by: &str) {
    let npm_ci = format!("npm ci --prefix {}", shown(dir));
    if !runs("node", &["--version"]) {
        panic!(
            "Node.js is not on PATH: {needed_by} need Node.js 20 or later with npm; install \
             them (Debian: `apt-get install nodejs npm`), then run `{npm_ci}`, or run \
             `cargo xtask test`, which installs the packages"
        );
    }
    let lockfile = dir.join("package-lock.json");
    if !lockfile.is_file() {
        panic!(
            "{} has no package-lock.json, so `{npm_ci}` cannot install what {needed_by} need",
            shown(dir)
        );
    }
    // npm writes `node_modules/.package-lock.json` last, so it marks a whole install.
    let installed = || dir.join("node_modules/.package-lock.json").is_file();
    install_once(done, &lockfile, installed, || {
        let output = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(dir)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| {
                format!(
                    "cannot run `npm` ({e}): {needed_by} need the packages of {}; install npm \
                     (Debian: `apt-get install npm`), then run `{npm_ci}`",
                    shown(dir)
                )
            })?;
        if output.status.success() {
            Ok(())
        } else {
            Err(format!(
                "`{npm_ci}` failed ({}: {}); {needed_by} need its packages",
                output.status,
                last_line(&output.stderr)
            ))
        }
    });
}

/// Makes sure `python3 -c "import aiosmtpd"` works, for the SMTP sink, installing
/// `tests/peers/requirements.txt` with pip first when it does not (once per test process).
/// Panics with one line when Python, pip or the install fails.
#[track_caller]
pub fn require_aiosmtpd() {
    static INSTALLED: OnceLock<Result<(), String>> = OnceLock::new();
    let requirements = peers_dir().join("requirements.txt");
    let pip_install = format!("python3 -m pip install -r {}", shown(&requirements));
    let imports_aiosmtpd = || runs("python3", &["-c", "import aiosmtpd"]);
    install_once(&INSTALLED, &requirements, imports_aiosmtpd, || {
        if !runs("python3", &["--version"]) {
            return Err(format!(
                "python3 is not on PATH: the SMTP tests need Python 3.8 or later with aiosmtpd; \
                 install it (Debian: `apt-get install python3 python3-pip`), then run \
                 `{pip_install}`"
            ));
        }
        if !runs("python3", &["-m", "pip", "--version"]) {
            return Err(format!(
                "the SMTP tests need the Python package aiosmtpd, and `python3 -m pip` is not \
                 there to install it: run `apt-get install python3-pip`, then `{pip_install}` \
                 (or `pip install aiosmtpd`)"
            ));
        }
        let output = Command::new("python3")
            .args(["-m", "pip", "install", "--disable-pip-version-check", "-r"])
            .arg(&requirements)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("cannot run `python3 -m pip` ({e}); run `{pip_install}`"))?;
        if output.status.success() && imports_aiosmtpd() {
            Ok(())
        } else {
            Err(format!(
                "the SMTP tests need the Python package aiosmtpd, and `{pip_install}` failed \
                 ({}: {}); install it with `pip install aiosmtpd`, or run `cargo xtask test`, \
                 which installs it",
                output.status,
                last_line(&output.stderr)
            ))
        }
    });
}

/// Debian's Chromium for the browser tests: `$CHROMIUM`, or `/usr/bin/chromium`. Panics with one
/// line when it is not there (it needs root to install, so only `cargo xtask test` installs it).
#[track_caller]
pub fn require_chromium(needed_by: &str) -> std::path::PathBuf {
    let path = std::env::var_os("CHROMIUM")
        .map_or_else(|| "/usr/bin/chromium".into(), std::path::PathBuf::from);
    if !path.is_file() {
        panic!(
            "no Chromium at {}: {needed_by} need Debian's chromium (`apt-get install chromium`, \
             or set CHROMIUM to its binary); `cargo xtask test` installs it",
            path.display()
        );
    }
    path
}

/// Whether `program args` starts and exits successfully, its output discarded.
fn runs(program: &str, args: &[&str]) -> bool {
    Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

/// `path` relative to the workspace root when it is below it (the form a command is typed in).
fn shown(path: &Path) -> String {
    let root = workspace_root();
    path.strip_prefix(&root)
        .unwrap_or(path)
        .display()
        .to_string()
}

/// The last non-empty line of a tool's stderr: what it said last, kept to one line.
fn last_line(stderr: &[u8]) -> String {
    String::from_utf8_lossy(stderr)
        .lines()
        .map(str::trim)
        .rfind(|line| !line.is_empty())
        .unwrap_or("no output")
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_below_the_workspace_is_shown_as_typed_there() {
        assert_eq!(shown(&peers_dir()), "tests/peers");
        assert_eq!(shown(Path::new("/elsewhere/app")), "/elsewhere/app");
    }

    #[test]
    fn a_failed_tool_is_quoted_by_its_last_line() {
        assert_eq!(
            last_line(b"Collecting aiosmtpd\nERROR: No matching distribution\n\n"),
            "ERROR: No matching distribution"
        );
        assert_eq!(last_line(b""), "no output");
    }

    #[test]
    fn a_missing_program_does_not_run() {
        assert!(!runs("auth-test-support-no-such-program", &[]));
    }

    #[test]
    fn a_directory_without_a_node_project_fails_in_one_line_naming_npm_ci() {
        let done = OnceLock::new();
        let dir = std::env::temp_dir().join(format!("auth-no-node-project-{}", std::process::id()));
        let panic = std::panic::catch_unwind(|| require_node(&done, &dir, "these tests"))
            .expect_err("no package-lock.json to install from");
        let message = panic.downcast_ref::<String>().cloned().unwrap_or_default();
        assert!(!message.contains('\n'), "one line: {message}");
        assert!(message.contains("npm ci --prefix"), "{message}");
    }
}
