// autokaggle demo [--max-rounds N] [--dir DIR]: copies the shipped competition into DIR, runs a
// short offline campaign on it through exactly the code path of `autokaggle run` (autopilot
// agents, local leaderboard), and prints the leaderboard of rounds (docs/autopilot.md).
#include "base/atomic_file.hpp"
#include "base/install_paths.hpp"
#include "cli/args.hpp"
#include "cli/commands.hpp"
#include "orchestrator/results.hpp"
#include "orchestrator/status.hpp"

#include <autokaggle/sdk/errors.hpp>

#include <boost/json.hpp>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>

namespace autokaggle::cli {
namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

constexpr const char* kDemoCompetition = "competitions/pima-diabetes";
constexpr int kDefaultRounds = 12;

fs::path shipped_competition() {
    if (auto dir = find_data(kDemoCompetition)) return *dir;
    std::string tried;
    for (const auto& d : data_search_path()) tried += "\n  " + (d / kDemoCompetition).string();
    throw Error(std::string("the demo competition was not found; looked in:") + tried +
                "\nset AUTOKAGGLE_DATA_DIR to the folder holding competitions/ (the source tree or <prefix>/share/autokaggle)");
}

/// JSON with two-space indentation, so the copied config.json stays readable for the user.
void pretty(std::ostream& out, const json::value& v, int indent) {
    const std::string pad(static_cast<std::size_t>(indent) * 2, ' ');
    if (v.is_object() && !v.as_object().empty()) {
        out << "{\n";
        bool first = true;
        for (const auto& [k, item] : v.as_object()) {
            out << (first ? "" : ",\n") << pad << "  " << json::serialize(json::value(k)) << ": ";
            pretty(out, item, indent + 1);
            first = false;
        }
        out << "\n" << pad << "}";
    } else {
        out << json::serialize(v);
    }
}

/// The folder beside the workspace that holds the local leaderboard's answers and private
/// scores, out of the agents' reach: <workspace>-heldout.
fs::path held_out_dir(const fs::path& root) { return root.parent_path() / (root.filename().string() + "-heldout"); }

/// Copies the competition (data, notes, config.json) into `to` and its held-out answers into
/// the folder beside it, points the local submitter there and sets the round budget.
void create_workspace(const fs::path& from, const fs::path& to, int rounds) {
    fs::create_directories(to);
    for (const auto& e : fs::directory_iterator(from))
        if (e.path().filename() != "answers.csv")
            fs::copy(e.path(), to / e.path().filename(), fs::copy_options::recursive | fs::copy_options::skip_existing);
    const fs::path held_out = held_out_dir(to);
    fs::create_directories(held_out);
    fs::copy_file(from / "answers.csv", held_out / "answers.csv", fs::copy_options::overwrite_existing);
    for (const auto& dir : {to, held_out})
        for (const auto& e : fs::recursive_directory_iterator(dir))  // shipped files may be read-only
            fs::permissions(e.path(), fs::perms::owner_write, fs::perm_options::add);
    const auto config_file = to / "config.json";
    auto config = json::parse(read_file(config_file));
    if (!config.is_object()) throw ConfigError(config_file.string() + ": not a JSON object");
    auto& budget = config.as_object()["budget"];
    if (!budget.is_object()) budget = json::object();
    budget.as_object()["max_rounds"] = rounds;
    auto& submitter = config.as_object()["submitter"];
    if (!submitter.is_object()) submitter = json::object{{"plugin", "local"}};
    auto& options = submitter.as_object()["options"];
    if (!options.is_object()) options = json::object();
    options.as_object()["answers"] = "../" + held_out.filename().string() + "/answers.csv";
    std::ostringstream text;
    pretty(text, config, 0);
    atomic_write(config_file, text.str() + "\n");
}

std::string tag(int round) { return (round < 10 ? "R0" : "R") + std::to_string(round); }

std::string fixed(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.5f", v);
    return buf;
}

std::string cell(std::string text, std::size_t width) {
    if (text.size() > width) text = text.substr(0, width - 3) + "...";
    return text + std::string(width - text.size(), ' ');
}

struct Board {
    std::optional<double> last_private;
    std::string last_description;
    int submissions = 0;
};

Board read_board(const fs::path& file) {
    Board b;
    const auto text = read_file_if_exists(file);
    if (!text) return b;
    boost::system::error_code ec;
    auto v = json::parse(*text, ec);
    if (ec || !v.is_object() || !v.as_object().contains("submissions")) return b;
    for (const auto& e : v.as_object().at("submissions").as_array()) {
        if (!e.is_object()) continue;
        const auto& o = e.as_object();
        if (auto* p = o.if_contains("private_score"); p && p->is_number()) {
            ++b.submissions;
            b.last_private = p->to_number<double>();
            if (auto* d = o.if_contains("description"); d && d->is_string()) b.last_description = std::string(d->as_string());
        }
    }
    return b;
}

/// The plan title without its "R03 plan: " prefix.
std::string what_was_tried(const std::string& description) {
    const auto pos = description.find(" plan: ");
    return pos != std::string::npos && pos <= 4 ? description.substr(pos + 7) : description;
}

std::optional<double> number(const std::string& text) {
    if (text.empty()) return std::nullopt;
    char* end = nullptr;
    double v = std::strtod(text.c_str(), &end);
    if (end == text.c_str() || *end != '\0') return std::nullopt;
    return v;
}

/// The metric's direction as `autokaggle status` reads it ("higher" unless it is "lower").
bool higher_is_better(const fs::path& root) { return read_status(root, 0).direction != "lower"; }

void print_leaderboard(const fs::path& root) {
    const auto results = read_results(root / "results.tsv", [](const std::string& w) { std::cerr << w << "\n"; });
    const bool higher = higher_is_better(root);
    std::cout << "\nLeaderboard of rounds (" << (root / "results.tsv").string() << ")\n\n";
    std::cout << cell("round", 6) << cell("CV", 10) << cell("public LB", 10) << cell("submitted", 10)
              << cell("status", 13) << "what was tried\n";
    std::cout << std::string(100, '-') << "\n";
    std::optional<std::pair<int, double>> first, best;
    for (const auto& row : results.rows) {
        if (row.round == 0) continue;
        const auto cv = number(row.cv_score);
        const auto lb = number(row.lb);
        std::cout << cell(tag(row.round), 6)
                  << cell(cv ? fixed(*cv) : (row.cv_score.empty() ? "-" : row.cv_score), 10)
                  << cell(lb ? fixed(*lb) : "-", 10) << cell(row.submitted.empty() ? "-" : row.submitted, 10)
                  << cell(row.status, 13) << cell(what_was_tried(row.description), 60) << "\n";
        if (cv && row.status == "ok") {
            if (!first) first = {row.round, *cv};
            if (!best || (higher ? *cv > best->second : *cv < best->second)) best = {row.round, *cv};
        }
    }
    std::cout << "\n";
    if (!first) {
        std::cout << "No round produced a verified score.\n";
        return;
    }
    if (best->first != first->first)
        std::cout << "Result: CV improved from " << fixed(first->second) << " (" << tag(first->first) << ") to "
                  << fixed(best->second) << " (" << tag(best->first) << ").\n";
    else
        std::cout << "Result: no improvement over the first verified CV of " << fixed(first->second) << " ("
                  << tag(first->first) << "): later experiments did not beat it.\n";
    const auto board = read_board(held_out_dir(root) / "leaderboard.json");
    if (board.last_private)
        std::cout << board.submissions << " submission(s) on the local leaderboard; the last one (" << board.last_description
                  << ") scores " << fixed(*board.last_private)
                  << " on the private part of the test set (what Kaggle reveals at the end).\n";
    std::cout << "Round files: " << (root / "rounds").string() << " (plans, reviews, experiments, findings).\n";
}

}  // namespace

int cmd_demo(CommandArgs argv) {
    const Args args(argv, {"--max-rounds", "--dir"}, {"--quiet"});
    if (args.help()) {
        print_usage(command_named("demo"));
        std::cout << "\nCopies the shipped Pima diabetes competition (train/test data, notes) into DIR (default\n"
                     "./autokaggle-demo) and its held-out answers into DIR-heldout beside it, out of the agents'\n"
                     "reach, and runs " << kDefaultRounds
                  << " rounds (--max-rounds) with the offline autopilot\n"
                     "agents and the local leaderboard, exactly as `autokaggle run DIR` would. Running it again\n"
                     "resumes the same workspace. Needs /usr/bin/python3 with numpy, pandas, scikit-learn, xgboost.\n";
        return exit_ok;
    }
    args.max_positionals(0);
    int rounds = kDefaultRounds;
    if (auto v = args.integer("--max-rounds")) {
        if (*v < 1 || *v > 99) throw UsageError("--max-rounds: expected 1 to 99, got " + std::to_string(*v));
        rounds = static_cast<int>(*v);
    }
    const fs::path root = fs::absolute(args.value_or("--dir", "autokaggle-demo")).lexically_normal();
    if (fs::exists(root / "config.json")) {
        std::cout << "autokaggle demo: resuming the demo workspace " << root.string() << "\n";
    } else {
        if (fs::exists(root) && !fs::is_empty(root))
            throw UsageError(root.string() + " exists and is not a demo workspace; choose another --dir");
        const auto from = shipped_competition();
        create_workspace(from, root, rounds);
        std::cout << "autokaggle demo: copied " << from.string() << " to " << root.string() << " (held-out answers in "
                  << held_out_dir(root).string() << ")\n";
    }
    std::cout << "autokaggle demo: " << rounds << " rounds with the offline autopilot and the local leaderboard\n" << std::flush;
    std::vector<std::string> run_args{root.string(), "--max-rounds", std::to_string(rounds)};
    if (args.flag("--quiet")) run_args.push_back("--quiet");
    const int code = cmd_run(run_args);
    print_leaderboard(root);
    std::cout << "Dashboard: autokaggle serve " << root.string() << "  (then open http://127.0.0.1:8765/)\n";
    return code;
}

}  // namespace autokaggle::cli
