#include "clinic/domain/message.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <utility>

namespace clinic::domain {
namespace {

constexpr std::array<std::pair<MessageType, std::string_view>, 4> kMessageTypes{{
    {MessageType::kChat, "chat"},
    {MessageType::kSystem, "system"},
    {MessageType::kFile, "file"},
    {MessageType::kNote, "note"},
}};

}  // namespace

std::string_view Name(MessageType type) {
  for (const auto& [value, name] : kMessageTypes) {
    if (value == type) return name;
  }
  return {};
}

std::optional<MessageType> ParseMessageType(std::string_view text) {
  for (const auto& [value, name] : kMessageTypes) {
    if (name == text) return value;
  }
  return std::nullopt;
}

std::string ThreadIdOf(Id appointment_id) { return fmt::format("apt-{}", appointment_id); }

bool IsMessageId(std::string_view id) {
  return id.size() == 24 && std::all_of(id.begin(), id.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

}  // namespace clinic::domain
