// Every experiment family the autopilot writes, run for real (Python, scikit-learn, XGBoost) on
// the reference competitions: binary (pima), multiclass with string labels (vehicle) and
// regression with a categorical column (boston). Each run's claimed CV is recomputed from its
// OOF file by the metric plugin; then a blend of the runs and a short agent-driven campaign.
#define BOOST_TEST_MODULE autopilot_families
#include <boost/test/unit_test.hpp>

#include "agents.hpp"
#include "autopilot.hpp"
#include "support/fake_host.hpp"
#include "learnings/markdown_sections.hpp"
#include "learnings/workspace_learnings.hpp"

#include "base/plugin_host.hpp"
#include "metrics/metric_loader.hpp"
#include "metrics/npy.hpp"
#include "metrics/verify.hpp"

#include <autokaggle/sdk/runner.hpp>

#include <boost/json.hpp>

#include <fstream>

using namespace autokaggle;
using namespace autokaggle::autopilot;
using autokaggle::test::TempDir;

namespace {

/// Small models so the whole matrix stays quick; the code paths are the real ones.
ExperimentSpec quick(ExperimentSpec s) {
    if (s.params.contains("max_iter")) s.params["max_iter"] = 40;
    if (s.params.contains("n_estimators")) s.params["n_estimators"] = 40;
    return s;
}

TaskFacts facts_of(const test::CompetitionSpec& c) {
    TaskFacts f;
    f.task_type = c.task_type;
    f.metric = c.metric;
    f.direction = c.direction;
    return f;
}

ExperimentSpec variant(const std::string& family, const test::CompetitionSpec& c, const std::string& name) {
    auto s = base_experiment(family, facts_of(c));
    s.variant = name;
    if (name == "freq") s.encoding = "frequency";
    if (name == "target") s.encoding = "target";
    if (name == "logt") s.log_target = true;
    if (name == "cw") s.class_weight = true;
    return s;
}

struct Run {
    int round;
    ExperimentSpec spec;
    double cv;
};

/// Runs every spec as rounds 1..n and checks each against the metric plugin.
std::vector<Run> run_all(test::FakeHost& host, const std::vector<ExperimentSpec>& specs) {
    PluginHost plugins({test::plugin_dir()});
    const auto metric = metrics::load_metric(plugins, host.competition().metric, {}, &host);
    std::vector<Run> runs;
    int round = 0;
    for (const auto& s : specs) {
        ++round;
        const auto script = round_file(host.paths().rounds, round, "experiment.py");
        test::write_text(script, experiment_script(s, host.competition()));
        const auto result = host.run_experiment({round, script, s.key()});
        BOOST_TEST_CONTEXT(host.competition().competition << " " << s.key()) {
            BOOST_TEST((result.status == RunStatus::ok), test::read_text(result.log_file));
            if (result.status != RunStatus::ok) continue;
            // The scripts print no score: the core scores each of the competition's 5 folds.
            BOOST_TEST(!result.claimed_cv.has_value());
            BOOST_TEST(result.scored_fold_scores.size() == 5u);
            const auto check = metrics::verify_cv(*metric, host.competition(), result.oof_file, result.scored_cv, 5e-6);
            BOOST_TEST(check.valid, check.message);
            BOOST_TEST(check.agree, "scored " << *result.scored_cv << " recomputed " << check.recomputed);
            const auto tests = metrics::check_test_predictions(*metric, host.competition(), result.test_file);
            BOOST_TEST(tests.ok(), tests.message());
            runs.push_back({round, s, check.recomputed});
        }
    }
    return runs;
}


std::vector<ExperimentSpec> base_families(const test::CompetitionSpec& c) {
    std::vector<ExperimentSpec> out;
    for (const auto& f : family_order(facts_of(c))) out.push_back(quick(base_experiment(f, facts_of(c))));
    return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(binary_pima_every_family_and_class_weights) {
    TempDir dir("autopilot-families");
    test::FakeHost host(dir.path(), test::pima());
    auto specs = base_families(test::pima());
    specs.push_back(quick(variant("xgboost", test::pima(), "cw")));
    specs.push_back(quick(variant("linear", test::pima(), "cw")));
    const auto runs = run_all(host, specs);
    BOOST_TEST(runs.size() == specs.size());
    // Blend members are rounds 1..n; the blend itself runs as round n+1.
    std::vector<Run> members(runs.begin(), runs.begin() + 4);
    ExperimentSpec blend = base_experiment("blend", facts_of(test::pima()));
    for (const auto& r : members)
        blend.members.push_back({r.round, r.spec.family, round_file(host.paths().rounds, r.round, "oof.npy"),
                                 round_file(host.paths().rounds, r.round, "test.npy")});
    const auto script = round_file(host.paths().rounds, 20, "experiment.py");
    test::write_text(script, experiment_script(blend, host.competition()));
    const auto result = host.run_experiment({20, script, "blend"});
    BOOST_REQUIRE((result.status == RunStatus::ok));
    double best = 0;
    for (const auto& r : members) best = std::max(best, r.cv);
    BOOST_TEST(*result.scored_cv >= best - 1e-6);
}

BOOST_AUTO_TEST_CASE(multiclass_vehicle_string_labels) {
    TempDir dir("autopilot-families");
    test::FakeHost host(dir.path(), test::vehicle());
    auto specs = base_families(test::vehicle());
    specs.push_back(quick(variant("hgb", test::vehicle(), "cw")));
    const auto runs = run_all(host, specs);
    BOOST_TEST(runs.size() == specs.size());
    const auto oof = metrics::read_npy(round_file(host.paths().rounds, 1, "oof.npy"));
    BOOST_TEST(oof.cols == 4u);  // bus, opel, saab, van
}

BOOST_AUTO_TEST_CASE(regression_boston_encodings_and_log_target) {
    TempDir dir("autopilot-families");
    test::FakeHost host(dir.path(), test::boston());
    auto specs = base_families(test::boston());
    specs.push_back(quick(variant("hgb", test::boston(), "freq")));
    specs.push_back(quick(variant("linear", test::boston(), "target")));
    specs.push_back(quick(variant("xgboost", test::boston(), "target")));
    specs.push_back(quick(variant("xgboost", test::boston(), "logt")));
    const auto runs = run_all(host, specs);
    BOOST_TEST(runs.size() == specs.size());
}

BOOST_AUTO_TEST_CASE(eda_facts_with_categoricals_are_read_back) {
    // boston-housing has a text column, whose skew is unknown: the facts must still parse.
    TempDir dir("autopilot-families");
    test::FakeHost host(dir.path(), test::boston());
    Builder builder(host);
    PhaseRequest req;
    req.phase = Phase::eda;
    req.output = round_file(host.paths().rounds, 0, "eda.md");
    BOOST_TEST(builder.run_phase(req) == "DONE");
    const auto facts = read_campaign(host, 1).facts;
    BOOST_TEST(facts.rows == 354);
    BOOST_TEST(facts.categorical == 1);
}

BOOST_AUTO_TEST_CASE(agents_drive_two_rounds_from_eda_to_findings) {
    TempDir dir("autopilot-families");
    test::FakeHost host(dir.path(), test::pima());  // no round limit: round 2 explores
    Builder builder(host);
    Reviewer reviewer(host);
    Researcher researcher(host);
    PhaseRequest req;
    req.phase = Phase::eda;
    req.output = round_file(host.paths().rounds, 0, "eda.md");
    BOOST_TEST(builder.run_phase(req) == "DONE");
    const auto eda = test::read_text(req.output);
    for (const char* section : {"## Columns", "## Target", "## Train/test drift", "## Suggested validation", "KS "})
        BOOST_TEST(eda.find(section) != std::string::npos, section);
    const auto facts = boost::json::parse(test::read_text(host.paths().agents / "builder" / "eda_facts.json")).as_object();
    std::ifstream train(host.paths().data / "train.csv");
    int lines = 0;
    for (std::string l; std::getline(train, l);) ++lines;
    BOOST_TEST(facts.at("rows").to_number<double>() == lines - 1.0);

    for (int round = 1; round <= 2; ++round) {
        auto run = [&](Agent& agent, Phase phase, const std::string& suffix) {
            PhaseRequest r;
            r.round = round;
            r.phase = phase;
            r.output = round_file(host.paths().rounds, round, suffix);
            return agent.run_phase(r);
        };
        BOOST_TEST(run(researcher, Phase::research, "research_brief.md") == "DONE");
        BOOST_TEST(run(builder, Phase::plan, "plan.md") == "DONE");
        const auto verdict = run(reviewer, Phase::review, "review.md");
        if (verdict != "APPROVED") BOOST_TEST(run(builder, Phase::revise, "plan.md") == "REVISED");
        const auto token = run(builder, Phase::code, "experiment.py");
        BOOST_TEST(token.rfind("CV_SCORE=", 0) == 0);
        BOOST_TEST(token != "CV_SCORE=crash", test::read_text(round_file(host.paths().rounds, round, "run.log")));
        const auto verify = run(reviewer, Phase::verify, "review.md");
        BOOST_TEST((verify == "APPROVED" || verify.rfind("REVISE: ", 0) == 0));
        BOOST_TEST(run(builder, Phase::findings, "findings.md") == "DONE");
        const auto findings = test::read_text(round_file(host.paths().rounds, round, "findings.md"));
        BOOST_TEST(findings.find("## Learnings") != std::string::npos);
        // General rules only: nothing in them names the competition, a column or a score.
        const auto words = learnings::competition_words("pima-diabetes", "auc_roc", host.competition().train_csv);
        for (const auto& rule : learnings::learnings_bullets(findings))
            BOOST_TEST(learnings::specific_in(rule, words).empty(), rule);
        BOOST_TEST(findings.find("## Next round") != std::string::npos);
    }
    const auto view = read_campaign(host, 3);
    BOOST_TEST(view.history.size() == 2u);
    BOOST_TEST(view.history[0].family() != view.history[1].family());
    PhaseRequest retro;
    retro.round = 3;
    retro.phase = Phase::retro;
    retro.output = round_file(host.paths().rounds, 3, "retro.md");
    BOOST_TEST(reviewer.run_phase(retro) == "DONE");
    const auto text = test::read_text(retro.output);
    BOOST_TEST(text.find("## Top 5 next experiments") != std::string::npos);
    BOOST_TEST(text.find("5. ") != std::string::npos);
}
