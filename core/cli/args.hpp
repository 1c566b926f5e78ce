// A small, strict argument parser shared by every subcommand: options are declared up front,
// anything undeclared is a usage error (exit 2) that names the argument.
#pragma once

#include <map>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace autokaggle::cli {

/// Thrown for bad usage; main() prints it with the command's usage line and exits 2.
struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class Args {
public:
    /// `value_options`: options taking a value ("--dir"), `flags`: options without one ("--json").
    /// Short aliases map to long names: {"-m", "--message"}.
    Args(std::span<const std::string> argv, std::vector<std::string> value_options,
         std::vector<std::string> flags, std::map<std::string, std::string> aliases = {});

    bool flag(const std::string& name) const { return flags_.count(name) > 0; }
    std::optional<std::string> value(const std::string& name) const;
    std::string value_or(const std::string& name, std::string fallback) const;
    /// An integer option; UsageError naming the option when it is not one.
    std::optional<long> integer(const std::string& name) const;
    const std::vector<std::string>& positionals() const { return positionals_; }
    /// Fails with UsageError when there are more than `max` positionals.
    void max_positionals(std::size_t max) const;
    bool help() const { return flag("--help"); }

private:
    std::map<std::string, std::string> values_;
    std::map<std::string, bool> flags_;
    std::vector<std::string> positionals_;
};

}  // namespace autokaggle::cli
