#include "base/utc_time.hpp"

#include <ctime>

namespace autokaggle {

std::string utc_text(std::chrono::system_clock::time_point when, const char* format) {
    const std::time_t t = std::chrono::system_clock::to_time_t(when);
    std::tm tm{};
    ::gmtime_r(&t, &tm);
    char buf[64];
    return std::string(buf, std::strftime(buf, sizeof buf, format, &tm));
}

}  // namespace autokaggle
