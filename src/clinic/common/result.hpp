#pragma once

#include <tl/expected.hpp>
#include <utility>

#include "clinic/common/error.hpp"

namespace clinic {

// The outcome of an operation that can fail: a value or an Error. Errors are values throughout
// the code base; exceptions are reserved for bugs and for third-party code that throws.
// [[nodiscard]]: an outcome dropped without a look is a compile error (-Werror), so no failure
// passes silently; the rare call whose failure truly does not matter says why, in a
// `static_cast<void>` with a comment.
template <typename T>
class [[nodiscard]] Result : public tl::expected<T, Error> {
 public:
  using tl::expected<T, Error>::expected;
  // From tl::expected's own monadic helpers (and_then, map), which answer their base type.
  Result(tl::expected<T, Error> other)  // NOLINT(google-explicit-constructor)
      : tl::expected<T, Error>(std::move(other)) {}
};

// An operation with no value to return.
using Status = Result<void>;

inline tl::unexpected<Error> Fail(Error error) { return tl::unexpected<Error>(std::move(error)); }

inline Status Ok() { return {}; }

}  // namespace clinic

// Propagates the error of a Result-returning expression; otherwise continues. Kept as a macro
// because C++ has no `?` operator; the name says what it does at the call site.
#define CLINIC_TRY_STATUS(expr)                                     \
  do {                                                              \
    if (auto clinic_try_result_ = (expr); !clinic_try_result_)      \
      return ::clinic::Fail(std::move(clinic_try_result_).error()); \
  } while (false)

#define CLINIC_CONCAT_INNER_(a, b) a##b
#define CLINIC_CONCAT_(a, b) CLINIC_CONCAT_INNER_(a, b)

// `CLINIC_ASSIGN_OR_RETURN(auto x, Compute());` binds the value or returns the error. `decl` is a
// declaration and `tmp` a generated name, neither of which may be parenthesised.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define CLINIC_ASSIGN_OR_RETURN(decl, expr) \
  CLINIC_ASSIGN_OR_RETURN_IMPL_(CLINIC_CONCAT_(clinic_result_, __LINE__), decl, expr)
#define CLINIC_ASSIGN_OR_RETURN_IMPL_(tmp, decl, expr)     \
  auto tmp = (expr);                                       \
  if (!tmp) return ::clinic::Fail(std::move(tmp).error()); \
  decl = std::move(*tmp)
// NOLINTEND(bugprone-macro-parentheses)
