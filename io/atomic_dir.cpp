// The atomic directory swap: write a sibling temporary directory, fsync it,
// renameat2(RENAME_EXCHANGE) it into place; and the checks that keep a
// mistyped path from replacing anything that is not a checkpoint.
#include "io/atomic_dir.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>  // renameat2, RENAME_EXCHANGE (glibc, with _GNU_SOURCE)
#include <cstdlib>
#include <cstring>
#include <system_error>

namespace attnlab {

namespace fs = std::filesystem;

namespace {

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw CheckpointError(path + ": " + what);
}

// fsync on a read-only descriptor is enough on Linux, for files and dirs.
// EINVAL means the filesystem has nothing to sync (e.g. tmpfs-like ones).
void fsync_path(const fs::path& p, bool directory) {
  const int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC | (directory ? O_DIRECTORY : 0));
  if (fd < 0) fail(p.string(), std::string("cannot open to sync: ") + std::strerror(errno));
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0 && err != EINVAL)
    fail(p.string(), std::string("fsync failed: ") + std::strerror(err));
}

void fsync_tree(const fs::path& root) {
  std::error_code ec;
  for (fs::recursive_directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
    const fs::file_status st = it->symlink_status();
    if (fs::is_directory(st))
      fsync_path(it->path(), true);
    else if (fs::is_regular_file(st))
      fsync_path(it->path(), false);
  }
  if (ec) fail(root.string(), "cannot list for syncing: " + ec.message());
  fsync_path(root, true);
}

// "ckpt/" and "ckpt" name the same directory; its last component is what the
// temporary sibling is named after.
fs::path checkpoint_path(const std::string& dir) {
  fs::path p = fs::path(dir).lexically_normal();
  if (!p.has_filename() && p.has_parent_path() && p != p.root_path()) p = p.parent_path();
  const std::string name = p.filename().string();
  if (name.empty() || name == "." || name == "..")
    fail(dir, "not a usable checkpoint directory name");
  return p;
}

std::atomic<unsigned long> tmp_counter{0};

// What is at dir now must be safe to replace: nothing, an empty directory,
// or a checkpoint. A symlink to a directory is followed, keeping the link.
// Returns the path the checkpoint goes to.
fs::path usable_target(const std::string& dir) {
  fs::path target = checkpoint_path(dir);
  std::error_code ec;
  fs::file_status st = fs::symlink_status(target, ec);
  if (fs::is_symlink(st)) {
    const fs::path real = fs::canonical(target, ec);
    if (ec || !fs::is_directory(real))
      fail(dir, "is a symlink that does not lead to a directory; refusing to replace it");
    target = real;
    st = fs::symlink_status(target, ec);
  }
  if (fs::exists(st)) {
    if (!fs::is_directory(st)) fail(dir, "exists and is not a directory; refusing to replace it");
    const bool empty = fs::is_empty(target, ec);
    if (ec) fail(dir, "cannot read the existing directory: " + ec.message());
    if (!empty && !fs::is_regular_file(target / "config.json"))
      fail(dir,
           "exists and is not a checkpoint directory (no config.json); refusing to replace it");
  }
  return target;
}

// "TARGET.tmp-PID-N" directories whose process is gone: saves it never
// finished (killed, power lost). Another live process's are left alone.
void remove_stale_temporaries(const fs::path& target) {
  std::error_code ec;
  const fs::path parent = target.parent_path().empty() ? fs::path(".") : target.parent_path();
  const std::string prefix = target.filename().string() + ".tmp-";
  for (fs::directory_iterator it(parent, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.compare(0, prefix.size(), prefix) != 0) continue;
    const std::string rest = name.substr(prefix.size());
    const std::size_t dash = rest.find('-');
    if (dash == 0 || dash == std::string::npos ||
        rest.find_first_not_of("0123456789-") != std::string::npos)
      continue;
    const long pid = std::strtol(rest.substr(0, dash).c_str(), nullptr, 10);
    if (pid <= 0 || (::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH)) {
      std::error_code ignored;
      fs::remove_all(it->path(), ignored);
    }
  }
}

// Removes `path` on scope exit: the temporary directory of an unfinished save
// or, once the swap is done, the old copy it now holds.
struct RemoveOnExit {
  fs::path path;
  ~RemoveOnExit() {
    if (path.empty()) return;
    std::error_code ec;
    fs::remove_all(path, ec);  // best effort: nothing useful to do on failure
  }
};

// Puts tmp in place of target. Returns the path now holding the old copy (to
// delete), or empty if there was none.
fs::path install(const fs::path& tmp, const fs::path& target, const std::string& dir) {
  std::error_code ec;
  const bool replacing = fs::exists(fs::symlink_status(target, ec));
  if (!replacing) {
    if (::rename(tmp.c_str(), target.c_str()) != 0)
      fail(dir, std::string("cannot move the new checkpoint into place: ") + std::strerror(errno));
    return {};
  }
#ifdef RENAME_EXCHANGE
  if (::renameat2(AT_FDCWD, tmp.c_str(), AT_FDCWD, target.c_str(), RENAME_EXCHANGE) == 0)
    return tmp;
  if (errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP)
    fail(dir, std::string("cannot swap the new checkpoint into place: ") + std::strerror(errno));
#endif
  // No atomic exchange here: move the old copy aside, then the new one in.
  // Between the two renames dir is briefly absent, but never half-written.
  fs::path old = tmp;
  old += ".old";
  if (::rename(target.c_str(), old.c_str()) != 0)
    fail(dir, std::string("cannot move the old checkpoint aside: ") + std::strerror(errno));
  if (::rename(tmp.c_str(), target.c_str()) != 0) {
    const int err = errno;
    (void)::rename(old.c_str(), target.c_str());  // put the old one back
    fail(dir, std::string("cannot move the new checkpoint into place: ") + std::strerror(err));
  }
  return old;
}

}  // namespace

void check_save_target(const std::string& dir) {
  const fs::path target = usable_target(dir);
  // the nearest directory that exists must let us create the checkpoint in it
  fs::path p = target.parent_path();
  std::error_code ec;
  while (!p.empty() && !fs::exists(p, ec)) p = p.parent_path();
  if (p.empty()) p = ".";
  if (!fs::is_directory(p, ec))
    fail(dir, "cannot be created: '" + p.string() + "' is not a directory");
  if (::access(p.c_str(), W_OK | X_OK) != 0)
    fail(dir,
         "cannot be created: '" + p.string() + "' is not writable (" + std::strerror(errno) + ")");
}

void write_dir_atomically(
    const std::string& dir,
    const std::function<void(const fs::path& tmp, const fs::path& target)>& fill) {
  const fs::path target = usable_target(dir);
  std::error_code ec;
  remove_stale_temporaries(target);

  fs::path parent = target.parent_path();
  if (parent.empty()) parent = ".";
  fs::create_directories(parent, ec);
  if (ec || !fs::is_directory(parent))
    fail(dir, "cannot create the parent directory '" + parent.string() +
                  "': " + (ec ? ec.message() : std::string("not a directory")));

  // A fresh sibling: same filesystem, so the final rename is atomic.
  RemoveOnExit guard;
  for (int attempt = 0; guard.path.empty(); ++attempt) {
    fs::path tmp = target;
    tmp += ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(tmp_counter++);
    if (fs::create_directory(tmp, ec)) {
      guard.path = tmp;
    } else if (ec || attempt > 1000) {
      fail(dir, "cannot create the temporary directory '" + tmp.string() +
                    "': " + (ec ? ec.message() : std::string("exists")));
    }
  }
  const fs::path tmp = guard.path;

  try {
    fill(tmp, target);
    fsync_tree(tmp);
    const fs::path old = install(tmp, target, dir);
    guard.path = old;  // now deletes the old copy, if any
    fsync_path(parent, true);
  } catch (const CheckpointError&) {
    throw;
  } catch (const std::exception& e) {
    fail(dir, std::string("save failed: ") + e.what());
  }
}

}  // namespace attnlab
