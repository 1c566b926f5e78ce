// Reading what the fake coding-agent CLI (fixture/fake_coding_agent.cpp) recorded: one JSON
// object per call, a line each, with the argv it was started with.
#pragma once

#include "support/test_support.hpp"

#include <boost/json.hpp>

#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

namespace autokaggle::test {

/// Every call recorded in `log`, in order; none when there is no log yet.
inline std::vector<boost::json::object> recorded_calls(const std::filesystem::path& log) {
    std::vector<boost::json::object> out;
    if (!std::filesystem::exists(log)) return out;
    std::istringstream lines(read_text(log));
    for (std::string line; std::getline(lines, line);)
        if (!line.empty()) out.push_back(boost::json::parse(line).as_object());
    return out;
}

/// The command line a recorded call was started with.
inline std::vector<std::string> argv_of(const boost::json::object& call) {
    std::vector<std::string> out;
    for (const auto& a : call.at("argv").as_array()) out.emplace_back(a.as_string());
    return out;
}

}  // namespace autokaggle::test
