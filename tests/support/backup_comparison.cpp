#include "support/backup_comparison.hpp"

#include <gtest/gtest.h>
#include <mongoc/mongoc.h>

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <fstream>
#include <iterator>
#include <mutex>

namespace clinic::testing {
namespace {

using storage::sql::Connection;
using storage::sql::Dialect;
using storage::sql::Row;
using storage::sql::Value;

// Each row as text, its cells in `columns` order.
std::vector<std::string> RowsAsText(Connection& connection, const std::string& table,
                                    const std::vector<std::string>& columns) {
  std::string list;
  for (const auto& column : columns) list += (list.empty() ? "`" : ", `") + column + "`";
  auto rows = connection.Query("SELECT " + list + " FROM `" + table + "`", {});
  EXPECT_TRUE(rows) << table << ": " << (rows ? "" : rows.error().message);
  std::vector<std::string> texts;
  if (!rows) return texts;
  for (const Row& row : *rows) {
    std::string text;
    for (std::size_t i = 0; i < row.size(); ++i) {
      const Value& cell = row.At(i);
      text += i == 0 ? "[" : ", ";
      if (const auto* number = std::get_if<std::int64_t>(&cell)) {
        text += std::to_string(*number);
      } else if (const auto* string = std::get_if<std::string>(&cell)) {
        text += boost::json::serialize(boost::json::value(*string));
      } else {
        text += "null";
      }
    }
    texts.push_back(text + "]");
  }
  std::sort(texts.begin(), texts.end());
  return texts;
}

// The table's columns but generated ones.
std::vector<std::string> StoredColumns(Connection& connection, const std::string& table) {
  const bool sqlite = connection.dialect() == Dialect::kSqlite;
  auto rows = connection.Query(
      sqlite ? "PRAGMA table_info(`" + table + "`)" : "SHOW COLUMNS FROM `" + table + "`", {});
  EXPECT_TRUE(rows) << table << ": " << (rows ? "" : rows.error().message);
  std::vector<std::string> columns;
  if (!rows) return columns;
  for (const Row& row : *rows) {
    // SQLite: cid, name, …; MySQL: Field, Type, Null, Key, Default, Extra.
    if (sqlite) {
      columns.push_back(row.Text(1));
    } else if (row.Text(5).find("VIRTUAL") == std::string::npos &&
               row.Text(5).find("STORED") == std::string::npos) {
      columns.push_back(row.Text(0));
    }
  }
  return columns;
}

mongoc_client_t* MongoClient(const std::string& uri) {
  static std::once_flag once;
  std::call_once(once, [] { mongoc_init(); });
  return mongoc_client_new(uri.c_str());
}

std::string MongoDatabaseName(const std::string& uri) {
  mongoc_uri_t* parsed = mongoc_uri_new(uri.c_str());
  const char* name = parsed != nullptr ? mongoc_uri_get_database(parsed) : nullptr;
  std::string database = name != nullptr ? name : "clinic";
  mongoc_uri_destroy(parsed);
  return database;
}

// Calls `each` with every document (a const bson_t*) of the collection, found with `options`.
template <typename Each>
void EachDocument(const std::string& uri, const std::string& collection_name, const char* options,
                  const Each& each) {
  mongoc_client_t* client = MongoClient(uri);
  mongoc_collection_t* collection =
      mongoc_client_get_collection(client, MongoDatabaseName(uri).c_str(), collection_name.c_str());
  bson_t* query = bson_new();
  bson_error_t error;
  bson_t* opts = bson_new_from_json(reinterpret_cast<const std::uint8_t*>(options), -1, &error);
  mongoc_cursor_t* cursor = mongoc_collection_find_with_opts(collection, query, opts, nullptr);
  const bson_t* document = nullptr;
  while (mongoc_cursor_next(cursor, &document)) each(document);
  EXPECT_FALSE(mongoc_cursor_error(cursor, &error)) << collection_name << ": " << error.message;
  mongoc_cursor_destroy(cursor);
  bson_destroy(opts);
  bson_destroy(query);
  mongoc_collection_destroy(collection);
  mongoc_client_destroy(client);
}

}  // namespace

std::vector<std::string> TableNames(Connection& connection) {
  const bool sqlite = connection.dialect() == Dialect::kSqlite;
  auto rows = connection.Query(sqlite ? "SELECT tbl_name FROM sqlite_schema WHERE type = 'table' "
                                        "AND tbl_name NOT LIKE 'sqlite%'"
                                      : "SHOW FULL TABLES WHERE Table_type = 'BASE TABLE'",
                               {});
  EXPECT_TRUE(rows) << (rows ? "" : rows.error().message);
  std::vector<std::string> names;
  if (!rows) return names;
  for (const Row& row : *rows) names.push_back(row.Text(0));
  std::sort(names.begin(), names.end());
  return names;
}

void ExpectSameRows(Connection& source, Connection& target, const std::set<std::string>& skip) {
  const auto target_tables = TableNames(target);
  for (const auto& table : TableNames(source)) {
    if (skip.contains(table)) continue;
    if (std::find(target_tables.begin(), target_tables.end(), table) == target_tables.end()) {
      ADD_FAILURE() << "the restored database has no table " << table;
      continue;
    }
    auto columns = StoredColumns(source, table);
    // A chain's lease is the running server's, not the record: a connection of the server the
    // backup was taken from may claim a chain after the backup (its first write), and the
    // restored leases only wait to expire.
    if (table == "audit_chain_head") {
      std::erase_if(columns, [](const std::string& column) {
        return column == "holder" || column == "held_until";
      });
    }
    const auto expected = RowsAsText(source, table, columns);
    const auto actual = RowsAsText(target, table, columns);
    EXPECT_EQ(expected.size(), actual.size()) << "rows of " << table;
    const auto [left, right] =
        std::mismatch(expected.begin(), expected.end(), actual.begin(), actual.end());
    if (left != expected.end() || right != actual.end()) {
      ADD_FAILURE() << "table " << table << " differs; first source row not restored as it was:\n  "
                    << (left != expected.end() ? *left : "(none)") << "\nrestored:\n  "
                    << (right != actual.end() ? *right : "(none)");
    }
  }
}

std::map<std::string, std::vector<std::string>> MongoDocuments(const std::string& uri) {
  std::map<std::string, std::vector<std::string>> documents;
  mongoc_client_t* client = MongoClient(uri);
  mongoc_database_t* database = mongoc_client_get_database(client, MongoDatabaseName(uri).c_str());
  bson_error_t error;
  char** names = mongoc_database_get_collection_names_with_opts(database, nullptr, &error);
  EXPECT_NE(names, nullptr) << error.message;
  std::vector<std::string> collections;
  for (char** name = names; name != nullptr && *name != nullptr; ++name) {
    const std::string collection = *name;
    if (!collection.starts_with("system.") && !collection.starts_with("attachments.")) {
      collections.push_back(collection);
    }
  }
  bson_strfreev(names);
  mongoc_database_destroy(database);
  mongoc_client_destroy(client);
  for (const auto& collection : collections) {
    auto& texts = documents[collection];
    EachDocument(uri, collection, "{}", [&](const bson_t* document) {
      char* json = bson_as_canonical_extended_json(document, nullptr);
      texts.emplace_back(json);
      bson_free(json);
    });
    std::sort(texts.begin(), texts.end());
  }
  return documents;
}

std::map<std::string, std::string> GridFsContents(const std::string& uri) {
  std::map<std::string, std::string> contents;
  EachDocument(uri, "attachments.chunks", R"({"sort": {"files_id": 1, "n": 1}})",
               [&](const bson_t* chunk) {
                 bson_iter_t it;
                 std::string id;
                 if (bson_iter_init_find(&it, chunk, "files_id") && BSON_ITER_HOLDS_UTF8(&it)) {
                   id = bson_iter_utf8(&it, nullptr);
                 }
                 std::uint32_t length = 0;
                 const std::uint8_t* data = nullptr;
                 if (bson_iter_init_find(&it, chunk, "data") && BSON_ITER_HOLDS_BINARY(&it)) {
                   bson_iter_binary(&it, nullptr, &length, &data);
                 }
                 contents[id].append(reinterpret_cast<const char*>(data), length);
               });
  return contents;
}

void DropMongoDatabase(const std::string& uri) {
  mongoc_client_t* client = MongoClient(uri);
  mongoc_database_t* database = mongoc_client_get_database(client, MongoDatabaseName(uri).c_str());
  bson_error_t error;
  static_cast<void>(mongoc_database_drop(database, &error));  // a leftover is harmless
  mongoc_database_destroy(database);
  mongoc_client_destroy(client);
}

std::map<std::string, std::string> FolderContents(const std::filesystem::path& folder) {
  std::map<std::string, std::string> contents;
  if (!std::filesystem::exists(folder)) return contents;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(folder)) {
    const auto relative = std::filesystem::relative(entry.path(), folder).string();
    if (!entry.is_regular_file() || relative.starts_with("tmp/")) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    contents[relative] =
        std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  }
  return contents;
}

std::map<std::string, std::filesystem::perms> Permissions(const std::filesystem::path& root) {
  std::map<std::string, std::filesystem::perms> permissions;
  const auto bits = [](const std::filesystem::path& path) {
    return std::filesystem::status(path).permissions() & std::filesystem::perms::all;
  };
  permissions["."] = bits(root);
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    permissions[std::filesystem::relative(entry.path(), root).string()] = bits(entry.path());
  }
  return permissions;
}

}  // namespace clinic::testing
