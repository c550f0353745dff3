//! `jeugdhulp-wijk`: the command-line tool. It reads files, so it exists only
//! natively; on wasm (where `cargo test --target wasm32` still builds bins) it
//! is an empty shell.

#[cfg(not(target_arch = "wasm32"))]
mod cli;

fn main() -> std::process::ExitCode {
    #[cfg(not(target_arch = "wasm32"))]
    return cli::main();
    #[cfg(target_arch = "wasm32")]
    std::process::ExitCode::FAILURE
}
