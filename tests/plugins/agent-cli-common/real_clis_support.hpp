// The real Claude Code and Codex CLIs, as scripts/install-deps.sh --tests installs them (the
// versions pinned in cli-versions.env beside this file), pointed at a FakeModelServer: the
// environment that keeps them on loopback, and the Codex arguments for a custom model provider.
#pragma once

#include "fake_model_support.hpp"

#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace autokaggle::test {

/// build/.../node_modules/.bin/claude and .../codex of the pinned versions (they may be missing).
std::filesystem::path real_claude();
std::filesystem::path real_codex();

/// Why a real-CLI test cannot run ("" when the CLI is installed). The message names the path and
/// the install command; CTest reports a test whose output says "real CLI not installed" as skipped.
std::string not_installed(const std::filesystem::path& cli);

/// A test precondition: skips the test when `cli` is not installed, saying why in the output.
struct installed {
    std::filesystem::path cli;
    boost::test_tools::assertion_result operator()(boost::unit_test::test_unit_id) const;
};

/// A HOME for the CLIs (their sessions, settings, caches), removed on destruction. It lives in the
/// build tree, not under /tmp: Codex refuses to set up its sandbox helper under a temp folder.
class CliHome {
public:
    explicit CliHome(const std::string& name);
    ~CliHome();
    CliHome(const CliHome&) = delete;
    CliHome& operator=(const CliHome&) = delete;
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

/// The variables that point both CLIs at `model` with a fake key and keep them on loopback:
/// HOME and CODEX_HOME (created), ANTHROPIC_BASE_URL, telemetry, update and error-report switches off, and
/// every proxy variable at the fake server, so anything else they try to reach is recorded there.
std::map<std::string, std::string> real_cli_environment(const FakeModelServer& model, const std::filesystem::path& home);

/// The Codex model and `-c` arguments for a custom provider "fake" at `model` (Responses API),
/// with its analytics, plugins and apps off (they reach out to the internet otherwise).
std::string codex_model();
std::vector<std::string> codex_provider_args(const FakeModelServer& model);

/// The name of the variable the fake provider's key is read from (env_key).
inline constexpr const char* kCodexKeyVariable = "FAKE_MODEL_API_KEY";

}  // namespace autokaggle::test
