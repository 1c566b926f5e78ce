// A workspace's LEARNINGS.md and the learnings store (docs/learnings.md): where the store is,
// the section of LEARNINGS.md the store's rules are copied into, the rules a campaign states
// in its round sections, and the campaign's hooks (one call each from the orchestrator).
#pragma once

#include "learnings/rule_check.hpp"
#include "learnings/store.hpp"

#include <autokaggle/sdk/host.hpp>
#include <autokaggle/support/learnings_rules.hpp>  // WorkspaceRule, rules_in_learnings, kImportedHeading

#include <boost/json/object.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace autokaggle {
struct Config;
class Logger;
}  // namespace autokaggle

namespace autokaggle::learnings {

/// The start of a LEARNINGS.md that does not exist yet.
inline constexpr std::string_view kWorkspaceHeader =
    "# Learnings\n\nGeneral rules: those of earlier campaigns first, then what each round of this one found.\n";

/// Where the store is: config.json's "learnings_store" (a path, relative to the workspace,
/// "~/" for the home folder; false: no store), else $XDG_DATA_HOME/autokaggle/learnings.md,
/// else ~/.local/share/autokaggle/learnings.md. nullopt: no store.
std::optional<std::filesystem::path> store_location(const boost::json::object& raw_config,
                                                    const std::filesystem::path& workspace);

/// The body of the imported section: the store's rules, most trusted first, with their ids,
/// confidence and evidence (without campaign names), and how to cite them.
std::string imported_section(const Store& store, std::string_view date);

/// What the campaign's round sections say, checked against `words`: specific rules are
/// refused (listed in `refused` with the reason), one finding per rule with the net verdict.
CampaignReport campaign_report(std::string_view learnings_text, const CompetitionWords& words, std::string campaign,
                               std::string date, std::vector<std::string>& refused);

/// Replaces or adds the section `heading` of LEARNINGS.md with one bullet per line (nothing is
/// written when there are no bullets and the section does not exist).
void write_section(const std::filesystem::path& learnings_file, std::string_view heading,
                   const std::vector<std::string>& bullets);

// ---- the campaign's hooks (never throw: a problem with the store is a warning) ----------------

/// At the start of a run in round 0 (the first run of a campaign): the store's rules into
/// LEARNINGS.md. Later rounds keep what the campaign started with, so a resume decides alike.
void bring_store_into_workspace(const Config& config, const WorkspacePaths& paths, int round, Logger& logger);
/// After round `round`'s retrospective: its "## Learnings" bullets into LEARNINGS.md (section
/// "## R10 retro"), then the campaign's rules into the store.
void after_retrospective(const Config& config, const WorkspacePaths& paths, int round,
                         const std::vector<std::string>& metric_names, Logger& logger);
/// At the end of a run: the campaign's rules into the store.
/// `metric_names`: those the loaded plugins provide; a number next to one is a raw score, too
/// specific for the store.
void share_with_store(const Config& config, const WorkspacePaths& paths, const std::vector<std::string>& metric_names,
                      Logger& logger);

/// For `autokaggle init`: the store's rules into DIR/LEARNINGS.md, reading DIR/config.json
/// leniently (it may still hold placeholders). Returns one line for the user.
std::string bring_store_into_new_workspace(const std::filesystem::path& workspace);

}  // namespace autokaggle::learnings
