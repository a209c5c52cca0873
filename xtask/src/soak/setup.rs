//! What a soak run prepares before the load: the open-files limit, a signed-in session,
//! next-auth's own tokens (fresh, expired, foreign) and sessions expired in the database.

use std::path::Path;
use std::process::Command;

use auth_test_support::DEFAULT_POSTGRES_URL;

use super::mix::Plan;
use super::{OTHER_SECRET, SECRET, SESSION_COOKIE, SPARE_FILES, Target};
use crate::http::{self, request};
use crate::{Result, workspace_root};

/// `next-auth.csrf-token=…` and its token, from a fresh visit.
pub(super) fn csrf(port: u16) -> Result<(String, String)> {
    let visit = http::csrf(port, "/api/auth")?;
    Ok((
        visit.cookie("next-auth.csrf-token")?.to_owned(),
        visit.token,
    ))
}

/// Signs in as demo/demo; returns `next-auth.session-token=…`.
pub(super) fn sign_in(port: u16, csrf_cookie: &str, csrf_token: &str) -> Result<String> {
    let answer = request(
        port,
        "POST",
        "/api/auth/callback/credentials",
        csrf_cookie,
        &format!("csrfToken={csrf_token}&username=demo&password=demo&json=true"),
    )?;
    answer
        .set_cookie(SESSION_COOKIE)
        .map(str::to_owned)
        .ok_or_else(|| {
            format!(
                "signing in as demo/demo set no session cookie ({})",
                answer.status
            )
        })
}

/// next-auth@4's `encode` under the demo's secret (fresh and expired) and under another one,
/// each as `next-auth.session-token=…`.
pub(super) fn mint_demo_tokens() -> Result<[String; 3]> {
    pub(super) const SCRIPT: &str = r#"
import { createRequire } from 'node:module';
pub(super) const require = createRequire(`${process.cwd()}/`);
pub(super) const { encode } = require('next-auth/jwt');
pub(super) const token = { name: 'Demo User', email: 'demo@example.com', sub: '1' };
pub(super) const { SOAK_SECRET: secret, SOAK_OTHER_SECRET: other } = process.env;
console.log(await encode({ token, secret, maxAge: 3600 }));
console.log(await encode({ token, secret, maxAge: -3600 }));
console.log(await encode({ token, secret: other, maxAge: 3600 }));
"#;
    let output = Command::new("node")
        .args(["--input-type=module", "-e", SCRIPT])
        .current_dir(workspace_root().join("tests/interop/clients/v4"))
        .env("SOAK_SECRET", SECRET)
        .env("SOAK_OTHER_SECRET", OTHER_SECRET)
        .output()
        .map_err(|e| format!("cannot run node: {e}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let tokens: Vec<String> = stdout
        .lines()
        .map(|t| format!("{SESSION_COOKIE}={}", t.trim()))
        .collect();
    match <[String; 3]>::try_from(tokens) {
        Ok(tokens) if output.status.success() => Ok(tokens),
        _ => Err(format!(
            "next-auth's encode failed: {}",
            String::from_utf8_lossy(&output.stderr)
        )),
    }
}

/// `count` real sessions (signed in as demo/demo), then expired in the database itself.
pub(super) fn expired_sessions(
    target: Target,
    plan: &Plan,
    count: usize,
    sqlite_file: &Path,
) -> Result<Vec<String>> {
    let mut cookies = Vec::with_capacity(count);
    for _ in 0..count {
        cookies.push(sign_in(plan.port, &plan.csrf_cookie, &plan.csrf_token)?);
    }
    let tokens: Vec<&str> = cookies
        .iter()
        .map(|c| c.split_once('=').map_or("", |(_, v)| v))
        .collect();
    if let Some(bad) = tokens
        .iter()
        .find(|t| t.is_empty() || !t.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-'))
    {
        return Err(format!(
            "a database session token is not a UUID ({} characters)",
            bad.len()
        ));
    }
    let updated = match target {
        Target::Sqlite => {
            // Keeps the adapter's text format: only the year changes (to 2000).
            const SCRIPT: &str = r#"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], timeout=30)
with db:
    cursor = db.executemany(
        'UPDATE sessions SET expires = \'2000\' || substr(expires, 5) WHERE "sessionToken" = ?',
        [(t,) for t in sys.argv[2:]],
    )
print(cursor.rowcount)
"#;
            let mut command = Command::new("python3");
            command.args(["-c", SCRIPT]).arg(sqlite_file).args(&tokens);
            command_output(command, "python3 (sqlite3)")?
        }
        Target::Postgres => {
            let list: Vec<String> = tokens.iter().map(|t| format!("'{t}'")).collect();
            let sql = format!(
                "UPDATE sessions SET expires = now() - interval '1 hour' \
                 WHERE \"sessionToken\" IN ({})",
                list.join(",")
            );
            // psql -qtA prints nothing for an UPDATE; count the rows back instead.
            psql(&sql)?;
            let count_sql = format!(
                "SELECT count(*) FROM sessions WHERE expires < now() AND \"sessionToken\" IN ({})",
                list.join(",")
            );
            psql(&count_sql)?
        }
        Target::Demo => return Err("the demo has no database".to_owned()),
    };
    if updated.trim() != count.to_string() {
        return Err(format!(
            "expired {} of {count} sessions in the database",
            updated.trim()
        ));
    }
    Ok(cookies)
}

/// `psql -qtA -c <sql>` on the test database, its output.
fn psql(sql: &str) -> Result<String> {
    let mut command = Command::new("psql");
    command.args([
        DEFAULT_POSTGRES_URL,
        "-qtA",
        "-v",
        "ON_ERROR_STOP=1",
        "-c",
        sql,
    ]);
    command_output(command, "psql")
}

pub(super) fn command_output(mut command: Command, name: &str) -> Result<String> {
    let output = command
        .output()
        .map_err(|e| format!("cannot run {name}: {e}"))?;
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    } else {
        Err(format!(
            "{name} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

/// Raises the soft open-files limit to what client and server need (the server inherits it),
/// up to the hard limit, with util-linux's `prlimit` on this process.
pub(super) fn raise_open_files_limit(connections: usize) -> Result {
    let needed = connections as u64 + SPARE_FILES;
    let (soft, hard) = open_files_limit()?;
    if soft >= needed {
        return Ok(());
    }
    if hard >= needed {
        let _ = Command::new("prlimit")
            .arg(format!("--pid={}", std::process::id()))
            .arg(format!("--nofile={needed}:{hard}"))
            .status();
        let (soft, _) = open_files_limit()?;
        if soft >= needed {
            println!("raised the open-files limit from {soft} to {needed}");
            return Ok(());
        }
    }
    Err(format!(
        "the open-files limit is {soft} (hard {hard}); {connections} connections need at \
         least {needed} on each side: run `ulimit -n {needed}` (as root if the hard limit is \
         lower) and try again, or pass a smaller `--connections`"
    ))
}

/// The soft and hard `Max open files` of this process (`/proc/self/limits`).
pub(super) fn open_files_limit() -> Result<(u64, u64)> {
    let limits = std::fs::read_to_string("/proc/self/limits")
        .map_err(|e| format!("cannot read /proc/self/limits: {e}"))?;
    let line = limits
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .ok_or("no `Max open files` in /proc/self/limits")?;
    let mut numbers = line["Max open files".len()..].split_whitespace().map(|n| {
        if n == "unlimited" {
            Some(u64::MAX)
        } else {
            n.parse().ok()
        }
    });
    match (numbers.next().flatten(), numbers.next().flatten()) {
        (Some(soft), Some(hard)) => Ok((soft, hard)),
        _ => Err(format!("cannot read the open-files limit: {line}")),
    }
}
