#include "support/campaign_checks.hpp"

#include "support/scripted_competitor.hpp"
#include "support/test_support.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <sstream>

namespace autokaggle::test {

namespace json = boost::json;

std::vector<std::map<std::string, std::string>> read_tsv(const fs::path& file) {
    std::istringstream in(read_text(file));
    std::string line;
    std::vector<std::string> header;
    std::vector<std::map<std::string, std::string>> rows;
    auto fields = [](const std::string& l) {
        std::vector<std::string> out;
        std::stringstream s(l);
        std::string f;
        while (std::getline(s, f, '\t')) out.push_back(f);
        return out;
    };
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        if (header.empty()) {
            header = fields(line);
            continue;
        }
        const auto values = fields(line);
        std::map<std::string, std::string> row;
        for (std::size_t i = 0; i < header.size(); ++i) row[header[i]] = i < values.size() ? values[i] : "";
        rows.push_back(std::move(row));
    }
    return rows;
}

void check_campaign(const fs::path& ws) {
    const auto results = read_tsv(ws / "results.tsv");
    std::map<int, std::map<std::string, std::string>> by_round;
    for (const auto& row : results) by_round[std::stoi(row.at("round"))] = row;
    BOOST_TEST_MESSAGE("results.tsv:\n" << read_text(ws / "results.tsv"));
    BOOST_REQUIRE(by_round.count(6));
    BOOST_TEST(by_round[0].at("status") == "eda");  // the EDA's scratch code left no crash record
    BOOST_TEST(fs::exists(ws / "scratch" / "builder" / "R00_001.py"));
    for (int n = 1; n <= 6; ++n) {
        const std::string tag = "R0" + std::to_string(n);
        BOOST_TEST_CONTEXT(tag) {
            BOOST_TEST(fs::exists(ws / "rounds" / (tag + "_run.log")));  // through the runner
            const std::string expected = n == 4 ? "killed_fold1" : "ok";
            BOOST_TEST(by_round[n].at("status") == expected);
        }
    }
    // R03 answered with the script's rounded print; the core accepted it at that precision.
    const std::string r03 = read_text(ws / "rounds" / "R03_verification.md");
    BOOST_TEST(r03.find("matches the claim") != std::string::npos, r03);
    const auto claimed = r03.find("claimed CV: 0.");
    BOOST_REQUIRE(claimed != std::string::npos);
    BOOST_TEST(r03.substr(claimed + 14, r03.find('\n', claimed) - claimed - 14).size() <= 4u, r03);  // not the full value
    BOOST_TEST(!by_round[3].at("cv_score").empty());
    // R05's first claim disagreed with its OOF file: the code phase came back once, with the reason.
    const std::string log = read_text(ws / "logs" / "autokaggle.log");
    BOOST_TEST(log.find("R05 code phase reopened") != std::string::npos);
    BOOST_TEST(log.find("R04 code phase reopened") == std::string::npos);
    BOOST_TEST(read_text(ws / "rounds" / "R05_verification.md").find("matches the claim") != std::string::npos);
    // Every experiment carries its family.
    const auto registry = json::parse(read_text(ws / "experiments.json")).as_object();
    std::map<int, std::string> families;
    for (const auto& e : registry.at("experiments").as_array())
        families[static_cast<int>(e.at("round").to_number<long long>())] = std::string(e.at("family").as_string());
    for (int n = 1; n <= 6; ++n) BOOST_TEST(families[n] == family_of_round(n), "R0" << n);
    // The held-out answers stayed out of reach; the Reviewer looked inside an OOF file.
    for (int n = 1; n <= 6; ++n)
        BOOST_TEST(read_text(ws / "rounds" / ("R0" + std::to_string(n) + "_research_brief.md")).find("out of reach") !=
                   std::string::npos);
    const std::string review = read_text(ws / "rounds" / "R02_review.md");
    BOOST_TEST(review.find("previous OOF: (") != std::string::npos, review);
    BOOST_TEST(read_text(ws / "LEARNINGS.md").find("behaves as planned") != std::string::npos);
}

}  // namespace autokaggle::test
