"""The benchmarks of `make bench`. A package, so that its scripts, the tests and mypy all
import its shared modules (`bench._server`, `bench._chain_data`, ...) under one name."""
