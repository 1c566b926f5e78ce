// The role's system prompt: prompts/<role>.md with {{placeholders}} filled from the competition.
#pragma once

#include <autokaggle/sdk/host.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace autokaggle::cli_agent {

/// Folders searched for prompts/<role>.md, in order: `configured` (the plugin's prompts_dir
/// option, relative to the workspace; empty = not set), the workspace's prompts/,
/// $AUTOKAGGLE_DATA_DIR/prompts, the installed data folder next to the plugin, the source
/// tree's prompts/.
std::vector<std::filesystem::path> prompt_search_dirs(const std::filesystem::path& workspace,
                                                      const std::string& configured);

/// The first <dir>/<role>.md found; throws ConfigError listing every path tried.
std::filesystem::path find_role_prompt(const std::string& role, const std::vector<std::filesystem::path>& dirs,
                                       const std::string& option_path);

/// Replaces {{name}} with the competition's values (competition, metric, metric_direction,
/// task_type, target_column, id_column, cv_strategy, cv_folds, seed, deadline,
/// max_submissions_per_day, train_csv, test_csv, sample_submission_csv, data_dir, python,
/// workspace, rounds_dir, learnings, knowledge_files, role) and the facts the core states
/// (HostServices::prompt_values: python_packages, gpu, best_pipeline_script, research_sources,
/// tools). Paths inside the workspace are given relative to it. Unknown names are kept verbatim
/// and listed in `unknown`.
std::string render_prompt(const std::string& text, const std::string& role, HostServices& host,
                          std::vector<std::string>& unknown);

}  // namespace autokaggle::cli_agent
