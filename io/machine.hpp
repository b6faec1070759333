// What this machine has: the memory available now, and bytes as a message
// says them.
#pragma once

#include <string>

namespace attnlab {

// The memory this machine has available now (MemAvailable), in bytes.
double available_memory_bytes();

// "1.6 TB", "23.4 GB": bytes for a message.
std::string bytes_text(double bytes);

}  // namespace attnlab
