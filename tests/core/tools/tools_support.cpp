#include "tools_support.hpp"

#include "support/kaggle_support.hpp"
#include "orchestrator/state.hpp"

#include <boost/test/unit_test.hpp>

#include <cstdlib>

namespace autokaggle::test {

namespace json = boost::json;

ToolWorkspace::ToolWorkspace(json::object overrides) {
    ws = copy_competition_workspace("pima-diabetes", dir / "ws");
    json::object c = json::parse(read_text(ws / "config.json")).as_object();
    c["plugin_dirs"] = json::array{plugin_dir().string()};
    c["runner"] = json::object{{"plugin", "local"}, {"options", json::object{{"timeout_s", 300}}}};
    c["python"] = python().string();
    for (const auto& [k, v] : overrides) c[k] = v;
    write_text(ws / "config.json", json::serialize(c));
    plugins = std::make_unique<PluginHost>(PluginHost::search_path({plugin_dir()}));
    config = load_config_or_throw(ws / "config.json", plugins.get());
    tools = std::make_unique<StandaloneTools>(*config, *plugins, logger, [] { return std::string(); });
}

void ToolWorkspace::set_state(int round, const std::string& phase, std::optional<double> best_cv) const {
    CampaignState s;
    s.round = round;
    s.phase = phase;
    s.best_cv = best_cv;
    StateStore(ws / "state.json").save(s);
}

void ToolWorkspace::write(const std::string& relative, const std::string& text) const { write_text(ws / relative, text); }

ToolResult ToolWorkspace::call(const std::string& role, const std::string& name, json::object args) {
    return tools->surface().call(tools->context(role), {"call-1", name, std::move(args)});
}

ScopedEnvironment::ScopedEnvironment(std::map<std::string, const char*> values) {
    for (const auto& [name, value] : values) {
        const char* old = std::getenv(name.c_str());
        old_[name] = old ? std::optional<std::string>(old) : std::nullopt;
        if (value) ::setenv(name.c_str(), value, 1);
        else ::unsetenv(name.c_str());
    }
}

ScopedEnvironment::~ScopedEnvironment() {
    for (const auto& [name, value] : old_) {
        if (value) ::setenv(name.c_str(), value->c_str(), 1);
        else ::unsetenv(name.c_str());
    }
}

ScopedCredentials::ScopedCredentials(const std::string& api_base)
    : base(api_base),
      env({{"KAGGLE_USERNAME", fake_user}, {"KAGGLE_KEY", fake_key}, {"KAGGLE_API_BASE_URL", base.c_str()},
           {"KAGGLE_API_TOKEN", nullptr}, {"KAGGLE_CONFIG_DIR", home.path().c_str()}, {"HOME", home.path().c_str()}}) {}

NoCredentials::NoCredentials()
    : env({{"KAGGLE_USERNAME", nullptr}, {"KAGGLE_KEY", nullptr}, {"KAGGLE_API_TOKEN", nullptr},
           {"KAGGLE_CONFIG_DIR", home.path().c_str()}, {"HOME", home.path().c_str()}, {"XDG_CONFIG_HOME", nullptr}}) {}

}  // namespace autokaggle::test
