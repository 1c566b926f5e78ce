// The tools an LLM agent may call, executed by the host and confined to the workspace:
// read_file, write_file, list_files, grep, and (Builder) run_experiment. Paths are relative
// to the workspace; "..", absolute paths and symlinks leading outside are refused.
#pragma once

#include <autokaggle/sdk/host.hpp>
#include <autokaggle/sdk/llm.hpp>

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace autokaggle::llm_agent {

struct ToolLimits {
    std::size_t read_bytes = 60'000;    ///< most text one read_file returns
    std::size_t output_bytes = 20'000;  ///< most text any other tool returns
    int max_matches = 100;              ///< grep
    int max_entries = 300;              ///< list_files
};

class WorkspaceTools {
public:
    /// `run_experiment`: when set, the run_experiment tool is offered (Builder only); it receives
    /// the absolute script path and a description and returns the text for the model.
    using ExperimentRunner = std::function<std::string(const std::filesystem::path& script, const std::string& description)>;

    WorkspaceTools(std::filesystem::path root, ToolLimits limits, ExperimentRunner run_experiment = nullptr);

    const std::vector<ToolSpec>& specs() const { return specs_; }
    /// Executes one call. Never throws for the model's mistakes (bad arguments, missing files,
    /// refused paths): those come back as is_error results the model can act on.
    ToolResult execute(const ToolCall& call) const;

    /// The absolute path for a workspace-relative one; throws autokaggle::Error explaining the
    /// refusal (absolute, "..", outside the workspace through a symlink, protected for writing).
    std::filesystem::path resolve(const std::string& relative, bool for_write) const;

private:
    std::string read_file(const boost::json::object& args) const;
    std::string write_file(const boost::json::object& args) const;
    std::string list_files(const boost::json::object& args) const;
    std::string grep(const boost::json::object& args) const;
    std::string run_experiment(const boost::json::object& args) const;
    std::string relative(const std::filesystem::path& absolute) const;

    std::filesystem::path root_;  ///< canonical
    ToolLimits limits_;
    ExperimentRunner run_experiment_;
    std::vector<ToolSpec> specs_;
};

}  // namespace autokaggle::llm_agent
