#pragma once

#include <gmock/gmock.h>

#include "clinic/common/error.hpp"
#include "clinic/common/result.hpp"

namespace clinic::testing {

// EXPECT_THAT(booked, IsOk()): a Result or Status that succeeded; a failure prints the error's
// code and message.
MATCHER(IsOk, "succeeds") {
  if (arg) return true;
  *result_listener << "failed with " << ErrorCodeName(arg.error().code) << ": "
                   << arg.error().message;
  return false;
}

// EXPECT_THAT(booked, StatusIs(ErrorCode::kNotFound)): a Result or Status that failed with `code`.
MATCHER_P(StatusIs, code, std::string("fails with ") + std::string(ErrorCodeName(code))) {
  if (arg) {
    *result_listener << "succeeded";
    return false;
  }
  *result_listener << "failed with " << ErrorCodeName(arg.error().code) << ": "
                   << arg.error().message;
  return arg.error().code == code;
}

}  // namespace clinic::testing
