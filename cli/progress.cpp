// The progress bar, the plain progress lines and the validation lines of
// attnlab train; compare's line of all its runs.
#include "cli/progress.hpp"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <ostream>
#include <sstream>
#include <string>

namespace attnlab::cli {

using Clock = std::chrono::steady_clock;

ProgressDisplay::ProgressDisplay(std::ostream& out, bool tty)
    : out_(out), tty_(tty), last_draw_(Clock::now() - std::chrono::seconds(1)) {}

ProgressDisplay::~ProgressDisplay() { finish(); }

void ProgressDisplay::attach(TrainOptions& o) {
  attached_ = true;
  o.on_step = [this](const TrainProgress& p) { step(p); };
  o.on_log = [this](const TrainProgress& p) { log(p); };
  o.on_validation = [this](std::size_t s, const EvalResult& r, bool best) {
    validation(s, r, best);
  };
}

void ProgressDisplay::finish() {
  if (attached_ && tty_) out_ << "\r\033[K";
  attached_ = false;
}

void ProgressDisplay::step(const TrainProgress& p) {
  if (!tty_ || Clock::now() - last_draw_ <= std::chrono::milliseconds(200)) return;
  last_draw_ = Clock::now();
  const double rate = p.step / std::max(p.elapsed, 1e-9);
  const double done_part = p.planned ? std::min(1.0, double(p.step) / p.planned) : 0.0;
  const std::size_t filled = static_cast<std::size_t>(done_part * 24);
  out_ << "\r\033[K[" << std::string(filled, '#') << std::string(24 - filled, '.') << "] "
       << static_cast<int>(100 * done_part) << "%  epoch " << p.epoch + 1;
  if (p.epochs) out_ << "/" << p.epochs;
  out_ << "  step " << p.step << "/" << p.planned << "  loss " << std::fixed << std::setprecision(4)
       << p.loss << "  " << std::setprecision(1) << p.tokens_per_s / 1000 << "k tok/s  ETA "
       << duration_text(p.planned > p.step ? (p.planned - p.step) / rate : 0) << std::flush;
}

void ProgressDisplay::log(const TrainProgress& p) {
  if (tty_) return;  // the bar shows it
  out_ << "step " << p.step << "/" << p.planned << "  epoch " << p.epoch + 1 << "  loss "
       << std::fixed << std::setprecision(4) << p.loss << "  " << std::setprecision(1)
       << p.tokens_per_s / 1000 << "k tok/s  elapsed " << duration_text(p.elapsed) << std::endl;
}

void ProgressDisplay::validation(std::size_t step, const EvalResult& r, bool best) {
  if (tty_) out_ << "\r\033[K";
  out_ << std::fixed << std::setprecision(4) << "valid  step " << step << "  loss " << r.loss
       << std::setprecision(2) << "  ppl " << r.perplexity() << "  token acc "
       << 100 * r.token_accuracy << "%  exact " << 100 * r.exact_accuracy << "%  bleu " << r.bleu;
  if (r.aligned > 0 && !std::isnan(r.aer)) out_ << "  aer " << 100 * r.aer << "%";
  out_ << (best ? "  (best)" : "") << std::endl;
}

namespace {

std::string bar(double part, std::size_t width) {
  const std::size_t filled = static_cast<std::size_t>(std::min(1.0, part) * width);
  return std::string(filled, '#') + std::string(width - filled, '.');
}

}  // namespace

void StudyDisplay::show(const std::vector<StudyRunStatus>& runs) {
  std::size_t done = 0;
  double part = 0;  // of all the runs' steps
  std::ostringstream running;
  for (const StudyRunStatus& r : runs) {
    done += r.phase == StudyRunStatus::done;
    const double mine = r.planned ? double(r.step) / r.planned : 0.0;
    part += (r.phase == StudyRunStatus::done ? 1.0 : std::min(1.0, mine)) / runs.size();
    if (r.phase == StudyRunStatus::training || r.phase == StudyRunStatus::judging) {
      running << " | " << r.label << " ";
      if (r.phase == StudyRunStatus::judging)
        running << "judging";
      else
        running << "[" << bar(mine, 10) << "] " << std::fixed << std::setprecision(4) << r.loss;
    }
  }
  std::ostringstream line;
  line << "compare " << static_cast<int>(100 * part) << "%: " << done << "/" << runs.size()
       << " runs done" << running.str();
  const bool finished = done == runs.size();
  if (finished) part = 1;
  if (tty_) {
    std::string l = line.str();
    if (l.size() > 160) l = l.substr(0, 157) + "...";
    out_ << "\r\033[K" << l << std::flush;
  } else if (static_cast<int>(10 * part) > last_tenth_ || finished) {
    last_tenth_ = static_cast<int>(10 * part);
    out_ << line.str() << std::endl;
  }
}

void StudyDisplay::finish() {
  if (tty_) out_ << "\r\033[K";
}

}  // namespace attnlab::cli
