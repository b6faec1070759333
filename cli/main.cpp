// attnlab: train, evaluate and use seq2seq models with and without
// attention, from the command line (docs/MODEL_SPEC.md, "Command-line
// contract").
#include <iostream>

#include "autograd/ops.hpp"
#include "cli/common.hpp"

int main(int argc, char** argv) {
  CLI::App app{
      "attnlab: seq2seq with and without attention, on a from-scratch autodiff engine.\n"
      "Run 'attnlab COMMAND --help' for a command's options.",
      "attnlab"};
  app.require_subcommand(1);
  // The program's parallelism is its own (--threads, DataParallel): BLAS runs
  // in the thread that calls it.
  attnlab::set_blas_threads(1);
  // A repeated option takes its last value, as in most command-line tools.
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  app.failure_message([](const CLI::App* a, const CLI::Error& e) {
    std::string name = "attnlab";
    for (const CLI::App* sub : a->get_subcommands()) name += " " + sub->get_name();
    return name + ": " + e.what() + "\n(run '" + name + " --help' for the options)\n";
  });
  attnlab::cli::add_subcommand_compare(app);
  attnlab::cli::add_subcommand_train(app);
  attnlab::cli::add_subcommand_eval(app);
  attnlab::cli::add_subcommand_translate(app);
  attnlab::cli::add_subcommand_data(app);
  attnlab::cli::add_subcommand_plot(app);
  attnlab::cli::add_subcommand_bleu(app);
  // CLI11 converts "-1" for an unsigned option to 2^64 - 1: every unsigned
  // option refuses a negative value instead, in one place.
  const CLI::Validator not_negative(
      [](std::string& v) {
        return v.find('-') == v.find_first_not_of(" \t") && v.find('-') != std::string::npos
                   ? v + " is negative; this option counts, from 0"
                   : std::string();
      },
      "", "NOT NEGATIVE");
  for (CLI::App* sub : app.get_subcommands({}))
    for (CLI::Option* o : sub->get_options())
      if (o->get_type_name() == "UINT") o->check(not_negative);
  // CLI11 would only say "a subcommand is required": name the stranger.
  bool known = argc < 2 || argv[1][0] == '-';
  for (const CLI::App* sub : app.get_subcommands({})) known = known || sub->get_name() == argv[1];
  if (!known) {
    std::cerr << "attnlab: unknown command '" << argv[1] << "' (commands:";
    for (const CLI::App* sub : app.get_subcommands({})) std::cerr << " " << sub->get_name();
    std::cerr << ")\n";
    return 2;
  }
  attnlab::cli::set_command_line(argc, argv);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 2;
  } catch (const std::exception& e) {  // thrown from a subcommand's callback
    std::cerr << "attnlab: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
