// The user-level learnings store (docs/learnings.md): one markdown file the user may edit,
// holding the rules earned by every campaign, each with its evidence and a confidence.
//
//   ## Rules
//
//   - A blend of two to four diverse model families ... beat the best single model.
//     <!-- id=3f2a9c1e source=starter prior=0.40 confidence=0.55 text=3f2a9c1e -->
//     - 2026-12-06 pima-diabetes confirmed: binary classification, small data; ...
//
//   ## Retired
//
//   - 9b0e11aa deleted before 2026-12-06
//
//   <!-- autokaggle learnings store, format 1; rules at the last write: 3f2a9c1e ... -->
//
// A rule's id is the identity of the text it was first stored with (rule_id), so a rule the
// user rewrites keeps its id and its new wording; `text=` records the wording autokaggle last
// wrote, which tells an edit apart. A rule whose bullet the user deletes is found missing
// against the last line's list and retired: no campaign brings it back.
#pragma once

#include <autokaggle/support/learnings_rules.hpp>

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace autokaggle::learnings {

std::string_view to_string(Verdict v);
std::optional<Verdict> parse_verdict(std::string_view word);

/// One campaign's word on a rule. A campaign is named by its competition's slug: campaigns on
/// the same competition are one piece of evidence, the latest verdict counting.
struct Evidence {
    std::string date;      ///< YYYY-MM-DD of the campaign's latest update
    std::string campaign;  ///< competition slug (or the workspace's folder name)
    Verdict verdict = Verdict::confirmed;
    std::string what;      ///< what it changed, in general terms; may be empty
};

inline constexpr double kStarterPrior = 0.40;   ///< shipped rules: a modest start
inline constexpr double kCampaignPrior = 0.35;  ///< a rule a campaign proposes, before its own evidence
inline constexpr double kUserPrior = 0.60;      ///< a rule the user wrote into the store

struct Rule {
    std::string id;
    std::string text;
    std::string written_id;  ///< rule_id of the wording autokaggle last wrote (empty: never written)
    std::string source;      ///< "starter" | "campaign" | "user"
    double prior = kCampaignPrior;
    std::vector<Evidence> evidence;  ///< oldest first
    std::vector<std::string> notes;  ///< other indented lines under the rule, verbatim

    bool edited() const { return !written_id.empty() && written_id != rule_id_of_text(); }
    std::string rule_id_of_text() const;
    int count(Verdict v) const;
    /// The prior moved by the evidence in log-odds: each confirming campaign adds 0.6, each
    /// contradicting one takes 0.9 away; within [0.02, 0.98].
    double confidence() const;
};

struct RetiredRule {
    std::string id;
    std::string line;  ///< the rest of its line, as shown to the user
};

struct Store {
    std::string preamble;                 ///< everything before "## Rules", kept as the user left it
    std::vector<Rule> rules;
    std::vector<RetiredRule> retired;
    std::string other_sections;           ///< sections autokaggle does not know, kept verbatim
    std::vector<std::string> written_ids;  ///< the ids of the rules at the last write (the footer)

    Rule* find(std::string_view id);
    bool is_retired(std::string_view id) const;
};

/// Reads a store (or the starter file: then bullets without a machine line are `source`
/// rules with `prior`). Lenient: lines it does not understand are kept as notes or preamble.
Store parse_store(std::string_view text, std::string_view default_source = "user", double default_prior = kUserPrior);
std::string render_store(const Store& store);

/// Rules the last write listed that are gone now were deleted by the user: retire them.
void retire_deleted(Store& store, std::string_view today);
/// Adds each starter rule that the store neither holds nor retired.
void add_starters(Store& store, const std::vector<Rule>& starters);

/// A campaign's claim about one rule, after its LEARNINGS.md was read and checked.
struct Finding {
    std::string id;    ///< the rule's id
    std::string text;  ///< the rule's wording (empty when the campaign cited an id only)
    Verdict verdict = Verdict::confirmed;
    std::string what;
};

struct CampaignReport {
    std::string campaign;  ///< competition slug or workspace folder name
    std::string date;      ///< YYYY-MM-DD
    std::vector<Finding> findings;  ///< one per rule (the campaign's net verdict)
};

struct MergeSummary {
    int added = 0, confirmed = 0, contradicted = 0, unchanged = 0;
    std::vector<std::string> skipped;  ///< why a finding changed nothing ("retired by the user", ...)
    bool changed() const { return added + confirmed + contradicted > 0; }
};

/// Records the campaign's evidence on each rule it speaks about (replacing its earlier word),
/// adds the new rules it confirmed, never touches a rule's text or a retired rule.
MergeSummary merge(Store& store, const CampaignReport& report);

/// The starter rules shipped with the program (competitions/learnings-starter.md), or none
/// when the file is not found.
std::vector<Rule> shipped_starters();

/// Read-modify-write of the store file under an exclusive flock on `<store>.lock` (the store
/// itself is replaced by atomic_write, so its own inode cannot carry the lock). A missing store
/// starts from the starters; deleted rules are retired and new starters added before `change`
/// runs. The file is written (atomically) when its text changed. Returns the store as written.
/// Throws autokaggle::Error naming the file when it cannot be read, locked or written.
Store update_store_file(const std::filesystem::path& store, const std::vector<Rule>& starters,
                        const std::function<void(Store&)>& change = {});

}  // namespace autokaggle::learnings
