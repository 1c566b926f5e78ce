// Suggestions and metric-name patterns (the pieces error messages are built from).
#include "base/text.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <boost/test/unit_test.hpp>

BOOST_AUTO_TEST_SUITE(text)

BOOST_AUTO_TEST_CASE(edit_distance_counts_single_edits) {
    BOOST_TEST(autokaggle::edit_distance("cv_folds", "cv_folds") == 0u);
    BOOST_TEST(autokaggle::edit_distance("cv_fold", "cv_folds") == 1u);
    BOOST_TEST(autokaggle::edit_distance("kitten", "sitting") == 3u);
    BOOST_TEST(autokaggle::edit_distance("", "abc") == 3u);
}

BOOST_AUTO_TEST_CASE(nearest_suggests_plausible_typos_only) {
    std::vector<std::string> keys{"cv_folds", "cv_strategy", "metric", "metric_direction", "deadline"};
    BOOST_TEST(autokaggle::nearest("cv_fold", keys).value_or("") == "cv_folds");
    BOOST_TEST(autokaggle::nearest("metrc", keys).value_or("") == "metric");
    BOOST_TEST(autokaggle::nearest("dedline", keys).value_or("") == "deadline");
    BOOST_TEST(autokaggle::nearest("folds", keys).value_or("") == "cv_folds");
    BOOST_TEST(!autokaggle::nearest("zzzzzzzz", keys).has_value());
    BOOST_TEST(!autokaggle::nearest("x", keys).has_value());
}

BOOST_AUTO_TEST_CASE(metric_patterns) {
    BOOST_TEST(autokaggle::metric_pattern_matches("auc_roc", "auc_roc"));
    BOOST_TEST(!autokaggle::metric_pattern_matches("auc_roc", "auc"));
    BOOST_TEST(autokaggle::metric_pattern_matches("map@k", "map@3"));
    BOOST_TEST(autokaggle::metric_pattern_matches("map@k", "map@12"));
    BOOST_TEST(autokaggle::metric_pattern_matches("map@k", "map@k"));
    BOOST_TEST(!autokaggle::metric_pattern_matches("map@k", "map@"));
    BOOST_TEST(!autokaggle::metric_pattern_matches("map@k", "map@0"));
    BOOST_TEST(!autokaggle::metric_pattern_matches("map@k", "map@3x"));
    BOOST_TEST(!autokaggle::metric_pattern_matches("map@k", "apk@3"));
}

BOOST_AUTO_TEST_CASE(split_join_trim) {
    BOOST_TEST((autokaggle::split("a::b", ':') == std::vector<std::string>{"a", "", "b"}));
    BOOST_TEST(autokaggle::join({"a", "b", "c"}, ", ") == "a, b, c");
    BOOST_TEST(autokaggle::trim("  x y \t\n") == "x y");
}

BOOST_AUTO_TEST_CASE(show_json_writes_numbers_as_users_do) {
    BOOST_TEST(autokaggle::show_json(boost::json::value(2.5)) == "2.5");
    BOOST_TEST(autokaggle::show_json(boost::json::value(0.0)) == "0");
    BOOST_TEST(autokaggle::show_json(boost::json::value(1e-6)) == "1e-06");
    BOOST_TEST(autokaggle::show_json(boost::json::value(3)) == "3");
    BOOST_TEST(autokaggle::show_json(boost::json::value("x")) == "\"x\"");
    BOOST_TEST(autokaggle::show_json(boost::json::parse("[1,2,3,4,5,6]"), 8) == "[1,2,...");
}

BOOST_AUTO_TEST_CASE(valid_utf8_replaces_only_what_is_not_utf8) {
    using autokaggle::valid_utf8;
    const std::string fffd = "\xEF\xBF\xBD";
    BOOST_TEST(valid_utf8("plain, caf\xC3\xA9, \xE5\xAE\x8C, \xF0\x9F\x98\x80") == "plain, caf\xC3\xA9, \xE5\xAE\x8C, \xF0\x9F\x98\x80");
    BOOST_TEST(valid_utf8("caf\xE9") == "caf" + fffd);                  // Latin-1
    BOOST_TEST(valid_utf8("\xE5\xAE") == fffd + fffd);                  // a character cut short
    BOOST_TEST(valid_utf8("\xC0\xAF") == fffd + fffd);                  // overlong '/'
    BOOST_TEST(valid_utf8("\xED\xA0\x80") == fffd + fffd + fffd);      // a surrogate
    BOOST_TEST(valid_utf8("\xF4\x90\x80\x80") == fffd + fffd + fffd + fffd);  // past U+10FFFF
    BOOST_TEST(valid_utf8(std::string("a\0b", 3)) == std::string("a\0b", 3));
}

BOOST_AUTO_TEST_CASE(strict_json_always_reads_back) {
    boost::json::value v = boost::json::parse(R"({"a": 1e400, "b": [-1e999, 2.5, "x"], "c": null})");
    v.as_object()["caf\xE9"] = "\xE5\xAE";
    const std::string text = autokaggle::strict_json(v);
    boost::system::error_code ec;
    const boost::json::value back = boost::json::parse(text, ec);
    BOOST_TEST_REQUIRE(!ec, text);
    BOOST_TEST(back.at("a").is_null());
    BOOST_TEST(back.at("b").at(0).is_null());
    BOOST_TEST(back.at("b").at(1).as_double() == 2.5);
    BOOST_TEST(back.at("caf\xEF\xBF\xBD").as_string() == "\xEF\xBF\xBD\xEF\xBF\xBD");
}

BOOST_AUTO_TEST_SUITE_END()
