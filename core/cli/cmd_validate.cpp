// autokaggle validate [DIR]: config.json (with the plugins it names), the competition's data
// files and the Python interpreter for experiments. Prints every problem, one per line, as
// "config.json:LINE:COL: key.path: message"; exit 2 when there is any error.
#include "cli/args.hpp"
#include "cli/commands.hpp"

#include "base/config.hpp"
#include "base/plugin_host.hpp"
#include "base/text.hpp"
#include "kaggle/setup.hpp"
#include "orchestrator/campaign_host.hpp"
#include "runner/python_env.hpp"

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

/// The column names in the first line of a CSV file (quotes and a UTF-8 BOM removed).
std::optional<std::vector<std::string>> csv_header(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::string line;
    if (!in || !std::getline(in, line)) return std::nullopt;
    if (line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::vector<std::string> columns;
    std::string current;
    bool quoted = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
        char c = line[i];
        if (c == '"') {
            if (quoted && i + 1 < line.size() && line[i + 1] == '"') current += line[++i];
            else quoted = !quoted;
        } else if (c == ',' && !quoted) {
            columns.push_back(trim(current));
            current.clear();
        } else {
            current += c;
        }
    }
    columns.push_back(trim(current));
    return columns;
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

/// A named column must be in a file's header; says which columns there are when it is not.
void check_column(Report& report, const fs::path& file, const std::vector<std::string>& header,
                  const std::string& column, const std::string& key, const std::string& where) {
    if (column.empty() || std::find(header.begin(), header.end(), column) != header.end()) return;
    std::string message = key + " \"" + column + "\" is not a column of " + file.filename().string() + " (columns: " +
                          join(header, ", ") + ")";
    if (auto near = nearest(column, header)) message += "; did you mean \"" + *near + "\"?";
    report.error(where, message);
}

void check_data(Report& report, const Config& config) {
    const CompetitionInfo& c = config.competition;
    const fs::path data = c.train_csv.parent_path();
    std::error_code ec;
    if (!fs::is_directory(data, ec)) {
        report.error(shown(data, config.root),
                     "data folder not found (data_dir in config.json); put train.csv, test.csv and "
                     "sample_submission.csv there (autokaggle init --download fetches them from Kaggle)");
        return;
    }
    auto header_of = [&](const fs::path& file) -> std::optional<std::vector<std::string>> {
        if (!fs::is_regular_file(file, ec)) {
            report.error(shown(file, config.root), "missing; download the competition's data into " + shown(data, config.root));
            return std::nullopt;
        }
        auto header = csv_header(file);
        if (!header) report.error(shown(file, config.root), "empty or unreadable: expected a CSV file with a header line");
        return header;
    };
    if (auto train = header_of(c.train_csv)) {
        check_column(report, c.train_csv, *train, c.target_column, "target_column", shown(c.train_csv, config.root));
    }
    if (auto test = header_of(c.test_csv)) {
        if (!c.id_column.empty() && std::find(test->begin(), test->end(), c.id_column) == test->end())
            report.warning(shown(c.test_csv, config.root), "id_column \"" + c.id_column + "\" is not a column of test.csv");
        if (std::find(test->begin(), test->end(), c.target_column) != test->end() && !c.target_column.empty())
            report.warning(shown(c.test_csv, config.root),
                           "test.csv has the target column \"" + c.target_column + "\": is it the training file?");
    }
    if (auto sample = header_of(c.sample_submission_csv)) {
        check_column(report, c.sample_submission_csv, *sample, c.id_column, "id_column",
                     shown(c.sample_submission_csv, config.root));
    }
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
                     "(train.csv, test.csv, sample_submission.csv and their columns) and the Python interpreter.\n"
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
        if (!has_error_at(diagnostics, "data_dir") && !has_error_at(diagnostics, "target_column") &&
            !has_error_at(diagnostics, "id_column"))
            check_data(report, *checked);
        if (!has_error_at(diagnostics, "python") && !has_error_at(diagnostics, "runner")) check_python(report, *checked);
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
