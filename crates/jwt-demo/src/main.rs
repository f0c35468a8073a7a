//! `jwt-demo`: serves the demo on `JWT_DEMO_HOST:JWT_DEMO_PORT` (default 127.0.0.1:8080) and prints a `curl`
//! walkthrough. Logs go through `tracing-subscriber`; `RUST_LOG` filters them (default `info`).

use std::io::IsTerminal;
use std::net::TcpListener;
use std::process::ExitCode;

use jwt_demo::{Demo, DemoConfig, ListenAddr, curl_walkthrough};
use tracing_subscriber::EnvFilter;

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("jwt-demo: {error}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let addr = ListenAddr::from_env()?;
    let demo = Demo::new(DemoConfig::from_env())?;
    let listener = TcpListener::bind((addr.host.as_str(), addr.port))
        .map_err(|e| format!("cannot listen on {}:{}: {e}", addr.host, addr.port))?;
    let local = listener.local_addr()?;
    let host = if local.ip().is_unspecified() {
        "127.0.0.1".to_owned()
    } else {
        local.ip().to_string()
    };
    let base = if local.is_ipv6() && !local.ip().is_unspecified() {
        format!("http://[{host}]:{}", local.port())
    } else {
        format!("http://{host}:{}", local.port())
    };
    println!("jwt-demo listening on {base}\n");
    println!(
        "Demo users: alice / alice-password (scope \"read\"), admin / admin-password (scope \"read admin\")\n"
    );
    println!("Try it (POSIX shell, needs curl and sed):\n");
    println!("{}", curl_walkthrough(&base));
    actix_web::rt::System::new().block_on(async move {
        demo.start_background_tasks();
        demo.serve(listener)?.await
    })?;
    Ok(())
}
