// Times as the workspace's files write them: UTC, "2026-04-01T12:00:00Z" and "2026-04-01".
// Implemented in libautokaggle-base (AutoKaggle::support).
#pragma once

#include <chrono>
#include <string>

namespace autokaggle {

/// `when` in UTC through strftime's `format`.
std::string utc_text(std::chrono::system_clock::time_point when, const char* format);

inline std::string utc_timestamp(std::chrono::system_clock::time_point when = std::chrono::system_clock::now()) {
    return utc_text(when, "%Y-%m-%dT%H:%M:%SZ");
}

inline std::string utc_date(std::chrono::system_clock::time_point when = std::chrono::system_clock::now()) {
    return utc_text(when, "%Y-%m-%d");
}

}  // namespace autokaggle
