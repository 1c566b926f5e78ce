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
std::string join_paths(const std::vector<fs::path>& paths) {
    std::string out;
    for (const auto& p : paths) out += (out.empty() ? "" : ", ") + p.string();
    return out;
}
}  // namespace

std::string render_prompt(const std::string& text, const std::string& role, const CompetitionInfo& c,
                          const WorkspacePaths& paths, std::vector<std::string>& unknown) {
    const std::map<std::string, std::string, std::less<>> values{
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
        {"train_csv", c.train_csv.string()},
        {"test_csv", c.test_csv.string()},
        {"sample_submission_csv", c.sample_submission_csv.string()},
        {"data_dir", paths.data.string()},
        {"python", c.python.string()},
        {"workspace", paths.root.string()},
        {"rounds_dir", paths.rounds.string()},
        {"learnings", paths.learnings.string()},
        {"knowledge_files", join_paths(c.knowledge_files)},
        {"role", role},
    };
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
