#pragma once

// A store and its restored copy compared, generic over the schema: the tables and collections
// are listed from the stores themselves, never from a list kept here, so whatever a migration
// adds is compared too.

#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "clinic/storage/sql/connection.hpp"

namespace clinic::testing {

// The tables of the database (SQLite's own sqlite_* left out), by name.
std::vector<std::string> TableNames(storage::sql::Connection& connection);

// Expects every table of `source` but `skip` to hold, in `target`, the same rows: all of them,
// compared on every column of the source's table but generated ones (which the database
// computes), as text, whatever their order. Columns only the target has (MySQL's bookkeeping
// beside a SQLite source) are not compared.
void ExpectSameRows(storage::sql::Connection& source, storage::sql::Connection& target,
                    const std::set<std::string>& skip);

// Every document of every collection of the MongoDB database at `uri`, in canonical Extended
// JSON, by collection, each collection's sorted. Left out: the server's own collections and the
// attachment bucket's (GridFsContents compares what they hold).
std::map<std::string, std::vector<std::string>> MongoDocuments(const std::string& uri);

// The files of the MongoDB database's GridFS bucket "attachments": each file's id (its sha256)
// and its bytes, put together from the chunks.
std::map<std::string, std::string> GridFsContents(const std::string& uri);

// Drops the MongoDB database at `uri` (a test's own), ignoring failures.
void DropMongoDatabase(const std::string& uri);

// Every regular file under `folder` but its tmp/ folder: its path relative to `folder` and its
// bytes.
std::map<std::string, std::string> FolderContents(const std::filesystem::path& folder);

// Every folder and file under `root` (and `root` itself, as ".") with its permission bits.
std::map<std::string, std::filesystem::perms> Permissions(const std::filesystem::path& root);

}  // namespace clinic::testing
