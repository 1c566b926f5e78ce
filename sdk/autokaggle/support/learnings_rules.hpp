// The rules a workspace's LEARNINGS.md states (docs/learnings.md), for agents that reason over
// them: those brought from the user-level store, with their confidence, and those of this
// campaign's round sections, with their verdicts. Implemented in libautokaggle-learnings
// (AutoKaggle::learnings).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace autokaggle::learnings {

enum class Verdict { confirmed, contradicted, mixed };

/// The heading of the section holding the store's rules.
inline constexpr std::string_view kImportedHeading = "## From earlier campaigns";

/// A rule's identity: 8 hex digits of a hash over its words (lower case, punctuation and
/// spacing ignored), so "Blend  diverse models." and "blend diverse models" are one rule.
std::string rule_id(std::string_view text);

/// A rule as LEARNINGS.md states it.
struct WorkspaceRule {
    std::string id;
    std::string text;                 ///< empty for a bare citation ("confirms 3f2a9c1e")
    std::optional<double> confidence; ///< imported rules carry the store's; this campaign's do not
    Verdict verdict = Verdict::confirmed;  ///< contradicted for "contradicts ..." bullets
    std::string what;                 ///< the "(evidence: ...)" part
    bool imported = false;            ///< from the "From earlier campaigns" section
};

/// Every rule of LEARNINGS.md: the imported section's and the round sections' bullets.
std::vector<WorkspaceRule> rules_in_learnings(std::string_view learnings_text);

}  // namespace autokaggle::learnings
