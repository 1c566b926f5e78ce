// The autopilot's rules on crafted workspaces: the Reviewer's six checks, the Builder's choice
// of experiment and revision, the Researcher's and the files scraper's seen-lists, and the
// local leaderboard's public/private split.
#define BOOST_TEST_MODULE autopilot_rules
#include <boost/test/unit_test.hpp>

#include "agents.hpp"
#include "autopilot.hpp"
#include "support/fake_host.hpp"
#include "files_scraper.hpp"
#include "local_submitter.hpp"

#include "learnings/workspace_learnings.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>

using namespace autokaggle;
using namespace autokaggle::autopilot;
using autokaggle::test::TempDir;

namespace {

ExperimentSpec spec(const std::string& family, const std::string& variant = "base") {
    TaskFacts facts;
    facts.task_type = "binary_classification";
    facts.metric = "auc_roc";
    facts.direction = "higher";
    auto s = base_experiment(family, facts);
    s.variant = variant;
    return s;
}

void write_plan(const test::FakeHost& host, int round, const ExperimentSpec& s) {
    test::write_text(round_file(host.paths().rounds, round, "plan.md"),
                     "# plan\n\n```json\n" + boost::json::serialize(s.to_json()) + "\n```\n");
}

/// Rounds 1..n with the given families and CV scores (AUC, higher is better).
void history(test::FakeHost& host, const std::vector<std::pair<ExperimentSpec, double>>& rounds) {
    int r = 1;
    for (const auto& [s, cv] : rounds) {
        write_plan(host, r, s);
        test::record_result(host.paths().results, r, std::to_string(cv), "ok", s.title);
        ++r;
    }
}

std::string failing_code(const PlanReview& review) {
    const auto* f = review.first_failure();
    return f ? f->code : std::string("approved");
}

struct Workspace {
    TempDir dir{"autopilot-rules"};
    test::FakeHost host;
    explicit Workspace(int max_rounds = 0) : host(dir.path(), test::pima(), max_rounds) {}
};

}  // namespace

BOOST_AUTO_TEST_CASE(diversity_two_of_last_three_in_one_family_asks_for_revision) {
    Workspace w;
    history(w.host, {{spec("hgb"), 0.80}, {spec("xgboost"), 0.81}, {spec("linear"), 0.82}, {spec("xgboost", "tune1"), 0.815}});
    const auto view = read_campaign(w.host, 5);
    BOOST_TEST(view.history.size() == 4u);
    const auto review = review_plan(view, spec("xgboost", "tune2"));
    BOOST_TEST(failing_code(review) == "diversity");
    BOOST_TEST(review.token().rfind("REVISE: ", 0) == 0);
    BOOST_TEST(review.checks.size() == 6u);
    // The same history allows a family that appears once in the last three rounds.
    BOOST_TEST(review_plan(view, spec("linear", "tune1")).checks[0].pass);
}

BOOST_AUTO_TEST_CASE(forgotten_learnings_catch_repeats_and_contradicted_learnings) {
    Workspace w;
    history(w.host, {{spec("hgb"), 0.80}, {spec("linear"), 0.84}});
    auto view = read_campaign(w.host, 3);
    BOOST_TEST(failing_code(review_plan(view, spec("hgb"))) == "forgotten");
    test::write_text(w.host.paths().learnings, "# Learnings\n- Avoid knn on clinical tables: it never beat the baseline.\n");
    view = read_campaign(w.host, 3);
    BOOST_TEST(failing_code(review_plan(view, spec("knn"))) == "forgotten");
    BOOST_TEST(failing_code(review_plan(view, spec("xgboost"))) == "approved");
}

BOOST_AUTO_TEST_CASE(exploitation_is_required_when_no_rounds_remain) {
    Workspace w(4);
    history(w.host, {{spec("hgb"), 0.80}, {spec("linear"), 0.84}, {spec("xgboost"), 0.83}});
    const auto view = read_campaign(w.host, 4);
    BOOST_TEST(view.rounds_left() == 0);
    BOOST_TEST(failing_code(review_plan(view, spec("random_forest"))) == "exploit");
    BOOST_TEST(review_plan(view, spec("linear", "tune1")).checks[2].pass);
    // With many rounds left, tuning before three families have results is premature.
    Workspace early(30);
    history(early.host, {{spec("hgb"), 0.80}, {spec("linear"), 0.84}});
    const auto early_view = read_campaign(early.host, 3);
    BOOST_TEST(!review_plan(early_view, spec("linear", "tune1")).checks[2].pass);
}

BOOST_AUTO_TEST_CASE(ensemble_health_asks_for_a_blend_when_single_models_stall) {
    Workspace w;
    history(w.host, {{spec("linear"), 0.84}, {spec("hgb"), 0.80}, {spec("xgboost"), 0.81}});
    const auto view = read_campaign(w.host, 4);
    BOOST_TEST(failing_code(review_plan(view, spec("random_forest"))) == "blend");
    BOOST_TEST(review_plan(view, spec("blend", "upto3")).checks[3].pass);
    // A history that still improves does not ask for it.
    Workspace improving;
    history(improving.host, {{spec("hgb"), 0.80}, {spec("xgboost"), 0.81}, {spec("linear"), 0.84}});
    BOOST_TEST(review_plan(read_campaign(improving.host, 4), spec("random_forest")).checks[3].pass);
}

BOOST_AUTO_TEST_CASE(bolder_alternative_and_cost_checks) {
    Workspace w;
    history(w.host, {{spec("hgb"), 0.80}, {spec("random_forest"), 0.82}, {spec("knn"), 0.79}});
    // XGBoost (a strong family) was never tried: tuning the forest is the timid move.
    auto review = review_plan(read_campaign(w.host, 4), spec("random_forest", "tune1"));
    BOOST_TEST(!review.checks[4].pass);
    BOOST_TEST(review.checks[4].note.find("XGBoost") != std::string::npos);

    Workspace c;
    history(c.host, {{spec("hgb"), 0.80}, {spec("xgboost"), 0.81}, {spec("linear"), 0.83}, {spec("hgb", "tune1"), 0.79},
                     {spec("linear", "tune1"), 0.825}, {spec("hgb", "tune2"), 0.795}, {spec("knn"), 0.78}});
    review = review_plan(read_campaign(c.host, 8), spec("hgb", "tune3"));
    BOOST_TEST(!review.checks[5].pass);
    BOOST_TEST(review.checks[5].code == "cost");
}

BOOST_AUTO_TEST_CASE(the_choice_is_deterministic_and_honours_research_and_revisions) {
    Workspace w;
    const auto first = choose_experiment(read_campaign(w.host, 1));
    BOOST_TEST(first.key() == "hgb:base");
    BOOST_TEST(choose_experiment(read_campaign(w.host, 1)).key() == first.key());
    test::write_text(round_file(w.host.paths().rounds, 1, "research_brief.md"), "x\nSuggested families: linear, knn\n");
    BOOST_TEST(choose_experiment(read_campaign(w.host, 1)).key() == "linear:base");

    Workspace h;
    history(h.host, {{spec("hgb"), 0.80}, {spec("xgboost"), 0.81}, {spec("linear"), 0.84}});
    const auto view = read_campaign(h.host, 4);
    const auto next = choose_experiment(view);
    // No prediction files exist here, so no blend is possible: the fourth strong family is next.
    BOOST_TEST(next.key() == "random_forest:base");
}

BOOST_AUTO_TEST_CASE(blend_needs_member_predictions_and_revisions_follow_the_reason) {
    Workspace w;
    history(w.host, {{spec("hgb"), 0.80}, {spec("xgboost"), 0.81}, {spec("linear"), 0.84}, {spec("random_forest"), 0.82}});
    for (int r = 1; r <= 4; ++r) {
        test::write_text(round_file(w.host.paths().rounds, r, "oof.npy"), "x");
        test::write_text(round_file(w.host.paths().rounds, r, "test.npy"), "x");
    }
    auto view = read_campaign(w.host, 5);
    const auto blend = choose_experiment(view);
    BOOST_REQUIRE(blend.family == "blend");
    BOOST_REQUIRE(blend.members.size() == 4u);
    BOOST_TEST(blend.members.front().family == "linear");  // best first

    // A diversity revision excludes the rejected family; an exploit revision only allows tried ones.
    const auto rf = spec("random_forest");
    const auto revised = choose_experiment(view, constraint_for("diversity", rf));
    BOOST_TEST(revised.family != "random_forest");
    const auto exploit = choose_experiment(view, constraint_for("exploit", rf));
    BOOST_TEST(view.tried_families().count(exploit.family) + (exploit.family == "blend") >= 1u);
}

BOOST_AUTO_TEST_CASE(builder_revise_phase_rewrites_the_plan_against_the_review) {
    Workspace w(4);
    history(w.host, {{spec("hgb"), 0.80}, {spec("linear"), 0.84}, {spec("xgboost"), 0.83}});
    write_plan(w.host, 4, spec("random_forest"));
    Reviewer reviewer(w.host);
    PhaseRequest req;
    req.round = 4;
    req.phase = Phase::review;
    req.output = round_file(w.host.paths().rounds, 4, "review.md");
    const auto token = reviewer.run_phase(req);
    BOOST_TEST(token.rfind("REVISE: ", 0) == 0);
    const auto review_text = test::read_text(req.output);
    BOOST_TEST(review_text.find("Reason code: exploit") != std::string::npos);

    Builder builder(w.host);
    req.phase = Phase::revise;
    req.trigger = token;
    req.output = round_file(w.host.paths().rounds, 4, "plan.md");
    BOOST_TEST(builder.run_phase(req) == "REVISED");
    const auto revised = read_plan_spec(req.output);
    BOOST_REQUIRE(revised.has_value());
    BOOST_TEST(revised->family != "random_forest");
    BOOST_TEST(read_campaign(w.host, 4).tried_families().count(revised->family) == 1u);
    BOOST_TEST(test::read_text(req.output).find("## Revision") != std::string::npos);
    // The revised plan passes the check that rejected the first one.
    BOOST_TEST(review_plan(read_campaign(w.host, 4), *revised).checks[2].pass);
}

BOOST_AUTO_TEST_CASE(verify_flags_perfect_scores_and_missing_scores) {
    Workspace w;
    history(w.host, {{spec("hgb"), 0.80}});
    const auto view = read_campaign(w.host, 2);
    auto verify_log = [&](const std::string& log) { return verify_run(view, scores_in_log(log), log); };
    BOOST_TEST(!verify_log("FOLD 1 SCORE=1.0\nCV_SCORE=1.0\n").approved);
    BOOST_TEST(!verify_log("Traceback: boom\n").approved);
    BOOST_TEST(verify_log("FOLD 1 SCORE=0.81\nFOLD 2 SCORE=0.83\nCV_SCORE=0.82\n").approved);
    BOOST_TEST(!verify_log("FOLD 1 SCORE=0.61\nFOLD 2 SCORE=0.62\nCV_SCORE=0.95\n").approved);
}

BOOST_AUTO_TEST_CASE(verify_and_fold_spread_read_the_cores_scores_over_the_log) {
    Workspace w;
    history(w.host, {{spec("hgb"), 0.80}});
    const auto rounds = w.host.paths().rounds;
    // A script that printed nothing: the core's scores file is what the Reviewer judges.
    test::write_text(round_file(rounds, 2, "run.log"), "FOLD 1 DONE\nFOLD 2 DONE\n");
    test::write_text(round_file(rounds, 2, "scores.json"),
                     R"({"round": 2, "cv": 0.82, "fold_scores": [0.81, null, 0.83], "claimed_cv": null})");
    const auto scores = round_scores(rounds, 2);
    BOOST_TEST(scores.cv.value_or(0) == 0.82);
    BOOST_TEST(scores.folds.size() == 2u);  // the fold without a score is left out
    const auto view = read_campaign(w.host, 3);
    BOOST_TEST(verify_run(view, scores, test::read_text(round_file(rounds, 2, "run.log"))).approved);
    BOOST_TEST(view.fold_spread(2).value_or(0) > 0.014);
    // The same log without the scores file has no CV at all.
    fs::remove(round_file(rounds, 2, "scores.json"));
    BOOST_TEST(!round_scores(rounds, 2).cv.has_value());
}

BOOST_AUTO_TEST_CASE(researcher_reports_only_new_or_changed_sources) {
    Workspace w;
    fs::create_directories(w.host.paths().knowledge);
    test::write_text(w.host.paths().knowledge / "notes.md", "# Notes\n- XGBoost with shallow trees works well here.\n");
    // LEARNINGS.md names families to compare them; it is read, but does not order the families.
    test::write_text(w.host.paths().learnings, "# Learnings\n\n## From earlier campaigns\n\n- On small data a linear model "
                                               "can match random forest.\n");
    Researcher researcher(w.host);
    PhaseRequest req;
    req.phase = Phase::research;
    req.round = 1;
    req.output = round_file(w.host.paths().rounds, 1, "research_brief.md");
    BOOST_TEST(researcher.run_phase(req) == "DONE");
    auto brief = test::read_text(req.output);
    BOOST_TEST(brief.find("knowledge/notes.md, new") != std::string::npos);
    BOOST_TEST(brief.find("Suggested families: xgboost\n") != std::string::npos, brief);
    BOOST_TEST(brief.find("LEARNINGS.md, new") != std::string::npos, brief);
    req.round = 2;
    req.output = round_file(w.host.paths().rounds, 2, "research_brief.md");
    researcher.run_phase(req);
    brief = test::read_text(req.output);
    BOOST_TEST(brief.find("Nothing new") != std::string::npos);
    test::write_text(w.host.paths().knowledge / "notes.md", "# Notes\n- Logistic regression is strong too.\n");
    req.round = 3;
    req.output = round_file(w.host.paths().rounds, 3, "research_brief.md");
    researcher.run_phase(req);
    brief = test::read_text(req.output);
    BOOST_TEST(brief.find("knowledge/notes.md, changed") != std::string::npos);
    std::istringstream words(brief);
    std::string word;
    int n = 0;
    while (words >> word) ++n;
    BOOST_TEST(n < 500);
}

BOOST_AUTO_TEST_CASE(files_scraper_keeps_a_seen_list) {
    Workspace w;
    fs::create_directories(w.dir.path() / "notes" / "sub");
    test::write_text(w.dir.path() / "notes" / "a.md", "# A\nfirst\n");
    test::write_text(w.dir.path() / "notes" / "sub" / "b.md", "# B\nsecond\n");
    test::write_text(w.dir.path() / "notes" / "image.png", "not a note");
    files_scraper::FilesScraper scraper(w.host, "notes");
    ScrapeRequest req{1, w.dir.path() / "raw1.md", w.dir.path() / "state"};
    BOOST_TEST(scraper.scrape(req).new_items == 2);
    const auto raw = test::read_text(req.raw_output);
    BOOST_TEST(raw.find("first") != std::string::npos);
    BOOST_TEST(raw.find("sub/b.md (new)") != std::string::npos);
    BOOST_TEST(raw.find("not a note") == std::string::npos);
    req = {2, w.dir.path() / "raw2.md", w.dir.path() / "state"};
    BOOST_TEST(scraper.scrape(req).new_items == 0);
    test::write_text(w.dir.path() / "notes" / "a.md", "# A\nrevised\n");
    // A new scraper object (a new process) still remembers what it reported.
    files_scraper::FilesScraper again(w.host, "notes");
    req = {3, w.dir.path() / "raw3.md", w.dir.path() / "state"};
    BOOST_TEST(again.scrape(req).new_items == 1);
    BOOST_TEST(test::read_text(req.raw_output).find("a.md (changed)") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(public_private_split_is_fixed_and_proportional) {
    int pub = 0;
    for (int i = 0; i < 20000; ++i) pub += local_submitter::is_public(std::to_string(i), 0.3, 2026);
    BOOST_TEST(std::fabs(pub / 20000.0 - 0.3) < 0.015);
    int same = 0, other_seed_diff = 0;
    for (int i = 0; i < 1000; ++i) {
        const auto id = "id" + std::to_string(i);
        same += local_submitter::is_public(id, 0.3, 2026) == local_submitter::is_public(id, 0.3, 2026);
        other_seed_diff += local_submitter::is_public(id, 0.3, 2026) != local_submitter::is_public(id, 0.3, 7);
    }
    BOOST_TEST(same == 1000);
    BOOST_TEST(other_seed_diff > 200);  // a different seed draws a different split
}

BOOST_AUTO_TEST_CASE(findings_of_a_silent_run_that_timed_out_are_written) {
    // A script that printed nothing before its timeout: the run log may be empty.
    Workspace w;
    write_plan(w.host, 1, spec("hgb"));
    test::record_result(w.host.paths().results, 1, "", "timeout", "hgb base");
    test::write_text(round_file(w.host.paths().rounds, 1, "run.log"), "");
    Builder builder(w.host);
    PhaseRequest r;
    r.round = 1;
    r.phase = Phase::findings;
    r.output = round_file(w.host.paths().rounds, 1, "findings.md");
    BOOST_TEST(builder.run_phase(r) == "DONE");
    const auto findings = test::read_text(r.output);
    BOOST_TEST(findings.find("status timeout") != std::string::npos, findings);
    BOOST_TEST(findings.find("The run log is empty.") != std::string::npos, findings);
}

namespace {

/// LEARNINGS.md with the store's section holding `wording` confirmed by `campaigns` campaigns
/// (a starter at 0.40 becomes 0.55 with one, 0.69 with two).
void import_rule(const test::FakeHost& host, const char* wording, int campaigns) {
    learnings::Store store;
    learnings::Rule rule;
    rule.text = wording;
    rule.id = learnings::rule_id(wording);
    rule.source = "starter";
    rule.prior = learnings::kStarterPrior;
    for (int i = 0; i < campaigns; ++i)
        rule.evidence.push_back({"2026-12-01", "campaign-" + std::to_string(i), learnings::Verdict::confirmed, ""});
    store.rules.push_back(rule);
    test::write_text(host.paths().learnings, std::string(learnings::kWorkspaceHeader) + "\n" +
                                                 std::string(learnings::kImportedHeading) + "\n" +
                                                 learnings::imported_section(store, "2026-12-06"));
}

void write_facts(const test::FakeHost& host, int rows) {
    test::write_text(host.paths().agents / "builder" / "eda_facts.json", "{\"rows\": " + std::to_string(rows) + "}");
}

bool has_lesson(const std::vector<std::string>& lessons, const std::string& text) {
    return std::find(lessons.begin(), lessons.end(), text) != lessons.end();
}

std::string starts_with(const std::vector<std::string>& lessons, const std::string& prefix) {
    for (const auto& l : lessons)
        if (l.rfind(prefix, 0) == 0) return l;
    return {};
}

}  // namespace

BOOST_AUTO_TEST_CASE(forgotten_learnings_act_on_the_trusted_rules_of_earlier_campaigns) {
    // Tuning while a family is untried, against a rule two campaigns confirmed: bolder instead.
    Workspace w;
    history(w.host, {{spec("hgb"), 0.80}, {spec("xgboost"), 0.81}, {spec("linear"), 0.84}});
    import_rule(w.host, lesson::kTuningGainsLittle, 2);
    auto review = review_plan(read_campaign(w.host, 4), spec("linear", "tune1"));
    BOOST_TEST(!review.checks[1].pass);
    BOOST_TEST(review.checks[1].code == "bolder");
    BOOST_TEST(review.checks[1].note.find(learnings::rule_id(lesson::kTuningGainsLittle)) != std::string::npos);
    BOOST_TEST(review.checks[1].note.find("random forest") != std::string::npos, review.checks[1].note);
    // The same rule as a bare starter (confidence 0.40) is read, not enforced.
    import_rule(w.host, lesson::kTuningGainsLittle, 0);
    BOOST_TEST(review_plan(read_campaign(w.host, 4), spec("linear", "tune1")).checks[1].pass);

    // A trusted blend rule asks for the blend as soon as three families have results.
    Workspace b;
    history(b.host, {{spec("hgb"), 0.80}, {spec("xgboost"), 0.81}, {spec("linear"), 0.84}});
    import_rule(b.host, lesson::kBlend, 1);
    review = review_plan(read_campaign(b.host, 4), spec("random_forest"));
    BOOST_TEST(failing_code(review) == "blend");
    BOOST_TEST(!review.checks[1].pass);
    BOOST_TEST(review_plan(read_campaign(b.host, 4), spec("blend", "upto3")).checks[1].pass);

    // An imported rule against a family counts only when trusted.
    Workspace k;
    history(k.host, {{spec("hgb"), 0.80}, {spec("linear"), 0.84}});
    import_rule(k.host, "Avoid knn on wide tables: it never beat the baseline.", 0);
    BOOST_TEST(review_plan(read_campaign(k.host, 3), spec("knn")).checks[1].pass);
    import_rule(k.host, "Avoid knn on wide tables: it never beat the baseline.", 1);
    BOOST_TEST(failing_code(review_plan(read_campaign(k.host, 3), spec("knn"))) == "forgotten");
}

BOOST_AUTO_TEST_CASE(findings_state_general_rules_with_their_evidence) {
    Workspace w;
    write_facts(w.host, 537);
    auto blend = spec("blend", "upto3");
    blend.members = {{1, "linear", {}, {}}, {2, "hgb", {}, {}}, {4, "xgboost", {}, {}}};
    history(w.host, {{spec("linear"), 0.843575}, {spec("hgb"), 0.814591}, {spec("hgb", "freq"), 0.8201},
                     {spec("xgboost"), 0.804905}, {blend, 0.851234}, {spec("linear", "tune1"), 0.8436}});
    const auto view = read_campaign(w.host, 7);

    // No run logs here: the noise is 0.1% of the best score (the blend's).
    const double noise = 0.001 * 0.851234;
    auto times = [&](double gain) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.1f", std::fabs(gain) / noise);
        return std::string(buf) + " times the fold noise";
    };
    // R02: the first boosted score next to the linear one, far below it on small data.
    const auto r2 = round_lessons(view, 2, {});
    BOOST_TEST_REQUIRE(!r2.empty());
    BOOST_TEST(has_lesson(r2, std::string("contradicts: ") + lesson::kBoostedBeatLinear +
                                  " (evidence: binary classification, hundreds of rows: the best boosted model scored " +
                                  times(0.814591 - 0.843575) + " below the linear model)"),
               r2.front());
    BOOST_TEST(!starts_with(r2, lesson::kLinearOnSmallData).empty());
    // R04 compares nothing new: XGBoost is the second boosted family.
    BOOST_TEST(starts_with(round_lessons(view, 4, {}), "contradicts: Gradient").empty());
    BOOST_TEST(!starts_with(round_lessons(view, 3, {}), lesson::kFrequencyEncoding).empty());
    // A variant within the fold noise of the plain model says nothing either way; one below it contradicts.
    Workspace tie;
    write_facts(tie.host, 537);
    history(tie.host, {{spec("hgb"), 0.8}, {spec("hgb", "freq"), 0.8004}, {spec("hgb", "target"), 0.7999}});
    const auto tie_view = read_campaign(tie.host, 4);
    BOOST_TEST(round_lessons(tie_view, 2, {}).empty());
    BOOST_TEST(!starts_with(round_lessons(tie_view, 3, {}), std::string("contradicts: ") + lesson::kTargetEncoding).empty());
    const auto r5 = round_lessons(view, 5, {});
    BOOST_TEST_REQUIRE(!r5.empty());
    BOOST_TEST(has_lesson(r5, std::string(lesson::kBlend) + " (evidence: binary classification, hundreds of rows: a blend of 3 "
                                                            "families gained " + times(0.851234 - 0.843575) +
                                                            " over the best single model)"),
               r5.front());
    BOOST_TEST(!starts_with(round_lessons(view, 6, {}), lesson::kTuningGainsLittle).empty());
    const auto killed = round_lessons(view, 6, {"killed_fold1", "fold-1 OOF correlation 0.9999 (a near-copy of the best model)"});
    BOOST_TEST(!starts_with(killed, lesson::kNearCopyStopped).empty());
    BOOST_TEST(!starts_with(round_lessons(view, 6, {"killed_fold1", "fold 1 score below the best"}), lesson::kKillGate).empty());

    // Nothing a round states names the competition, a column or a score.
    const auto words = learnings::competition_words("pima-diabetes", "auc_roc", w.host.competition().train_csv);
    BOOST_TEST_REQUIRE(!words.columns.empty());
    for (int round = 1; round <= 6; ++round)
        for (const auto& lesson : round_lessons(view, round, {"killed_fold1", "near-copy"}))
            BOOST_TEST(learnings::specific_in(lesson, words).empty(), lesson);
    for (const auto& lesson : campaign_lessons(view)) BOOST_TEST(learnings::specific_in(lesson, words).empty(), lesson);
    BOOST_TEST(!starts_with(campaign_lessons(view), lesson::kBlend).empty());
}
