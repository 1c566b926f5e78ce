// A real browser for the dashboard's tests: headless Chromium (Debian's `chromium`) started
// with a fresh profile and driven over the DevTools protocol on a WebSocket (Beast), so the
// tests see the page as a user does: scripts run, event streams stay open, the DOM is rendered.
#pragma once

#include "dashboard_support.hpp"

#include <boost/json/value.hpp>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace dashtest {

/// The Chromium binary: $AUTOKAGGLE_CHROMIUM, else /usr/bin/chromium; BOOST_FAILs with the fix
/// (scripts/install-deps.sh --tests) when there is none.
fs::path chromium_binary();

class Chromium {
public:
    /// Starts the browser (profile in `profile_dir`, which must be empty or missing) with one
    /// page of `width` x `height` CSS pixels.
    explicit Chromium(const fs::path& profile_dir, int width = 1280, int height = 900);
    ~Chromium();
    Chromium(const Chromium&) = delete;
    Chromium& operator=(const Chromium&) = delete;

    /// Loads `url` and waits for its load event.
    void navigate(const std::string& url);
    /// The value of a JavaScript expression (promises awaited); BOOST_FAILs on an exception.
    boost::json::value eval(const std::string& expression);
    /// Polls a JavaScript condition until it is true; BOOST_FAILs with `what` and the page's
    /// errors after `timeout`.
    void wait_for(const std::string& condition, const std::string& what,
                  std::chrono::milliseconds timeout = std::chrono::seconds(20));
    /// A PNG of the whole page (the viewport grown to the document's height).
    std::string screenshot_png();
    /// Script exceptions, console errors and failed loads the page reported so far.
    std::vector<std::string> errors();
    void clear_errors();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace dashtest
