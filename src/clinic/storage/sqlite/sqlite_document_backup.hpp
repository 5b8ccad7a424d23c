#pragma once

#include <memory>
#include <string>
#include <vector>

#include "clinic/storage/backup.hpp"

namespace clinic::storage::sqlite {

// The tables the embedded document store keeps in its SQLite file. By default that file is the
// relational database's too, whose backup leaves these tables to the document backup.
std::vector<std::string> DocumentTableNames();

// The DocumentBackup of the embedded document store in the SQLite file `path`: its tables as
// rows (storage/sql/sql_backup.hpp), all read from one snapshot of the file taken with the
// online backup API, and written back in one transaction. The tables must exist (opening the
// store creates them).
std::unique_ptr<DocumentBackup> MakeSqliteDocumentBackup(std::string path);

}  // namespace clinic::storage::sqlite
