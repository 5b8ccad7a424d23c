#include "clinic/storage/sql/connection.hpp"

#include <charconv>

namespace clinic::storage::sql {

std::int64_t Row::Int(std::size_t i) const {
  if (const auto* v = std::get_if<std::int64_t>(&cells_[i])) return *v;
  if (const auto* s = std::get_if<std::string>(&cells_[i])) {
    std::int64_t out = 0;
    std::from_chars(s->data(), s->data() + s->size(), out);
    return out;
  }
  return 0;
}

std::string Row::Text(std::size_t i) const {
  if (const auto* s = std::get_if<std::string>(&cells_[i])) return *s;
  if (const auto* v = std::get_if<std::int64_t>(&cells_[i])) return std::to_string(*v);
  return {};
}

std::optional<std::int64_t> Row::OptInt(std::size_t i) const {
  if (IsNull(i)) return std::nullopt;
  return Int(i);
}

std::optional<std::string> Row::OptText(std::size_t i) const {
  if (IsNull(i)) return std::nullopt;
  return Text(i);
}

}  // namespace clinic::storage::sql
