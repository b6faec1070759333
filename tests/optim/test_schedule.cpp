// Learning-rate schedules: constant, step decay at its boundaries, the
// plateau rule traced by hand, the min_lr floor, state round trips, refusals.
#include <limits>

#include "optim/schedule.hpp"
#include "support/check.hpp"

using namespace attnlab;

namespace {

ScheduleOptions named(const std::string& name) {
  ScheduleOptions o;
  o.name = name;
  return o;
}

}  // namespace

TEST_CASE("schedule: constant never changes the learning rate") {
  Schedule s(named("constant"), 0.01);
  CHECK(s.lr() == 0.01);
  for (std::size_t step = 1; step < 5000; step += 999) CHECK(s.after_step(step) == 0.01);
  for (double loss : {1.0, 2.0, 3.0, 4.0, 5.0}) CHECK(s.after_validation(loss) == 0.01);
  CHECK(s.lr() == 0.01);
}

TEST_CASE("schedule: step multiplies by gamma at every step_size boundary") {
  ScheduleOptions o = named("step");
  o.step_size = 3;
  o.gamma = 0.1;
  Schedule s(o, 1.0);
  // lr = 1.0 * 0.1^floor(steps / 3)
  CHECK(s.after_step(1) == 1.0);
  CHECK(s.after_step(2) == 1.0);
  CHECK(s.after_step(3) == doctest::Approx(0.1).epsilon(1e-15));
  CHECK(s.after_step(5) == doctest::Approx(0.1).epsilon(1e-15));
  CHECK(s.after_step(6) == doctest::Approx(0.01).epsilon(1e-15));
  CHECK(s.after_step(8) == doctest::Approx(0.01).epsilon(1e-15));
  CHECK(s.after_step(9) == doctest::Approx(0.001).epsilon(1e-15));
  CHECK(s.lr() == doctest::Approx(0.001).epsilon(1e-15));
  // validations do not move it
  CHECK(s.after_validation(10.0) == s.lr());
  // the defaults: halve every 1000 steps
  Schedule d(named("step"), 0.4);
  CHECK(d.after_step(999) == 0.4);
  CHECK(d.after_step(1000) == 0.2);
  CHECK(d.after_step(2500) == 0.1);
}

TEST_CASE("schedule: plateau reduces after more than patience validations without improvement") {
  ScheduleOptions o = named("plateau");
  o.patience = 2;
  o.factor = 0.5;
  Schedule s(o, 0.1);
  // 1.0: best (inf before), bad 0;  0.9: best, bad 0;  0.95: bad 1;  0.95: bad 2;
  // 0.95: bad 3 > 2 -> lr 0.05, bad 0;  0.95: bad 1;  0.8: best, bad 0
  CHECK(s.after_validation(1.0) == 0.1);
  CHECK(s.after_validation(0.9) == 0.1);
  CHECK(s.after_validation(0.95) == 0.1);
  CHECK(s.after_validation(0.95) == 0.1);
  CHECK(s.after_validation(0.95) == 0.05);
  CHECK(s.after_validation(0.95) == 0.05);
  CHECK(s.after_validation(0.8) == 0.05);
  CHECK(s.after_validation(0.85) == 0.05);
  CHECK(s.after_validation(0.85) == 0.05);
  CHECK(s.after_validation(0.85) == 0.025);
  // steps do not move it
  CHECK(s.after_step(100000) == 0.025);
}

TEST_CASE("schedule: plateau counts an improvement below the relative threshold as none") {
  ScheduleOptions o = named("plateau");
  o.patience = 0;
  o.threshold = 0.1;
  Schedule s(o, 1.0);
  CHECK(s.after_validation(1.0) == 1.0);   // best 1.0
  CHECK(s.after_validation(0.95) == 0.5);  // 0.95 >= 1.0 * 0.9: bad 1 > 0 -> reduced
  CHECK(s.after_validation(0.89) == 0.5);  // 0.89 < 0.9: new best
}

TEST_CASE("schedule: plateau never goes below min_lr") {
  ScheduleOptions o = named("plateau");
  o.patience = 0;
  o.factor = 0.1;
  o.min_lr = 0.005;
  Schedule s(o, 0.1);
  s.after_validation(1.0);
  CHECK(s.after_validation(1.0) == doctest::Approx(0.01).epsilon(1e-15));
  CHECK(s.after_validation(1.0) == 0.005);  // max(0.001, 0.005)
  CHECK(s.after_validation(1.0) == 0.005);
}

TEST_CASE("schedule: state round-trips through JSON, including before any validation") {
  ScheduleOptions o = named("plateau");
  o.patience = 1;
  Schedule a(o, 0.2);
  Schedule fresh(o, 0.2);
  const nlohmann::json j0 = fresh.state();
  CHECK(j0["best"].is_null());
  a.after_validation(1.0);
  a.after_validation(1.0);
  a.after_validation(1.0);  // reduced to 0.1
  a.after_validation(1.0);  // bad 1
  const nlohmann::json j = nlohmann::json::parse(a.state().dump());
  Schedule b(o, 0.7);
  b.load_state(j);
  CHECK(b.lr() == a.lr());
  CHECK(b.lr() == 0.1);
  // both see one more bad validation: reduced again, together
  CHECK(a.after_validation(1.0) == 0.05);
  CHECK(b.after_validation(1.0) == 0.05);
  Schedule c(o, 0.2);
  c.load_state(nlohmann::json::parse(j0.dump()));
  CHECK(c.after_validation(5.0) == 0.2);  // 5.0 becomes the first best
  CHECK(c.state()["best"] == 5.0);

  ScheduleOptions so = named("step");
  so.step_size = 2;
  Schedule st(so, 1.0);
  st.after_step(4);
  Schedule st2(so, 3.0);
  st2.load_state(st.state());
  CHECK(st2.lr() == 0.25);
  CHECK(st2.after_step(6) == 0.125);  // base_lr restored too
}

TEST_CASE("schedule: load_state refuses another schedule's or malformed state") {
  Schedule plateau(named("plateau"), 0.1);
  Schedule step(named("step"), 0.1);
  CHECK_THROWS_WITH_AS(step.load_state(plateau.state()), doctest::Contains("'plateau'"),
                       CheckpointError);
  nlohmann::json j = plateau.state();
  j.erase("lr");
  CHECK_THROWS_WITH_AS(plateau.load_state(j), doctest::Contains("'lr'"), CheckpointError);
  CHECK(plateau.lr() == 0.1);
}

TEST_CASE("schedule: unknown names and bad values are refused, naming the option") {
  CHECK(schedule_names() == std::vector<std::string>{"constant", "plateau", "step"});
  CHECK_THROWS_WITH_AS(Schedule(named("cosine"), 0.1),
                       "unknown schedule 'cosine' (known: constant, plateau, step)",
                       std::invalid_argument);
  auto refused = [](ScheduleOptions o, const char* option) {
    CAPTURE(option);
    CHECK_THROWS_WITH_AS(Schedule(o, 0.1), doctest::Contains(option), std::invalid_argument);
  };
  ScheduleOptions o = named("step");
  o.step_size = 0;
  refused(o, "step_size must");
  o = named("step");
  o.gamma = 0.0;
  refused(o, "gamma must");
  o.gamma = 1.5;
  refused(o, "gamma must");
  o = named("plateau");
  o.factor = 0.0;
  refused(o, "factor must");
  o.factor = 2.0;
  refused(o, "factor must");
  o = named("plateau");
  o.min_lr = -1.0;
  refused(o, "min_lr must");
  o = named("plateau");
  o.threshold = 1.0;
  refused(o, "threshold must");
  CHECK_THROWS_WITH_AS(Schedule(named("constant"), 0.0), doctest::Contains("lr must"),
                       std::invalid_argument);
  o = named("step");
  o.gamma = 1.0;  // allowed: no decay
  CHECK_NOTHROW(Schedule(o, 0.1));
}
