// autokaggle init DIR [--competition SLUG] [--download] [--force]: scaffolds a campaign workspace
// from the shipped template (config.json with <PLACEHOLDER> values, LEARNINGS.md, knowledge/), with
// KAGGLE_API.md and the learnings store's rules for the agents.
#include "cli/args.hpp"
#include "cli/commands.hpp"

#include "base/atomic_file.hpp"
#include "base/config.hpp"
#include "base/plugin_host.hpp"
#include "base/install_paths.hpp"
#include "base/text.hpp"
#include "kaggle/platform_reference.hpp"
#include "kaggle/setup.hpp"
#include "learnings/workspace_learnings.hpp"

#include <autokaggle/sdk/errors.hpp>

#include <algorithm>
#include <cctype>
#include <iostream>

namespace autokaggle::cli {
namespace fs = std::filesystem;

namespace {

struct InitOptions {
    fs::path dir;
    std::optional<std::string> competition;
    bool download = false;
    bool force = false;
};

InitOptions parse(const Args& args) {
    if (args.positionals().empty()) throw UsageError("missing DIR: the folder to create the workspace in");
    args.max_positionals(1);
    InitOptions o;
    o.dir = fs::absolute(args.positionals()[0]).lexically_normal();
    o.competition = args.value("--competition");
    o.download = args.flag("--download");
    o.force = args.flag("--force");
    if (o.competition) {
        const std::string& slug = *o.competition;
        bool valid = !slug.empty() && std::all_of(slug.begin(), slug.end(), [](char c) {
            return std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '-';
        });
        if (!valid)
            throw UsageError("--competition '" + slug + "' is not a Kaggle slug (lowercase letters, digits and '-', "
                             "as in kaggle.com/competitions/<slug>)");
    }
    if (o.download && !o.competition) throw UsageError("--download needs --competition SLUG");
    return o;
}

fs::path template_dir() {
    if (auto dir = find_data("competitions/template")) return *dir;
    std::string tried;
    for (const auto& d : data_search_path()) tried += "\n  " + (d / "competitions/template").string();
    throw Error("the workspace template was not found; looked in:" + tried +
                "\n(set AUTOKAGGLE_DATA_DIR to the folder holding competitions/)");
}

/// The template's config.json with the slug filled in (text replacement keeps its layout).
std::string config_text(const fs::path& template_config, const std::optional<std::string>& competition) {
    std::string text = read_file(template_config);
    if (!competition) return text;
    const std::string key = "\"competition\": \"<PLACEHOLDER>\"";
    auto at = text.find(key);
    if (at == std::string::npos) throw Error(template_config.string() + " has no \"competition\" placeholder");
    text.replace(at, key.size(), "\"competition\": \"" + *competition + "\"");
    return text;
}

/// Copies the template into the workspace; existing files are kept (config.json is replaced
/// with --force; LEARNINGS.md and knowledge/ never are: they hold what earlier campaigns learnt).
void scaffold(const InitOptions& o) {
    const fs::path from = template_dir();
    fs::create_directories(o.dir);
    for (auto it = fs::recursive_directory_iterator(from); it != fs::recursive_directory_iterator(); ++it) {
        const fs::path rel = it->path().lexically_relative(from);
        const fs::path to = o.dir / rel;
        if (it->is_directory()) {
            fs::create_directories(to);
            continue;
        }
        const bool is_config = rel == "config.json";
        if (fs::exists(to) && !(is_config && o.force)) {
            std::cout << "  kept     " << rel.string() << (is_config ? " (exists; --force replaces it)" : "") << "\n";
            if (is_config && o.competition)
                std::cerr << "autokaggle init: warning: --competition not applied to the existing config.json\n";
            continue;
        }
        atomic_write(to, is_config ? config_text(it->path(), o.competition) : read_file(it->path()));
        std::cout << "  created  " << rel.string() << "\n";
    }
    fs::create_directories(o.dir / "data");
}

/// Fetches the data from Kaggle and fills config.json from it (core/kaggle does the work);
/// returns the competition as Kaggle described it.
kaggle::Competition download(const InitOptions& o) {
    const fs::path config_file = o.dir / "config.json";
    kaggle::DownloadOptions options;
    options.progress = [](const std::string& line) { std::cout << "  " << line << "\n" << std::flush; };
    // The metric plugins say which of them answers to Kaggle's name for the metric.
    const PluginHost plugins(PluginHost::search_path(load_config(config_file, nullptr).plugin_dirs));
    options.plugins = &plugins;
    const kaggle::DownloadReport report = kaggle::download_competition(config_file, *o.competition, options);
    std::cout << kaggle::format_report(report, config_file);
    return report.competition;
}

/// What the agents read at startup besides config.json: the platform's reference and the
/// rules of earlier campaigns (docs/kaggle.md, docs/learnings.md).
void write_agent_references(const InitOptions& o, const std::optional<kaggle::Competition>& known) {
    std::cout << "  " << kaggle::write_platform_reference(o.dir, o.competition.value_or(""), known) << "\n";
    try {
        std::cout << "  " << learnings::bring_store_into_new_workspace(o.dir) << "\n";
    } catch (const std::exception& e) {
        std::cerr << "autokaggle init: warning: the learnings store was not read: " << e.what() << "\n";
    }
}

}  // namespace

int cmd_init(CommandArgs argv) {
    Args args(argv, {"--competition"}, {"--download", "--force"});
    if (args.help()) {
        print_usage(command_named("init"));
        std::cout << "\nCreates DIR with config.json (values to fill are marked <PLACEHOLDER>), LEARNINGS.md (with\n"
                     "the rules of the learnings store), KAGGLE_API.md, knowledge/ and data/. Existing files are kept;\n"
                     "--force replaces config.json; KAGGLE_API.md and LEARNINGS.md's imported rules are refreshed.\n"
                     "--competition SLUG  writes the Kaggle slug into config.json\n"
                     "--download          also fetches the competition's data and fills config.json from it\n"
                     "Then: edit config.json, put the data in data/, run autokaggle validate DIR.\n"
                     "Held-out answers for an offline leaderboard (submitter \"local\") go in a folder beside\n"
                     "the workspace (DIR-heldout/answers.csv), never inside it: agents must not read them.\n";
        return exit_ok;
    }
    const InitOptions options = parse(args);
    std::cout << "workspace " << options.dir.string() << "\n";
    scaffold(options);
    std::optional<kaggle::Competition> known;
    if (options.download) known = download(options);
    write_agent_references(options, known);
    if (options.download) return exit_ok;
    std::cout << "next: fill the <PLACEHOLDER> values in " << (options.dir / "config.json").string()
              << ", put train.csv, test.csv and sample_submission.csv in " << (options.dir / "data").string()
              << ", then run: autokaggle validate " << options.dir.string() << "\n";
    return exit_ok;
}

}  // namespace autokaggle::cli
