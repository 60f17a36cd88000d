# Sourced by the study scripts: builds aocbench and sets $aocbench to a private copy of it, removed
# on exit, so that a rebuild while a study runs does not change the solver between instances.
cargo build --release --locked --quiet
aocbench=$(mktemp --suffix=-aocbench)
trap 'rm -f "$aocbench"' EXIT
cp target/release/aocbench "$aocbench"
chmod +x "$aocbench"
