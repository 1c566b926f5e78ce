// autokaggle plugins [--dir DIR] [--json]: every plugin the search path finds (kind, name,
// version, path) and every library that failed to load, with the reason.
#include "cli/args.hpp"
#include "cli/commands.hpp"

#include "base/config.hpp"
#include "base/plugin_host.hpp"
#include "base/text.hpp"

#include <boost/json/serialize.hpp>

#include <algorithm>
#include <iostream>

namespace autokaggle::cli {
namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

/// --dir names a workspace (its config.json's plugin_dirs come first) or a plugin folder.
std::vector<fs::path> config_dirs_for(const std::optional<std::string>& dir) {
    fs::path workspace = dir ? fs::path(*dir) : fs::current_path();
    std::error_code ec;
    if (fs::is_regular_file(workspace / "config.json", ec))
        return load_config(workspace / "config.json", nullptr).plugin_dirs;
    if (dir) {
        if (!fs::is_directory(workspace, ec)) throw UsageError("--dir " + *dir + ": no such folder");
        return {fs::absolute(workspace).lexically_normal()};
    }
    return {};
}

int kind_rank(const std::string& kind) {
    static const std::vector<std::string> order{"agent", "llm", "metric", "submitter", "scraper", "runner"};
    return static_cast<int>(std::find(order.begin(), order.end(), kind) - order.begin());
}

std::vector<const PluginInfo*> sorted(const PluginHost& host) {
    std::vector<const PluginInfo*> out;
    for (const auto& p : host.plugins()) out.push_back(&p);
    std::sort(out.begin(), out.end(), [](const PluginInfo* a, const PluginInfo* b) {
        return std::pair(kind_rank(a->kind), a->name) < std::pair(kind_rank(b->kind), b->name);
    });
    return out;
}

json::object to_json(const PluginHost& host) {
    json::array dirs, plugins, failures;
    for (const auto& d : host.search_dirs()) dirs.emplace_back(d.string());
    for (const PluginInfo* p : sorted(host)) {
        json::array provides;
        for (const auto& x : p->provides) provides.emplace_back(x);
        plugins.emplace_back(json::object{{"kind", p->kind},
                                          {"name", p->name},
                                          {"version", p->version},
                                          {"description", p->description},
                                          {"provides", provides},
                                          {"options", p->options_schema},
                                          {"path", p->path.string()}});
    }
    for (const auto& f : host.failures())
        failures.emplace_back(json::object{{"path", f.path.string()}, {"reason", f.reason}});
    return {{"search_dirs", dirs}, {"plugins", plugins}, {"failures", failures}};
}

void print_table(const PluginHost& host) {
    std::size_t name_width = 4, version_width = 7;
    for (const auto& p : host.plugins()) {
        name_width = std::max(name_width, p.name.size());
        version_width = std::max(version_width, p.version.size());
    }
    auto pad = [](const std::string& s, std::size_t w) { return s + std::string(w > s.size() ? w - s.size() : 0, ' '); };
    std::cout << pad("KIND", 10) << pad("NAME", name_width + 2) << pad("VERSION", version_width + 2) << "PATH\n";
    for (const PluginInfo* p : sorted(host)) {
        std::cout << pad(p->kind, 10) << pad(p->name, name_width + 2) << pad(p->version, version_width + 2)
                  << p->path.string() << "\n";
        std::string details = p->description;
        if (!p->provides.empty()) details += (details.empty() ? "" : "; ") + std::string("provides ") + join(p->provides, ", ");
        if (!details.empty()) std::cout << std::string(10, ' ') << details << "\n";
    }
    if (host.plugins().empty()) std::cout << "(no plugins found)\n";
    std::cout << "\nsearched, in order:\n";
    for (const auto& d : host.search_dirs()) {
        std::error_code ec;
        std::cout << "  " << d.string() << (fs::is_directory(d, ec) ? "" : " (does not exist)") << "\n";
    }
    if (!host.failures().empty()) {
        std::cout << "\nfailed to load:\n";
        for (const auto& f : host.failures()) std::cout << "  " << f.path.string() << ": " << f.reason << "\n";
    }
}

}  // namespace

int cmd_plugins(CommandArgs argv) {
    Args args(argv, {"--dir"}, {"--json"});
    if (args.help()) {
        print_usage(command_named("plugins"));
        std::cout << "\nSearch order: config.json plugin_dirs (of --dir DIR or the current folder), then\n"
                     "AUTOKAGGLE_PLUGIN_PATH (colon-separated), then the plugin folder next to the executable.\n"
                     "--dir DIR: a workspace whose config.json names plugin_dirs, or a plugin folder to search first.\n"
                     "--json: one JSON object {search_dirs, plugins, failures}.\n";
        return exit_ok;
    }
    args.max_positionals(0);
    PluginHost host(PluginHost::search_path(config_dirs_for(args.value("--dir"))));
    if (args.flag("--json")) std::cout << json::serialize(to_json(host)) << "\n";
    else print_table(host);
    return exit_ok;
}

}  // namespace autokaggle::cli
