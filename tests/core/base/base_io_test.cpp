// Atomic writes and the log's redaction of secrets.
#include "support/fixture_plugins.hpp"

#include "base/atomic_file.hpp"
#include "base/log.hpp"

#include <autokaggle/sdk/errors.hpp>

#include <boost/test/unit_test.hpp>

namespace at = autokaggle::test;
namespace fs = std::filesystem;

BOOST_AUTO_TEST_SUITE(atomic_file)

BOOST_AUTO_TEST_CASE(write_creates_folders_replaces_and_leaves_no_temporary) {
    at::TempDir dir;
    fs::path file = dir / "a" / "b" / "state.json";
    autokaggle::atomic_write(file, "one");
    BOOST_TEST(at::read_text(file) == "one");
    autokaggle::atomic_write(file, "two, longer");
    BOOST_TEST(at::read_text(file) == "two, longer");
    BOOST_TEST(!fs::exists(dir / "a" / "b" / "state.json.tmp"));
    BOOST_TEST(autokaggle::non_empty_file(file));
    autokaggle::atomic_write(file, "");
    BOOST_TEST(!autokaggle::non_empty_file(file));
    BOOST_TEST(!autokaggle::non_empty_file(dir / "a"));  // a folder is not a file
}

BOOST_AUTO_TEST_CASE(install_moves_a_finished_file_into_place) {
    at::TempDir dir;
    at::write_text(dir / "run.log.partial", "log");
    autokaggle::atomic_install(dir / "run.log.partial", dir / "run.log");
    BOOST_TEST(at::read_text(dir / "run.log") == "log");
    BOOST_TEST(!fs::exists(dir / "run.log.partial"));
}

BOOST_AUTO_TEST_CASE(reads_name_the_missing_file) {
    at::TempDir dir;
    BOOST_TEST(!autokaggle::read_file_if_exists(dir / "none").has_value());
    try {
        autokaggle::read_file(dir / "none");
        BOOST_FAIL("expected an error");
    } catch (const autokaggle::Error& e) {
        BOOST_TEST(at::contains(e.what(), (dir / "none").string()), e.what());
    }
    // A write into a folder that cannot exist names the path.
    at::write_text(dir / "plain", "x");
    try {
        autokaggle::atomic_write(dir / "plain" / "child.txt", "y");
        BOOST_FAIL("expected an error");
    } catch (const autokaggle::Error& e) {
        BOOST_TEST(at::contains(e.what(), (dir / "plain").string()), e.what());
    }
}

BOOST_AUTO_TEST_CASE(a_link_planted_at_the_temporary_is_never_written_through) {
    at::TempDir dir, outside{"autokaggle-outside"};
    at::write_text(outside / "victim.txt", "precious");
    fs::create_directories(dir / "knowledge");
    fs::create_symlink(outside / "victim.txt", dir / "knowledge" / "n.md.tmp");
    autokaggle::atomic_write(dir / "knowledge" / "n.md", "note");
    BOOST_TEST(at::read_text(outside / "victim.txt") == "precious");
    BOOST_TEST(at::read_text(dir / "knowledge" / "n.md") == "note");
    BOOST_TEST(!fs::exists(fs::symlink_status(dir / "knowledge" / "n.md.tmp")));
    // A stale temporary left by a crash is replaced as well.
    at::write_text(dir / "results.tsv.tmp", "half a line");
    autokaggle::atomic_write(dir / "results.tsv", "round\n");
    BOOST_TEST(at::read_text(dir / "results.tsv") == "round\n");
}

BOOST_AUTO_TEST_CASE(recorded_text_is_redacted_but_exact_bytes_are_not) {
    at::TempDir dir;
    at::ScopedEnv key("FIXTURE_PROVIDER_API_KEY", "sk-fixture-0123456789");
    autokaggle::atomic_write(dir / "conversation.json", R"({"error":"invalid key sk-fixture-0123456789"})");
    BOOST_TEST(at::read_text(dir / "conversation.json") == R"({"error":"invalid key [redacted]"})");
    autokaggle::write_exactly(dir / "raw.bin", "sk-fixture-0123456789");
    BOOST_TEST(at::read_text(dir / "raw.bin") == "sk-fixture-0123456789");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(logger)

BOOST_AUTO_TEST_CASE(redact_hides_secret_environment_values_and_the_kaggle_key) {
    at::TempDir dir;
    at::write_text(dir / "kaggle.json", R"({"username": "someone", "key": "kaggle0123456789abcdef"})");
    at::ScopedEnv config_dir("KAGGLE_CONFIG_DIR", dir.path().string());
    at::ScopedEnv api("FIXTURE_API_KEY", "sk-test-1234567890");
    at::ScopedEnv token("FIXTURE_TOKEN", "tok-abcdefgh");
    at::ScopedEnv short_one("FIXTURE_SHORT_KEY", "abc");  // too short to redact safely
    at::ScopedEnv not_secret("FIXTURE_PATH", "/usr/local/lib/something");
    std::string text = autokaggle::redact(
        "auth sk-test-1234567890 and tok-abcdefgh, kaggle kaggle0123456789abcdef, abc, /usr/local/lib/something");
    BOOST_TEST(text == "auth [redacted] and [redacted], kaggle [redacted], abc, /usr/local/lib/something");
}

BOOST_AUTO_TEST_CASE(logger_appends_redacted_lines_to_its_file) {
    at::TempDir dir;
    at::ScopedEnv api("FIXTURE_SECRET", "very-secret-value");
    fs::path file = dir / "logs" / "autokaggle.log";
    {
        autokaggle::Logger logger(file, true);
        logger.log(autokaggle::LogLevel::info, "test", "first very-secret-value");
        logger.log(autokaggle::LogLevel::debug, "test", "two\nlines");
    }
    autokaggle::Logger again(file, true);
    again.log(autokaggle::LogLevel::warn, "other", "third");
    std::string content = at::read_text(file);
    BOOST_TEST(at::contains(content, "INFO  test: first [redacted]\n"), content);
    BOOST_TEST(at::contains(content, "DEBUG test: two\n    lines\n"), content);
    BOOST_TEST(at::contains(content, "WARN  other: third\n"), content);
    BOOST_TEST(!at::contains(content, "very-secret-value"));
}

BOOST_AUTO_TEST_SUITE_END()
