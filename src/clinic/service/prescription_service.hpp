#pragma once

#include <optional>
#include <string>
#include <vector>

#include "clinic/common/clock.hpp"
#include "clinic/common/result.hpp"
#include "clinic/domain/principal.hpp"
#include "clinic/service/create_once.hpp"
#include "clinic/storage/store.hpp"

namespace clinic::service {

// A prescription as the doctor writes it. The doctor and the patient come from the appointment;
// a request may repeat them, but naming anyone else is refused.
struct NewPrescription {
  std::string instructions;
  std::optional<Id> supersedes_id;
  std::optional<Id> doctor_id;
  std::optional<Id> patient_id;
};

// Prescriptions (DESIGN.md §6). A prescription is never edited or deleted: a correction is a new
// prescription that names the one it replaces (`supersedes_id`), which then reads as superseded.
// Issuing is audited ("prescription.issue") in its transaction. Thread-safe.
class PrescriptionService {
 public:
  PrescriptionService(storage::Store& store, const Clock& clock);

  // Issues a prescription for the appointment (domain::AuthorizePrescribe), which must be
  // scheduled or completed (409 otherwise). `instructions` 1..4000 characters, several lines
  // allowed. `supersedes_id` must be a prescription of the same patient that nothing replaced yet
  // (409 when something did).
  // Once per Idempotency-Key (CreateOnce).
  Result<Created<domain::PrescriptionListing>> Issue(const domain::RequestContext& context,
                                                     Id appointment_id,
                                                     const NewPrescription& input);
  // The appointment's prescriptions, for whoever may see the appointment.
  Result<std::vector<domain::PrescriptionListing>> ListForAppointment(
      const domain::RequestContext& context, Id appointment_id);
  // The patient's prescriptions (domain::AuthorizePrescriptionsOf).
  Result<std::vector<domain::PrescriptionListing>> ListForPatient(
      const domain::RequestContext& context, Id patient_id);

 private:
  storage::Store& store_;
  const Clock& clock_;
};

}  // namespace clinic::service
