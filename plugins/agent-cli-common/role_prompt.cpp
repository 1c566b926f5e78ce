#include "role_prompt.hpp"

#include <autokaggle/sdk/errors.hpp>

#include <boost/dll/runtime_symbol_info.hpp>

#include <algorithm>
#include <cstdlib>
#include <map>

namespace autokaggle::cli_agent {
namespace fs = std::filesystem;

std::vector<fs::path> prompt_search_dirs(const fs::path& workspace, const std::string& configured) {
    std::vector<fs::path> dirs;
    if (!configured.empty()) {
        fs::path p(configured);
        dirs.push_back(p.is_absolute() ? p : workspace / p);
    }
    dirs.push_back(workspace / "prompts");
    if (const char* data = std::getenv("AUTOKAGGLE_DATA_DIR"); data && *data) dirs.push_back(fs::path(data) / "prompts");
    std::error_code ec;
    fs::path plugin_dir = fs::path(boost::dll::this_line_location(ec)).parent_path();
    if (!ec && !plugin_dir.empty()) dirs.push_back((plugin_dir / AUTOKAGGLE_PROMPTS_FROM_PLUGIN).lexically_normal());
    dirs.push_back(AUTOKAGGLE_SOURCE_PROMPTS_DIR);
    return dirs;
}

fs::path find_role_prompt(const std::string& role, const std::vector<fs::path>& dirs, const std::string& option_path) {
    std::string tried;
    for (const auto& dir : dirs) {
        fs::path candidate = dir / (role + ".md");
        std::error_code ec;
        if (fs::is_regular_file(candidate, ec)) return candidate;
        tried += "\n  " + candidate.string();
    }
    throw ConfigError("no system prompt for role '" + role + "'; tried:" + tried +
                      "\nput a " + role + ".md into the workspace's prompts/ folder or set " + option_path +
                      " to a folder holding it");
}

namespace {
/// `p` relative to the workspace when inside it: agents work with relative paths.
std::string shown(const fs::path& p, const fs::path& root) {
    const fs::path rel = p.lexically_relative(root);
    return rel.empty() || rel.native().rfind("..", 0) == 0 ? p.string() : rel.generic_string();
}

std::string join_paths(const std::vector<fs::path>& paths, const fs::path& root) {
    std::string out;
    for (const auto& p : paths) out += (out.empty() ? "" : ", ") + shown(p, root);
    return out.empty() ? "none" : out;
}
}  // namespace

std::string render_prompt(const std::string& text, const std::string& role, HostServices& host,
                          std::vector<std::string>& unknown) {
    const CompetitionInfo& c = host.competition();
    const WorkspacePaths& paths = host.paths();
    const fs::path& root = paths.root;
    std::map<std::string, std::string, std::less<>> values{
        {"competition", c.competition},
        {"task_type", c.task_type},
        {"metric", c.metric},
        {"metric_direction", c.metric_direction},
        {"target_column", c.target_column},
        {"id_column", c.id_column},
        {"cv_strategy", c.cv_strategy},
        {"cv_folds", std::to_string(c.cv_folds)},
        {"seed", std::to_string(c.seed)},
        {"deadline", c.deadline.empty() ? "none" : c.deadline},
        {"max_submissions_per_day", std::to_string(c.max_submissions_per_day)},
        {"train_csv", shown(c.train_csv, root)},
        {"test_csv", shown(c.test_csv, root)},
        {"sample_submission_csv", shown(c.sample_submission_csv, root)},
        {"data_dir", shown(paths.data, root)},
        {"python", c.python.string()},
        {"workspace", paths.root.string()},
        {"rounds_dir", shown(paths.rounds, root)},
        {"learnings", shown(paths.learnings, root)},
        {"knowledge_files", join_paths(c.knowledge_files, root)},
        {"role", role},
        // Stated by the core through prompt_values(); these stand in for a host that states none.
        {"python_packages", "unknown (check with run_python)"},
        {"gpu", "unknown"},
        {"best_pipeline_script", c.best_pipeline_script ? shown(*c.best_pipeline_script, root) : "none configured"},
        {"research_sources", "- rounds/R{NN}_research_raw.md, knowledge/, results.tsv, earlier briefs and findings"},
        {"tools", "see the tool list"},
    };
    for (auto& [name, value] : host.prompt_values(role)) values.insert_or_assign(name, std::move(value));
    std::string out;
    out.reserve(text.size());
    std::size_t pos = 0;
    while (true) {
        auto open = text.find("{{", pos);
        if (open == std::string::npos) break;
        auto close = text.find("}}", open + 2);
        if (close == std::string::npos) break;
        std::string name = text.substr(open + 2, close - open - 2);
        // Trim spaces: "{{ metric }}" works too.
        name.erase(0, name.find_first_not_of(' '));
        name.erase(name.find_last_not_of(' ') + 1);
        out.append(text, pos, open - pos);
        if (auto it = values.find(name); it != values.end()) {
            out += it->second;
        } else {
            out.append(text, open, close + 2 - open);
            if (std::find(unknown.begin(), unknown.end(), name) == unknown.end()) unknown.push_back(name);
        }
        pos = close + 2;
    }
    out.append(text, pos, std::string::npos);
    return out;
}

}  // namespace autokaggle::cli_agent
