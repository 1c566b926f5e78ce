#include "dashboard_support.hpp"

#include "orchestrator/experiments.hpp"
#include "orchestrator/results.hpp"
#include "orchestrator/state.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/test/unit_test.hpp>

#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace dashtest {

namespace {
std::string slurp(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}
}  // namespace

void make_campaign(const fs::path& root) {
    fs::create_directories(root);
    fs::copy(autokaggle::test::competition_dir("pima-diabetes"), root, fs::copy_options::recursive | fs::copy_options::skip_existing);
    for (const auto& e : fs::recursive_directory_iterator(root)) fs::permissions(e.path(), fs::perms::owner_write, fs::perm_options::add);
}

Background::Background(const std::vector<std::string>& argv, const fs::path& log_prefix)
    : out_file_(log_prefix.string() + ".out"), err_file_(log_prefix.string() + ".err") {
    std::vector<std::string> argv_copy = argv;
    std::vector<char*> args;
    for (auto& s : argv_copy) args.push_back(s.data());
    args.push_back(nullptr);
    pid_ = ::fork();
    BOOST_REQUIRE_MESSAGE(pid_ >= 0, "fork failed");
    if (pid_ == 0) {
        ::setpgid(0, 0);
        const int out = ::open(out_file_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        const int err = ::open(err_file_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        const int in = ::open("/dev/null", O_RDONLY);
        if (out < 0 || err < 0 || in < 0) _exit(126);
        ::dup2(out, 1);
        ::dup2(err, 2);
        ::dup2(in, 0);
        ::execv(args[0], args.data());
        _exit(127);
    }
    ::setpgid(pid_, pid_);
}

Background::~Background() {
    if (!status_) {
        ::kill(-pid_, SIGKILL);
        int status = 0;
        ::waitpid(pid_, &status, 0);
    }
}

std::string Background::out() const { return slurp(out_file_); }
std::string Background::err() const { return slurp(err_file_); }

std::string Background::wait_for_output(const std::string& text, std::chrono::seconds timeout) {
    const bool seen = eventually([&] { return out().find(text) != std::string::npos || wait(std::chrono::seconds(0)); }, timeout);
    const std::string o = out();
    BOOST_REQUIRE_MESSAGE(seen && o.find(text) != std::string::npos,
                          "'" << text << "' never appeared on stdout; stdout:\n" << o << "\nstderr:\n" << err());
    return o;
}

void Background::signal(int signo) {
    if (!status_) ::kill(-pid_, signo);
}

std::optional<int> Background::wait(std::chrono::seconds timeout) {
    const auto end = std::chrono::steady_clock::now() + timeout;
    while (!status_) {
        int status = 0;
        const pid_t r = ::waitpid(pid_, &status, WNOHANG);
        if (r == pid_) {
            status_ = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
            break;
        }
        if (std::chrono::steady_clock::now() >= end) return std::nullopt;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return status_;
}

/// A campaign three rounds in: results, registry with a correlation, a blend, a plan.
void record_campaign(const fs::path& root) {
    make_campaign(root);
    autokaggle::CampaignState state;
    state.round = 4;
    state.phase = "plan";
    state.best_cv = 0.84;
    state.best_cv_round = 3;
    state.updated_at = "2026-04-01T10:00:00Z";
    state.usage_by_round[1] = autokaggle::Usage{1000, 200, 0, 0, 0.25};
    autokaggle::StateStore(root / "state.json").save(state);
    std::vector<autokaggle::ResultRow> rows{
        {0, "", "", "", "eda", "no", "2026-04-01T09:00:00Z", "exploratory data analysis"},
        {1, "rounds/R01_experiment.py", "0.81", "0.79", "ok", "yes", "2026-04-01T09:10:00Z", "R01 plan: linear"},
        {2, "rounds/R02_experiment.py", "crash", "", "killed_fold1", "no", "2026-04-01T09:20:00Z", "R02 plan: knn"},
        {3, "rounds/R03_experiment.py", "0.84", "", "ok", "no", "2026-04-01T09:30:00Z", "R03 plan: xgboost"}};
    autokaggle::write_results(root / "results.tsv", rows);
    autokaggle::ExperimentRegistry registry;
    registry.experiments.push_back({"R01", 1, "linear", {"a"}, {}, 0.81, 0.79, "rounds/R01_oof.npy", "rounds/R01_test.npy", "ok"});
    registry.experiments.push_back({"R03", 3, "xgboost", {"a", "b"}, {{"max_depth", 4}}, 0.84, std::nullopt,
                                    "rounds/R03_oof.npy", "rounds/R03_test.npy", "ok"});
    registry.correlations["R01|R03"] = 0.93;
    autokaggle::write_experiments(root / "experiments.json", registry);
    autokaggle::test::write_text(root / "blends" / "blend.json",
               R"({"metric":"auc_roc","blend_cv":0.85,"best_single":{"id":"R03","cv":0.84},"rank_average":true,)"
               R"("models":[{"id":"R01","family":"linear","cv":0.81,"weight":0.3,"cluster":0},)"
               R"({"id":"R03","family":"xgboost","cv":0.84,"weight":0.7,"cluster":1}],"secret_extra":"x"})");
    autokaggle::test::write_text(root / "rounds" / "R01_plan.md", "# R01 plan: linear\nfamily: linear\n");
    autokaggle::test::write_text(root / "rounds" / "R01_review.md", "APPROVED\n");
    autokaggle::test::write_text(root / "rounds" / "R01_experiment.py", "print('CV_SCORE=0.81')\n");
    autokaggle::test::write_text(root / "rounds" / "R01_oof.npy", "binary");
    autokaggle::test::write_text(root / "rounds" / "R01_submission.csv", "id,diabetes\n1,0.5\n");
}

ServeProcess start_serve(const std::vector<std::string>& args, const fs::path& log_prefix) {
    std::vector<std::string> argv{autokaggle::test::cli().string(), "serve"};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.insert(argv.end(), {"--port", "0"});
    ServeProcess serve;
    serve.process = std::make_unique<Background>(argv, log_prefix);
    const std::string out = serve.process->wait_for_output("(read-only", std::chrono::seconds(20));
    const auto at = out.find(" at http://");
    BOOST_REQUIRE_MESSAGE(at != std::string::npos, "no address in: " << out);
    const auto authority = out.substr(at + 11, out.find('/', at + 11) - at - 11);  // 127.0.0.1:PORT or [::]:PORT
    serve.port = static_cast<unsigned short>(std::stoi(authority.substr(authority.rfind(':') + 1)));
    return serve;
}

HttpAnswer http_get(unsigned short port, const std::string& target, const std::vector<std::pair<std::string, std::string>>& headers) {
    namespace beast = boost::beast;
    namespace http = beast::http;
    boost::asio::io_context ioc;
    beast::tcp_stream stream(ioc);
    stream.connect(boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
    http::request<http::empty_body> req{http::verb::get, target, 11};
    req.set(http::field::host, "127.0.0.1:" + std::to_string(port));
    for (const auto& [k, v] : headers) req.set(k, v);
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    http::read(stream, buffer, res);
    HttpAnswer answer;
    answer.status = static_cast<int>(res.result_int());
    for (const auto& f : res) {
        std::string name(f.name_string());
        for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        answer.headers[name] = std::string(f.value());
    }
    answer.body = res.body();
    beast::error_code ec;
    stream.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
    return answer;
}

}  // namespace dashtest
