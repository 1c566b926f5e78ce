#include "real_clis_support.hpp"

#include "support/test_support.hpp"

#include <random>
#include <stdexcept>
#include <unistd.h>

namespace autokaggle::test {

namespace fs = std::filesystem;

fs::path real_claude() { return AUTOKAGGLE_REAL_CLAUDE; }
fs::path real_codex() { return AUTOKAGGLE_REAL_CODEX; }

std::string not_installed(const fs::path& cli) {
    if (::access(cli.c_str(), X_OK) == 0) return {};
    return "real CLI not installed: " + cli.string() +
           " is missing; scripts/install-deps.sh --tests installs the pinned versions "
           "(tests/plugins/agent-cli-common/cli-versions.env)";
}

boost::test_tools::assertion_result installed::operator()(boost::unit_test::test_unit_id) const {
    const std::string why = not_installed(cli);
    if (why.empty()) return true;
    BOOST_TEST_MESSAGE(why);
    boost::test_tools::assertion_result result(false);
    result.message() << why;
    return result;
}

CliHome::CliHome(const std::string& name) {
    std::random_device rd;
    const fs::path parent = binary_dir() / "tests" / "plugins" / "agent-cli-common" / "homes";
    fs::create_directories(parent);
    for (int attempt = 0; attempt < 100; ++attempt) {
        fs::path candidate = parent / (name + "-" + std::to_string(rd()));
        if (fs::create_directory(candidate)) {
            path_ = candidate;
            return;
        }
    }
    throw std::runtime_error("cannot create a home folder under " + parent.string());
}

CliHome::~CliHome() {
    std::error_code ec;
    fs::remove_all(path_, ec);
}

std::map<std::string, std::string> real_cli_environment(const FakeModelServer& model, const fs::path& home) {
    const std::string proxy = model.proxy_url();
    fs::create_directories(home / ".codex");  // Codex refuses a CODEX_HOME that does not exist
    // Codex will not put its helper commands (apply_patch) under the temporary folder, and a
    // build folder may well lie under /tmp: the CLIs get a temporary folder of their own.
    fs::create_directories(home / "tmp");
    return {
        {"HOME", home.string()},
        {"TMPDIR", (home / "tmp").string()},
        {"CODEX_HOME", (home / ".codex").string()},
        {"XDG_CONFIG_HOME", (home / ".config").string()},
        {"XDG_CACHE_HOME", (home / ".cache").string()},
        {"ANTHROPIC_BASE_URL", model.base_url()},
        {"ANTHROPIC_API_KEY", "sk-ant-fake-key-for-tests"},
        {kCodexKeyVariable, "sk-fake-key-for-tests"},
        // Claude Code: no telemetry, auto-update, error reports or other non-essential traffic.
        {"DISABLE_TELEMETRY", "1"},
        {"DISABLE_AUTOUPDATER", "1"},
        {"DISABLE_ERROR_REPORTING", "1"},
        {"CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1"},
        // Whatever else either CLI reaches for goes through the fake server and is recorded.
        {"HTTPS_PROXY", proxy},
        {"HTTP_PROXY", proxy},
        {"ALL_PROXY", proxy},
        {"https_proxy", proxy},
        {"http_proxy", proxy},
        {"all_proxy", proxy},
        {"NO_PROXY", "127.0.0.1,localhost"},
        {"no_proxy", "127.0.0.1,localhost"},
    };
}

std::string codex_model() { return "gpt-5.5"; }

std::vector<std::string> codex_provider_args(const FakeModelServer& model) {
    return {"-c", "model_provider=\"fake\"",
            "-c", "model_providers.fake.name=\"fake model\"",
            "-c", "model_providers.fake.base_url=\"" + model.base_url() + "/v1\"",
            "-c", "model_providers.fake.wire_api=\"responses\"",
            "-c", std::string("model_providers.fake.env_key=\"") + kCodexKeyVariable + "\"",
            "-c", "model_providers.fake.stream_max_retries=3",
            "-c", "analytics.enabled=false",
            "--disable", "plugins",
            "--disable", "apps",
            "--disable", "remote_plugin"};
}

}  // namespace autokaggle::test
