//! The `deploylint` command.

fn main() {
    std::process::exit(deploylint::cli::main());
}
