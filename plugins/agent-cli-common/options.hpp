// Typed access to a plugin's options. The host has normally validated them against the schema
// and filled defaults; these still check, so a plugin created directly gets the same errors.
#pragma once

#include <boost/json/object.hpp>

#include <string>
#include <vector>

namespace autokaggle::cli_agent {

class Options {
public:
    /// `key_path` prefixes error messages: "agents.builder.options".
    Options(const boost::json::object& options, std::string key_path);

    std::string string(const char* key, const std::string& fallback) const;
    long long integer(const char* key, long long fallback) const;
    double number(const char* key, double fallback) const;
    bool boolean(const char* key, bool fallback) const;
    std::vector<std::string> strings(const char* key) const;  ///< array of strings, [] when absent

    const std::string& key_path() const { return key_path_; }
    std::string path_of(const char* key) const { return key_path_ + "." + key; }

private:
    const boost::json::object& options_;
    std::string key_path_;
};

}  // namespace autokaggle::cli_agent
