// autokaggle validate [DIR]: config.json (with the plugins it names), the competition's data
// files and the Python interpreter for experiments. Prints every problem, one per line, as
// "config.json:LINE:COL: key.path: message"; exit 2 when there is any error.
#include "cli/args.hpp"
#include "cli/commands.hpp"

#include "base/config.hpp"
#include "base/plugin_host.hpp"
#include "base/text.hpp"
#include "kaggle/setup.hpp"
#include "metrics/folds.hpp"
#include "orchestrator/campaign_host.hpp"
#include "orchestrator/checks.hpp"
#include "orchestrator/data_check.hpp"
#include "runner/python_env.hpp"
#include <autokaggle/support/sandbox.hpp>

#include <autokaggle/sdk/errors.hpp>

#include <algorithm>
#include <array>
#include <fstream>
#include <functional>
#include <iostream>

namespace autokaggle::cli {
namespace fs = std::filesystem;

namespace {

/// The config.json a DIR argument means: DIR/config.json, or DIR itself when it is a file.
fs::path config_file_for(const std::string& dir) {
    fs::path p = dir.empty() ? fs::path(".") : fs::path(dir);
    std::error_code ec;
    if (fs::is_regular_file(p, ec)) return fs::absolute(p).lexically_normal();
    return fs::absolute(p / "config.json").lexically_normal();
}

/// Collects the problems found outside config.json (data files, Python) in the same shape.
class Report {
public:
    void error(const std::string& where, const std::string& message) { error(where + ": " + message); }
    void error(const std::string& line) {
        std::cout << line << "\n";
        ++errors_;
    }
    void warning(const std::string& where, const std::string& message) {
        std::cout << where << ": warning: " << message << "\n";
        ++warnings_;
    }
    void diagnostic(const Diagnostic& d) {
        std::cout << d.format() << "\n";
        (d.severity == Diagnostic::Severity::error ? errors_ : warnings_)++;
    }
    int errors() const { return errors_; }
    int warnings() const { return warnings_; }

private:
    int errors_ = 0, warnings_ = 0;
};

std::string shown(const fs::path& path, const fs::path& root) {
    fs::path rel = path.lexically_relative(root);
    return rel.empty() || rel.native().rfind("..", 0) == 0 ? path.string() : rel.string();
}

/// Makes the fold assignment the campaign will use (without writing it), so that a split the
/// data cannot give (fewer groups than folds, too few rows for the gap) is found now.
void check_folds(Report& report, const CompetitionInfo& c) {
    try {
        const metrics::FoldAssignment folds = metrics::make_folds(c);
        std::size_t smallest = folds.rows(), largest = 0;
        for (int k = 0; k < folds.folds; ++k) {
            const std::size_t n = folds.validation_rows(k).size();
            smallest = std::min(smallest, n);
            largest = std::max(largest, n);
        }
        std::cout << "folds: " << c.cv_strategy << ", " << folds.folds << " folds of " << smallest
                  << (largest != smallest ? "-" + std::to_string(largest) : std::string()) << " validation rows";
        if (const std::size_t unvalidated = folds.rows() - folds.validated_rows().size())
            std::cout << " (" << unvalidated << " earliest rows train only)";
        std::cout << "; written to " << (c.folds_dir / metrics::folds_key(c)).string() << " when the campaign starts\n";
    } catch (const Error& e) {
        report.error("folds", e.what());
    }
}

/// The data files, by the same check `run` makes before it starts (orchestrator/data_check.hpp),
/// then the folds when the data has no error.
void check_data(Report& report, const Config& config) {
    const int errors_before = report.errors();
    for (const auto& p : check_competition_data(config.competition)) {
        if (p.severity == DataProblem::Severity::error) report.error(shown(p.file, config.root), p.message);
        else report.warning(shown(p.file, config.root), p.message);
    }
    if (report.errors() == errors_before) check_folds(report, config.competition);
}

/// The interpreter check applies to runners that start Python on this machine or cluster.
void check_python(Report& report, const Config& config) {
    if (config.runner.plugin != "local" && config.runner.plugin != "slurm") {
        std::cout << "python: not checked (runner \"" << config.runner.plugin << "\" brings its own)\n";
        return;
    }
    try {
        PythonChoice choice = resolve_python(config.competition.python);
        std::cout << "python: " << choice.interpreter.string() << " (" << choice.reason << ")";
        if (!choice.check.python_version.empty()) std::cout << ", Python " << choice.check.python_version;
        std::cout << "\n";
        for (const auto& missing : choice.check.missing(false))
            report.warning("python", "module " + missing + " is not importable (recommended); " +
                                         choice.check.install_command());
    } catch (const ConfigError& e) {
        report.error(e.what());  // says "config.json: python: ..." itself
    }
}

/// Whether the local runner puts experiments into the sandbox (docs/runner-local.md), and why not.
void check_sandbox_use(Report& report, const Config& config) {
    if (config.runner.plugin != "local") {
        std::cout << "sandbox: not used (runner \"" << config.runner.plugin << "\")\n";
        return;
    }
    std::string option = "auto";
    if (auto it = config.runner.options.find("sandbox"); it != config.runner.options.end() && it->value().is_string())
        option = std::string(it->value().get_string());
    if (option == "off") {
        std::cout << "sandbox: off (runner.options.sandbox is \"off\")\n";
        return;
    }
    SandboxCheck check = check_sandbox();
    bool network = false;
    if (auto it = config.runner.options.find("network"); it != config.runner.options.end() && it->value().is_bool())
        network = it->value().get_bool();
    if (check.usable) {
        std::cout << "sandbox: on (bubblewrap " << check.program.string() << ", network "
                  << (network ? "allowed" : "off") << ")\n";
    } else if (option == "bwrap") {
        report.error("config.json: runner.options.sandbox", "is \"bwrap\", but " + check.why_not);
    } else {
        std::cout << "sandbox: off (" << check.why_not << ")\n";
        report.warning("sandbox", "experiments will run without the sandbox: " + check.why_not);
    }
}

/// When a Kaggle plugin is configured, one cheap authenticated call says whether the credentials
/// work and which source they came from.
void check_kaggle(Report& report, const Config& config, const std::function<bool(const PluginSelection&)>& checkable) {
    const PluginSelection* kaggle_plugin = nullptr;
    for (const PluginSelection* s : {&config.submitter, &config.scraper, &config.runner})
        if (!kaggle_plugin && (s->plugin == "kaggle" || s->plugin == "kaggle-kernels") && checkable(*s)) kaggle_plugin = s;
    if (!kaggle_plugin) return;
    std::string api_base;
    if (auto it = kaggle_plugin->options.find("api_base"); it != kaggle_plugin->options.end() && it->value().is_string())
        api_base = std::string(it->value().get_string());
    kaggle::CredentialCheck check = kaggle::check_credentials(api_base, config.competition.competition);
    for (const auto& w : check.warnings) report.warning("kaggle", w);
    if (check.ok) std::cout << "kaggle: " << check.message << "\n";
    else report.error("kaggle (" + kaggle_plugin->key_path + ")", check.message);
}

/// Creates every configured agent, the submitter, the scraper and the runner exactly as `run`
/// would, so that what a plugin can only find out itself (a missing executable such as
/// `claude` or `sbatch`, unusable credentials) is reported now rather than mid-campaign.
void check_plugins_start(Report& report, const Config& config, const PluginHost& plugins,
                         const std::function<bool(const PluginSelection&)>& checkable) {
    Logger quiet_logger({}, true);
    CampaignHost host(config, workspace_paths(config), plugins, quiet_logger);
    auto attempt = [&](const PluginSelection& sel, auto&& create) {
        if (!checkable(sel)) return;
        const std::string& key_path = sel.key_path;
        try {
            create();
        } catch (const std::exception& e) {
            report.error("config.json: " + key_path, e.what());
        }
    };
    auto context = [&](std::string instance, const boost::json::object& options) {
        PluginContext c;
        c.instance = std::move(instance);
        c.options = options;
        c.host = &host;
        return c;
    };
    for (const auto& [role, sel] : config.agents)
        attempt(sel, [&] { plugins.create_agent(sel.plugin, context(role, sel.options)); });
    attempt(config.submitter,
            [&] { plugins.create_submitter(config.submitter.plugin, context("", config.submitter.options)); });
    attempt(config.scraper, [&] { plugins.create_scraper(config.scraper.plugin, context("", config.scraper.options)); });
    attempt(config.runner, [&] { plugins.create_runner(config.runner.plugin, context("", config.runner.options)); });
}

/// The keys every plugin is given (CompetitionInfo).
constexpr std::array<std::string_view, 6> kCompetitionKeys{"competition", "task_type",     "metric",
                                                           "metric_direction", "target_column", "id_column"};

/// Whether config.json has an error at `path` or inside it.
bool has_error_at(const std::vector<Diagnostic>& diagnostics, std::string_view path) {
    return std::any_of(diagnostics.begin(), diagnostics.end(), [&](const Diagnostic& d) {
        if (d.severity != Diagnostic::Severity::error || !d.key_path.starts_with(path)) return false;
        return d.key_path.size() == path.size() || d.key_path[path.size()] == '.' || d.key_path[path.size()] == '[';
    });
}

/// A slot whose own keys (and the LLM configuration an agent names) have no errors: creating
/// its plugin reports what only the plugin can find out, in the same pass as the key errors.
bool slot_without_errors(const std::vector<Diagnostic>& diagnostics, const PluginSelection& sel) {
    if (sel.plugin.empty() || has_error_at(diagnostics, sel.key_path)) return false;
    const auto* llm = sel.options.if_contains("llm");
    return !(llm && llm->is_string() && has_error_at(diagnostics, "llms." + std::string(llm->get_string())));
}

std::string plugin_summary(const Config& config) {
    std::string out;
    for (const auto& [role, sel] : config.agents) out += "  " + role + std::string(11 - role.size(), ' ') + sel.plugin + "\n";
    for (const auto& [name, sel] : config.llms) out += "  llm " + name + ": " + sel.plugin + "\n";
    out += "  submitter  " + config.submitter.plugin + "\n";
    out += "  scraper    " + config.scraper.plugin + "\n";
    out += "  runner     " + config.runner.plugin + "\n";
    return out;
}

}  // namespace

int cmd_validate(CommandArgs argv) {
    Args args(argv, {}, {});
    if (args.help()) {
        print_usage(command_named("validate"));
        std::cout << "\nChecks config.json (keys, types, plugins and their options), the data files in data_dir\n"
                     "(train.csv, test.csv, sample_submission.csv and their columns), the Python interpreter and\n"
                     "whether experiments run in the sandbox.\n"
                     "DIR defaults to the current folder; it may also name a config file.\n"
                     "Exit codes: 0 valid (warnings allowed), 2 errors found.\n";
        return exit_ok;
    }
    args.max_positionals(1);
    const fs::path file = config_file_for(args.positionals().empty() ? "" : args.positionals()[0]);

    // A first pass without plugins finds plugin_dirs (and every error that needs no plugin).
    ConfigLoadResult bare = load_config(file, nullptr);
    Report report;
    bool syntax_error = !bare.ok() && std::any_of(bare.diagnostics.begin(), bare.diagnostics.end(),
                                                   [](const Diagnostic& d) { return d.key_path.empty(); });
    if (syntax_error) {
        for (const auto& d : bare.diagnostics) report.diagnostic(d);
        std::cout << file.string() << ": " << report.errors() << " error(s)\n";
        return exit_usage;
    }
    PluginHost plugins(PluginHost::search_path(bare.plugin_dirs));
    ConfigLoadResult result = load_config(file, &plugins);
    for (const auto& d : result.diagnostics) report.diagnostic(d);
    for (const auto& failure : plugins.failures())
        report.warning(failure.path.string(), "plugin not loaded: " + failure.reason);

    // Everything that does not depend on a key in error is checked in this same pass, so that
    // fixing the errors shown never reveals new ones.
    if (const Config* checked = result.ok() ? &*result.config : result.partial ? &*result.partial : nullptr) {
        const auto& diagnostics = result.diagnostics;
        auto clean = [&](std::initializer_list<std::string_view> keys) {
            return std::none_of(keys.begin(), keys.end(), [&](std::string_view key) { return has_error_at(diagnostics, key); });
        };
        if (clean({"task_type", "metric", "metric_options"}))
            for (const auto& gap : configuration_gaps(*checked, plugins))
                report.error("config.json: the campaign cannot run", gap);
        if (clean({"data_dir", "target_column", "id_column", "group_column", "time_column", "cv_strategy", "cv_folds",
                   "cv_gap", "seed"}))
            check_data(report, *checked);
        if (clean({"python", "runner"})) {
            check_python(report, *checked);
            check_sandbox_use(report, *checked);
        }
        // Plugins see the competition's keys: with one of them in error they are not started.
        const bool competition_read =
            std::none_of(kCompetitionKeys.begin(), kCompetitionKeys.end(),
                         [&](std::string_view key) { return has_error_at(diagnostics, key); });
        auto checkable = [&](const PluginSelection& sel) {
            return competition_read && slot_without_errors(diagnostics, sel);
        };
        check_kaggle(report, *checked, checkable);
        check_plugins_start(report, *checked, plugins, checkable);
    }
    if (report.errors() > 0) {
        std::cout << file.string() << ": " << report.errors() << " error(s), " << report.warnings()
                  << " warning(s); fix the errors above and run autokaggle validate again\n";
        return exit_usage;
    }
    const Config& c = *result.config;
    std::cout << "config OK: " << file.string() << "\n  competition " << c.competition.competition << " ("
              << c.competition.task_type << "), metric " << c.competition.metric << " ("
              << c.competition.metric_direction << " is better), " << c.competition.cv_folds << "-fold "
              << c.competition.cv_strategy << "\n"
              << plugin_summary(c) << report.warnings() << " warning(s)\n";
    return exit_ok;
}

}  // namespace autokaggle::cli
