//! `entra-sim [--port N]`: runs the stand-in until interrupted.
use std::net::{Ipv4Addr, SocketAddr};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info".into()),
        )
        .init();

    let mut port: u16 = 3100;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--port" => match args.next().and_then(|p| p.parse().ok()) {
                Some(p) => port = p,
                None => {
                    eprintln!("--port needs a number, e.g. --port 3100");
                    return std::process::ExitCode::from(2);
                }
            },
            other => {
                eprintln!("unknown argument {other:?}; usage: entra-sim [--port N]");
                return std::process::ExitCode::from(2);
            }
        }
    }

    let sim = match entra_sim::start(SocketAddr::from((Ipv4Addr::LOCALHOST, port))).await {
        Ok(sim) => sim,
        Err(e) => {
            eprintln!("cannot listen on 127.0.0.1:{port}: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    tracing::info!(url = %sim.base_url(), "entra-sim listening");
    let _ = tokio::signal::ctrl_c().await;
    let _ = sim.shutdown().await;
    std::process::ExitCode::SUCCESS
}
