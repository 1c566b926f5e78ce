// Typed access to a plugin's options. The defaults come from the plugin's options schema alone
// (<autokaggle/support/plugin_options.hpp>): the host has normally filled them in already, and this fills them
// again and still checks types, so a plugin created directly gets the same values and errors.
#pragma once

#include <boost/json/object.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace autokaggle::cli_agent {

class Options {
public:
    /// `key_path` prefixes error messages: "agents.builder.options".
    Options(std::string_view options_schema, const boost::json::object& options, std::string key_path);

    /// Each option read needs a default in the schema; a required option without one is read
    /// only after has().
    bool has(const char* key) const;
    std::string string(const char* key) const;
    long long integer(const char* key) const;
    double number(const char* key) const;
    bool boolean(const char* key) const;
    std::vector<std::string> strings(const char* key) const;  ///< array of strings

    const std::string& key_path() const { return key_path_; }
    std::string path_of(const char* key) const { return key_path_ + "." + key; }

private:
    boost::json::object options_;
    std::string key_path_;
};

}  // namespace autokaggle::cli_agent
