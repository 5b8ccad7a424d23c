#include "clinic/storage/mysql/mysql_statement.hpp"

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <variant>

namespace clinic::storage::mysql {
namespace {

using sql::ExecResult;
using sql::Row;
using sql::Value;

// Text cells are fetched into a buffer of about the column's declared size, capped here; longer
// values (TEXT, MEDIUMTEXT) are fetched again at their exact length.
constexpr unsigned long kMaxInitialTextBuffer = 4096;

bool IsIntegerColumn(enum_field_types type) {
  switch (type) {
    case MYSQL_TYPE_TINY:
    case MYSQL_TYPE_SHORT:
    case MYSQL_TYPE_INT24:
    case MYSQL_TYPE_LONG:
    case MYSQL_TYPE_LONGLONG:
      return true;
    default:
      return false;
  }
}

// Readies a statement to run again whichever way reading its result set ends. A result read to
// the end only needs freeing. One that failed part-way (an error sent after some rows) must be
// reset on the server too: merely freed, the statement's next execution waits for rows that never
// come until the read timeout, with the transaction's locks held meanwhile.
class StatementResultGuard {
 public:
  explicit StatementResultGuard(MYSQL_STMT* statement) : statement_(statement) {}
  ~StatementResultGuard() {
    if (read_to_end_) {
      mysql_stmt_free_result(statement_);
    } else {
      mysql_stmt_reset(statement_);
    }
  }
  StatementResultGuard(const StatementResultGuard&) = delete;
  StatementResultGuard& operator=(const StatementResultGuard&) = delete;

  void ReadToEnd() { read_to_end_ = true; }

 private:
  MYSQL_STMT* statement_;
  bool read_to_end_ = false;
};

// Whether a column holds a date or a whole-second date and time, fetched as MYSQL_TIME.
bool IsTemporalColumn(const MYSQL_FIELD& field) {
  switch (field.type) {
    case MYSQL_TYPE_DATE:
      return true;
    case MYSQL_TYPE_DATETIME:
    case MYSQL_TYPE_TIMESTAMP:
      return field.decimals == 0;
    default:
      return false;
  }
}

// Where one result column is fetched to. Integer columns land in `integer`; dates and whole-second
// dates and times in `time`, read as "YYYY-MM-DD" and "YYYY-MM-DD HH:MM:SS" (the library makes the
// same text when asked for a string, but with sprintf: about 5% of clinicd's CPU in a search for a
// page of 50 slots); everything else (text, decimals, fractional times) as text in `text`.
struct ColumnBuffer {
  bool is_integer = false;
  bool is_unsigned = false;
  bool is_temporal = false;
  bool has_time = false;
  std::int64_t integer = 0;
  MYSQL_TIME time{};
  std::vector<char> text;
  unsigned long length = 0;
  my_bool is_null = 0;
  my_bool truncated = 0;
};

DriverResult<void> BindAndExecute(MYSQL_STMT* statement, std::span<const Value> params) {
  const unsigned long expected = mysql_stmt_param_count(statement);
  if (expected != params.size()) {
    return ClientFailure("statement has " + std::to_string(expected) + " placeholders but " +
                         std::to_string(params.size()) + " parameters were given");
  }
  std::vector<MYSQL_BIND> binds(params.size());
  std::vector<unsigned long> lengths(params.size(), 0);
  for (std::size_t i = 0; i < params.size(); ++i) {
    MYSQL_BIND& bind = binds[i];
    // The library only reads input buffers; the API is not const-correct.
    if (const auto* integer = std::get_if<std::int64_t>(&params[i])) {
      bind.buffer_type = MYSQL_TYPE_LONGLONG;
      bind.buffer = const_cast<std::int64_t*>(integer);
    } else if (const auto* text = std::get_if<std::string>(&params[i])) {
      lengths[i] = text->size();
      bind.buffer_type = MYSQL_TYPE_STRING;
      bind.buffer = const_cast<char*>(text->data());
      bind.buffer_length = text->size();
      bind.length = &lengths[i];
    } else {
      bind.buffer_type = MYSQL_TYPE_NULL;
    }
  }
  if (!binds.empty() && mysql_stmt_bind_param(statement, binds.data()) != 0) {
    return DriverFailure(statement);
  }
  if (mysql_stmt_execute(statement) != 0) return DriverFailure(statement);
  return {};
}

void PutDigits(char* out, unsigned value, int width) {
  for (int i = width - 1; i >= 0; --i) {
    out[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
}

std::string TemporalText(const MYSQL_TIME& time, bool has_time) {
  std::string text(has_time ? "0000-00-00 00:00:00" : "0000-00-00");
  PutDigits(&text[0], time.year, 4);
  PutDigits(&text[5], time.month, 2);
  PutDigits(&text[8], time.day, 2);
  if (has_time) {
    PutDigits(&text[11], time.hour, 2);
    PutDigits(&text[14], time.minute, 2);
    PutDigits(&text[17], time.second, 2);
  }
  return text;
}

DriverResult<Value> ReadCell(MYSQL_STMT* statement, unsigned index, const ColumnBuffer& column) {
  if (column.is_null) return Value(nullptr);
  if (column.is_temporal) return Value(TemporalText(column.time, column.has_time));
  if (column.is_integer) {
    // An unsigned value above INT64_MAX shows up as a negative signed one.
    if (column.is_unsigned && column.integer < 0) {
      return ClientFailure("an unsigned column value does not fit in a signed 64-bit integer");
    }
    return Value(column.integer);
  }
  if (column.length <= column.text.size()) {
    return Value(std::string(column.text.data(), column.length));
  }
  std::string whole(column.length, '\0');
  unsigned long fetched_length = 0;
  MYSQL_BIND bind{};
  bind.buffer_type = MYSQL_TYPE_STRING;
  bind.buffer = whole.data();
  bind.buffer_length = whole.size();
  bind.length = &fetched_length;
  if (mysql_stmt_fetch_column(statement, &bind, index, 0) != 0) return DriverFailure(statement);
  whole.resize(std::min<unsigned long>(fetched_length, whole.size()));
  return Value(std::move(whole));
}

}  // namespace

KnownStatements& KnownStatements::Instance() {
  static KnownStatements instance;
  return instance;
}

void KnownStatements::Remember(std::string_view sql) {
  const std::lock_guard lock(mutex_);
  if (texts_.size() >= kMaxTexts || std::find(texts_.begin(), texts_.end(), sql) != texts_.end()) {
    return;
  }
  texts_.emplace_back(sql);
  size_.store(texts_.size());
}

std::vector<std::string> KnownStatements::Since(std::size_t known) const {
  const std::lock_guard lock(mutex_);
  if (known >= texts_.size()) return {};
  return {texts_.begin() + static_cast<std::ptrdiff_t>(known), texts_.end()};
}

MYSQL_STMT* PreparedStatements::Find(std::string_view sql) const {
  const auto cached = statements_.find(sql);
  return cached == statements_.end() ? nullptr : cached->second.get();
}

DriverResult<MYSQL_STMT*> PreparedStatements::Prepare(MYSQL* handle, std::string_view sql) {
  std::unique_ptr<MYSQL_STMT, StatementCloser> statement(mysql_stmt_init(handle));
  if (!statement) return DriverFailure(handle);
  if (mysql_stmt_prepare(statement.get(), sql.data(), sql.size()) != 0) {
    return DriverFailure(statement.get());
  }
  if (statements_.size() >= kMaxCachedStatements) statements_.clear();
  MYSQL_STMT* prepared = statement.get();
  statements_.emplace(std::string(sql), std::move(statement));
  KnownStatements::Instance().Remember(sql);
  return prepared;
}

DriverResult<ExecResult> RunStatement(MYSQL_STMT* statement, std::span<const Value> params) {
  if (auto executed = BindAndExecute(statement, params); !executed) {
    return tl::unexpected(std::move(executed).error());
  }
  ExecResult result;
  result.affected_rows = static_cast<std::int64_t>(mysql_stmt_affected_rows(statement));
  result.last_insert_id = static_cast<std::int64_t>(mysql_stmt_insert_id(statement));
  // Rows of a statement run for its side effects are drained so the statement can run again.
  if (mysql_stmt_field_count(statement) > 0) {
    StatementResultGuard release(statement);
    if (mysql_stmt_store_result(statement) != 0) return DriverFailure(statement);
    release.ReadToEnd();
  }
  return result;
}

DriverResult<std::vector<Row>> FetchAll(MYSQL_STMT* statement, std::span<const Value> params) {
  if (auto executed = BindAndExecute(statement, params); !executed) {
    return tl::unexpected(std::move(executed).error());
  }
  ResultHandle metadata(mysql_stmt_result_metadata(statement));
  if (!metadata) {
    if (mysql_stmt_errno(statement) != 0) return DriverFailure(statement);
    return std::vector<Row>{};  // the statement returns no result set
  }
  StatementResultGuard release(statement);
  if (mysql_stmt_store_result(statement) != 0) return DriverFailure(statement);

  const unsigned column_count = mysql_num_fields(metadata.get());
  const MYSQL_FIELD* fields = mysql_fetch_fields(metadata.get());
  std::vector<ColumnBuffer> columns(column_count);
  std::vector<MYSQL_BIND> binds(column_count);
  for (unsigned i = 0; i < column_count; ++i) {
    ColumnBuffer& column = columns[i];
    MYSQL_BIND& bind = binds[i];
    column.is_integer = IsIntegerColumn(fields[i].type);
    column.is_unsigned = (fields[i].flags & UNSIGNED_FLAG) != 0;
    column.is_temporal = IsTemporalColumn(fields[i]);
    column.has_time = fields[i].type != MYSQL_TYPE_DATE;
    if (column.is_integer) {
      bind.buffer_type = MYSQL_TYPE_LONGLONG;
      bind.buffer = &column.integer;
      bind.is_unsigned = static_cast<my_bool>(column.is_unsigned);
    } else if (column.is_temporal) {
      bind.buffer_type = fields[i].type;
      bind.buffer = &column.time;
      bind.buffer_length = sizeof(column.time);
    } else {
      column.text.resize(
          std::clamp<unsigned long>(fields[i].length + 1, 64, kMaxInitialTextBuffer));
      bind.buffer_type = MYSQL_TYPE_STRING;
      bind.buffer = column.text.data();
      bind.buffer_length = column.text.size();
    }
    bind.length = &column.length;
    bind.is_null = &column.is_null;
    bind.error = &column.truncated;
  }
  if (mysql_stmt_bind_result(statement, binds.data()) != 0) return DriverFailure(statement);

  std::vector<Row> rows;
  rows.reserve(mysql_stmt_num_rows(statement));
  while (true) {
    const int fetched = mysql_stmt_fetch(statement);
    if (fetched == MYSQL_NO_DATA) break;
    if (fetched == 1) return DriverFailure(statement);
    std::vector<Value> cells;
    cells.reserve(column_count);
    for (unsigned i = 0; i < column_count; ++i) {
      auto cell = ReadCell(statement, i, columns[i]);
      if (!cell) return tl::unexpected(std::move(cell).error());
      cells.push_back(std::move(*cell));
    }
    rows.emplace_back(std::move(cells));
  }
  release.ReadToEnd();
  return rows;
}

}  // namespace clinic::storage::mysql
