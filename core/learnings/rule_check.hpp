// What makes a learning general enough for the user-level store (docs/learnings.md): it names
// no competition, no column of one competition's data, no round of one campaign, and holds no
// raw score. A rule whose specifics sit in parentheses is rewritten without them; any other
// rule with specifics is refused, with the reason.
#pragma once

#include <autokaggle/support/learnings_rules.hpp>  // rule_id

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace autokaggle::learnings {

/// The words that would tie a rule to one competition, lower case.
struct CompetitionWords {
    std::vector<std::string> names;    ///< the slug in its spellings, and its distinctive parts
    std::vector<std::string> columns;  ///< train.csv's distinctive column names
    std::string metric;                ///< the metric's name, a score word next to a number
    /// The words of every metric name the installation knows ("auc_roc" -> auc, roc; "map@k" ->
    /// map): next to a number, each makes it a score, whichever metric this campaign uses.
    std::vector<std::string> metric_words;
};

/// From the competition's slug, its metric, train.csv's header (no file: no columns) and the
/// names of the metrics the loaded plugins provide.
CompetitionWords competition_words(std::string_view slug, std::string_view metric, const std::filesystem::path& train_csv,
                                   const std::vector<std::string>& metric_names = {});

struct RuleCheck {
    bool accepted = false;
    std::string text;    ///< the rule as accepted, perhaps without a parenthesis that held specifics
    std::string reason;  ///< why it was refused, or what the rewrite dropped; empty when unchanged
};

/// The first specific in `text` ("names the competition ('pima')", "holds a raw score
/// ('0.843575')", ...), or an empty string when there is none.
std::string specific_in(std::string_view text, const CompetitionWords& words);

/// Accepts a general rule as it is, rewrites one whose specifics are all inside parentheses or
/// brackets (those are dropped), refuses the rest.
RuleCheck check_general(std::string_view rule, const CompetitionWords& words);

/// True for an identity as rule_id writes it.
bool is_rule_id(std::string_view text);

}  // namespace autokaggle::learnings
