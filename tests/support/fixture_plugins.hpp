// Where the plugin host's fixture plugins (tests/core/base/fixture) are, and small helpers the
// suites that use them share (AUTOKAGGLE_FIXTURE_GOOD_DIR comes from autokaggle_fixture_plugins).
#pragma once

#include "support/test_support.hpp"

#include <cstdlib>
#include <optional>
#include <string>

namespace autokaggle::test {

/// One working plugin of every kind.
inline fs::path good_plugins() { return AUTOKAGGLE_FIXTURE_GOOD_DIR; }
/// The folder of one failing fixture ("abi-mismatch", "factory-throws"...).
inline fs::path fixture(const std::string& name) { return test_plugin_dir() / ("fixture-" + name); }
/// The library file of one failing fixture.
inline fs::path fixture_library(const std::string& name) {
    return fixture(name) / ("autokaggle-fixture-" + name + ".so");
}

inline bool contains(const std::string& haystack, const std::string& needle) {
    return haystack.find(needle) != std::string::npos;
}

/// Sets an environment variable for one test and restores it afterwards.
class ScopedEnv {
public:
    ScopedEnv(const char* name, const std::string& value) : name_(name) {
        if (const char* old = std::getenv(name)) old_ = old;
        ::setenv(name, value.c_str(), 1);
    }
    ~ScopedEnv() {
        if (old_) ::setenv(name_, old_->c_str(), 1);
        else ::unsetenv(name_);
    }

private:
    const char* name_;
    std::optional<std::string> old_;
};

}  // namespace autokaggle::test
