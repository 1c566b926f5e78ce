// An agent's conversation as it is persisted under agents/<role>/conversation.json after every
// turn, so a new process continues exactly where the previous one stopped.
#pragma once

#include <autokaggle/sdk/llm.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace autokaggle::llm_agent {

struct Conversation {
    std::string session_id;               ///< new id on every fresh start or re-spawn
    std::vector<Message> messages;
    std::vector<std::size_t> phase_starts;  ///< indices of the user messages opening a phase
    long long last_input_tokens = 0;      ///< prompt size of the latest call (all input kinds)
    int phases = 0;                       ///< phases answered in this session

    /// Makes the conversation ready for a new user text: if it ends with unanswered tool calls
    /// (the process died while running them), they get "interrupted" results; if it ends with a
    /// user message, the text joins it (two user turns in a row are not allowed).
    void add_user_text(const std::string& text);
    /// Bytes of text, a rough size for servers that report no usage.
    std::size_t text_bytes() const;
};

std::string new_session_id(const std::string& role);

/// nullopt when the file does not exist; throws autokaggle::Error naming the file when it is
/// unreadable or corrupt (the user can delete it to start a fresh conversation).
std::optional<Conversation> load_conversation(const std::filesystem::path& file);
void save_conversation(const std::filesystem::path& file, const Conversation& conversation);

}  // namespace autokaggle::llm_agent
