fn main() {
    std::process::exit(mailgrade::cli::main());
}
