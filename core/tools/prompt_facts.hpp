// Facts the core states in every role prompt (HostServices::prompt_values): the Python packages
// the experiments' interpreter can import and whether it sees a GPU (probed once through the
// scratch runner and kept in agents/environment.json until the interpreter changes), the
// best_pipeline_script, the Researcher's real sources, and the tools the role has.
#pragma once

#include "tools/tool_surface.hpp"

#include <map>
#include <string>
#include <string_view>

namespace autokaggle::tools {

/// What the interpreter offers.
struct PythonEnvironment {
    std::vector<std::string> importable;  ///< "lightgbm 4.3.0", "xgboost 1.7.4", ...
    std::vector<std::string> missing;     ///< import names that are not installed
    std::string gpu;                      ///< "no GPU visible" or what nvidia-smi lists
};

/// The probe's result for the competition's interpreter, from the cache when it matches.
/// Never throws: a probe that fails is reported in the result.
PythonEnvironment probe_environment(ToolHost& host);

/// Placeholder values for a role's prompt: python_packages, gpu, best_pipeline_script,
/// research_sources, tools.
std::map<std::string, std::string> prompt_facts(ToolHost& host, const ToolSurface& surface, std::string_view role);

}  // namespace autokaggle::tools
