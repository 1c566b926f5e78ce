// The Python interpreter that runs experiment scripts: finding one that has the scientific
// stack, and telling the user exactly what is missing and which Debian packages provide it.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace autokaggle {

/// One module an experiment script may import.
struct PythonModuleStatus {
    std::string module;          ///< import name: "sklearn"
    std::string debian_package;  ///< "python3-sklearn"
    bool required = false;       ///< numpy, pandas, sklearn are required; scipy, xgboost recommended
    std::optional<std::string> version;  ///< set when the import worked
    std::string error;           ///< the import error otherwise ("No module named 'sklearn'")
};

/// What one interpreter offers.
struct PythonCheck {
    std::filesystem::path interpreter;
    bool runs = false;                   ///< the interpreter started and answered
    std::string python_version;          ///< "3.11.2"
    std::string error;                   ///< why it did not run, when !runs
    std::vector<PythonModuleStatus> modules;

    /// Runs and imports every required module.
    bool ok() const;
    /// Import names of the missing modules (required ones when `required_only`).
    std::vector<std::string> missing(bool required_only = false) const;
    /// "sudo apt-get install -y python3-sklearn python3-xgboost" for what is missing; "" if nothing.
    std::string install_command() const;
    /// A human-readable report, one module per line, with versions and the install command.
    std::string report() const;
};

/// Starts `interpreter` once (with a timeout) and reports its version and the modules numpy,
/// pandas, sklearn (required), scipy and xgboost (recommended). Never throws: a missing or
/// broken interpreter is reported in the result.
PythonCheck check_python(const std::filesystem::path& interpreter);

/// The interpreter chosen for experiments and why.
struct PythonChoice {
    std::filesystem::path interpreter;  ///< absolute
    std::string reason;                 ///< "configured in config.json" / "python3 on PATH" ...
    std::vector<std::string> rejected;  ///< "python3 on PATH (/root/.pyenv/shims/python3): lacks numpy, pandas"
    PythonCheck check;
};

/// The interpreter for experiments: the configured one when given (a bare name is looked up on
/// PATH); otherwise python3 on PATH, then /usr/bin/python3, whichever first imports numpy,
/// pandas and sklearn. Throws ConfigError naming config.json's "python" key, what each candidate
/// lacks, and the apt-get command that fixes it, when no interpreter qualifies.
PythonChoice resolve_python(const std::filesystem::path& configured);

}  // namespace autokaggle
