#include "clinic/domain/validation.hpp"

#include <algorithm>
#include <cctype>

namespace clinic::domain {
namespace {

bool IsDomainChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '.';
}

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

std::string NormalizeEmail(std::string_view email) {
  while (!email.empty() && std::isspace(static_cast<unsigned char>(email.front())) != 0) {
    email.remove_prefix(1);
  }
  while (!email.empty() && std::isspace(static_cast<unsigned char>(email.back())) != 0) {
    email.remove_suffix(1);
  }
  return Lower(email);
}

bool IsValidEmail(std::string_view email) {
  if (email.empty() || email.size() > 255) return false;
  const auto at = email.find('@');
  if (at == std::string_view::npos || at == 0 ||
      email.find('@', at + 1) != std::string_view::npos) {
    return false;
  }
  for (const char c : email) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return false;
  }
  const auto domain = email.substr(at + 1);
  if (domain.size() < 3 || domain.front() == '.' || domain.back() == '.' ||
      domain.find('.') == std::string_view::npos || domain.find("..") != std::string_view::npos) {
    return false;
  }
  return std::all_of(domain.begin(), domain.end(), IsDomainChar);
}

std::optional<std::string> PasswordProblem(std::string_view password, std::string_view email) {
  if (password.size() < 10) return "must be at least 10 characters";
  if (password.size() > 1024) return "must be at most 1024 bytes";
  if (Lower(password) == NormalizeEmail(email)) return "must not be the email address";
  return std::nullopt;
}

bool IsValidUsername(std::string_view username) {
  if (username.size() < 3 || username.size() > 100) return false;
  return std::all_of(username.begin(), username.end(), [](unsigned char c) {
    return std::isalnum(c) != 0 || c == '.' || c == '_' || c == '-';
  });
}

}  // namespace clinic::domain
