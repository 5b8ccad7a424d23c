#include "support/store_fixture.hpp"

#include "clinic/storage/sql/migrator.hpp"
#include "clinic/storage/sql/sql_store.hpp"
#include "support/matchers.hpp"

namespace clinic::testing {

void StoreTest::SetUp() {
  CLINIC_SET_UP_TEST_DATABASE(database_, GetParam());
  auto connection = database_->factory().Open();
  ASSERT_THAT(connection, IsOk());
  raw_ = std::move(*connection);
  auto migrated =
      storage::sql::Migrate(*raw_, storage::sql::EmbeddedMigrations(database_->dialect()));
  ASSERT_THAT(migrated, IsOk());
  store_ = storage::sql::MakeSqlStore(database_->NewFactory(), 8);
}

domain::Location StoreTest::NewLocation(const std::string& timezone) {
  domain::Location location;
  location.name = "Main";
  location.address_line1 = "1 Main St";
  location.city = "Springfield";
  location.country = "US";
  location.timezone = timezone;
  auto created = storage::InTransaction(store(), storage::TxMode::kWrite,
                                        [&](auto& tx) { return tx.locations().Create(location); });
  EXPECT_THAT(created, IsOk());
  return created.value_or(domain::Location{});
}

domain::Doctor StoreTest::NewDoctor(std::optional<Id> location_id, const std::string& email) {
  domain::Doctor doctor;
  doctor.first_name = "Alice";
  doctor.last_name = "Tan";
  doctor.email = email;
  doctor.specialization = "General Medicine";
  doctor.location_id = location_id;
  doctor.password_hash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA";
  auto created = storage::InTransaction(store(), storage::TxMode::kWrite,
                                        [&](auto& tx) { return tx.doctors().Create(doctor); });
  EXPECT_THAT(created, IsOk());
  return created.value_or(domain::Doctor{});
}

domain::Patient StoreTest::NewPatient(const std::string& email) {
  domain::Patient patient;
  patient.first_name = "John";
  patient.last_name = "Smith";
  patient.email = email;
  auto created = storage::InTransaction(store(), storage::TxMode::kWrite,
                                        [&](auto& tx) { return tx.patients().Create(patient); });
  EXPECT_THAT(created, IsOk());
  return created.value_or(domain::Patient{});
}

domain::Slot StoreTest::NewSlot(Id doctor_id, Instant start, std::chrono::minutes length) {
  domain::Slot slot;
  slot.doctor_id = doctor_id;
  slot.start_time_utc = start;
  slot.end_time_utc = start + length;
  auto created = storage::InTransaction(store(), storage::TxMode::kWrite,
                                        [&](auto& tx) { return tx.slots().Create(slot); });
  EXPECT_THAT(created, IsOk());
  return created.value_or(domain::Slot{});
}

Instant At(int minutes) {
  using namespace std::chrono;
  return sys_days{year{2030} / January / 7} + hours{9} + std::chrono::minutes{minutes};
}

}  // namespace clinic::testing
