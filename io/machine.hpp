// What this machine has: its CPU, the memory available now, and bytes as a
// message says them.
#pragma once

#include <string>

namespace attnlab {

// The memory this machine has available now (MemAvailable), in bytes.
double available_memory_bytes();

// "Intel(R) Xeon(R) ..., 2 cores": the CPU and its cores, as reports say them.
std::string machine_description();

// "1.6 TB", "23.4 GB": bytes for a message.
std::string bytes_text(double bytes);

}  // namespace attnlab
