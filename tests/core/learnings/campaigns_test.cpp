// Two autopilot campaigns in a row through the real CLI (docs/learnings.md): the shipped
// pima-diabetes with `autokaggle demo`, then boston-housing with `autokaggle init` and `run`.
// The second workspace's LEARNINGS.md must hold the rules the first one earned, and no rule in
// it may name either competition, a column of their data or a raw score.
#define BOOST_TEST_MODULE learnings_campaigns
#include <boost/test/unit_test.hpp>

#include "learnings/store.hpp"

#include "support/test_support.hpp"

#include <boost/json.hpp>

#include <regex>
#include <set>
#include <sstream>

using namespace autokaggle;
using autokaggle::test::TempDir;
namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

/// The columns of a train.csv header longer than two letters, except the row id.
std::vector<std::string> columns(const fs::path& train_csv) {
    std::vector<std::string> out;
    std::string header = lines_of(test::read_text(train_csv)).at(0);
    std::istringstream in(header);
    for (std::string c; std::getline(in, c, ',');)
        if (c.size() > 2 && c != "id") out.push_back(lower(c));
    return out;
}

/// The verified CV scores of a campaign's results.tsv, as written there.
std::vector<std::string> scores(const fs::path& results_tsv) {
    std::vector<std::string> out;
    for (const auto& line : lines_of(test::read_text(results_tsv))) {
        std::vector<std::string> cells;
        std::istringstream in(line);
        for (std::string cell; std::getline(in, cell, '\t');) cells.push_back(cell);
        if (cells.size() > 3 && cells[0] != "round") {
            for (const auto& s : {cells[2], cells[3]})
                if (s.find('.') != std::string::npos) out.push_back(s);
        }
    }
    return out;
}

/// The first of `words` that `line` holds as a whole word (case ignored), or "".
std::string banned_word_in(const std::string& line, const std::vector<std::string>& words) {
    const std::string l = lower(line);
    for (const auto& word : words)
        if (std::regex_search(l, std::regex("(^|[^a-z0-9_])" + word + "([^a-z0-9_]|$)"))) return word;
    return {};
}

/// Every bullet of LEARNINGS.md (the rules and their evidence lines) is general.
void check_general(const std::string& learnings, const std::vector<std::string>& banned_words,
                   const std::vector<std::string>& banned_scores) {
    static const std::regex raw_score(R"(\d\.\d{3,})");
    int bullets = 0;
    for (const auto& line : lines_of(learnings)) {
        const auto start = line.find_first_not_of(' ');
        if (start == std::string::npos || line.compare(start, 2, "- ") != 0) continue;
        ++bullets;
        BOOST_TEST(banned_word_in(line, banned_words).empty(), "'" << banned_word_in(line, banned_words) << "' in: " << line);
        BOOST_TEST(!std::regex_search(line, raw_score), "a raw score in: " << line);
    }
    BOOST_TEST(bullets > 10);
    for (const auto& s : banned_scores) BOOST_TEST(learnings.find(s) == std::string::npos, s);
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_second_campaign_starts_with_the_general_rules_the_first_earned) {
    TempDir dir("learnings-campaigns");
    // The store lives in the data home both campaigns see (the default location).
    const std::map<std::string, std::string> env{{"XDG_DATA_HOME", (dir / "data-home").string()},
                                                 {"KAGGLE_API_BASE_URL", "http://127.0.0.1:9"}};
    const fs::path store_file = dir / "data-home" / "autokaggle" / "learnings.md";
    const auto timeout = std::chrono::seconds(900);

    // 1. The shipped pima-diabetes, four rounds, a retrospective every second round.
    const fs::path first = dir / "first";
    test::copy_competition_workspace("pima-diabetes", first);
    auto pima = json::parse(test::read_text(first / "config.json")).as_object();
    pima["orchestrator"] = json::object{{"retro_every", 2}};
    pima["budget"] = json::object{{"max_rounds", 4}};
    test::write_text(first / "config.json", json::serialize(pima));
    const auto one = test::run_cli({"run", first.string(), "--quiet"}, dir.path(), env, timeout);
    BOOST_TEST_REQUIRE(one.exit_code == 0, one.out << one.err);
    BOOST_TEST(fs::exists(first / "rounds" / "R02_retro.md"));
    BOOST_TEST(fs::exists(first / "rounds" / "R04_retro.md"));

    // The store holds what the first campaign earned, with it named in the evidence.
    const auto after_first = learnings::parse_store(test::read_text(store_file));
    std::set<std::string> earned;
    for (const auto& r : after_first.rules)
        for (const auto& e : r.evidence)
            if (e.campaign == "pima-diabetes" && e.verdict == learnings::Verdict::confirmed) earned.insert(r.id);
    BOOST_TEST_REQUIRE(!earned.empty(), test::read_text(store_file));

    // 2. boston-housing: init brings the store into LEARNINGS.md, then four rounds (its first general finding, a run the fold-1 gate stopped, comes in R04).
    const fs::path second = dir / "second";
    const auto init = test::run_cli({"init", second.string()}, dir.path(), env);
    BOOST_TEST_REQUIRE(init.exit_code == 0, init.out << init.err);
    const auto boston_dir = test::competition_dir("boston-housing");
    fs::copy(boston_dir / "data", second / "data", fs::copy_options::recursive | fs::copy_options::overwrite_existing);
    fs::create_directories(dir / "second-heldout");  // held-out answers stay outside the workspace
    fs::copy_file(boston_dir / "answers.csv", dir / "second-heldout" / "answers.csv");
    auto template_config = json::parse(test::read_text(second / "config.json")).as_object();
    auto boston = json::parse(test::read_text(boston_dir / "competition.json")).as_object();
    for (const auto& [k, v] : boston) template_config[k] = v;
    template_config["cv_strategy"] = "KFold";
    template_config["deadline"] = "2099-12-31";
    template_config["python"] = test::python().string();
    template_config["budget"] = json::object{{"max_rounds", 4}};
    template_config["orchestrator"] = json::object{{"retro_every", 2}};
    template_config["submitter"] = json::object{{"plugin", "local"}, {"options", json::object{{"answers", "../second-heldout/answers.csv"}}}};
    template_config["scraper"] = json::object{{"plugin", "files"}};
    template_config["runner"] = json::object{{"plugin", "local"}, {"options", json::object{{"timeout_s", 300}}}};
    test::write_text(second / "config.json", json::serialize(template_config));

    auto shows_earned = [&](const std::string& learnings) {
        for (const auto& id : earned) {
            const auto at = learnings.find("(id " + id + ", confidence ");
            if (at != std::string::npos && learnings.find("confirmed by", at) < learnings.find('\n', at)) return true;
        }
        return false;
    };
    BOOST_TEST(shows_earned(test::read_text(second / "LEARNINGS.md")), test::read_text(second / "LEARNINGS.md"));

    const auto two = test::run_cli({"run", second.string(), "--quiet"}, dir.path(), env, timeout);
    BOOST_TEST_REQUIRE(two.exit_code == 0, two.out << two.err);
    const std::string learnings = test::read_text(second / "LEARNINGS.md");
    BOOST_TEST_MESSAGE("the second campaign's LEARNINGS.md:\n" << learnings);
    BOOST_TEST(shows_earned(learnings), learnings);

    // No rule names a competition, a column or a score of either campaign.
    std::vector<std::string> banned{"pima", "diabetes", "boston", "housing"};
    for (const auto& c : columns(first / "data" / "train.csv")) banned.push_back(c);
    for (const auto& c : columns(second / "data" / "train.csv")) banned.push_back(c);
    std::vector<std::string> raw = scores(first / "results.tsv");
    for (const auto& s : scores(second / "results.tsv")) raw.push_back(s);
    BOOST_TEST_REQUIRE(raw.size() >= 2u);
    check_general(learnings, banned, raw);
    check_general(test::read_text(first / "LEARNINGS.md"), banned, raw);

    // The second campaign reported back too; the store's rules stay general (only the evidence
    // lines name the campaigns).
    const auto after_second = learnings::parse_store(test::read_text(store_file));
    bool boston_evidence = false;
    for (const auto& r : after_second.rules) {
        BOOST_TEST(banned_word_in(r.text, banned).empty(), r.text);
        for (const auto& e : r.evidence) boston_evidence = boston_evidence || e.campaign == "boston-housing";
    }
    BOOST_TEST(boston_evidence, test::read_text(store_file));
}
