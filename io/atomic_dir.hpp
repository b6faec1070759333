// Checkpoint directories written all at once: a sibling temporary directory
// is filled, fsynced and swapped into place, so that a reader (or a crash)
// sees the old directory or the new one, never half of one.
#pragma once

#include <filesystem>
#include <functional>
#include <string>

#include "io/error.hpp"

namespace attnlab {

// Refuses, before any work is done, a directory write_dir_atomically could
// not write: ".", "/", an existing file or non-checkpoint directory, a path
// under a file or an unwritable directory. CheckpointError names dir.
void check_save_target(const std::string& dir);

// Writes the directory dir: fill(tmp, target) writes its contents into tmp, a
// fresh sibling temporary directory ("TARGET.tmp-PID-N", on the same
// filesystem); target is where they will be (dir, normalised, a symlink
// followed), for messages. Then everything is fsynced and swapped into place
// atomically; the old copy is deleted. Temporary directories left by writes
// whose process died are removed first. On failure the temporary directory is
// removed, what was at dir is untouched, and CheckpointError is thrown (any
// other exception of fill becomes one naming dir). An existing dir must be a
// directory that is empty or holds a config.json (so a mistyped path never
// deletes unrelated data).
void write_dir_atomically(const std::string& dir,
                          const std::function<void(const std::filesystem::path& tmp,
                                                   const std::filesystem::path& target)>& fill);

}  // namespace attnlab
