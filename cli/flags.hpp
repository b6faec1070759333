// The run options' flags, made from the option schema (run/options.hpp):
// each option becomes a CLI11 flag bound to its place in a RunSettings, with
// its help, default, range or choices.
#pragma once

#include <CLI/CLI.hpp>

#include "run/options.hpp"

namespace attnlab::cli {

// Registers on cmd the flags of every option `face` has, bound to s (which
// must outlive the parse).
void add_run_flags(CLI::App* cmd, RunSettings& s, Face face);

// After parsing: the keys of the options given on the command line.
void note_given_flags(const CLI::App* cmd, RunSettings& s, Face face);

}  // namespace attnlab::cli
