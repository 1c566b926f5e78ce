#include "support/kaggle_support.hpp"

#include <autokaggle/sdk/errors.hpp>
#include <autokaggle/sdk/runner.hpp>

#include <boost/json/serialize.hpp>
#include <boost/test/unit_test.hpp>

#include <fstream>
#include <sstream>

namespace autokaggle::test {

kaggle::Credentials fake_credentials(std::string key) {
    return kaggle::Credentials(kaggle::Credentials::Scheme::basic, fake_user, std::move(key), "KAGGLE_USERNAME/KAGGLE_KEY");
}

kaggle::ClientOptions TestClient::options(const FakeKaggle& fake) const {
    kaggle::ClientOptions o;
    apply(o, fake);
    return o;
}

void TestClient::apply(kaggle::ClientOptions& o, const FakeKaggle& fake) const {
    o.api_base = fake.api_base();
    o.retry.max_retries = 3;
    o.retry.initial_backoff = std::chrono::milliseconds(10);
    o.retry.max_backoff = std::chrono::milliseconds(40);
    o.connect_timeout = std::chrono::milliseconds(5000);
    o.read_timeout = std::chrono::milliseconds(10000);
    auto record = sleeps;
    o.sleep = [record](std::chrono::milliseconds d) { record->push_back(d); };
}

kaggle::Client make_client(const FakeKaggle& fake, const kaggle::Credentials& credentials, const TestClient& hooks) {
    return kaggle::Client(credentials, hooks.options(fake));
}

boost::json::object fake_competition(int max_daily) {
    return boost::json::object{{"ref", std::string("https://www.kaggle.com/competitions/") + fake_slug},
                               {"title", "Playground Fake Season 1"},
                               {"deadline", "2031-04-30T23:59:00Z"},
                               {"evaluationMetric", "Area Under Receiver Operating Characteristic Curve"},
                               {"maxDailySubmissions", max_daily},
                               {"userHasEntered", true}};
}

void write_zip(const fs::path& zip, const std::map<std::string, std::string>& files) {
    TempDir staging("autokaggle-zip");
    std::string script = "import sys, zipfile, os\nz = zipfile.ZipFile(sys.argv[1], 'w')\n";
    int i = 0;
    for (const auto& [name, content] : files) {
        fs::path part = staging / ("f" + std::to_string(i++));
        write_text(part, content);
        bool stored = name.size() > 7 && name.compare(name.size() - 7, 7, ".stored") == 0;
        std::string arcname = stored ? name.substr(0, name.size() - 7) : name;
        script += "z.write(" + boost::json::serialize(boost::json::value(part.string())) + ", " +
                  boost::json::serialize(boost::json::value(arcname)) + ", " +
                  (stored ? "zipfile.ZIP_STORED" : "zipfile.ZIP_DEFLATED") + ")\n";
    }
    script += "z.close()\n";
    fs::path py = staging / "make_zip.py";
    write_text(py, script);
    auto r = run_process({"/usr/bin/python3", py.string(), zip.string()});
    BOOST_REQUIRE_MESSAGE(r.exit_code == 0, "zip creation failed: " << r.err);
}

std::string all_file_text(const fs::path& dir) {
    std::string out;
    for (const auto& entry : fs::recursive_directory_iterator(dir))
        if (entry.is_regular_file()) out += read_text(entry.path());
    return out;
}

}  // namespace autokaggle::test
