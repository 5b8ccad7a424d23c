// AnswerCache over a real store: answers are reused until a write commits through the store,
// their age runs out or the byte budget needs their room; concurrent askers share one read.

#include "clinic/service/answer_cache.hpp"

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "support/matchers.hpp"
#include "support/store_fixture.hpp"

namespace clinic::testing {
namespace {

using namespace std::chrono_literals;
using service::AnswerCache;
using storage::Transaction;
using storage::TxMode;

class AnswerCacheTest : public StoreTest {
 protected:
  // A read that counts its calls and answers "answer <n>".
  std::function<Result<std::string>()> CountingRead() {
    return [this]() -> Result<std::string> { return "answer " + std::to_string(++reads_); };
  }

  void CommitAWrite() {
    ASSERT_TRUE(store().Run(TxMode::kWrite, [](Transaction& tx) -> Status {
      domain::Location location;
      location.name = "Branch";
      location.address_line1 = "1 Main Road";
      location.city = "Singapore";
      location.country = "Singapore";
      location.timezone = "Asia/Singapore";
      auto created = tx.locations().Create(location);
      if (!created) return Fail(created.error());
      return Ok();
    }));
  }

  std::atomic<int> reads_{0};
};

TEST_P(AnswerCacheTest, ARepeatedReadIsAnsweredFromTheCache) {
  AnswerCache cache(store(), 1min);
  EXPECT_EQ(*cache.GetOrRead("a", CountingRead()), "answer 1");
  EXPECT_EQ(*cache.GetOrRead("a", CountingRead()), "answer 1");
  EXPECT_EQ(*cache.GetOrRead("b", CountingRead()), "answer 2");
  EXPECT_EQ(reads_, 2);
}

TEST_P(AnswerCacheTest, ACommittedWriteMakesEveryAnswerStale) {
  AnswerCache cache(store(), 1min);
  ASSERT_TRUE(cache.GetOrRead("a", CountingRead()));
  ASSERT_TRUE(cache.GetOrRead("b", CountingRead()));
  CommitAWrite();
  EXPECT_EQ(*cache.GetOrRead("a", CountingRead()), "answer 3");
  EXPECT_EQ(*cache.GetOrRead("b", CountingRead()), "answer 4");
  EXPECT_EQ(*cache.GetOrRead("a", CountingRead()), "answer 3");
}

TEST_P(AnswerCacheTest, ReadsAndFailedWritesLeaveAnswersValid) {
  AnswerCache cache(store(), 1min);
  ASSERT_TRUE(cache.GetOrRead("a", CountingRead()));
  ASSERT_TRUE(store().Run(TxMode::kRead, [](Transaction& tx) -> Status {
    (void)tx.locations().Get(1);
    return Ok();
  }));
  EXPECT_FALSE(store().Run(TxMode::kWrite, [](Transaction&) -> Status {
    return Fail(Error::FailedPrecondition("rolled back"));
  }));
  EXPECT_EQ(*cache.GetOrRead("a", CountingRead()), "answer 1");
}

TEST_P(AnswerCacheTest, AnAnswerOlderThanMaxAgeIsReadAgain) {
  AnswerCache cache(store(), 1ms);
  ASSERT_TRUE(cache.GetOrRead("a", CountingRead()));
  std::this_thread::sleep_for(5ms);
  EXPECT_EQ(*cache.GetOrRead("a", CountingRead()), "answer 2");
}

TEST_P(AnswerCacheTest, AFailedReadIsNotKept) {
  AnswerCache cache(store(), 1min);
  auto failed = cache.GetOrRead(
      "a", []() -> Result<std::string> { return Fail(Error::Unavailable("down")); });
  ASSERT_THAT(failed, StatusIs(ErrorCode::kUnavailable));
  EXPECT_EQ(*cache.GetOrRead("a", CountingRead()), "answer 1");
}

TEST_P(AnswerCacheTest, TheByteBudgetDropsTheOldestAnswers) {
  // Each answer takes its key's and its own bytes: "a" + "answer n" = 9, so two fit in 20.
  AnswerCache cache(store(), 1min, 20);
  ASSERT_TRUE(cache.GetOrRead("a", CountingRead()));
  ASSERT_TRUE(cache.GetOrRead("b", CountingRead()));
  ASSERT_TRUE(cache.GetOrRead("c", CountingRead()));
  EXPECT_EQ(*cache.GetOrRead("c", CountingRead()), "answer 3");
  EXPECT_EQ(*cache.GetOrRead("a", CountingRead()), "answer 4");
}

TEST_P(AnswerCacheTest, ConcurrentAskersOfOneKeyShareOneRead) {
  AnswerCache cache(store(), 1min);
  std::atomic<bool> go{false};
  std::vector<std::string> answers(8);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < answers.size(); ++i) {
    threads.emplace_back([&, i] {
      while (!go) std::this_thread::yield();
      auto answer = cache.GetOrRead("a", [this]() -> Result<std::string> {
        std::this_thread::sleep_for(50ms);  // long enough for the others to ask meanwhile
        return "answer " + std::to_string(++reads_);
      });
      answers[i] = answer ? *answer : answer.error().message;
    });
  }
  go = true;
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(reads_, 1);
  for (const auto& answer : answers) EXPECT_EQ(answer, "answer 1");
}

CLINIC_INSTANTIATE_FOR_SQL_BACKENDS(AnswerCacheTest);

}  // namespace
}  // namespace clinic::testing
