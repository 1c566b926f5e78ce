// The providers' answer readers on bytes alone (plugins/llm-*/..._answer.cpp): what each wire
// format carries, what a server may get wrong, and token counts that stay sane.
#define BOOST_TEST_MODULE llm_answers
#include "anthropic_answer.hpp"
#include "http/provider_config.hpp"
#include "openai_answer.hpp"

#include <boost/test/unit_test.hpp>

using namespace autokaggle;

BOOST_AUTO_TEST_SUITE(anthropic_answers)

BOOST_AUTO_TEST_CASE(text_and_tool_blocks_with_usage) {
    const ChatResponse r = anthropic::parse_answer(R"({"id":"msg_1","model":"claude","stop_reason":"tool_use",
        "content":[{"type":"text","text":"Reading."},{"type":"tool_use","id":"tu_1","name":"read_file","input":{"path":"a"}},
                   {"type":"text","text":"More."},{"type":"thinking","thinking":"..."},7],
        "usage":{"input_tokens":10,"output_tokens":5,"cache_creation_input_tokens":3,"cache_read_input_tokens":2}})");
    BOOST_TEST(r.message.text == "Reading.\nMore.");
    BOOST_REQUIRE_EQUAL(r.message.tool_calls.size(), 1u);
    BOOST_TEST(r.message.tool_calls[0].arguments.at("path").as_string() == "a");
    BOOST_TEST(r.stop_reason == "tool_use");
    BOOST_TEST(r.request_id == "msg_1");
    BOOST_TEST(r.usage.input_tokens == 15);  // the whole prompt: 10 uncached + 3 written + 2 read
    BOOST_TEST(r.usage.cache_creation_input_tokens == 3);
}

BOOST_AUTO_TEST_CASE(counts_are_never_negative_nor_past_2_to_the_53) {
    const ChatResponse r = anthropic::parse_answer(R"({"content":[],
        "usage":{"input_tokens":-5,"output_tokens":18446744073709551615,"cache_read_input_tokens":"9"}})");
    BOOST_TEST(r.usage.input_tokens == 0);
    BOOST_TEST(r.usage.output_tokens == 1LL << 53);
    BOOST_TEST(r.usage.cache_read_input_tokens == 0);
}

BOOST_AUTO_TEST_CASE(unreadable_bodies_say_what_is_missing) {
    BOOST_CHECK_EXCEPTION(anthropic::parse_answer("<html>busy</html>"), http::MalformedAnswer,
                          [](const Error& e) { return std::string(e.what()).find("not JSON") == 0; });
    BOOST_CHECK_EXCEPTION(anthropic::parse_answer(R"({"type":"message"})"), http::MalformedAnswer,
                          [](const Error& e) { return std::string(e.what()) == "no \"content\" array"; });
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(openai_answers)

BOOST_AUTO_TEST_CASE(cached_tokens_are_cache_reads_never_more_than_the_prompt) {
    const ChatResponse r = openai::parse_answer(R"({"choices":[{"message":{"content":"hi"},"finish_reason":"stop"}],
        "usage":{"prompt_tokens":100,"completion_tokens":7,"prompt_tokens_details":{"cached_tokens":40}}})");
    BOOST_TEST(r.usage.input_tokens == 100);  // the whole prompt, cached tokens included
    BOOST_TEST(r.usage.cache_read_input_tokens == 40);
    // A server reporting more cached tokens than prompt tokens, or negative ones.
    const ChatResponse odd = openai::parse_answer(R"({"choices":[{"message":{"content":"hi"}}],
        "usage":{"prompt_tokens":10,"completion_tokens":-3,"prompt_tokens_details":{"cached_tokens":50}}})");
    BOOST_TEST(odd.usage.input_tokens == 10);
    BOOST_TEST(odd.usage.cache_read_input_tokens == 10);
    BOOST_TEST(odd.usage.output_tokens == 0);
}

BOOST_AUTO_TEST_CASE(errors_in_a_200_body_and_missing_choices) {
    BOOST_CHECK_THROW(openai::parse_answer(R"({"error":{"message":"nope"}})"), http::ErrorAnswer);
    BOOST_CHECK_EXCEPTION(openai::parse_answer(R"({"choices":[]})"), http::MalformedAnswer,
                          [](const Error& e) { return std::string(e.what()) == "no \"choices\""; });
    BOOST_CHECK_EXCEPTION(openai::parse_answer(R"({"choices":[{"text":"x"}]})"), http::MalformedAnswer,
                          [](const Error& e) { return std::string(e.what()).find("no \"message\"") != std::string::npos; });
}

BOOST_AUTO_TEST_SUITE_END()
