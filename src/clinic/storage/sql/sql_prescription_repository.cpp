#include "clinic/storage/sql/sql_prescription_repository.hpp"

#include <fmt/format.h>

#include "clinic/storage/sql/sql_queries.hpp"

namespace clinic::storage::sql {
namespace {

using domain::Prescription;

struct PrescriptionTable {
  using Record = Prescription;
  static constexpr std::string_view kTable = "prescriptions";
  static constexpr std::string_view kNoun = "prescription";
  static constexpr std::string_view kColumns =
      "id, appointment_id, doctor_id, patient_id, instructions, supersedes_id, issued_at, "
      "created_at, updated_at";
  static Prescription FromRow(const Row& r) {
    return Prescription{r.Int(0),    r.Int(1),        r.Int(2),        r.Int(3),       r.Text(4),
                        r.OptInt(5), InstantAt(r, 6), InstantAt(r, 7), InstantAt(r, 8)};
  }
};

// The prescription columns (PrescriptionTable order) plus the id of the one that replaced it.
constexpr std::string_view kPrescriptionListingSelect =
    "SELECT p.id, p.appointment_id, p.doctor_id, p.patient_id, p.instructions, p.supersedes_id, "
    "p.issued_at, p.created_at, p.updated_at, n.id "
    "FROM prescriptions p LEFT JOIN prescriptions n ON n.supersedes_id = p.id";

Result<std::vector<domain::PrescriptionListing>> QueryPrescriptionListings(Connection& c,
                                                                           std::string_view where,
                                                                           Id id) {
  CLINIC_ASSIGN_OR_RETURN(auto rows, c.Query(fmt::format("{} WHERE {} ORDER BY p.issued_at, p.id",
                                                         kPrescriptionListingSelect, where),
                                             {Value{id}}));
  std::vector<domain::PrescriptionListing> listings;
  listings.reserve(rows.size());
  for (const auto& row : rows) listings.push_back({PrescriptionTable::FromRow(row), row.OptInt(9)});
  return listings;
}

}  // namespace

Result<Prescription> SqlPrescriptionRepository::Create(const Prescription& p) {
  CLINIC_ASSIGN_OR_RETURN(
      auto result,
      c_.Execute("INSERT INTO prescriptions (appointment_id, doctor_id, patient_id, instructions, "
                 "supersedes_id, issued_at) VALUES (?, ?, ?, ?, ?, ?)",
                 {Value{p.appointment_id}, Value{p.doctor_id}, Value{p.patient_id},
                  Value{p.instructions}, ToValue(p.supersedes_id), ToValue(p.issued_at)}));
  return Get(result.last_insert_id);
}

Result<Prescription> SqlPrescriptionRepository::Get(Id id) {
  return GetById<PrescriptionTable>(c_, id);
}

Result<domain::PrescriptionListing> SqlPrescriptionRepository::GetListing(Id id) {
  CLINIC_ASSIGN_OR_RETURN(auto listings, QueryPrescriptionListings(c_, "p.id = ?", id));
  if (listings.empty()) return Fail(Error::NotFound(fmt::format("prescription {} not found", id)));
  return std::move(listings.front());
}

Result<std::vector<domain::PrescriptionListing>> SqlPrescriptionRepository::ListForPatient(
    Id patient_id) {
  return QueryPrescriptionListings(c_, "p.patient_id = ?", patient_id);
}

Result<std::vector<domain::PrescriptionListing>> SqlPrescriptionRepository::ListForAppointment(
    Id appointment_id) {
  return QueryPrescriptionListings(c_, "p.appointment_id = ?", appointment_id);
}

}  // namespace clinic::storage::sql
