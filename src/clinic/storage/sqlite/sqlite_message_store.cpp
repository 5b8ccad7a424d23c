#include "clinic/storage/sqlite/sqlite_message_store.hpp"

#include <fmt/format.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "clinic/common/time.hpp"
#include "clinic/common/utf8.hpp"
#include "clinic/storage/message_document.hpp"
#include "clinic/storage/sql/connection_pool.hpp"
#include "clinic/storage/sqlite/sqlite_connection.hpp"

namespace clinic::storage::sqlite {
namespace {

using sql::Value;

constexpr std::string_view kSchema = R"sql(
CREATE TABLE IF NOT EXISTS messages (
  id TEXT PRIMARY KEY,
  thread_id TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  appointment_id INTEGER NOT NULL,
  patient_id INTEGER NOT NULL,
  doctor_id INTEGER NOT NULL,
  author_role TEXT NOT NULL,
  author_id INTEGER NOT NULL,
  version INTEGER NOT NULL,
  doc TEXT NOT NULL CHECK (json_valid(doc))
);
CREATE INDEX IF NOT EXISTS idx_messages_thread ON messages (thread_id, created_at, id);
CREATE INDEX IF NOT EXISTS idx_messages_patient ON messages (patient_id, created_at);
CREATE INDEX IF NOT EXISTS idx_messages_doctor ON messages (doctor_id, created_at);
CREATE INDEX IF NOT EXISTS idx_messages_created ON messages (created_at, id);
CREATE TABLE IF NOT EXISTS message_files (
  file_id TEXT NOT NULL,
  message_id TEXT NOT NULL REFERENCES messages (id),
  appointment_id INTEGER NOT NULL,
  PRIMARY KEY (file_id, message_id)
);
)sql";

// "Not the reader's own message and no receipt from the reader yet", on a row of `messages`.
constexpr std::string_view kUnreadBy =
    "NOT (author_role = ? AND author_id = ?) AND NOT EXISTS (SELECT 1 FROM "
    "json_each(messages.doc, '$.read_receipts') r WHERE json_extract(r.value, '$.user_role') = ? "
    "AND json_extract(r.value, '$.user_id') = ?)";

// The four parameters of kUnreadBy.
void AppendUnreadBy(std::vector<Value>& params, const MessageReader& reader) {
  for (int i = 0; i < 2; ++i) {
    params.emplace_back(std::string(domain::Name(reader.role)));
    params.emplace_back(reader.id);
  }
}

std::int64_t Seconds(Instant t) { return t.time_since_epoch().count(); }

std::string DocumentText(const domain::Message& message) {
  return boost::json::serialize(MessageToDocument(message, DocumentDialect::kPlain));
}

// The message stored as `text`.
Result<domain::Message> ParseDocument(const std::string& text) {
  boost::system::error_code error;
  const auto document = boost::json::parse(text, error);
  if (error) {
    return Fail(Error::Internal(Utf8Length(text) ? "a stored message is not JSON"
                                                 : "a stored message is not valid UTF-8"));
  }
  return MessageFromDocument(document, DocumentDialect::kPlain);
}

// The message of a row (id, doc): every query that reads messages selects the id too, so a row that
// cannot be read can be named.
Result<domain::Message> ParseRow(const sql::Row& row) { return ParseDocument(row.Text(1)); }

// One unreadable stored row is left out and logged, so it cannot fail its whole thread;
// `clinicctl repair-messages` finds and repairs such rows.
std::vector<domain::Message> ParseRows(const std::vector<sql::Row>& rows) {
  std::vector<domain::Message> messages;
  messages.reserve(rows.size());
  for (const auto& row : rows) {
    auto message = ParseRow(row);
    if (!message) {
      LogUnreadableMessage(row.Text(0), message.error());
      continue;
    }
    messages.push_back(std::move(*message));
  }
  return messages;
}

class SqliteMessageStore final : public MessageStore {
 public:
  explicit SqliteMessageStore(std::unique_ptr<sql::ConnectionFactory> factory,
                              std::size_t pool_size)
      : pool_(std::move(factory), pool_size) {}

  Status CreateSchema() {
    CLINIC_ASSIGN_OR_RETURN(auto connection, pool_.Acquire());
    return connection->ExecuteScript(kSchema);
  }

  std::string_view backend() const override { return "sqlite"; }

  Status Ping() override {
    CLINIC_ASSIGN_OR_RETURN(auto connection, pool_.Acquire());
    CLINIC_TRY_STATUS(connection->Query("SELECT 1", {}));
    return Ok();
  }

  Status Insert(const domain::Message& m) override {
    CLINIC_ASSIGN_OR_RETURN(auto connection, pool_.Acquire());
    const std::vector<Value> params{Value{m.id},
                                    Value{m.thread_id},
                                    Value{Seconds(m.created_at)},
                                    Value{m.refs.appointment_id},
                                    Value{m.refs.patient_id},
                                    Value{m.refs.doctor_id},
                                    Value{std::string(domain::Name(m.author.role))},
                                    Value{m.author.id},
                                    Value{m.version},
                                    Value{DocumentText(m)}};
    // The message and the index of its attachments go in together or not at all.
    CLINIC_TRY_STATUS(connection->Begin(TxMode::kWrite));
    auto inserted = [&]() -> Status {
      CLINIC_TRY_STATUS(connection->Execute(
          "INSERT INTO messages (id, thread_id, created_at, appointment_id, patient_id, "
          "doctor_id, author_role, author_id, version, doc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
          params));
      for (const auto& attachment : m.attachments) {
        CLINIC_TRY_STATUS(connection->Execute(
            "INSERT INTO message_files (file_id, message_id, appointment_id) VALUES (?, ?, ?)",
            {Value{attachment.file_id}, Value{m.id}, Value{m.refs.appointment_id}}));
      }
      return connection->Commit();
    }();
    if (!inserted) CLINIC_TRY_STATUS(connection->Rollback());
    return inserted;
  }

  Result<std::vector<domain::Message>> ListCreatedSince(Instant since, int limit) override {
    CLINIC_ASSIGN_OR_RETURN(auto connection, pool_.Acquire());
    const std::vector<Value> params{Value{Seconds(since)},
                                    Value{static_cast<std::int64_t>(std::max(limit, 1))}};
    CLINIC_ASSIGN_OR_RETURN(auto rows, connection->Query("SELECT id, doc FROM messages WHERE "
                                                         "created_at >= ? ORDER BY created_at, "
                                                         "id LIMIT ?",
                                                         params));
    return ParseRows(rows);
  }

  Result<RepairReport> RepairUnreadable() override {
    return RepairColumn(
        pool_, {.table = "messages",
                .key = "id",
                .column = "doc",
                .readable = [](const std::string& doc) { return ParseDocument(doc).has_value(); },
                .repaired = [](const std::string& doc) -> std::optional<std::string> {
                  auto repaired = RepairedDocument(doc, DocumentDialect::kPlain);
                  if (!repaired) return std::nullopt;
                  return boost::json::serialize(*repaired);
                }});
  }

  Result<std::vector<Id>> AppointmentsWithFile(const std::string& file_id) override {
    CLINIC_ASSIGN_OR_RETURN(auto connection, pool_.Acquire());
    const std::vector<Value> params{Value{file_id}};
    CLINIC_ASSIGN_OR_RETURN(auto rows, connection->Query("SELECT DISTINCT appointment_id FROM "
                                                         "message_files WHERE file_id = ? "
                                                         "ORDER BY appointment_id",
                                                         params));
    std::vector<Id> ids;
    ids.reserve(rows.size());
    for (const auto& row : rows) ids.push_back(row.Int(0));
    return ids;
  }

  Result<std::optional<domain::Message>> Get(const std::string& id) override {
    CLINIC_ASSIGN_OR_RETURN(auto connection, pool_.Acquire());
    const std::vector<Value> params{Value{id}};
    CLINIC_ASSIGN_OR_RETURN(auto rows,
                            connection->Query("SELECT id, doc FROM messages WHERE id = ?", params));
    if (rows.empty()) return std::optional<domain::Message>{};
    CLINIC_ASSIGN_OR_RETURN(auto message, ParseRow(rows.front()));
    return std::optional<domain::Message>{std::move(message)};
  }

  Result<std::vector<domain::Message>> ListThread(const std::string& thread_id,
                                                  const std::optional<MessagePosition>& before,
                                                  int limit) override {
    CLINIC_ASSIGN_OR_RETURN(auto connection, pool_.Acquire());
    std::string statement = "SELECT id, doc FROM messages WHERE thread_id = ?";
    std::vector<Value> params;
    params.reserve(5);
    params.emplace_back(thread_id);
    if (before) {
      statement += " AND (created_at < ? OR (created_at = ? AND id < ?))";
      params.emplace_back(Seconds(before->created_at));
      params.emplace_back(Seconds(before->created_at));
      params.emplace_back(before->id);
    }
    statement += " ORDER BY created_at DESC, id DESC LIMIT ?";
    params.emplace_back(static_cast<std::int64_t>(std::max(limit, 1)) + 1);
    CLINIC_ASSIGN_OR_RETURN(auto rows, connection->Query(statement, params));
    return ParseRows(rows);
  }

  Result<std::int64_t> MarkRead(const std::string& thread_id, const MessagePosition& up_to,
                                const MessageReader& reader, Instant at) override {
    CLINIC_ASSIGN_OR_RETURN(auto connection, pool_.Acquire());
    const auto receipt =
        boost::json::serialize(boost::json::object{{"user_role", domain::Name(reader.role)},
                                                   {"user_id", reader.id},
                                                   {"read_at", FormatRfc3339(at)}});
    std::vector<Value> params{Value{receipt}, Value{thread_id}, Value{Seconds(up_to.created_at)},
                              Value{Seconds(up_to.created_at)}, Value{up_to.id}};
    AppendUnreadBy(params, reader);
    CLINIC_ASSIGN_OR_RETURN(
        auto result,
        connection->Execute(
            fmt::format("UPDATE messages SET doc = json_insert(doc, '$.read_receipts[#]', json(?)) "
                        "WHERE thread_id = ? AND (created_at < ? OR (created_at = ? AND id <= ?)) "
                        "AND {}",
                        kUnreadBy),
            params));
    return static_cast<std::int64_t>(result.affected_rows);
  }

  Result<std::vector<ThreadUnread>> UnreadCounts(const MessageReader& reader) override {
    const char* participant = reader.role == domain::Role::kPatient  ? "patient_id"
                              : reader.role == domain::Role::kDoctor ? "doctor_id"
                                                                     : nullptr;
    if (participant == nullptr) return std::vector<ThreadUnread>{};
    CLINIC_ASSIGN_OR_RETURN(auto connection, pool_.Acquire());
    std::vector<Value> params{Value{reader.id}};
    AppendUnreadBy(params, reader);
    CLINIC_ASSIGN_OR_RETURN(
        auto rows, connection->Query(fmt::format("SELECT thread_id, MIN(appointment_id), COUNT(*) "
                                                 "FROM messages WHERE {} = ? AND {} "
                                                 "GROUP BY thread_id ORDER BY thread_id",
                                                 participant, kUnreadBy),
                                     params));
    std::vector<ThreadUnread> counts;
    counts.reserve(rows.size());
    for (const auto& row : rows) counts.push_back({row.Text(0), row.Int(1), row.Int(2)});
    return counts;
  }

  Result<bool> Edit(const std::string& id, std::int64_t expected_version,
                    const std::optional<std::string>& text,
                    const std::optional<std::string>& markdown, Instant at) override {
    CLINIC_ASSIGN_OR_RETURN(auto connection, pool_.Acquire());
    const auto nullable = [](const std::optional<std::string>& v) {
      return v ? Value{*v} : Value{nullptr};
    };
    const std::vector<Value> params{nullable(text),
                                    nullable(markdown),
                                    Value{FormatRfc3339(at)},
                                    Value{expected_version + 1},
                                    Value{expected_version + 1},
                                    Value{id},
                                    Value{expected_version}};
    CLINIC_ASSIGN_OR_RETURN(
        auto result,
        connection->Execute("UPDATE messages SET doc = json_set(doc, '$.text', ?, "
                            "'$.rich_text.markdown', ?, '$.meta.updated_at', ?, "
                            "'$.meta.version', ?), version = ? WHERE id = ? AND version = ?",
                            params));
    return result.affected_rows == 1;
  }

 private:
  sql::ConnectionPool pool_;
};

}  // namespace

Result<RepairReport> RepairColumn(sql::ConnectionPool& pool, const RepairedColumn& what) {
  constexpr std::int64_t kBatch = 500;
  const auto select = fmt::format("SELECT {0}, {1} FROM {2} WHERE {0} > ? ORDER BY {0} LIMIT ?",
                                  what.key, what.column, what.table);
  const auto update =
      fmt::format("UPDATE {} SET {} = ? WHERE {} = ?", what.table, what.column, what.key);
  RepairReport repair;
  std::string after;
  for (;;) {
    CLINIC_ASSIGN_OR_RETURN(auto connection, pool.Acquire());
    CLINIC_ASSIGN_OR_RETURN(auto rows, connection->Query(select, {Value{after}, Value{kBatch}}));
    for (const auto& row : rows) {
      ++repair.scanned;
      after = row.Text(0);
      const std::string stored = row.Text(1);
      if (what.readable(stored)) continue;
      auto repaired = what.repaired(stored);
      if (!repaired) {
        repair.unrepairable.push_back(after);
        continue;
      }
      CLINIC_TRY_STATUS(connection->Execute(update, {Value{std::move(*repaired)}, Value{after}}));
      ++repair.repaired;
    }
    if (static_cast<std::int64_t>(rows.size()) < kBatch) return repair;
  }
}

Result<std::unique_ptr<MessageStore>> OpenSqliteMessageStore(const std::string& path,
                                                             std::size_t pool_size) {
  auto store = std::make_unique<SqliteMessageStore>(MakeSqliteConnectionFactory(path), pool_size);
  CLINIC_TRY_STATUS(store->CreateSchema());
  return std::unique_ptr<MessageStore>(std::move(store));
}

}  // namespace clinic::storage::sqlite
