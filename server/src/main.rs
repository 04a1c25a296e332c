//! Configuration, then telemetry, then the HTTP server until SIGTERM or Ctrl-C.
use std::process::ExitCode;

use server::{
    config::{self, Config},
    startup::{shutdown_signal, Application},
    telemetry,
};

/// mimalloc rather than glibc's allocator: a request allocates and frees many small values (the
/// session, the form, Graph's cached JSON, the response), and glibc's `malloc`/`free` took about a
/// sixth of the portal's CPU under the creation benchmark (`perf`, issue 18).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Worker threads' stacks. Leptos renders the request form as deeply nested futures; an unoptimised
/// (debug, `make dev`) build needs more than tokio's 2 MiB for them. Untouched stack costs no memory.
const WORKER_STACK: usize = 8 << 20;

fn main() -> ExitCode {
    match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_stack_size(WORKER_STACK)
        .build()
    {
        Ok(runtime) => runtime.block_on(serve()),
        Err(e) => {
            eprintln!("cannot start the async runtime: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn serve() -> ExitCode {
    let leptos_options = match config::leptos_options() {
        Ok(options) => options,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let config = match Config::load(leptos_options.site_addr) {
        Ok(config) => config,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    telemetry::init(&config.log);

    let app = match Application::build(config, leptos_options).await {
        Ok(app) => app,
        Err(e) => {
            tracing::error!("{e}");
            return ExitCode::FAILURE;
        }
    };
    match app.local_addr() {
        Ok(addr) => tracing::info!("portal listening on http://{addr}"),
        Err(e) => tracing::warn!("cannot read the bound address: {e}"),
    }
    match app.run_until(shutdown_signal()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("server stopped with an error: {e}");
            ExitCode::FAILURE
        }
    }
}
