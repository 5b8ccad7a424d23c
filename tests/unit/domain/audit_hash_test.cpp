// The audit chain's row hash: its canonical text is fixed, so rows written by any earlier version
// still verify, and the client's request id (added later) is covered only where a row has one.

#include <gtest/gtest.h>

#include "clinic/common/time.hpp"
#include "clinic/domain/audit.hpp"

namespace clinic::domain {
namespace {

AuditEntry Booking() {
  AuditEntry entry;
  entry.occurred_at = *ParseRfc3339("2026-12-01T09:00:00Z");
  entry.actor_role = Role::kPatient;
  entry.actor_id = 7;
  entry.action = "appointment.book";
  entry.entity = "appointment";
  entry.entity_id = 42;
  entry.client_addr = "10.0.0.1";
  entry.request_id = "abc";
  return entry;
}

TEST(AuditChainHash, ARowWithoutAClientRequestIdHashesAsRowsAlwaysHave) {
  // SHA-256 of "64:000…0;20:2026-12-01T09:00:00Z;7:patient;1:7;16:appointment.book;
  // 11:appointment;2:42;8:10.0.0.1;3:abc;-;", the text rows had before client_request_id existed.
  EXPECT_EQ(AuditChainHash(Booking(), std::string(kAuditGenesisHash)),
            "56098068b7088c5670ddc6032819b831edeb7cc23f9ac11d4db989698c8d29d2");
}

TEST(AuditChainHash, CoversTheClientRequestIdWhereThereIsOne) {
  auto entry = Booking();
  entry.client_request_id = "trace-1";
  EXPECT_EQ(AuditChainHash(entry, std::string(kAuditGenesisHash)),
            "fbab494094a657434c8dbb1fbf4d3f2de92f0812b31e9f8f9b10d07eb911e64c");
  entry.client_request_id = "trace-2";
  EXPECT_NE(AuditChainHash(entry, std::string(kAuditGenesisHash)),
            "fbab494094a657434c8dbb1fbf4d3f2de92f0812b31e9f8f9b10d07eb911e64c");
}

}  // namespace
}  // namespace clinic::domain
