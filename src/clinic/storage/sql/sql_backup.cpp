#include "clinic/storage/sql/sql_backup.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <boost/json/value.hpp>
#include <cstdint>
#include <limits>
#include <map>
#include <set>
#include <utility>

#include "clinic/common/crypto.hpp"
#include "clinic/common/utf8.hpp"
#include "clinic/storage/sql/migrator.hpp"

namespace clinic::storage::sql {
namespace {

using boost::json::object;
using boost::json::value;

// Rows read per query when exporting, and written per INSERT when importing.
constexpr std::int64_t kExportBatch = 1000;
constexpr std::size_t kImportBatch = 100;

// The migrator's own tables: its record of what it applied (a restored database has its own,
// written when restore migrates it) and its lease.
constexpr std::array<std::string_view, 2> kMigratorTables = {"schema_migrations",
                                                             "schema_migration_lock"};

// Tables the migrations themselves fill: a database that holds no record has rows here (the
// audit chains' heads, at their start), which a restore replaces with the backup's.
constexpr std::array<std::string_view, 1> kSchemaFilledTables = {"audit_chain_head"};

template <std::size_t N>
bool IsOneOf(const std::array<std::string_view, N>& names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// Names from the catalog go into statements quoted; a name that would need more than quotes
// is refused rather than escaped (Clinic's schema has none).
bool IsPlainIdentifier(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

// Backquotes quote identifiers in MySQL, and SQLite accepts them for compatibility.
std::string Quoted(std::string_view name) { return fmt::format("`{}`", name); }

std::string QuotedList(const std::vector<std::string>& names) {
  std::string list;
  for (const auto& name : names) {
    if (!list.empty()) list += ", ";
    list += Quoted(name);
  }
  return list;
}

std::string Placeholders(std::size_t count) {
  std::string list = "(";
  for (std::size_t i = 0; i < count; ++i) list += i == 0 ? "?" : ", ?";
  return list + ")";
}

std::vector<std::string> FirstColumn(const std::vector<Row>& rows) {
  std::vector<std::string> texts;
  texts.reserve(rows.size());
  for (const auto& row : rows) texts.push_back(row.Text(0));
  return texts;
}

// A table's stored columns, in order, and its primary key's.
struct TableShape {
  std::vector<std::string> columns;
  std::vector<std::string> key;
};

Result<TableShape> ReadShape(Connection& c, const std::string& table) {
  const bool sqlite = c.dialect() == Dialect::kSqlite;
  const std::vector<Value> params{Value{table}};
  // hidden: 0 an ordinary column, 2 and 3 generated ones.
  CLINIC_ASSIGN_OR_RETURN(
      auto columns,
      c.Query(sqlite ? "SELECT name FROM pragma_table_xinfo(?) WHERE hidden = 0 ORDER BY cid"
                     : "SELECT column_name FROM information_schema.columns "
                       "WHERE table_schema = DATABASE() AND table_name = ? "
                       "AND extra NOT LIKE '%VIRTUAL GENERATED%' "
                       "AND extra NOT LIKE '%STORED GENERATED%' ORDER BY ordinal_position",
              params));
  CLINIC_ASSIGN_OR_RETURN(
      auto key, c.Query(sqlite ? "SELECT name FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk"
                               : "SELECT column_name FROM information_schema.key_column_usage "
                                 "WHERE table_schema = DATABASE() AND table_name = ? "
                                 "AND constraint_name = 'PRIMARY' ORDER BY ordinal_position",
                        params));
  TableShape shape{.columns = FirstColumn(columns), .key = FirstColumn(key)};
  if (shape.columns.empty()) {
    return Fail(Error::FailedPrecondition(fmt::format("the database has no table {}", table)));
  }
  for (const auto& name : shape.columns) {
    if (!IsPlainIdentifier(name)) {
      return Fail(Error::FailedPrecondition(
          fmt::format("table {}: column '{}' is not a plain identifier", table, name)));
    }
  }
  return shape;
}

value CellToJson(const Value& cell) {
  if (const auto* number = std::get_if<std::int64_t>(&cell)) return *number;
  if (const auto* text = std::get_if<std::string>(&cell)) {
    if (Utf8Length(*text)) return value(*text);
    return object{{"$binary", object{{"base64", Base64Encode(*text)}, {"subType", "00"}}}};
  }
  return nullptr;
}

// A cell of a record as CellToJson wrote it; nullopt for anything else.
std::optional<Value> CellFromJson(const value& json) {
  switch (json.kind()) {
    case boost::json::kind::null:
      return Value{nullptr};
    case boost::json::kind::int64:
      return Value{json.get_int64()};
    case boost::json::kind::uint64:
      if (json.get_uint64() >
          static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        return std::nullopt;
      }
      return Value{static_cast<std::int64_t>(json.get_uint64())};
    case boost::json::kind::string:
      return Value{std::string(json.get_string())};
    case boost::json::kind::object: {
      const object& wrapper = json.get_object();
      const value* binary = wrapper.if_contains("$binary");
      if (wrapper.size() != 1 || binary == nullptr || !binary->is_object()) return std::nullopt;
      const value* base64 = binary->get_object().if_contains("base64");
      if (base64 == nullptr || !base64->is_string()) return std::nullopt;
      auto bytes = Base64Decode(base64->get_string());
      if (!bytes) return std::nullopt;
      return Value{std::move(*bytes)};
    }
    default:
      return std::nullopt;
  }
}

object RecordOf(const std::vector<std::string>& columns, const Row& row) {
  object record;
  record.reserve(columns.size());
  for (std::size_t i = 0; i < columns.size(); ++i) record[columns[i]] = CellToJson(row.At(i));
  return record;
}

Status ExportTable(Connection& c, const std::string& table, BackupSink& sink) {
  CLINIC_ASSIGN_OR_RETURN(const auto shape, ReadShape(c, table));
  CLINIC_TRY_STATUS(sink.BeginSection(table));
  const std::string select =
      fmt::format("SELECT {} FROM {}", QuotedList(shape.columns), Quoted(table));
  if (shape.key.empty()) {
    CLINIC_ASSIGN_OR_RETURN(auto rows,
                            c.Query(select + " ORDER BY " + QuotedList(shape.columns), {}));
    for (const auto& row : rows) CLINIC_TRY_STATUS(sink.Add(RecordOf(shape.columns, row)));
    return Ok();
  }
  // Keyset pages: each query starts after the last key the previous one read.
  std::vector<std::size_t> key_positions;
  for (const auto& name : shape.key) {
    key_positions.push_back(static_cast<std::size_t>(
        std::find(shape.columns.begin(), shape.columns.end(), name) - shape.columns.begin()));
  }
  const std::string order = " ORDER BY " + QuotedList(shape.key) + " LIMIT ?";
  const std::string first_page = select + order;
  const std::string next_page = fmt::format("{} WHERE ({}) > {}{}", select, QuotedList(shape.key),
                                            Placeholders(shape.key.size()), order);
  std::vector<Value> after;
  for (;;) {
    std::vector<Value> params = after;
    params.emplace_back(kExportBatch);
    CLINIC_ASSIGN_OR_RETURN(auto rows, c.Query(after.empty() ? first_page : next_page, params));
    for (const auto& row : rows) CLINIC_TRY_STATUS(sink.Add(RecordOf(shape.columns, row)));
    if (static_cast<std::int64_t>(rows.size()) < kExportBatch) return Ok();
    after.clear();
    for (const std::size_t position : key_positions) after.push_back(rows.back().At(position));
  }
}

// Collects one table's records and writes them kImportBatch at a time. The first record decides
// the columns written: each must be one of the table's, and every later record must have the
// same. A column of the table that the backup lacks takes its default (a backup of SQLite
// restored into MySQL, whose schema has bookkeeping columns of its own).
class TableInserter {
 public:
  TableInserter(Connection& connection, std::string table, std::vector<std::string> table_columns)
      : connection_(connection),
        table_(std::move(table)),
        table_columns_(std::move(table_columns)) {}

  Status Add(const BackupRecord& record) {
    ++records_;
    if (columns_.empty()) CLINIC_TRY_STATUS(TakeColumns(record));
    if (record.size() != columns_.size()) return Fail(Mismatch());
    for (const auto& column : columns_) {
      const value* cell = record.if_contains(column);
      if (cell == nullptr) return Fail(Mismatch());
      auto converted = CellFromJson(*cell);
      if (!converted) {
        return Fail(Error::FailedPrecondition(
            fmt::format("table {}, record {}: column {} holds a value no backup holds", table_,
                        records_, column)));
      }
      pending_.push_back(std::move(*converted));
    }
    if (pending_.size() / columns_.size() == kImportBatch) return Flush();
    return Ok();
  }

  Status Flush() {
    if (pending_.empty()) return Ok();
    const std::size_t rows = pending_.size() / columns_.size();
    std::string statement =
        fmt::format("INSERT INTO {} ({}) VALUES ", Quoted(table_), QuotedList(columns_));
    const std::string row = Placeholders(columns_.size());
    for (std::size_t i = 0; i < rows; ++i) statement += i == 0 ? row : ", " + row;
    auto inserted = connection_.Execute(statement, pending_);
    pending_.clear();
    if (!inserted) {
      Error error = std::move(inserted).error();
      error.message = fmt::format("table {}: {}", table_, error.message);
      return Fail(std::move(error));
    }
    return Ok();
  }

 private:
  Status TakeColumns(const BackupRecord& record) {
    for (const auto& [key, cell] : record) {
      const std::string column(key);
      if (std::find(table_columns_.begin(), table_columns_.end(), column) == table_columns_.end()) {
        return Fail(Error::FailedPrecondition(
            fmt::format("the backup's table {} has a column {}, which the target's schema does "
                        "not have: it cannot be restored here",
                        table_, column)));
      }
      columns_.push_back(column);
    }
    if (columns_.empty()) return Fail(Mismatch());
    return Ok();
  }

  Error Mismatch() const {
    return Error::FailedPrecondition(
        fmt::format("table {}, record {}: not the columns of the table's first record ({})", table_,
                    records_, fmt::join(columns_, ", ")));
  }

  Connection& connection_;
  std::string table_;
  std::vector<std::string> table_columns_;
  std::vector<std::string> columns_;
  std::vector<Value> pending_;
  std::int64_t records_ = 0;
};

// The schema version the database's migrator recorded; 0 when it has none.
Result<int> ReadSchemaVersion(Connection& c, const std::vector<std::string>& tables) {
  if (std::find(tables.begin(), tables.end(), kMigratorTables[0]) == tables.end()) return 0;
  CLINIC_ASSIGN_OR_RETURN(auto rows,
                          c.Query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", {}));
  return rows.empty() ? 0 : static_cast<int>(rows.front().Int(0));
}

class SqlRelationalBackup final : public RelationalBackup {
 public:
  SqlRelationalBackup(std::unique_ptr<ConnectionFactory> factory,
                      std::vector<std::string> excluded_tables)
      : factory_(std::move(factory)), excluded_(std::move(excluded_tables)) {}

  std::string_view backend() const override {
    return factory_->dialect() == Dialect::kSqlite ? "sqlite" : "mysql";
  }

  Result<int> Export(BackupSink& sink) override {
    CLINIC_ASSIGN_OR_RETURN(auto snapshot, factory_->OpenSnapshot());
    CLINIC_ASSIGN_OR_RETURN(const auto all, TablesInDependencyOrder(*snapshot));
    CLINIC_ASSIGN_OR_RETURN(const int version, ReadSchemaVersion(*snapshot, all));
    if (version == 0) {
      return Fail(Error::FailedPrecondition(
          "the database has no Clinic schema (no migration was ever applied): nothing to back up"));
    }
    const auto tables = RelationalTables(all);
    CLINIC_TRY_STATUS(ExportTables(*snapshot, tables, sink));
    return version;
  }

  Status CheckRestorable(int schema_version, std::string_view from_backend) override {
    // MySQL's tables have columns SQLite's lack (the row versions that keep a Galera cluster's
    // rules, migration 0010), so rows go from SQLite to MySQL but not back.
    if (from_backend == "mysql" && factory_->dialect() == Dialect::kSqlite) {
      return Fail(Error::FailedPrecondition(
          "a backup of a MySQL database cannot be restored into SQLite (MySQL's tables have "
          "columns SQLite's lack): restore it into MySQL or MariaDB"));
    }
    if (from_backend != "mysql" && from_backend != "sqlite") {
      return Fail(Error::FailedPrecondition(
          fmt::format("the backup's relational rows come from '{}', which Clinic does not know",
                      from_backend)));
    }
    const auto migrations = EmbeddedMigrations(factory_->dialect());
    const bool known = std::any_of(migrations.begin(), migrations.end(),
                                   [&](const Migration& m) { return m.version == schema_version; });
    if (!known) {
      return Fail(Error::FailedPrecondition(fmt::format(
          "the backup's schema version is {}, which this version of Clinic does not know (it "
          "knows up to {}): restore it with the version that made it, or a newer one",
          schema_version, migrations.empty() ? 0 : migrations.back().version)));
    }
    CLINIC_ASSIGN_OR_RETURN(auto connection, factory_->Open());
    CLINIC_ASSIGN_OR_RETURN(const auto all, TablesInDependencyOrder(*connection));
    CLINIC_ASSIGN_OR_RETURN(const int current, ReadSchemaVersion(*connection, all));
    if (current > schema_version) {
      return Fail(Error::FailedPrecondition(
          fmt::format("the target database's schema (version {}) is newer than the backup's "
                      "({}): restore into a new, empty database",
                      current, schema_version)));
    }
    std::vector<std::string> holding_records;
    for (const auto& table : RelationalTables(all)) {
      if (!IsOneOf(kSchemaFilledTables, table)) holding_records.push_back(table);
    }
    CLINIC_ASSIGN_OR_RETURN(const auto filled, FirstTableWithRows(*connection, holding_records));
    if (filled) {
      return Fail(Error::FailedPrecondition(
          fmt::format("the target database is not empty (table {} has rows): restore into a new, "
                      "empty database",
                      *filled)));
    }
    return Ok();
  }

  Status Import(BackupSource& source, int schema_version) override {
    CLINIC_ASSIGN_OR_RETURN(auto connection, factory_->Open());
    auto migrations = EmbeddedMigrations(factory_->dialect());
    std::erase_if(migrations, [&](const Migration& m) { return m.version > schema_version; });
    CLINIC_TRY_STATUS(Migrate(*connection, migrations));
    CLINIC_ASSIGN_OR_RETURN(const auto all, TablesInDependencyOrder(*connection));
    const auto tables = RelationalTables(all);
    CLINIC_TRY_STATUS(connection->Begin(TxMode::kWrite));
    auto written = [&]() -> Status {
      for (const auto& table : tables) {
        if (IsOneOf(kSchemaFilledTables, table)) {
          CLINIC_TRY_STATUS(connection->Execute("DELETE FROM " + Quoted(table)));
        }
      }
      CLINIC_TRY_STATUS(ImportTables(*connection, tables, source));
      return connection->Commit();
    }();
    if (!written) CLINIC_TRY_STATUS(connection->Rollback());
    return written;
  }

 private:
  std::vector<std::string> RelationalTables(const std::vector<std::string>& all) const {
    std::vector<std::string> tables;
    for (const auto& table : all) {
      const bool excluded = IsOneOf(kMigratorTables, table) ||
                            std::find(excluded_.begin(), excluded_.end(), table) != excluded_.end();
      if (!excluded) tables.push_back(table);
    }
    return tables;
  }

  std::unique_ptr<ConnectionFactory> factory_;
  std::vector<std::string> excluded_;
};

}  // namespace

Result<std::vector<std::string>> TablesInDependencyOrder(Connection& connection) {
  const bool sqlite = connection.dialect() == Dialect::kSqlite;
  CLINIC_ASSIGN_OR_RETURN(
      auto listed,
      connection.Query(sqlite ? "SELECT name FROM sqlite_master WHERE type = 'table' "
                                "AND name NOT LIKE 'sqlite!_%' ESCAPE '!' ORDER BY name"
                              : "SELECT table_name FROM information_schema.tables "
                                "WHERE table_schema = DATABASE() "
                                "AND table_type = 'BASE TABLE' ORDER BY table_name",
                       {}));
  const auto names = FirstColumn(listed);
  for (const auto& name : names) {
    if (!IsPlainIdentifier(name)) {
      return Fail(Error::FailedPrecondition(
          fmt::format("table '{}' cannot be backed up: its name is not a plain identifier", name)));
    }
  }
  CLINIC_ASSIGN_OR_RETURN(
      auto references,
      connection.Query(sqlite ? "SELECT m.name, f.\"table\" FROM sqlite_master AS m, "
                                "pragma_foreign_key_list(m.name) AS f WHERE m.type = 'table'"
                              : "SELECT table_name, referenced_table_name "
                                "FROM information_schema.key_column_usage "
                                "WHERE table_schema = DATABASE() "
                                "AND referenced_table_name IS NOT NULL",
                       {}));
  std::map<std::string, std::set<std::string>> refers_to;
  for (const auto& row : references) {
    if (row.Text(0) != row.Text(1)) refers_to[row.Text(0)].insert(row.Text(1));
  }
  // Each round places the first table (by name) whose referenced tables are all placed.
  std::vector<std::string> ordered;
  std::set<std::string> placed;
  while (ordered.size() < names.size()) {
    const auto next = std::find_if(names.begin(), names.end(), [&](const std::string& name) {
      if (placed.contains(name)) return false;
      const auto& needs = refers_to[name];
      return std::all_of(needs.begin(), needs.end(), [&](const std::string& needed) {
        return placed.contains(needed) ||
               std::find(names.begin(), names.end(), needed) == names.end();
      });
    });
    if (next == names.end()) {
      return Fail(Error::FailedPrecondition(
          "the database's tables refer to each other in a circle: no order restores them"));
    }
    placed.insert(*next);
    ordered.push_back(*next);
  }
  return ordered;
}

Status ExportTables(Connection& connection, std::span<const std::string> tables, BackupSink& sink) {
  for (const auto& table : tables) CLINIC_TRY_STATUS(ExportTable(connection, table, sink));
  return Ok();
}

Result<std::optional<std::string>> FirstTableWithRows(Connection& connection,
                                                      std::span<const std::string> tables) {
  for (const auto& table : tables) {
    CLINIC_ASSIGN_OR_RETURN(auto rows,
                            connection.Query("SELECT 1 FROM " + Quoted(table) + " LIMIT 1", {}));
    if (!rows.empty()) return std::optional<std::string>(table);
  }
  return std::optional<std::string>();
}

Status ImportTables(Connection& connection, std::span<const std::string> tables,
                    BackupSource& source) {
  const auto sections = source.Sections();
  for (const auto& table : tables) {
    if (std::find(sections.begin(), sections.end(), table) == sections.end()) {
      return Fail(Error::FailedPrecondition(fmt::format(
          "the backup has no table {}, which the target's schema has: it cannot be restored here",
          table)));
    }
  }
  for (const auto& section : sections) {
    if (std::find(tables.begin(), tables.end(), section) == tables.end()) {
      return Fail(Error::FailedPrecondition(fmt::format(
          "the backup has a table {}, which the target's schema does not have: it cannot be "
          "restored here",
          section)));
    }
  }
  for (const auto& table : tables) {
    CLINIC_ASSIGN_OR_RETURN(auto shape, ReadShape(connection, table));
    TableInserter inserter(connection, table, std::move(shape.columns));
    CLINIC_TRY_STATUS(
        source.Read(table, [&](BackupRecord&& record) { return inserter.Add(record); }));
    CLINIC_TRY_STATUS(inserter.Flush());
  }
  return Ok();
}

std::unique_ptr<RelationalBackup> MakeSqlRelationalBackup(
    std::unique_ptr<ConnectionFactory> factory, std::vector<std::string> excluded_tables) {
  return std::make_unique<SqlRelationalBackup>(std::move(factory), std::move(excluded_tables));
}

}  // namespace clinic::storage::sql
