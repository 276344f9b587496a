//! `splatbench`: metrics, rendering, data generation and benchmarking from the command line, with the built-in
//! methods (the program itself is [`splatbench_app::main_with`]).

fn main() {
    splatbench_app::main_with(splatbench_bench::registry::Registry::builtin())
}
