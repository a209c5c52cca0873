//! A server's CPU time and memory from Linux's `/proc`, for the bench and the soak.

use std::process::Command;

use crate::Result;

/// Clock ticks per second, the unit of `/proc/<pid>/stat`'s CPU times (`getconf CLK_TCK`;
/// 100, Linux's `USER_HZ`, when it cannot be asked).
pub fn clock_ticks() -> f64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| {
            String::from_utf8_lossy(&o.stdout)
                .trim()
                .parse::<f64>()
                .ok()
        })
        .filter(|t| *t > 0.0)
        .unwrap_or(100.0)
}

/// A process's CPU time so far (user + system), in clock ticks; `pid` may be `self`.
pub fn cpu_ticks(pid: &str) -> Result<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map_err(|e| format!("cannot read /proc/{pid}/stat: {e}"))?;
    parse_cpu_ticks(&stat).ok_or_else(|| format!("cannot read the CPU times in /proc/{pid}/stat"))
}

/// `utime + stime` (fields 14 and 15) of a `/proc/<pid>/stat` line; the command name in
/// parentheses may hold spaces, so fields are counted after its closing parenthesis.
fn parse_cpu_ticks(stat: &str) -> Option<u64> {
    let rest = &stat[stat.rfind(')')? + 1..];
    let mut fields = rest.split_whitespace().skip(11);
    let utime: u64 = fields.next()?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some(utime + stime)
}

/// A process's memory and threads at one moment, from `/proc/<pid>/status`.
#[derive(Clone, Copy, Default)]
pub struct Memory {
    /// `VmRSS`, in kB.
    pub rss_kb: u64,
    /// `VmHWM`, the peak resident set, in kB.
    pub hwm_kb: u64,
    pub threads: u64,
}

pub fn memory(pid: u32) -> Result<Memory> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .map_err(|e| format!("cannot read /proc/{pid}/status (did the process exit?): {e}"))?;
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .ok_or_else(|| format!("no {name} in /proc/{pid}/status"))
    };
    Ok(Memory {
        rss_kb: field("VmRSS:")?,
        hwm_kb: field("VmHWM:")?,
        threads: field("Threads:")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_cpu_times_after_a_command_name_with_spaces_and_parentheses() {
        let stat =
            "4242 (my (odd) server) S 1 4242 4242 0 -1 4194560 900 0 0 0 1234 567 0 0 20 0 3 0";
        assert_eq!(parse_cpu_ticks(stat), Some(1234 + 567));
        assert_eq!(parse_cpu_ticks("garbage"), None);
    }

    #[test]
    fn reads_this_process() {
        assert!(cpu_ticks("self").is_ok());
        let memory = memory(std::process::id()).expect("our own /proc status");
        assert!(memory.rss_kb > 0 && memory.hwm_kb >= memory.rss_kb && memory.threads > 0);
    }
}
