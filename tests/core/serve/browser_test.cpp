// The dashboard in a real browser (headless Chromium over the DevTools protocol) on a finished
// demo campaign: the rendered header, rounds, chart, round files, registry, heat map and blend
// against the campaign's own files; Markdown that tries to inject HTML; a screenshot for the
// docs; the token rule as a browser meets it.
#define BOOST_TEST_MODULE dashboard_browser
#include <boost/test/unit_test.hpp>

#include "chromium_support.hpp"

#include "orchestrator/experiments.hpp"
#include "orchestrator/results.hpp"

#include <boost/json.hpp>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <set>

namespace fs = std::filesystem;
namespace json = boost::json;
using autokaggle::test::TempDir;

namespace {

/// An 8-round demo campaign with a blend built by `autokaggle blend`, made once for the module.
struct DemoCampaign {
    TempDir dir{"autokaggle-dashboard"};
    fs::path root = dir / "pima demo";
    std::string demo_output;

    DemoCampaign() {
        const auto demo = autokaggle::test::run_cli({"demo", "--max-rounds", "8", "--dir", root.string(), "--quiet"}, {}, {},
                                                    std::chrono::seconds(600));
        BOOST_REQUIRE_MESSAGE(demo.exit_code == 0, demo.out << demo.err);
        demo_output = demo.out;
        const auto blend = autokaggle::test::run_cli({"blend", root.string()}, {}, {}, std::chrono::seconds(300));
        BOOST_REQUIRE_MESSAGE(blend.exit_code == 0, blend.out << blend.err);
        // A findings file that tries to inject HTML into the page.
        std::ofstream(root / "rounds" / "R01_findings.md", std::ios::app)
            << "\n## Injected\n<img src=x onerror=\"window.__pwned=1\">\n<script>window.__pwned=2</script>\n"
               "**bold text** and [a link](javascript:window.__pwned=3) and [docs](https://example.org/x)\n";
    }
};

/// Made by the first test that needs it, removed before the test framework shuts down.
struct DemoFixture {
    static std::unique_ptr<DemoCampaign> campaign;
    ~DemoFixture() { campaign.reset(); }
};
std::unique_ptr<DemoCampaign> DemoFixture::campaign;

DemoCampaign& demo() {
    if (!DemoFixture::campaign) DemoFixture::campaign = std::make_unique<DemoCampaign>();
    return *DemoFixture::campaign;
}

std::string fixed6(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6f", v);
    return buf;
}

std::optional<double> number(const std::string& s) {
    if (s.empty()) return std::nullopt;
    char* end = nullptr;
    const double v = std::strtod(s.c_str(), &end);
    return *end == '\0' ? std::optional<double>(v) : std::nullopt;
}

long long count(dashtest::Chromium& page, const std::string& selector) {
    return page.eval("document.querySelectorAll(" + json::serialize(json::value(selector)) + ").length").to_number<long long>();
}

std::string text(dashtest::Chromium& page, const std::string& selector) {
    const auto v = page.eval("(document.querySelector(" + json::serialize(json::value(selector)) + ") || {}).textContent || ''");
    return std::string(v.as_string());
}

/// No script exception, console error or failed load so far; the failure lists them.
void expect_no_page_errors(dashtest::Chromium& page) {
    const auto errors = page.errors();
    std::string all;
    for (const auto& e : errors) all += "\n  " + e;
    BOOST_TEST(errors.empty(), "the page reported:" << all);
}

void save_screenshot(const std::string& png) {
    BOOST_REQUIRE(png.size() > 8);
    BOOST_TEST(png.substr(1, 3) == "PNG");
    const fs::path out = autokaggle::test::binary_dir() / "tests" / "core" / "serve" / "dashboard.png";
    fs::create_directories(out.parent_path());
    std::ofstream(out, std::ios::binary) << png;
    BOOST_TEST_MESSAGE("screenshot: " << out.string());
    // AUTOKAGGLE_DASHBOARD_SCREENSHOT=docs/dashboard.png refreshes the picture in the docs.
    if (const char* docs = std::getenv("AUTOKAGGLE_DASHBOARD_SCREENSHOT"); docs && *docs) {
        const fs::path target = fs::path(docs).is_absolute() ? fs::path(docs) : autokaggle::test::source_dir() / docs;
        std::ofstream(target, std::ios::binary) << png;
    }
}

}  // namespace

BOOST_TEST_GLOBAL_FIXTURE(DemoFixture);

BOOST_AUTO_TEST_CASE(the_finished_demo_campaign_is_rendered_from_its_files) {
    auto& campaign = demo();
    BOOST_TEST(campaign.demo_output.find("Dashboard: autokaggle serve " + campaign.root.string()) != std::string::npos);
    auto serve = dashtest::start_serve({campaign.root.string()}, campaign.dir / "serve");
    dashtest::Chromium page(campaign.dir / "profile");
    page.navigate(serve.base() + "/");
    page.wait_for("document.body.dataset.summaryLoaded === '1'", "the summary");
    page.wait_for("document.getElementById('connection').textContent === 'live'", "the event stream");
    BOOST_TEST(std::string(page.eval("location.pathname").as_string()) == "/c/pima-demo/");

    // Header
    BOOST_TEST(text(page, "#campaign-name") == "pima-diabetes");
    BOOST_TEST(text(page, "#campaign-meta").find("auc_roc (higher ↑ is better)") == 0u);
    BOOST_TEST(text(page, "#round-phase") == "R09 · start");
    BOOST_TEST(text(page, "#run-state") == "stopped: max_rounds at R09 start");
    BOOST_TEST(text(page, "#submissions").find("left today (UTC)") != std::string::npos);

    // Rounds: one row per results.tsv row, CV as recorded
    const auto results = autokaggle::read_results(campaign.root / "results.tsv", nullptr).rows;
    BOOST_REQUIRE(results.size() == 9u);
    const auto rows = page.eval(
        "[...document.querySelectorAll('#rounds-table tbody tr.round-row')].map(tr => "
        "[Number(tr.dataset.round), tr.querySelector('.cv').textContent, tr.querySelector('.status').textContent, "
        "tr.querySelector('.family').textContent, tr.querySelector('.submitted').textContent])").as_array();
    BOOST_REQUIRE(rows.size() == results.size());
    std::size_t verified = 0, killed = 0, submitted = 0, lb = 0;
    for (const auto& r : results) {
        const auto it = std::find_if(rows.begin(), rows.end(), [&](const json::value& v) { return v.as_array()[0].to_number<int>() == r.round; });
        BOOST_REQUIRE(it != rows.end());
        const auto& cells = it->as_array();
        const auto cv = number(r.cv_score);
        const std::string shown(cells[1].as_string());
        BOOST_TEST(std::string(cells[2].as_string()) == r.status);
        BOOST_TEST(std::string(cells[4].as_string()) == r.submitted);
        if (r.status == "ok" && cv) {
            BOOST_TEST(shown == fixed6(*cv), "R" << r.round);
            ++verified;
            if (r.submitted == "yes") ++submitted;
        } else if (r.status != "eda") {
            BOOST_TEST(shown == (r.cv_score.empty() ? "–" : r.cv_score));
            if (r.status.rfind("killed", 0) == 0) ++killed;
        }
        if (number(r.lb)) ++lb;
    }
    BOOST_TEST(verified >= 5u);
    BOOST_TEST(killed >= 1u);

    // Chart: one point per verified round, failed/killed rounds and submissions marked
    BOOST_TEST(count(page, "#chart svg .point-cv") == static_cast<long long>(verified));
    BOOST_TEST(count(page, "#chart svg .mark-killed") == static_cast<long long>(killed));
    BOOST_TEST(count(page, "#chart svg .mark-submitted") == static_cast<long long>(submitted));
    BOOST_TEST(count(page, "#chart svg .point-lb") == static_cast<long long>(lb));
    BOOST_TEST(count(page, "#chart svg path.best-line") == 1);

    // Experiments, heat map, blend
    const auto registry = autokaggle::read_experiments(campaign.root / "experiments.json");
    BOOST_TEST(count(page, "#experiments-table tbody tr") == static_cast<long long>(registry.experiments.size()));
    std::set<std::string> in_pairs;
    for (const auto& kv : registry.correlations) {
        const std::string key(kv.key());
        in_pairs.insert(key.substr(0, key.find('|')));
        in_pairs.insert(key.substr(key.find('|') + 1));
    }
    BOOST_TEST(count(page, "#heatmap svg rect.heat-cell") == static_cast<long long>(in_pairs.size() * in_pairs.size()));
    const auto blend = json::parse(autokaggle::test::read_text(campaign.root / "blends" / "blend.json")).as_object();
    std::size_t weighted = 0;
    for (const auto& m : blend.at("models").as_array()) weighted += m.as_object().at("weight").to_number<double>() > 0;
    BOOST_TEST(count(page, "#blend tr.blend-model") == static_cast<long long>(weighted));
    BOOST_TEST(text(page, "#blend").find(fixed6(blend.at("blend_cv").to_number<double>())) != std::string::npos);

    // A round opens its files: the plan rendered, the script, the log's end
    page.eval("document.querySelector('#rounds-table tr[data-round=\"1\"]').click()");
    page.wait_for("document.querySelector('#round-file[data-path=\"rounds/R01_plan.md\"] .md h3')", "R01's plan rendered");
    const auto tabs = page.eval("[...document.querySelectorAll('#round-tabs .tab')].map(b => b.textContent)").as_array();
    std::vector<std::string> names;
    for (const auto& t : tabs) names.emplace_back(t.as_string());
    for (const char* expected : {"plan.md", "review.md", "experiment.py", "run.log", "verification.md", "findings.md"})
        BOOST_TEST((std::find(names.begin(), names.end(), expected) != names.end()), expected);
    page.eval("document.querySelector('#round-tabs .tab[data-path=\"rounds/R01_run.log\"]').click()");
    page.wait_for("document.querySelector('#round-file pre.log') && "
                  "document.querySelector('#round-file pre.log').textContent.includes('FOLD 5')", "R01's run log");

    // Markdown cannot inject HTML
    page.eval("document.querySelector('#round-tabs .tab[data-path=\"rounds/R01_findings.md\"]').click()");
    page.wait_for("document.querySelector('#round-file').textContent.includes('onerror=')", "R01's findings");
    BOOST_TEST(count(page, "#round-file img, #round-file script") == 0);
    BOOST_TEST(page.eval("typeof window.__pwned").as_string() == "undefined");
    BOOST_TEST(count(page, "#round-file a[href^='javascript']") == 0);
    BOOST_TEST(count(page, "#round-file a[href='https://example.org/x']") == 1);
    BOOST_TEST(text(page, "#round-file strong") == "bold text");

    expect_no_page_errors(page);
    page.eval("document.getElementById('round-close').click()");
    save_screenshot(page.screenshot_png());
}

BOOST_AUTO_TEST_CASE(with_a_token_the_browser_gets_in_only_through_it) {
    auto& campaign = demo();
    auto serve = dashtest::start_serve({campaign.root.string(), "--token", "browser-token-42"}, campaign.dir / "serve-token");
    dashtest::Chromium page(campaign.dir / "profile-token");
    page.navigate(serve.base() + "/c/pima-demo/");
    BOOST_TEST(std::string(page.eval("document.body.innerText").as_string()).find("needs its token") != std::string::npos);
    BOOST_TEST(page.eval("document.body.dataset.summaryLoaded === undefined").as_bool());
    page.clear_errors();  // the browser logs the 401
    page.navigate(serve.base() + "/c/pima-demo/?token=browser-token-42");
    page.wait_for("document.body.dataset.summaryLoaded === '1'", "the summary after ?token=");
    page.wait_for("document.getElementById('connection').textContent === 'live'", "the event stream with the cookie");
    BOOST_TEST(std::string(page.eval("location.search").as_string()).empty());  // the token left the address bar
    BOOST_TEST(std::string(page.eval("document.cookie").as_string()).empty());   // and scripts cannot read it
    page.navigate(serve.base() + "/c/pima-demo/");
    page.wait_for("document.body.dataset.summaryLoaded === '1'", "the summary on a later visit");
    expect_no_page_errors(page);
}

BOOST_AUTO_TEST_CASE(several_campaigns_get_a_list_page) {
    auto& campaign = demo();
    auto serve = dashtest::start_serve({campaign.root.string(), campaign.root.string()}, campaign.dir / "serve-list");
    dashtest::Chromium page(campaign.dir / "profile-list");
    page.navigate(serve.base() + "/");
    page.wait_for("document.querySelectorAll('#campaigns tbody tr[data-id]').length === 2", "two campaigns listed");
    const auto links = page.eval("[...document.querySelectorAll('#campaigns tbody a')].map(a => a.getAttribute('href'))").as_array();
    BOOST_TEST(std::string(links.at(0).as_string()) == "/c/pima-demo/");
    BOOST_TEST(std::string(links.at(1).as_string()) == "/c/pima-demo-2/");
    BOOST_TEST(text(page, "#campaigns tbody tr[data-id='pima-demo-2']").find("stopped: max_rounds") != std::string::npos);
    page.navigate(serve.base() + std::string(links.at(1).as_string()));
    page.wait_for("document.body.dataset.summaryLoaded === '1'", "the second campaign's page");
    BOOST_TEST(text(page, "#campaign-name") == "pima-diabetes");
    expect_no_page_errors(page);
}
