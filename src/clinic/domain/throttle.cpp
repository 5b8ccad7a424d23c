#include "clinic/domain/throttle.hpp"

#include <algorithm>

namespace clinic::domain {

ThrottleDecision AdmitAttempt(ThrottleCounter& counter, const ThrottleRule& rule, Instant now) {
  using std::chrono::seconds;
  if (counter.blocked_until && now < *counter.blocked_until) {
    const auto wait = std::chrono::ceil<seconds>(*counter.blocked_until - now);
    return {.admitted = false, .retry_after = std::max(wait, seconds(1))};
  }
  if (counter.blocked_until || now >= counter.window_started_at + rule.window) {
    // A quiet spell as long as the longest block forgives earlier blocks.
    const Instant last_seen = counter.blocked_until.value_or(counter.window_started_at);
    if (now >= last_seen + rule.max_block) counter.strikes = 0;
    counter.blocked_until.reset();
    counter.attempts = 0;
    counter.window_started_at = now;
  }
  if (counter.attempts < rule.limit) {
    ++counter.attempts;
    return {.admitted = true};
  }
  ++counter.strikes;
  const int doublings = std::min(counter.strikes - 1, 20);
  const seconds block = std::min(rule.window * (std::int64_t{1} << doublings), rule.max_block);
  counter.blocked_until = now + block;
  return {.admitted = false, .retry_after = std::max(block, seconds(1))};
}

void ReleaseAttempt(ThrottleCounter& counter) {
  counter.attempts = std::max(counter.attempts - 1, 0);
  counter.strikes = 0;
}

}  // namespace clinic::domain
