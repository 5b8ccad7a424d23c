// Must not compile: clinicctl's commands call services, never an adapter (app wires them).
// It must see its own layer, so that it fails for the one include below and nothing else.
#if !__has_include("clinic/service/backup_service.hpp")
#error "the probe does not see the headers its layer may use"
#endif

#include "clinic/storage/mongo/mongo_document_backup.hpp"
