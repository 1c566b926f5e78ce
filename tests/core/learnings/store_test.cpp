// The learnings store (docs/learnings.md): what counts as general, how campaigns' evidence
// moves a rule's confidence, that the user's edits and deletions stand, that concurrent
// campaigns lose nothing, and the workspace side (LEARNINGS.md sections, the campaign hooks).
#define BOOST_TEST_MODULE learnings_unit
#include <boost/test/unit_test.hpp>

#include "learnings/markdown_sections.hpp"
#include "learnings/rule_check.hpp"
#include "learnings/store.hpp"
#include "learnings/workspace_learnings.hpp"

#include "base/atomic_file.hpp"
#include "base/config.hpp"
#include "base/log.hpp"
#include "support/test_support.hpp"

#include <boost/json.hpp>

#include <cstdlib>
#include <sys/wait.h>
#include <unistd.h>

using namespace autokaggle;
using namespace autokaggle::learnings;
using autokaggle::test::TempDir;
namespace fs = std::filesystem;

namespace {

CompetitionWords pima_words(const TempDir& dir) {
    test::write_text(dir / "train.csv", "id,pregnant,glucose,pressure,insulin,mass,age,diabetes\n1,2,3,4,5,6,7,0\n");
    // The metric names the standard plugin provides make a number next to them a score.
    return competition_words("pima-diabetes", "auc_roc", dir / "train.csv", {"auc_roc", "rmse", "logloss", "map@k"});
}

Rule starter(const std::string& text) {
    Rule r;
    r.text = text;
    r.id = rule_id(text);
    r.source = "starter";
    r.prior = kStarterPrior;
    return r;
}

CampaignReport report(const std::string& campaign, std::vector<Finding> findings) {
    return CampaignReport{campaign, "2026-12-06", std::move(findings)};
}

Finding claim(const std::string& text, Verdict v = Verdict::confirmed, const std::string& what = "") {
    return Finding{rule_id(text), text, v, what};
}

const std::string kBlend = "A blend of diverse families beat the best single model.";
const std::string kTuning = "Tuning a model that already works gained less than the fold noise.";

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
    for (auto pos = text.find(from); pos != std::string::npos; pos = text.find(from, pos + to.size()))
        text.replace(pos, from.size(), to);
    return text;
}

}  // namespace

namespace autokaggle::learnings {
std::ostream& operator<<(std::ostream& out, Verdict v) { return out << to_string(v); }
}  // namespace autokaggle::learnings

BOOST_AUTO_TEST_CASE(the_check_refuses_specifics_and_keeps_general_rules) {
    TempDir dir("learnings-check");
    const auto words = pima_words(dir);
    // The autopilot's old trivia, and the ways a rule can be tied to one competition.
    for (const char* trivia : {"regularised linear model (base) baseline CV 0.843575 on pima-diabetes.",
                               "The blend beat XGBoost on pima diabetes data.", "Binning glucose helped the trees.",
                               "Boosting scored 0.8436 while the linear model lagged.",
                               "Log-target training lowered RMSE to 4.2 for the forest.",
                               "R07 showed that target encoding overfits.", "Round 7 showed that target encoding overfits."}) {
        const auto c = check_general(trivia, words);
        BOOST_TEST(!c.accepted, trivia);
        BOOST_TEST(!c.reason.empty(), trivia);
    }
    BOOST_TEST(check_general("Binning glucose helped.", words).reason.find("glucose") != std::string::npos);
    // A metric the core has never heard of is a score word once a plugin provides it.
    const char* medae_rule = "The forest reached MedAE 2.1 after log targets.";
    BOOST_TEST(check_general(medae_rule, words).accepted);
    const auto with_medae = competition_words("pima-diabetes", "auc_roc", dir / "train.csv", {"auc_roc", "medae"});
    BOOST_TEST(check_general(medae_rule, with_medae).reason.find("raw score") != std::string::npos);
    BOOST_TEST(check_general("It scored 0.8436.", words).reason.find("raw score") != std::string::npos);
    // Specifics inside parentheses are dropped; the general rule stays.
    const auto rewritten = check_general("In-fold target encoding beat one-hot encoding (CV 0.8412 vs 0.8377 in R07).", words);
    BOOST_TEST(rewritten.accepted);
    BOOST_TEST(rewritten.text == "In-fold target encoding beat one-hot encoding.");
    BOOST_TEST(rewritten.reason.find("dropped") != std::string::npos);
    // General wording passes unchanged, numbers that are not scores included.
    for (const char* general : {"A blend of 2-4 diverse families beat the best single model by 1.8 times the fold noise.",
                                "Target encoding fitted inside the folds beat one-hot encoding for columns with many levels.",
                                "Early stopping on fold 1 saved 80% of the time without hurting CV.",
                                "With 5 folds, a learning rate of 0.05 and depth 6 was a good start for boosting.",
                                "On binary classification with hundreds of rows, class weights did not help.",
                                "Scoring fold 1 first and stopping clearly weaker runs saved the time of the remaining folds."}) {
        const auto c = check_general(general, words);
        BOOST_TEST(c.accepted, general << ": " << c.reason);
        BOOST_TEST(c.text == general);
    }
    BOOST_TEST(rule_id("Blend  diverse models.") == rule_id("blend diverse models"));
    BOOST_TEST(rule_id("blend diverse models") != rule_id("blend similar models"));
    BOOST_TEST(is_rule_id(rule_id("x")));
}

BOOST_AUTO_TEST_CASE(campaigns_raise_and_lower_confidence_and_count_once_each) {
    Store store;
    add_starters(store, {starter(kBlend)});
    BOOST_TEST(store.rules.at(0).confidence() == kStarterPrior, boost::test_tools::tolerance(1e-9));

    auto s = merge(store, report("comp-a", {claim(kBlend, Verdict::confirmed, "a blend gained 2.1 times the fold noise"),
                                           claim(kTuning)}));
    BOOST_TEST(s.confirmed == 1);
    BOOST_TEST(s.added == 1);
    Rule* blend = store.find(rule_id(kBlend));
    Rule* tuning = store.find(rule_id(kTuning));
    BOOST_REQUIRE(blend);
    BOOST_REQUIRE(tuning);
    BOOST_TEST(tuning->source == "campaign");
    const double after_one = blend->confidence();
    BOOST_TEST(after_one > kStarterPrior);
    // The same campaign again (a later retrospective, the campaign's end) changes nothing...
    s = merge(store, report("comp-a", {claim(kBlend, Verdict::confirmed, "a blend gained 2.1 times the fold noise")}));
    BOOST_TEST(s.unchanged == 1);
    BOOST_TEST(!s.changed());
    BOOST_TEST(blend->confidence() == after_one, boost::test_tools::tolerance(1e-12));
    BOOST_TEST(blend->evidence.size() == 1u);
    // ...another campaign confirming raises it further, one contradicting lowers it.
    merge(store, report("comp-b", {claim(kBlend)}));
    const double after_two = blend->confidence();
    BOOST_TEST(after_two > after_one);
    merge(store, report("comp-c", {claim(kBlend, Verdict::contradicted, "the blend did not beat the best single model")}));
    BOOST_TEST(blend->confidence() < after_two);
    BOOST_TEST(blend->count(Verdict::confirmed) == 2);
    BOOST_TEST(blend->count(Verdict::contradicted) == 1);
    // A campaign that changes its mind replaces its earlier word.
    merge(store, report("comp-c", {claim(kBlend)}));
    BOOST_TEST(blend->count(Verdict::contradicted) == 0);
    BOOST_TEST(blend->count(Verdict::confirmed) == 3);
    // Contradicting a rule the store does not hold adds nothing.
    s = merge(store, report("comp-d", {claim("Stacking with a ridge model won.", Verdict::contradicted)}));
    BOOST_TEST(s.added == 0);
    BOOST_TEST(store.rules.size() == 2u);

    // The file keeps all of it.
    const Store again = parse_store(render_store(store));
    BOOST_REQUIRE(again.rules.size() == 2u);
    BOOST_TEST(again.rules[0].id == blend->id);
    BOOST_TEST(again.rules[0].source == "starter");
    BOOST_TEST(again.rules[0].evidence.size() == 3u);
    BOOST_TEST(again.rules[0].confidence() == blend->confidence(), boost::test_tools::tolerance(1e-12));
    BOOST_TEST(again.rules[0].evidence[0].what == "a blend gained 2.1 times the fold noise");
    BOOST_TEST(render_store(again) == render_store(store));
}

BOOST_AUTO_TEST_CASE(the_users_edits_additions_and_deletions_stand) {
    TempDir dir("learnings-user");
    const fs::path file = dir / "store" / "learnings.md";
    const std::vector<Rule> starters{starter(kBlend), starter(kTuning)};
    update_store_file(file, starters, [&](Store& s) { merge(s, report("comp-a", {claim(kBlend)})); });
    std::string text = read_file(file);
    BOOST_TEST(text.find(kBlend) != std::string::npos);

    // The user rewords the blend rule, deletes the tuning rule, adds one and a section of notes.
    const std::string reworded = "Rank-average two to four different model families; it usually beats the best one.";
    text = replace_all(text, kBlend, reworded);
    const auto tuning_at = text.find("- " + kTuning);
    BOOST_REQUIRE(tuning_at != std::string::npos);
    text.erase(tuning_at, text.find("\n\n", tuning_at) + 2 - tuning_at);
    text = replace_all(text, "## Rules\n\n", "## Rules\n\n- My own rule: check the data's time order first.\n\n");
    text = replace_all(text, "<!-- autokaggle learnings store", "## My notes\n\nkeep this\n\n<!-- autokaggle learnings store");
    atomic_write(file, text);

    // Campaigns then confirm the original wording of both rules.
    const Store after = update_store_file(file, starters, [&](Store& s) {
        merge(s, report("comp-b", {claim(kBlend), claim(kTuning)}));
    });
    const std::string final_text = read_file(file);
    BOOST_TEST(final_text.find(reworded) != std::string::npos);
    BOOST_TEST(final_text.find(kBlend) == std::string::npos);
    BOOST_TEST(final_text.find("- " + kTuning) == std::string::npos);  // neither the starter nor the campaign brought it back
    BOOST_TEST(final_text.find("My own rule") != std::string::npos);
    BOOST_TEST(final_text.find("keep this") != std::string::npos);
    const Rule* blend = nullptr;
    for (const auto& r : after.rules)
        if (r.id == rule_id(kBlend)) blend = &r;
    BOOST_REQUIRE(blend);
    BOOST_TEST(blend->text == reworded);
    BOOST_TEST(blend->edited());
    BOOST_TEST(blend->count(Verdict::confirmed) == 2);  // comp-a before the edit, comp-b after it
    BOOST_TEST(after.is_retired(rule_id(kTuning)));
    const auto mine = std::find_if(after.rules.begin(), after.rules.end(), [](const Rule& r) { return r.text.find("My own") == 0; });
    BOOST_REQUIRE(mine != after.rules.end());
    BOOST_TEST(mine->source == "user");
    BOOST_TEST(mine->prior == kUserPrior);
    // A campaign citing the reworded text finds the same rule.
    update_store_file(file, starters, [&](Store& s) { merge(s, report("comp-c", {claim(reworded)})); });
    BOOST_TEST(parse_store(read_file(file)).find(rule_id(kBlend))->count(Verdict::confirmed) == 3);
    // Restoring a retired rule: written again under ## Rules, it is back.
    std::string restored = replace_all(read_file(file), "## Rules\n\n", "## Rules\n\n- " + kTuning + "\n\n");
    atomic_write(file, restored);
    const Store back = update_store_file(file, starters);
    BOOST_TEST(!back.is_retired(rule_id(kTuning)));
    BOOST_TEST(std::count_if(back.rules.begin(), back.rules.end(), [](const Rule& r) { return r.id == rule_id(kTuning); }) == 1);
}

BOOST_AUTO_TEST_CASE(concurrent_campaigns_lose_no_update) {
    TempDir dir("learnings-concurrent");
    const fs::path file = dir / "learnings.md";
    constexpr int kWriters = 6, kUpdates = 8;
    std::vector<pid_t> children;
    for (int w = 0; w < kWriters; ++w) {
        const pid_t pid = ::fork();
        BOOST_REQUIRE(pid >= 0);
        if (pid == 0) {
            int code = 0;
            try {
                for (int u = 0; u < kUpdates; ++u) {
                    const std::string text = "Rule " + std::to_string(u) + " of writer " + std::to_string(w) + " holds in general.";
                    update_store_file(file, {starter(kBlend)}, [&](Store& s) {
                        merge(s, report("comp-" + std::to_string(w), {claim(text), claim(kBlend)}));
                    });
                }
            } catch (...) {
                code = 1;
            }
            std::_Exit(code);
        }
        children.push_back(pid);
    }
    for (pid_t pid : children) {
        int status = 0;
        BOOST_REQUIRE(::waitpid(pid, &status, 0) == pid);
        BOOST_TEST((WIFEXITED(status) && WEXITSTATUS(status) == 0));
    }
    const Store store = parse_store(read_file(file));
    BOOST_TEST(store.rules.size() == static_cast<std::size_t>(1 + kWriters * kUpdates));
    const Rule* blend = nullptr;
    for (const auto& r : store.rules)
        if (r.id == rule_id(kBlend)) blend = &r;
    BOOST_REQUIRE(blend);
    BOOST_TEST(blend->count(Verdict::confirmed) == kWriters);
}

BOOST_AUTO_TEST_CASE(a_campaign_report_reads_its_round_sections_and_refuses_trivia) {
    TempDir dir("learnings-report");
    const auto words = pima_words(dir);
    Store imported;
    add_starters(imported, {starter(kTuning)});
    const std::string learnings =
        std::string(kWorkspaceHeader) + "\n## Rules\n- a rule of the user's, not the campaign's\n\n" +
        std::string(kImportedHeading) + "\n" + imported_section(imported, "2026-12-06") +
        "\n## R01\n- " + kBlend + " (evidence: a blend of 3 families gained 2.0 times the fold noise)\n"
        "- baseline CV 0.843575 on pima-diabetes.\n"
        "\n## R02\n- contradicts: " + kBlend + " (evidence: the next blend did not beat the best single model)\n"
        "- confirms " + rule_id(kTuning) + ": a tuning step gained no more than the fold noise\n"
        "\n## R03\n- " + kBlend + "\n- Binning glucose helped (R03).\n- none: nothing else\n"
        "- None of the encodings helped the linear model.\n"
        "\n## R04 retro\n- contradicts [" + rule_id(kTuning) + "]: a later step gained 3.1 times the fold noise\n"
        "- contradicts " + rule_id(kTuning) + ": and another\n";
    std::vector<std::string> refused;
    const auto r = campaign_report(learnings, words, "pima-diabetes", "2026-12-06", refused);
    BOOST_TEST(refused.size() == 2u);
    BOOST_REQUIRE(r.findings.size() == 3u);
    BOOST_TEST(r.findings[2].text == "None of the encodings helped the linear model.");
    BOOST_TEST(r.findings[0].text == kBlend);
    BOOST_TEST(r.findings[0].verdict == Verdict::confirmed);  // two for, one against
    BOOST_TEST(r.findings[0].what == "a blend of 3 families gained 2.0 times the fold noise");
    BOOST_TEST(r.findings[1].id == rule_id(kTuning));
    BOOST_TEST(r.findings[1].text.empty());
    BOOST_TEST(r.findings[1].verdict == Verdict::contradicted);  // one for, two against
    BOOST_TEST(r.findings[1].what == "and another");

    // What agents read back: the imported rule with its confidence, and the campaign's own claims.
    const auto rules = rules_in_learnings(learnings);
    BOOST_REQUIRE(!rules.empty());
    BOOST_TEST(rules[0].imported);
    BOOST_TEST(rules[0].id == rule_id(kTuning));
    BOOST_TEST(rules[0].text == kTuning);
    BOOST_REQUIRE(rules[0].confidence.has_value());
    BOOST_TEST(*rules[0].confidence == 0.40, boost::test_tools::tolerance(1e-9));
    BOOST_TEST(std::count_if(rules.begin(), rules.end(), [](const WorkspaceRule& w) { return w.imported; }) == 1);
    BOOST_TEST(std::any_of(rules.begin(), rules.end(), [](const WorkspaceRule& w) {
        return !w.imported && w.verdict == Verdict::contradicted && w.text == kBlend;
    }));
}

BOOST_AUTO_TEST_CASE(sections_are_replaced_in_place) {
    std::string text = "# L\n\n## Rules\n- mine\n";
    text = replace_section(text, kImportedHeading, "\n- a\n");
    text = replace_section(text, "## R01", "- r1\n");
    text = replace_section(text, kImportedHeading, "\n- b\n");
    BOOST_TEST(text == "# L\n\n## Rules\n- mine\n\n## From earlier campaigns\n\n- b\n\n## R01\n- r1\n");
    BOOST_TEST(replace_section(text, "## R02", "") == text);
    BOOST_TEST(is_round_heading("## R10 retro"));
    BOOST_TEST(is_round_heading("## R07"));
    BOOST_TEST(!is_round_heading("## Rules"));
    BOOST_TEST(learnings_bullets("# F\n## Learnings\n- a\n* b\n**bold**\n## Next\n- c\n") == (std::vector<std::string>{"a", "b"}));
}

BOOST_AUTO_TEST_CASE(the_store_is_where_config_xdg_or_home_say) {
    const fs::path ws = "/data/ws";
    auto with = [](boost::json::value v) { return boost::json::object{{"learnings_store", v}}; };
    BOOST_TEST(store_location(with("notes/l.md"), ws).value() == fs::path("/data/ws/notes/l.md"));
    BOOST_TEST(store_location(with("/x/l.md"), ws).value() == fs::path("/x/l.md"));
    BOOST_TEST(!store_location(with(false), ws).has_value());
    const std::string saved_home = std::getenv("HOME") ? std::getenv("HOME") : "";
    const std::string saved_xdg = std::getenv("XDG_DATA_HOME") ? std::getenv("XDG_DATA_HOME") : "";
    ::setenv("HOME", "/home/u", 1);
    BOOST_TEST(store_location(with("~/l.md"), ws).value() == fs::path("/home/u/l.md"));
    ::setenv("XDG_DATA_HOME", "/xdg", 1);
    BOOST_TEST(store_location({}, ws).value() == fs::path("/xdg/autokaggle/learnings.md"));
    ::unsetenv("XDG_DATA_HOME");
    BOOST_TEST(store_location({}, ws).value() == fs::path("/home/u/.local/share/autokaggle/learnings.md"));
    ::setenv("HOME", saved_home.c_str(), 1);
    ::setenv("XDG_DATA_HOME", saved_xdg.c_str(), 1);
}

BOOST_AUTO_TEST_CASE(the_campaign_hooks_import_at_round_zero_and_share_after_a_retrospective) {
    TempDir dir("learnings-hooks");
    const fs::path ws = dir / "ws";
    test::write_text(ws / "data" / "train.csv", "id,glucose,mass,diabetes\n1,2,3,0\n");
    test::write_text(ws / "config.json", R"({"competition": "pima-diabetes", "task_type": "binary_classification",
        "metric": "auc_roc", "target_column": "diabetes", "id_column": "id", "learnings_store": "../store.md"})");
    const Config config = load_config_or_throw(ws / "config.json", nullptr);
    const WorkspacePaths paths = workspace_paths(config);
    Logger logger({}, true);

    // Round 0: LEARNINGS.md gets the store's rules (a new store starts from the shipped starters).
    bring_store_into_workspace(config, paths, 0, logger);
    const std::string imported = read_file(paths.learnings);
    BOOST_TEST(imported.find(std::string(kImportedHeading)) != std::string::npos);
    BOOST_TEST(fs::exists(dir / "store.md"));
    const auto starters = shipped_starters();
    BOOST_REQUIRE(!starters.empty());
    BOOST_TEST(imported.find(starters.front().text) != std::string::npos);
    // A later round leaves LEARNINGS.md as the campaign started it.
    update_store_file(dir / "store.md", starters, [](Store& s) { merge(s, report("other", {claim(kTuning)})); });
    bring_store_into_workspace(config, paths, 3, logger);
    BOOST_TEST(read_file(paths.learnings) == imported);

    // A retrospective: its learnings join LEARNINGS.md, and the campaign's rules reach the store.
    std::string text = read_file(paths.learnings) + "\n## R01\n- " + kBlend + "\n- The mass column mattered most.\n";
    atomic_write(paths.learnings, text);
    test::write_text(paths.rounds / "R02_retro.md", "# R02 retrospective\n\n## Learnings\n\n- " + kTuning +
                                                        " (evidence: two tuning steps gained no more than the fold noise)\n");
    after_retrospective(config, paths, 2, {"auc_roc"}, logger);
    BOOST_TEST(read_file(paths.learnings).find("## R02 retro\n- " + kTuning) != std::string::npos);
    Store store = parse_store(read_file(dir / "store.md"));
    const Rule* blend = store.find(rule_id(kBlend));
    BOOST_REQUIRE(blend);
    BOOST_TEST(blend->evidence.at(0).campaign == "pima-diabetes");
    BOOST_TEST(store.find(rule_id(kTuning))->count(Verdict::confirmed) == 2);
    BOOST_TEST(read_file(dir / "store.md").find("mass column") == std::string::npos);
    // The end of the campaign shares again without counting anything twice.
    const std::string before_end = read_file(dir / "store.md");
    share_with_store(config, paths, {"auc_roc"}, logger);
    BOOST_TEST(read_file(dir / "store.md") == before_end);
}
