// The throttle rule: a limit per window, blocks that double with each repeat up to a cap, and
// forgiveness after a success or a quiet spell.

#include "clinic/domain/throttle.hpp"

#include <gtest/gtest.h>

namespace clinic::domain {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

constexpr ThrottleRule kRule{.limit = 3, .window = seconds(60), .max_block = minutes(15)};

Instant At(seconds offset) { return Instant{} + offset; }

// Makes `count` attempts at `when` and says how many were admitted.
int Attempts(ThrottleCounter& counter, int count, Instant when) {
  int admitted = 0;
  for (int i = 0; i < count; ++i) admitted += AdmitAttempt(counter, kRule, when).admitted ? 1 : 0;
  return admitted;
}

TEST(Throttle, AdmitsTheLimitPerWindowThenBlocksForTheWindow) {
  ThrottleCounter counter{.window_started_at = At(seconds(0))};
  EXPECT_EQ(Attempts(counter, 3, At(seconds(0))), 3);
  const auto refused = AdmitAttempt(counter, kRule, At(seconds(10)));
  EXPECT_FALSE(refused.admitted);
  EXPECT_EQ(refused.retry_after, seconds(60));
  EXPECT_EQ(AdmitAttempt(counter, kRule, At(seconds(40))).retry_after, seconds(30))
      << "a refusal while blocked does not extend the block";
  EXPECT_EQ(Attempts(counter, 3, At(seconds(70))), 3) << "the block is over";
}

TEST(Throttle, EachBlockInARowLastsTwiceAsLongUpToTheCap) {
  ThrottleCounter counter{.window_started_at = At(seconds(0))};
  Instant now = At(seconds(0));
  std::vector<seconds> blocks;
  for (int round = 0; round < 7; ++round) {
    EXPECT_EQ(Attempts(counter, 3, now), 3);
    const auto refused = AdmitAttempt(counter, kRule, now);
    ASSERT_FALSE(refused.admitted);
    blocks.push_back(refused.retry_after);
    now += refused.retry_after;
  }
  EXPECT_EQ(blocks, (std::vector<seconds>{seconds(60), seconds(120), seconds(240), seconds(480),
                                          seconds(900), seconds(900), seconds(900)}));
}

TEST(Throttle, ASuccessOrAQuietSpellForgivesTheStrikes) {
  ThrottleCounter counter{.window_started_at = At(seconds(0))};
  Attempts(counter, 4, At(seconds(0)));   // blocked for 60 s
  Attempts(counter, 4, At(seconds(60)));  // blocked for 120 s
  EXPECT_EQ(counter.strikes, 2);
  ThrottleCounter after_success = counter;
  EXPECT_TRUE(AdmitAttempt(after_success, kRule, At(seconds(180))).admitted);
  ReleaseAttempt(after_success);
  EXPECT_EQ(after_success.attempts, 0) << "the successful attempt no longer counts";
  EXPECT_EQ(after_success.strikes, 0);
  Attempts(after_success, 3, At(seconds(181)));
  EXPECT_EQ(AdmitAttempt(after_success, kRule, At(seconds(181))).retry_after, seconds(60));

  ThrottleCounter quiet = counter;  // blocked until 180 s; 15 minutes of quiet after that
  Attempts(quiet, 3, At(seconds(180) + minutes(15)));
  EXPECT_EQ(AdmitAttempt(quiet, kRule, At(seconds(180) + minutes(15))).retry_after, seconds(60));
}

}  // namespace
}  // namespace clinic::domain
