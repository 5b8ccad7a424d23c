// SlotQueryKey names a search's answer in the answer cache: two queries that differ in any field
// must never share a key.

#include <gtest/gtest.h>

#include <set>

#include "clinic/service/scheduling_service.hpp"

namespace clinic::service {
namespace {

TEST(SlotQueryKeyTest, QueriesThatDifferInAnyFieldHaveDifferentKeys) {
  const Instant day{std::chrono::sys_days{std::chrono::year{2030} / 1 / 7}};
  const std::vector<SlotQuery> queries{
      {},
      {.doctor_id = 1},
      {.location_id = 1},
      {.doctor_id = 1, .location_id = 2},
      {.doctor_id = 2, .location_id = 1},
      {.specialization = "Cardiology"},
      {.specialization = ""},
      // A separator inside a string must not make it look like another field.
      {.specialization = "a|b", .cursor = "c"},
      {.specialization = "a", .cursor = "b|c"},
      {.from = day},
      {.to = day},
      {.from = day, .to = day + std::chrono::days(1)},
      {.limit = 10},
      {.cursor = "abc"},
  };
  std::set<std::string> keys;
  for (const auto& query : queries) keys.insert(SlotQueryKey(query));
  EXPECT_EQ(keys.size(), queries.size());
}

TEST(SlotQueryKeyTest, EqualQueriesHaveEqualKeys) {
  const SlotQuery query{.specialization = "Neurology", .location_id = 2, .limit = 50};
  EXPECT_EQ(SlotQueryKey(query), SlotQueryKey(SlotQuery(query)));
}

}  // namespace
}  // namespace clinic::service
