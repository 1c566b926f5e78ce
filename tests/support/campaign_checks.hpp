// What every scripted 6-round campaign must show, whatever kind of agent played it (the `llm`
// agent over either provider API, Claude Code or Codex over MCP): see scripted_competitor.hpp.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace autokaggle::test {

/// A TSV file as rows of column -> value (the header names the columns).
std::vector<std::map<std::string, std::string>> read_tsv(const std::filesystem::path& file);

/// Checks the workspace after six rounds of the scripted competitor (Boost.Test assertions):
/// every round's experiment went through the runner (R{NN}_run.log; R04 stopped by the fold-1
/// kill gate), the EDA ran as scratch code without a crash record, R03's 4-decimal answer was
/// verified, every experiment has its family, the held-out answers were out of reach, and the
/// Reviewer saw inside an OOF .npy.
void check_campaign(const std::filesystem::path& ws);

}  // namespace autokaggle::test
