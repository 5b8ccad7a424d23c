#pragma once

#include <chrono>
#include <optional>

#include "clinic/common/clock.hpp"

namespace clinic::domain {

// One subject's attempts (an account, a client address, an account at an address, registrations
// from an address): how many were admitted in the current window, how often the subject was
// blocked in a row, and until when it is blocked now.
struct ThrottleCounter {
  int attempts = 0;
  Instant window_started_at{};
  int strikes = 0;
  std::optional<Instant> blocked_until;
};

// `limit` attempts per `window`. The attempt past the limit blocks the subject for the window,
// twice as long at each further block in a row (a strike), up to `max_block`: a guesser is slowed
// down more and more, and one success (Release) or a quiet `max_block` forgives the strikes.
struct ThrottleRule {
  int limit = 10;
  std::chrono::seconds window{60};
  std::chrono::seconds max_block{15 * 60};
};

// Whether an attempt may go ahead and, when not, how long to wait.
struct ThrottleDecision {
  bool admitted = false;
  std::chrono::seconds retry_after{0};
};

// Decides an attempt at `now` and updates `counter`: an admitted attempt counts (it is reserved
// before the work it guards, so concurrent attempts cannot all slip under the limit); a refused
// one does not, except that the first refusal of a window starts a block.
ThrottleDecision AdmitAttempt(ThrottleCounter& counter, const ThrottleRule& rule, Instant now);

// An admitted attempt that succeeded: it no longer counts, and the strikes are forgiven.
void ReleaseAttempt(ThrottleCounter& counter);

}  // namespace clinic::domain
