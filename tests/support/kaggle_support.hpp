// Shared by the Kaggle test suites: distinctive fake credentials (asserted never to appear in
// any output), the shared HostServices double, a client pointed at a FakeKaggle, and zip
// archives written by Python's zipfile (an independent implementation).
#pragma once

#include "support/fake_kaggle.hpp"
#include "kaggle/client.hpp"
#include "support/host_double.hpp"
#include "support/test_support.hpp"

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace autokaggle::test {

inline constexpr const char* fake_user = "kaggle-test-user";
/// Distinctive enough that finding it anywhere in an output means a leak.
inline constexpr const char* fake_key = "KGLKEY-7f3e9a21c4d8b6e0-leakcheck";
inline constexpr const char* fake_slug = "playground-fake-s1";

kaggle::Credentials fake_credentials(std::string key = fake_key);

/// A Client for the fake, with retries that record their delays instead of sleeping.
struct TestClient {
    std::shared_ptr<std::vector<std::chrono::milliseconds>> sleeps = std::make_shared<std::vector<std::chrono::milliseconds>>();
    kaggle::ClientOptions options(const FakeKaggle& fake) const;
    /// Points `o` at the fake with short backoffs and recorded sleeps, keeping its other hooks.
    void apply(kaggle::ClientOptions& o, const FakeKaggle& fake) const;
};
kaggle::Client make_client(const FakeKaggle& fake, const kaggle::Credentials& credentials, const TestClient& hooks = {});

/// The competition JSON the fake serves by default.
boost::json::object fake_competition(int max_daily = 5);

/// Writes `files` (name -> content) into a zip at `zip` with /usr/bin/python3's zipfile;
/// names ending in ".stored" are stored uncompressed (suffix dropped), the rest deflated.
void write_zip(const fs::path& zip, const std::map<std::string, std::string>& files);

/// Every regular file under `dir`, concatenated (for leak checks).
std::string all_file_text(const fs::path& dir);

}  // namespace autokaggle::test
