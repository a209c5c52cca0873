//! The chart `cargo xtask bench` writes beside its table: requests per second of each server on
//! each endpoint, as horizontal bars grouped by endpoint, in a plain SVG (no script, no font
//! files) that GitHub and any browser show as an image.

use std::fmt::Write as _;

/// One bar: a server's median req/s on an endpoint.
pub struct Bar<'a> {
    pub endpoint: &'a str,
    pub server: &'a str,
    pub requests_per_sec: f64,
}

const WIDTH: f64 = 900.0;
const LABEL_WIDTH: f64 = 250.0;
const BAR_HEIGHT: f64 = 16.0;
const BAR_GAP: f64 = 4.0;
const GROUP_GAP: f64 = 18.0;
const TOP: f64 = 40.0;
/// One colour per server, in order of first appearance (colour-blind safe: Okabe–Ito, and Tol's
/// wine for the ninth).
const COLOURS: &[&str] = &[
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000",
    "#882255",
];

/// The SVG of `bars` under `title`, endpoints in order of first appearance.
pub fn svg(title: &str, bars: &[Bar<'_>]) -> String {
    let mut endpoints: Vec<&str> = Vec::new();
    let mut servers: Vec<&str> = Vec::new();
    for bar in bars {
        if !endpoints.contains(&bar.endpoint) {
            endpoints.push(bar.endpoint);
        }
        if !servers.contains(&bar.server) {
            servers.push(bar.server);
        }
    }
    let max = bars
        .iter()
        .map(|b| b.requests_per_sec)
        .fold(0.0_f64, f64::max)
        .max(1.0);
    let scale = (WIDTH - LABEL_WIDTH - 90.0) / max;
    let mut body = String::new();
    let mut y = TOP;
    for endpoint in &endpoints {
        let _ = writeln!(
            body,
            r#"<text x="8" y="{:.0}" font-weight="bold">{}</text>"#,
            y + 12.0,
            escape(endpoint)
        );
        y += BAR_HEIGHT + BAR_GAP;
        for bar in bars.iter().filter(|b| b.endpoint == *endpoint) {
            let colour = servers
                .iter()
                .position(|s| *s == bar.server)
                .map_or("#777777", |i| COLOURS[i % COLOURS.len()]);
            let width = (bar.requests_per_sec * scale).max(1.0);
            let _ = writeln!(
                body,
                r#"<text x="{:.0}" y="{:.0}" text-anchor="end">{}</text><rect x="{LABEL_WIDTH:.0}" y="{y:.0}" width="{width:.1}" height="{BAR_HEIGHT:.0}" fill="{colour}"/><text x="{:.1}" y="{:.0}">{:.0}</text>"#,
                LABEL_WIDTH - 6.0,
                y + 12.0,
                escape(bar.server),
                LABEL_WIDTH + width + 4.0,
                y + 12.0,
                bar.requests_per_sec,
            );
            y += BAR_HEIGHT + BAR_GAP;
        }
        y += GROUP_GAP;
    }
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH:.0}" height="{height:.0}" viewBox="0 0 {WIDTH:.0} {height:.0}" font-family="system-ui, sans-serif" font-size="12">
<rect width="100%" height="100%" fill="#ffffff"/>
<text x="8" y="20" font-size="14" font-weight="bold">{title}</text>
{body}</svg>
"##,
        height = y + 10.0,
        title = escape(title),
    )
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_are_grouped_by_endpoint_scaled_to_the_fastest_and_escaped() {
        let bars = [
            Bar {
                endpoint: "/csrf",
                server: "bare axum",
                requests_per_sec: 100_000.0,
            },
            Bar {
                endpoint: "/csrf",
                server: "demo <rust>",
                requests_per_sec: 50_000.0,
            },
            Bar {
                endpoint: "/session",
                server: "bare axum",
                requests_per_sec: 80_000.0,
            },
        ];
        let svg = svg("req/s & more", &bars);
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(svg.contains("req/s &amp; more"));
        assert!(svg.contains("demo &lt;rust&gt;"));
        assert!(!svg.contains("<rust>"));
        assert_eq!(svg.matches("<rect x=").count(), 3);
        // The fastest bar spans the plot; half the rate, half the width.
        let full = (WIDTH - LABEL_WIDTH - 90.0) as u64;
        assert!(svg.contains(&format!("width=\"{full}.0\"")), "{svg}");
        assert!(
            svg.contains(&format!("width=\"{:.1}\"", full as f64 / 2.0)),
            "{svg}"
        );
        // One colour per server: bare axum's twice.
        assert_eq!(svg.matches(COLOURS[0]).count(), 2);
        // `/csrf` comes first, as it came first.
        assert!(svg.find("/csrf").unwrap() < svg.find("/session").unwrap());
    }
}
