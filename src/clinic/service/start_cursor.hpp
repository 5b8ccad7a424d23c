#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "clinic/common/clock.hpp"
#include "clinic/common/result.hpp"
#include "clinic/domain/ids.hpp"

namespace clinic::service {

// The opaque cursor of a list ordered by (start time, id), such as free slots and appointments:
// "<start unix seconds>.<id>" of the last row of a page. Decoding anything this server did not
// issue is kInvalidArgument on the `cursor` field.
std::string EncodeStartCursor(Instant start, Id id);
Result<std::pair<Instant, Id>> DecodeStartCursor(std::string_view text);

// One page of a list ordered by (start time, id): its items and, when more follow, the cursor
// after the last one.
template <typename T>
struct StartOrderedPage {
  std::vector<T> items;
  std::optional<std::string> next_cursor;
};

// The page from `rows` fetched with `limit` + 1: the first `limit` rows, and the cursor after the
// last when the extra row shows that more follow. `position(row)` gives a row's (start, id).
template <typename T, typename Position>
StartOrderedPage<T> MakeStartOrderedPage(std::vector<T> rows, int limit, Position position) {
  StartOrderedPage<T> page;
  if (rows.size() > static_cast<std::size_t>(limit)) {
    rows.resize(static_cast<std::size_t>(limit));
    const auto [start, id] = position(rows.back());
    page.next_cursor = EncodeStartCursor(start, id);
  }
  page.items = std::move(rows);
  return page;
}

}  // namespace clinic::service
