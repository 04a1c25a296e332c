//! `entra-sim`: runs the stand-in alone until interrupted. `entra-sim --help` lists the options.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::process::ExitCode;
use std::time::Duration;

use entra_sim::{Approval, Clock, Seed, SimConfig};

const USAGE: &str = "\
usage: entra-sim [options]

  --port N                 port to listen on (default 3100; 0 picks a free one)
  --host IP                address to bind (default 127.0.0.1)
  --public-url URL         base URL clients use, if not http://HOST:PORT (e.g. behind a proxy)
  --tenant GUID            tenant id (default 9c2f3d71-5b8e-4a6c-8f0d-3e7b1a2c4d59)
  --client-id ID           client id of the registered web app
  --client-secret SECRET   its client secret
  --redirect-uri URI       an allowed redirect URI (repeatable; default: any http://127.0.0.1:*/ or
                           http://localhost:*/ callback)
  --control                serve the control API under /_control
  --seed standard|large    inventory to serve (default standard)
  --large-actions N        actions per generated system with --seed large (default 50000)
  --large-identities N     identities per generated system with --seed large (default 10000)
  --approve-after SECS     approve requests automatically after SECS simulated seconds (default 10)
  --manual-approval        hold requests in 'submitted' until the control API decides
  --provisioning-delay S   simulated seconds from granting to granted, revoking to revoked (default 0)
  --clock-speed X          simulated seconds per real second (default 1)
  --token-lifetime SECS    access and ID token lifetime (default 3600)
  --page-size N            items per page without $top (default 100)
  --fault-seed N           seed for fault injection (default 24301)
  --help                   this text
";

fn parse(args: impl Iterator<Item = String>) -> Result<Option<SimConfig>, String> {
    let mut cfg = SimConfig::default();
    let mut host: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);
    let mut port: u16 = 3100;
    let mut large_actions = 50_000;
    let mut large_identities = 10_000;
    let mut large = false;
    let mut speed = 1.0;
    let mut args = args.peekable();
    fn value<T: std::str::FromStr>(flag: &str, v: Option<String>) -> Result<T, String> {
        let v = v.ok_or_else(|| format!("{flag} needs a value"))?;
        v.parse().map_err(|_| format!("{flag}: '{v}' is not valid"))
    }
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--help" | "-h" => return Ok(None),
            "--port" => port = value(&arg, args.next())?,
            "--host" => host = value(&arg, args.next())?,
            "--public-url" => cfg.public_base_url = Some(value(&arg, args.next())?),
            "--tenant" => cfg.tenant_id = value(&arg, args.next())?,
            "--client-id" => {
                let id: String = value(&arg, args.next())?;
                for c in &mut cfg.clients {
                    c.client_id = id.clone();
                }
            }
            "--client-secret" => {
                let s: String = value(&arg, args.next())?;
                for c in &mut cfg.clients {
                    c.client_secret = s.clone();
                }
            }
            "--redirect-uri" => {
                let u: String = value(&arg, args.next())?;
                for c in &mut cfg.clients {
                    c.redirect_uris.push(u.clone());
                }
            }
            "--control" => cfg.control = true,
            "--seed" => match value::<String>(&arg, args.next())?.as_str() {
                "standard" => large = false,
                "large" => large = true,
                other => return Err(format!("--seed: '{other}' is not standard or large")),
            },
            "--large-actions" => large_actions = value(&arg, args.next())?,
            "--large-identities" => large_identities = value(&arg, args.next())?,
            "--approve-after" => {
                cfg.approval = Approval::AutoAfter(Duration::from_secs(value(&arg, args.next())?))
            }
            "--manual-approval" => cfg.approval = Approval::Manual,
            "--provisioning-delay" => {
                cfg.provisioning_delay = Duration::from_secs(value(&arg, args.next())?)
            }
            "--clock-speed" => speed = value(&arg, args.next())?,
            "--token-lifetime" => {
                let secs: u64 = value(&arg, args.next())?;
                cfg.access_token_lifetime = Duration::from_secs(secs);
                cfg.id_token_lifetime = Duration::from_secs(secs);
            }
            "--page-size" => cfg.page_size = value(&arg, args.next())?,
            "--fault-seed" => cfg.fault_seed = value(&arg, args.next())?,
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    if !(speed >= 0.0 && f64::is_finite(speed)) {
        return Err("--clock-speed must be a number >= 0".into());
    }
    if cfg.page_size == 0 {
        return Err("--page-size must be at least 1".into());
    }
    cfg.clock = Clock::starting_at(time::OffsetDateTime::now_utc(), speed);
    cfg.addr = SocketAddr::new(host, port);
    if large {
        cfg.seed = Seed::Large {
            actions_per_system: large_actions,
            identities_per_system: large_identities,
        };
    }
    Ok(Some(cfg))
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();

    let cfg = match parse(std::env::args().skip(1)) {
        Ok(Some(cfg)) => cfg,
        Ok(None) => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("{e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let addr = cfg.addr;
    let sim = match entra_sim::start(cfg).await {
        Ok(sim) => sim,
        Err(e) => {
            eprintln!("cannot start on {addr}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let client = sim
        .client()
        .map(|c| c.client_id.clone())
        .unwrap_or_default();
    tracing::info!(
        base = %sim.base_url(),
        authority = %sim.authority(),
        graph = %sim.graph_base_url(),
        graph_v1 = %sim.graph_v1_base_url(),
        client_id = %client,
        "entra-sim listening"
    );
    let _ = tokio::signal::ctrl_c().await;
    sim.shutdown().await;
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> impl Iterator<Item = String> {
        a.iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>()
            .into_iter()
    }

    #[test]
    fn every_option_reaches_the_config() {
        let cfg = parse(args(&[
            "--port",
            "3200",
            "--control",
            "--seed",
            "large",
            "--large-actions",
            "10",
            "--large-identities",
            "5",
            "--manual-approval",
            "--provisioning-delay",
            "7",
            "--client-id",
            "abc",
            "--client-secret",
            "s3cret",
            "--redirect-uri",
            "https://portal.example/cb",
            "--token-lifetime",
            "60",
            "--page-size",
            "5",
            "--public-url",
            "https://sim.example/",
            "--tenant",
            "t-1",
        ]))
        .unwrap()
        .unwrap();
        assert_eq!(cfg.addr.port(), 3200);
        assert!(cfg.control);
        assert_eq!(
            cfg.seed,
            Seed::Large {
                actions_per_system: 10,
                identities_per_system: 5
            }
        );
        assert_eq!(cfg.approval, Approval::Manual);
        assert_eq!(cfg.provisioning_delay, Duration::from_secs(7));
        assert_eq!(cfg.clients[0].client_id, "abc");
        assert_eq!(cfg.clients[0].client_secret, "s3cret");
        assert_eq!(
            cfg.clients[0].redirect_uris,
            vec!["https://portal.example/cb".to_string()]
        );
        assert_eq!(cfg.access_token_lifetime, Duration::from_secs(60));
        assert_eq!(cfg.page_size, 5);
        assert_eq!(cfg.public_base_url.as_deref(), Some("https://sim.example/"));
        assert_eq!(cfg.tenant_id, "t-1");
    }

    #[test]
    fn bad_arguments_are_explained() {
        assert!(parse(args(&["--port"]))
            .unwrap_err()
            .contains("--port needs a value"));
        assert!(parse(args(&["--port", "x"]))
            .unwrap_err()
            .contains("not valid"));
        assert!(parse(args(&["--seed", "huge"])).is_err());
        assert!(parse(args(&["--clock-speed", "-2"])).is_err());
        assert!(parse(args(&["--page-size", "0"])).is_err());
        assert!(parse(args(&["--frobnicate"]))
            .unwrap_err()
            .contains("unknown argument"));
        assert!(parse(args(&["--help"])).unwrap().is_none());
    }
}
