// From option declarations to CLI11 flags.
#include "cli/flags.hpp"

#include <type_traits>

namespace attnlab::cli {

namespace {

// A numeric option's check, worded as CLI11 words it: model sizes count from
// 0 (UINT), the other counts are INT, as their help has always read.
template <class T>
void add_check(CLI::Option* flag, const Option& o) {
  switch (o.check) {
    case Check::range:
      if constexpr (std::is_floating_point_v<T>)
        flag->check(CLI::Range(o.min, o.max));
      else if (o.model)
        flag->check(CLI::Range(std::size_t(o.min), std::size_t(o.max)));
      else
        flag->check(CLI::Range(long(o.min), long(o.max)));
      break;
    case Check::positive:
      flag->check(CLI::PositiveNumber);
      break;
    case Check::non_negative:
      flag->check(CLI::NonNegativeNumber);
      break;
    default:
      break;
  }
}

// An optimizer's hyperparameter: set through OptimOptions by key, its
// default shown as CLI11 shows a bound variable's.
void add_keyed(CLI::App* cmd, const Option& o, const std::string& help, const KeyedValue& v) {
  if (v.boolean) {
    cmd->add_flag_function(
        o.flag, [v](std::int64_t n) { v.options->set(v.key, n > 0); }, help);
    return;
  }
  CLI::Option* flag = cmd->add_option_function<double>(
      o.flag, [v](const double& x) { v.options->set(v.key, x); }, help);
  if (o.show_default) flag->default_str(CLI::detail::to_string(v.options->get(v.key)));
  add_check<double>(flag, o);
}

}  // namespace

void add_run_flags(CLI::App* cmd, RunSettings& s, Face face) {
  for (const Option& o : options()) {
    if (!(o.faces & face)) continue;
    const std::string& help = face == kStudy && !o.study_help.empty() ? o.study_help : o.help;
    std::visit(
        [&](const auto& value) {
          using T = std::remove_pointer_t<std::decay_t<decltype(value)>>;
          if constexpr (std::is_same_v<T, KeyedValue>) {
            add_keyed(cmd, o, help, value);
          } else if constexpr (std::is_same_v<T, bool>) {
            cmd->add_flag(o.flag, *value, help);
          } else {
            CLI::Option* flag = cmd->add_option(o.flag, *value, help);
            if (o.show_default || (face == kStudy && o.study_shows_default))
              flag->capture_default_str();
            if constexpr (std::is_same_v<T, std::string>) {
              if (o.choices) flag->check(CLI::IsMember(o.choices()));
              if (o.check == Check::file) flag->check(CLI::ExistingFile);
              if (o.check == Check::directory) flag->check(CLI::ExistingDirectory);
            } else {
              add_check<T>(flag, o);
            }
          }
        },
        o.slot(s));
  }
}

void note_given_flags(const CLI::App* cmd, RunSettings& s, Face face) {
  for (const Option& o : options())
    if ((o.faces & face) && cmd->get_option(o.flag)->count() > 0) s.given.insert(o.key);
}

}  // namespace attnlab::cli
